/* SPDX-License-Identifier: MIT */
/* Byte relays in the guest, run from the agent's poll loop:
 *  - loopback listeners: a program that listens on 127.0.0.1:P or [::1]:P only is out of reach
 *    of QEMU's port forwarding (it delivers to 10.0.2.15), so the agent listens on 10.0.2.15:P
 *    and relays each connection to the loopback address;
 *  - X11: the agent listens on the abstract sockets @/tmp/.X11-unix/XN (libxcb tries them
 *    first) for the host's displays and relays each connection to the VM service's X11 port
 *    on the host (10.0.2.2 in the user-mode network), opening with the service's token and
 *    the display number. */
#include "vm/agent/agent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_LISTENERS 64
#define MAX_PAIRS     128
#define BUF	      65536

enum { L_LOOPBACK, L_X11 };

static struct listener {
	int fd; /* -1: free */
	int kind;
	uint16_t port;	  /* L_LOOPBACK: the port; L_X11: the display number */
	bool v6;	  /* L_LOOPBACK: the program listens on ::1 */
	bool seen;	  /* still wanted after the current update */
} listeners[MAX_LISTENERS];
static int nlisteners;

/* Two sockets and a buffer per direction: buf[0] carries a -> b, buf[1] b -> a. */
static struct pair {
	int fd[2];
	uint8_t *buf[2];
	size_t len[2];
	bool eof[2]; /* fd[i] gave end of file: shut the other's write side once drained */
	bool shut[2];
	bool x11;
} *pairs[MAX_PAIRS];

static uint16_t x11_port; /* the VM service's relay port on the host; 0: none */
static uint8_t x11_token[AGENT_X11_TOKEN];

static int listener_add(int kind, uint16_t port, bool v6)
{
	union {
		struct sockaddr_in in;
		struct sockaddr_un un;
	} sa;
	socklen_t len;
	int fd, one = 1, i;

	memset(&sa, 0, sizeof(sa));
	if (kind == L_LOOPBACK) {
		sa.in.sin_family = AF_INET;
		sa.in.sin_port = htons(port);
		inet_pton(AF_INET, "10.0.2.15", &sa.in.sin_addr);
		len = sizeof(sa.in);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd >= 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	} else {
		sa.un.sun_family = AF_UNIX;
		/* abstract: sun_path[0] is NUL, the name follows without a terminator */
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				  (size_t)snprintf(sa.un.sun_path + 1, sizeof(sa.un.sun_path) - 1,
						   "/tmp/.X11-unix/X%u", port));
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	}
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	for (i = 0; i < MAX_LISTENERS; i++) {
		if (i < nlisteners && listeners[i].fd >= 0)
			continue;
		listeners[i] = (struct listener){fd, kind, port, v6, true};
		if (i >= nlisteners)
			nlisteners = i + 1;
		return 0;
	}
	close(fd);
	return -ENOSPC;
}

static void listener_del(struct listener *l)
{
	close(l->fd);
	l->fd = -1;
}

static struct listener *listener_find(int kind, uint16_t port)
{
	int i;

	for (i = 0; i < nlisteners; i++)
		if (listeners[i].fd >= 0 && listeners[i].kind == kind && listeners[i].port == port)
			return &listeners[i];
	return NULL;
}

void agent_relay_loopback(const uint16_t *ports, const bool *v6, int n)
{
	int i;

	for (i = 0; i < nlisteners; i++)
		listeners[i].seen = false;
	for (i = 0; i < n; i++) {
		struct listener *l = listener_find(L_LOOPBACK, ports[i]);
		int r;

		if (l) {
			l->seen = true;
			continue;
		}
		r = listener_add(L_LOOPBACK, ports[i], v6[i]);
		/* EADDRNOTAVAIL: no eth0 (a kernel without virtio_net); said once at boot */
		if (r < 0 && r != -EADDRINUSE && r != -EADDRNOTAVAIL)
			agent_log("relay for 127.0.0.1:%u: %s", ports[i], strerror(-r));
	}
	for (i = 0; i < nlisteners; i++)
		if (listeners[i].fd >= 0 && listeners[i].kind == L_LOOPBACK && !listeners[i].seen)
			listener_del(&listeners[i]);
}

void agent_relay_x11(uint16_t port, const uint8_t *token, const uint8_t *displays, int n)
{
	int i, j;

	x11_port = port;
	memcpy(x11_token, token, AGENT_X11_TOKEN);
	for (i = 0; i < nlisteners; i++) {
		bool want = false;

		if (listeners[i].fd < 0 || listeners[i].kind != L_X11)
			continue;
		for (j = 0; j < n; j++)
			want |= listeners[i].port == displays[j];
		if (!want || !port)
			listener_del(&listeners[i]);
	}
	for (j = 0; j < n && port; j++) {
		int r;

		if (listener_find(L_X11, displays[j]))
			continue;
		r = listener_add(L_X11, displays[j], false);
		/* a program in the guest may run its own X server on that display */
		if (r < 0 && r != -EADDRINUSE)
			agent_log("X11 relay for display :%u: %s", displays[j], strerror(-r));
	}
}

static void pair_free(int i)
{
	struct pair *p = pairs[i];

	close(p->fd[0]);
	close(p->fd[1]);
	free(p->buf[0]);
	free(p->buf[1]);
	free(p);
	pairs[i] = NULL;
}

/* A connection came in on l: connect its other end and start relaying. */
static void accept_one(struct listener *l)
{
	int c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), t, i;
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} sa;
	socklen_t len;
	struct pair *p;

	if (c < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	if (l->kind == L_LOOPBACK && l->v6) {
		sa.in6.sin6_family = AF_INET6;
		sa.in6.sin6_port = htons(l->port);
		sa.in6.sin6_addr = in6addr_loopback;
		len = sizeof(sa.in6);
	} else {
		sa.in.sin_family = AF_INET;
		sa.in.sin_port = htons(l->kind == L_LOOPBACK ? l->port : x11_port);
		inet_pton(AF_INET, l->kind == L_LOOPBACK ? "127.0.0.1" : "10.0.2.2",
			  &sa.in.sin_addr);
		len = sizeof(sa.in);
	}
	/* blocking: both ends answer at once (the guest's loopback, QEMU's slirp) */
	t = socket(sa.in.sin_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t < 0 || connect(t, (struct sockaddr *)&sa, len) < 0) {
		agent_log("relay for %s %u: connect: %s", l->kind == L_X11 ? "X11 display" : "port",
			  l->port, strerror(errno));
		if (t >= 0)
			close(t);
		close(c);
		return;
	}
	fcntl(t, F_SETFL, O_NONBLOCK);
	p = calloc(1, sizeof(*p));
	if (p) {
		p->buf[0] = malloc(BUF);
		p->buf[1] = malloc(BUF);
	}
	for (i = 0; p && p->buf[0] && p->buf[1] && i < MAX_PAIRS; i++) {
		if (pairs[i])
			continue;
		p->fd[0] = c;
		p->fd[1] = t;
		p->x11 = l->kind == L_X11;
		if (l->kind == L_X11) { /* the host side wants its token and the display first */
			memcpy(p->buf[0], x11_token, AGENT_X11_TOKEN);
			p->buf[0][AGENT_X11_TOKEN] = (uint8_t)l->port;
			p->len[0] = AGENT_X11_TOKEN + 1;
		}
		pairs[i] = p;
		return;
	}
	if (p) {
		free(p->buf[0]);
		free(p->buf[1]);
		free(p);
	}
	close(c);
	close(t);
}

int agent_relay_fill(struct pollfd *pfds, int max)
{
	int i, n = 0;

	for (i = 0; i < nlisteners && n < max; i++)
		if (listeners[i].fd >= 0)
			pfds[n++] = (struct pollfd){.fd = listeners[i].fd, .events = POLLIN};
	for (i = 0; i < MAX_PAIRS && n + 2 <= max; i++) {
		struct pair *p = pairs[i];
		int s;

		if (!p)
			continue;
		for (s = 0; s < 2; s++) {
			short ev = 0;

			if (!p->eof[s] && p->len[s] < BUF)
				ev |= POLLIN; /* room to read fd[s] into buf[s] */
			if (p->len[!s])
				ev |= POLLOUT; /* buf[!s] goes out on fd[s] */
			pfds[n++] = (struct pollfd){.fd = p->fd[s], .events = ev};
		}
	}
	return n;
}

/* Move what can move on pair i; false once the pair is finished. */
static bool pump(struct pair *p, const struct pollfd *pf)
{
	int s;

	for (s = 0; s < 2; s++) {
		if ((pf[s].revents & (POLLIN | POLLHUP | POLLERR)) && !p->eof[s] && p->len[s] < BUF) {
			ssize_t r = read(p->fd[s], p->buf[s] + p->len[s], BUF - p->len[s]);

			if (r > 0)
				p->len[s] += (size_t)r;
			else if (r == 0 || (errno != EAGAIN && errno != EINTR))
				p->eof[s] = true;
		}
	}
	for (s = 0; s < 2; s++) {
		if (p->len[s]) { /* buf[s] goes to fd[!s] */
			ssize_t w = write(p->fd[!s], p->buf[s], p->len[s]);

			if (w > 0) {
				memmove(p->buf[s], p->buf[s] + w, p->len[s] - (size_t)w);
				p->len[s] -= (size_t)w;
			} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				if (p->x11)
					agent_log("X11 relay: write: %s", strerror(errno));
				return false; /* the other side is gone */
			}
		}
		if (p->eof[s] && !p->len[s] && !p->shut[s]) {
			shutdown(p->fd[!s], SHUT_WR);
			p->shut[s] = true;
		}
	}
	return !(p->shut[0] && p->shut[1]);
}

void agent_relay_run(const struct pollfd *pfds, int n)
{
	int i, k = 0;

	for (i = 0; i < nlisteners && k < n; i++) {
		if (listeners[i].fd < 0)
			continue;
		if (pfds[k].fd == listeners[i].fd && (pfds[k].revents & POLLIN))
			accept_one(&listeners[i]);
		k++;
	}
	for (i = 0; i < MAX_PAIRS && k + 2 <= n; i++) {
		struct pair *p = pairs[i];

		if (!p)
			continue;
		if (pfds[k].fd != p->fd[0]) /* a pair born in accept_one above */
			continue;
		if (!pump(p, pfds + k))
			pair_free(i);
		k += 2;
	}
}
