/* SPDX-License-Identifier: MIT */
/* loader_mapper that maps straight into the calling process with mmap(2): tests and the fuzz harness. */
#include "loader/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "abi/linux_errno.h"

_Static_assert(PROT_READ == 1 && PROT_WRITE == 2 && PROT_EXEC == 4, "Linux PROT_* values");

/* The host is Linux x86-64, whose errno numbers are the ABI's; this is the one translation point. */
_Static_assert(ENOENT == LINUX_ENOENT && EACCES == LINUX_EACCES && ENOMEM == LINUX_ENOMEM &&
		       EEXIST == LINUX_EEXIST && ELOOP == LINUX_ELOOP && EOVERFLOW == LINUX_EOVERFLOW,
	       "host errno differs from Linux x86-64");

int loader_host_err(int host_errno)
{
	return host_errno > 0 ? -host_errno : -LINUX_EIO;
}

static int64_t host_reserve(void *ctx, uint64_t hint, uint64_t len, int fixed)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p;

	if (hint && fixed)
		flags |= MAP_FIXED_NOREPLACE;
	p = mmap((void *)hint, len, PROT_NONE, flags, -1, 0);
	if (p == MAP_FAILED)
		return loader_host_err(errno);
	/* Kernels before 4.17 treat MAP_FIXED_NOREPLACE as a plain hint. */
	if (hint && fixed && (uint64_t)p != hint) {
		munmap(p, len);
		return -LINUX_EEXIST;
	}
	return (int64_t)p;
}

static int64_t host_map_file(void *ctx, uint64_t addr, uint64_t len, int prot, int fd, uint64_t off)
{
	void *p = mmap((void *)addr, len, prot, MAP_PRIVATE | MAP_FIXED, fd, off);

	return p == MAP_FAILED ? loader_host_err(errno) : (int64_t)p;
}

static int64_t host_map_anon(void *ctx, uint64_t addr, uint64_t len, int prot)
{
	void *p = mmap((void *)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? loader_host_err(errno) : (int64_t)p;
}

static int64_t host_protect(void *ctx, uint64_t addr, uint64_t len, int prot)
{
	return mprotect((void *)addr, len, prot) < 0 ? loader_host_err(errno) : 0;
}

static int64_t host_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	memcpy((void *)addr, src, len);
	return 0;
}

static int64_t host_unmap(void *ctx, uint64_t addr, uint64_t len)
{
	return munmap((void *)addr, len) < 0 ? loader_host_err(errno) : 0;
}

static const struct loader_mapper host_mapper = {
	.ctx = NULL,
	.reserve = host_reserve,
	.map_file = host_map_file,
	.map_anon = host_map_anon,
	.protect = host_protect,
	.write = host_write,
	.unmap = host_unmap,
};

const struct loader_mapper *loader_host_mapper(void)
{
	return &host_mapper;
}
