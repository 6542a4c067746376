/* SPDX-License-Identifier: MIT */
/*
 * admin.c: coverage for the calls that administer the machine (mount, reboot, modules, the
 * clock, host names, I/O ports, syslog, namespaces) as an unprivileged process meets them,
 * their argument checks as root, and the small ones beside them: utime/utimes/futimesat,
 * restart_syscall, ioprio_*, get_mempolicy, process_vm_readv/writev, unshare.
 */
#include "check.h"

#include <sched.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/swap.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <utime.h>

/* Kernels built without I/O port access, modules or kexec answer ENOSYS to every call: their
 * cases are skipped there (lxrun answers as a kernel that has them). */
static int have_ioports, have_modules, have_kexec;

static void probe_config(void)
{
	have_ioports = !(syscall(SYS_iopl, 0) < 0 && errno == ENOSYS);
	have_modules = !(syscall(SYS_delete_module, "lxrun_none", 0) < 0 && errno == ENOSYS);
	have_kexec = !(syscall(SYS_kexec_load, 0, 0, NULL, 0) < 0 && errno == ENOSYS);
}

/* Argument checks that come before any capability check: the same as root and as a user. */
static void test_argument_checks(void)
{
	if (have_ioports) {
		CHECK_ERR("iopl.level_too_high", iopl(4), EINVAL);
		CHECK_ERR("ioperm.range_past_end", ioperm(0, 65537, 1), EINVAL);
		CHECK_EQ("iopl.zero", iopl(0), 0);
		CHECK_EQ("ioperm.off", ioperm(0x80, 1, 0), 0);
	} else {
		const char *why = "this kernel has no I/O port access (ENOSYS)";

		check_skip("iopl.level_too_high", why);
		check_skip("ioperm.range_past_end", why);
		check_skip("iopl.zero", why);
		check_skip("ioperm.off", why);
	}
	CHECK_ERR("umount2.unknown_flag", umount2("/nonexistent-lxrun", 0x100), EINVAL);
	CHECK_ERR("syslog.bad_type", syscall(SYS_syslog, 11, NULL, 0), EINVAL);
	CHECK_ERR("setns.ebadf", syscall(SYS_setns, check_closed_fd(), 0), EBADF);
	CHECK_ERR("mount.efault_type", syscall(SYS_mount, "none", "/nonexistent-lxrun", BADPTR, 0,
					       NULL), EFAULT);
	CHECK_EQ("syslog.close_noop", syscall(SYS_syslog, 0, NULL, 0), 0);
	CHECK_ERR("restart_syscall.no_restart", syscall(SYS_restart_syscall), EINTR);
	CHECK_ERR("unshare.unknown_flag", unshare(0x1), EINVAL);
	CHECK_EQ("unshare.none", unshare(0), 0);
	CHECK_EQ("unshare.files", unshare(CLONE_FILES), 0);
	CHECK_EQ("unshare.fs", unshare(CLONE_FS), 0);
	CHECK_EQ("unshare.sysvsem", unshare(CLONE_SYSVSEM), 0);
}

/* What only CAP_SYS_ADMIN and friends may do: EPERM for uid 65534, natively and in lxrun. */
static void test_unprivileged(void)
{
	pid_t pid = check_fork_unprivileged();

	if (pid == 0) {
		char name[] = "lxrun";
		int fd = open("/dev/null", O_RDONLY);

		CHECK_ERR("mount.eperm", mount("none", "/tmp", "tmpfs", 0, NULL), EPERM);
		CHECK_ERR("umount2.eperm", umount2("/tmp", 0), EPERM);
		CHECK_ERR("pivot_root.eperm", syscall(SYS_pivot_root, ".", "."), EPERM);
		CHECK_ERR("swapon.eperm", swapon("/nonexistent-lxrun", 0), EPERM);
		CHECK_ERR("swapoff.eperm", swapoff("/nonexistent-lxrun"), EPERM);
		CHECK_ERR("reboot.eperm", syscall(SYS_reboot, 0, 0, 0, NULL), EPERM);
		CHECK_ERR("sethostname.eperm", sethostname(name, sizeof(name) - 1), EPERM);
		CHECK_ERR("setdomainname.eperm", setdomainname(name, sizeof(name) - 1), EPERM);
		if (have_ioports) {
			CHECK_ERR("iopl.eperm", iopl(3), EPERM);
			CHECK_ERR("ioperm.eperm", ioperm(0x80, 1, 1), EPERM);
		} else {
			check_skip("iopl.eperm", "this kernel has no I/O port access (ENOSYS)");
			check_skip("ioperm.eperm", "this kernel has no I/O port access (ENOSYS)");
		}
		if (have_modules) {
			CHECK_ERR("init_module.eperm", syscall(SYS_init_module, NULL, 0, ""), EPERM);
			CHECK_ERR("finit_module.eperm", syscall(SYS_finit_module, fd, "", 0), EPERM);
			CHECK_ERR("delete_module.eperm", syscall(SYS_delete_module, "lxrun_none", 0),
				  EPERM);
		} else {
			check_skip("init_module.eperm", "this kernel has no modules (ENOSYS)");
			check_skip("finit_module.eperm", "this kernel has no modules (ENOSYS)");
			check_skip("delete_module.eperm", "this kernel has no modules (ENOSYS)");
		}
		if (have_kexec)
			CHECK_ERR("kexec_load.eperm", syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
		else
			check_skip("kexec_load.eperm", "this kernel has no kexec (ENOSYS)");
		CHECK_ERR("acct.eperm", acct(NULL), EPERM);
		CHECK_ERR("syslog.clear_eperm", syscall(SYS_syslog, 5, NULL, 0), EPERM);
		CHECK_ERR("vhangup.eperm", vhangup(), EPERM);
		CHECK_ERR("unshare.newuts_eperm", unshare(CLONE_NEWUTS), EPERM);
		CHECK_ERR("unshare.newns_eperm", unshare(CLONE_NEWNS), EPERM);
		CHECK_ERR("settimeofday.tz_eperm",
			  settimeofday(NULL, &(struct timezone){.tz_minuteswest = 60}), EPERM);
		close(fd);
		check_child_exit();
	}
	check_wait_child("admin.unprivileged_child", pid, 0);
}

static void test_old_time_setters(void)
{
	const char *f = check_path("times");
	struct timeval tv[2] = {{1000000000, 500000}, {1100000000, 250000}};
	struct utimbuf ub = {.actime = 1200000000, .modtime = 1300000000};
	struct stat st;
	int dfd;

	close(open(f, O_CREAT | O_WRONLY, 0644));
	CHECK_EQ("utimes.set", utimes(f, tv), 0);
	CHECK("utimes.values",
	      stat(f, &st) == 0 && st.st_atim.tv_sec == 1000000000 &&
		      st.st_atim.tv_nsec == 500000000 && st.st_mtim.tv_sec == 1100000000 &&
		      st.st_mtim.tv_nsec == 250000000,
	      "atime %ld.%09ld mtime %ld.%09ld", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	      (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	tv[0].tv_usec = 1000000;
	CHECK_ERR("utimes.bad_usec", utimes(f, tv), EINVAL);
	CHECK_ERR("utimes.enoent", utimes(check_path("missing"), NULL), ENOENT);
	CHECK_ERR("utimes.efault", syscall(SYS_utimes, f, BADPTR), EFAULT);
	CHECK_EQ("utime.set", utime(f, &ub), 0);
	CHECK("utime.values",
	      stat(f, &st) == 0 && st.st_atim.tv_sec == 1200000000 && st.st_atim.tv_nsec == 0 &&
		      st.st_mtim.tv_sec == 1300000000,
	      "atime %ld mtime %ld", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	CHECK_EQ("utime.now", utime(f, NULL), 0);
	CHECK("utime.now_value", stat(f, &st) == 0 && st.st_mtim.tv_sec > 1600000000,
	      "mtime %ld", (long)st.st_mtim.tv_sec);
	dfd = open(check_tmpdir_make(), O_RDONLY | O_DIRECTORY);
	tv[0] = (struct timeval){1400000000, 0};
	tv[1] = (struct timeval){1400000001, 0};
	CHECK_EQ("futimesat.set", syscall(SYS_futimesat, dfd, "times", tv), 0);
	CHECK("futimesat.values", stat(f, &st) == 0 && st.st_mtim.tv_sec == 1400000001,
	      "mtime %ld", (long)st.st_mtim.tv_sec);
	CHECK_ERR("futimesat.ebadf", syscall(SYS_futimesat, check_closed_fd(), "times", tv), EBADF);
	close(dfd);
}

static void test_pass_through(void)
{
	char src[32] = "process_vm copy", dst[32] = {0};
	struct iovec l = {dst, sizeof(dst)}, r = {src, sizeof(src)};
	int prio, mode = -1;
	long n;

	prio = (int)syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	CHECK("ioprio_get.self", prio >= 0, "%d %s", prio, check_errname(errno));
	CHECK_EQ("ioprio_set.self_same", syscall(SYS_ioprio_set, 1, 0, prio), 0);
	CHECK_ERR("ioprio_get.bad_which", syscall(SYS_ioprio_get, 99, 0), EINVAL);
	n = syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0);
	if (n < 0 && errno == ENOSYS)
		check_skip("get_mempolicy.default", "this kernel has no NUMA policies");
	else
		CHECK("get_mempolicy.default", n == 0 && mode == 0 /* MPOL_DEFAULT */, "r %ld mode %d",
		      n, mode);
	n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	CHECK("process_vm_readv.self", n == (long)sizeof(src) && !strcmp(dst, src), "r %ld %s", n,
	      check_errname(errno));
	CHECK_ERR("process_vm_readv.flags", process_vm_readv(getpid(), &l, 1, &r, 1, 1), EINVAL);
	strcpy(src, "written back");
	r = (struct iovec){dst, sizeof(dst)};
	l = (struct iovec){src, sizeof(src)};
	n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
	CHECK("process_vm_writev.self", n == (long)sizeof(src) && !strcmp(dst, "written back"),
	      "r %ld %s", n, check_errname(errno));
	CHECK_ERR("process_vm_readv.esrch", process_vm_readv(0x7ffffff0, &l, 1, &r, 1, 0), ESRCH);
}

/* The kernel's filesystem types (sysfs), a device's free space (ustat) and the security
 * modules (lsm_list_modules): what the running kernel says. */
static void test_queries(void)
{
	char name[64] = "";
	long n, idx;
	struct stat st;
	unsigned char ub[32];
	uint64_t ids[32], size = sizeof(ids);

	n = syscall(SYS_sysfs, 3);
	CHECK("sysfs.count", n > 0, "%ld %s", n, check_errname(errno));
	idx = syscall(SYS_sysfs, 1, "proc");
	CHECK("sysfs.index_of_proc", idx >= 0 && idx < n, "%ld %s", idx, check_errname(errno));
	CHECK("sysfs.name_of_index", syscall(SYS_sysfs, 2, idx, name) == 0 && !strcmp(name, "proc"),
	      "\"%s\" %s", name, check_errname(errno));
	CHECK_ERR("sysfs.unknown_fs", syscall(SYS_sysfs, 1, "no-such-fs"), EINVAL);
	CHECK_ERR("sysfs.index_past_end", syscall(SYS_sysfs, 2, n, name), EINVAL);
	CHECK_ERR("sysfs.bad_option", syscall(SYS_sysfs, 4), EINVAL);
	CHECK_ERR("sysfs.efault", syscall(SYS_sysfs, 1, BADPTR), EFAULT);
	stat(check_tmpdir, &st);
	n = syscall(SYS_ustat, (unsigned)st.st_dev, ub);
	CHECK("ustat.tmpdir_device", n == 0, "%s", check_errname(errno));
	CHECK_ERR("ustat.bad_device", syscall(SYS_ustat, 0xfffffU, ub), EINVAL);
	n = syscall(461 /* lsm_list_modules */, ids, &size, 0);
	idx = 0;
	for (long i = 0; i < n && i < 32; i++)
		idx |= ids[i] == 100; /* LSM_ID_CAPABILITY: always there */
	CHECK("lsm_list_modules.has_capability", n >= 1 && size == (uint64_t)n * 8 && idx,
	      "n %ld size %llu %s", n, (unsigned long long)size, check_errname(errno));
	size = 0;
	CHECK_ERR("lsm_list_modules.e2big", syscall(461, ids, &size, 0), E2BIG);
	CHECK_ERR("lsm_list_modules.bad_flags", syscall(461, ids, &size, 1), EINVAL);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	probe_config();
	test_argument_checks();
	test_unprivileged();
	test_old_time_setters();
	test_pass_through();
	test_queries();
	return check_done();
}
