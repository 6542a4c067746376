/* SPDX-License-Identifier: MIT */
/* Memory syscalls: the mmap family and the program break, kept in the guest VMA list so that
 * /proc/self/maps is the guest's and a guest can never map over or unmap lxrun's memory. */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_mman.h"
#include "translator/fd.h"
#include "translator/mapper.h"
#include "translator/mm.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/thread.h"
#include "translator/sys/sys.h"

#define PAGE 4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

static unsigned vma_flags(uint64_t mflags)
{
	unsigned f = 0;
	if ((mflags & LINUX_MAP_TYPE) == LINUX_MAP_SHARED || (mflags & LINUX_MAP_TYPE) == LINUX_MAP_SHARED_VALIDATE)
		f |= LX_VMA_SHARED;
	if (mflags & LINUX_MAP_GROWSDOWN)
		f |= LX_VMA_GROWSDOWN;
	if (mflags & LINUX_MAP_NORESERVE)
		f |= LX_VMA_NORESERVE;
	return f;
}

/* mlockall(MCL_FUTURE): the guest's later mappings are locked (MCL_ONFAULT: as they fault) */
static int mcl_future;

LX_SYSCALL(mmap)
{
	uint64_t addr = sc->a[0], len = sc->a[1], prot = sc->a[2], flags = sc->a[3], off = sc->a[5];
	struct lx_file *f = NULL;
	int hfd = -1;
	/* Linux's order: the fd (ksys_mmap_pgoff), then the length, then the file's mmap */
	if (!(flags & LINUX_MAP_ANONYMOUS)) {
		f = sys_file((int)sc->a[4]);
		if (!f)
			return -LINUX_EBADF;
	}
	if (!len)
		return -LINUX_EINVAL;
	if (f) {
		if (f->host_fd < 0)
			return -LINUX_ENODEV;
		hfd = f->host_fd;
	}
	/* MAP_FIXED_NOREPLACE never replaces anything, lxrun's memory included: the host's
	 * EEXIST is the answer, without reading the host's map (a program filling its address
	 * space with NOREPLACE maps made that quadratic) */
	int fixed = (flags & LINUX_MAP_FIXED) && !(flags & LINUX_MAP_FIXED_NOREPLACE);
	mm_lock();
	if (fixed && !mm_fixed_allowed(addr, PAGE_UP(len))) {
		/* Something of lxrun's own lives there. For the guest that memory is
		 * "in use by something else": NOREPLACE says so exactly; a plain MAP_FIXED
		 * cannot be honoured without destroying the translator. */
		mm_unlock();
		return (flags & LINUX_MAP_FIXED_NOREPLACE) ? -LINUX_EEXIST : -LINUX_ENOMEM;
	}
	int hflags = (int)flags | ((mcl_future & MCL_FUTURE) && !(mcl_future & MCL_ONFAULT) ? MAP_LOCKED : 0);
	void *p = mmap((void *)addr, len, (int)prot, hflags, hfd, (off_t)off);
	if (p == MAP_FAILED) {
		long e = lx_errno(errno);
		mm_unlock();
		return e;
	}
	if ((mcl_future & MCL_FUTURE) && (mcl_future & MCL_ONFAULT))
		mlock2(p, len, MLOCK_ONFAULT);
	struct stat st = {0};
	char name[4096] = "";
	if (hfd >= 0) {
		fstat(hfd, &st);
		mapper_fd_name(hfd, name, sizeof(name));
	}
	mm_map((uint64_t)p, PAGE_UP(len), (unsigned)prot, vma_flags(flags), hfd >= 0 ? off : 0,
	       hfd >= 0 ? st.st_dev : 0, hfd >= 0 ? st.st_ino : 0, name[0] ? name : NULL);
	mm_unlock();
	return (long)p;
}

/* Unmap only what is the guest's: the rest of the range is, for the guest, already unmapped.
 * The host's error (ENOMEM: a split beyond vm.max_map_count) stops it where it failed; a
 * sealed mapping anywhere in the range refuses all of it (EPERM), as Linux checks first. */
LX_SYSCALL(munmap)
{
	uint64_t addr = sc->a[0], len = PAGE_UP(sc->a[1]);
	/* Linux: the range must lie below TASK_SIZE (47-bit user space); a larger one unmapped
	 * the whole guest here (found by tests/fuzz, seed 1003) */
	const uint64_t task_size = 0x7ffffffff000ull;
	if ((addr & (PAGE - 1)) || !len || addr > task_size || len > task_size - addr)
		return -LINUX_EINVAL;
	mm_lock();
	long r = 0;
	uint64_t end = addr + len, done = end;
	if (mm_sealed(addr, len) == 1) {
		mm_unlock();
		return -LINUX_EPERM;
	}
	size_t n;
	const struct lx_vma *v = mm_list_from(addr, &n);
	for (size_t i = 0; i < n && v[i].start < end; i++) {
		uint64_t lo = v[i].start > addr ? v[i].start : addr;
		uint64_t hi = v[i].end < end ? v[i].end : end;
		if (v[i].flags & (LX_VMA_VDSO | LX_VMA_VVAR))
			continue;
		if (munmap((void *)lo, hi - lo) < 0) {
			r = lx_errno(errno);
			done = lo;
			break;
		}
	}
	if (done > addr)
		mm_unmap(addr, done - addr);
	mm_unlock();
	return r;
}

LX_SYSCALL(mprotect)
{
	uint64_t addr = sc->a[0], len = PAGE_UP(sc->a[1]);
	if (addr & (PAGE - 1))
		return -LINUX_EINVAL;
	if (!len)
		return 0;
	mm_lock();
	long r;
	if (!mm_covered(addr, len))
		r = -LINUX_ENOMEM;
	else if ((r = lx_host(mprotect((void *)addr, len, (int)sc->a[2]))) == 0)
		mm_protect(addr, len, (unsigned)sc->a[2]);
	mm_unlock();
	return r;
}

/* Linux has emulated it since 4.0 as an mmap of the mapping's own file at the new offset
 * over the range (MAP_SHARED | MAP_FIXED | MAP_POPULATE); the host does that with the file
 * it holds (the guest may have closed its fd), and the map takes the new offset. Every error
 * is EINVAL, so a range that is not all the guest's is refused before the host sees it. */
LX_SYSCALL(remap_file_pages)
{
	uint64_t start = sc->a[0] & ~(PAGE - 1), size = sc->a[1] & ~(PAGE - 1);
	uint64_t pgoff = sc->a[3];
	if (!size || start + size <= start)
		return -LINUX_EINVAL;
	mm_lock();
	long r = -LINUX_EINVAL;
	const struct lx_vma *v = mm_find(start);
	if (v && mm_covered(start, size) == 1)
		r = lx_host(syscall(216, sc->a[0], sc->a[1], sc->a[2], pgoff, sc->a[4]));
	if (r == 0 && (v = mm_find(start)) != NULL) {
		struct lx_vma m = *v;
		mm_map(start, size, m.prot, m.flags, pgoff * PAGE, m.dev, m.ino, m.name);
	}
	mm_unlock();
	return r;
}

/* Protection keys are the host's: the guest's PKRU is the thread's register, and a key is
 * a property of the host pages as the protection is. */
LX_SYSCALL(pkey_mprotect)
{
	uint64_t addr = sc->a[0], len = PAGE_UP(sc->a[1]);
	if (addr & (PAGE - 1))
		return -LINUX_EINVAL;
	if (!len)
		return lx_host(syscall(329, addr, 0UL, sc->a[2], sc->a[3]));
	mm_lock();
	long r;
	if (!mm_covered(addr, len))
		r = -LINUX_ENOMEM;
	else if ((r = lx_host(syscall(329, addr, len, sc->a[2], sc->a[3]))) == 0)
		mm_protect(addr, len, (unsigned)sc->a[2]);
	mm_unlock();
	return r;
}

LX_SYSCALL(pkey_alloc)
{
	return lx_host(syscall(330, sc->a[0], sc->a[1]));
}

LX_SYSCALL(pkey_free)
{
	return lx_host(syscall(331, sc->a[0]));
}

LX_SYSCALL(mremap)
{
	uint64_t old = sc->a[0], olen = PAGE_UP(sc->a[1]), nlen = PAGE_UP(sc->a[2]);
	uint64_t flags = sc->a[3], naddr = sc->a[4];
	if ((flags & LINUX_MREMAP_FIXED) && !(flags & LINUX_MREMAP_MAYMOVE))
		return -LINUX_EINVAL;
	if (old & (PAGE - 1))
		return -LINUX_EINVAL;
	mm_lock();
	long r;
	if (!mm_covered(old, olen ? olen : PAGE)) {
		r = -LINUX_EFAULT;
	} else if ((flags & LINUX_MREMAP_FIXED) && !mm_fixed_allowed(naddr, nlen)) {
		r = -LINUX_ENOMEM;
	} else {
		void *p = mremap((void *)old, sc->a[1], sc->a[2], (int)flags, (void *)naddr);
		r = p == MAP_FAILED ? lx_errno(errno) : (long)p;
		if (r >= 0)
			mm_remap(old, olen, (uint64_t)p, nlen);
	}
	mm_unlock();
	return r;
}

/* As Linux's madvise_walk_vmas: the advice is applied to each guest mapping in the range in
 * turn and the first one's error is returned; a gap (unmapped, or lxrun's own memory, which
 * is never advised) makes it ENOMEM once every mapping had it. */
LX_SYSCALL(madvise)
{
	uint64_t addr = sc->a[0], len = PAGE_UP(sc->a[1]);
	int advice = (int)sc->a[2];
	/* the advice, the alignment and a wrapping or empty range: checked first, by the host */
	if (madvise((void *)addr, 0, advice) < 0)
		return lx_errno(errno);
	if (!len || addr + len < addr)
		return addr + len < addr ? -LINUX_EINVAL : 0;
	uint64_t end = addr + len, pos = addr;
	long err = 0;
	int gap = 0;
	size_t n;
	mm_lock();
	const struct lx_vma *v = mm_list(&n);
	for (size_t i = 0; i < n && pos < end && !err; i++) {
		if (v[i].end <= pos)
			continue;
		if (v[i].start >= end)
			break;
		if (v[i].start > pos)
			gap = 1;
		uint64_t s = v[i].start > pos ? v[i].start : pos, e = v[i].end < end ? v[i].end : end;
		if (madvise((void *)s, e - s, advice) < 0)
			err = lx_errno(errno);
		pos = e;
	}
	mm_unlock();
	if (err)
		return err;
	return gap || pos < end ? -LINUX_ENOMEM : 0;
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
		mm_map(lx_proc.brk_mapped, end - lx_proc.brk_mapped, 3, LX_VMA_HEAP, 0, 0, 0, NULL);
	} else if (end < lx_proc.brk_mapped) {
		if (mm_sealed(end, lx_proc.brk_mapped - end) == 1)
			return (long)lx_proc.brk_cur;
		munmap((void *)end, lx_proc.brk_mapped - end);
		mm_unmap(end, lx_proc.brk_mapped - end);
	}
	lx_proc.brk_mapped = end;
	lx_proc.brk_cur = want;
	return (long)want;
}

/* The host seals the pages (it then refuses mprotect, mremap, MAP_FIXED over them and the
 * discarding madvises itself); lxrun's map records it for munmap and brk. Only guest
 * mappings can be sealed: a range reaching lxrun's memory is unmapped for the guest. */
LX_SYSCALL(mseal)
{
	uint64_t addr = sc->a[0], len = PAGE_UP(sc->a[1]);
	if (sc->a[2] || (addr & (PAGE - 1)))
		return -LINUX_EINVAL;
	if ((sc->a[1] && !len) || addr + len < addr)
		return -LINUX_EINVAL;
	if (!len)
		return 0;
	mm_lock();
	long r;
	if (mm_covered(addr, len) != 1)
		r = -LINUX_ENOMEM;
	else if ((r = lx_host(syscall(462, addr, len, 0UL))) == 0)
		mm_seal(addr, len);
	mm_unlock();
	return r;
}

LX_SYSCALL(msync)
{
	if (sc->a[0] & (PAGE - 1))
		return -LINUX_EINVAL;
	if (sc->a[1] && !mm_covered(sc->a[0], PAGE_UP(sc->a[1])))
		return -LINUX_ENOMEM;
	return lx_host(msync((void *)sc->a[0], sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(mincore)
{
	if (sc->a[0] & (PAGE - 1))
		return -LINUX_EINVAL;
	if (sc->a[1] && !mm_covered(sc->a[0], PAGE_UP(sc->a[1])))
		return -LINUX_ENOMEM;
	return lx_host(mincore((void *)sc->a[0], sc->a[1], (unsigned char *)sc->a[2]));
}

/*
 * mlockall locks the guest's mappings, not lxrun's own memory (its libraries, tables and
 * stacks: ~20 MiB that a locked guest would show in VmLck and in its children's ru_maxrss).
 * MCL_CURRENT locks each guest mapping (Linux ignores a mapping that cannot be locked),
 * MCL_FUTURE the later ones as mmap makes them; munlockall undoes both.
 */
static void lock_each(int lock, int onfault, uint64_t rsp)
{
	size_t n;
	mm_lock();
	const struct lx_vma *v = mm_list(&n);
	for (size_t i = 0; i < n; i++) {
		if (v[i].flags & (LX_VMA_VDSO | LX_VMA_VVAR))
			continue;
		uint64_t s = v[i].start;
		/* the initial stack is one 8 MiB mapping here; Linux's has grown only down to
		 * the stack pointer */
		if ((v[i].flags & LX_VMA_STACK) && rsp > s && rsp < v[i].end)
			s = rsp & ~(PAGE - 1);
		void *a = (void *)s;
		size_t l = v[i].end - s;
		if (!lock)
			munlock(a, l);
		else if (onfault)
			mlock2(a, l, MLOCK_ONFAULT);
		else
			mlock(a, l);
	}
	mm_unlock();
}

LX_SYSCALL(mlockall)
{
	int fl = (int)sc->a[0];
	if (!fl || (fl & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || fl == MCL_ONFAULT)
		return -LINUX_EINVAL;
	struct rlimit rl;
	int capable = geteuid() == 0;
	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (!rl.rlim_cur && !capable)
		return -LINUX_EPERM;
	if ((fl & MCL_CURRENT) && !capable && rl.rlim_cur != RLIM_INFINITY) {
		size_t n;
		uint64_t total = 0;
		mm_lock();
		const struct lx_vma *v = mm_list(&n);
		for (size_t i = 0; i < n; i++)
			total += v[i].end - v[i].start;
		mm_unlock();
		if (total > rl.rlim_cur)
			return -LINUX_ENOMEM;
	}
	mcl_future = fl & MCL_FUTURE ? fl : 0;
	if (fl & MCL_CURRENT)
		lock_each(1, !!(fl & MCL_ONFAULT), sc->regs->rsp);
	return 0;
}

LX_SYSCALL(munlockall)
{
	mcl_future = 0;
	lock_each(0, 0, 0);
	return 0;
}

LX_SYSCALL(mlock)
{
	return lx_host(mlock((void *)sc->a[0], sc->a[1]));
}

LX_SYSCALL(munlock)
{
	return lx_host(munlock((void *)sc->a[0], sc->a[1]));
}
