/* SPDX-License-Identifier: MIT */
/* More file I/O: flock, close_range, the preadv/pwritev family, sync_file_range, syncfs,
 * memfd_create and splice/tee/vmsplice. */
/*
 * Where the file has a host fd (regular files, pipes, sockets, memfds) the host kernel does
 * the work with its own error order and flags: the iovec arrays and offset pointers are guest
 * addresses, which are host addresses the kernel checks itself. lxrun's synthetic files
 * (procfs text, tmpfs) get the same semantics through their file ops.
 */
#include <limits.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_misc.h"
#include "abi/linux_mman.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"

static int is_host(const struct lx_file *f)
{
	return f->host_fd >= 0 && f->ops == &lx_host_file_ops;
}

LX_SYSCALL(flock)
{
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	unsigned op = (unsigned)sc->a[1];
	if (!f || (f->flags & LINUX_O_PATH))
		return -LINUX_EBADF;
	switch (op & ~(unsigned)LINUX_LOCK_NB) {
	case LINUX_LOCK_SH:
	case LINUX_LOCK_EX:
	case LINUX_LOCK_UN:
		break;
	default:
		return -LINUX_EINVAL;
	}
	/* Locks on host objects live in the host kernel, shared with every process; a file
	 * that only exists inside this process cannot be contended. */
	if (f->host_fd < 0)
		return 0;
	/* Only a wait is interruptible: a lock that is free is taken (and one given back) even
	 * with a signal pending, as on Linux */
	if (!(op & LINUX_LOCK_NB) && op != LINUX_LOCK_UN) {
		long r = lx_host(syscall(SYS_flock, f->host_fd, op | LINUX_LOCK_NB));
		if (r != -LINUX_EAGAIN)
			return r;
		return lx_safe(SYS_flock, f->host_fd, op);
	}
	return lx_host(syscall(SYS_flock, f->host_fd, op));
}

LX_SYSCALL(close_range)
{
	unsigned first = (unsigned)sc->a[0], last = (unsigned)sc->a[1];
	unsigned flags = (unsigned)sc->a[2];
	if (flags & ~(LINUX_CLOSE_RANGE_UNSHARE | LINUX_CLOSE_RANGE_CLOEXEC) || first > last)
		return -LINUX_EINVAL;
	/* CLOSE_RANGE_UNSHARE: every guest thread of a process shares lxrun's one table, so
	 * the range is closed in the shared table (the calling thread's view is the same). */
	return lx_fd_close_range(lx_proc.fds, first, last, !!(flags & LINUX_CLOSE_RANGE_CLOEXEC));
}

#define RWF_ALL (LINUX_RWF_HIPRI | LINUX_RWF_DSYNC | LINUX_RWF_SYNC | LINUX_RWF_NOWAIT | LINUX_RWF_APPEND)

/* The vector calls on a synthetic file: one op call per segment; off -1 is the file position. */
static long vec_ops(struct lx_file *f, uint64_t uiov, uint64_t cnt, int64_t off, int write)
{
	if (cnt > LINUX_UIO_MAXIOV)
		return -LINUX_EINVAL;
	long total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec v;
		if (guest_copy_in(&v, uiov + i * sizeof(v), sizeof(v)) < 0)
			return total ? total : -LINUX_EFAULT;
		if ((int64_t)v.iov_len < 0)
			return -LINUX_EINVAL;
		if (!v.iov_len)
			continue;
		long r;
		if (off < 0)
			r = write ? (f->ops->write ? f->ops->write(f, v.iov_base, v.iov_len) : -LINUX_EINVAL)
				  : (f->ops->read ? f->ops->read(f, v.iov_base, v.iov_len) : -LINUX_EINVAL);
		else if (write)
			r = f->ops->pwrite ? f->ops->pwrite(f, v.iov_base, v.iov_len, off + total) : -LINUX_ESPIPE;
		else
			r = f->ops->pread ? f->ops->pread(f, v.iov_base, v.iov_len, off + total) : -LINUX_ESPIPE;
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < v.iov_len)
			break;
	}
	return total;
}

/* preadv/pwritev (v2 = 0) and preadv2/pwritev2: args fd, iov, cnt, pos_l, pos_h[, flags]. */
static long rw_vec_at(struct lx_syscall *sc, int write, int v2)
{
	int64_t off = (int64_t)sc->a[3];
	uint64_t flags = v2 ? sc->a[5] : 0;
	if (off < (v2 ? -1 : 0))
		return -LINUX_EINVAL;
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	/* the host's own order (ESPIPE for a pipe before EBADF for its wrong end) */
	if (f && is_host(f)) {
		if (v2)
			return lx_host_io(write ? SYS_pwritev2 : SYS_preadv2, f->host_fd, -1,
					  (long)sc->a[1], (int)sc->a[2], (long)sc->a[3],
					  (long)sc->a[4], (int)flags);
		return lx_host_io(write ? SYS_pwritev : SYS_preadv, f->host_fd, -1, (long)sc->a[1],
				  (int)sc->a[2], (long)sc->a[3], (long)sc->a[4], 0);
	}
	if (write ? !lx_file_writable(f) : !lx_file_readable(f))
		return -LINUX_EBADF;
	if (flags & ~(uint64_t)RWF_ALL)
		return -LINUX_EOPNOTSUPP;
	if (write && (flags & LINUX_RWF_APPEND) && f->ops->lseek) {
		long end = f->ops->lseek(f, 0, 2 /* SEEK_END */);
		if (end < 0)
			return end;
		off = end;
	}
	return vec_ops(f, sc->a[1], sc->a[2], off, write);
}

LX_SYSCALL(preadv)
{
	return rw_vec_at(sc, 0, 0);
}

LX_SYSCALL(pwritev)
{
	return rw_vec_at(sc, 1, 0);
}

LX_SYSCALL(preadv2)
{
	return rw_vec_at(sc, 0, 1);
}

LX_SYSCALL(pwritev2)
{
	return rw_vec_at(sc, 1, 1);
}

LX_SYSCALL(sync_file_range)
{
	int64_t off = (int64_t)sc->a[1], n = (int64_t)sc->a[2];
	if (sc->a[3] & ~(uint64_t)LINUX_SYNC_FILE_RANGE_ALL || off < 0 || n < 0 || off + n < off)
		return -LINUX_EINVAL;
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f || (f->flags & LINUX_O_PATH))
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return f->ops->pread ? 0 : -LINUX_ESPIPE; /* synthetic files live in memory */
	return lx_host(syscall(SYS_sync_file_range, f->host_fd, off, n, (unsigned)sc->a[3]));
}

LX_SYSCALL(syncfs)
{
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return 0;
	return lx_host(syscall(SYS_syncfs, f->host_fd));
}

/* A host memfd, wrapped as a host file: reads, writes, mmap, seals and its
 * /proc/self/fd link ("/memfd:NAME (deleted)") are the host kernel's. */
LX_SYSCALL(memfd_create)
{
	char name[256];
	long r = guest_strncpy_in(name, sc->a[0], sizeof(name));
	if (r == -LINUX_ENAMETOOLONG)
		return -LINUX_EINVAL; /* Linux: longer than 249 bytes */
	if (r < 0)
		return r;
	unsigned flags = (unsigned)sc->a[1];
	int hfd = (int)syscall(SYS_memfd_create, name, flags | LINUX_MFD_CLOEXEC);
	if (hfd < 0)
		return lx_errno(errno);
	struct lx_file *f = lx_host_file_new(hfd, LINUX_O_RDWR | LINUX_O_LARGEFILE, NULL);
	if (!f) {
		close(hfd);
		return -LINUX_ENOMEM;
	}
	r = lx_fd_install(lx_proc.fds, f, 0, !!(flags & LINUX_MFD_CLOEXEC));
	lx_file_put(f);
	return r;
}

/* The host fd of a splice end, or a negative errno: EBADF for a closed fd or the wrong
 * access mode, EINVAL for lxrun's synthetic files (Linux: no splice support there). */
static int splice_end(long fd, int write)
{
	struct lx_file *f = sys_file(fd);
	if (write ? !lx_file_writable(f) : !lx_file_readable(f))
		return -LINUX_EBADF;
	return f->host_fd >= 0 ? f->host_fd : -LINUX_EINVAL;
}

LX_SYSCALL(splice)
{
	int in = splice_end((long)(int)sc->a[0], 0);
	if (in < 0)
		return in;
	int out = splice_end((long)(int)sc->a[2], 1);
	if (out < 0)
		return out;
	return lx_safe(SYS_splice, in, sc->a[1], out, sc->a[3], (size_t)sc->a[4], (unsigned)sc->a[5]);
}

LX_SYSCALL(tee)
{
	int in = splice_end((long)(int)sc->a[0], 0);
	if (in < 0)
		return in;
	int out = splice_end((long)(int)sc->a[1], 1);
	if (out < 0)
		return out;
	return lx_safe(SYS_tee, in, out, (size_t)sc->a[2], (unsigned)sc->a[3]);
}

LX_SYSCALL(vmsplice)
{
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f || (f->flags & LINUX_O_PATH))
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return -LINUX_EBADF; /* Linux: EBADF when the fd is not a pipe */
	return lx_safe(SYS_vmsplice, f->host_fd, sc->a[1], (unsigned long)sc->a[2], (unsigned)sc->a[3]);
}
