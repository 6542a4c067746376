/* SPDX-License-Identifier: MIT */
/* Host-fd file ops. On a Linux host the kernel checks guest buffers itself (EFAULT). */
#include "translator/file_host.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/engine/fsbase.h"
#include "translator/meta.h"
#include "translator/syscall.h"

/* lx_safe gives EINTR without making the call when a guest signal is already pending, which is
 * right for what may block. A regular file or a block device never does: Linux reads and
 * writes them whatever signals are pending (only a fatal one stops the call), and programs
 * count on it, so there the call is made anyway and the signal comes after it. */
static bool never_blocks(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
}

/* lx_safe reads the thread's signal state through GS: before the engine has set GS up (the
 * loader opening the program) a plain call it is, as no guest signal can be pending yet. */
static long safe_or_plain(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	if (!lx_fsgs.name)
		return lx_host(syscall(nr, a1, a2, a3, a4, a5, a6));
	return lx_safe(nr, a1, a2, a3, a4, a5, a6);
}

bool lx_host_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_NONBLOCK);
}

long lx_host_ready_or_eintr(int fd, long r, bool nowait)
{
	if (r == -LINUX_EAGAIN && !nowait && !lx_host_nonblocking(fd))
		return -LINUX_EINTR;
	return r;
}

/* The call as preadv2/pwritev2 with RWF_NOWAIT (pipes, sockets, eventfds take it; a file
 * without FMODE_NOWAIT, a tty, gives EOPNOTSUPP); -LINUX_EOPNOTSUPP for a call with no such
 * form (sendfile, copy_file_range). */
static long io_nowait(long nr, int fd, long a1, long a2, long a3, long a4, long a5)
{
	struct iovec one = {(void *)a1, (size_t)a2};
	long iov = (long)&one, cnt = 1, pos = -1, flags = RWF_NOWAIT, rd;

	switch (nr) {
	case SYS_read: case SYS_write:
		break;
	case SYS_pread64: case SYS_pwrite64:
		pos = a3;
		break;
	case SYS_readv: case SYS_writev:
		iov = a1, cnt = a2;
		break;
	case SYS_preadv: case SYS_pwritev:
		iov = a1, cnt = a2, pos = a3;
		break;
	case SYS_preadv2: case SYS_pwritev2:
		iov = a1, cnt = a2, pos = a3, flags |= a5;
		break;
	default:
		return -LINUX_EOPNOTSUPP;
	}
	rd = nr == SYS_read || nr == SYS_pread64 || nr == SYS_readv || nr == SYS_preadv ||
	     nr == SYS_preadv2;
	return lx_host(syscall(rd ? SYS_preadv2 : SYS_pwritev2, fd, iov, cnt, pos, 0, flags));
}

long lx_host_io(long nr, int fd, int fd2, long a1, long a2, long a3, long a4, long a5)
{
	long r = safe_or_plain(nr, fd, a1, a2, a3, a4, a5);
	if (r != -LINUX_EINTR)
		return r;
	if (never_blocks(fd) && (fd2 < 0 || never_blocks(fd2)))
		return lx_host(syscall(nr, fd, a1, a2, a3, a4, a5));
	/* A signal is pending (or came while the call waited). Linux makes a call that does not
	 * have to wait anyway: a pipe or socket with data to read or room to write moves it, an
	 * O_NONBLOCK one is EAGAIN; only a call that would wait is EINTR. */
	long n = io_nowait(nr, fd, a1, a2, a3, a4, a5);
	if (n == -LINUX_EOPNOTSUPP) { /* a tty, or a call with no RWF_NOWAIT form */
		int ready = 0;
		bool rd = nr == SYS_read || nr == SYS_readv;
		/* a tty's input ready (a whole line where canonical): its read does not wait */
		if (fd2 < 0 && (lx_host_nonblocking(fd) ||
				(rd && ioctl(fd, FIONREAD, &ready) == 0 && ready > 0)))
			return lx_host(syscall(nr, fd, a1, a2, a3, a4, a5));
		return r;
	}
	bool nowait = (nr == SYS_preadv2 || nr == SYS_pwritev2) && (a5 & RWF_NOWAIT);
	return lx_host_ready_or_eintr(fd, n, nowait);
}

static long h_rw(long nr, struct lx_file *f, uint64_t buf, size_t n, int64_t off)
{
	return lx_host_io(nr, f->host_fd, -1, (long)buf, (long)n, (long)off, 0, 0);
}

static long h_read(struct lx_file *f, uint64_t buf, size_t n)
{
	return h_rw(SYS_read, f, buf, n, 0);
}

static long h_write(struct lx_file *f, uint64_t buf, size_t n)
{
	return h_rw(SYS_write, f, buf, n, 0);
}

static long h_pread(struct lx_file *f, uint64_t buf, size_t n, int64_t off)
{
	return h_rw(SYS_pread64, f, buf, n, off);
}

static long h_pwrite(struct lx_file *f, uint64_t buf, size_t n, int64_t off)
{
	return h_rw(SYS_pwrite64, f, buf, n, off);
}

static long h_lseek(struct lx_file *f, int64_t off, int whence)
{
	return lx_host(lseek(f->host_fd, off, whence));
}

static long h_fstat(struct lx_file *f, void *st)
{
	/* struct stat of an x86-64 Linux host is struct linux_stat. */
	long r = lx_host(fstat(f->host_fd, (struct stat *)st));
	if (r == 0 && lx_meta_on && !f->mnt)
		meta_stat_fd(f->host_fd, st);
	return r;
}

static long h_ioctl(struct lx_file *f, unsigned cmd, uint64_t arg)
{
	return lx_host(ioctl(f->host_fd, (unsigned long)cmd, arg));
}

static long h_getdents64(struct lx_file *f, uint64_t buf, size_t n)
{
	return lx_host(syscall(SYS_getdents64, f->host_fd, buf, n));
}

const struct lx_file_ops lx_host_file_ops = {
	.read = h_read,
	.write = h_write,
	.pread = h_pread,
	.pwrite = h_pwrite,
	.lseek = h_lseek,
	.fstat = h_fstat,
	.ioctl = h_ioctl,
	.getdents64 = h_getdents64,
};

struct lx_file *lx_host_file_new(int host_fd, unsigned flags, const char *path)
{
	return lx_file_new(&lx_host_file_ops, host_fd, flags, path);
}

int lx_host_file_wrap(int hfd, unsigned flags, const char *path, struct lx_file **out)
{
	if (hfd < 0)
		return (int)lx_errno(errno);
	*out = lx_host_file_new(hfd, flags & ~LINUX_O_CLOEXEC, path);
	if (!*out) {
		close(hfd);
		return -LINUX_ENOMEM;
	}
	return 0;
}

/* What an open of this path would wait in (a FIFO for its other end, a terminal line for
 * carrier), found the way the open itself would resolve it. */
static bool open_may_block(long nr, int dirfd, const char *path, long a3)
{
	struct stat st;
	int r;
	if (nr == SYS_openat2) {
		const uint64_t *how = (const uint64_t *)a3; /* flags, mode, resolve */
		uint64_t probe[3] = {O_PATH | O_CLOEXEC | (how[0] & O_NOFOLLOW), 0, how[2]};
		int fd = (int)syscall(SYS_openat2, dirfd, path, probe, sizeof(probe));
		if (fd < 0)
			return false;
		r = fstat(fd, &st);
		close(fd);
	} else {
		r = fstatat(dirfd, path, &st, 0);
	}
	return r == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode));
}

long lx_host_open(long nr, int dirfd, const char *path, long a3, long a4)
{
	long r = safe_or_plain(nr, dirfd, (long)path, a3, a4, 0, 0);
	if (r == -LINUX_EINTR && !open_may_block(nr, dirfd, path, a3))
		r = lx_host(syscall(nr, dirfd, path, a3, a4));
	return r;
}

int lx_host_file_open(const char *host, unsigned flags, struct lx_file **out)
{
	long hfd = lx_host_open(SYS_openat, AT_FDCWD, host,
				(long)((flags & ~(unsigned)LINUX_O_CREAT) | O_CLOEXEC), 0);
	if (hfd < 0)
		return (int)hfd;
	return lx_host_file_wrap((int)hfd, flags, NULL, out);
}
