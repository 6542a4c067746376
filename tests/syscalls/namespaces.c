/* SPDX-License-Identifier: MIT */
/*
 * namespaces.c: coverage for new and entered namespaces as root: unshare (CLONE_NEWUTS, NEWNS,
 * NEWIPC, NEWNET, NEWPID, NEWTIME, NEWCGROUP, NEWUSER), clone and clone3 with CLONE_NEW* (a
 * CLONE_NEWPID child is pid 1, set_tid), setns with /proc/PID/ns files and pidfds, the nsfs
 * ioctls and pivot_root. Everything that changes a namespace happens in a forked child whose
 * mounts are private to its own mount namespace, so nothing outlives it. As a user the cases
 * are skipped (they need CAP_SYS_ADMIN; admin.c has the EPERM answers).
 */
#include "check.h"

#include <linux/nsfs.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#define TMPFS_MAGIC 0x01021994

struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size;
};

/* The namespace link of /proc/self/ns/NAME ("uts:[4026531838]"), or "" */
static const char *ns_link(const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/* Run fn in a forked child (its own cases), then one case for its exit. */
static void in_child(const char *name, void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		check_child_exit();
	}
	check_wait_child(name, pid, 0);
}

/* A child's mounts stay in its own mount namespace: private from "/" down. */
static int private_mount_ns(void)
{
	return unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0
		       ? 0
		       : -1;
}

static int is_tmpfs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

static void child_uts(void)
{
	char before[128], after[128];
	struct utsname u;

	ns_link("uts", before, sizeof(before));
	CHECK_EQ("unshare.newuts", unshare(CLONE_NEWUTS), 0);
	CHECK("unshare.newuts_link", strcmp(ns_link("uts", after, sizeof(after)), before) != 0,
	      "%s -> %s", before, after);
	CHECK_EQ("unshare.newuts_sethostname", sethostname("lxrun-ns", 8), 0);
	CHECK("unshare.newuts_uname", uname(&u) == 0 && !strcmp(u.nodename, "lxrun-ns"), "%s",
	      u.nodename);
}

static void test_uts(void)
{
	struct utsname before, after;

	uname(&before);
	in_child("unshare.newuts_child", child_uts);
	uname(&after);
	CHECK_STR("unshare.newuts_parent_unchanged", after.nodename, before.nodename);
}

static void child_mnt(void)
{
	const char *mnt = check_path("mnt");

	/* never a mount outside a private mount namespace of the child's own */
	if (!CHECK_EQ("unshare.newns", private_mount_ns(), 0))
		return;
	CHECK_EQ("unshare.newns_mount", mount("none", mnt, "tmpfs", 0, NULL), 0);
	CHECK("unshare.newns_mounted", is_tmpfs(mnt), "not tmpfs");
}

static void test_mnt(void)
{
	const char *mnt = check_path("mnt");

	mkdir(mnt, 0755);
	in_child("unshare.newns_child", child_mnt);
	CHECK("unshare.newns_not_outside", !is_tmpfs(mnt), "the child's tmpfs is seen outside");
}

static int ipc_key;

static void child_ipc(void)
{
	CHECK("unshare.newipc_before", msgget(ipc_key, 0) >= 0, "%s", check_errname(errno));
	CHECK_EQ("unshare.newipc", unshare(CLONE_NEWIPC), 0);
	CHECK_ERR("unshare.newipc_msgget", msgget(ipc_key, 0), ENOENT);
	CHECK("unshare.newipc_own_queue", msgget(ipc_key, IPC_CREAT | 0600) >= 0, "%s",
	      check_errname(errno));
}

static void test_ipc(void)
{
	int id;

	ipc_key = 0x6c780000 | (getpid() & 0xffff);
	id = msgget(ipc_key, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0) {
		check_skip("unshare.newipc_child", "no private message queue key");
		return;
	}
	in_child("unshare.newipc_child", child_ipc);
	CHECK("unshare.newipc_parent_queue", msgget(ipc_key, 0) == id, "%s", check_errname(errno));
	msgctl(id, IPC_RMID, NULL);
}

static void child_net(void)
{
	char before[128], after[128];
	struct if_nameindex *ifs, *i;
	int n = 0, lo = 0;

	ns_link("net", before, sizeof(before));
	CHECK_EQ("unshare.newnet", unshare(CLONE_NEWNET), 0);
	CHECK("unshare.newnet_link", strcmp(ns_link("net", after, sizeof(after)), before) != 0,
	      "%s -> %s", before, after);
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index; i++, n++)
		lo |= !strcmp(i->if_name, "lo");
	CHECK("unshare.newnet_only_lo", n == 1 && lo, "%d interfaces", n);
	if (ifs)
		if_freenameindex(ifs);
}

static void grandchild_pid(void)
{
	char st[4096], *nspid;
	ssize_t n;

	CHECK_EQ("unshare.newpid_getpid", getpid(), 1);
	CHECK_EQ("unshare.newpid_getppid", getppid(), 0);
	n = check_read_file("/proc/self/status", st, sizeof(st));
	nspid = n > 0 ? strstr(st, "NSpid:") : NULL;
	if (nspid)
		*strchrnul(nspid, '\n') = 0;
	CHECK("unshare.newpid_proc_self", nspid && !strcmp(strrchr(nspid, '\t') + 1, "1"), "%s",
	      nspid ? nspid : "no NSpid line");
	fflush(stdout);
	_exit(check_failed ? 1 : 7);
}

static void child_pid(void)
{
	pid_t self = getpid(), pid;
	int status = 0;

	CHECK_EQ("unshare.newpid", unshare(CLONE_NEWPID), 0);
	CHECK_EQ("unshare.newpid_self_unchanged", getpid(), self);
	pid = fork();
	if (pid == 0)
		grandchild_pid();
	CHECK("unshare.newpid_wait", waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
					     WEXITSTATUS(status) == 7,
	      "pid %d status %#x", pid, status);
	/* the namespace's first process is gone: no more processes in it */
	CHECK_ERR("unshare.newpid_after_init_exit", fork(), ENOMEM);
}

static void child_cgroup(void)
{
	char before[128], after[128];

	ns_link("cgroup", before, sizeof(before));
	CHECK_EQ("unshare.newcgroup", unshare(CLONE_NEWCGROUP), 0);
	CHECK("unshare.newcgroup_link", strcmp(ns_link("cgroup", after, sizeof(after)), before) != 0,
	      "%s -> %s", before, after);
}

static double mono(long how)
{
	struct timespec ts;

	if (how)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	else
		clock_gettime(CLOCK_MONOTONIC, &ts); /* the vDSO's */
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void child_time(void)
{
	char before[128], after[128];
	double t0 = mono(0);
	pid_t pid;

	ns_link("time_for_children", before, sizeof(before));
	CHECK_EQ("unshare.newtime", unshare(CLONE_NEWTIME), 0);
	CHECK("unshare.newtime_for_children",
	      strcmp(ns_link("time_for_children", after, sizeof(after)), before) != 0, "%s -> %s",
	      before, after);
	CHECK("unshare.newtime_offsets",
	      check_write_file("/proc/self/timens_offsets", "1 100000 0", 10) == 0, "%s",
	      check_errname(errno));
	CHECK("unshare.newtime_self_unchanged", mono(0) - t0 < 50000, "%f", mono(0) - t0);
	pid = fork();
	if (pid == 0) {
		/* 100000 s ahead, far beyond any delay of this run */
		int ok = mono(0) - t0 > 50000 && mono(1) - t0 > 50000;

		_exit(ok ? 0 : 1);
	}
	check_wait_child("unshare.newtime_child_clock", pid, 0);
}

static void *sleeper(void *arg)
{
	pause();
	return arg;
}

static void child_threads(void)
{
	pthread_t th;

	pthread_create(&th, NULL, sleeper, NULL);
	CHECK_ERR("unshare.newuser_threads", unshare(CLONE_NEWUSER), EINVAL);
	/* CLONE_NEWNS gives the calling thread its own fs_struct: no EINVAL */
	CHECK_EQ("unshare.newns_threads", unshare(CLONE_NEWNS), 0);
	CHECK_EQ("unshare.newuts_threads", unshare(CLONE_NEWUTS), 0);
}

static void test_unshare_more(void)
{
	in_child("unshare.newnet_child", child_net);
	in_child("unshare.newpid_child", child_pid);
	in_child("unshare.newcgroup_child", child_cgroup);
	in_child("unshare.newtime_child", child_time);
	in_child("unshare.threads_child", child_threads);
}

static int clone_child_pid(void)
{
	/* a plain exit code: 1 and 0 from getpid and getppid */
	return (getpid() == 1 ? 10 : 0) + (getppid() == 0 ? 1 : 0);
}

static void test_clone(void)
{
	struct clone3_args a;
	pid_t pid, tid = 1;
	int status = 0, pidfd = -1;
	char before[128], after[128];

	pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(clone_child_pid());
	CHECK("clone.newpid", pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
				      WEXITSTATUS(status) == 11,
	      "pid %d status %#x %s", pid, status, check_errname(errno));

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_NEWPID | CLONE_PIDFD;
	a.pidfd = (uintptr_t)&pidfd;
	a.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(clone_child_pid());
	siginfo_t si = {0};
	CHECK("clone3.newpid_pidfd",
	      pid > 0 && pidfd >= 0 && waitid(P_PIDFD, pidfd, &si, WEXITED) == 0 &&
		      si.si_status == 11,
	      "pid %d pidfd %d status %d %s", pid, pidfd, si.si_status, check_errname(errno));
	close(pidfd);

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_NEWPID;
	a.exit_signal = SIGCHLD;
	a.set_tid = (uintptr_t)&tid;
	a.set_tid_size = 1;
	pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(clone_child_pid());
	CHECK("clone3.newpid_set_tid", pid > 0 && waitpid(pid, &status, 0) == pid &&
					       WIFEXITED(status) && WEXITSTATUS(status) == 11,
	      "pid %d status %#x %s", pid, status, check_errname(errno));

	ns_link("time", before, sizeof(before));
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_NEWTIME;
	a.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0)
		_exit(strcmp(ns_link("time", after, sizeof(after)), before) != 0 ? 0 : 1);
	CHECK("clone3.newtime", pid > 0 && waitpid(pid, &status, 0) == pid && status == 0,
	      "pid %d status %#x %s", pid, status, check_errname(errno));

	ns_link("user", before, sizeof(before));
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(strcmp(ns_link("user", after, sizeof(after)), before) != 0 &&
			      geteuid() != 0 ? 0 : 1);
	if (pid < 0 && (errno == ENOSPC || errno == EPERM)) {
		check_skip("clone.newuser", "user namespaces are off on this host");
	} else {
		CHECK("clone.newuser", pid > 0 && waitpid(pid, &status, 0) == pid && status == 0,
		      "pid %d status %#x %s", pid, status, check_errname(errno));
	}
	CHECK_ERR("clone.newpid_thread", syscall(SYS_clone, CLONE_NEWPID | CLONE_THREAD |
						 CLONE_SIGHAND | CLONE_VM, 0, 0, 0, 0), EINVAL);
}

static int orig_mnt = -1, orig_uts = -1;

static void child_setns_mnt(void)
{
	const char *mnt = check_path("mnt");
	char cwd[256] = "";

	if (!CHECK_EQ("setns.mnt_unshare", private_mount_ns(), 0))
		return;
	mount("none", mnt, "tmpfs", 0, NULL);
	CHECK_SYS("setns.mnt_chdir", chdir(mnt));
	CHECK_EQ("setns.mnt", syscall(SYS_setns, orig_mnt, CLONE_NEWNS), 0);
	CHECK("setns.mnt_back", !is_tmpfs(mnt), "still the child's tmpfs");
	/* entering a mount namespace moves the cwd to its root */
	CHECK("setns.mnt_cwd", getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"), "%s", cwd);
	CHECK_ERR("setns.wrong_type", syscall(SYS_setns, orig_uts, CLONE_NEWNET), EINVAL);
}

/* A process in a new UTS namespace, named "lxrun-pidfd", until its pipe closes. */
static pid_t uts_holder(int *wfd)
{
	int go[2], done[2];
	pid_t pid;
	char c;

	if (pipe(go) < 0 || pipe(done) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(go[0]);
		close(done[1]);
		if (unshare(CLONE_NEWUTS) == 0 && sethostname("lxrun-pidfd", 11) == 0)
			c = 'y', write(go[1], &c, 1);
		close(go[1]); /* a failure: the parent reads the end */
		read(done[0], &c, 1);
		_exit(0);
	}
	close(go[1]);
	close(done[0]);
	*wfd = done[1];
	if (read(go[0], &c, 1) != 1)
		pid = -1;
	close(go[0]);
	return pid;
}

static void child_setns_pidfd(void)
{
	int wfd = -1, pidfd, nsfd;
	pid_t holder = uts_holder(&wfd);
	struct utsname u;
	char path[64];

	pidfd = (int)syscall(SYS_pidfd_open, holder, 0);
	CHECK_EQ("setns.pidfd_uts", syscall(SYS_setns, pidfd, CLONE_NEWUTS), 0);
	CHECK("setns.pidfd_uts_name", uname(&u) == 0 && !strcmp(u.nodename, "lxrun-pidfd"), "%s",
	      u.nodename);
	CHECK_EQ("setns.uts_back", syscall(SYS_setns, orig_uts, CLONE_NEWUTS), 0);
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", holder);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK_EQ("setns.proc_pid_ns", syscall(SYS_setns, nsfd, 0), 0);
	CHECK("setns.proc_pid_ns_name", uname(&u) == 0 && !strcmp(u.nodename, "lxrun-pidfd"), "%s",
	      u.nodename);
	close(wfd);
	waitpid(holder, NULL, 0);
	close(pidfd);
	close(nsfd);
}

static void test_setns(void)
{
	int fd = open(check_path("plain"), O_CREAT | O_RDWR | O_CLOEXEC, 0600);

	orig_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	orig_uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	CHECK_ERR("setns.not_ns_file", syscall(SYS_setns, fd, 0), EINVAL);
	CHECK_ERR("setns.bad_flags", syscall(SYS_setns, orig_uts, 0x1), EINVAL);
	CHECK_EQ("setns.same_uts", syscall(SYS_setns, orig_uts, CLONE_NEWUTS), 0);
	close(fd);
	mkdir(check_path("mnt"), 0755);
	in_child("setns.mnt_child", child_setns_mnt);
	in_child("setns.pidfd_child", child_setns_pidfd);
}

static void child_nsfs(void)
{
	struct stat mine, parent;
	int fd, pfd;

	fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	CHECK_EQ("ioctl.ns_get_nstype", ioctl(fd, NS_GET_NSTYPE), CLONE_NEWUTS);
	pfd = ioctl(fd, NS_GET_USERNS);
	CHECK("ioctl.ns_get_userns", pfd >= 0 && ioctl(pfd, NS_GET_NSTYPE) == CLONE_NEWUSER,
	      "%d %s", pfd, check_errname(errno));
	close(pfd);
	close(fd);
	stat("/proc/self/ns/pid", &mine);
	unshare(CLONE_NEWPID);
	/* pid_for_children opens once the namespace has its first process */
	int wfd = -1;
	pid_t init = check_child_waiting(&wfd);
	fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	pfd = ioctl(fd, NS_GET_PARENT);
	CHECK("ioctl.ns_get_parent",
	      pfd >= 0 && fstat(pfd, &parent) == 0 && parent.st_ino == mine.st_ino, "%d %s", pfd,
	      check_errname(errno));
	close(pfd);
	close(fd);
	close(wfd);
	waitpid(init, NULL, 0);
}

static void child_pivot(void)
{
	const char *mnt = check_path("mnt");
	char cwd[256] = "";
	struct stat st;

	/* every step on the new root only: nothing on the host's "/" if one fails */
	if (!CHECK_EQ("pivot_root.unshare", private_mount_ns(), 0) ||
	    !CHECK_EQ("pivot_root.tmpfs", mount("none", mnt, "tmpfs", 0, NULL), 0))
		return;
	check_write_file(check_path("mnt/marker"), "x", 1);
	mkdir(check_path("mnt/old"), 0755);
	mkdir(check_path("mnt/proc"), 0755); /* as a container's root has (lxrun mounts the host's) */
	if (!CHECK_EQ("pivot_root.new_old", syscall(SYS_pivot_root, mnt, check_path("mnt/old")), 0))
		return;
	CHECK("pivot_root.new_root", stat("/marker", &st) == 0 && stat("/old/proc", &st) == 0, "%s",
	      check_errname(errno));
	CHECK_EQ("pivot_root.umount_old", umount2("/old", MNT_DETACH), 0);
	/* the classic form: pivot_root(".", ".") from the new root, then the old one detached */
	mkdir("/sub", 0755);
	if (!CHECK_EQ("pivot_root.sub_tmpfs", mount("none", "/sub", "tmpfs", 0, NULL), 0))
		return;
	mkdir("/sub/proc", 0755);
	check_write_file("/sub/marker2", "y", 1);
	CHECK_SYS("pivot_root.chdir", chdir("/sub"));
	CHECK_EQ("pivot_root.dot_dot", syscall(SYS_pivot_root, ".", "."), 0);
	CHECK_EQ("pivot_root.dot_umount", umount2(".", MNT_DETACH), 0);
	CHECK("pivot_root.dot_cwd", getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"), "%s", cwd);
	CHECK("pivot_root.dot_root", stat("/marker2", &st) == 0 && stat("marker2", &st) == 0 &&
					     stat("/marker", &st) < 0,
	      "%s", check_errname(errno));
}

/* In a chroot whose directory is a mount: a new root on that same mount is EBUSY. */
static void child_pivot_chroot(void)
{
	const char *mnt = check_path("mnt");

	if (!CHECK_EQ("pivot_root.chroot_unshare", private_mount_ns(), 0) ||
	    !CHECK_EQ("pivot_root.chroot_tmpfs", mount("none", mnt, "tmpfs", 0, NULL), 0) ||
	    !CHECK_EQ("pivot_root.chroot", chroot(mnt), 0))
		return;
	chdir("/");
	mkdir("/new", 0755);
	mkdir("/new/old", 0755);
	CHECK_ERR("pivot_root.ebusy_in_chroot", syscall(SYS_pivot_root, "/new", "/new/old"), EBUSY);
}

static void test_pivot(void)
{
	CHECK_ERR("pivot_root.enoent", syscall(SYS_pivot_root, check_path("none"), "/"), ENOENT);
	in_child("pivot_root.child", child_pivot);
	in_child("pivot_root.chroot_child", child_pivot_chroot);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	if (geteuid() != 0) {
		check_skip("namespaces.all", "needs root (CAP_SYS_ADMIN)");
		return check_done();
	}
	check_watchdog(60);
	test_uts();
	test_mnt();
	test_ipc();
	test_unshare_more();
	test_clone();
	test_setns();
	in_child("ioctl.nsfs_child", child_nsfs);
	test_pivot();
	return check_done();
}
