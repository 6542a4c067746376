/* SPDX-License-Identifier: MIT */
/* File I/O syscalls on the guest fd table: read/write family, open/close, lseek, stat, dup. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_ioctl.h"
#include "abi/linux_misc.h"
#include "abi/linux_stat.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/mm.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/hostadmin.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/vfs/vfs.h"
#include "translator/trace.h"

/* The file stays referenced until the syscall ends (lx_dispatch drops the holds), so that
 * another thread closing the fd meanwhile cannot free it under us. */
struct lx_file *sys_file(long fd)
{
	if (fd < 0 || fd > INT_MAX)
		return NULL;
	struct lx_thread *t = lx_thread_self();
	if (!t || t->nheld >= (int)(sizeof(t->held) / sizeof(t->held[0])))
		return lx_fd_lookup(lx_proc.fds, (int)fd);
	struct lx_file *f = lx_fd_get(lx_proc.fds, (int)fd);
	if (f)
		t->held[t->nheld++] = f;
	return f;
}

long sys_install_host_fd(int hfd, unsigned flags)
{
	if (hfd < 0)
		return lx_errno(errno);
	struct lx_file *f = lx_host_file_new(hfd, LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK), NULL);
	if (!f) {
		close(hfd);
		return -LINUX_ENOMEM;
	}
	long r = lx_fd_install(lx_proc.fds, f, 0, !!(flags & LINUX_O_CLOEXEC));
	lx_file_put(f);
	return r;
}

long sys_path_in(char *buf, uint64_t guest_path)
{
	long r = guest_strncpy_in(buf, guest_path, LX_PATH_MAX);
	if (r == 0)
		return -LINUX_ENOENT;
	return r;
}

#define ACCMODE(f) ((f)->flags & LINUX_O_ACCMODE)

LX_SYSCALL(read)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!lx_file_readable(f))
		return -LINUX_EBADF;
	if (!f->ops->read)
		return -LINUX_EINVAL;
	return f->ops->read(f, sc->a[1], sc->a[2]);
}

LX_SYSCALL(write)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!lx_file_writable(f))
		return -LINUX_EBADF;
	if (!f->ops->write)
		return -LINUX_EINVAL;
	return f->ops->write(f, sc->a[1], sc->a[2]);
}

LX_SYSCALL(pread64)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!lx_file_readable(f))
		return -LINUX_EBADF;
	if ((int64_t)sc->a[3] < 0)
		return -LINUX_EINVAL;
	if (!f->ops->pread)
		return -LINUX_ESPIPE;
	return f->ops->pread(f, sc->a[1], sc->a[2], (int64_t)sc->a[3]);
}

LX_SYSCALL(pwrite64)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!lx_file_writable(f))
		return -LINUX_EBADF;
	if ((int64_t)sc->a[3] < 0)
		return -LINUX_EINVAL;
	if (!f->ops->pwrite)
		return -LINUX_ESPIPE;
	return f->ops->pwrite(f, sc->a[1], sc->a[2], (int64_t)sc->a[3]);
}

/* readv/writev: one op call per segment keeps file objects simple; a short transfer ends it. */
static long rw_vec(struct lx_syscall *sc, int write)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!f || (f->flags & LINUX_O_PATH) ||
	    ACCMODE(f) == (write ? LINUX_O_RDONLY : LINUX_O_WRONLY))
		return -LINUX_EBADF;
	uint64_t cnt = sc->a[2];
	if (cnt > LINUX_UIO_MAXIOV)
		return -LINUX_EINVAL;
	/* A host file takes the guest's iovec array as it is (guest memory is ours): one host
	 * call keeps readv/writev atomic where Linux makes them so (a datagram or a pipe write
	 * of at most PIPE_BUF bytes is one unit; a TCP writev is one send, not one per buffer). */
	if (f->host_fd >= 0 && f->ops == &lx_host_file_ops)
		return lx_host_io(write ? SYS_writev : SYS_readv, f->host_fd, -1, (long)sc->a[1],
				  (int)cnt, 0, 0, 0);
	struct linux_iovec iov[64];
	long total = 0;
	for (uint64_t done = 0; done < cnt;) {
		uint64_t n = cnt - done < 64 ? cnt - done : 64;
		if (guest_copy_in(iov, sc->a[1] + done * sizeof(iov[0]), n * sizeof(iov[0])) < 0)
			return total ? total : -LINUX_EFAULT;
		for (uint64_t i = 0; i < n; i++) {
			if ((int64_t)iov[i].iov_len < 0)
				return -LINUX_EINVAL;
			if (!iov[i].iov_len)
				continue;
			long r = write ? f->ops->write(f, iov[i].iov_base, iov[i].iov_len)
				       : f->ops->read(f, iov[i].iov_base, iov[i].iov_len);
			if (r < 0)
				return total ? total : r;
			total += r;
			if ((uint64_t)r < iov[i].iov_len)
				return total;
		}
		done += n;
	}
	return total;
}

LX_SYSCALL(readv)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (f && !f->ops->read)
		return -LINUX_EINVAL;
	return rw_vec(sc, 0);
}

LX_SYSCALL(writev)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (f && !f->ops->write)
		return -LINUX_EINVAL;
	return rw_vec(sc, 1);
}

LX_SYSCALL(lseek)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (!f->ops->lseek)
		return -LINUX_ESPIPE;
	return f->ops->lseek(f, (int64_t)sc->a[1], (int)sc->a[2]);
}

LX_SYSCALL(close)
{
	return lx_fd_close(lx_proc.fds, (int)sc->a[0]);
}

static long do_openat(long dirfd, uint64_t upath, uint64_t flags, uint64_t mode)
{
	char path[LX_PATH_MAX];
	long r = sys_path_in(path, upath);
	if (r < 0)
		return r;
	if ((flags & LINUX_O_TMPFILE) == LINUX_O_TMPFILE && (flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY)
		return -LINUX_EINVAL;
	struct lx_file *f;
	r = vfs_openat((int)dirfd, path, (unsigned)flags, (unsigned)mode, &f);
	if (r < 0)
		return r;
	/* open and openat force O_LARGEFILE on a 64-bit kernel (F_GETFL reports it) */
	f->flags = ((unsigned)flags | LINUX_O_LARGEFILE) &
		   ~(unsigned)(LINUX_O_CLOEXEC | LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY |
			       LINUX_O_TRUNC);
	r = lx_fd_install(lx_proc.fds, f, 0, !!(flags & LINUX_O_CLOEXEC));
	lx_file_put(f);
	return r;
}

LX_SYSCALL(open)
{
	return do_openat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc->a[2]);
}

LX_SYSCALL(openat)
{
	return do_openat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}

LX_SYSCALL(creat)
{
	return do_openat(LINUX_AT_FDCWD, sc->a[0],
			 LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, sc->a[1]);
}

/*
 * openat2 with RESOLVE_BENEATH or RESOLVE_IN_ROOT: the whole walk is scoped under the starting
 * directory, so the host kernel resolves it from the guest dirfd's host fd (the cwd when
 * AT_FDCWD is on the host's filesystem): it cannot leave that directory whatever --root is,
 * and refuses magic links there (EXDEV) as Linux does. The other RESOLVE_* flags alone, and a
 * start in lxrun's own /proc, /dev or tmpfs, are not supported (EINVAL).
 */
/* Does a path into lxrun's /proc pass a symlink ("self", "thread-self", "mounts"...) or end
 * on a magic link (a process's exe, cwd, root, fd/N)? For RESOLVE_NO_SYMLINKS and
 * RESOLVE_NO_MAGICLINKS on the synthetic /proc, where the host cannot walk the path. */
static int proc_path_links(const char *path, int magic_only)
{
	if (strncmp(path, "/proc/", 6) != 0)
		return 0;
	const char *c = path + 6;
	if (!magic_only && (!strncmp(c, "self", 4) || !strncmp(c, "thread-self", 11) ||
			    !strcmp(c, "mounts") || !strncmp(c, "mounts/", 7) || !strcmp(c, "net") ||
			    !strncmp(c, "net/", 4)))
		return 1;
	const char *sub = strchr(c, '/');
	if (!sub)
		return 0;
	sub++;
	return !strcmp(sub, "exe") || !strcmp(sub, "cwd") || !strcmp(sub, "root") ||
	       (!strncmp(sub, "fd/", 3) && sub[3]) || !strncmp(sub, "cwd/", 4) ||
	       !strncmp(sub, "root/", 5);
}

static long openat2_scoped(long dirfd, uint64_t upath, const struct linux_open_how *how)
{
	char path[LX_PATH_MAX];
	long r = sys_path_in(path, upath);
	if (r < 0)
		return r;
	int hdir = AT_FDCWD;
	if (!(how->resolve & (LINUX_RESOLVE_BENEATH | LINUX_RESOLVE_IN_ROOT)) && path[0] == '/') {
		/* an absolute path without a scope: the host walks it where lxrun's tree is the
		 * host's own (no --root, a host filesystem); lxrun's /proc and /dev are other
		 * mounts (EXDEV for RESOLVE_NO_XDEV), with their symlinks checked here */
		struct lx_path p;
		if ((r = vfs_resolve(LINUX_AT_FDCWD, path, VFS_NOFOLLOW, &p)) < 0 &&
		    !(r == -LINUX_ENOENT && (how->flags & LINUX_O_CREAT)))
			return r;
		int synthetic = r == 0 && p.mnt->ops;
		if (r == 0)
			vfs_path_put(&p);
		if (synthetic) {
			if (how->resolve & LINUX_RESOLVE_NO_XDEV)
				return -LINUX_EXDEV;
			if (proc_path_links(path, !(how->resolve & LINUX_RESOLVE_NO_SYMLINKS)))
				return -LINUX_ELOOP;
			return do_openat(LINUX_AT_FDCWD, upath, how->flags, how->mode);
		}
		if (lx_proc.root[0])
			return -LINUX_EINVAL; /* a confined tree: not the host's walk */
	} else if (dirfd == LINUX_AT_FDCWD) {
		if (!vfs_cwd_is_host())
			return -LINUX_EINVAL;
	} else {
		struct lx_file *d = sys_file(dirfd);
		if (!d)
			return -LINUX_EBADF;
		if (d->mnt || d->host_fd < 0)
			return -LINUX_EINVAL;
		hdir = d->host_fd;
	}
	uint64_t h[3] = {how->flags | LINUX_O_CLOEXEC, how->mode, how->resolve};
	long hfd = lx_host_open(SYS_openat2, hdir, path, (long)h, sizeof(h));
	if (hfd < 0)
		return hfd;
	struct lx_file *f = lx_host_file_new((int)hfd, (unsigned)how->flags & ~LINUX_O_CLOEXEC, NULL);
	if (!f) {
		close((int)hfd);
		return -LINUX_ENOMEM;
	}
	f->flags = (unsigned)how->flags & ~(unsigned)(LINUX_O_CLOEXEC | LINUX_O_CREAT | LINUX_O_EXCL |
						      LINUX_O_NOCTTY | LINUX_O_TRUNC);
	r = lx_fd_install(lx_proc.fds, f, 0, !!(how->flags & LINUX_O_CLOEXEC));
	lx_file_put(f);
	return r;
}

LX_SYSCALL(openat2)
{
	struct linux_open_how how;
	uint64_t size = sc->a[3];
	/* copy_struct_from_user: a larger struct's tail must be readable and zero */
	if (size < sizeof(how))
		return -LINUX_EINVAL;
	if (size > 4096)
		return -LINUX_E2BIG;
	if (guest_copy_in(&how, sc->a[2], sizeof(how)) < 0)
		return -LINUX_EFAULT;
	for (uint64_t off = sizeof(how); off < size; off++) {
		uint8_t b;
		if (guest_copy_in(&b, sc->a[2] + off, 1) < 0)
			return -LINUX_EFAULT;
		if (b)
			return -LINUX_E2BIG;
	}
	/* build_open_flags: unknown flags or resolve bits, a mode beyond 07777 or without a
	 * file to create, both scopes at once */
	if (how.flags >> 32 || (how.mode && !(how.flags & (LINUX_O_CREAT | LINUX_O_TMPFILE))) ||
	    (how.mode & ~(uint64_t)07777) || (how.resolve & ~(uint64_t)0x3f) ||
	    (how.resolve & (LINUX_RESOLVE_BENEATH | LINUX_RESOLVE_IN_ROOT)) ==
		    (LINUX_RESOLVE_BENEATH | LINUX_RESOLVE_IN_ROOT))
		return -LINUX_EINVAL;
	if (how.resolve)
		return openat2_scoped((long)(int)sc->a[0], sc->a[1], &how);
	return do_openat((long)(int)sc->a[0], sc->a[1], how.flags, how.mode);
}

LX_SYSCALL(fstat)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	struct linux_stat st;
	long r = f->ops->fstat ? f->ops->fstat(f, &st) : -LINUX_EINVAL;
	if (r < 0)
		return r;
	return guest_copy_out(sc->a[1], &st, sizeof(st));
}

LX_SYSCALL(getdents64)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!f || (f->flags & LINUX_O_PATH))
		return -LINUX_EBADF;
	if (!f->ops->getdents64)
		return -LINUX_ENOTDIR;
	return f->ops->getdents64(f, sc->a[1], sc->a[2]);
}

/*
 * The old getdents: struct linux_dirent is getdents64's record with d_type moved from before
 * the name to the record's last byte (offsetof(d_name) 18 instead of 19, one more byte after
 * the NUL), so every record keeps its length and the entries are converted in place.
 */
LX_SYSCALL(getdents)
{
	long r = sys_getdents64(sc);
	if (r <= 0)
		return r;
	char *b = malloc((size_t)r);
	if (!b)
		return -LINUX_ENOMEM;
	if (guest_copy_in(b, sc->a[1], (size_t)r) < 0) {
		free(b);
		return -LINUX_EFAULT;
	}
	for (long o = 0; o + 20 <= r;) {
		uint16_t len;
		memcpy(&len, b + o + 16, sizeof(len));
		if (len < 20 || o + len > r)
			break;
		char type = b[o + 18];
		size_t n = strnlen(b + o + 19, (size_t)len - 19);
		memmove(b + o + 18, b + o + 19, n);
		memset(b + o + 18 + n, 0, (size_t)len - 18 - n);
		b[o + len - 1] = type;
		o += len;
	}
	r = guest_copy_out(sc->a[1], b, (size_t)r) < 0 ? -LINUX_EFAULT : r;
	free(b);
	return r;
}

/* The pidfd (type 0xFF) and namespace-file (type 0xb7, nsfs) ioctls: served by the host on
 * the host's pidfd or nsfs file, the fds some of them return installed as the guest's. 1 if
 * cmd is one of them on such a file (*r: the result). */
#define PIDFS_MAGIC	    0x50494446
#define ANON_INODE_MAGIC    0x09041934
#define NSFS_MAGIC	    0x6e736673
static int pidfd_ns_ioctl(struct lx_file *f, unsigned cmd, uint64_t arg, long *r)
{
	unsigned type = (cmd >> 8) & 0xff, nr = cmd & 0xff, dir_size = cmd >> 16;
	struct statfs sfs;
	if ((type != 0xff && type != 0xb7 && type != 0xaa) || f->host_fd < 0 ||
	    fstatfs(f->host_fd, &sfs) < 0)
		return 0;
	/* 0xaa: the UFFDIO_* requests on a userfaultfd (an anonymous inode), addresses only */
	if (type == 0xff ? sfs.f_type != PIDFS_MAGIC && sfs.f_type != ANON_INODE_MAGIC
	    : type == 0xaa ? sfs.f_type != ANON_INODE_MAGIC
			   : sfs.f_type != NSFS_MAGIC)
		return 0;
	*r = lx_host(ioctl(f->host_fd, (unsigned long)cmd, (void *)(uintptr_t)arg));
	/* PIDFD_GET_*_NAMESPACE (_IO(0xFF, 1..10)), NS_GET_USERNS and NS_GET_PARENT (_IO(0xb7,
	 * 1..2)) and NS_MNT_GET_NEXT/PREV (_IOR(0xb7, 11..12)) return a new close-on-exec fd */
	if (*r >= 0 && type != 0xaa &&
	    (type == 0xff ? !dir_size && nr >= 1 && nr <= 10
			  : (!dir_size && (nr == 1 || nr == 2)) || nr == 11 || nr == 12))
		*r = sys_install_host_fd((int)*r, LINUX_O_CLOEXEC);
	return 1;
}

/*
 * PROCMAP_QUERY (Linux 6.11) on an open /proc/PID/maps of the guest's own: one mapping of the
 * guest's map by address, as the lines of the file show it. struct procmap_query is 104 bytes
 * (the first version); a larger one must end in zeros.
 */
#define PROCMAP_QUERY 0xc0686611u
struct procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size;
	uint64_t vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};

static int is_own_maps(const struct lx_file *f)
{
	char own[40];
	if (!f->mnt || f->mnt->ops != &lx_procfs_ops || !f->path || f->host_fd >= 0)
		return 0;
	snprintf(own, sizeof(own), "/proc/%d/maps", lx_proc.pid);
	return !strcmp(f->path, "/proc/self/maps") || !strcmp(f->path, own) ||
	       !strcmp(f->path, "/proc/thread-self/maps");
}

static long procmap_query(uint64_t uq)
{
	struct procmap_query q = {0};
	uint64_t usize;
	if (guest_copy_in(&usize, uq, sizeof(usize)) < 0)
		return -LINUX_EFAULT;
	if (usize > 4096)
		return -LINUX_E2BIG;
	if (usize < 88) /* up to vma_name_addr */
		return -LINUX_EINVAL;
	if (guest_copy_in(&q, uq, usize < sizeof(q) ? usize : sizeof(q)) < 0)
		return -LINUX_EFAULT;
	for (uint64_t off = sizeof(q); off < usize; off++) {
		uint8_t z;
		if (guest_copy_in(&z, uq + off, 1) < 0)
			return -LINUX_EFAULT;
		if (z)
			return -LINUX_E2BIG;
	}
	if (q.query_flags & ~0x3full)
		return -LINUX_EINVAL;
	if (!!q.vma_name_size != !!q.vma_name_addr || !!q.build_id_size != !!q.build_id_addr)
		return -LINUX_EINVAL;
	struct lx_vma v;
	char name[4096];
	int r = mm_query(q.query_addr, !!(q.query_flags & 0x10), (unsigned)(q.query_flags & 0xf),
			 !!(q.query_flags & 0x20), &v, name, sizeof(name));
	if (r < 0)
		return r;
	int file = v.dev || v.ino;
	q.vma_start = v.start;
	q.vma_end = v.end;
	q.vma_flags = v.prot | (v.flags & LX_VMA_SHARED ? 8u : 0);
	q.vma_page_size = 4096;
	q.vma_offset = file ? v.offset : 0;
	q.inode = file ? v.ino : 0;
	q.dev_major = file ? mm_dev_major(v.dev) : 0;
	q.dev_minor = file ? mm_dev_minor(v.dev) : 0;
	q.build_id_size = 0;
	if (q.vma_name_size) {
		size_t need = name[0] ? strlen(name) + 1 : 0;
		if (need > q.vma_name_size)
			return -LINUX_ENAMETOOLONG;
		if (need && guest_copy_out(q.vma_name_addr, name, need) < 0)
			return -LINUX_EFAULT;
		q.vma_name_size = (uint32_t)need;
	}
	if (guest_copy_out(uq, &q, usize < sizeof(q) ? usize : sizeof(q)) < 0)
		return -LINUX_EFAULT;
	return 0;
}

LX_SYSCALL(ioctl)
{
	struct lx_file *f = sys_file((int)sc->a[0]);
	if (!f || (f->flags & LINUX_O_PATH))
		return -LINUX_EBADF; /* an O_PATH fd does no I/O, ioctl included */
	unsigned cmd = (unsigned)sc->a[1];
	long r;
	/* inode flags, extents, clones...: lx_hostadmin_ioctl below, in both models */
	if (pidfd_ns_ioctl(f, cmd, sc->a[2], &r))
		return r;
	if (cmd == PROCMAP_QUERY && is_own_maps(f))
		return procmap_query(sc->a[2]);
	if (cmd == 0xaa00 /* USERFAULTFD_IOC_NEW: a new userfaultfd, from /dev/userfaultfd */ &&
	    f->mnt && f->mnt->ops == &lx_devfs_ops && f->host_fd >= 0) {
		unsigned fl = (unsigned)sc->a[2];
		int hfd = ioctl(f->host_fd, 0xaa00, (int)(fl | LINUX_O_CLOEXEC));
		return sys_install_host_fd(hfd, fl);
	}
	switch (cmd) {
	case LINUX_FIOCLEX:
	case LINUX_FIONCLEX:
		return lx_fd_set_cloexec(lx_proc.fds, (int)sc->a[0], cmd == LINUX_FIOCLEX);
	case LINUX_FIONBIO: {
		int on;
		if (guest_copy_in(&on, sc->a[2], sizeof(on)) < 0)
			return -LINUX_EFAULT;
		if (f->host_fd >= 0 && ioctl(f->host_fd, FIONBIO, &on) < 0)
			return lx_errno(errno);
		f->flags = on ? f->flags | LINUX_O_NONBLOCK : f->flags & ~(unsigned)LINUX_O_NONBLOCK;
		return 0;
	}
	case LINUX_FIONREAD:
	case LINUX_FIOASYNC:
		break;
	case 0x5441: { /* TIOCGPTPEER: opens the pty's other end, a new fd of the guest's */
		if (f->ops != &lx_host_file_ops)
			return -LINUX_ENOTTY;
		unsigned fl = (unsigned)sc->a[2];
		int hfd = ioctl(f->host_fd, 0x5441, (int)(fl | LINUX_O_CLOEXEC));
		return sys_install_host_fd(hfd, fl);
	}
	case LINUX_SIOCGIFNAME:
	case LINUX_SIOCGIFCONF:
	case LINUX_SIOCGIFFLAGS:
	case LINUX_SIOCGIFADDR:
	case LINUX_SIOCGIFDSTADDR:
	case LINUX_SIOCGIFBRDADDR:
	case LINUX_SIOCGIFNETMASK:
	case LINUX_SIOCGIFMETRIC:
	case LINUX_SIOCGIFMTU:
	case LINUX_SIOCGIFHWADDR:
	case LINUX_SIOCGIFINDEX:
	case LINUX_SIOCGIFTXQLEN: {
		/* Interface queries on a socket: the guest sees the host's network (translate mode
		 * shares it), and the layouts are the host's. SIOCGIFCONF's ifc_buf is a guest
		 * address the host kernel writes to directly (guest memory is ours; a bad one is
		 * EFAULT from the kernel). On anything but a socket Linux says ENOTTY. */
		struct stat st;
		if (f->host_fd < 0 || fstat(f->host_fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			return -LINUX_ENOTTY;
		return lx_host(ioctl(f->host_fd, (unsigned long)cmd, (void *)(uintptr_t)sc->a[2]));
	}
	default:
		/* Terminal ioctls (type 'T': 0x54xx) have fixed, known argument layouts that
		 * are the same for the host; nothing else reaches the host. */
		long hr;
		if ((cmd & 0xff00) != 0x5400 && lx_hostadmin_ioctl(f, cmd, sc->a[2], &hr))
			return hr;
		if ((cmd & 0xff00) != 0x5400) {
			lx_report_unsupported(sc, "ioctl request outside the terminal group (0x54xx)",
					      -LINUX_ENOTTY);
			return -LINUX_ENOTTY;
		}
	}
	if (!f->ops->ioctl)
		return -LINUX_ENOTTY;
	return f->ops->ioctl(f, cmd, sc->a[2]);
}

static long do_dup(int oldfd, int newfd, int cloexec, int exact)
{
	struct lx_file *f = sys_file(oldfd);
	if (!f)
		return -LINUX_EBADF;
	if (exact)
		return newfd >= lx_proc.fds->limit ? -LINUX_EBADF
						   : lx_fd_install_at(lx_proc.fds, newfd, f, cloexec);
	return lx_fd_install(lx_proc.fds, f, newfd, cloexec);
}

LX_SYSCALL(dup)
{
	return do_dup((int)sc->a[0], 0, 0, 0);
}

LX_SYSCALL(dup2)
{
	if (!sys_file((int)sc->a[0]))
		return -LINUX_EBADF;
	if (sc->a[0] == sc->a[1])
		return (long)(int)sc->a[1];
	return do_dup((int)sc->a[0], (int)sc->a[1], 0, 1);
}

LX_SYSCALL(dup3)
{
	if (sc->a[2] & ~(uint64_t)LINUX_O_CLOEXEC)
		return -LINUX_EINVAL;
	if (sc->a[0] == sc->a[1])
		return -LINUX_EINVAL;
	return do_dup((int)sc->a[0], (int)sc->a[1], !!(sc->a[2] & LINUX_O_CLOEXEC), 1);
}

LX_SYSCALL(fcntl)
{
	int fd = (int)sc->a[0];
	struct lx_file *f = sys_file(fd);
	if (!f)
		return -LINUX_EBADF;
	uint64_t arg = sc->a[2];
	switch ((int)sc->a[1]) {
	case LINUX_F_DUPFD:
	case LINUX_F_DUPFD_CLOEXEC:
		if ((int64_t)arg < 0 || arg >= (uint64_t)lx_proc.fds->limit) /* RLIMIT_NOFILE */
			return -LINUX_EINVAL;
		return do_dup(fd, (int)arg, (int)sc->a[1] == LINUX_F_DUPFD_CLOEXEC, 0);
	case LINUX_F_GETFD:
		return *lx_fd_cloexec(lx_proc.fds, fd) ? LINUX_FD_CLOEXEC : 0;
	case LINUX_F_SETFD:
		return lx_fd_set_cloexec(lx_proc.fds, fd, !!(arg & LINUX_FD_CLOEXEC));
	case LINUX_F_GETFL:
		return f->flags;
	case LINUX_F_SETFL: {
		unsigned settable = LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_NOATIME | LINUX_O_DIRECT |
				    LINUX_O_ASYNC;
		if (f->host_fd >= 0 &&
		    fcntl(f->host_fd, F_SETFL, (int)(arg & settable)) < 0)
			return lx_errno(errno);
		f->flags = (f->flags & ~settable) | ((unsigned)arg & settable);
		return 0;
	}
	case LINUX_F_GETLK:
	case LINUX_F_SETLK:
	case LINUX_F_SETLKW:
	case LINUX_F_OFD_GETLK:
	case LINUX_F_OFD_SETLK:
	case LINUX_F_OFD_SETLKW:
		/* Record locks live in the host kernel, shared with every other process;
		 * the struct flock layout is the host's, the kernel checks the pointer. */
		if (f->host_fd < 0)
			return f->mnt ? 0 : -LINUX_EBADF;
		if (sc->a[1] == LINUX_F_SETLKW || sc->a[1] == LINUX_F_OFD_SETLKW) {
			/* only the wait is interruptible (a free lock is taken with a signal
			 * pending), and with lx_safe even by a signal just before it */
			int now = sc->a[1] == LINUX_F_SETLKW ? F_SETLK : F_OFD_SETLK;
			long r = lx_host(fcntl(f->host_fd, now, (void *)arg));
			if (r != -LINUX_EAGAIN && r != -LINUX_EACCES)
				return r;
			return lx_safe(SYS_fcntl, f->host_fd, (int)sc->a[1], arg);
		}
		return lx_host(fcntl(f->host_fd, (int)sc->a[1], (void *)arg));
	case LINUX_F_GETPIPE_SZ:
	case LINUX_F_SETPIPE_SZ:
	case LINUX_F_ADD_SEALS:
	case LINUX_F_GET_SEALS:
	case LINUX_F_GETOWN:
	case LINUX_F_SETOWN:
	case LINUX_F_GETSIG:
	case LINUX_F_SETSIG:
	case LINUX_F_GETLEASE:
	case LINUX_F_SETLEASE:
	case LINUX_F_NOTIFY:
	case LINUX_F_CREATED_QUERY:
		/* Owners, signals, leases and dnotify are the host file's: pids and tids are the
		 * host's, and the signals they raise reach the guest with si_fd made the guest's
		 * fd (signal_guest.c). */
		if (f->host_fd < 0)
			return -LINUX_EINVAL;
		return lx_host(fcntl(f->host_fd, (int)sc->a[1], (int)arg));
	case LINUX_F_GETOWN_EX:
	case LINUX_F_SETOWN_EX:
	case LINUX_F_GETOWNER_UIDS:
	case LINUX_F_GET_RW_HINT:
	case LINUX_F_SET_RW_HINT:
	case LINUX_F_GET_FILE_RW_HINT:
	case LINUX_F_SET_FILE_RW_HINT:
		/* struct f_owner_ex, uid pairs and the u64 hints have the host's layout; the
		 * host kernel reads and writes guest memory (ours) and checks the pointer */
		if (f->host_fd < 0)
			return -LINUX_EINVAL;
		return lx_host(fcntl(f->host_fd, (int)sc->a[1], (void *)arg));
	case LINUX_F_DUPFD_QUERY: {
		/* do both guest fds name the same open file description? */
		struct lx_file *g = sys_file((long)(int)arg);
		if (!g)
			return -LINUX_EBADF;
		if (f->host_fd >= 0 && g->host_fd >= 0)
			return lx_host(fcntl(f->host_fd, LINUX_F_DUPFD_QUERY, g->host_fd));
		return f == g;
	}
	default:
		return -LINUX_EINVAL;
	}
}
