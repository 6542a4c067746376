/* SPDX-License-Identifier: MIT */
/* The host end of X11 forwarding: a TCP listener on 127.0.0.1 that the guest reaches as
 * 10.0.2.2 through QEMU's user-mode network. The agent's relay first sends a random token that
 * the service handed it over the control channel (any local user can connect to 127.0.0.1, and
 * the X server would see this root process as the client) and the display number; the rest
 * of the connection is piped to the host's /tmp/.X11-unix/XN. */
#include "vm/x11relay.h"

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HIGH_WATER (1u << 20) /* bytes queued towards one side before reading the other stops */

static void (*xlog)(const char *fmt, ...);

struct xconn {
	uv_tcp_t tcp;	/* the guest side */
	uv_pipe_t pipe; /* the X server's socket */
	uv_connect_t creq;
	bool have_display, connected;
	bool eof[2]; /* 0: the guest side ended, 1: the X server side ended */
	int open;    /* handles not yet closed */
	char *pending; /* bytes from the guest before the X server connection is up */
	size_t npending;
	const uint8_t *token; /* what the agent must send first */
};

/* The handles' data pointers stay NULL (the service's close-all walk reads them as its own),
 * so a connection is found from its handle's place in struct xconn. */
#define XC_OF_TCP(h)  ((struct xconn *)((char *)(h) - offsetof(struct xconn, tcp)))
#define XC_OF_PIPE(h) ((struct xconn *)((char *)(h) - offsetof(struct xconn, pipe)))
#define XC_OF(h)                                                                                   \
	((h)->type == UV_TCP ? XC_OF_TCP(h) : XC_OF_PIPE(h))

struct xwrite {
	uv_write_t req;
	struct xconn *c;
	uv_stream_t *src; /* whose reading may resume once this is written */
	char data[];
};

static void on_handle_closed(uv_handle_t *h)
{
	struct xconn *c = XC_OF(h);

	if (--c->open == 0) {
		free(c->pending);
		free(c);
	}
}

static void xconn_close(struct xconn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	if (c->open == 2 && !uv_is_closing((uv_handle_t *)&c->pipe))
		uv_close((uv_handle_t *)&c->pipe, on_handle_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	buf->base = malloc(65536);
	buf->len = buf->base ? 65536 : 0;
}

static void on_read_tcp(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void on_read_pipe(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

static void on_written(uv_write_t *w, int status)
{
	struct xwrite *x = (struct xwrite *)w;
	struct xconn *c = x->c;

	if (status < 0) {
		xconn_close(c);
	} else if (uv_stream_get_write_queue_size(w->handle) < HIGH_WATER &&
		   !uv_is_closing((uv_handle_t *)x->src) && !c->eof[x->src == (uv_stream_t *)&c->pipe]) {
		uv_read_start(x->src, on_alloc,
			      x->src == (uv_stream_t *)&c->tcp ? on_read_tcp : on_read_pipe);
	}
	free(x);
}

/* Queue n bytes from src onto dst; stop reading src while dst lags. */
static void relay(struct xconn *c, uv_stream_t *src, uv_stream_t *dst, const char *p, size_t n)
{
	struct xwrite *x = malloc(sizeof(*x) + n);
	uv_buf_t b;

	if (!x) {
		xconn_close(c);
		return;
	}
	x->c = c;
	x->src = src;
	memcpy(x->data, p, n);
	b = uv_buf_init(x->data, (unsigned int)n);
	if (uv_write(&x->req, dst, &b, 1, on_written) < 0) {
		free(x);
		xconn_close(c);
		return;
	}
	if (uv_stream_get_write_queue_size(dst) >= HIGH_WATER)
		uv_read_stop(src);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	free(req);
}

/* Side `side` ended: pass the end of file on; close once both ended. */
static void side_eof(struct xconn *c, int side)
{
	uv_shutdown_t *req = malloc(sizeof(*req));
	uv_stream_t *other = side ? (uv_stream_t *)&c->tcp : (uv_stream_t *)&c->pipe;

	c->eof[side] = true;
	uv_read_stop(side ? (uv_stream_t *)&c->pipe : (uv_stream_t *)&c->tcp);
	if (c->eof[0] && c->eof[1]) {
		free(req);
		xconn_close(c);
		return;
	}
	if (!req || uv_shutdown(req, other, on_shutdown) < 0) {
		free(req);
		xconn_close(c);
	}
}

static void on_read_pipe(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct xconn *c = XC_OF_PIPE(s);

	if (n > 0)
		relay(c, s, (uv_stream_t *)&c->tcp, buf->base, (size_t)n);
	else if (n == UV_EOF)
		side_eof(c, 1);
	else if (n < 0)
		xconn_close(c);
	free(buf->base);
}

static void on_x_connected(uv_connect_t *req, int status)
{
	struct xconn *c = req->data;

	if (status < 0 || uv_is_closing((uv_handle_t *)&c->tcp)) {
		if (status < 0 && xlog)
			xlog("X11 relay: cannot connect to the display: %s", uv_strerror(status));
		xconn_close(c);
		return;
	}
	c->connected = true;
	if (c->npending)
		relay(c, (uv_stream_t *)&c->tcp, (uv_stream_t *)&c->pipe, c->pending, c->npending);
	free(c->pending);
	c->pending = NULL;
	c->npending = 0;
	if (c->eof[0])
		side_eof(c, 0);
	else
		uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read_tcp);
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read_pipe);
}

static void on_read_tcp(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct xconn *c = XC_OF_TCP(s);
	char *q;

	if (n == 0) { /* nothing read (EAGAIN) */
		free(buf->base);
		return;
	}
	if (n < 0) {
		if (n == UV_EOF && c->connected)
			side_eof(c, 0);
		else {
			if (xlog)
				xlog("X11 relay: the guest side ended early: %s", uv_strerror((int)n));
			xconn_close(c);
		}
		free(buf->base);
		return;
	}
	if (c->connected) {
		if (n > 0)
			relay(c, s, (uv_stream_t *)&c->pipe, buf->base, (size_t)n);
		free(buf->base);
		return;
	}
	/* the preamble: the token, then the display number; anything after it waits */
	q = realloc(c->pending, c->npending + (size_t)n);
	if (!q) {
		xconn_close(c);
		free(buf->base);
		return;
	}
	memcpy(q + c->npending, buf->base, (size_t)n);
	c->pending = q;
	c->npending += (size_t)n;
	free(buf->base);
	if (!c->have_display && c->npending >= VM_X11_TOKEN + 1) {
		unsigned char diff = 0;
		char path[64];
		size_t i;

		for (i = 0; i < VM_X11_TOKEN; i++)
			diff |= (unsigned char)(c->pending[i] ^ c->token[i]);
		if (diff) { /* not our agent: some other local program */
			if (xlog)
				xlog("X11 relay: a connection without the token was closed");
			xconn_close(c);
			return;
		}
		c->have_display = true;
		snprintf(path, sizeof(path), "/tmp/.X11-unix/X%u",
			 (unsigned char)c->pending[VM_X11_TOKEN]);
		c->npending -= VM_X11_TOKEN + 1;
		memmove(c->pending, c->pending + VM_X11_TOKEN + 1, c->npending);
		uv_pipe_init(s->loop, &c->pipe, 0);
		c->open = 2;
		c->creq.data = c;
		uv_pipe_connect(&c->creq, &c->pipe, path, on_x_connected);
		uv_read_stop(s); /* until the X server answers */
	} else if (c->npending > 4096) {
		xconn_close(c);
	}
}

static void on_connection(uv_stream_t *server, int status)
{
	struct xconn *c;

	if (status < 0 || !(c = calloc(1, sizeof(*c))))
		return;
	uv_tcp_init(server->loop, &c->tcp);
	c->open = 1;
	c->token = server->data;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
		xconn_close(c);
		return;
	}
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read_tcp);
}

int vm_x11_listen(uv_loop_t *loop, uv_tcp_t *server, uint16_t *port, const uint8_t *token,
		  void (*log)(const char *fmt, ...))
{
	struct sockaddr_storage ss;
	struct sockaddr_in sa;
	int len = sizeof(ss), r;

	xlog = log;
	uv_ip4_addr("127.0.0.1", 0, &sa);
	r = uv_tcp_init(loop, server);
	server->data = (void *)token; /* read by on_connection only */
	if (!r)
		r = uv_tcp_bind(server, (const struct sockaddr *)&sa, 0);
	if (!r)
		r = uv_listen((uv_stream_t *)server, 16, on_connection);
	if (!r)
		r = uv_tcp_getsockname(server, (struct sockaddr *)&ss, &len);
	if (r < 0)
		return r;
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int vm_x11_displays(uint8_t *out, int max)
{
	DIR *d = opendir("/tmp/.X11-unix");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max) {
		char *end, path[300];
		unsigned long v;
		struct stat st;

		if (e->d_name[0] != 'X' || !e->d_name[1])
			continue;
		v = strtoul(e->d_name + 1, &end, 10);
		snprintf(path, sizeof(path), "/tmp/.X11-unix/%s", e->d_name);
		if (*end || v > 255 || stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		out[n++] = (uint8_t)v;
	}
	if (d)
		closedir(d);
	return n;
}
