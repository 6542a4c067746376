/* SPDX-License-Identifier: MIT */
/* Event objects: epoll, eventfd, timerfd, signalfd. They are host kernel objects; lxrun only
 * translates the guest's fd numbers (epoll's user data goes through untouched). */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/guest_mem.h"
#include "translator/signal_guest.h"

static long install_host(int hfd, uint64_t flags)
{
	return sys_install_host_fd(hfd, (unsigned)flags);
}

static int host_fd_of(long fd)
{
	struct lx_file *f = sys_file(fd);
	if (!f)
		return -LINUX_EBADF;
	return f->host_fd >= 0 ? f->host_fd : -LINUX_EPERM; /* Linux: EPERM for non-pollable */
}

LX_SYSCALL(epoll_create1)
{
	if (sc->a[0] & ~(uint64_t)LINUX_O_CLOEXEC)
		return -LINUX_EINVAL;
	return install_host(epoll_create1(EPOLL_CLOEXEC), sc->a[0]);
}

LX_SYSCALL(epoll_create)
{
	if ((int)sc->a[0] <= 0)
		return -LINUX_EINVAL;
	return install_host(epoll_create1(EPOLL_CLOEXEC), 0);
}

LX_SYSCALL(epoll_ctl)
{
	int ep = host_fd_of((long)(int)sc->a[0]);
	if (ep < 0)
		return ep == -LINUX_EPERM ? -LINUX_EINVAL : ep;
	int fd = host_fd_of((long)(int)sc->a[2]);
	if (fd < 0)
		return fd;
	return lx_host(syscall(SYS_epoll_ctl, ep, (int)sc->a[1], fd, sc->a[3]));
}

LX_SYSCALL(epoll_wait)
{
	int ep = host_fd_of((long)(int)sc->a[0]);
	if (ep < 0)
		return ep == -LINUX_EPERM ? -LINUX_EINVAL : ep;
	return lx_safe(SYS_epoll_wait, ep, sc->a[1], (int)sc->a[2], (int)sc->a[3]);
}

/* epoll_pwait/epoll_pwait2: the kernel applies the wait mask atomically (see ppoll). */
static long epoll_masked(struct lx_syscall *sc, int ep, int timespec_timeout)
{
	uint64_t mask, hmask = 0;
	if (sc->a[4]) {
		if (sc->a[5] != 8)
			return -LINUX_EINVAL;
		if (guest_copy_in(&mask, sc->a[4], sizeof(mask)) < 0)
			return -LINUX_EFAULT;
		hmask = lx_signal_wait_mask_begin(sc->t, mask);
	}
	long r = timespec_timeout
			 ? lx_safe(SYS_epoll_pwait2, ep, sc->a[1], (int)sc->a[2], sc->a[3],
				   sc->a[4] ? &hmask : NULL, 8)
			 : lx_safe(SYS_epoll_pwait, ep, sc->a[1], (int)sc->a[2], (int)sc->a[3],
				   sc->a[4] ? &hmask : NULL, 8);
	if (sc->a[4])
		lx_signal_wait_mask_end(sc->t);
	return r;
}

LX_SYSCALL(epoll_pwait)
{
	int ep = host_fd_of((long)(int)sc->a[0]);
	if (ep < 0)
		return ep == -LINUX_EPERM ? -LINUX_EINVAL : ep;
	return epoll_masked(sc, ep, 0);
}

LX_SYSCALL(epoll_pwait2)
{
	int ep = host_fd_of((long)(int)sc->a[0]);
	if (ep < 0)
		return ep == -LINUX_EPERM ? -LINUX_EINVAL : ep;
	return epoll_masked(sc, ep, 1);
}

LX_SYSCALL(eventfd2)
{
	uint64_t flags = sc->a[1];
	if (flags & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | 1 /* EFD_SEMAPHORE */))
		return -LINUX_EINVAL;
	return install_host(eventfd((unsigned)sc->a[0], (int)((flags & ~(uint64_t)LINUX_O_CLOEXEC) | EFD_CLOEXEC)), flags);
}

LX_SYSCALL(eventfd)
{
	return install_host(eventfd((unsigned)sc->a[0], EFD_CLOEXEC), 0);
}

LX_SYSCALL(timerfd_create)
{
	uint64_t flags = sc->a[1];
	if (flags & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK))
		return -LINUX_EINVAL;
	return install_host(timerfd_create((int)sc->a[0], (int)((flags & ~(uint64_t)LINUX_O_CLOEXEC) | TFD_CLOEXEC)), flags);
}

LX_SYSCALL(timerfd_settime)
{
	int fd = host_fd_of((long)(int)sc->a[0]);
	if (fd < 0)
		return fd == -LINUX_EPERM ? -LINUX_EINVAL : fd;
	return lx_host(syscall(SYS_timerfd_settime, fd, (int)sc->a[1], sc->a[2], sc->a[3]));
}

LX_SYSCALL(timerfd_gettime)
{
	int fd = host_fd_of((long)(int)sc->a[0]);
	if (fd < 0)
		return fd == -LINUX_EPERM ? -LINUX_EINVAL : fd;
	return lx_host(syscall(SYS_timerfd_gettime, fd, sc->a[1]));
}

LX_SYSCALL(signalfd4)
{
	uint64_t flags = sc->a[3];
	if (flags & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK))
		return -LINUX_EINVAL;
	if (sc->a[2] != 8)
		return -LINUX_EINVAL;
	int fd = -1;
	if ((int)sc->a[0] != -1 && (fd = host_fd_of((long)(int)sc->a[0])) < 0)
		return fd == -LINUX_EPERM ? -LINUX_EINVAL : fd;
	long r = syscall(SYS_signalfd4, fd, sc->a[1], 8, (int)((flags & ~(uint64_t)LINUX_O_CLOEXEC) | SFD_CLOEXEC));
	if ((int)sc->a[0] != -1)
		return lx_host(r) < 0 ? lx_host(r) : (long)(int)sc->a[0];
	return install_host((int)r, flags);
}

LX_SYSCALL(signalfd)
{
	struct lx_syscall s2 = {.a = {sc->a[0], sc->a[1], sc->a[2], 0}, .t = sc->t, .regs = sc->regs};
	return sys_signalfd4(&s2);
}

/* inotify: a host inotify fd, read through the ordinary read path (event names are relative
 * to the watched directory, so nothing in them needs translating). The watched path is
 * resolved by lxrun's VFS, inside --root, and the host is given that object. */
#define IN_FLAGS_OK (LINUX_O_CLOEXEC | LINUX_O_NONBLOCK) /* IN_CLOEXEC, IN_NONBLOCK */
#define IN_ALL_BITS 0xf700efffu /* events and flags ALL_INOTIFY_BITS allows */
#define IN_DONT_FOLLOW_ 0x02000000u
#define IN_MASK_CREATE_ 0x10000000u
#define IN_MASK_ADD_	0x20000000u

LX_SYSCALL(inotify_init1)
{
	if (sc->a[0] & ~(uint64_t)IN_FLAGS_OK)
		return -LINUX_EINVAL;
	return install_host(inotify_init1(IN_CLOEXEC | (int)(sc->a[0] & LINUX_O_NONBLOCK)), sc->a[0]);
}

LX_SYSCALL(inotify_init)
{
	return install_host(inotify_init1(IN_CLOEXEC), 0);
}

LX_SYSCALL(inotify_add_watch)
{
	uint32_t mask = (uint32_t)sc->a[2];
	if (!(mask & IN_ALL_BITS) || ((mask & IN_MASK_ADD_) && (mask & IN_MASK_CREATE_)))
		return -LINUX_EINVAL;
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return -LINUX_EINVAL; /* not an inotify fd */
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, sc->a[1],
				  (mask & IN_DONT_FOLLOW_) ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops) {
		r = -LINUX_EACCES; /* lxrun's synthetic filesystems have no host object to watch */
	} else {
		char buf[LX_PATH_MAX + 32];
		r = lx_host(inotify_add_watch(f->host_fd, sys_host_abs(&p, buf, sizeof(buf)), mask));
	}
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(inotify_rm_watch)
{
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return -LINUX_EINVAL;
	return lx_host(inotify_rm_watch(f->host_fd, (int)sc->a[1]));
}

/* userfaultfd: the host's, on guest memory (which is the process's own); its UFFDIO_* ioctls
 * pass through on it (sys_file.c). Faults the guest's handler resolves stall lxrun's own
 * accesses to that memory too, as the kernel's copy_from_user stalls on Linux. */
LX_SYSCALL(userfaultfd)
{
	unsigned flags = (unsigned)sc->a[0];
	int hfd = (int)syscall(SYS_userfaultfd, (int)(flags | LINUX_O_CLOEXEC));
	return sys_install_host_fd(hfd, flags);
}
