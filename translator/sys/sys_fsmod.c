/* SPDX-License-Identifier: MIT */
/* Path syscalls that modify: mkdir, rmdir, unlink, rename, link, symlink, chmod, chown,
 * utimensat, truncate, mknod, sync, xattr writes. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_stat.h"
#include "abi/linux_time.h"
#include "abi/syscalls.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/meta.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/vfs/vfs.h"

/* Path of a synthetic file inside its mount (for f*-calls on tmpfs files). */
static const char *file_rel(struct lx_file *f)
{
	if (!f->path || !f->mnt)
		return NULL;
	const char *r = f->path + f->mnt->len;
	return *r ? r : "/";
}

static long do_mkdirat(long dirfd, uint64_t upath, uint64_t mode)
{
	struct lx_path p;
	long r = sys_resolve_user(dirfd, upath, VFS_PARENT, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops)
		r = p.mnt->ops->mkdir ? p.mnt->ops->mkdir(p.mnt, p.rel, (unsigned)mode & 07777 & ~lx_proc.umask)
				      : (p.mnt->ops->stat(p.mnt, p.rel, &(struct linux_stat){0}) == 0 ? -LINUX_EEXIST : -LINUX_EACCES);
	else
		r = lx_host(mkdirat(p.hdir, p.hname, (mode_t)(mode & 07777)));
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(mkdir)
{
	return do_mkdirat(LINUX_AT_FDCWD, sc->a[0], sc->a[1]);
}

LX_SYSCALL(mkdirat)
{
	return do_mkdirat((long)(int)sc->a[0], sc->a[1], sc->a[2]);
}

static long do_mknodat(long dirfd, uint64_t upath, uint64_t mode, uint64_t dev)
{
	struct lx_path p;
	long r = sys_resolve_user(dirfd, upath, VFS_PARENT, &p);
	if (r < 0)
		return r;
	struct stat st;
	if (p.mnt->ops)
		r = -LINUX_EPERM;
	else if (lx_meta_on && (LINUX_S_ISCHR(mode) || LINUX_S_ISBLK(mode)))
		r = meta_mknod_at(p.hdir, p.hname, (unsigned)mode & ~(lx_proc.umask & 0777u), dev);
	else if (vfs_confined() && (S_ISCHR(mode) || S_ISBLK(mode)) && !(S_ISCHR(mode) && !dev))
		/* Under --root no device nodes (a block device is the host's disk), as in a
		 * container without CAP_MKNOD: EEXIST first, then EPERM (Linux's order). */
		r = fstatat(p.hdir, p.hname, &st, AT_SYMLINK_NOFOLLOW) == 0 ? -LINUX_EEXIST
									    : -LINUX_EPERM;
	else
		r = lx_host(mknodat(p.hdir, p.hname, (mode_t)mode, (dev_t)dev));
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(mknod)
{
	return do_mknodat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc->a[2]);
}

LX_SYSCALL(mknodat)
{
	return do_mknodat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}

static long do_unlinkat(long dirfd, uint64_t upath, uint64_t flags)
{
	if (flags & ~(uint64_t)LINUX_AT_REMOVEDIR)
		return -LINUX_EINVAL;
	struct lx_path p;
	long r = sys_resolve_user(dirfd, upath, VFS_NOFOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops) {
		int (*op)(struct lx_mount *, const char *) =
			(flags & LINUX_AT_REMOVEDIR) ? p.mnt->ops->rmdir : p.mnt->ops->unlink;
		r = op ? op(p.mnt, p.rel) : -LINUX_EACCES;
	} else {
		r = lx_host(unlinkat(p.hdir, p.hname, (flags & LINUX_AT_REMOVEDIR) ? AT_REMOVEDIR : 0));
	}
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(unlink)
{
	return do_unlinkat(LINUX_AT_FDCWD, sc->a[0], 0);
}

LX_SYSCALL(rmdir)
{
	return do_unlinkat(LINUX_AT_FDCWD, sc->a[0], LINUX_AT_REMOVEDIR);
}

LX_SYSCALL(unlinkat)
{
	return do_unlinkat((long)(int)sc->a[0], sc->a[1], sc->a[2]);
}

/* Two-path calls: both ends must be on one filesystem. */
static long two_paths(long d1, uint64_t u1, int how1, long d2, uint64_t u2, struct lx_path *a,
		      struct lx_path *b)
{
	long r = sys_resolve_user(d1, u1, how1, a);
	if (r < 0)
		return r;
	r = sys_resolve_user(d2, u2, VFS_PARENT, b);
	if (r < 0) {
		vfs_path_put(a);
		return r;
	}
	if (a->mnt != b->mnt) {
		vfs_path_put(a);
		vfs_path_put(b);
		return -LINUX_EXDEV;
	}
	return 0;
}

static long do_renameat2(long d1, uint64_t u1, long d2, uint64_t u2, uint64_t flags)
{
	if (flags & ~(uint64_t)(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE | LINUX_RENAME_WHITEOUT))
		return -LINUX_EINVAL;
	if ((flags & LINUX_RENAME_EXCHANGE) && (flags & (LINUX_RENAME_NOREPLACE | LINUX_RENAME_WHITEOUT)))
		return -LINUX_EINVAL;
	struct lx_path a, b;
	long r = two_paths(d1, u1, VFS_NOFOLLOW, d2, u2, &a, &b);
	if (r < 0)
		return r;
	if (a.mnt->ops)
		r = a.mnt->ops->rename ? a.mnt->ops->rename(a.mnt, a.rel, b.rel, (unsigned)flags) : -LINUX_EACCES;
	else
		r = lx_host(syscall(SYS_renameat2, a.hdir, a.hname, b.hdir, b.hname, (unsigned)flags));
	vfs_path_put(&a);
	vfs_path_put(&b);
	return r;
}

LX_SYSCALL(rename)
{
	return do_renameat2(LINUX_AT_FDCWD, sc->a[0], LINUX_AT_FDCWD, sc->a[1], 0);
}

LX_SYSCALL(renameat)
{
	return do_renameat2((long)(int)sc->a[0], sc->a[1], (long)(int)sc->a[2], sc->a[3], 0);
}

LX_SYSCALL(renameat2)
{
	return do_renameat2((long)(int)sc->a[0], sc->a[1], (long)(int)sc->a[2], sc->a[3], sc->a[4]);
}

static long do_linkat(long d1, uint64_t u1, long d2, uint64_t u2, uint64_t flags)
{
	if (flags & ~(uint64_t)(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	char old[LX_PATH_MAX];
	long r = guest_strncpy_in(old, u1, sizeof(old));
	if (r < 0)
		return r;
	struct lx_path a, b;
	struct lx_file *src = NULL;
	if (r == 0 && (flags & LINUX_AT_EMPTY_PATH)) {
		src = sys_file(d1); /* linkat(fd, "", ..., AT_EMPTY_PATH): the open file itself */
		if (!src)
			return -LINUX_EBADF;
	} else if (r > 0 && (flags & LINUX_AT_SYMLINK_FOLLOW)) {
		/* /proc/self/fd/N of an O_TMPFILE or deleted file: the magic link's file */
		r = vfs_resolve((int)d1, old, VFS_FOLLOW, &a);
		if (r < 0)
			return r;
		if (a.mnt->ops == &lx_procfs_ops)
			src = procfs_fd_file(a.rel);
		vfs_path_put(&a);
	}
	if (src) {
		if (src->host_fd < 0 || src->mnt)
			return -LINUX_EXDEV;
		r = sys_resolve_user(d2, u2, VFS_PARENT, &b);
		if (r < 0)
			return r;
		if (b.mnt->ops)
			r = -LINUX_EXDEV;
		else
			r = lx_host(linkat(src->host_fd, "", b.hdir, b.hname, AT_EMPTY_PATH));
		vfs_path_put(&b);
		return r;
	}
	r = two_paths(d1, u1, (flags & LINUX_AT_SYMLINK_FOLLOW) ? VFS_FOLLOW : VFS_NOFOLLOW, d2, u2,
		      &a, &b);
	if (r < 0)
		return r;
	if (a.mnt->ops)
		r = a.mnt->ops->link ? a.mnt->ops->link(a.mnt, a.rel, b.rel) : -LINUX_EPERM;
	else
		r = lx_host(linkat(a.hdir, a.hname, b.hdir, b.hname,
				   (flags & LINUX_AT_SYMLINK_FOLLOW) ? AT_SYMLINK_FOLLOW : 0));
	vfs_path_put(&a);
	vfs_path_put(&b);
	return r;
}

LX_SYSCALL(link)
{
	return do_linkat(LINUX_AT_FDCWD, sc->a[0], LINUX_AT_FDCWD, sc->a[1], 0);
}

LX_SYSCALL(linkat)
{
	return do_linkat((long)(int)sc->a[0], sc->a[1], (long)(int)sc->a[2], sc->a[3], sc->a[4]);
}

static long do_symlinkat(uint64_t utarget, long dirfd, uint64_t upath)
{
	char target[LX_PATH_MAX];
	long r = sys_path_in(target, utarget);
	if (r < 0)
		return r;
	struct lx_path p;
	r = sys_resolve_user(dirfd, upath, VFS_PARENT, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops)
		r = p.mnt->ops->symlink ? p.mnt->ops->symlink(p.mnt, target, p.rel) : -LINUX_EACCES;
	else
		r = lx_host(symlinkat(target, p.hdir, p.hname));
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(symlink)
{
	return do_symlinkat(sc->a[0], LINUX_AT_FDCWD, sc->a[1]);
}

LX_SYSCALL(symlinkat)
{
	return do_symlinkat(sc->a[0], (long)(int)sc->a[1], sc->a[2]);
}

/* fchmodat2(fd, "", mode, AT_EMPTY_PATH): the file itself, an O_PATH fd included (a
 * symlink's: EOPNOTSUPP, from the host). */
static long fchmod_empty(long dirfd, uint64_t mode, uint64_t flags)
{
	struct lx_file *f = sys_file(dirfd);
	if (!f)
		return -LINUX_EBADF;
	if (f->mnt && f->mnt->ops)
		return f->mnt->ops->chmod && file_rel(f)
			       ? f->mnt->ops->chmod(f->mnt, file_rel(f), (unsigned)mode & 07777)
			       : -LINUX_EPERM;
	if (f->host_fd < 0)
		return -LINUX_EPERM;
	long r = lx_host(syscall(LINUX_SYS_fchmodat2, f->host_fd, "", (mode_t)(mode & 07777),
				 AT_EMPTY_PATH));
	if (r == 0 && lx_meta_on)
		meta_chmod_fd(f->host_fd, (unsigned)mode);
	return r;
}

static long do_fchmodat(long dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	if (flags & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	char first;
	if ((flags & LINUX_AT_EMPTY_PATH) && dirfd != LINUX_AT_FDCWD &&
	    guest_copy_in(&first, upath, 1) == 0 && !first)
		return fchmod_empty(dirfd, mode, flags);
	struct lx_path p;
	long r = (flags & LINUX_AT_EMPTY_PATH) && guest_copy_in(&first, upath, 1) == 0 && !first
			 ? vfs_resolve(LINUX_AT_FDCWD, ".", VFS_FOLLOW, &p)
			 : sys_resolve_user(dirfd, upath,
					    (flags & LINUX_AT_SYMLINK_NOFOLLOW) ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops)
		r = p.mnt->ops->chmod ? p.mnt->ops->chmod(p.mnt, p.rel, (unsigned)mode & 07777) : -LINUX_EPERM;
	else
	{
		int hflags = (flags & LINUX_AT_SYMLINK_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0;
		r = lx_host(syscall(LINUX_SYS_fchmodat2, p.hdir, p.hname, (mode_t)(mode & 07777), hflags));
		if (r == -LINUX_ENOSYS && !hflags) /* host kernel before 6.6 */
			r = lx_host(fchmodat(p.hdir, p.hname, (mode_t)(mode & 07777), 0));
		if (r == 0 && lx_meta_on)
			meta_chmod_at(p.hdir, p.hname, !!hflags, (unsigned)mode);
	}
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(chmod)
{
	return do_fchmodat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], 0);
}

LX_SYSCALL(fchmodat)
{
	return do_fchmodat((long)(int)sc->a[0], sc->a[1], sc->a[2], 0);
}

LX_SYSCALL(fchmodat2)
{
	return do_fchmodat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}

LX_SYSCALL(fchmod)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->flags & LINUX_O_PATH)
		return -LINUX_EBADF;
	if (f->mnt && f->mnt->ops)
		return f->mnt->ops->chmod && file_rel(f)
			       ? f->mnt->ops->chmod(f->mnt, file_rel(f), (unsigned)sc->a[1] & 07777)
			       : -LINUX_EPERM;
	long r = lx_host(fchmod(f->host_fd, (mode_t)(sc->a[1] & 07777)));
	if (r == 0 && lx_meta_on)
		meta_chmod_fd(f->host_fd, (unsigned)sc->a[1]);
	return r;
}

static long do_fchownat(long dirfd, uint64_t upath, uint64_t uid, uint64_t gid, uint64_t flags)
{
	if (flags & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	char path[LX_PATH_MAX];
	long r = guest_strncpy_in(path, upath, sizeof(path));
	if (r < 0)
		return r;
	if (r == 0) {
		if (!(flags & LINUX_AT_EMPTY_PATH))
			return -LINUX_ENOENT;
		struct lx_file *f = sys_file(dirfd);
		if (!f)
			return -LINUX_EBADF;
		if (f->host_fd < 0 || f->mnt)
			return -LINUX_EPERM;
		if (lx_meta_on)
			return meta_chown_fd(f->host_fd, (uint32_t)uid, (uint32_t)gid);
		return lx_host(fchownat(f->host_fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH));
	}
	struct lx_path p;
	int nofollow = !!(flags & LINUX_AT_SYMLINK_NOFOLLOW);
	r = vfs_resolve((int)dirfd, path, nofollow ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops)
		r = p.mnt->ops->chown ? p.mnt->ops->chown(p.mnt, p.rel, (uint32_t)uid, (uint32_t)gid) : -LINUX_EPERM;
	else if (lx_meta_on)
		r = meta_chown_at(p.hdir, p.hname, nofollow, (uint32_t)uid, (uint32_t)gid);
	else
		r = lx_host(fchownat(p.hdir, p.hname, (uid_t)uid, (gid_t)gid,
				     nofollow ? AT_SYMLINK_NOFOLLOW : 0));
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(chown)
{
	return do_fchownat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc->a[2], 0);
}

LX_SYSCALL(lchown)
{
	return do_fchownat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc->a[2], LINUX_AT_SYMLINK_NOFOLLOW);
}

LX_SYSCALL(fchownat)
{
	return do_fchownat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4]);
}

LX_SYSCALL(fchown)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->mnt && f->mnt->ops)
		return f->mnt->ops->chown && file_rel(f)
			       ? f->mnt->ops->chown(f->mnt, file_rel(f), (uint32_t)sc->a[1], (uint32_t)sc->a[2])
			       : -LINUX_EPERM;
	if (lx_meta_on && !f->mnt)
		return meta_chown_fd(f->host_fd, (uint32_t)sc->a[1], (uint32_t)sc->a[2]);
	return lx_host(fchown(f->host_fd, (uid_t)sc->a[1], (gid_t)sc->a[2]));
}

LX_SYSCALL(utimensat)
{
	long dirfd = (long)(int)sc->a[0];
	uint64_t flags = sc->a[3];
	if (flags & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	struct lx_file *f = NULL;
	if (!sc->a[1]) { /* futimens: the fd itself */
		if (dirfd == LINUX_AT_FDCWD)
			return -LINUX_EFAULT;
		if (flags) /* do_utimes_fd: no flags on the fd itself */
			return -LINUX_EINVAL;
		if (!(f = sys_file(dirfd)))
			return -LINUX_EBADF;
	}
	struct linux_timespec ts[2];
	if (sc->a[2] && guest_copy_in(ts, sc->a[2], sizeof(ts)) < 0)
		return -LINUX_EFAULT;
	if (f) {
		if (f->mnt && f->mnt->ops)
			return f->mnt->ops->utimens && file_rel(f)
				       ? f->mnt->ops->utimens(f->mnt, file_rel(f), sc->a[2] ? ts : NULL)
				       : -LINUX_EPERM;
		return lx_host(syscall(SYS_utimensat, f->host_fd, NULL, sc->a[2] ? (void *)ts : NULL, 0));
	}
	struct lx_path p;
	int nofollow = !!(flags & LINUX_AT_SYMLINK_NOFOLLOW);
	long r = sys_resolve_user(dirfd, sc->a[1], nofollow ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops)
		r = p.mnt->ops->utimens ? p.mnt->ops->utimens(p.mnt, p.rel, sc->a[2] ? ts : NULL) : -LINUX_EPERM;
	else
		r = lx_host(syscall(SYS_utimensat, p.hdir, p.hname, sc->a[2] ? (void *)ts : NULL,
				    nofollow ? AT_SYMLINK_NOFOLLOW : 0));
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(truncate)
{
	if ((int64_t)sc->a[1] < 0)
		return -LINUX_EINVAL;
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, sc->a[0], VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops) {
		r = p.mnt->ops->truncate ? p.mnt->ops->truncate(p.mnt, p.rel, (int64_t)sc->a[1]) : -LINUX_EACCES;
	} else {
		char buf[LX_PATH_MAX + 32];
		r = lx_host(truncate(sys_host_abs(&p, buf, sizeof(buf)), (off_t)sc->a[1]));
	}
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(ftruncate)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f || (f->flags & LINUX_O_PATH))
		return -LINUX_EBADF;
	if ((int64_t)sc->a[1] < 0)
		return -LINUX_EINVAL;
	if ((f->flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY)
		return -LINUX_EINVAL;
	if (f->ops->ftruncate)
		return f->ops->ftruncate(f, (int64_t)sc->a[1]);
	if (f->host_fd < 0)
		return -LINUX_EINVAL;
	return lx_host(ftruncate(f->host_fd, (off_t)sc->a[1]));
}

static long do_sync(long fd, int data)
{
	struct lx_file *f = sys_file(fd);
	if (!f)
		return -LINUX_EBADF;
	/* devfs's nodes are host device nodes: the host says (a block device syncs, /dev/null
	 * is EINVAL) */
	if (f->mnt && f->mnt->ops && !(f->mnt->ops == &lx_devfs_ops && f->host_fd >= 0))
		return f->mnt->ops == &lx_tmpfs_ops ? 0 : -LINUX_EINVAL;
	if (f->host_fd < 0)
		return -LINUX_EINVAL;
	return lx_host(data ? fdatasync(f->host_fd) : fsync(f->host_fd));
}

LX_SYSCALL(fsync)
{
	return do_sync((long)(int)sc->a[0], 0);
}

LX_SYSCALL(fdatasync)
{
	return do_sync((long)(int)sc->a[0], 1);
}

LX_SYSCALL(sync)
{
	sync();
	return 0;
}

