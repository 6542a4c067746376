/* SPDX-License-Identifier: MIT */
/* Client side of the VM service: connect, ask for status/stop, run one command with stdio. */
#include "vm/vm.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "abi/linux_errno.h"

int vm_client_connect(const struct vm_config *cfg)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[PATH_MAX];
	int fd;

	if (vm_path(cfg, "vm.sock", path) || strlen(path) >= sizeof(sa.sun_path))
		return -LINUX_ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Read until one whole frame is in b (1), EOF (0) or the timeout passes (-ETIMEDOUT). */
static int read_frame(int fd, struct vm_buf *b, struct vm_frame_hdr *h, uint8_t **payload,
		      int timeout_ms)
{
	size_t dropped = 0;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint8_t buf[65536];
		ssize_t n;

		if (vm_buf_frame(b, h, payload, &dropped) == 1)
			return 1;
		if (poll(&pfd, 1, timeout_ms) == 0)
			return -LINUX_ETIMEDOUT;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		if (vm_buf_append(b, buf, (size_t)n) < 0)
			return -LINUX_ENOMEM;
	}
}

int vm_client_request(int fd, uint8_t type, char *out, size_t outlen)
{
	struct vm_buf b = {0};
	struct vm_frame_hdr h;
	uint8_t *payload;
	int r;

	r = vm_send_frame(fd, type, NULL, 0);
	if (r < 0)
		return r;
	for (;;) {
		/* a stop is answered by the service closing the connection */
		r = read_frame(fd, &b, &h, &payload, type == VM_MSG_STOP ? 60000 : 10000);
		if (r <= 0)
			break;
		if (h.type == type) {
			size_t n = h.len < outlen ? h.len : outlen - 1;

			memcpy(out, payload, n);
			out[n] = 0;
			r = 0;
			break;
		}
		vm_buf_consume(&b, VM_PROTO_HDR + h.len);
	}
	vm_buf_free(&b);
	if (r == 0 && type != VM_MSG_STOP && !out[0])
		return -LINUX_ECONNRESET;
	return r;
}

struct relay {
	int fd;
	const struct vm_exec *req;
	uint32_t credit; /* stdin bytes we may send before the agent acknowledges */
	bool stdin_open;
	bool out_gone[3]; /* our stdout/stderr reader went away (EPIPE) */
	bool done;
	struct vm_exit *ex;
	char *why;
};

static int send_u32(int fd, uint8_t type, uint32_t a)
{
	uint8_t p[4];

	vm_put32(p, a);
	return vm_send_frame(fd, type, p, 4);
}

static int send_ack(int fd, uint32_t stream, uint32_t n)
{
	uint8_t p[8];

	vm_put32(p, stream);
	vm_put32(p + 4, n);
	return vm_send_frame(fd, VM_MSG_ACK, p, 8);
}

static void relay_output(struct relay *rl, int stream, const uint8_t *p, size_t n)
{
	int out = stream == VM_STREAM_STDOUT ? 1 : 2;

	if (!rl->out_gone[stream] && vm_write_all(out, p, n) == -LINUX_EPIPE) {
		/* like a closed pipe natively: the guest's writer gets SIGPIPE/EPIPE */
		rl->out_gone[stream] = true;
		send_u32(rl->fd, VM_MSG_CLOSE, (uint32_t)stream);
	}
	send_ack(rl->fd, (uint32_t)stream, (uint32_t)n);
}

static void relay_frame(struct relay *rl, const struct vm_frame_hdr *h, const uint8_t *p)
{
	char msg[VM_WHY_LEN];
	int err;

	switch (h->type) {
	case VM_MSG_STDOUT:
		relay_output(rl, VM_STREAM_STDOUT, p, h->len);
		break;
	case VM_MSG_STDERR:
		relay_output(rl, VM_STREAM_STDERR, p, h->len);
		break;
	case VM_MSG_ACK:
		if (h->len == 8 && vm_get32(p) == VM_STREAM_STDIN)
			rl->credit += vm_get32(p + 4);
		break;
	case VM_MSG_ERROR:
		if (h->len < 4)
			break;
		err = (int)vm_get32(p);
		snprintf(msg, sizeof(msg), "%.*s", (int)h->len - 4, (const char *)p + 4);
		if (err == -LINUX_EPIPE)
			snprintf(rl->why, VM_WHY_LEN, "%s", msg); /* the VM died: said at the end */
		else if (rl->req->on_error)
			rl->req->on_error(msg, rl->req->ctx);
		break;
	case VM_MSG_EXIT:
		if (h->len == 8) {
			rl->ex->signaled = vm_get32(p) == 1;
			rl->ex->code = (int)(vm_get32(p + 4) & 0x7f);
			if (!rl->ex->signaled)
				rl->ex->code = (int)vm_get32(p + 4);
			rl->done = true;
		}
		break;
	default:
		break;
	}
}

static void relay_signal(struct relay *rl)
{
	uint8_t sig;

	while (read(rl->req->sig_fd, &sig, 1) == 1) {
		if (sig == SIGWINCH) {
			struct winsize ws;
			uint8_t p[4];

			if (ioctl(0, TIOCGWINSZ, &ws) == 0) {
				p[0] = ws.ws_row;
				p[1] = ws.ws_row >> 8;
				p[2] = ws.ws_col;
				p[3] = ws.ws_col >> 8;
				vm_send_frame(rl->fd, VM_MSG_WINSIZE, p, 4);
			}
		} else {
			send_u32(rl->fd, VM_MSG_SIGNAL, sig);
		}
	}
}

static void relay_stdin(struct relay *rl)
{
	uint8_t buf[VM_PROTO_CHUNK];
	size_t want = rl->credit < sizeof(buf) ? rl->credit : sizeof(buf);
	ssize_t n = read(0, buf, want);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		rl->stdin_open = false;
		vm_send_frame(rl->fd, VM_MSG_STDIN, NULL, 0);
		return;
	}
	rl->credit -= (uint32_t)n;
	vm_send_frame(rl->fd, VM_MSG_STDIN, buf, (size_t)n);
}

int vm_client_exec(int fd, const struct vm_exec *req, struct vm_exit *ex, char *why)
{
	struct relay rl = {.fd = fd,
			   .req = req,
			   .credit = VM_PROTO_WINDOW,
			   .stdin_open = true,
			   .ex = ex,
			   .why = why};
	struct vm_exec_req er = {
		.flags = req->flags, .share = req->share, .stdin_off = req->stdin_off};
	struct vm_buf b = {0};
	struct winsize ws;
	uint8_t *payload;
	long len;
	int r = 0;

	why[0] = 0;
	for (er.argc = 0; req->argv[er.argc]; er.argc++)
		;
	for (er.envc = 0; req->env[er.envc]; er.envc++)
		;
	if ((req->flags & VM_EXEC_PTY) && ioctl(0, TIOCGWINSZ, &ws) == 0) {
		er.rows = ws.ws_row;
		er.cols = ws.ws_col;
	}
	if (req->flags & VM_EXEC_STDIN_FILE)
		rl.stdin_open = false; /* the guest reads the file itself */
	len = vm_exec_encode(&er, req->cwd, req->flags & VM_EXEC_STDIN_FILE ? req->stdin_path : "",
			     req->argv, req->env, &payload);
	if (len < 0) {
		snprintf(why, VM_WHY_LEN, "the command line and environment exceed %u bytes",
			 VM_PROTO_MAX);
		return (int)len;
	}
	r = vm_send_frame(fd, VM_MSG_EXEC, payload, (size_t)len);
	free(payload);
	if (r < 0)
		goto lost;
	while (!rl.done) {
		struct pollfd pfd[3] = {
			{.fd = fd, .events = POLLIN},
			{.fd = req->sig_fd, .events = POLLIN},
			{.fd = rl.stdin_open && rl.credit ? 0 : -1, .events = POLLIN}};
		struct vm_frame_hdr h;
		size_t dropped = 0;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (pfd[1].revents)
			relay_signal(&rl);
		if (pfd[2].revents)
			relay_stdin(&rl);
		if (pfd[0].revents) {
			uint8_t buf[65536];
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				r = -LINUX_EPIPE;
				break;
			}
			vm_buf_append(&b, buf, (size_t)n);
			while (!rl.done && vm_buf_frame(&b, &h, &payload, &dropped) == 1) {
				relay_frame(&rl, &h, payload);
				vm_buf_consume(&b, VM_PROTO_HDR + h.len);
			}
		}
	}
	vm_buf_free(&b);
	if (rl.done)
		return 0;
lost:
	if (!why[0])
		snprintf(why, VM_WHY_LEN, "lost the connection to the VM service");
	return r < 0 ? r : -LINUX_EPIPE;
}
