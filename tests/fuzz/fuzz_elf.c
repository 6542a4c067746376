/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: loader_check_elf() on raw bytes, then the whole loader_exec() path via a memfd. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "loader/loader.h"

/*
 * The real loader runs with the host mapper, wrapped so that every reservation is recorded:
 * after each input exactly the recorded ranges are released (never "start..end" of an image,
 * whose holes may hold the fuzzer's own memory), and a failed load must have released all of
 * them itself. The open hook never lets fuzzed paths reach the host filesystem: the dynamic
 * loader's usual path gets the real ld.so, everything else gets the input again.
 */
#define MAX_RES 256

static struct { uint64_t a, l; } res[MAX_RES];
static int nres;
static int input_fd = -1;
static const struct loader_mapper *host;

static int64_t f_reserve(void *c, uint64_t h, uint64_t l, int fixed)
{
	int64_t r = host->reserve(host->ctx, h, l, fixed);

	if (r >= 0) {
		if (nres == MAX_RES)
			abort();
		res[nres].a = r;
		res[nres++].l = l;
	}
	return r;
}

static int inside(uint64_t a, uint64_t l)
{
	for (int i = 0; i < nres; i++)
		if (a >= res[i].a && a + l >= a && a + l <= res[i].a + res[i].l)
			return 1;
	return 0;
}

static int64_t f_map_file(void *c, uint64_t a, uint64_t l, int p, int fd, uint64_t o)
{
	if (!inside(a, l) || (a | o) & 4095)
		abort();
	return host->map_file(host->ctx, a, l, p, fd, o);
}

static int64_t f_map_anon(void *c, uint64_t a, uint64_t l, int p)
{
	if (!inside(a, l))
		abort();
	return host->map_anon(host->ctx, a, l, p);
}

static int64_t f_protect(void *c, uint64_t a, uint64_t l, int p)
{
	if (!inside(a, l))
		abort();
	return host->protect(host->ctx, a, l, p);
}

static int64_t f_write(void *c, uint64_t a, const void *s, size_t l)
{
	if (!inside(a, l))
		abort();
	return host->write(host->ctx, a, s, l);
}

/* The loader only unmaps whole reservations (undo) or trims one it just made. */
static int64_t f_unmap(void *c, uint64_t a, uint64_t l)
{
	for (int i = 0; i < nres; i++) {
		if (res[i].a == a && res[i].l == l) {
			res[i] = res[--nres];
			break;
		}
		if (a >= res[i].a && a + l <= res[i].a + res[i].l) {
			if (a == res[i].a) {
				res[i].a += l;
				res[i].l -= l;
			} else if (a + l == res[i].a + res[i].l) {
				res[i].l -= l;
			} else {
				abort();
			}
			break;
		}
	}
	return host->unmap(host->ctx, a, l);
}

static const struct loader_mapper fuzz_mapper = {
	.reserve = f_reserve, .map_file = f_map_file, .map_anon = f_map_anon,
	.protect = f_protect, .write = f_write, .unmap = f_unmap,
};

static int fuzz_open(void *ctx, const char *path)
{
	int fd;

	if (!strcmp(path, "/lib64/ld-linux-x86-64.so.2")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	fd = fcntl(input_fd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct loader_result r;
	char *argv[] = { "prog", "arg", NULL }, *envp[] = { "K=V", NULL };
	struct loader_options opt = { .open_path = fuzz_open, .stack_size = 1 << 20, .vdso_base = 1 };
	const char *why = NULL;
	char path[64];
	int fd0, err, check;

	check = loader_check_elf(data, size, &why);

	host = loader_host_mapper();
	if (input_fd < 0) {
		input_fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (input_fd < 0)
			abort();
	}
	if (ftruncate(input_fd, 0) < 0 || pwrite(input_fd, data, size, 0) != (ssize_t)size)
		abort();
	fd0 = lowest_free_fd();
	snprintf(path, sizeof(path), "/fuzz/input");
	err = loader_exec(&fuzz_mapper, &opt, path, argv, envp, &r, &why);
	if (err < 0 && nres != 0) {
		fprintf(stderr, "failed load (%d, %s) left %d reservations\n", err, why, nres);
		abort();
	}
	if (err == 0 && (r.sp & 15 || r.sp < r.stack_lo || r.sp >= r.stack_hi))
		abort();
	/*
	 * The in-memory check and the real exec agree on everything decided before the point of
	 * no return (the header, the program headers, the PT_INTERP string), and whatever the
	 * check rejects, the exec rejects too. The interpreter here is the real ld.so or the
	 * input itself, which passes the interpreter checks whenever the program passed them
	 * (given a whole header: a shorter interpreter is EIO). The one exception is an empty
	 * PT_INTERP string, which the kernel resolves to the cwd: EACCES.
	 */
	if (size >= 64 && !memcmp(data, "\x7f" "ELF", 4) &&
	    ((err && !r.no_return && err != check && err != -LINUX_EACCES) || (check && !err))) {
		fprintf(stderr, "loader_check_elf %d but loader_exec %d (%s)\n", check, err, why);
		abort();
	}
	while (nres > 0) {
		nres--;
		host->unmap(host->ctx, res[nres].a, res[nres].l);
	}
	if (lowest_free_fd() != fd0) {
		fprintf(stderr, "fd leak (%d, %s)\n", err, why ? why : "ok");
		abort();
	}
	return 0;
}
