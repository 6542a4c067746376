/* SPDX-License-Identifier: MIT */
/* The framed protocol spoken on the VM control channel (host <-> agent) and the service socket. */
#ifndef LXRUN_VM_PROTO_H
#define LXRUN_VM_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every frame is a 16-byte little-endian header followed by `len` payload bytes:
 *   u16 magic ('L','X'), u8 version, u8 type, u32 session, u32 len, u32 check,
 * where check is a hash of the first 12 bytes, so that random bytes are almost never taken
 * for a header (a false length would swallow the frames behind it).
 * Session 0 is the channel itself (hello, ping, protocol errors); each exec gets its own id.
 * A receiver that sees a bad magic, version, type or length drops one byte and hunts for the
 * next magic, so garbage on the wire costs bytes, never the connection.
 */
#define VM_PROTO_MAGIC	 0x584cu /* "LX" on the wire */
#define VM_PROTO_VERSION 1
#define VM_PROTO_HDR	 16
#define VM_PROTO_MAX	 (4u << 20)	/* payload limit: an EXEC carries up to ARG_MAX */
#define VM_PROTO_CHUNK	 32768u		/* stream data per frame */
#define VM_PROTO_WINDOW	 (256u * 1024u) /* unacknowledged stream bytes per direction */

enum vm_msg {
	VM_MSG_HELLO = 1, /* both: key=value lines; agent sends it once it is ready */
	VM_MSG_PING = 2,  /* host -> agent (any session id); answered by PONG */
	VM_MSG_PONG = 3,
	VM_MSG_EXEC = 4,      /* host -> agent: start a session, see vm_exec_req */
	VM_MSG_STDIN = 5,     /* host -> agent: data; empty = end of file */
	VM_MSG_STDOUT = 6,    /* agent -> host: data */
	VM_MSG_STDERR = 7,    /* agent -> host: data */
	VM_MSG_ACK = 8,	      /* consumer -> producer: u32 stream, u32 bytes consumed */
	VM_MSG_SIGNAL = 9,    /* host -> agent: u32 signal number, sent to the session's group */
	VM_MSG_WINSIZE = 10,  /* host -> agent: u16 rows, u16 cols */
	VM_MSG_CLOSE = 11,    /* host -> agent: u32 stream the host can no longer take (EPIPE) */
	VM_MSG_EXIT = 12,     /* agent -> host: u32 kind (0 exited, 1 signaled), u32 value */
	VM_MSG_ERROR = 13,    /* either: i32 negative errno, then a message */
	VM_MSG_POWEROFF = 14, /* host -> agent: sync and power off */
	VM_MSG_PORTS = 15,    /* agent -> host, session 0: u16 ports (LE), every TCP port that
			       * listens reachably from the host now; sent when the set changes */
	VM_MSG_X11 = 16,      /* host -> agent, session 0: u16 port (LE) of the host's X11 relay
			       * (10.0.2.2:port in the guest), 16 bytes of token that each relay
			       * connection starts with, then one byte per host display */
	VM_MSG_HOSTEXEC = 17, /* agent -> host, host session (VM_HOST_SID bit): run a program
			       * on the host (lxrun-host, vm/interop.c); payload: u32 session of
			       * the guest command it runs under (0: none), then an EXEC payload
			       * whose cwd is the host directory ("" when not under a share).
			       * On a host session the directions turn round: STDIN, SIGNAL and
			       * CLOSE go agent -> host, STDOUT, STDERR, EXIT and ERROR host ->
			       * agent, ACK both ways */
	VM_MSG_UDP_PORTS = 18, /* agent -> host, session 0: u16 ports (LE), the UDP servers as
				* VM_MSG_PORTS lists the TCP listeners */
	/* between lxrun clients and the VM service only; never reach the agent */
	VM_MSG_STATUS = 20, /* client asks, service answers with key=value lines */
	VM_MSG_STOP = 21,   /* client asks the service to stop the VM */
	VM_MSG_INJECT = 22, /* fault tests: the service writes the payload raw onto the channel
			     * (only when it was started with LXRUN_VM_FAULTS=1) */
	VM_MSG_MAX = 22,
};

/* Session ids the agent picks for host sessions have this bit; the service's own never do. */
#define VM_HOST_SID 0x80000000u

enum vm_stream { VM_STREAM_STDIN = 0, VM_STREAM_STDOUT = 1, VM_STREAM_STDERR = 2 };

/* EXEC flags */
#define VM_EXEC_PTY	 0x1u /* run on a pseudo-terminal (stdin was a terminal on the host) */
#define VM_EXEC_BIND_CWD 0x2u /* make cwd the host's directory, read-write, from `share` */
#define VM_EXEC_STDIN_FILE                                                                         \
	0x4u /* stdin is the host file stdin_path (read through the share                          \
	      * from stdin_off), so programs see a regular file as natively */

enum vm_share { VM_SHARE_9P = 0, VM_SHARE_VIRTIOFS = 1 };

struct vm_frame_hdr {
	uint8_t type;
	uint32_t session;
	uint32_t len;
};

/* Fixed part of an EXEC payload; then NUL-terminated strings: cwd, stdin_path, argv[argc],
 * env[envc]. */
struct vm_exec_req {
	uint32_t flags;
	uint32_t share;
	uint16_t rows, cols;
	uint32_t argc, envc;
	uint64_t stdin_off;
};
#define VM_EXEC_FIXED 28

/* A decoded EXEC: pointers into the payload buffer, which must outlive it. */
struct vm_exec_msg {
	struct vm_exec_req req;
	const char *cwd;
	const char *stdin_path; /* "" unless VM_EXEC_STDIN_FILE */
	const char **argv;	/* argc + 1 entries, NULL-terminated */
	const char **env;	/* envc + 1 entries */
};

void vm_proto_put_hdr(uint8_t *out, uint8_t type, uint32_t session, uint32_t len);

/* Write all n bytes to a blocking or non-blocking fd (EINTR retried, EAGAIN polled);
 * 0 or -errno. */
int vm_write_all(int fd, const void *p, size_t n);
/* One frame of session 0 (header, then n bytes of payload) with vm_write_all. */
int vm_send_frame(int fd, uint8_t type, const void *p, size_t n);
/* 1 when buf starts with a complete valid header (filled in), 0 when more bytes are needed,
 * -LINUX_EPROTO when it is garbage. */
int vm_proto_get_hdr(const uint8_t *buf, size_t n, struct vm_frame_hdr *h);
/* Offset of the next plausible frame start after a bad byte at 0 (n when none is in sight). */
size_t vm_proto_resync(const uint8_t *buf, size_t n);

void vm_put32(uint8_t *p, uint32_t v);
uint32_t vm_get32(const uint8_t *p);

/* Encode an EXEC payload into a malloc'd buffer; returns its length or a negative errno. */
long vm_exec_encode(const struct vm_exec_req *req, const char *cwd, const char *stdin_path,
		    char *const *argv, char *const *env, uint8_t **out);
/* Decode and validate; argv/env arrays are malloc'd (free msg->argv and msg->env). */
int vm_exec_decode(const uint8_t *p, size_t n, struct vm_exec_msg *msg);

/* A growable byte buffer used by every reader of the channel. */
struct vm_buf {
	uint8_t *data;
	size_t len, cap;
};
int vm_buf_append(struct vm_buf *b, const void *p, size_t n);
void vm_buf_consume(struct vm_buf *b, size_t n);
void vm_buf_free(struct vm_buf *b);

/* Take the next complete frame off the front of `b` (1: *h and *payload set, valid until the
 * next call that changes b; 0: need more bytes). Garbage is skipped and counted in *dropped. */
int vm_buf_frame(struct vm_buf *b, struct vm_frame_hdr *h, uint8_t **payload, size_t *dropped);

#endif
