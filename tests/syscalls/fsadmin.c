/* SPDX-License-Identifier: MIT */
/*
 * fsadmin.c: root's administrative file-system calls (lxrun's host-admin model: as root without
 * --root they reach the host as a native root program's do): fanotify (event fds, pidfds, FID
 * records, permission responses), the new mount API (fsopen, fsconfig, fsmount, move_mount,
 * open_tree, fspick, mount_setattr) on a private tmpfs, statmount/listmount, open_by_handle_at,
 * perf_event_open, adjtimex/clock_adjtime with modes and settimeofday/clock_settime. Every case needs root (skipped
 * otherwise); open_tree without a clone is anyone's. Mounts are detached before the program
 * ends, also when a case fails (atexit).
 */
#include "check.h"

#include <poll.h>
#include <stdint.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/timex.h>
#include <time.h>
#include <linux/perf_event.h>

#define FSOPEN_CLOEXEC_ 1
#define FSMOUNT_CLOEXEC_ 1
#define FSPICK_CLOEXEC_ 1
#define FSCONFIG_SET_STRING_ 1
#define FSCONFIG_CMD_CREATE_ 6
#define FSCONFIG_CMD_RECONFIGURE_ 7
#define MOVE_MOUNT_F_EMPTY_PATH_ 4
#define OPEN_TREE_CLONE_ 1
#define OPEN_TREE_CLOEXEC_ O_CLOEXEC
#define MOUNT_ATTR_RDONLY_ 1
#define STATX_MNT_ID_UNIQUE_ 0x4000
#define STATMOUNT_SB_BASIC_ 1
#define STATMOUNT_MNT_BASIC_ 2
#define STATMOUNT_MNT_POINT_ 0x10
#define TMPFS_MAGIC_ 0x01021994
#define FAN_REPORT_PIDFD_ 0x80
#define FAN_EVENT_INFO_TYPE_FID_ 1
#define FAN_EVENT_INFO_TYPE_PIDFD_ 4

struct mount_attr_ {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

struct mnt_id_req_ {
	uint32_t size, spare;
	uint64_t mnt_id, param;
};

/* struct statmount's fixed part (512 bytes; strings follow at str[]) */
struct statmount_ {
	uint32_t size, mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags, fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
	uint32_t mnt_root, mnt_point;
	uint64_t rest[50];
	char str[];
};

static char mnt_a[PATH_MAX], mnt_b[PATH_MAX];

static void detach_mounts(void)
{
	/* the last mount on a point first: a failed case may have stacked two */
	for (int i = 0; i < 4; i++) {
		syscall(SYS_umount2, mnt_b, 2 /* MNT_DETACH */);
		syscall(SYS_umount2, mnt_a, 2 /* MNT_DETACH */);
	}
}

/* The lowest fd number free now. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static uint64_t mount_id_of(const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID_UNIQUE_, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID_UNIQUE_))
		return 0;
	return stx.stx_mnt_id;
}

/* ---- fanotify ---- */

/* Read one batch of events into buf; the first event's metadata, or NULL when none comes
 * within 2 s (a case then fails instead of hanging). */
static struct fanotify_event_metadata *fan_read(int fan, char *buf, size_t size, ssize_t *len)
{
	struct pollfd p = {.fd = fan, .events = POLLIN};
	*len = -1;
	if (poll(&p, 1, 2000) != 1)
		return NULL;
	*len = read(fan, buf, size);
	return *len >= (ssize_t)sizeof(struct fanotify_event_metadata)
		       ? (struct fanotify_event_metadata *)buf
		       : NULL;
}

static void test_fanotify_fd_events(void)
{
	const char *file = check_path("fan-file");
	char buf[4096], link[64], target[PATH_MAX];
	struct stat st, est;
	ssize_t len;

	check_write_file(file, "data", 4);
	stat(file, &st);
	int fan = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);
	CHECK("fanotify_init.cloexec", fan >= 0 && (fcntl(fan, F_GETFD) & FD_CLOEXEC),
	      "fd %d: %s", fan, check_errname(errno));
	if (fan < 0)
		return;
	CHECK_SYS("fanotify_mark.add_path",
		  syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, FAN_OPEN | FAN_CLOSE_WRITE,
			  AT_FDCWD, file));
	CHECK_ERR("fanotify_mark.enoent",
		  syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD,
			  check_path("fan-missing")), ENOENT);
	CHECK_ERR("fanotify_mark.not_fanotify",
		  syscall(SYS_fanotify_mark, 0, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, file), EINVAL);
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	close(fd);
	int want_fd = lowest_free_fd();
	struct fanotify_event_metadata *m = fan_read(fan, buf, sizeof(buf), &len);
	CHECK("fanotify.read_open_event", m && (m->mask & FAN_OPEN) && m->pid == getpid(),
	      "len %zd mask %llx pid %d", len, m ? (unsigned long long)m->mask : 0ULL,
	      m ? m->pid : -1);
	if (!m)
		goto out;
	CHECK_EQ("fanotify.event_fd_lowest", m->fd, want_fd);
	CHECK("fanotify.event_fd_same_file",
	      fstat(m->fd, &est) == 0 && est.st_ino == st.st_ino && est.st_dev == st.st_dev,
	      "fstat(%d): %s", m->fd, check_errname(errno));
	CHECK_EQ("fanotify.event_fd_no_cloexec", fcntl(m->fd, F_GETFD) & FD_CLOEXEC, 0);
	CHECK_EQ("fanotify.event_fd_rdonly", fcntl(m->fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", m->fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	CHECK_STR("fanotify.event_fd_proc_link", target, file);
	/* every event of the batch has its own fd (open and close may be merged into one) */
	int nev = 0, fds_ok = 1;
	for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len), nev++) {
		fds_ok &= m->fd >= 0 && fcntl(m->fd, F_GETFD) >= 0;
		close(m->fd);
	}
	CHECK("fanotify.event_fds_valid", fds_ok && nev >= 1, "%d events, fds %s", nev,
	      fds_ok ? "ok" : "bad");
out:
	close(fan);
	/* O_CLOEXEC in event_f_flags: the event fds are close-on-exec */
	fan = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF, O_RDONLY | O_CLOEXEC);
	syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, file);
	close(open(file, O_RDONLY));
	m = fan_read(fan, buf, sizeof(buf), &len);
	CHECK("fanotify.event_fd_cloexec", m && m->fd >= 0 && (fcntl(m->fd, F_GETFD) & FD_CLOEXEC),
	      "event fd %d", m ? m->fd : -2);
	if (m)
		close(m->fd);
	CHECK_EQ("fanotify_init.not_cloexec", fcntl(fan, F_GETFD) & FD_CLOEXEC, 0);
	/* /proc/self/fdinfo of the fanotify fd lists its marks (the inode's number in hex) */
	char info[4096], path[64], want[64];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fan);
	snprintf(want, sizeof(want), "ino:%lx ", (unsigned long)st.st_ino);
	CHECK("fanotify.fdinfo_marks", check_read_file(path, info, sizeof(info)) > 0 &&
	      strstr(info, "fanotify ") && strstr(info, want), "%s", info);
	close(fan);
}

/* FAN_REPORT_FID: no event fd, a file id record as the host wrote it; FAN_REPORT_PIDFD: the
 * pidfd record names this process. */
static void test_fanotify_info(void)
{
	const char *file = check_path("fan-fid");
	char buf[4096];
	ssize_t len;

	check_write_file(file, "x", 1);
	struct fanotify_event_metadata *m;
	struct fanotify_event_info_header *h;
	int fan = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_REPORT_FID, 0);
	if (syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, FAN_MODIFY, AT_FDCWD, file) < 0 &&
	    (errno == ENODEV || errno == EOPNOTSUPP || errno == EXDEV)) {
		/* a file system without file handles or an fsid (9p, FUSE) cannot report FIDs */
		check_skip("fanotify.report_fid", "this file system cannot report file ids");
	} else {
		check_write_file(file, "yy", 2);
		m = fan_read(fan, buf, sizeof(buf), &len);
		h = m ? (void *)((char *)m + m->metadata_len) : NULL;
		CHECK("fanotify.report_fid", m && m->fd == FAN_NOFD &&
		      h->info_type == FAN_EVENT_INFO_TYPE_FID_ && h->len > sizeof(*h) + 8,
		      "fan %d len %zd fd %d type %d", fan, len, m ? m->fd : -2,
		      h ? h->info_type : -1);
	}
	close(fan);

	fan = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_REPORT_PIDFD_, O_RDONLY);
	if (fan < 0 && errno == EINVAL) {
		check_skip("fanotify.report_pidfd", "FAN_REPORT_PIDFD needs Linux 5.15");
		return;
	}
	syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, file);
	close(open(file, O_RDONLY));
	m = fan_read(fan, buf, sizeof(buf), &len);
	h = m ? (void *)((char *)m + m->metadata_len) : NULL;
	int pidfd = -1;
	if (h && h->info_type == FAN_EVENT_INFO_TYPE_PIDFD_)
		memcpy(&pidfd, h + 1, sizeof(pidfd));
	/* the pidfd is the guest's (close-on-exec, as every pidfd) and names this process */
	CHECK("fanotify.report_pidfd", m && m->pid == getpid() && pidfd >= 0 &&
	      (fcntl(pidfd, F_GETFD) & FD_CLOEXEC) &&
	      syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0,
	      "pid %d pidfd %d: %s", m ? m->pid : -1, pidfd, check_errname(errno));
	if (m)
		close(m->fd);
	if (pidfd >= 0)
		close(pidfd);
	close(fan);
}

/* "fan-exec FD FILE": after execve, the inherited fanotify fd still gives event fds */
static int fan_exec_child(int fan, const char *file)
{
	char buf[4096];
	ssize_t len;
	struct stat st, est;

	close(open(file, O_RDONLY));
	struct fanotify_event_metadata *m = fan_read(fan, buf, sizeof(buf), &len);
	return m && m->fd >= 0 && stat(file, &st) == 0 && fstat(m->fd, &est) == 0 &&
	       est.st_ino == st.st_ino ? 0 : 1;
}

static void test_fanotify_exec(void)
{
	const char *file = check_path("fan-exec");
	char fdnum[16];

	check_write_file(file, "e", 1);
	int fan = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF, O_RDONLY);
	syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, file);
	snprintf(fdnum, sizeof(fdnum), "%d", fan);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	pid_t pid = fork();
	if (pid == 0) {
		execl(self, "fsadmin", "fan-exec", fdnum, file, (char *)NULL);
		_exit(127);
	}
	check_wait_child("fanotify.read_after_execve", pid, 0);
	close(fan);
}

/* A permission event: the opener waits until the answer, written with the guest's event fd. */
static void test_fanotify_perm(void)
{
	const char *file = check_path("fan-perm");
	char buf[4096];
	ssize_t len;

	check_write_file(file, "p", 1);
	int fan = syscall(SYS_fanotify_init, FAN_CLASS_CONTENT, O_RDONLY);
	if (syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, file) < 0) {
		check_skip("fanotify.perm_deny", "no FAN_OPEN_PERM (CONFIG_FANOTIFY_ACCESS_PERMISSIONS)");
		check_skip("fanotify.perm_allow", "no FAN_OPEN_PERM (CONFIG_FANOTIFY_ACCESS_PERMISSIONS)");
		close(fan);
		return;
	}
	for (int i = 0; i < 2; i++) {
		unsigned answer = i ? FAN_ALLOW : FAN_DENY;
		const char *name = i ? "fanotify.perm_allow" : "fanotify.perm_deny";
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open(file, O_RDONLY);
			_exit(fd >= 0 ? 0 : errno == EPERM ? 1 : 2);
		}
		struct fanotify_event_metadata *m = fan_read(fan, buf, sizeof(buf), &len);
		int ok = m && (m->mask & FAN_OPEN_PERM) && m->pid == pid && m->fd >= 0;
		if (m && m->fd >= 0) {
			struct fanotify_response r = {.fd = m->fd, .response = answer};
			ok &= write(fan, &r, sizeof(r)) == sizeof(r);
			close(m->fd);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		CHECK(name, ok && WIFEXITED(st) && WEXITSTATUS(st) == (i ? 0 : 1),
		      "event %d, opener status %#x", ok, st);
	}
	struct fanotify_response bad = {.fd = check_closed_fd(), .response = FAN_ALLOW};
	CHECK_ERR("fanotify.response_unknown_fd", write(fan, &bad, sizeof(bad)), ENOENT);
	close(fan);
}

/* ---- the new mount API, on a tmpfs of the test's own ---- */

static void test_mount_api(void)
{
	char probe[PATH_MAX + 8];
	struct statfs sfs;

	snprintf(mnt_a, sizeof(mnt_a), "%s", check_path("mnt-a"));
	snprintf(mnt_b, sizeof(mnt_b), "%s", check_path("mnt-b"));
	mkdir(mnt_a, 0755);
	mkdir(mnt_b, 0755);
	atexit(detach_mounts);

	int fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC_);
	CHECK("fsopen.tmpfs", fs >= 0 && (fcntl(fs, F_GETFD) & FD_CLOEXEC), "%d: %s", fs,
	      check_errname(errno));
	CHECK_ERR("fsopen.unknown_type", syscall(SYS_fsopen, "lxrun-nofs", 0), ENODEV);
	CHECK_ERR("fsopen.bad_flags", syscall(SYS_fsopen, "tmpfs", 0x100), EINVAL);
	if (fs < 0)
		return;
	CHECK_SYS("fsconfig.set_string",
		  syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING_, "size", "1m", 0));
	CHECK_ERR("fsconfig.unknown_key",
		  syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING_, "lxrun-nokey", "1", 0), EINVAL);
	CHECK_ERR("fsconfig.not_context",
		  syscall(SYS_fsconfig, 0, FSCONFIG_CMD_CREATE_, NULL, NULL, 0), EINVAL);
	CHECK_SYS("fsconfig.create", syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE_, NULL, NULL, 0));
	int mfd = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC_, 0);
	CHECK("fsmount.cloexec", mfd >= 0 && (fcntl(mfd, F_GETFD) & FD_CLOEXEC), "%d: %s", mfd,
	      check_errname(errno));
	close(fs);
	if (mfd < 0)
		return;
	CHECK_SYS("move_mount.attach",
		  syscall(SYS_move_mount, mfd, "", AT_FDCWD, mnt_a, MOVE_MOUNT_F_EMPTY_PATH_));
	close(mfd);
	CHECK("move_mount.tmpfs_seen", statfs(mnt_a, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC_,
	      "f_type %#lx", (unsigned long)sfs.f_type);
	snprintf(probe, sizeof(probe), "%s/f", mnt_a);
	check_write_file(probe, "in-a", 4);

	int tree = syscall(SYS_open_tree, AT_FDCWD, mnt_a, OPEN_TREE_CLONE_ | OPEN_TREE_CLOEXEC_);
	CHECK("open_tree.clone", tree >= 0 && (fcntl(tree, F_GETFD) & FD_CLOEXEC), "%d: %s", tree,
	      check_errname(errno));
	char got[16] = "";
	if (tree >= 0) {
		int f = openat(tree, "f", O_RDONLY);
		CHECK("open_tree.clone_relative_path", f >= 0 && read(f, got, 4) == 4, "%s",
		      check_errname(errno));
		close(f);
		CHECK_SYS("move_mount.clone",
			  syscall(SYS_move_mount, tree, "", AT_FDCWD, mnt_b, MOVE_MOUNT_F_EMPTY_PATH_));
		close(tree);
	}
	snprintf(probe, sizeof(probe), "%s/f", mnt_b);
	CHECK("move_mount.clone_content", check_read_file(probe, got, sizeof(got)) == 4 &&
	      strcmp(got, "in-a") == 0, "'%s'", got);
	struct mount_attr_ ma = {.attr_set = MOUNT_ATTR_RDONLY_};
	CHECK_SYS("mount_setattr.rdonly",
		  syscall(SYS_mount_setattr, AT_FDCWD, mnt_b, 0, &ma, sizeof(ma)));
	snprintf(probe, sizeof(probe), "%s/g", mnt_b);
	CHECK_ERR("mount_setattr.rdonly_erofs", open(probe, O_CREAT | O_WRONLY, 0644), EROFS);
	CHECK_ERR("mount_setattr.small_size",
		  syscall(SYS_mount_setattr, AT_FDCWD, mnt_b, 0, &ma, 8), EINVAL);

	int pick = syscall(SYS_fspick, AT_FDCWD, mnt_a, FSPICK_CLOEXEC_);
	CHECK("fspick.mount_root", pick >= 0, "%s", check_errname(errno));
	if (pick >= 0) {
		CHECK_SYS("fsconfig.reconfigure",
			  syscall(SYS_fsconfig, pick, FSCONFIG_SET_STRING_, "size", "2m", 0) |
			  syscall(SYS_fsconfig, pick, FSCONFIG_CMD_RECONFIGURE_, NULL, NULL, 0));
		close(pick);
	}
	CHECK_ERR("fspick.not_mount_root", syscall(SYS_fspick, AT_FDCWD, check_path(""), 0),
		  EINVAL);

	/* statmount/listmount: the new mount is in the tree, at its path */
	uint64_t id = mount_id_of(mnt_a);
	struct mnt_id_req_ req = {.size = sizeof(req), .mnt_id = id,
				  .param = STATMOUNT_SB_BASIC_ | STATMOUNT_MNT_BASIC_ |
					   STATMOUNT_MNT_POINT_};
	static char smbuf[8192];
	struct statmount_ *sm = (void *)smbuf;
	errno = ENOSYS; /* no unique mount ids (statx's STATX_MNT_ID_UNIQUE): before 6.8 too */
	long r = id ? syscall(457, &req, sm, sizeof(smbuf), 0) : -1;
	if (r < 0 && errno == ENOSYS) {
		check_skip("statmount.new_mount", "no statmount (Linux 6.8)");
		check_skip("listmount.new_mount", "no listmount (Linux 6.8)");
	} else {
		CHECK("statmount.new_mount", r == 0 && sm->mnt_id == id &&
		      sm->sb_magic == TMPFS_MAGIC_ && strcmp(sm->str + sm->mnt_point, mnt_a) == 0,
		      "id %llx: %s, magic %llx point '%s'", (unsigned long long)id,
		      check_errname(errno), (unsigned long long)sm->sb_magic,
		      r == 0 ? sm->str + sm->mnt_point : "");
		uint64_t ids[512];
		struct mnt_id_req_ lreq = {.size = sizeof(lreq), .mnt_id = sm->mnt_parent_id};
		long n = syscall(458, &lreq, ids, 512, 0);
		int found = 0;
		for (long i = 0; i < n; i++)
			found |= ids[i] == id;
		CHECK("listmount.new_mount", n > 0 && found, "%ld ids: %s", n, check_errname(errno));
	}

	/* from a chroot, without CAP_SYS_ADMIN, a mount outside the root is EPERM, the root's
	 * own is not (Linux's reachability rule) */
	if (r == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			struct mnt_id_req_ q = {.size = sizeof(q), .mnt_id = mount_id_of("/"),
						.param = STATMOUNT_SB_BASIC_};
			if (chroot(mnt_a) < 0 || setresgid(65534, 65534, 65534) < 0 ||
			    setresuid(65534, 65534, 65534) < 0)
				_exit(3);
			if (syscall(457, &q, smbuf, sizeof(smbuf), 0) == 0 || errno != EPERM)
				_exit(1);
			q.mnt_id = id;
			_exit(syscall(457, &q, smbuf, sizeof(smbuf), 0) != 0 ? 2 : 0);
		}
		check_wait_child("statmount.chroot_outside_eperm", pid, 0);
	}
	CHECK_SYS("umount2.clone", syscall(SYS_umount2, mnt_b, 0));
	CHECK_SYS("umount2.fsmount", syscall(SYS_umount2, mnt_a, 0));
	if (!id)
		check_skip("umount2.mount_gone", "no unique mount ids (Linux 6.8)");
	else
		CHECK("umount2.mount_gone", mount_id_of(mnt_a) != id, "mount id %llx still there",
	      (unsigned long long)id);
}

/* open_tree without a clone: an O_PATH fd, anyone's */
static void test_open_tree_path(void)
{
	struct stat a, b;
	int fd = syscall(SYS_open_tree, AT_FDCWD, check_path(""), OPEN_TREE_CLOEXEC_);

	CHECK("open_tree.o_path", fd >= 0 && (fcntl(fd, F_GETFL) & O_PATH) &&
	      fstat(fd, &a) == 0 && stat(check_path(""), &b) == 0 && a.st_ino == b.st_ino,
	      "%d: %s", fd, check_errname(errno));
	char c;
	CHECK_ERR("open_tree.o_path_no_read", read(fd, &c, 1), EBADF);
	close(fd);
	CHECK_ERR("open_tree.recursive_without_clone",
		  syscall(SYS_open_tree, AT_FDCWD, "/", 0x8000 /* AT_RECURSIVE */), EINVAL);
	CHECK_ERR("open_tree.enoent",
		  syscall(SYS_open_tree, AT_FDCWD, check_path("none"), 0), ENOENT);
}

/* ---- open_by_handle_at, perf_event_open, adjtimex ---- */

static void test_handle(void)
{
	const char *file = check_path("handle-file");
	struct {
		struct file_handle h;
		unsigned char bytes[128];
	} fh = {.h.handle_bytes = 128};
	int mnt_id;
	char got[8] = "";

	check_write_file(file, "hndl", 4);
	if (name_to_handle_at(AT_FDCWD, file, &fh.h, &mnt_id, 0) < 0) {
		check_skip("open_by_handle_at.read", "no handles on this filesystem");
		return;
	}
	int dir = open(check_path(""), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int want = lowest_free_fd();
	int fd = open_by_handle_at(dir, &fh.h, O_RDONLY);
	CHECK("open_by_handle_at.read", fd == want && read(fd, got, 4) == 4 &&
	      strcmp(got, "hndl") == 0 && !(fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "fd %d (want %d): %s '%s'", fd, want, check_errname(errno), got);
	close(fd);
	fd = open_by_handle_at(AT_FDCWD, &fh.h, O_RDONLY | O_CLOEXEC);
	CHECK("open_by_handle_at.cloexec", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "%s",
	      check_errname(errno));
	close(fd);
	CHECK_ERR("open_by_handle_at.ebadf", open_by_handle_at(check_closed_fd(), &fh.h, O_RDONLY),
		  EBADF);
	close(dir);
}

static void test_perf(void)
{
	struct perf_event_attr pa = {.type = PERF_TYPE_SOFTWARE, .size = sizeof(pa),
				     .config = PERF_COUNT_SW_TASK_CLOCK};
	uint64_t v = 0;
	int fd = syscall(SYS_perf_event_open, &pa, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0 && errno == ENOENT) {
		check_skip("perf_event_open.task_clock", "no software perf events");
		return;
	}
	for (volatile int i = 0; i < 1000000; i++)
		;
	CHECK("perf_event_open.task_clock", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) &&
	      read(fd, &v, sizeof(v)) == sizeof(v) && v > 0, "fd %d: %s, count %llu", fd,
	      check_errname(errno), (unsigned long long)v);
	int sib = syscall(SYS_perf_event_open, &pa, 0, -1, fd, PERF_FLAG_FD_CLOEXEC);
	CHECK("perf_event_open.group", sib >= 0, "%s", check_errname(errno));
	/* PERF_EVENT_IOC_SET_OUTPUT names another event's fd: sib's samples into fd's buffer */
	long page = sysconf(_SC_PAGESIZE);
	void *rb = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("ioctl.perf_set_output", rb != MAP_FAILED &&
	      ioctl(sib, PERF_EVENT_IOC_SET_OUTPUT, fd) == 0, "%s", check_errname(errno));
	CHECK_ERR("ioctl.perf_set_output_ebadf",
		  ioctl(sib, PERF_EVENT_IOC_SET_OUTPUT, check_closed_fd()), EBADF);
	close(sib);
	if (rb != MAP_FAILED)
		munmap(rb, 2 * page);
	CHECK_ERR("perf_event_open.bad_group",
		  syscall(SYS_perf_event_open, &pa, 0, -1, check_closed_fd(), 0), EBADF);
	close(fd);
}

/* Set maxerror and esterror to the values just read: a change the kernel accepts from root
 * only, that leaves the clock as it was. */
static void test_adjtimex(void)
{
	struct timex tx = {0};

	CHECK("adjtimex.read", adjtimex(&tx) >= 0, "%s", check_errname(errno));
	tx.modes = ADJ_MAXERROR | ADJ_ESTERROR;
	CHECK("adjtimex.set_errors", adjtimex(&tx) >= 0, "%s", check_errname(errno));
	tx.modes = ADJ_MAXERROR;
	CHECK("clock_adjtime.set_maxerror",
	      syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0, "%s", check_errname(errno));
	tx.modes = ADJ_TICK;
	tx.tick = 1;
	CHECK_ERR("adjtimex.bad_tick", adjtimex(&tx), EINVAL);
}

/* Root may set the wall clock (CAP_SYS_TIME). settimeofday with neither argument changes
 * nothing and still needs the capability; clock_settime sets the time just read (a step back
 * of microseconds). */
static void test_settime(void)
{
	struct timespec ts;
	struct timeval tv = {0, 0};

	CHECK("settimeofday.root_nothing", syscall(SYS_settimeofday, NULL, NULL) == 0, "%s",
	      check_errname(errno));
	CHECK_ERR("settimeofday.root_bad_tz", syscall(SYS_settimeofday, NULL, &(int[2]){24 * 60, 0}),
		  EINVAL);
	tv.tv_usec = 1000000;
	CHECK_ERR("settimeofday.root_bad_usec", syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	clock_gettime(CLOCK_REALTIME, &ts);
	CHECK("clock_settime.root_realtime", syscall(SYS_clock_settime, CLOCK_REALTIME, &ts) == 0,
	      "%s", check_errname(errno));
	CHECK_ERR("clock_settime.root_monotonic", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts),
		  EINVAL);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "fan-exec") == 0)
		return fan_exec_child(atoi(argv[2]), argv[3]);
	check_init(argc, argv);
	check_watchdog(60);
	check_tmpdir_make();
	test_open_tree_path();
	if (geteuid() != 0) {
		const char *why = "needs root (lxrun's host-admin model)";
		const char *names[] = {"fanotify_init.cloexec", "fsopen.tmpfs", "open_by_handle_at.read",
				       "perf_event_open.task_clock", "adjtimex.set_errors",
				       "clock_settime.root_realtime"};
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			check_skip(names[i], why);
		return check_done();
	}
	test_fanotify_fd_events();
	test_fanotify_info();
	test_fanotify_exec();
	test_fanotify_perm();
	test_mount_api();
	test_handle();
	test_perf();
	test_adjtimex();
	test_settime();
	return check_done();
}
