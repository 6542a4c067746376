/* SPDX-License-Identifier: MIT */
/* harness: strace-format syscall traces parsed, normalised and lined up, for lxrun diff. */
#ifndef LXRUN_HARNESS_TRACE_H
#define LXRUN_HARNESS_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#define TRACE_MAX_ARGS 8

/* One call. Arguments and result are normalised (see trace_normalise_arg). */
struct trace_call {
	char *line;  /* as printed, without the pid column */
	unsigned lineno;
	char *name;
	char *args[TRACE_MAX_ARGS];
	int nargs;
	char *result; /* "3", "-1 ENOENT", "ADDR", "PID", "?" (no return), "" (unfinished) */
};

struct trace {
	struct trace_call *c;
	size_t n, cap;
};

/* Parse strace -f (leading pid column) or lxrun --trace text. Lines that are not calls
 * ("lxrun: ...", "--- SIGCHLD", "+++ exited", "<... resumed>") are dropped. -ENOMEM. */
int trace_parse(struct trace *t, const char *text);
void trace_free(struct trace *t);

/* The normal form of one argument or result, into out: pointers, addresses and decoded
 * structures or arrays become PTR (lxrun prints a pointer where strace decodes the memory),
 * pids (from the trace's pid-returning calls) PID, strings re-escaped one way, symbolic flags
 * kept; (comments) and C comments dropped. */
void trace_normalise_arg(const char *in, char *out, size_t len);

/* Whether two normalised arguments agree: equal, or either is PTR, or one side is symbolic
 * (O_RDONLY, R_OK) where the other is the number (lxrun prints some flags as numbers). */
bool trace_arg_eq(const char *a, const char *b);
bool trace_call_eq(const struct trace_call *a, const struct trace_call *b);

/* Line a and b up: equal calls advance both; a call present on one side only (execve, ld.so's
 * start-up, a retried call) is skipped when the other side finds its match within `window`
 * calls. Stops at the first pair of calls to the same syscall that differ in arguments or
 * result, or at two calls that never line up. */
struct trace_diff {
	bool differs;
	size_t ia, ib;		/* the differing calls (== n when a trace ended first) */
	size_t skipped_a, skipped_b; /* calls only in a / b before them */
	size_t matched;
	int arg;		/* the first differing argument, or -1: the result */
};

void trace_align(const struct trace *a, const struct trace *b, size_t window,
		 struct trace_diff *d);

#endif
