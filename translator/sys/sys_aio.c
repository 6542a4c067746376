/* SPDX-License-Identifier: MIT */
/*
 * Linux native AIO (io_setup, io_submit, io_getevents, io_pgetevents, io_cancel, io_destroy):
 * the host kernel's. The context is a ring the host maps into the process, the iocbs and the
 * events are guest memory (ours), so only the file descriptors in an iocb need translating:
 * each iocb gets the host fds written in, is submitted and gets the guest's fds back. The
 * kernel copies an iocb during io_submit and keeps its address (io_event.obj, io_cancel's
 * key), so the guest's own iocb pointers are what it sees.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_mman.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/mm.h"
#include "translator/signal_guest.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"

/* struct iocb: the fields lxrun touches, at Linux's offsets. */
#define IOCB_FILDES   20
#define IOCB_FLAGS    56
#define IOCB_RESFD    60
#define IOCB_FLAG_RESFD 1u

/* How Linux names the ring's mapping: a file of the internal aio filesystem, unlinked. */
#define AIO_RING_NAME "/[aio] (deleted)"

/* Record the ring the host mapped at ctx in the guest's map, with the host's bounds,
 * protection, device and inode (/proc/self/maps shows it as Linux does). */
static void ring_record(uint64_t ctx)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		unsigned long s, e, off, ino;
		unsigned maj, min;
		char perms[5];
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu", &s, &e, perms, &off, &maj, &min, &ino) != 7 ||
		    s != ctx)
			continue;
		unsigned prot = (perms[0] == 'r' ? LINUX_PROT_READ : 0) |
				(perms[1] == 'w' ? LINUX_PROT_WRITE : 0) |
				(perms[2] == 'x' ? LINUX_PROT_EXEC : 0);
		mm_map(s, e - s, prot, LX_VMA_SHARED, off, makedev(maj, min), ino, AIO_RING_NAME);
		break;
	}
	free(line);
	if (f)
		fclose(f);
}

LX_SYSCALL(io_setup)
{
	long r = lx_host(syscall(SYS_io_setup, (unsigned)sc->a[0], sc->a[1]));
	uint64_t ctx;
	if (r == 0 && guest_copy_in(&ctx, sc->a[1], sizeof(ctx)) == 0)
		ring_record(ctx);
	return r;
}

LX_SYSCALL(io_destroy)
{
	/* Linux unmaps the ring (wherever mremap moved it: the context is its address) */
	uint64_t ctx = sc->a[0];
	long r = lx_host(syscall(SYS_io_destroy, ctx)); /* waits for requests in flight */
	if (r < 0)
		return r;
	mm_lock();
	const struct lx_vma *v = mm_find(ctx);
	if (v && v->start == ctx && v->name && !strcmp(v->name, AIO_RING_NAME))
		mm_unmap(ctx, v->end - v->start);
	mm_unlock();
	return r;
}

/* The host fd of guest fd g for an iocb; -EBADF as Linux's fget, -EINVAL for lxrun's own
 * synthetic files (no host object can do their I/O). */
static long iocb_host_fd(uint32_t g)
{
	struct lx_file *f = sys_file((long)(int32_t)g);
	if (!f)
		return -LINUX_EBADF;
	return f->host_fd >= 0 ? f->host_fd : -LINUX_EINVAL;
}

/* Submit the one iocb at guest address at: its fds made the host's for the call. */
static long submit_one(uint64_t ctx, uint64_t at)
{
	uint32_t fd, flags, resfd;
	if (guest_copy_in(&fd, at + IOCB_FILDES, 4) < 0 || guest_copy_in(&flags, at + IOCB_FLAGS, 4) < 0 ||
	    guest_copy_in(&resfd, at + IOCB_RESFD, 4) < 0)
		return -LINUX_EFAULT;
	long hfd = iocb_host_fd(fd), hres = resfd;
	if (hfd < 0)
		return hfd;
	if (flags & IOCB_FLAG_RESFD) {
		if ((hres = iocb_host_fd(resfd)) < 0)
			return hres;
	}
	uint32_t h32 = (uint32_t)hfd, r32 = (uint32_t)hres;
	if (guest_copy_out(at + IOCB_FILDES, &h32, 4) < 0 || guest_copy_out(at + IOCB_RESFD, &r32, 4) < 0)
		return -LINUX_EFAULT; /* a read-only iocb: lxrun cannot lend it the host's fds */
	uint64_t one = at;
	long r = lx_host(syscall(SYS_io_submit, ctx, 1L, &one));
	guest_copy_out(at + IOCB_FILDES, &fd, 4);
	guest_copy_out(at + IOCB_RESFD, &resfd, 4);
	return r;
}

LX_SYSCALL(io_submit)
{
	uint64_t ctx = sc->a[0], list = sc->a[2];
	long nr = (long)sc->a[1];
	if (nr < 0)
		return -LINUX_EINVAL;
	/* the context is checked first, even for nothing to submit */
	long r = lx_host(syscall(SYS_io_submit, ctx, 0L, NULL));
	if (r < 0)
		return r;
	long i;
	for (i = 0; i < nr; i++) {
		uint64_t at;
		if (guest_copy_in(&at, list + (uint64_t)i * 8, 8) < 0) {
			r = -LINUX_EFAULT;
			break;
		}
		if ((r = submit_one(ctx, at)) < 0)
			break;
	}
	/* Linux: the number submitted, or the first iocb's error */
	return i ? i : r;
}

LX_SYSCALL(io_getevents)
{
	return lx_safe(SYS_io_getevents, sc->a[0], (long)sc->a[1], (long)sc->a[2], sc->a[3], sc->a[4]);
}

/* struct __aio_sigset: the mask is the guest's, applied for the wait as ppoll's is. */
LX_SYSCALL(io_pgetevents)
{
	struct {
		uint64_t mask;
		uint64_t size;
	} us = {0, 0}, hs;
	uint64_t mask;
	if (sc->a[5] && guest_copy_in(&us, sc->a[5], sizeof(us)) < 0)
		return -LINUX_EFAULT;
	if (!us.mask)
		return lx_safe(SYS_io_pgetevents, sc->a[0], (long)sc->a[1], (long)sc->a[2], sc->a[3],
			       sc->a[4], NULL);
	if (us.size != sizeof(mask))
		return -LINUX_EINVAL;
	if (guest_copy_in(&mask, us.mask, sizeof(mask)) < 0)
		return -LINUX_EFAULT;
	struct lx_thread *t = lx_thread_self();
	uint64_t hmask = lx_signal_wait_mask_begin(t, mask);
	hs.mask = (uint64_t)(uintptr_t)&hmask;
	hs.size = sizeof(hmask);
	long r = lx_safe(SYS_io_pgetevents, sc->a[0], (long)sc->a[1], (long)sc->a[2], sc->a[3],
			 sc->a[4], &hs);
	lx_signal_wait_mask_end(t);
	return r;
}

LX_SYSCALL(io_cancel)
{
	return lx_host(syscall(SYS_io_cancel, sc->a[0], sc->a[1], sc->a[2]));
}
