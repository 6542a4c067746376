/* SPDX-License-Identifier: MIT */
/* harness: run one command (libuv) and measure it: wall time, exit status, peak memory of its tree.
 */
#ifndef LXRUN_HARNESS_PROC_H
#define LXRUN_HARNESS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HPROC_MAX_WATCH 4

struct hproc_spec {
	char *const *argv;	 /* argv[0] is looked up on PATH when it has no slash */
	const char *cwd;	 /* NULL: the caller's */
	char *const *env;	 /* NULL: the caller's environment */
	const char *stdin_path;	 /* NULL: /dev/null */
	const char *stdout_path; /* NULL: /dev/null; truncated */
	const char *stderr_path; /* NULL: /dev/null; truncated */
	uint64_t timeout_ms;	 /* 0: none; on expiry the command's process group is killed */
	unsigned int sample_ms;	 /* memory sampling period; 0: no sampling */
	/* long-lived processes outside the tree whose RSS counts too (a VM's QEMU, virtiofsd) */
	int watch[HPROC_MAX_WATCH];
	int nwatch;
	volatile int *cancel; /* polled every 10 ms: non-zero kills the command (Ctrl-C) */
};

struct hproc_result {
	uint64_t wall_ns;
	bool signaled;	   /* killed by a signal: `status` is its number */
	bool timed_out;	   /* killed because the timeout expired */
	bool cancelled;	   /* killed because *cancel became non-zero */
	int status;	   /* exit status, or the signal */
	uint64_t peak_kib; /* sum of the tree's VmHWM plus the watched processes' peak VmRSS; 0:
			      the command ended before the first sample */
};

/* Run spec->argv to completion. Returns 0 with *res filled (whatever the command's status), or
 * a negative errno when it could not be started (-ENOENT: no such program). */
/* The command gets fds 0-2 only: the first call makes every other fd of the caller close-on-exec. */
int hproc_run(const struct hproc_spec *spec, struct hproc_result *res);

/* Memory of one process from /proc/PID/status, in KiB ("VmHWM" or "VmRSS"); 0 if gone. */
uint64_t hproc_mem_kib(int pid, const char *field);

/* Run a command and keep its stdout (up to len-1 bytes, NUL-terminated) for probes. Returns
 * the exit status (128+N for signal N), or a negative errno. */
int hproc_capture(char *const *argv, const char *cwd, uint64_t timeout_ms, char *out, size_t len);

#endif
