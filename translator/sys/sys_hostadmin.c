/* SPDX-License-Identifier: MIT */
/*
 * The host-admin model: when lxrun runs as host root (euid 0) without --root and without
 * --contain, the guest sees the host's own / and can already read and write every host file
 * as root; passing its administrative calls to the host grants nothing it does not have. It
 * then gets root's administrative powers as a native root program has them: mount(2) and
 * umount2(2) on host paths, the host's block devices and /dev/loop-control in /dev, ioctls
 * of every group on host files (fd-carrying requests translated to host fds, or refused),
 * and writes to /proc/sys. Otherwise (the container model) the calls keep the container's
 * answers (sys_admin.c). The model is decided once at start-up (lx_hostadmin_init).
 *
 * Paths: in host-admin mode the guest's / is the host's, so a hostfs path names the same
 * object for the host; what lxrun's VFS serves itself (/proc, /dev, --tmpfs) is refused as a
 * mount target, since a host mount there would never be seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_stat.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/hostadmin.h"
#include "translator/sys/sys.h"

int lx_host_admin;
int lx_contain;

void lx_hostadmin_init(int contain)
{
	lx_contain = contain;
	lx_host_admin = !contain && !vfs_confined() && geteuid() == 0;
}

int lx_hostadmin_host_node(const struct lx_path *p, char *buf, size_t size)
{
	if (!lx_host_admin || !p->mnt->ops)
		return 0;
	if (p->mnt->ops == &lx_procfs_ops && !strncmp(p->rel, "/sys/", 5))
		return snprintf(buf, size, "/proc%s", p->rel) < (int)size;
	if (p->mnt->ops == &lx_devfs_ops && strcmp(p->rel, "/") != 0) {
		struct linux_stat st;
		if (p->mnt->ops->stat(p->mnt, p->rel, &st) < 0 ||
		    !(LINUX_S_ISBLK(st.st_mode) || LINUX_S_ISCHR(st.st_mode)))
			return 0;
		return snprintf(buf, size, "/dev%s", p->rel) < (int)size;
	}
	return 0;
}

/* ---- mount(2), umount2(2) ---- */

/* Is p one of lxrun's own mount points other than "/" (/dev/shm...), or inside a mount the
 * VFS serves itself (procfs, devfs, tmpfs)? 1: the root of such a mount, 2: inside one. */
static int on_lxrun_mount(const struct lx_path *p)
{
	if (p->mnt->ops)
		return strcmp(p->rel, "/") == 0 ? 1 : 2;
	size_t n;
	struct lx_mount *m = vfs_mounts(&n);
	for (size_t i = 0; i < n; i++)
		if (m[i].len && strcmp(p->rel, m[i].path) == 0)
			return 1;
	return 0;
}

/* Does filesystem type need a device path as its source? Read from the host's
 * /proc/filesystems: a type marked "nodev" takes a name ("tmpfs", "none"), the others a
 * block device. An unknown type is taken as a name (the host then says ENODEV). */
static int type_needs_dev(const char *type)
{
	FILE *f = fopen("/proc/filesystems", "re");
	if (!f)
		return 0;
	char line[128];
	int dev = 0;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		char *name = tab + 1;
		name[strcspn(name, "\n")] = 0;
		if (strcmp(name, type) == 0) {
			dev = tab == line; /* no "nodev" before the tab */
			break;
		}
	}
	fclose(f);
	return dev;
}

/* The host path of a guest source path (bind, move, block device) in buf, or -errno. */
static long source_host(uint64_t usrc, char *buf, size_t size)
{
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, usrc, VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops == &lx_devfs_ops && strcmp(p.rel, "/") != 0) {
		/* devfs's nodes are the host's own /dev nodes (the guest's / is the host's) */
		struct linux_stat st;
		r = p.mnt->ops->stat(p.mnt, p.rel, &st);
		if (r == 0 && (LINUX_S_ISBLK(st.st_mode) || LINUX_S_ISCHR(st.st_mode)))
			r = snprintf(buf, size, "/dev%s", p.rel) < (int)size ? 0 : -LINUX_ENAMETOOLONG;
		else if (r == 0)
			r = -LINUX_EINVAL;
	} else if (p.mnt->ops) {
		r = -LINUX_EINVAL; /* lxrun's procfs or tmpfs: no host object to mount */
	} else {
		char tmp[LX_PATH_MAX + 32];
		const char *h = sys_host_abs(&p, tmp, sizeof(tmp));
		r = snprintf(buf, size, "%s", h) < (int)size ? 0 : -LINUX_ENAMETOOLONG;
	}
	vfs_path_put(&p);
	return r;
}

long lx_hostadmin_mount(struct lx_syscall *sc, const char *type)
{
	unsigned long flags = (unsigned long)sc->a[3];
	char src[LX_PATH_MAX + 32], tgt[LX_PATH_MAX + 32];
	const char *hsrc = NULL;
	if (sc->a[0]) {
		long r = sys_path_in(src, sc->a[0]);
		if (r < 0 && r != -LINUX_ENOENT)
			return r;
		hsrc = src;
		int path_src = (flags & (MS_BIND | MS_MOVE)) ||
			       (!(flags & (MS_REMOUNT | MS_SHARED | MS_PRIVATE | MS_SLAVE |
					   MS_UNBINDABLE)) &&
				type && type_needs_dev(type));
		if (path_src && (r = source_host(sc->a[0], src, sizeof(src))) < 0)
			return r;
	}
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, sc->a[1], VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	/* a /proc/PID/fd/N that stays magic (a symlink's O_PATH fd...): the host's link of the
	 * same host fd, which the host follows as Linux does */
	struct lx_file *magic = p.mnt->ops == &lx_procfs_ops ? procfs_fd_file(p.rel) : NULL;
	if (magic && magic->host_fd >= 0) {
		snprintf(tgt, sizeof(tgt), "/proc/self/fd/%d", magic->host_fd);
		r = lx_host(mount(hsrc, tgt, type, flags, (const void *)(uintptr_t)sc->a[4]));
		vfs_path_put(&p);
		return r;
	}
	if (on_lxrun_mount(&p)) {
		vfs_path_put(&p);
		return -LINUX_EPERM; /* served by lxrun: a host mount there would not be seen */
	}
	const char *h = sys_host_abs(&p, tgt, sizeof(tgt));
	r = lx_host(mount(hsrc, h, type, flags, (const void *)(uintptr_t)sc->a[4]));
	vfs_path_put(&p);
	return r;
}

/* ---- process accounting ---- */

long lx_hostadmin_acct(struct lx_syscall *sc)
{
	if (!sc->a[0])
		return lx_host(acct(NULL));
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, sc->a[0], VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	char buf[LX_PATH_MAX + 32];
	/* a file of lxrun's own mounts has no host object to write records to */
	r = p.mnt->ops ? -LINUX_EACCES : lx_host(acct(sys_host_abs(&p, buf, sizeof(buf))));
	vfs_path_put(&p);
	return r;
}

/* ---- ioctl(2) ---- */

/* The host fd behind guest fd gfd (a request's fd argument), or -EBADF / -EINVAL (a file with
 * no host object: lxrun's tmpfs, procfs...). */
static long host_fd_of(int64_t gfd)
{
	if (gfd < 0 || gfd > INT32_MAX)
		return -LINUX_EBADF;
	struct lx_file *f = sys_file((long)gfd);
	if (!f)
		return -LINUX_EBADF;
	return f->host_fd >= 0 ? f->host_fd : -LINUX_EINVAL;
}

/* ---- keyrings ---- */

/*
 * The kernel's keyrings are per-user and per-session objects of the host; the guest is this
 * host process, so its session and process keyrings are the ones a native program would
 * have. Every argument is an integer (key serials, ids) or a pointer to guest memory, which
 * is at the same host addresses, except KEYCTL_WATCH_KEY's watch-queue fd.
 */
long lx_hostadmin_keys(struct lx_syscall *sc, long nr)
{
	uint64_t a2 = sc->a[2];
	if (nr == SYS_keyctl && sc->a[0] == 32 /* KEYCTL_WATCH_KEY */ && (int)a2 != -1) {
		long h = host_fd_of((int64_t)(int)a2);
		if (h < 0)
			return h == -LINUX_EINVAL ? -LINUX_EBADF : h;
		a2 = (uint64_t)h;
	}
	return lx_host(syscall(nr, sc->a[0], sc->a[1], a2, sc->a[3], sc->a[4]));
}

#define IOC_TYPE(c) (((c) >> 8) & 0xff)
#define PERF_IOC_SET_OUTPUT 0x2405u /* _IO('$', 5) */

/* FIDEDUPERANGE: each destination's guest fd replaced by its host fd in a copy; the results
 * (bytes_deduped, status) copied back. */
static long dedupe_range(int hfd, uint64_t arg)
{
	struct file_dedupe_range hdr;
	if (guest_copy_in(&hdr, arg, sizeof(hdr)) < 0)
		return -LINUX_EFAULT;
	size_t size = sizeof(hdr) + hdr.dest_count * sizeof(struct file_dedupe_range_info);
	if (size > 4096)
		return -LINUX_ENOMEM; /* as Linux: the whole argument fits a page */
	struct file_dedupe_range *r = malloc(size);
	if (!r)
		return -LINUX_ENOMEM;
	long ret = guest_copy_in(r, arg, size) < 0 ? -LINUX_EFAULT : 0;
	for (unsigned i = 0; ret == 0 && i < r->dest_count; i++) {
		long h = host_fd_of(r->info[i].dest_fd);
		if (h < 0)
			ret = h;
		else
			r->info[i].dest_fd = h;
	}
	if (ret == 0)
		ret = lx_host(ioctl(hfd, FIDEDUPERANGE, r));
	for (unsigned i = 0; ret == 0 && i < r->dest_count; i++) {
		uint64_t a = arg + sizeof(hdr) + i * sizeof(r->info[0]);
		if (guest_copy_out(a + offsetof(struct file_dedupe_range_info, bytes_deduped),
				   &r->info[i].bytes_deduped, sizeof(r->info[i].bytes_deduped) +
				   sizeof(r->info[i].status)) < 0)
			ret = -LINUX_EFAULT;
	}
	free(r);
	return ret;
}

/* Requests that carry a guest fd: translated to the host's (1 with *ret), or refused (an fd
 * lxrun cannot see in the argument must never reach the host as a wrong number). */
static int fd_carrying(int hfd, unsigned cmd, uint64_t arg, long *ret)
{
	long h;
	switch (cmd) {
	case LOOP_SET_FD:
	case LOOP_CHANGE_FD:
	case FICLONE:
		h = host_fd_of((int64_t)(int)arg);
		*ret = h < 0 ? h : lx_host(ioctl(hfd, cmd, (unsigned long)h));
		return 1;
	case LOOP_CONFIGURE: {
		struct loop_config lc;
		if (guest_copy_in(&lc, arg, sizeof(lc)) < 0) {
			*ret = -LINUX_EFAULT;
			return 1;
		}
		h = host_fd_of((int64_t)(int)lc.fd);
		lc.fd = (uint32_t)h;
		*ret = h < 0 ? h : lx_host(ioctl(hfd, cmd, &lc));
		return 1;
	}
	case FICLONERANGE: {
		struct file_clone_range fcr;
		if (guest_copy_in(&fcr, arg, sizeof(fcr)) < 0) {
			*ret = -LINUX_EFAULT;
			return 1;
		}
		h = host_fd_of(fcr.src_fd);
		fcr.src_fd = h;
		*ret = h < 0 ? h : lx_host(ioctl(hfd, cmd, &fcr));
		return 1;
	}
	case FIDEDUPERANGE:
		*ret = dedupe_range(hfd, arg);
		return 1;
	case PERF_IOC_SET_OUTPUT: /* another perf event's fd, or -1 to stop redirecting */
		h = (int)arg == -1 ? -1 : host_fd_of((int64_t)(int)arg);
		*ret = h < -1 ? h : lx_host(ioctl(hfd, cmd, (unsigned long)h));
		return 1;
	}
	return 0;
}


/* Request groups known to carry or return fds that are not translated: refused in host-admin
 * mode (btrfs 0x94 beyond the clone and label requests, KVM, VFIO, dma-buf,
 * autofs, vhost, TEE, and perf's SET_BPF). */
static int fd_group(unsigned cmd)
{
	switch (IOC_TYPE(cmd)) {
	case 0x94:
		return cmd != FS_IOC_GETFSLABEL && cmd != FS_IOC_SETFSLABEL;
	case 0xae: case 0x3b: case 'b': case 0x93: case 0xaf: case 0xa4:
		return 1;
	case '$': /* SET_BPF: a bpf program's fd (bpf is EPERM: the guest has none) */
		return (cmd & 0xff) == 8;
	}
	return 0;
}

/* Requests harmless in both models on the guest's own regular files and directories (and on
 * a block device it could open): inode flags, extent maps, sizes, block size. */
static int harmless(unsigned cmd)
{
	switch (cmd) {
	case FS_IOC_GETFLAGS: case FS_IOC_SETFLAGS: case FS_IOC_GETVERSION:
	case FS_IOC_SETVERSION: case FS_IOC_FSGETXATTR: case FS_IOC_FSSETXATTR:
	case FS_IOC_FIEMAP: case FIGETBSZ: case FS_IOC_GETFSLABEL:
	case BLKGETSIZE64: case BLKGETSIZE: case BLKSSZGET: case BLKBSZGET: case BLKROGET:
	case BLKPBSZGET: case BLKIOMIN: case BLKIOOPT: case BLKDISCARDZEROES:
	case FICLONE: case FICLONERANGE: case FIDEDUPERANGE:
		return 1;
	}
	return 0;
}

/* Container model: would cmd change a file's immutable or append-only flag? That needs
 * CAP_LINUX_IMMUTABLE, which a container's root lacks (Docker's default set): EPERM. */
static long immutable_change(int hfd, unsigned cmd, uint64_t arg)
{
	if (cmd == FS_IOC_SETFLAGS) {
		int want, cur;
		if (guest_copy_in(&want, arg, sizeof(want)) < 0)
			return -LINUX_EFAULT;
		if (ioctl(hfd, FS_IOC_GETFLAGS, &cur) < 0)
			return 0; /* the host's own answer (ENOTTY...) follows */
		return (want ^ cur) & (FS_IMMUTABLE_FL | FS_APPEND_FL) ? -LINUX_EPERM : 0;
	}
	if (cmd == FS_IOC_FSSETXATTR) {
		struct fsxattr want, cur;
		if (guest_copy_in(&want, arg, sizeof(want)) < 0)
			return -LINUX_EFAULT;
		if (ioctl(hfd, FS_IOC_FSGETXATTR, &cur) < 0)
			return 0;
		return (want.fsx_xflags ^ cur.fsx_xflags) & (FS_XFLAG_IMMUTABLE | FS_XFLAG_APPEND)
			       ? -LINUX_EPERM
			       : 0;
	}
	return 0;
}

int lx_hostadmin_ioctl(struct lx_file *f, unsigned cmd, uint64_t arg, long *ret)
{
	if (f->ops != &lx_host_file_ops || f->host_fd < 0)
		return 0;
	if (!lx_host_admin) {
		struct stat st;
		if (!harmless(cmd) || fstat(f->host_fd, &st) < 0 ||
		    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)))
			return 0;
		if ((*ret = immutable_change(f->host_fd, cmd, arg)) < 0)
			return 1;
	}
	/* the pidfd and nsfs requests were served before (pidfd_ns_ioctl in sys_file.c) */
	if (fd_carrying(f->host_fd, cmd, arg, ret))
		return 1;
	if (fd_group(cmd)) {
		*ret = -LINUX_EINVAL;
		return 1;
	}
	/* guest memory is at the same host addresses: pointer arguments need no copy */
	*ret = lx_host(ioctl(f->host_fd, (unsigned long)cmd, (void *)(uintptr_t)arg));
	return 1;
}

long lx_hostadmin_umount2(struct lx_syscall *sc)
{
	int flags = (int)sc->a[1];
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, sc->a[0],
				  (flags & UMOUNT_NOFOLLOW) ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	int on = on_lxrun_mount(&p);
	if (on) {
		vfs_path_put(&p);
		return on == 1 ? -LINUX_EPERM : -LINUX_EINVAL; /* inside one: not a mount point */
	}
	char tgt[LX_PATH_MAX + 32];
	r = lx_host(umount2(sys_host_abs(&p, tgt, sizeof(tgt)), flags));
	vfs_path_put(&p);
	return r;
}
