/* SPDX-License-Identifier: MIT */
/* Translate mode's public entry: load a program and run it under a trap engine. */
#ifndef LXRUN_TRANSLATOR_TRANSLATOR_H
#define LXRUN_TRANSLATOR_TRANSLATOR_H

#include <stdio.h>

struct lx_run_opts {
	const char *engine;   /* "auto", "rewrite", "sud" */
	const char *path;     /* host path of the program (already resolved on PATH) */
	char *const *argv;    /* guest argv (argv[0] as the user typed it) */
	char *const *envp;
	const char *root;     /* --root: host directory that is the guest's "/" (NULL: host's) */
	FILE *trace;          /* NULL: no trace */
	const char *host_mount; /* lxrun -d: the host's / appears here inside the root */
	const char *tmpfs;    /* --tmpfs: guest path of a process-private in-memory tmpfs */
	const char *exec_state; /* set when lxrun re-executes itself for a guest execve */
	const char *exec_cwd;
	int verbose;
	int meta;             /* owners, modes, devices in user.lxrun.* xattrs (translator/meta.h) */
	int stats;            /* --stats: syscall counts by path and number, printed at exit */
	int contain;          /* --contain: the container model even as host root (sys/hostadmin.h) */
	unsigned stdio_closed; /* bit N: fd N (0-2) was closed when lxrun started (a /dev/null
				* holds its number since, so lxrun's own fds never land there) */
};

/*
 * Load and start the program. Returns only on failure: a negative Linux errno, with *why a
 * static reason (the file is named by the caller). On success the guest owns the process and
 * its exit status becomes the process's.
 */
int lx_run(const struct lx_run_opts *o, const char **why);

#endif
