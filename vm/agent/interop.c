/* SPDX-License-Identifier: MIT */
/* Host interop, guest side. lxrun-host (this binary under that name, hostcmd.c) connects to the
 * agent's abstract socket @lxrun/interop and speaks the channel's frames there on session 0:
 * one EXEC (argv only), then STDIN, ACK, SIGNAL, CLOSE. The agent turns the EXEC into a
 * HOSTEXEC with the guest command the caller runs under (its environment and working directory
 * are used on the host) and the host path of the caller's working directory when that is
 * under a share, and relays the rest between the socket and the channel, where the connection
 * is a host session (VM_HOST_SID | n). The VM service runs the program (vm/interop.c). */
#include "vm/agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vm/proto.h"

#define MAX_CONN   64
#define SNDBUF	   (1 << 20)   /* more than a window of frames: writes to lxrun-host never wait */
#define STALL_MS   5000	      /* an lxrun-host that does not read for this long is dropped */

static struct conn {
	int fd; /* -1: free */
	uint32_t hid;
	int peer;
	struct vm_buf rx;
	bool started; /* the HOSTEXEC went out */
	bool done;    /* the host's EXIT came back */
} conns[MAX_CONN];
static int lfd = -1;
static bool tried;
static uint32_t next_hid = 1;

/* Make ROOT/usr/local/bin/lxrun-host this binary: a bind mount of /init, which stays in the
 * initramfs (the guest cannot reach that otherwise); a file of the host's at that path is
 * covered, never changed (the overlay takes the new directories and the placeholder). */
void agent_interop_install(const char *root)
{
	char path[512], dir[512];
	int fd;

	snprintf(dir, sizeof(dir), "%s/usr/local/bin", root);
	snprintf(path, sizeof(path), "%s%s", root, AGENT_HOSTCMD);
	mkdir(dir, 0755); /* /usr/local exists on any Debian; else the bind below says why */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	if (fd >= 0)
		close(fd);
	if (mount("/init", path, NULL, MS_BIND, NULL) < 0)
		agent_log("interop: cannot provide %s: %s", AGENT_HOSTCMD, strerror(errno));
}

static int listen_start(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				    strlen(AGENT_INTEROP_SOCK));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	memcpy(sa.sun_path + 1, AGENT_INTEROP_SOCK, strlen(AGENT_INTEROP_SOCK));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0) {
		agent_log("interop: cannot listen on @%s: %s", AGENT_INTEROP_SOCK, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void conn_close(struct conn *c)
{
	/* lxrun-host went away before its program ended: the program goes too */
	if (c->started && !c->done) {
		uint8_t sig[4];

		vm_put32(sig, SIGKILL);
		agent_send_frame(VM_MSG_SIGNAL, c->hid, sig, 4);
	}
	close(c->fd);
	c->fd = -1;
	vm_buf_free(&c->rx);
}

/* Write a whole frame to lxrun-host; false when it has not read for STALL_MS. */
static bool conn_send(struct conn *c, uint8_t type, const void *p, size_t n)
{
	uint8_t hdr[VM_PROTO_HDR];
	const uint8_t *parts[2] = {hdr, p};
	size_t lens[2] = {sizeof(hdr), n};
	int i;

	vm_proto_put_hdr(hdr, type, 0, (uint32_t)n);
	for (i = 0; i < 2; i++) {
		size_t off = 0;

		while (off < lens[i]) {
			ssize_t w = write(c->fd, parts[i] + off, lens[i] - off);
			struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};

			if (w > 0) {
				off += (size_t)w;
				continue;
			}
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && errno == EAGAIN && poll(&pfd, 1, STALL_MS) > 0)
				continue;
			return false;
		}
	}
	return true;
}

static void conn_error(struct conn *c, int err, const char *msg, int status)
{
	uint8_t buf[512], ex[8];
	size_t n = strlen(msg);

	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	vm_put32(buf, (uint32_t)err);
	memcpy(buf + 4, msg, n);
	conn_send(c, VM_MSG_ERROR, buf, n + 4);
	vm_put32(ex, 0);
	vm_put32(ex + 4, (uint32_t)status);
	conn_send(c, VM_MSG_EXIT, ex, 8);
	c->done = true;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

/* The host path of process pid's working directory when it lies in a mount of one of the
 * host shares (9p "host9p", virtio-fs "hostfs": both serve the host's /, so a mount's root
 * within the share is a host path); "" otherwise (the overlay root, the ext4 disk, tmpfs). */
static void host_cwd(int pid, char *out, size_t len)
{
	char link[64], cwd[4096], line[8192], root[4096], best[4096] = "";
	size_t bestlen = 0;
	bool found = false, share = false;
	ssize_t n;
	FILE *f;

	out[0] = 0;
	snprintf(link, sizeof(link), "/proc/%d/cwd", pid);
	n = readlink(link, cwd, sizeof(cwd) - 1);
	if (n <= 0 || cwd[0] != '/')
		return;
	cwd[n] = 0;
	if (strstr(cwd, " (deleted)"))
		return;
	f = fopen("/proc/self/mountinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[4096], type[64], src[256];
		char *dash = strstr(line, " - ");
		size_t ml;

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(dash + 3, "%63s %255s", type, src) != 2)
			continue;
		unescape(root);
		unescape(mnt);
		ml = strcmp(mnt, "/") ? strlen(mnt) : 0;
		if (strncmp(cwd, mnt, ml) || (cwd[ml] && cwd[ml] != '/'))
			continue;
		/* the deepest mount point holds cwd; of equal ones the last is on top */
		if (found && ml < bestlen)
			continue;
		found = true;
		bestlen = ml;
		share = (!strcmp(type, "9p") && !strcmp(src, "host9p")) ||
			(!strcmp(type, "virtiofs") && !strcmp(src, "hostfs"));
		snprintf(best, sizeof(best), "%s", root);
	}
	if (f)
		fclose(f);
	if (!found || !share)
		return;
	/* the mount shows the share's directory `best` (a host path) at cwd[0..bestlen) */
	snprintf(out, len, "%s%s", strcmp(best, "/") ? best : "", cwd + bestlen);
	if (!out[0])
		snprintf(out, len, "/");
}

/* lxrun-host's EXEC: check it, add what the host needs, send it on as a HOSTEXEC. */
static void conn_exec(struct conn *c, const uint8_t *p, size_t n)
{
	struct vm_exec_msg m;
	struct vm_exec_req req = {0};
	char cwd[4096];
	char *env[] = {NULL};
	uint8_t *payload, *msg;
	long len;

	if (!agent_param("interop")) {
		conn_error(c, -EACCES,
			   "running host programs is turned off for this VM (lxrun --no-interop, "
			   "LXRUN_VM_INTEROP=0, or [interop] enabled=false in a distro's "
			   "/etc/wsl.conf)",
			   126);
		return;
	}
	if (vm_exec_decode(p, n, &m) < 0 || m.req.argc == 0) {
		conn_error(c, -EPROTO, "malformed request", 125);
		return;
	}
	host_cwd(c->peer, cwd, sizeof(cwd));
	req.argc = m.req.argc;
	len = vm_exec_encode(&req, cwd, "", (char *const *)m.argv, env, &payload);
	free(m.argv);
	free(m.env);
	if (len < 0 || !(msg = malloc((size_t)len + 4))) {
		if (len >= 0)
			free(payload);
		conn_error(c, -ENOMEM, "the command line is too long", 126);
		return;
	}
	vm_put32(msg, agent_session_of(c->peer));
	memcpy(msg + 4, payload, (size_t)len);
	free(payload);
	c->started = agent_send_frame(VM_MSG_HOSTEXEC, c->hid, msg, (size_t)len + 4) == 0;
	free(msg);
	if (!c->started)
		conn_error(c, -EPIPE, "the host is not connected", 125);
}

static void conn_frame(struct conn *c, const struct vm_frame_hdr *h, const uint8_t *p)
{
	if (h->type == VM_MSG_EXEC) {
		if (!c->started && !c->done)
			conn_exec(c, p, h->len);
		return;
	}
	if (!c->started || c->done)
		return;
	switch (h->type) {
	case VM_MSG_STDIN:
	case VM_MSG_ACK:
	case VM_MSG_SIGNAL:
	case VM_MSG_CLOSE:
		agent_send_frame(h->type, c->hid, p, h->len);
		break;
	default:
		break;
	}
}

static void accept_one(void)
{
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), size = SNDBUF, i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CONN && conns[i].fd >= 0; i++)
		;
	if (i == MAX_CONN || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	conns[i] = (struct conn){.fd = fd, .peer = cred.pid, .hid = VM_HOST_SID | next_hid++};
	if (next_hid >= VM_HOST_SID)
		next_hid = 1;
}

int agent_interop_fill(struct pollfd *pfds, int max)
{
	int i, n = 0;

	if (!tried) {
		tried = true;
		for (i = 0; i < MAX_CONN; i++)
			conns[i].fd = -1;
		lfd = listen_start();
	}
	if (lfd >= 0 && n < max)
		pfds[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (i = 0; i < MAX_CONN && n < max; i++)
		if (conns[i].fd >= 0)
			pfds[n++] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
	return n;
}

void agent_interop_run(const struct pollfd *pfds, int n)
{
	int i, k = 0;

	if (lfd >= 0 && k < n && pfds[k].fd == lfd) {
		if (pfds[k].revents & POLLIN)
			accept_one();
		k++;
	}
	for (; k < n; k++) {
		struct conn *c = NULL;
		uint8_t buf[65536], *payload;
		struct vm_frame_hdr h;
		size_t dropped = 0;
		ssize_t r;

		for (i = 0; i < MAX_CONN; i++)
			if (conns[i].fd == pfds[k].fd)
				c = &conns[i];
		if (!c || !pfds[k].revents)
			continue;
		r = read(c->fd, buf, sizeof(buf));
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0 || vm_buf_append(&c->rx, buf, (size_t)r) < 0) {
			conn_close(c);
			continue;
		}
		while (c->fd >= 0 && vm_buf_frame(&c->rx, &h, &payload, &dropped) == 1) {
			conn_frame(c, &h, payload);
			vm_buf_consume(&c->rx, VM_PROTO_HDR + h.len);
		}
	}
}

/* A frame of a host session from the channel: to its lxrun-host. */
void agent_interop_frame(uint8_t type, uint32_t sid, const uint8_t *p, size_t n)
{
	struct conn *c = NULL;
	int i;

	for (i = 0; i < MAX_CONN; i++)
		if (conns[i].fd >= 0 && conns[i].hid == sid)
			c = &conns[i];
	if (!c) {
		/* nobody reads it any more: keep the window open so the host side can finish */
		if (type == VM_MSG_STDOUT || type == VM_MSG_STDERR) {
			uint8_t ack[8];

			vm_put32(ack, type == VM_MSG_STDOUT ? VM_STREAM_STDOUT : VM_STREAM_STDERR);
			vm_put32(ack + 4, (uint32_t)n);
			agent_send_frame(VM_MSG_ACK, sid, ack, 8);
		}
		return;
	}
	switch (type) {
	case VM_MSG_STDOUT:
	case VM_MSG_STDERR:
	case VM_MSG_ACK:
	case VM_MSG_ERROR:
	case VM_MSG_EXIT:
		if (type == VM_MSG_EXIT)
			c->done = true;
		if (!conn_send(c, type, p, n))
			conn_close(c);
		break;
	default:
		break;
	}
}

void agent_interop_reset(void)
{
	int i;

	for (i = 0; i < MAX_CONN && tried; i++) {
		if (conns[i].fd < 0)
			continue;
		conns[i].done = true; /* nobody to tell on the host */
		conn_error(&conns[i], -EPIPE, "the connection to the host was lost", 125);
		conn_close(&conns[i]);
	}
}
