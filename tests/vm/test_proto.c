/* SPDX-License-Identifier: MIT */
/* Unit tests of the VM control protocol: framing, limits, garbage, EXEC payloads. */
#include <criterion/criterion.h>
#include <string.h>

#include "abi/linux_errno.h"
#include "vm/proto.h"

static size_t put_frame(uint8_t *out, uint8_t type, uint32_t sid, const char *payload)
{
	size_t n = strlen(payload);

	vm_proto_put_hdr(out, type, sid, (uint32_t)n);
	memcpy(out + VM_PROTO_HDR, payload, n);
	return VM_PROTO_HDR + n;
}

Test(proto, header_round_trip)
{
	uint8_t b[VM_PROTO_HDR];
	struct vm_frame_hdr h;

	vm_proto_put_hdr(b, VM_MSG_STDOUT, 0xdeadbeef, 1234);
	cr_assert_eq(b[0], 'L');
	cr_assert_eq(b[1], 'X');
	cr_assert_eq(vm_proto_get_hdr(b, sizeof(b), &h), 1);
	cr_assert_eq(h.type, VM_MSG_STDOUT);
	cr_assert_eq(h.session, 0xdeadbeef);
	cr_assert_eq(h.len, 1234);
	cr_assert_eq(vm_proto_get_hdr(b, 5, &h), 0, "a partial header waits for more bytes");
}

Test(proto, rejects_bad_headers)
{
	uint8_t b[VM_PROTO_HDR];
	struct vm_frame_hdr h;

	vm_proto_put_hdr(b, VM_MSG_STDIN, 1, VM_PROTO_MAX + 1);
	cr_assert_eq(vm_proto_get_hdr(b, sizeof(b), &h), -LINUX_EPROTO, "length over the limit");
	vm_proto_put_hdr(b, VM_MSG_STDIN, 1, 10);
	b[2] = 2;
	cr_assert_eq(vm_proto_get_hdr(b, sizeof(b), &h), -LINUX_EPROTO, "unknown version");
	vm_proto_put_hdr(b, VM_MSG_STDIN, 1, 10);
	b[8] ^= 1; /* the length no longer matches the check */
	cr_assert_eq(vm_proto_get_hdr(b, sizeof(b), &h), -LINUX_EPROTO, "header check");
	vm_proto_put_hdr(b, VM_MSG_STDIN, 1, 10);
	b[3] = 200;
	cr_assert_eq(vm_proto_get_hdr(b, 4, &h), -LINUX_EPROTO, "unknown type, seen early");
	b[0] = 'Q';
	cr_assert_eq(vm_proto_get_hdr(b, 1, &h), -LINUX_EPROTO, "bad magic, seen at once");
}

Test(proto, garbage_is_skipped_and_counted)
{
	uint8_t wire[4096];
	struct vm_buf b = {0};
	struct vm_frame_hdr h;
	uint8_t *payload;
	size_t n = 0, dropped = 0;
	int frames = 0;

	memcpy(wire, "LXjunkL", 7); /* includes bytes that look like the start of a magic */
	n = 7;
	n += put_frame(wire + n, VM_MSG_STDOUT, 3, "hello");
	memcpy(wire + n, "\x58\x4c\x01", 3);
	n += 3;
	n += put_frame(wire + n, VM_MSG_EXIT, 3, "12345678");
	/* fed one byte at a time, as a slow channel would */
	for (size_t i = 0; i < n; i++) {
		vm_buf_append(&b, wire + i, 1);
		while (vm_buf_frame(&b, &h, &payload, &dropped) == 1) {
			if (frames == 0) {
				cr_assert_eq(h.type, VM_MSG_STDOUT);
				cr_assert(!memcmp(payload, "hello", 5));
			} else {
				cr_assert_eq(h.type, VM_MSG_EXIT);
				cr_assert_eq(h.len, 8);
			}
			frames++;
			vm_buf_consume(&b, VM_PROTO_HDR + h.len);
		}
	}
	cr_assert_eq(frames, 2);
	cr_assert_eq(dropped, 10, "7 + 3 garbage bytes, got %zu", dropped);
	vm_buf_free(&b);
}

Test(proto, exec_round_trip)
{
	char *argv[] = {"grep", "-n", "", "a b", NULL};
	char *env[] = {"A=1", "PATH=/bin", NULL};
	struct vm_exec_req req = {.flags = VM_EXEC_PTY,
				  .share = VM_SHARE_VIRTIOFS,
				  .rows = 40,
				  .cols = 132,
				  .argc = 4,
				  .envc = 2,
				  .stdin_off = 1ull << 40};
	struct vm_exec_msg m;
	uint8_t *p;
	long n = vm_exec_encode(&req, "/tmp/x", "/in", argv, env, &p);

	cr_assert_gt(n, 0);
	cr_assert_eq(vm_exec_decode(p, (size_t)n, &m), 0);
	cr_assert_eq(m.req.flags, VM_EXEC_PTY);
	cr_assert_eq(m.req.share, VM_SHARE_VIRTIOFS);
	cr_assert_eq(m.req.rows, 40);
	cr_assert_eq(m.req.cols, 132);
	cr_assert_eq(m.req.stdin_off, 1ull << 40);
	cr_assert_str_eq(m.cwd, "/tmp/x");
	cr_assert_str_eq(m.stdin_path, "/in");
	for (int i = 0; i < 4; i++)
		cr_assert_str_eq(m.argv[i], argv[i]);
	cr_assert_null(m.argv[4]);
	cr_assert_str_eq(m.env[1], "PATH=/bin");
	cr_assert_null(m.env[2]);
	free(m.argv);
	free(m.env);
	/* every truncation of a valid payload is rejected, never read past */
	for (long cut = 0; cut < n; cut++)
		cr_assert_eq(vm_exec_decode(p, (size_t)cut, &m), -LINUX_EPROTO, "cut at %ld", cut);
	free(p);
}

Test(proto, exec_rejects_absurd_counts)
{
	uint8_t p[64] = {0};
	struct vm_exec_msg m;

	vm_put32(p + 12, 1000000); /* argc far beyond what the payload can hold */
	cr_assert_eq(vm_exec_decode(p, sizeof(p), &m), -LINUX_EPROTO);
	vm_put32(p + 12, 0); /* no program */
	cr_assert_eq(vm_exec_decode(p, sizeof(p), &m), -LINUX_EPROTO);
}

Test(proto, exec_too_big)
{
	static char big[VM_PROTO_MAX];
	char *argv[] = {big, NULL};
	char *env[] = {NULL};
	struct vm_exec_req req = {.argc = 1};
	uint8_t *p;

	memset(big, 'a', sizeof(big) - 1);
	cr_assert_eq(vm_exec_encode(&req, "/", "", argv, env, &p), -LINUX_E2BIG);
}
