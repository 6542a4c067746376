/* SPDX-License-Identifier: MIT */
/* The differential check shared by the loader suites: loader_exec() against native execve(2). */
#include "tests/loader/differential.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader.h"

/* Address ranges the loader may touch: low ET_EXEC addresses and its own randomised regions. */
static int guest_maps(void)
{
	struct native_map m[64];

	return maps_read("/proc/self/maps", 0x10000, 0x10000000, m, 64) +
	       maps_read("/proc/self/maps", 0x100000000000ull, 0x700000000000ull, m, 64);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static const char *kind_name(enum native_kind k)
{
	return k == NATIVE_ERRNO ? "errno" : k == NATIVE_FATAL ? "killed inside execve" : "exec ok";
}

int expect_same(const char *path, char *const argv[], char *const envp[])
{
	struct native_exec n;
	struct loader_result *r = calloc(1, sizeof(*r));
	const char *why = NULL;
	int maps0, fds0, err;

	native_exec(path, argv, envp, &n);
	maps0 = guest_maps();
	fds0 = open_fds();
	err = loader_exec(loader_host_mapper(), NULL, path, argv, envp, r, &why);
	switch (n.kind) {
	case NATIVE_ERRNO:
		cr_expect_eq(-err, n.err, "%s: native execve errno %d (%s), loader %d (%s)", path, n.err,
			     strerror(n.err), err, why ? why : "ok");
		cr_expect(!r->no_return, "%s: errno case flagged no_return", path);
		break;
	case NATIVE_FATAL:
		cr_expect(err < 0 && r->no_return,
			  "%s: native execve killed the task (signal %d); loader returned %d no_return=%d (%s)",
			  path, n.err, err, r->no_return, why ? why : "ok");
		break;
	case NATIVE_EXEC:
		cr_expect_eq(err, 0, "%s: native execve succeeded, loader %d (%s)", path, err,
			     why ? why : "?");
		break;
	}
	if (!err)
		loaded_unmap(r);
	cr_expect_eq(guest_maps(), maps0, "%s: mappings left behind (native: %s)", path,
		     kind_name(n.kind));
	cr_expect_eq(open_fds(), fds0, "%s: file descriptors leaked", path);
	free(r);
	return err;
}

int expect_same1(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { NULL };

	return expect_same(path, argv, envp);
}

char *blob_write(const char *name, struct blob b)
{
	char *p = test_file(name, b.d, b.n, 0755);

	free(b.d);
	return p;
}
