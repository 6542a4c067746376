/* SPDX-License-Identifier: MIT */
/* Memory syscalls: mmap family and the emulated program break. */
#include <sys/mman.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_mman.h"
#include "translator/fd.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"

#define PAGE 4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

LX_SYSCALL(mmap)
{
	uint64_t addr = sc->a[0], len = sc->a[1], flags = sc->a[3];
	int hfd = -1;
	if (!(flags & LINUX_MAP_ANONYMOUS)) {
		struct lx_file *f = sys_file((int)sc->a[4]);
		if (!f)
			return -LINUX_EBADF;
		if (f->host_fd < 0)
			return -LINUX_ENODEV;
		hfd = f->host_fd;
	}
	void *p = mmap((void *)addr, len, (int)sc->a[2], (int)flags, hfd, (off_t)sc->a[5]);
	return p == MAP_FAILED ? lx_errno(errno) : (long)p;
}

LX_SYSCALL(munmap)
{
	return lx_host(munmap((void *)sc->a[0], sc->a[1]));
}

LX_SYSCALL(mprotect)
{
	return lx_host(mprotect((void *)sc->a[0], sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(mremap)
{
	void *p = mremap((void *)sc->a[0], sc->a[1], sc->a[2], (int)sc->a[3], (void *)sc->a[4]);
	return p == MAP_FAILED ? lx_errno(errno) : (long)p;
}

LX_SYSCALL(madvise)
{
	return lx_host(madvise((void *)sc->a[0], sc->a[1], (int)sc->a[2]));
}

/* The break lives right after the program's bss; it grows with fixed, non-replacing maps so
 * that it can never clobber anything else in this shared address space. */
LX_SYSCALL(brk)
{
	uint64_t want = sc->a[0];
	if (want < lx_proc.brk_start)
		return (long)lx_proc.brk_cur;
	uint64_t end = PAGE_UP(want);
	if (end > lx_proc.brk_mapped) {
		void *p = mmap((void *)lx_proc.brk_mapped, end - lx_proc.brk_mapped,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			return (long)lx_proc.brk_cur;
		if ((uint64_t)p != lx_proc.brk_mapped) { /* kernel without FIXED_NOREPLACE */
			munmap(p, end - lx_proc.brk_mapped);
			return (long)lx_proc.brk_cur;
		}
	} else if (end < lx_proc.brk_mapped) {
		munmap((void *)end, lx_proc.brk_mapped - end);
	}
	lx_proc.brk_mapped = end;
	lx_proc.brk_cur = want;
	return (long)want;
}
