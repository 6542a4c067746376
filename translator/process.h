/* SPDX-License-Identifier: MIT */
/* Process-wide translator state: one guest process per host process (fork = host fork). */
#ifndef LXRUN_TRANSLATOR_PROCESS_H
#define LXRUN_TRANSLATOR_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "abi/linux_signal.h"

struct lx_fdtable;
struct lx_engine;

struct lx_process {
	int pid;
	uint64_t brk_start, brk_cur, brk_mapped; /* brk_mapped: end of what is really mapped */
	unsigned umask;
	char exe[4096];        /* guest path of the running image, for /proc/self/exe */
	char comm[16];         /* task name (basename of the executed file, PR_SET_NAME) */
	uint64_t auxv, auxv_len, argv_start, argv_end, env_start, env_end;
	uint64_t vdso;
	struct lx_fdtable *fds;
	const struct lx_engine *engine;
	struct linux_sigaction sigactions[64];
	FILE *trace;           /* --trace destination, or NULL */
	char root[4096];       /* --root as given (re-executions pass it on), "" for none */
	char root_host[4096];  /* realpath of --root ("" when the host's / is the root) */
	char host_mount[256];  /* lxrun -d: guest path of the host's / ("" for none) */
	const char *engine_name;
	int verbose;
};

extern struct lx_process lx_proc;

/* In a vfork child (vfork, clone with CLONE_VFORK): the parent, waiting, takes what this child
 * stored (its stack only when exec is true), then runs on. Called just before the host execve
 * and at exit; nothing in any other process. */
void lx_vfork_release(bool exec);

#endif
