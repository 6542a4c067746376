/* SPDX-License-Identifier: MIT */
/* The host's ::1 side of localhost forwarding. QEMU's hostfwd listens on 127.0.0.1 only (7.2
 * refuses IPv6 host addresses), so for every forwarded port the service also listens on
 * [::1]:P and relays to 127.0.0.1:P: TCP connection by connection, UDP datagram by datagram
 * with one IPv4 socket per host peer (its replies go back to that peer). The handles' data
 * pointers stay NULL (the service's close-all walk reads them as its own): a relay is found
 * from its handle by address. */
#include "vm/fwd6.h"

#include <stdlib.h>
#include <string.h>

#define HIGH_WATER (1u << 20) /* bytes queued towards one side before reading the other stops */
#define MAX_PEERS  32	      /* UDP peers per port; the least recently used one goes first */

struct tconn {
	uv_tcp_t side[2]; /* 0: the host client on ::1, 1: the connection to 127.0.0.1:P */
	uv_connect_t creq;
	bool eof[2], connected;
	int open;
	struct tconn *next;
};

struct peer {
	uv_udp_t sock; /* bound to 127.0.0.1, connected to 127.0.0.1:P */
	struct sockaddr_in6 addr;
	uint64_t used;
	bool live, closing;
};

struct fwd {
	uint16_t port;
	bool udp;
	union {
		uv_tcp_t tcp;
		uv_udp_t udp;
	} l;
	struct peer peers[MAX_PEERS];
	int closing;  /* handles of this forward whose close has not completed */
	bool removed; /* free it once they all have */
	struct fwd *next;
};

static struct {
	uv_loop_t *loop;
	void (*log)(const char *fmt, ...);
	struct fwd *fwds;
	struct tconn *conns;
	uint64_t tick;
} f6;

void vm_fwd6_init(uv_loop_t *loop, void (*log)(const char *fmt, ...))
{
	f6.loop = loop;
	f6.log = log;
}

/* ---- TCP ---- */

static struct tconn *conn_of(const uv_handle_t *h, int *side)
{
	struct tconn *c;

	for (c = f6.conns; c; c = c->next)
		for (int i = 0; i < 2; i++)
			if ((const uv_handle_t *)&c->side[i] == h) {
				*side = i;
				return c;
			}
	return NULL;
}

static void on_conn_closed(uv_handle_t *h)
{
	int side;
	struct tconn *c = conn_of(h, &side), **pp;

	if (!c || --c->open > 0)
		return;
	for (pp = &f6.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c);
}

static void conn_close(struct tconn *c)
{
	for (int i = 0; i < 2; i++)
		if (!uv_is_closing((uv_handle_t *)&c->side[i]))
			uv_close((uv_handle_t *)&c->side[i], on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	buf->base = malloc(65536);
	buf->len = buf->base ? 65536 : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

struct twrite {
	uv_write_t req;
	uv_stream_t *src;
	char data[];
};

static void on_written(uv_write_t *w, int status)
{
	struct twrite *x = (struct twrite *)w;
	int side;
	struct tconn *c = conn_of((uv_handle_t *)x->src, &side);

	if (c && status < 0)
		conn_close(c);
	else if (c && !c->eof[side] && !uv_is_closing((uv_handle_t *)x->src) &&
		 uv_stream_get_write_queue_size(w->handle) < HIGH_WATER)
		uv_read_start(x->src, on_alloc, on_read);
	free(x);
}

static void on_shut(uv_shutdown_t *r, int status)
{
	free(r);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	int side;
	struct tconn *c = conn_of((uv_handle_t *)s, &side);
	uv_stream_t *dst;

	if (!c) {
		free(buf->base);
		return;
	}
	dst = (uv_stream_t *)&c->side[!side];
	if (n > 0) {
		struct twrite *x = malloc(sizeof(*x) + (size_t)n);
		uv_buf_t b;

		if (!x) {
			conn_close(c);
		} else {
			x->src = s;
			memcpy(x->data, buf->base, (size_t)n);
			b = uv_buf_init(x->data, (unsigned int)n);
			if (uv_write(&x->req, dst, &b, 1, on_written) < 0) {
				free(x);
				conn_close(c);
			} else if (uv_stream_get_write_queue_size(dst) >= HIGH_WATER) {
				uv_read_stop(s);
			}
		}
	} else if (n < 0) {
		uv_shutdown_t *r = malloc(sizeof(*r));

		c->eof[side] = true;
		uv_read_stop(s);
		if (n != UV_EOF || c->eof[!side] || !r || uv_shutdown(r, dst, on_shut) < 0) {
			free(r);
			conn_close(c);
		}
	}
	free(buf->base);
}

static void on_connected(uv_connect_t *req, int status)
{
	struct tconn *c = req->data;

	if (status < 0) {
		conn_close(c);
		return;
	}
	c->connected = true;
	uv_read_start((uv_stream_t *)&c->side[0], on_alloc, on_read);
	uv_read_start((uv_stream_t *)&c->side[1], on_alloc, on_read);
}

static struct fwd *fwd_of_tcp(const uv_stream_t *s)
{
	struct fwd *f;

	for (f = f6.fwds; f; f = f->next)
		if (!f->udp && (const uv_stream_t *)&f->l.tcp == s)
			return f;
	return NULL;
}

static void on_connection(uv_stream_t *server, int status)
{
	struct fwd *f = fwd_of_tcp(server);
	struct sockaddr_in sa;
	struct tconn *c;

	if (status < 0 || !f || !(c = calloc(1, sizeof(*c))))
		return;
	c->next = f6.conns;
	f6.conns = c;
	uv_tcp_init(f6.loop, &c->side[0]);
	uv_tcp_init(f6.loop, &c->side[1]);
	c->open = 2;
	if (uv_accept(server, (uv_stream_t *)&c->side[0]) < 0) {
		conn_close(c);
		return;
	}
	uv_ip4_addr("127.0.0.1", f->port, &sa);
	c->creq.data = c;
	if (uv_tcp_connect(&c->creq, &c->side[1], (const struct sockaddr *)&sa, on_connected) < 0)
		conn_close(c);
}

/* ---- UDP ---- */

static struct peer *peer_of(const uv_udp_t *h, struct fwd **fp)
{
	struct fwd *f;

	for (f = f6.fwds; f; f = f->next)
		for (int i = 0; f->udp && i < MAX_PEERS; i++)
			if (f->peers[i].live && &f->peers[i].sock == h) {
				*fp = f;
				return &f->peers[i];
			}
	return NULL;
}

static void on_udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char space[65536];

	*buf = uv_buf_init(space, sizeof(space));
}

/* A reply from the guest (through QEMU's forward): back to the peer on ::1. */
static void on_peer_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf,
			 const struct sockaddr *from, unsigned flags)
{
	struct fwd *f;
	struct peer *p = peer_of(h, &f);
	uv_buf_t b;

	if (!p || n <= 0)
		return;
	p->used = ++f6.tick;
	b = uv_buf_init(buf->base, (unsigned int)n);
	uv_udp_try_send(&f->l.udp, &b, 1, (const struct sockaddr *)&p->addr);
}

static struct fwd *fwd_of_udp(const uv_udp_t *h)
{
	struct fwd *f;

	for (f = f6.fwds; f; f = f->next)
		if (f->udp && &f->l.udp == h)
			return f;
	return NULL;
}

/* Every handle of a forward closes through here; libuv runs close callbacks in any order, so
 * the forward is freed only after the last of its handles. */
static void on_closed(uv_handle_t *h)
{
	struct fwd **pp, *f;

	for (pp = &f6.fwds; (f = *pp); pp = &f->next) {
		bool mine = h == (uv_handle_t *)&f->l;

		for (int i = 0; !mine && f->udp && i < MAX_PEERS; i++)
			if (h == (uv_handle_t *)&f->peers[i].sock) {
				mine = true;
				f->peers[i].closing = false;
			}
		if (!mine)
			continue;
		if (--f->closing == 0 && f->removed) {
			*pp = f->next;
			free(f);
		}
		return;
	}
}

static void peer_close(struct fwd *f, struct peer *p)
{
	p->live = false;
	p->closing = true;
	f->closing++;
	uv_close((uv_handle_t *)&p->sock, on_closed);
}

static void fwd_close(struct fwd *f)
{
	for (int i = 0; f->udp && i < MAX_PEERS; i++)
		if (f->peers[i].live)
			peer_close(f, &f->peers[i]);
	f->removed = true;
	f->closing++;
	uv_close((uv_handle_t *)&f->l, on_closed);
}

static struct peer *peer_get(struct fwd *f, const struct sockaddr_in6 *from)
{
	struct sockaddr_in lo, to;
	struct peer *p = NULL, *old = &f->peers[0];

	for (int i = 0; i < MAX_PEERS; i++) {
		struct peer *q = &f->peers[i];

		if (q->live && !memcmp(&q->addr.sin6_addr, &from->sin6_addr, 16) &&
		    q->addr.sin6_port == from->sin6_port)
			return q;
		if (!q->live && !q->closing && !p)
			p = q;
		if (q->live && (!old->live || q->used < old->used))
			old = q;
	}
	if (!p) { /* all taken: the least recently used goes */
		if (old->live)
			peer_close(f, old);
		return NULL; /* its slot is free once closed; this datagram is dropped */
	}
	uv_ip4_addr("127.0.0.1", 0, &lo);
	uv_ip4_addr("127.0.0.1", f->port, &to);
	if (uv_udp_init(f6.loop, &p->sock) < 0)
		return NULL;
	if (uv_udp_bind(&p->sock, (const struct sockaddr *)&lo, 0) < 0 ||
	    uv_udp_connect(&p->sock, (const struct sockaddr *)&to) < 0) {
		peer_close(f, p);
		return NULL;
	}
	p->addr = *from;
	p->live = true;
	uv_udp_recv_start(&p->sock, on_udp_alloc, on_peer_recv);
	return p;
}

/* A datagram from a host program on ::1: on to the guest through 127.0.0.1:P. */
static void on_recv6(uv_udp_t *h, ssize_t n, const uv_buf_t *buf, const struct sockaddr *from,
		     unsigned flags)
{
	struct fwd *f = fwd_of_udp(h);
	struct peer *p;
	uv_buf_t b;

	if (!f || n < 0 || !from || from->sa_family != AF_INET6)
		return;
	p = peer_get(f, (const struct sockaddr_in6 *)from);
	if (!p)
		return;
	p->used = ++f6.tick;
	b = uv_buf_init(buf->base, (unsigned int)n);
	uv_udp_try_send(&p->sock, &b, 1, NULL);
}

/* ---- the set of forwards ---- */

int vm_fwd6_add(uint16_t port, bool udp)
{
	struct fwd *f = calloc(1, sizeof(*f));
	struct sockaddr_in6 sa;
	int r;

	if (!f)
		return UV_ENOMEM;
	f->port = port;
	f->udp = udp;
	uv_ip6_addr("::1", port, &sa);
	if (udp) {
		r = uv_udp_init(f6.loop, &f->l.udp);
		if (!r)
			r = uv_udp_bind(&f->l.udp, (const struct sockaddr *)&sa, UV_UDP_IPV6ONLY);
		if (!r)
			r = uv_udp_recv_start(&f->l.udp, on_udp_alloc, on_recv6);
	} else {
		r = uv_tcp_init(f6.loop, &f->l.tcp);
		if (!r)
			r = uv_tcp_bind(&f->l.tcp, (const struct sockaddr *)&sa, UV_TCP_IPV6ONLY);
		if (!r)
			r = uv_listen((uv_stream_t *)&f->l.tcp, 64, on_connection);
	}
	f->next = f6.fwds;
	f6.fwds = f;
	if (r < 0) {
		if (f6.log)
			f6.log("port %u/%s: not on the host's ::1: %s", port, udp ? "udp" : "tcp",
			       uv_strerror(r));
		fwd_close(f);
	}
	return r;
}

void vm_fwd6_remove(uint16_t port, bool udp)
{
	struct fwd *f;

	for (f = f6.fwds; f; f = f->next) {
		if (f->port != port || f->udp != udp || f->removed)
			continue;
		fwd_close(f);
		return;
	}
}
