/* SPDX-License-Identifier: MIT */
/* Metadata in extended attributes: user.lxrun.uid, .gid, .mode (type and permissions) and
 * .rdev, decimal text. A file without them is reported as the host has it. Symlinks cannot
 * carry user.* attributes on Linux: a symlink reports the owner recorded on its directory
 * (in a distro tree that is root's, as the links' real owner nearly always is). */
#include "translator/meta.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "translator/syscall.h"

int lx_meta_on;

#define X_UID "user.lxrun.uid"
#define X_GID "user.lxrun.gid"
#define X_MODE "user.lxrun.mode"
#define X_RDEV "user.lxrun.rdev"

struct meta {
	int has_uid, has_gid, has_mode, has_rdev;
	uint32_t uid, gid, mode;
	uint64_t rdev;
};

/* An O_PATH fd of the object (not following a final symlink when nofollow), or -1 for a
 * symlink or an error; its /proc/self/fd path reaches the inode for the *xattr calls. */
static int obj_open(int hdir, const char *hname, int nofollow)
{
	int fd = openat(hdir, hname, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int get_num(const char *path, const char *name, uint64_t *v)
{
	char buf[32];
	ssize_t n = getxattr(path, name, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *end;
	*v = strtoull(buf, &end, 10);
	return *end == 0;
}

static void read_meta(int fd, struct meta *m)
{
	char path[32];
	uint64_t v;
	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((m->has_uid = get_num(path, X_UID, &v)))
		m->uid = (uint32_t)v;
	if ((m->has_gid = get_num(path, X_GID, &v)))
		m->gid = (uint32_t)v;
	if ((m->has_mode = get_num(path, X_MODE, &v)))
		m->mode = (uint32_t)v;
	if ((m->has_rdev = get_num(path, X_RDEV, &v)))
		m->rdev = v;
}

static long set_num(int fd, const char *name, uint64_t v)
{
	char path[32], buf[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	if (setxattr(path, name, buf, (size_t)n, 0) < 0)
		return errno == EACCES ? -LINUX_EPERM : lx_errno(errno);
	return 0;
}

static void overlay(int fd, uint32_t *uid, uint32_t *gid, uint32_t *mode, uint64_t *rdev)
{
	struct meta m;
	read_meta(fd, &m);
	if (m.has_uid)
		*uid = m.uid;
	if (m.has_gid)
		*gid = m.gid;
	if (m.has_mode)
		*mode = m.mode;
	if (m.has_rdev && rdev)
		*rdev = m.rdev;
}

/* The owner recorded on the directory that holds the symlink (hdir, hname). */
static void link_owner(int hdir, const char *hname, uint32_t *uid, uint32_t *gid)
{
	const char *slash = strrchr(hname, '/');
	char dir[4096];
	int fd;
	if (!slash) {
		fd = openat(hdir, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		size_t n = (size_t)(slash - hname);
		if (n >= sizeof(dir))
			return;
		memcpy(dir, hname, n ? n : 1);
		dir[n ? n : 1] = 0;
		fd = openat(hdir, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return;
	struct meta m;
	read_meta(fd, &m);
	close(fd);
	if (m.has_uid)
		*uid = m.uid;
	if (m.has_gid)
		*gid = m.gid;
}

void meta_stat_at(int hdir, const char *hname, int nofollow, struct linux_stat *st)
{
	if (nofollow && LINUX_S_ISLNK(st->st_mode)) {
		link_owner(hdir, hname, &st->st_uid, &st->st_gid);
		return;
	}
	int fd = obj_open(hdir, hname, nofollow);
	if (fd < 0)
		return;
	overlay(fd, &st->st_uid, &st->st_gid, &st->st_mode, &st->st_rdev);
	close(fd);
}

void meta_stat_fd(int hfd, struct linux_stat *st)
{
	if (S_ISLNK(st->st_mode))
		return;
	overlay(hfd, &st->st_uid, &st->st_gid, &st->st_mode, &st->st_rdev);
}

static void statx_overlay(int fd, struct linux_statx *x)
{
	uint32_t mode = x->stx_mode;
	uint64_t rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor);
	overlay(fd, &x->stx_uid, &x->stx_gid, &mode, &rdev);
	x->stx_mode = (uint16_t)mode;
	x->stx_rdev_major = major(rdev);
	x->stx_rdev_minor = minor(rdev);
}

void meta_statx_at(int hdir, const char *hname, int nofollow, struct linux_statx *x)
{
	if (nofollow && LINUX_S_ISLNK(x->stx_mode)) {
		link_owner(hdir, hname, &x->stx_uid, &x->stx_gid);
		return;
	}
	int fd = obj_open(hdir, hname, nofollow);
	if (fd < 0)
		return;
	statx_overlay(fd, x);
	close(fd);
}

void meta_statx_fd(int hfd, struct linux_statx *x)
{
	if (S_ISLNK(x->stx_mode))
		return;
	statx_overlay(hfd, x);
}

long meta_chown_fd(int fd, uint32_t uid, uint32_t gid)
{
	/* as fakeroot: the caller owns the host file (user.* attributes need write access) */
	struct stat st;
	if (fstat(fd, &st) < 0)
		return lx_errno(errno);
	if (S_ISLNK(st.st_mode))
		return 0; /* a symlink's owner is not kept */
	if (st.st_uid != geteuid())
		return -LINUX_EPERM;
	long r = 0;
	if (uid != (uint32_t)-1)
		r = set_num(fd, X_UID, uid);
	if (r == 0 && gid != (uint32_t)-1)
		r = set_num(fd, X_GID, gid);
	if (r == 0 && (st.st_mode & (S_ISUID | S_ISGID)) && !S_ISDIR(st.st_mode)) {
		/* Linux clears set-user-ID (and group-ID with group execute) on chown */
		struct meta m;
		read_meta(fd, &m);
		mode_t keep = st.st_mode & ~(mode_t)(S_ISUID | ((st.st_mode & S_IXGRP) ? S_ISGID : 0));
		char path[32];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		chmod(path, keep & 07777);
		if (m.has_mode)
			set_num(fd, X_MODE, (m.mode & ~07777u) | (keep & 07777));
	}
	return r;
}

long meta_chown_at(int hdir, const char *hname, int nofollow, uint32_t uid, uint32_t gid)
{
	int fd = openat(hdir, hname, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return lx_errno(errno);
	long r = meta_chown_fd(fd, uid, gid);
	close(fd);
	return r;
}

void meta_chmod_fd(int fd, unsigned mode)
{
	struct meta m;
	read_meta(fd, &m);
	if (m.has_mode)
		set_num(fd, X_MODE, (m.mode & ~07777u) | (mode & 07777));
}

void meta_chmod_at(int hdir, const char *hname, int nofollow, unsigned mode)
{
	int fd = obj_open(hdir, hname, nofollow);
	if (fd < 0)
		return;
	meta_chmod_fd(fd, mode);
	close(fd);
}

long meta_mknod_at(int hdir, const char *hname, unsigned mode, uint64_t dev)
{
	int fd = openat(hdir, hname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return lx_errno(errno);
	long r = set_num(fd, X_MODE, mode);
	if (r == 0)
		r = set_num(fd, X_RDEV, dev);
	if (r < 0)
		unlinkat(hdir, hname, 0);
	close(fd);
	return r;
}
