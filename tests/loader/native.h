/* SPDX-License-Identifier: MIT */
/* Test helpers: what the real kernel's execve(2) does with a file, and running a loaded image. */
#ifndef LXRUN_TESTS_LOADER_NATIVE_H
#define LXRUN_TESTS_LOADER_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"

enum native_kind {
	NATIVE_ERRNO,   /* execve returned -1 with errno */
	NATIVE_FATAL,   /* the task died (SIGSEGV) inside execve: past the point of no return */
	NATIVE_EXEC,    /* execve completed (PTRACE_EVENT_EXEC seen) */
};

struct native_map {
	uint64_t start, end, offset;
	char perms[5];
	int anon;       /* no backing file */
};

struct native_exec {
	enum native_kind kind;
	int err;                        /* NATIVE_ERRNO: errno; NATIVE_FATAL: the signal */
	uint64_t auxv[64][2];
	int nauxv;
	struct native_map maps[64];
	int nmaps;
	uint64_t rip, rsp;
};

/* Stack rlimit the native child gets: the loader's default stack size, so E2BIG limits agree. */
#define NATIVE_STACK_RLIMIT (8ull << 20)

/* execve(path) in a traced child and report what happened (the child is then killed). */
void native_exec(const char *path, char *const argv[], char *const envp[], struct native_exec *out);

/* Run path natively to completion; capture stdout into buf (NUL-terminated). Returns the wait
 * status. */
int native_run(const char *path, char *const argv[], char *const envp[], char *buf, size_t size);

/* In a child: loader_exec(path) with the host mapper and jump to the entry point. Returns the
 * wait status (a loader failure exits with 100 + errno); stdout is captured like native_run. */
int loaded_run(const char *path, char *const argv[], char *const envp[], char *buf, size_t size);

/* Look up a key in the auxv of a native_exec (0 if absent). */
uint64_t native_auxv(const struct native_exec *n, uint64_t key);

/* Parse /proc/<pid or self>/maps lines overlapping [lo, hi) into maps[]; returns the count. */
int maps_read(const char *file, uint64_t lo, uint64_t hi, struct native_map *maps, int max);

/* Release everything a successful loader_exec() mapped into this process. */
void loaded_unmap(const struct loader_result *r);

/* A fresh private directory for test files (short, so it fits in a patched PT_INTERP). */
const char *test_dir(void);
/* Write data to dir/name with the given mode; returns the full path (malloc'd). */
char *test_file(const char *name, const void *data, size_t size, int mode);
/* Read a whole file (malloc'd); *size gets its length. */
void *file_slurp(const char *path, size_t *size);

#endif
