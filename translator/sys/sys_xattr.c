/* SPDX-License-Identifier: MIT */
/* Extended attributes: hostfs objects go to the host (which checks the guest buffers); lxrun's
 * synthetic filesystems have none. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/meta.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/vfs/vfs.h"

enum xop { X_GET, X_LIST, X_SET, X_REMOVE };

/* An attribute name: too long is ERANGE for the xattr calls. */
static long name_in(char *name, uint64_t u)
{
	long r = guest_strncpy_in(name, u, 256);
	return r == -LINUX_ENAMETOOLONG ? -LINUX_ERANGE : r;
}

/* What a synthetic object answers: nothing to list, no such attribute, cannot set. */
static long synthetic(enum xop op)
{
	return op == X_LIST ? 0 : op == X_GET ? -LINUX_ENODATA : -LINUX_EOPNOTSUPP;
}

/* lxrun -d as a normal user: the user.lxrun.* attributes are the file's metadata
 * (translator/meta.c), not the guest's: invisible and untouchable, as WSL1's are. */
#define META_PREFIX "user.lxrun."

static int meta_name(const char *name)
{
	return lx_meta_on && !strncmp(name, META_PREFIX, sizeof(META_PREFIX) - 1);
}

/* A name list without the metadata names, into the guest's buffer (size 0: the length). */
static long list_filtered(long n, const char *buf, uint64_t ubuf, uint64_t size)
{
	char *out = malloc((size_t)n + 1);
	long len = 0;
	if (!out)
		return -LINUX_ENOMEM;
	for (long i = 0; i < n;) {
		size_t l = strnlen(buf + i, (size_t)(n - i)) + 1;
		if (strncmp(buf + i, META_PREFIX, sizeof(META_PREFIX) - 1)) {
			memcpy(out + len, buf + i, l);
			len += (long)l;
		}
		i += (long)l;
	}
	long r = len;
	if (size && (uint64_t)len > size)
		r = -LINUX_ERANGE;
	else if (size && len && guest_copy_out(ubuf, out, (size_t)len) < 0)
		r = -LINUX_EFAULT;
	free(out);
	return r;
}

/* list through a host buffer: hp a path (nofollow for llistxattr) or, when NULL, the fd. */
static long list_meta(const char *hp, int nofollow, int fd, uint64_t ubuf, uint64_t size)
{
	static char buf[65536];
	ssize_t n = hp ? (nofollow ? llistxattr : listxattr)(hp, buf, sizeof(buf))
		       : flistxattr(fd, buf, sizeof(buf));
	if (n < 0)
		return lx_errno(errno);
	return list_filtered(n, buf, ubuf, size);
}

/* One operation on a host path (follow) or, for the l* calls, on the link itself. */
static long on_path(const char *hp, int nofollow, enum xop op, const char *name, struct lx_syscall *sc)
{
	long r;
	if (op != X_LIST && meta_name(name))
		return op == X_SET ? -LINUX_EPERM : -LINUX_ENODATA;
	if (op == X_LIST && lx_meta_on)
		return list_meta(hp, nofollow, -1, sc->a[1], sc->a[2]);
	switch (op) {
	case X_GET:
		r = (nofollow ? lgetxattr : getxattr)(hp, name, (void *)sc->a[2], sc->a[3]);
		break;
	case X_LIST:
		r = (nofollow ? llistxattr : listxattr)(hp, (char *)sc->a[1], sc->a[2]);
		break;
	case X_SET:
		r = (nofollow ? lsetxattr : setxattr)(hp, name, (void *)sc->a[2], sc->a[3], (int)sc->a[4]);
		break;
	default:
		r = (nofollow ? lremovexattr : removexattr)(hp, name);
	}
	return r < 0 ? lx_errno(errno) : r;
}

/* Linux looks the path up first, then copies the name (from uname). sc holds the value,
 * list and size arguments where the classic calls have them. */
static long xattr_at(long dirfd, uint64_t upath, uint64_t uname, struct lx_syscall *sc,
		     int nofollow, enum xop op)
{
	struct lx_path p;
	int how = nofollow ? VFS_NOFOLLOW : VFS_FOLLOW;
	/* upath 0: the directory dirfd itself (the *xattrat calls' AT_FDCWD with "") */
	long r = upath ? sys_resolve_user(dirfd, upath, how, &p) : vfs_resolve((int)dirfd, ".", how, &p);
	if (r < 0)
		return r;
	char name[256] = "", buf[LX_PATH_MAX + 32];
	r = op == X_LIST ? 0 : name_in(name, uname);
	if (r >= 0)
		r = p.mnt->ops ? synthetic(op)
			       : on_path(sys_host_abs(&p, buf, sizeof(buf)), nofollow, op, name, sc);
	vfs_path_put(&p);
	return r;
}

static long xattr_path(struct lx_syscall *sc, int nofollow, enum xop op)
{
	return xattr_at(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc, nofollow, op);
}

static long xattr_fd(struct lx_syscall *sc, enum xop op)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0 || f->mnt)
		return synthetic(op);
	char name[256] = "";
	long r = op == X_LIST ? 0 : name_in(name, sc->a[1]);
	if (r < 0)
		return r;
	if (op != X_LIST && meta_name(name))
		return op == X_SET ? -LINUX_EPERM : -LINUX_ENODATA;
	if (op == X_LIST && lx_meta_on)
		return list_meta(NULL, 0, f->host_fd, sc->a[1], sc->a[2]);
	switch (op) {
	case X_GET:
		return lx_host(fgetxattr(f->host_fd, name, (void *)sc->a[2], sc->a[3]));
	case X_LIST:
		return lx_host(flistxattr(f->host_fd, (char *)sc->a[1], sc->a[2]));
	case X_SET:
		return lx_host(fsetxattr(f->host_fd, name, (void *)sc->a[2], sc->a[3], (int)sc->a[4]));
	default:
		return lx_host(fremovexattr(f->host_fd, name));
	}
}

LX_SYSCALL(getxattr) { return xattr_path(sc, 0, X_GET); }
LX_SYSCALL(lgetxattr) { return xattr_path(sc, 1, X_GET); }
LX_SYSCALL(fgetxattr) { return xattr_fd(sc, X_GET); }
LX_SYSCALL(listxattr) { return xattr_path(sc, 0, X_LIST); }
LX_SYSCALL(llistxattr) { return xattr_path(sc, 1, X_LIST); }
LX_SYSCALL(flistxattr) { return xattr_fd(sc, X_LIST); }
LX_SYSCALL(setxattr) { return xattr_path(sc, 0, X_SET); }
LX_SYSCALL(lsetxattr) { return xattr_path(sc, 1, X_SET); }
LX_SYSCALL(fsetxattr) { return xattr_fd(sc, X_SET); }
LX_SYSCALL(removexattr) { return xattr_path(sc, 0, X_REMOVE); }
LX_SYSCALL(lremovexattr) { return xattr_path(sc, 1, X_REMOVE); }
LX_SYSCALL(fremovexattr) { return xattr_fd(sc, X_REMOVE); }

/*
 * The *xattrat calls (Linux 6.13): dirfd, path and AT_SYMLINK_NOFOLLOW/AT_EMPTY_PATH, and for
 * get and set a struct xattr_args {u64 value; u32 size; u32 flags} of usize bytes (at least
 * the 16 of its first version; a longer one must end in zeros: E2BIG). They are served by
 * the classic calls' code with the arguments moved where those have them.
 */
#define XATTR_ARGS_SIZE_VER0 16

static long xattrat(struct lx_syscall *sc, enum xop op)
{
	long dirfd = (long)(int)sc->a[0];
	uint64_t upath = sc->a[1], at = sc->a[2];
	struct lx_syscall c = *sc;
	char first;

	if ((unsigned int)at != at || (at & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH)))
		return -LINUX_EINVAL;
	if (op == X_GET || op == X_SET) {
		uint64_t usize = sc->a[5];
		uint8_t args[XATTR_ARGS_SIZE_VER0];
		if (usize < XATTR_ARGS_SIZE_VER0)
			return -LINUX_EINVAL;
		if (usize > 4096)
			return -LINUX_E2BIG;
		if (guest_copy_in(args, sc->a[4], sizeof(args)) < 0)
			return -LINUX_EFAULT;
		for (uint64_t i = XATTR_ARGS_SIZE_VER0; i < usize; i++) {
			uint8_t z;
			if (guest_copy_in(&z, sc->a[4] + i, 1) < 0)
				return -LINUX_EFAULT;
			if (z)
				return -LINUX_E2BIG;
		}
		uint64_t value;
		uint32_t size, flags;
		memcpy(&value, args, 8);
		memcpy(&size, args + 8, 4);
		memcpy(&flags, args + 12, 4);
		if (op == X_GET && flags)
			return -LINUX_EINVAL;
		c.a[2] = value;
		c.a[3] = size;
		c.a[4] = flags;
	} else if (op == X_LIST) {
		c.a[1] = sc->a[3];
		c.a[2] = sc->a[4];
	}
	/* an empty path with AT_EMPTY_PATH: the fd itself */
	if (guest_copy_in(&first, upath, 1) < 0)
		return -LINUX_EFAULT;
	if (!first && (at & LINUX_AT_EMPTY_PATH)) {
		c.a[0] = (uint64_t)dirfd;
		if (op != X_LIST)
			c.a[1] = sc->a[3];
		if (dirfd == LINUX_AT_FDCWD)
			return xattr_at(LINUX_AT_FDCWD, 0, sc->a[3], &c,
					!!(at & LINUX_AT_SYMLINK_NOFOLLOW), op);
		return xattr_fd(&c, op);
	}
	return xattr_at(dirfd, upath, sc->a[3], &c, !!(at & LINUX_AT_SYMLINK_NOFOLLOW), op);
}

LX_SYSCALL(setxattrat) { return xattrat(sc, X_SET); }
LX_SYSCALL(getxattrat) { return xattrat(sc, X_GET); }
LX_SYSCALL(listxattrat) { return xattrat(sc, X_LIST); }
LX_SYSCALL(removexattrat) { return xattrat(sc, X_REMOVE); }

/*
 * file_getattr/file_setattr (Linux 6.17): FS_IOC_FSGETXATTR/FSSETXATTR by path, with dirfd,
 * AT_SYMLINK_NOFOLLOW/AT_EMPTY_PATH and a struct file_attr of usize bytes. The flags and the
 * size are checked before the lookup, as Linux does; the host then reads or writes the
 * guest's struct itself. lxrun's synthetic files have no such attributes (EOPNOTSUPP, what
 * Linux answers for a filesystem without them).
 */
#define FILE_ATTR_SIZE_VER0 24

static long file_attr(struct lx_syscall *sc, long nr)
{
	long dirfd = (long)(int)sc->a[0];
	uint64_t upath = sc->a[1], usize = sc->a[3], at = sc->a[4];
	char first = 0;
	if ((unsigned int)at != at || (at & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH)))
		return -LINUX_EINVAL;
	if (usize > 4096)
		return -LINUX_E2BIG;
	if (usize < FILE_ATTR_SIZE_VER0)
		return -LINUX_EINVAL;
	if (upath && guest_copy_in(&first, upath, 1) < 0)
		return -LINUX_EFAULT;
	int hat = (at & LINUX_AT_SYMLINK_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0;
	if ((!upath || !first) && (at & LINUX_AT_EMPTY_PATH) && dirfd != LINUX_AT_FDCWD) {
		struct lx_file *f = sys_file(dirfd);
		if (!f)
			return -LINUX_EBADF;
		if (f->host_fd < 0 || (f->mnt && f->mnt->ops))
			return -LINUX_EOPNOTSUPP;
		return lx_host(syscall(nr, f->host_fd, "", sc->a[2], usize, hat | AT_EMPTY_PATH));
	}
	struct lx_path p;
	int how = hat ? VFS_NOFOLLOW : VFS_FOLLOW;
	long r = (!upath || !first) && (at & LINUX_AT_EMPTY_PATH)
			 ? vfs_resolve(LINUX_AT_FDCWD, ".", how, &p)
			 : sys_resolve_user(dirfd, upath, how, &p);
	if (r < 0)
		return r;
	struct linux_stat st;
	if (p.mnt->ops)
		r = p.mnt->ops->stat && (r = p.mnt->ops->stat(p.mnt, p.rel, &st)) < 0 ? r
									    : -LINUX_EOPNOTSUPP;
	else
		r = lx_host(syscall(nr, p.hdir, p.hname, sc->a[2], usize, hat));
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(file_getattr) { return file_attr(sc, 468); }
LX_SYSCALL(file_setattr) { return file_attr(sc, 469); }
