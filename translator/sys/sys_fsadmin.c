/* SPDX-License-Identifier: MIT */
/*
 * Root's administrative file-system calls beyond mount(2) (docs/design.md, "host-admin
 * model"): fanotify, the new mount API (fsopen, fsconfig, fsmount, move_mount, open_tree,
 * open_tree_attr, fspick, mount_setattr), statmount/listmount, open_by_handle_at and
 * perf_event_open.
 *
 * In the host-admin model (host root, the guest's / is the host's, no --contain) they reach
 * the host as a native root program's do: paths and dirfds are translated to host objects as
 * mount(2)'s are (a target inside what lxrun serves itself, /proc, /dev, --tmpfs, is EPERM, a
 * source there EINVAL), guest fds in arguments become host fds, and the fds the host opens into
 * lxrun's process (fs contexts, mounts, fanotify's event fds and pidfds, perf events, files
 * opened by handle) become guest fds. In the container model they keep the answers of an
 * unprivileged container: EPERM where Linux checks CAP_SYS_ADMIN (after the argument checks
 * that come before it), what needs no privilege (open_tree without OPEN_TREE_CLONE, fsconfig on
 * an fd) served as Linux serves it, and statmount/listmount ENOSYS (see there).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/hostadmin.h"
#include "translator/sys/sys.h"
#include "translator/trace.h"

/* ---- host fds opened into lxrun's process, made guest fds ---- */

/* Wrap host fd hfd as a guest fd at the lowest free number with ops (host ops when NULL): its
 * status flags are the host file's own (O_PATH, access mode, O_NONBLOCK). The host fd is made
 * close-on-exec (lxrun passes the guest's fds across execve itself). -errno, hfd closed, on
 * failure. */
static long install_fd(int hfd, int cloexec, const struct lx_file_ops *ops, void *priv)
{
	if (hfd < 0)
		return lx_errno(errno);
	int fl = fcntl(hfd, F_GETFL);
	fcntl(hfd, F_SETFD, FD_CLOEXEC);
	struct lx_file *f = lx_file_new(ops ? ops : &lx_host_file_ops, hfd,
					(unsigned)(fl < 0 ? O_RDWR : fl) & ~(unsigned)LINUX_O_CLOEXEC,
					NULL);
	if (!f) {
		close(hfd);
		return -LINUX_ENOMEM;
	}
	f->priv = priv;
	long r = lx_fd_install(lx_proc.fds, f, 0, cloexec);
	lx_file_put(f);
	return r;
}

/* A host fd the kernel opened into lxrun's process on the guest's behalf (fanotify's event fds
 * and pidfds): a guest fd, close-on-exec as the host made it. */
static long adopt_fd(int hfd)
{
	int fdfl = fcntl(hfd, F_GETFD);
	return install_fd(hfd, fdfl >= 0 && (fdfl & FD_CLOEXEC), NULL, NULL);
}

/* The host fd behind a guest fd argument: -EBADF when there is none. *syn is set for a file
 * with no host object of its own (lxrun's procfs, tmpfs...). */
static long host_fd_arg(long gfd, int *syn)
{
	struct lx_file *f = sys_file(gfd);
	*syn = 0;
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0 || (f->mnt && f->mnt->ops)) {
		*syn = 1;
		return f->host_fd >= 0 ? f->host_fd : -LINUX_EBADF;
	}
	return f->host_fd;
}

/* A guest fd argument for a host call that checks its other arguments first: the host fd, the
 * guest's number when negative (the host's own EINVAL or EBADF), or a number no host fd has when
 * there is no host object (the host's EBADF, in the host's order). */
#define NO_HOST_FD 0x7fffffff

static int host_fd_or_bad(long gfd)
{
	if (gfd < 0)
		return (int)gfd;
	int syn;
	long h = host_fd_arg(gfd, &syn);
	return h < 0 || syn ? NO_HOST_FD : (int)h;
}

/* ---- (dirfd, path) as the host names the object ---- */

struct host_at {
	struct lx_path p; /* put by host_at_put */
	int resolved;
	int hdir;
	const char *hname;
	char name[LX_PATH_MAX];
};

#define AT_SYN 1 /* host_at: the object is one lxrun serves itself (procfs, devfs, tmpfs) */

/*
 * Resolve the guest's (dirfd, path) for a host *at call: h->hdir and h->hname (pass the call's
 * empty-path flag when hname is ""). empty: the call's AT_EMPTY_PATH is set; follow: the last
 * symlink is followed. A relative path from a host directory fd is the host's to walk (the
 * guest's / is the host's; a detached mount from open_tree or fsmount has no path lxrun's VFS
 * could walk). Returns 0, AT_SYN (h->p.rel names it, h->p.mnt its filesystem) or -errno.
 */
static long host_at(struct host_at *h, long dirfd, uint64_t upath, int empty, int follow)
{
	h->resolved = 0;
	long r = guest_strncpy_in(h->name, upath, sizeof(h->name));
	if (r < 0)
		return r;
	int syn;
	if (r == 0 || (h->name[0] != '/' && dirfd != LINUX_AT_FDCWD)) {
		if (r == 0 && !empty)
			return -LINUX_ENOENT;
		if (dirfd != LINUX_AT_FDCWD) {
			long hfd = host_fd_arg(dirfd, &syn);
			if (hfd < 0) { /* the host's EBADF, after its own checks */
				h->hdir = dirfd < 0 ? (int)dirfd : NO_HOST_FD;
				h->hname = h->name;
				return 0;
			}
			if (!syn) {
				h->hdir = (int)hfd;
				h->hname = h->name;
				return 0;
			}
			if (r == 0)
				return AT_SYN;
		} else {
			strcpy(h->name, ".");
		}
	}
	r = vfs_resolve((int)dirfd, h->name, follow ? VFS_FOLLOW : VFS_NOFOLLOW, &h->p);
	if (r < 0)
		return r;
	h->resolved = 1;
	if (h->p.mnt->ops)
		return AT_SYN;
	h->hdir = h->p.hdir;
	h->hname = h->p.hname;
	return 0;
}

static void host_at_put(struct host_at *h)
{
	if (h->resolved)
		vfs_path_put(&h->p);
	h->resolved = 0;
}

/* Is the resolved object one of lxrun's own mount points (/dev/shm...) other than "/"? A host
 * mount or umount there would never be seen by the guest. */
static int lxrun_mount_point(const struct host_at *h)
{
	if (!h->resolved || h->hdir != AT_FDCWD)
		return 0;
	size_t n;
	struct lx_mount *m = vfs_mounts(&n);
	for (size_t i = 0; i < n; i++)
		if (m[i].len && strcmp(h->hname, m[i].path) == 0)
			return 1;
	return 0;
}

/* ---- fanotify ---- */

#define FAN_CLOEXEC_ 0x1u
#define FAN_NONBLOCK_ 0x2u
#define FAN_REPORT_FD_ERROR_ 0x2000u
#define FAN_MARK_DONT_FOLLOW_ 0x4u
#define FAN_NOFD_ (-1)
#define FAN_EPIDFD_ (-2)
#define FAN_INFO_PIDFD_ 4

struct fan_meta {
	uint32_t event_len;
	uint8_t vers, reserved;
	uint16_t metadata_len;
	uint64_t mask;
	int32_t fd, pid;
};

/* An fd in an event read from the host, translated in place: a guest fd, or the error a group
 * reporting fd errors gets (FAN_NOFD / FAN_EPIDFD for the others) when the guest's table is
 * full. The error is in the record, never lost: the host has already dequeued the event. */
static void fan_fd(int32_t *fd, unsigned init_flags, int32_t none)
{
	if (*fd < 0)
		return;
	long g = adopt_fd(*fd);
	*fd = g >= 0 ? (int32_t)g : (init_flags & FAN_REPORT_FD_ERROR_) ? (int32_t)g : none;
}

/* Events as the host wrote them (metadata, then info records), with the event fds and pidfds
 * opened into lxrun's process made guest fds. FID, DFID and name records carry no fds. Pids
 * are the host's, which are the guest's (guest processes are host processes). */
static void fan_translate(char *b, size_t n, unsigned init_flags)
{
	for (size_t off = 0; off + sizeof(struct fan_meta) <= n;) {
		struct fan_meta m;
		memcpy(&m, b + off, sizeof(m));
		if (m.event_len < sizeof(m) || m.event_len > n - off)
			break;
		fan_fd(&m.fd, init_flags, FAN_NOFD_);
		memcpy(b + off + offsetof(struct fan_meta, fd), &m.fd, sizeof(m.fd));
		for (size_t i = m.metadata_len; i + 4 <= m.event_len;) {
			uint8_t type = (uint8_t)b[off + i];
			uint16_t len;
			memcpy(&len, b + off + i + 2, sizeof(len));
			if (len < 4 || len > m.event_len - i)
				break;
			if (type == FAN_INFO_PIDFD_ && len >= 8) {
				int32_t pfd;
				memcpy(&pfd, b + off + i + 4, sizeof(pfd));
				fan_fd(&pfd, init_flags, FAN_EPIDFD_);
				memcpy(b + off + i + 4, &pfd, sizeof(pfd));
			}
			i += len;
		}
		off += m.event_len;
	}
}

#define FAN_READ_MAX 65536 /* events are at most a few KiB: a shorter read returns fewer */

static long fan_read(struct lx_file *f, uint64_t buf, size_t n)
{
	size_t want = n < FAN_READ_MAX ? n : FAN_READ_MAX;
	char *b = malloc(want ? want : 1);
	if (!b)
		return -LINUX_ENOMEM;
	long r = lx_safe(SYS_read, f->host_fd, (long)b, (long)want);
	if (r > 0) {
		fan_translate(b, (size_t)r, (unsigned)(uintptr_t)f->priv);
		if (guest_copy_out(buf, b, (size_t)r) < 0)
			r = -LINUX_EFAULT;
	}
	free(b);
	return r;
}

/* A permission event's answer (struct fanotify_response, then optional info records): its fd
 * is the guest's event fd, the host's is the one the host knows the event by. A number that
 * is no guest fd becomes one that is no event's either (the host then says ENOENT). */
#define FAN_WRITE_MAX 4096

static long fan_write(struct lx_file *f, uint64_t buf, size_t n)
{
	if (n < 8)
		return lx_safe(SYS_write, f->host_fd, buf, n); /* the host's EINVAL */
	size_t len = n < FAN_WRITE_MAX ? n : FAN_WRITE_MAX;
	char *b = malloc(len);
	if (!b)
		return -LINUX_ENOMEM;
	long r = guest_copy_in(b, buf, len) < 0 ? -LINUX_EFAULT : 0;
	int32_t fd;
	memcpy(&fd, b, sizeof(fd));
	if (fd >= 0) {
		struct lx_file *ef = sys_file(fd);
		fd = ef && ef->host_fd >= 0 ? ef->host_fd : INT32_MAX;
		memcpy(b, &fd, sizeof(fd));
	}
	if (r == 0)
		r = lx_safe(SYS_write, f->host_fd, (long)b, (long)len);
	free(b);
	return r == (long)len ? (long)n : r;
}

static struct lx_file_ops fan_ops;

static void fan_ops_init(void)
{
	if (!fan_ops.read) {
		fan_ops = lx_host_file_ops;
		fan_ops.read = fan_read;
		fan_ops.write = fan_write;
	}
}

LX_SYSCALL(fanotify_init)
{
	if (!lx_host_admin)
		return -LINUX_EPERM; /* CAP_SYS_ADMIN */
	fan_ops_init();
	unsigned flags = (unsigned)sc->a[0];
	int h = (int)syscall(SYS_fanotify_init, flags | FAN_CLOEXEC_, (unsigned)sc->a[1]);
	return install_fd(h, !!(flags & FAN_CLOEXEC_), &fan_ops, (void *)(uintptr_t)flags);
}

/* A host fd the guest inherited across execve (exec.c): a fanotify fd reads through fan_ops
 * again, with the init flags the host shows in its fdinfo. */
void lx_fsadmin_inherited(struct lx_file *f)
{
	char link[64], target[32], info[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", f->host_fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0 || (size_t)n != strlen("anon_inode:[fanotify]") ||
	    memcmp(target, "anon_inode:[fanotify]", (size_t)n) != 0)
		return;
	unsigned flags = 0;
	snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", f->host_fd);
	FILE *fi = fopen(info, "re");
	char line[256];
	while (fi && fgets(line, sizeof(line), fi))
		if (sscanf(line, "fanotify flags:%x", &flags) == 1)
			break;
	if (fi)
		fclose(fi);
	fan_ops_init();
	f->ops = &fan_ops;
	f->priv = (void *)(uintptr_t)flags;
}

/* Marks on host objects: a path is resolved as the guest sees it, NULL names the dirfd's
 * object itself. Objects lxrun serves itself have no host object to watch (EACCES, as
 * inotify_add_watch). In the container model no fanotify fd exists: the host's EBADF/EINVAL. */
LX_SYSCALL(fanotify_mark)
{
	int syn;
	int fan = host_fd_or_bad((long)(int)sc->a[0]);
	unsigned flags = (unsigned)sc->a[1];
	long dirfd = (long)(int)sc->a[3];
	struct host_at h;
	long r;
	if (!sc->a[4]) {
		if (dirfd == LINUX_AT_FDCWD) {
			h.hdir = AT_FDCWD;
			r = vfs_cwd_is_host() ? 0 : AT_SYN;
		} else {
			r = host_fd_arg(dirfd, &syn);
			h.hdir = r < 0 ? NO_HOST_FD : (int)r; /* no fd: the host's EBADF */
			r = r >= 0 && syn ? AT_SYN : 0;
		}
		h.resolved = 0;
		h.hname = NULL;
	} else {
		r = host_at(&h, dirfd, sc->a[4], 0, !(flags & FAN_MARK_DONT_FOLLOW_));
	}
	if (r == 0)
		r = lx_host(syscall(SYS_fanotify_mark, fan, flags, sc->a[2], h.hdir, h.hname));
	else if (r == AT_SYN)
		r = -LINUX_EACCES;
	host_at_put(&h);
	return r;
}

/* ---- the new mount API ---- */

#define FSOPEN_CLOEXEC_ 0x1u
#define FSMOUNT_CLOEXEC_ 0x1u
#define FSPICK_CLOEXEC_ 0x1u
#define FSPICK_SYMLINK_NOFOLLOW_ 0x2u
#define FSPICK_EMPTY_PATH_ 0x8u
#define OPEN_TREE_CLONE_ 0x1u
#define OPEN_TREE_CLOEXEC_ 0x80000u /* O_CLOEXEC */
#define AT_RECURSIVE_ 0x8000u
#define AT_NO_AUTOMOUNT_ 0x800u
#define MOVE_MOUNT_F_SYMLINKS_ 0x1u
#define MOVE_MOUNT_F_EMPTY_PATH_ 0x4u
#define MOVE_MOUNT_T_SYMLINKS_ 0x10u
#define MOVE_MOUNT_T_EMPTY_PATH_ 0x40u
/* F_SYMLINKS, F_AUTOMOUNTS, F_EMPTY_PATH, T_*, SET_GROUP, BENEATH */
#define MOVE_MOUNT_MASK_ 0x377u
#define FSCONFIG_SET_PATH_ 3
#define FSCONFIG_SET_PATH_EMPTY_ 4
#define FSCONFIG_SET_FD_ 5
#define MOUNT_ATTR_SIZE_VER0_ 32

LX_SYSCALL(fsopen)
{
	if (!lx_host_admin)
		return -LINUX_EPERM; /* may_mount(), before the flags */
	unsigned flags = (unsigned)sc->a[1];
	int h = (int)syscall(SYS_fsopen, sc->a[0], flags | FSOPEN_CLOEXEC_);
	return install_fd(h, !!(flags & FSOPEN_CLOEXEC_), NULL, NULL);
}

/* A path value (FSCONFIG_SET_PATH, _EMPTY) as a host path: aux is its dirfd. A devfs device
 * node is the host's /dev node; lxrun's other files have no host object (EINVAL). */
static long fsconfig_path(struct lx_syscall *sc, int hfd, int empty)
{
	struct host_at h;
	long r = host_at(&h, (long)(int)sc->a[4], sc->a[3], empty, 1);
	if (r == AT_SYN) {
		char dev[LX_PATH_MAX + 32];
		r = h.resolved && lx_hostadmin_host_node(&h.p, dev, sizeof(dev))
			    ? lx_host(syscall(SYS_fsconfig, hfd, FSCONFIG_SET_PATH_, sc->a[2], dev,
					      AT_FDCWD))
			    : -LINUX_EINVAL;
	} else if (r == 0) {
		int cmd = *h.hname ? FSCONFIG_SET_PATH_ : FSCONFIG_SET_PATH_EMPTY_;
		r = lx_host(syscall(SYS_fsconfig, hfd, cmd, sc->a[2], h.hname, h.hdir));
	}
	host_at_put(&h);
	return r;
}

/* fsconfig needs no privilege of its own (only fsopen and fspick make an fs context): the
 * host checks the command and the fd in its order, in both models. */
LX_SYSCALL(fsconfig)
{
	int gfd = (int)sc->a[0];
	unsigned cmd = (unsigned)sc->a[1];
	int aux = (int)sc->a[4];
	if (gfd < 0)
		return -LINUX_EINVAL;
	/* the arguments are checked before the fd */
	if ((cmd == FSCONFIG_SET_PATH_ || cmd == FSCONFIG_SET_PATH_EMPTY_) &&
	    (!sc->a[2] || !sc->a[3] || (aux != LINUX_AT_FDCWD && aux < 0)))
		return -LINUX_EINVAL;
	if (cmd == FSCONFIG_SET_FD_ && (!sc->a[2] || sc->a[3] || aux < 0))
		return -LINUX_EINVAL;
	int syn;
	long hfd = host_fd_arg(gfd, &syn);
	if (hfd < 0)
		return hfd;
	if (syn)
		return -LINUX_EINVAL; /* not an fs context */
	if (cmd == FSCONFIG_SET_PATH_ || cmd == FSCONFIG_SET_PATH_EMPTY_)
		return fsconfig_path(sc, (int)hfd, cmd == FSCONFIG_SET_PATH_EMPTY_);
	if (cmd == FSCONFIG_SET_FD_)
		aux = host_fd_or_bad(aux);
	return lx_host(syscall(SYS_fsconfig, (int)hfd, cmd, sc->a[2], sc->a[3], aux));
}

LX_SYSCALL(fsmount)
{
	if (!lx_host_admin)
		return -LINUX_EPERM; /* may_mount(), before the fd and the flags */
	int hfd = host_fd_or_bad((long)(int)sc->a[0]);
	unsigned flags = (unsigned)sc->a[1];
	int h = (int)syscall(SYS_fsmount, hfd, flags | FSMOUNT_CLOEXEC_, (unsigned)sc->a[2]);
	return install_fd(h, !!(flags & FSMOUNT_CLOEXEC_), NULL, NULL);
}

LX_SYSCALL(move_mount)
{
	if (!lx_host_admin)
		return -LINUX_EPERM; /* may_mount(), before everything else */
	unsigned flags = (unsigned)sc->a[4];
	if (flags & ~MOVE_MOUNT_MASK_)
		return -LINUX_EINVAL; /* before the paths */
	struct host_at from, to;
	long r = host_at(&from, (long)(int)sc->a[0], sc->a[1], !!(flags & MOVE_MOUNT_F_EMPTY_PATH_),
			 !!(flags & MOVE_MOUNT_F_SYMLINKS_));
	if (r == AT_SYN)
		r = -LINUX_EINVAL; /* no host mount to move */
	if (r < 0) {
		host_at_put(&from);
		return r;
	}
	r = host_at(&to, (long)(int)sc->a[2], sc->a[3], !!(flags & MOVE_MOUNT_T_EMPTY_PATH_),
		    !!(flags & MOVE_MOUNT_T_SYMLINKS_));
	if (r == AT_SYN || (r == 0 && lxrun_mount_point(&to)))
		r = -LINUX_EPERM; /* served by lxrun: a host mount there would not be seen */
	if (r == 0)
		r = lx_host(syscall(SYS_move_mount, from.hdir, from.hname, to.hdir, to.hname, flags));
	host_at_put(&to);
	host_at_put(&from);
	return r;
}

/*
 * open_tree without OPEN_TREE_CLONE is an O_PATH open, anyone's: served in both models (a file
 * lxrun serves itself opened by its VFS). With OPEN_TREE_CLONE it makes a detached copy of a
 * host mount: host-admin only; lxrun's own filesystems are no host mounts (EINVAL).
 * open_tree_attr also sets the copy's attributes (the host reads them from guest memory).
 */
static long open_tree_common(struct lx_syscall *sc, int attr)
{
	long dirfd = (long)(int)sc->a[0];
	unsigned flags = (unsigned)sc->a[2];
	if (flags & ~(LINUX_AT_EMPTY_PATH | AT_NO_AUTOMOUNT_ | AT_RECURSIVE_ |
		      LINUX_AT_SYMLINK_NOFOLLOW | OPEN_TREE_CLONE_ | OPEN_TREE_CLOEXEC_))
		return -LINUX_EINVAL;
	if ((flags & (AT_RECURSIVE_ | OPEN_TREE_CLONE_)) == AT_RECURSIVE_)
		return -LINUX_EINVAL;
	int with_attr = attr && (sc->a[3] || sc->a[4]);
	if (!lx_host_admin && ((flags & OPEN_TREE_CLONE_) || with_attr))
		return -LINUX_EPERM; /* may_mount() */
	struct host_at h;
	long r = host_at(&h, dirfd, sc->a[1], !!(flags & LINUX_AT_EMPTY_PATH),
			 !(flags & LINUX_AT_SYMLINK_NOFOLLOW));
	int cloexec = !!(flags & OPEN_TREE_CLOEXEC_);
	if (r == AT_SYN && ((flags & OPEN_TREE_CLONE_) || with_attr)) {
		r = -LINUX_EINVAL;
	} else if (r == AT_SYN && !*h.name) {
		/* the dirfd's own file, as a new fd */
		struct lx_file *f = sys_file(dirfd);
		r = f ? lx_fd_install(lx_proc.fds, f, 0, cloexec) : -LINUX_EBADF;
	} else if (r == AT_SYN) {
		struct lx_file *f;
		unsigned of = LINUX_O_PATH | ((flags & LINUX_AT_SYMLINK_NOFOLLOW) ? LINUX_O_NOFOLLOW : 0);
		r = vfs_openat((int)dirfd, h.name, of, 0, &f);
		if (r == 0) {
			r = lx_fd_install(lx_proc.fds, f, 0, cloexec);
			lx_file_put(f);
		}
	} else if (r == 0) {
		unsigned hf = flags | OPEN_TREE_CLOEXEC_ | (*h.hname ? 0 : LINUX_AT_EMPTY_PATH);
		int hfd = attr ? (int)syscall(467 /* open_tree_attr */, h.hdir, h.hname, hf, sc->a[3],
					      sc->a[4])
			       : (int)syscall(SYS_open_tree, h.hdir, h.hname, hf);
		r = install_fd(hfd, cloexec, NULL, NULL);
	}
	host_at_put(&h);
	return r;
}

LX_SYSCALL(open_tree)
{
	return open_tree_common(sc, 0);
}

LX_SYSCALL(open_tree_attr)
{
	return open_tree_common(sc, 1);
}

/* An fs context for the mounted filesystem at a mount's root (reconfiguration). */
LX_SYSCALL(fspick)
{
	if (!lx_host_admin)
		return -LINUX_EPERM; /* may_mount(), before the flags */
	unsigned flags = (unsigned)sc->a[2];
	if (flags & ~0xfu) /* CLOEXEC, SYMLINK_NOFOLLOW, NO_AUTOMOUNT, EMPTY_PATH */
		return -LINUX_EINVAL;
	struct host_at h;
	long r = host_at(&h, (long)(int)sc->a[0], sc->a[1], !!(flags & FSPICK_EMPTY_PATH_),
			 !(flags & FSPICK_SYMLINK_NOFOLLOW_));
	if (r == AT_SYN || (r == 0 && lxrun_mount_point(&h)))
		r = -LINUX_EPERM;
	if (r == 0) {
		unsigned hf = flags | FSPICK_CLOEXEC_ | (*h.hname ? 0 : FSPICK_EMPTY_PATH_);
		r = install_fd((int)syscall(SYS_fspick, h.hdir, h.hname, hf),
			       !!(flags & FSPICK_CLOEXEC_), NULL, NULL);
	}
	host_at_put(&h);
	return r;
}

LX_SYSCALL(mount_setattr)
{
	unsigned flags = (unsigned)sc->a[2];
	size_t size = (size_t)sc->a[4];
	if (flags & ~(LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW | AT_RECURSIVE_ |
		      AT_NO_AUTOMOUNT_))
		return -LINUX_EINVAL;
	if (size > 4096)
		return -LINUX_E2BIG;
	if (size < MOUNT_ATTR_SIZE_VER0_)
		return -LINUX_EINVAL;
	if (!lx_host_admin)
		return -LINUX_EPERM; /* may_mount(), after the argument checks */
	struct host_at h;
	long r = host_at(&h, (long)(int)sc->a[0], sc->a[1], !!(flags & LINUX_AT_EMPTY_PATH),
			 !(flags & LINUX_AT_SYMLINK_NOFOLLOW));
	if (r == AT_SYN || (r == 0 && lxrun_mount_point(&h)))
		r = -LINUX_EPERM;
	if (r == 0) /* struct mount_attr in guest memory, at the same host address */
		r = lx_host(syscall(SYS_mount_setattr, h.hdir, h.hname,
				    flags | (*h.hname ? 0 : LINUX_AT_EMPTY_PATH), sc->a[3], size));
	host_at_put(&h);
	return r;
}

/*
 * statmount and listmount read the mount tree. In the host-admin model the guest's mounts are
 * the host's (its /proc/self/mountinfo is the host's too): the host answers, the buffers are
 * guest memory at the same addresses, and mount ids and namespace ids are the host's. In the
 * container model the guest's mount table is lxrun's own (the synthetic mountinfo): the host's
 * would show mounts outside --root, and ids that table does not have. ENOSYS, a kernel before
 * 6.8's answer, sends programs (libmount, findmnt) to /proc/self/mountinfo, lxrun's view.
 */
#define SYS_statmount_ 457
#define SYS_listmount_ 458
#define STATMOUNT_MNT_POINT_ 0x10u
#define LSMT_ROOT_ 0xffffffffffffffffull
#define STATX_MNT_ID_UNIQUE_ 0x4000u

struct mnt_id_req_ {
	uint32_t size, spare;
	uint64_t mnt_id, param, mnt_ns_id;
};

/* Does this thread have CAP_SYS_ADMIN (the host's creds are the guest's)? */
static int cap_sys_admin(void)
{
	struct {
		uint32_t version;
		int pid;
	} hdr = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
	uint32_t data[6];
	return syscall(SYS_capget, &hdr, data) == 0 && (data[0] & (1u << 21));
}

/* After a guest chroot the host process's root is still the host's "/": Linux's rule for a
 * caller without CAP_SYS_ADMIN, that a mount its root cannot reach is EPERM, is checked here on
 * the mount's host path. 1: refuse. */
static int unreachable(const struct mnt_id_req_ *req)
{
	if (!vfs_confined() || !lx_proc.root_host[0] || cap_sys_admin())
		return 0;
	struct mnt_id_req_ q = *req;
	q.param = STATMOUNT_MNT_POINT_;
	if (q.size > sizeof(q))
		q.size = sizeof(q); /* the fields copied: the host must not read past q */
	size_t size = 512 + LX_PATH_MAX;
	char *b = malloc(size);
	if (!b)
		return 0;
	int out = 0;
	if (syscall(SYS_statmount_, &q, b, size, 0) == 0) {
		uint32_t off;
		memcpy(&off, b + 108, sizeof(off)); /* struct statmount's mnt_point */
		const char *mp = b + 512 + off, *root = lx_proc.root_host;
		size_t n = strlen(root);
		out = strncmp(mp, root, n) != 0 || (mp[n] && mp[n] != '/');
	}
	free(b);
	return out;
}

/* The guest's request, copied (at most the fields this lxrun knows); 0 or -errno. */
static long mnt_req_in(uint64_t ureq, struct mnt_id_req_ *req)
{
	memset(req, 0, sizeof(*req));
	uint32_t size;
	if (guest_copy_in(&size, ureq, sizeof(size)) < 0)
		return -LINUX_EFAULT;
	if (size < 24)
		return 0; /* the host's EINVAL */
	return guest_copy_in(req, ureq, size < sizeof(*req) ? size : sizeof(*req)) < 0
		       ? -LINUX_EFAULT
		       : 0;
}

LX_SYSCALL(statmount)
{
	if (!lx_host_admin)
		return -LINUX_ENOSYS;
	struct mnt_id_req_ req;
	long r = mnt_req_in(sc->a[0], &req);
	if (r < 0)
		return r;
	if (req.size && unreachable(&req))
		return -LINUX_EPERM;
	return lx_host(syscall(SYS_statmount_, sc->a[0], sc->a[1], sc->a[2], (unsigned)sc->a[3]));
}

/* After a guest chroot, LSMT_ROOT is the guest root's mount, as it is the chroot's on Linux. */
LX_SYSCALL(listmount)
{
	if (!lx_host_admin)
		return -LINUX_ENOSYS;
	struct mnt_id_req_ req;
	long r = mnt_req_in(sc->a[0], &req);
	if (r < 0)
		return r;
	uint64_t ureq = sc->a[0];
	if (req.size && req.mnt_id == LSMT_ROOT_ && vfs_confined()) {
		struct statx stx;
		if (statx(vfs_root_fd(), "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE_, &stx) == 0 &&
		    (stx.stx_mask & STATX_MNT_ID_UNIQUE_)) {
			req.mnt_id = stx.stx_mnt_id;
			if (req.size > sizeof(req))
				return -LINUX_E2BIG; /* fields this lxrun cannot copy */
			ureq = (uint64_t)(uintptr_t)&req;
		}
	} else if (req.size && unreachable(&req)) {
		return -LINUX_EPERM;
	}
	return lx_host(syscall(SYS_listmount_, ureq, sc->a[1], sc->a[2], (unsigned)sc->a[3]));
}

/* ---- open_by_handle_at, perf_event_open ---- */

/*
 * A handle names an inode of a filesystem without a path: it reaches past any root, which is
 * why a container lacks CAP_DAC_READ_SEARCH. In the host-admin model there is no root to reach
 * past (the guest opens every host file as root already): the host opens it. mount_fd names
 * the filesystem (AT_FDCWD: the cwd's, which is the host process's own cwd for a host path).
 */
LX_SYSCALL(open_by_handle_at)
{
	if (!lx_host_admin)
		return -LINUX_EPERM; /* CAP_DAC_READ_SEARCH */
	long mfd = (long)(int)sc->a[0];
	int syn = 0;
	if (mfd != LINUX_AT_FDCWD && (mfd = host_fd_arg(mfd, &syn)) < 0)
		return mfd;
	if (syn)
		return -LINUX_ESTALE; /* lxrun's own files have no handles */
	if (mfd == LINUX_AT_FDCWD)
		mfd = AT_FDCWD;
	unsigned flags = (unsigned)sc->a[2];
	int h = (int)syscall(SYS_open_by_handle_at, (int)mfd, sc->a[1],
			     (int)(flags | LINUX_O_CLOEXEC));
	return install_fd(h, !!(flags & LINUX_O_CLOEXEC), NULL, NULL);
}

#define PERF_FLAG_FD_OUTPUT_ 0x2ul
#define PERF_FLAG_PID_CGROUP_ 0x4ul
#define PERF_FLAG_FD_CLOEXEC_ 0x8ul

/*
 * A performance counter: the host's, in the host-admin model (a native root program may count
 * any process and CPU; the counters of the guest's own threads count lxrun's work for them
 * too). The group leader's fd and a cgroup's directory fd (PERF_FLAG_PID_CGROUP) are guest fds.
 * The container model refuses it, as Docker's profile does.
 */
LX_SYSCALL(perf_event_open)
{
	if (!lx_host_admin)
		return -LINUX_EPERM;
	unsigned long flags = sc->a[4];
	long pid = (long)(int)sc->a[1], group = (long)(int)sc->a[3];
	int syn;
	if (group != -1 && ((group = host_fd_arg(group, &syn)) < 0 || syn))
		return -LINUX_EBADF;
	if ((flags & PERF_FLAG_PID_CGROUP_) && ((pid = host_fd_arg(pid, &syn)) < 0 || syn))
		return -LINUX_EBADF;
	int h = (int)syscall(SYS_perf_event_open, sc->a[0], (int)pid, (int)sc->a[2], (int)group,
			     flags | PERF_FLAG_FD_CLOEXEC_);
	return install_fd(h, !!(flags & PERF_FLAG_FD_CLOEXEC_), NULL, NULL);
}
