/* SPDX-License-Identifier: MIT */
/* Path syscalls that read: stat family, access, readlink, getcwd, chdir, statfs, xattr reads. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_stat.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/meta.h"
#include "translator/syscall.h"
#include "translator/sys/hostadmin.h"
#include "translator/sys/sys.h"
#include "translator/vfs/vfs.h"

const char *sys_host_abs(const struct lx_path *p, char *buf, size_t size)
{
	if (p->hdir == AT_FDCWD)
		return p->hname;
	snprintf(buf, size, "/proc/self/fd/%d/%s", p->hdir, p->hname);
	return buf;
}

long sys_resolve_user(long dirfd, uint64_t upath, int how, struct lx_path *p)
{
	char path[LX_PATH_MAX];
	long r = sys_path_in(path, upath);
	if (r < 0)
		return r;
	return vfs_resolve((int)dirfd, path, how, p);
}

/* stat of a resolved path into st (host layout == Linux layout on this host). */
static long stat_resolved(struct lx_path *p, int nofollow, struct linux_stat *st)
{
	if (p->mnt->ops) {
		if (!nofollow && p->mnt->ops == &lx_procfs_ops) {
			struct lx_file *f = procfs_fd_file(p->rel);
			if (f)
				return f->ops->fstat ? f->ops->fstat(f, st) : -LINUX_EINVAL;
			long r = procfs_stat_follow(p->rel, st);
			if (r <= 0)
				return r;
		}
		return p->mnt->ops->stat(p->mnt, p->rel, st);
	}
	long r;
	if (p->tmpfd >= 0 && p->target_fd == p->tmpfd) /* confined: the object's own O_PATH fd */
		r = lx_raw_syscall(SYS_newfstatat, p->target_fd, (long)"", (long)st, AT_EMPTY_PATH, 0, 0);
	else
		r = lx_raw_syscall(SYS_newfstatat, p->hdir, (long)p->hname, (long)st,
				   nofollow ? AT_SYMLINK_NOFOLLOW : 0, 0, 0);
	if (r < 0)
		return r;
	if (lx_meta_on)
		meta_stat_at(p->hdir, p->hname, nofollow, st);
	return 0;
}

long sys_stat_at(long dirfd, uint64_t upath, uint64_t flags, struct linux_stat *st)
{
	if (flags & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH |
				LINUX_AT_NO_AUTOMOUNT | LINUX_AT_STATX_SYNC_TYPE))
		return -LINUX_EINVAL;
	char path[LX_PATH_MAX];
	long r = guest_strncpy_in(path, upath, sizeof(path));
	if (r < 0)
		return r;
	if (r == 0) {
		if (!(flags & LINUX_AT_EMPTY_PATH))
			return -LINUX_ENOENT;
		if ((int)dirfd == LINUX_AT_FDCWD)
			strcpy(path, ".");
		else {
			struct lx_file *f = sys_file(dirfd);
			if (!f)
				return -LINUX_EBADF;
			return f->ops->fstat ? f->ops->fstat(f, st) : -LINUX_EINVAL;
		}
	}
	struct lx_path p;
	int nofollow = !!(flags & LINUX_AT_SYMLINK_NOFOLLOW);
	r = vfs_resolve((int)dirfd, path, nofollow ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	r = stat_resolved(&p, nofollow, st);
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(newfstatat)
{
	struct linux_stat st;
	long r = sys_stat_at((long)(int)sc->a[0], sc->a[1], sc->a[3], &st);
	return r < 0 ? r : guest_copy_out(sc->a[2], &st, sizeof(st));
}

LX_SYSCALL(stat)
{
	struct linux_stat st;
	long r = sys_stat_at(LINUX_AT_FDCWD, sc->a[0], 0, &st);
	return r < 0 ? r : guest_copy_out(sc->a[1], &st, sizeof(st));
}

LX_SYSCALL(lstat)
{
	struct linux_stat st;
	long r = sys_stat_at(LINUX_AT_FDCWD, sc->a[0], LINUX_AT_SYMLINK_NOFOLLOW, &st);
	return r < 0 ? r : guest_copy_out(sc->a[1], &st, sizeof(st));
}

static void ts_to_statx(struct linux_statx_timestamp *t, uint64_t sec, uint64_t nsec)
{
	t->tv_sec = (int64_t)sec;
	t->tv_nsec = (uint32_t)nsec;
}

/* lxrun -d as a normal user: the recorded owner, mode and device over a host statx result. */
static long statx_meta(int hdir, const char *hname, int nofollow, int hfd, uint64_t ux)
{
	struct linux_statx x;
	if (guest_copy_in(&x, ux, sizeof(x)) < 0)
		return -LINUX_EFAULT;
	if (hname)
		meta_statx_at(hdir, hname, nofollow, &x);
	else
		meta_statx_fd(hfd, &x);
	return guest_copy_out(ux, &x, sizeof(x));
}

LX_SYSCALL(statx)
{
	long dirfd = (long)(int)sc->a[0];
	uint64_t flags = sc->a[2];
	if (sc->a[3] & LINUX_STATX__RESERVED)
		return -LINUX_EINVAL;
	if ((flags & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE)
		return -LINUX_EINVAL;
	/* hostfs: the host's statx gives every field; synthetic objects: built from stat. */
	char path[LX_PATH_MAX];
	long r = guest_strncpy_in(path, sc->a[1], sizeof(path));
	if (r < 0)
		return r;
	struct lx_path p = {.tmpfd = -1};
	int nofollow = !!(flags & LINUX_AT_SYMLINK_NOFOLLOW);
	struct lx_file *f = NULL;
	if (r == 0) {
		if (!(flags & LINUX_AT_EMPTY_PATH))
			return -LINUX_ENOENT;
		if (dirfd != LINUX_AT_FDCWD && !(f = sys_file(dirfd)))
			return -LINUX_EBADF;
		if (!f)
			strcpy(path, ".");
	}
	if (!f) {
		r = vfs_resolve((int)dirfd, path, nofollow ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
		if (r < 0)
			return r;
		if (!p.mnt->ops) {
			int xf = (int)(flags & ~(uint64_t)LINUX_AT_EMPTY_PATH);
			if (p.tmpfd >= 0 && p.target_fd == p.tmpfd) /* confined: no walk via /proc */
				r = lx_host(syscall(SYS_statx, p.target_fd, "", xf | AT_EMPTY_PATH,
						    (unsigned)sc->a[3], sc->a[4]));
			else
				r = lx_host(syscall(SYS_statx, p.hdir, p.hname, xf, (unsigned)sc->a[3],
						    sc->a[4]));
			if (r == 0 && lx_meta_on)
				r = statx_meta(p.hdir, p.hname, nofollow, -1, sc->a[4]);
			vfs_path_put(&p);
			return r;
		}
		/* a device node under /dev is the host's node: the host's statx (STATX_DIOALIGN
		 * of a block device...) */
		struct linux_stat dst;
		char h[LX_PATH_MAX + 8];
		if (p.mnt->ops == &lx_devfs_ops && p.mnt->ops->stat(p.mnt, p.rel, &dst) == 0 &&
		    (LINUX_S_ISCHR(dst.st_mode) || LINUX_S_ISBLK(dst.st_mode)) &&
		    (size_t)snprintf(h, sizeof(h), "/dev%s", p.rel) < sizeof(h)) {
			r = lx_host(syscall(SYS_statx, AT_FDCWD, h,
					    AT_SYMLINK_NOFOLLOW | (int)(flags & LINUX_AT_STATX_SYNC_TYPE),
					    (unsigned)sc->a[3], sc->a[4]));
			vfs_path_put(&p);
			return r;
		}
	} else if (f->host_fd >= 0 && (!f->mnt || f->mnt->ops == &lx_devfs_ops)) {
		r = lx_host(syscall(SYS_statx, f->host_fd, "", (int)flags, (unsigned)sc->a[3], sc->a[4]));
		if (r == 0 && lx_meta_on)
			r = statx_meta(-1, NULL, 0, f->host_fd, sc->a[4]);
		return r;
	}
	struct linux_stat st;
	if (f)
		r = f->ops->fstat ? f->ops->fstat(f, &st) : -LINUX_EINVAL;
	else
		r = stat_resolved(&p, nofollow, &st);
	vfs_path_put(&p);
	if (r < 0)
		return r;
	struct linux_statx x;
	memset(&x, 0, sizeof(x));
	x.stx_mask = LINUX_STATX_BASIC_STATS;
	x.stx_blksize = (uint32_t)st.st_blksize;
	x.stx_nlink = (uint32_t)st.st_nlink;
	x.stx_uid = st.st_uid;
	x.stx_gid = st.st_gid;
	x.stx_mode = (uint16_t)st.st_mode;
	x.stx_ino = st.st_ino;
	x.stx_size = (uint64_t)st.st_size;
	x.stx_blocks = (uint64_t)st.st_blocks;
	ts_to_statx(&x.stx_atime, st.st_atime_sec, st.st_atime_nsec);
	ts_to_statx(&x.stx_mtime, st.st_mtime_sec, st.st_mtime_nsec);
	ts_to_statx(&x.stx_ctime, st.st_ctime_sec, st.st_ctime_nsec);
	x.stx_rdev_major = (uint32_t)((st.st_rdev >> 8) & 0xfff) | (uint32_t)((st.st_rdev >> 32) & ~0xfffu);
	x.stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff) | (uint32_t)((st.st_rdev >> 12) & ~0xffu);
	x.stx_dev_major = (uint32_t)((st.st_dev >> 8) & 0xfff);
	x.stx_dev_minor = (uint32_t)(st.st_dev & 0xff) | (uint32_t)((st.st_dev >> 12) & ~0xffu);
	return guest_copy_out(sc->a[4], &x, sizeof(x));
}

LX_SYSCALL(getcwd)
{
	const char *cwd = vfs_cwd();
	char host[LX_PATH_MAX];
	/* A removed or renamed directory: the host knows (ENOENT, or the new name). */
	if (vfs_cwd_is_host()) {
		if (!getcwd(host, sizeof(host)))
			return lx_errno(errno);
		if (!vfs_confined())
			cwd = host;
	}
	size_t len = strlen(cwd) + 1;
	if (len > sc->a[1])
		return -LINUX_ERANGE;
	long r = guest_copy_out(sc->a[0], cwd, len);
	return r < 0 ? r : (long)len;
}

LX_SYSCALL(chdir)
{
	char path[LX_PATH_MAX];
	long r = sys_path_in(path, sc->a[0]);
	return r < 0 ? r : vfs_chdir(LINUX_AT_FDCWD, path);
}

LX_SYSCALL(chroot)
{
	char path[LX_PATH_MAX];
	long r = sys_path_in(path, sc->a[0]);
	return r < 0 ? r : vfs_chroot(path);
}

LX_SYSCALL(fchdir)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	return vfs_fchdir(f);
}

static long do_readlinkat(long dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	if ((int64_t)size <= 0)
		return -LINUX_EINVAL;
	char path[LX_PATH_MAX], out[LX_PATH_MAX];
	long r = guest_strncpy_in(path, upath, sizeof(path));
	if (r < 0)
		return r;
	struct lx_path p;
	if (r == 0) { /* readlinkat(fd, "") reads the link an O_PATH fd refers to */
		struct lx_file *f = sys_file(dirfd);
		if ((int)dirfd == LINUX_AT_FDCWD || !f)
			return (int)dirfd == LINUX_AT_FDCWD ? -LINUX_ENOENT : -LINUX_EBADF;
		if (f->host_fd < 0)
			return -LINUX_ENOENT;
		r = readlinkat(f->host_fd, "", out, sizeof(out));
		r = r < 0 ? lx_errno(errno) : r;
	} else {
		r = vfs_resolve((int)dirfd, path, VFS_NOFOLLOW, &p);
		if (r < 0)
			return r;
		if (p.mnt->ops)
			r = p.mnt->ops->readlink ? p.mnt->ops->readlink(p.mnt, p.rel, out, sizeof(out))
						 : -LINUX_EINVAL;
		else {
			r = readlinkat(p.hdir, p.hname, out, sizeof(out));
			r = r < 0 ? lx_errno(errno) : r;
		}
		vfs_path_put(&p);
	}
	if (r < 0)
		return r;
	if ((uint64_t)r > size)
		r = (long)size;
	long c = guest_copy_out(ubuf, out, (size_t)r);
	return c < 0 ? c : r;
}

LX_SYSCALL(readlink)
{
	return do_readlinkat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc->a[2]);
}

LX_SYSCALL(readlinkat)
{
	return do_readlinkat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}

static long do_faccessat(long dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	if (mode & ~7ull)
		return -LINUX_EINVAL;
	if (flags & ~(uint64_t)(LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	char path[LX_PATH_MAX];
	long r = guest_strncpy_in(path, upath, sizeof(path));
	if (r < 0)
		return r;
	if (r == 0) {
		if (!(flags & LINUX_AT_EMPTY_PATH))
			return -LINUX_ENOENT;
		struct lx_file *f = sys_file(dirfd);
		if ((int)dirfd != LINUX_AT_FDCWD && !f)
			return -LINUX_EBADF;
		if (f && f->host_fd < 0)
			return 0;
		return lx_host(syscall(SYS_faccessat2, f ? f->host_fd : AT_FDCWD, "", (int)mode,
				       (int)flags));
	}
	struct lx_path p;
	int nofollow = !!(flags & LINUX_AT_SYMLINK_NOFOLLOW);
	r = vfs_resolve((int)dirfd, path, nofollow ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	char host[LX_PATH_MAX + 8];
	if (p.mnt->ops && lx_hostadmin_host_node(&p, host, sizeof(host))) {
		r = lx_host(syscall(SYS_faccessat2, AT_FDCWD, host, (int)mode,
				    (int)(flags & ~(uint64_t)LINUX_AT_EMPTY_PATH)));
	} else if (p.mnt->ops) {
		struct linux_stat st;
		r = stat_resolved(&p, nofollow, &st);
		if (r == 0 && (mode & 2) && p.mnt->ops != &lx_tmpfs_ops && !LINUX_S_ISCHR(st.st_mode))
			r = -LINUX_EACCES;
		if (r == 0 && (mode & 1) && !(st.st_mode & 0111))
			r = -LINUX_EACCES;
	} else {
		r = lx_host(syscall(SYS_faccessat2, p.hdir, p.hname, (int)mode,
				    (int)(flags & ~(uint64_t)LINUX_AT_EMPTY_PATH)));
	}
	vfs_path_put(&p);
	return r;
}

LX_SYSCALL(access)
{
	return do_faccessat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], 0);
}

LX_SYSCALL(faccessat)
{
	return do_faccessat((long)(int)sc->a[0], sc->a[1], sc->a[2], 0);
}

LX_SYSCALL(faccessat2)
{
	return do_faccessat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}

static long statfs_resolved(struct lx_path *p, struct linux_statfs *st)
{
	if (p->mnt->ops)
		return p->mnt->ops->statfs ? p->mnt->ops->statfs(p->mnt, p->rel, st) : -LINUX_ENOSYS;
	char buf[LX_PATH_MAX + 32];
	return statfs(sys_host_abs(p, buf, sizeof(buf)), (struct statfs *)st) < 0 ? lx_errno(errno) : 0;
}

LX_SYSCALL(statfs)
{
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, sc->a[0], VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	struct linux_statfs st;
	r = statfs_resolved(&p, &st);
	vfs_path_put(&p);
	return r < 0 ? r : guest_copy_out(sc->a[1], &st, sizeof(st));
}

LX_SYSCALL(fstatfs)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	struct linux_statfs st;
	long r;
	if (f->mnt && f->mnt->ops && f->mnt->ops->statfs)
		r = f->mnt->ops->statfs(f->mnt, "/", &st);
	else if (f->host_fd >= 0)
		r = fstatfs(f->host_fd, (struct statfs *)&st) < 0 ? lx_errno(errno) : 0;
	else
		r = -LINUX_ENOSYS;
	return r < 0 ? r : guest_copy_out(sc->a[1], &st, sizeof(st));
}


/* name_to_handle_at: the host's handle of the host file the path resolves to (handles need
 * no privilege to make; opening one, open_by_handle_at, stays refused). lxrun's synthetic
 * files have no handles (EOPNOTSUPP, as procfs). The mount id is the host's. */
LX_SYSCALL(name_to_handle_at)
{
	long dirfd = (long)(int)sc->a[0];
	int flags = (int)sc->a[4];
	if (flags & ~(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH | 0x200 /* AT_HANDLE_FID */ |
		      0x1 /* AT_HANDLE_MNT_ID_UNIQUE */ | 0x2 /* AT_HANDLE_CONNECTABLE */))
		return -LINUX_EINVAL;
	char path[LX_PATH_MAX];
	long r = guest_strncpy_in(path, sc->a[1], sizeof(path));
	if (r < 0)
		return r;
	if (r == 0) {
		if (!(flags & LINUX_AT_EMPTY_PATH))
			return -LINUX_ENOENT;
		struct lx_file *f = dirfd == LINUX_AT_FDCWD ? NULL : sys_file(dirfd);
		if (dirfd != LINUX_AT_FDCWD && !f)
			return -LINUX_EBADF;
		if (f && f->host_fd < 0)
			return -LINUX_EOPNOTSUPP;
		return lx_host(syscall(SYS_name_to_handle_at, f ? f->host_fd : AT_FDCWD, "",
				       sc->a[2], sc->a[3], flags));
	}
	struct lx_path p;
	r = vfs_resolve((int)dirfd, path, (flags & LINUX_AT_SYMLINK_FOLLOW) ? VFS_FOLLOW : VFS_NOFOLLOW,
			&p);
	if (r < 0)
		return r;
	char own[24], hp[LX_PATH_MAX + 8];
	snprintf(own, sizeof(own), "/%d", lx_proc.pid);
	size_t ol = strlen(own);
	if (p.mnt->ops == &lx_procfs_ops && strncmp(p.rel, own, ol) != 0 &&
	    strcmp(p.rel, "/mounts") != 0 && (unsigned)snprintf(hp, sizeof(hp), "/proc%s", p.rel) < sizeof(hp))
		/* the host's /proc files (all but the guest's own /proc/PID and mounts): the
		 * host's handle, a FID one included (LTP name_to_handle_at03) */
		r = lx_host(syscall(SYS_name_to_handle_at, AT_FDCWD, hp, sc->a[2], sc->a[3],
				    flags & ~LINUX_AT_EMPTY_PATH));
	else if (p.mnt->ops)
		r = -LINUX_EOPNOTSUPP;
	else
		r = lx_host(syscall(SYS_name_to_handle_at, p.hdir, p.hname, sc->a[2], sc->a[3],
				    flags & ~LINUX_AT_EMPTY_PATH));
	vfs_path_put(&p);
	return r;
}
