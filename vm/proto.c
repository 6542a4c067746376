/* SPDX-License-Identifier: MIT */
/* Frame encoding, validation and resynchronisation for the VM control protocol. */
#include "vm/proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/linux_errno.h"

void vm_put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

uint32_t vm_get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t hdr_check(const uint8_t *p)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 12; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

void vm_proto_put_hdr(uint8_t *out, uint8_t type, uint32_t session, uint32_t len)
{
	out[0] = VM_PROTO_MAGIC & 0xff;
	out[1] = VM_PROTO_MAGIC >> 8;
	out[2] = VM_PROTO_VERSION;
	out[3] = type;
	vm_put32(out + 4, session);
	vm_put32(out + 8, len);
	vm_put32(out + 12, hdr_check(out));
}

int vm_proto_get_hdr(const uint8_t *buf, size_t n, struct vm_frame_hdr *h)
{
	/* Check what we have so far so garbage is rejected without waiting for 12 bytes. */
	if (n >= 1 && buf[0] != (VM_PROTO_MAGIC & 0xff))
		return -LINUX_EPROTO;
	if (n >= 2 && buf[1] != (VM_PROTO_MAGIC >> 8))
		return -LINUX_EPROTO;
	if (n >= 3 && buf[2] != VM_PROTO_VERSION)
		return -LINUX_EPROTO;
	if (n >= 4 && (buf[3] == 0 || buf[3] > VM_MSG_MAX))
		return -LINUX_EPROTO;
	if (n < VM_PROTO_HDR)
		return 0;
	if (vm_get32(buf + 12) != hdr_check(buf))
		return -LINUX_EPROTO;
	h->type = buf[3];
	h->session = vm_get32(buf + 4);
	h->len = vm_get32(buf + 8);
	if (h->len > VM_PROTO_MAX)
		return -LINUX_EPROTO;
	return 1;
}

size_t vm_proto_resync(const uint8_t *buf, size_t n)
{
	const uint8_t *p;

	if (n <= 1)
		return n;
	p = memchr(buf + 1, VM_PROTO_MAGIC & 0xff, n - 1);
	return p ? (size_t)(p - buf) : n;
}

static int put_str(uint8_t *out, size_t *off, const char *s)
{
	size_t l = strlen(s) + 1;

	memcpy(out + *off, s, l);
	*off += l;
	return 0;
}

long vm_exec_encode(const struct vm_exec_req *req, const char *cwd, const char *stdin_path,
		    char *const *argv, char *const *env, uint8_t **out)
{
	size_t total = VM_EXEC_FIXED + strlen(cwd) + 1 + strlen(stdin_path) + 1, off = 0;
	uint32_t i;
	uint8_t *p;

	for (i = 0; i < req->argc; i++)
		total += strlen(argv[i]) + 1;
	for (i = 0; i < req->envc; i++)
		total += strlen(env[i]) + 1;
	if (total > VM_PROTO_MAX)
		return -LINUX_E2BIG;
	p = malloc(total);
	if (!p)
		return -LINUX_ENOMEM;
	vm_put32(p, req->flags);
	vm_put32(p + 4, req->share);
	p[8] = req->rows;
	p[9] = req->rows >> 8;
	p[10] = req->cols;
	p[11] = req->cols >> 8;
	vm_put32(p + 12, req->argc);
	vm_put32(p + 16, req->envc);
	vm_put32(p + 20, (uint32_t)req->stdin_off);
	vm_put32(p + 24, (uint32_t)(req->stdin_off >> 32));
	off = VM_EXEC_FIXED;
	put_str(p, &off, cwd);
	put_str(p, &off, stdin_path);
	for (i = 0; i < req->argc; i++)
		put_str(p, &off, argv[i]);
	for (i = 0; i < req->envc; i++)
		put_str(p, &off, env[i]);
	*out = p;
	return (long)total;
}

/* Next NUL-terminated string at *off, or NULL when the payload ends first. */
static const char *take_str(const uint8_t *p, size_t n, size_t *off)
{
	const uint8_t *end;
	const char *s;

	if (*off >= n)
		return NULL;
	end = memchr(p + *off, 0, n - *off);
	if (!end)
		return NULL;
	s = (const char *)p + *off;
	*off = (size_t)(end - p) + 1;
	return s;
}

int vm_exec_decode(const uint8_t *p, size_t n, struct vm_exec_msg *msg)
{
	size_t off = VM_EXEC_FIXED;
	uint32_t i;

	memset(msg, 0, sizeof(*msg));
	if (n < VM_EXEC_FIXED)
		return -LINUX_EPROTO;
	msg->req.flags = vm_get32(p);
	msg->req.share = vm_get32(p + 4);
	msg->req.rows = p[8] | p[9] << 8;
	msg->req.cols = p[10] | p[11] << 8;
	msg->req.argc = vm_get32(p + 12);
	msg->req.envc = vm_get32(p + 16);
	msg->req.stdin_off = vm_get32(p + 20) | (uint64_t)vm_get32(p + 24) << 32;
	/* every string takes at least one byte, which bounds the counts by the payload size */
	if (msg->req.argc == 0 || msg->req.argc > n || msg->req.envc > n)
		return -LINUX_EPROTO;
	msg->cwd = take_str(p, n, &off);
	msg->stdin_path = take_str(p, n, &off);
	msg->argv = calloc(msg->req.argc + 1, sizeof(char *));
	msg->env = calloc(msg->req.envc + 1, sizeof(char *));
	if (!msg->argv || !msg->env)
		goto bad;
	for (i = 0; i < msg->req.argc; i++)
		if (!(msg->argv[i] = take_str(p, n, &off)))
			goto bad;
	for (i = 0; i < msg->req.envc; i++)
		if (!(msg->env[i] = take_str(p, n, &off)))
			goto bad;
	if (!msg->cwd || !msg->stdin_path || off != n)
		goto bad;
	return 0;
bad:
	free(msg->argv);
	free(msg->env);
	msg->argv = msg->env = NULL;
	return -LINUX_EPROTO;
}

int vm_buf_append(struct vm_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return -LINUX_ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void vm_buf_consume(struct vm_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void vm_buf_free(struct vm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int vm_buf_frame(struct vm_buf *b, struct vm_frame_hdr *h, uint8_t **payload, size_t *dropped)
{
	for (;;) {
		int r = vm_proto_get_hdr(b->data, b->len, h);

		if (r < 0) {
			size_t skip = vm_proto_resync(b->data, b->len);

			*dropped += skip;
			vm_buf_consume(b, skip);
			continue;
		}
		if (r == 0 || b->len < VM_PROTO_HDR + h->len)
			return 0;
		*payload = b->data + VM_PROTO_HDR;
		return 1;
	}
}

int vm_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = {.fd = fd, .events = POLLOUT};

				poll(&pfd, 1, -1);
				continue;
			}
			return -errno;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int vm_send_frame(int fd, uint8_t type, const void *p, size_t n)
{
	uint8_t hdr[VM_PROTO_HDR];
	int r;

	vm_proto_put_hdr(hdr, type, 0, (uint32_t)n);
	r = vm_write_all(fd, hdr, sizeof(hdr));
	if (!r && n)
		r = vm_write_all(fd, p, n);
	return r;
}
