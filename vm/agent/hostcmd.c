/* SPDX-License-Identifier: MIT */
/* lxrun-host PROGRAM [ARGS...], inside lxrun's VM: runs PROGRAM natively on the host (WSL's
 * interop: notepad.exe from a WSL shell). The agent binary under that name: it connects to the
 * agent's socket, sends the command line, relays stdin, stdout and stderr with the channel's
 * flow control, forwards the signals a terminal or a kill sends it, and exits with the host
 * program's status (128+N when a signal N ended it). */
#include "vm/agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm/proto.h"

static int sig_pipe[2] = {-1, -1};

static void send_u32x2(int fd, uint8_t type, uint32_t a, uint32_t b, size_t n)
{
	uint8_t p[8];

	vm_put32(p, a);
	vm_put32(p + 4, b);
	vm_send_frame(fd, type, p, n);
}

static void on_signal(int sig)
{
	int e = errno;
	uint8_t b = (uint8_t)sig;

	(void)!write(sig_pipe[1], &b, 1);
	errno = e;
}

static int connect_agent(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				    strlen(AGENT_INTEROP_SOCK));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path + 1, AGENT_INTEROP_SOCK, strlen(AGENT_INTEROP_SOCK));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return -e;
	}
	return fd;
}

struct host_run {
	int fd;
	uint32_t credit; /* stdin bytes the host may still take */
	bool stdin_open;
	bool out_gone[3];
	bool done;
	int status;
};

static void output(struct host_run *hr, int stream, const uint8_t *p, size_t n)
{
	if (!hr->out_gone[stream] && vm_write_all(stream, p, n) == -EPIPE) {
		/* like a closed pipe natively: the host program gets SIGPIPE/EPIPE */
		hr->out_gone[stream] = true;
		send_u32x2(hr->fd, VM_MSG_CLOSE, (uint32_t)stream, 0, 4);
	}
	send_u32x2(hr->fd, VM_MSG_ACK, (uint32_t)stream, (uint32_t)n, 8);
}

static void frame(struct host_run *hr, const struct vm_frame_hdr *h, const uint8_t *p)
{
	switch (h->type) {
	case VM_MSG_STDOUT:
	case VM_MSG_STDERR:
		output(hr, h->type == VM_MSG_STDOUT ? 1 : 2, p, h->len);
		break;
	case VM_MSG_ACK:
		if (h->len == 8 && vm_get32(p) == VM_STREAM_STDIN)
			hr->credit += vm_get32(p + 4);
		break;
	case VM_MSG_ERROR:
		if (h->len >= 4)
			fprintf(stderr, "lxrun-host: %.*s\n", (int)h->len - 4, (const char *)p + 4);
		break;
	case VM_MSG_EXIT:
		if (h->len == 8) {
			hr->status = vm_get32(p) == 1 ? 128 + (int)(vm_get32(p + 4) & 0x7f)
						      : (int)(vm_get32(p + 4) & 0xff);
			hr->done = true;
		}
		break;
	default:
		break;
	}
}

static void pump_stdin(struct host_run *hr)
{
	uint8_t buf[VM_PROTO_CHUNK];
	size_t want = hr->credit < sizeof(buf) ? hr->credit : sizeof(buf);
	ssize_t n = read(0, buf, want);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		hr->stdin_open = false;
		vm_send_frame(hr->fd, VM_MSG_STDIN, NULL, 0);
		return;
	}
	hr->credit -= (uint32_t)n;
	vm_send_frame(hr->fd, VM_MSG_STDIN, buf, (size_t)n);
}

static void usage(FILE *o)
{
	fputs("usage: lxrun-host PROGRAM [ARGS...]\n"
	      "\n"
	      "Runs PROGRAM natively on the host, outside lxrun's VM (as WSL runs Windows programs\n"
	      "from Linux): PROGRAM is looked up on the PATH of the lxrun command this runs under,\n"
	      "with that command's environment; it runs in the host directory that the current\n"
	      "directory shows when that is a shared host directory, else in the directory lxrun\n"
	      "was started in. stdin, stdout and stderr are relayed, signals are forwarded, and the\n"
	      "exit status is PROGRAM's (128+N if signal N ended it; 127 not found, 126 not\n"
	      "runnable or interop is off, 125 no connection to the host).\n",
	      o);
}

int agent_hostcmd(int argc, char **argv)
{
	static const int fwd[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
	struct host_run hr = {.credit = VM_PROTO_WINDOW, .stdin_open = true};
	struct vm_exec_req req = {0};
	struct vm_buf rx = {0};
	char *env[] = {NULL};
	uint8_t *payload;
	long len;
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 125 : 0;
	}
	if (!strcmp(argv[1], "--"))
		argv++, argc--;
	if (argc < 2) {
		usage(stderr);
		return 125;
	}
	hr.fd = connect_agent();
	if (hr.fd < 0) {
		fprintf(stderr, "lxrun-host: cannot reach lxrun's VM agent (@%s): %s; lxrun-host "
				"works only inside lxrun's VM\n",
			AGENT_INTEROP_SOCK, strerror(-hr.fd));
		return 125;
	}
	req.argc = (uint32_t)argc - 1;
	len = vm_exec_encode(&req, "", "", argv + 1, env, &payload);
	if (len < 0) {
		fprintf(stderr, "lxrun-host: the command line is too long\n");
		return 126;
	}
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return 125;
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++) {
		struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};

		sigaction(fwd[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	if (vm_send_frame(hr.fd, VM_MSG_EXEC, payload, (size_t)len) < 0) {
		fprintf(stderr, "lxrun-host: lost the VM agent\n");
		return 125;
	}
	free(payload);
	while (!hr.done) {
		struct pollfd pfd[3] = {
			{.fd = hr.fd, .events = POLLIN},
			{.fd = sig_pipe[0], .events = POLLIN},
			{.fd = hr.stdin_open && hr.credit ? 0 : -1, .events = POLLIN}};
		uint8_t buf[65536], sig, *p;
		struct vm_frame_hdr h;
		size_t dropped = 0;
		ssize_t n;

		if (poll(pfd, 3, -1) < 0)
			continue;
		while (pfd[1].revents && read(sig_pipe[0], &sig, 1) == 1)
			send_u32x2(hr.fd, VM_MSG_SIGNAL, sig, 0, 4);
		if (pfd[2].revents)
			pump_stdin(&hr);
		if (!pfd[0].revents)
			continue;
		n = read(hr.fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "lxrun-host: lost the VM agent\n");
			return 125;
		}
		vm_buf_append(&rx, buf, (size_t)n);
		while (!hr.done && vm_buf_frame(&rx, &h, &p, &dropped) == 1) {
			frame(&hr, &h, p);
			vm_buf_consume(&rx, VM_PROTO_HDR + h.len);
		}
	}
	return hr.status;
}
