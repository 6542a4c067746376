/* SPDX-License-Identifier: MIT */
/* The differential check shared by the loader suites: loader_exec() against native execve(2). */
#ifndef LXRUN_TESTS_LOADER_DIFFERENTIAL_H
#define LXRUN_TESTS_LOADER_DIFFERENTIAL_H

#include "tests/loader/elfpatch.h"
#include "tests/loader/native.h"

/*
 * Run path natively and through loader_exec() (host mapper, in this process) and expect the
 * same outcome: the same errno; or native death inside execve and a loader error flagged
 * no_return; or success in both. Also checks that a failed load leaves no mapping and no fd
 * behind. Returns the loader's result code.
 */
int expect_same(const char *path, char *const argv[], char *const envp[]);
/* expect_same() with argv = { path } and an empty environment. */
int expect_same1(const char *path);
/* Write b to the test directory as name (mode 0755) and free it. */
char *blob_write(const char *name, struct blob b);

#endif
