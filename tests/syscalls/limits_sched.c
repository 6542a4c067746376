/* SPDX-License-Identifier: MIT */
/* limits_sched.c: coverage for rlimits, rusage/times, priorities, sched_*, getcpu, personality, uname, sysinfo, ioprio. */
#include "check.h"

#include <poll.h>

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

/* The kernel's struct sched_attr (version 1, 56 bytes); <linux/sched/types.h> clashes with glibc. */
struct sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_PRIO(class, data) (((class) << 13) | (data))

/* glibc implements getrlimit/setrlimit with prlimit64; these are the calls of their own. */
static long k_getrlimit(int res, struct rlimit *rl)
{
	return syscall(SYS_getrlimit, res, rl);
}

static long k_setrlimit(int res, const struct rlimit *rl)
{
	return syscall(SYS_setrlimit, res, rl);
}

static void burn_cpu(long long ns)
{
	struct timespec t;
	long long start;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	start = t.tv_sec * 1000000000LL + t.tv_nsec;
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while (t.tv_sec * 1000000000LL + t.tv_nsec - start < ns);
}

static void test_rlimits(void)
{
	struct rlimit rl, old;
	pid_t pid;

	k_getrlimit(RLIMIT_NOFILE, &old);
	CHECK("getrlimit.nofile_sane", old.rlim_cur > 0 && old.rlim_cur <= old.rlim_max,
	      "cur %llu max %llu", (unsigned long long)old.rlim_cur,
	      (unsigned long long)old.rlim_max);
	rl = (struct rlimit){old.rlim_max, old.rlim_cur};
	if (old.rlim_cur < old.rlim_max)
		CHECK_ERR("setrlimit.cur_above_max", k_setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
	else
		check_skip("setrlimit.cur_above_max", "soft equals hard");
	CHECK_ERR("getrlimit.bad_resource", k_getrlimit(99, &rl), EINVAL);
	CHECK_ERR("setrlimit.bad_resource", k_setrlimit(99, &old), EINVAL);
	CHECK_ERR("getrlimit.efault", syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
	CHECK_ERR("setrlimit.efault", syscall(SYS_setrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);

	/* In a child: a lowered RLIMIT_NOFILE refuses higher descriptors with EMFILE. */
	pid = fork();
	if (pid == 0) {
		int fds[16], n = 0, fd;

		check_passed = check_failed = 0;
		rl = (struct rlimit){8, old.rlim_max};
		CHECK_SYS("setrlimit.nofile_lower", k_setrlimit(RLIMIT_NOFILE, &rl));
		while (n < 16 && (fd = open("/dev/null", O_RDONLY)) >= 0)
			fds[n++] = fd;
		CHECK_ERR("setrlimit.nofile_emfile", open("/dev/null", O_RDONLY), EMFILE);
		CHECK_ERR("setrlimit.nofile_dup_ebadf", dup2(0, 9), EBADF);
		CHECK_ERR("setrlimit.nofile_fcntl_einval", fcntl(0, F_DUPFD, 20), EINVAL);
		/* Lowering the hard limit is allowed; raising it back is not, for a user. */
		rl = (struct rlimit){8, 8};
		CHECK_SYS("setrlimit.lower_hard", k_setrlimit(RLIMIT_NOFILE, &rl));
		if (geteuid() != 0) {
			rl.rlim_max = 9;
			CHECK_ERR("setrlimit.raise_hard_eperm", k_setrlimit(RLIMIT_NOFILE, &rl), EPERM);
		}
		/* RLIMIT_FSIZE: writing past it raises SIGXFSZ, or EFBIG when that is ignored. */
		signal(SIGXFSZ, SIG_IGN);
		rl = (struct rlimit){10, 10};
		k_setrlimit(RLIMIT_FSIZE, &rl);
		while (n > 0)
			close(fds[--n]);
		fd = open(check_path("fsize"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
		CHECK_EQ("setrlimit.fsize_partial", write(fd, "0123456789abcdef", 16), 10);
		CHECK_ERR("setrlimit.fsize_efbig", write(fd, "x", 1), EFBIG);
		close(fd);
		check_child_exit();
	}
	check_wait_child("setrlimit.child", pid, 0);

	/* Every descriptor number below the soft RLIMIT_NOFILE can be had (getdtablesize() is
	 * what a program may really open), and the next one is EMFILE. A large limit is
	 * lowered first, in a child, to keep this quick. */
	pid = fork();
	if (pid == 0) {
		int fd, last = -1;

		check_passed = check_failed = 0;
		k_getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur > 4096) {
			rl.rlim_cur = 4096;
			k_setrlimit(RLIMIT_NOFILE, &rl);
		}
		while ((fd = dup(0)) >= 0)
			last = fd;
		CHECK_EQ("getrlimit.nofile_emfile_after", errno, EMFILE);
		CHECK_EQ("getrlimit.nofile_all_usable", last, (long)rl.rlim_cur - 1);
		check_child_exit();
	}
	check_wait_child("getrlimit.nofile_child", pid, 0);

	/* Any number below the soft limit, however high, names an fd (dup2, F_DUPFD); at or
	 * above it EBADF and EINVAL; poll takes at most RLIMIT_NOFILE entries. In a child whose
	 * limit is set to 6000 (within the hard limit: lowered when that is less). */
	pid = fork();
	if (pid == 0) {
		struct pollfd *pf;
		int lim;

		check_passed = check_failed = 0;
		k_getrlimit(RLIMIT_NOFILE, &rl);
		lim = rl.rlim_max < 6000 ? (int)rl.rlim_max : 6000;
		rl.rlim_cur = (rlim_t)lim;
		k_setrlimit(RLIMIT_NOFILE, &rl);
		CHECK_EQ("nofile.dup2_high", dup2(0, lim - 1), lim - 1);
		CHECK_EQ("nofile.high_fd_usable", fcntl(lim - 1, F_GETFD), 0);
		CHECK_ERR("nofile.dup2_at_limit", dup2(0, lim), EBADF);
		CHECK_EQ("nofile.f_dupfd_high", fcntl(0, F_DUPFD, lim - 2), lim - 2);
		CHECK_ERR("nofile.f_dupfd_at_limit", fcntl(0, F_DUPFD, lim), EINVAL);
		pf = calloc((size_t)lim + 1, sizeof(*pf));
		for (int i = 0; i <= lim; i++)
			pf[i].fd = -1;
		CHECK_EQ("nofile.poll_limit_entries", poll(pf, (nfds_t)lim, 0), 0);
		CHECK_ERR("nofile.poll_over_limit", poll(pf, (nfds_t)lim + 1, 0), EINVAL);
		check_child_exit();
	}
	check_wait_child("nofile.high_child", pid, 0);

	/* prlimit64 on another process: read its limits, and ESRCH for no process. */
	pid = fork();
	if (pid == 0) {
		struct rlimit c = {4, 8};

		k_setrlimit(RLIMIT_CORE, &c);
		pause();
		_exit(0);
	}
	{
		struct rlimit c = {0, 0};

		for (int i = 0; i < 500; i++) {
			if (prlimit(pid, RLIMIT_CORE, NULL, &c) == 0 && c.rlim_max == 8)
				break;
			usleep(10000);
		}
		CHECK("prlimit64.other_process", c.rlim_cur == 4 && c.rlim_max == 8, "cur %llu",
		      (unsigned long long)c.rlim_cur);
		c.rlim_cur = 2;
		CHECK_SYS("prlimit64.set_other", prlimit(pid, RLIMIT_CORE, &c, &rl));
		CHECK_EQ("prlimit64.old_value", rl.rlim_cur, 4);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_ERR("prlimit64.esrch", prlimit(INT_MAX, RLIMIT_CORE, NULL, &rl), ESRCH);
	CHECK_ERR("prlimit64.bad_resource", prlimit(0, 77, NULL, &rl), EINVAL);
}

static void test_usage(void)
{
	struct rusage ru, ch;
	struct tms t0, t1;
	clock_t c0, c1;
	pid_t pid;
	long hz = sysconf(_SC_CLK_TCK);

	c0 = times(&t0);
	burn_cpu(60000000);
	CHECK_SYS("getrusage.self", getrusage(RUSAGE_SELF, &ru));
	CHECK("getrusage.cpu_time", ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
						ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec >=
					50000,
	      "utime %ld.%06ld", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec);
	CHECK("getrusage.maxrss", ru.ru_maxrss > 0, "maxrss %ld", ru.ru_maxrss);
	CHECK_SYS("getrusage.thread", getrusage(RUSAGE_THREAD, &ru));
	CHECK_ERR("getrusage.bad_who", getrusage(42, &ru), EINVAL);
	CHECK_ERR("getrusage.efault", syscall(SYS_getrusage, RUSAGE_SELF, BADPTR), EFAULT);
	c1 = times(&t1);
	CHECK("times.elapsed", c1 >= c0, "c0 %ld c1 %ld", (long)c0, (long)c1);
	CHECK("times.cpu", (t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime) >=
				   hz * 4 / 100,
	      "ticks %ld", (long)((t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime)));
	CHECK_SYS("times.null", times(NULL));

	getrusage(RUSAGE_CHILDREN, &ch);
	pid = fork();
	if (pid == 0) {
		burn_cpu(60000000);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	CHECK("getrusage.children", (ru.ru_utime.tv_sec - ch.ru_utime.tv_sec) * 1000000 +
					    (ru.ru_utime.tv_usec - ch.ru_utime.tv_usec) +
					    (ru.ru_stime.tv_sec - ch.ru_stime.tv_sec) * 1000000 +
					    (ru.ru_stime.tv_usec - ch.ru_stime.tv_usec) >=
				    50000,
	      "children utime %ld.%06ld", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec);
	times(&t1);
	CHECK("times.children", t1.tms_cutime + t1.tms_cstime >= hz * 4 / 100, "ticks %ld",
	      (long)(t1.tms_cutime + t1.tms_cstime));
}

static void test_priority(void)
{
	int base, r;
	pid_t pid;

	errno = 0;
	base = getpriority(PRIO_PROCESS, 0);
	CHECK("getpriority.self", errno == 0 && base >= -20 && base <= 19, "prio %d", base);
	CHECK_EQ("getpriority.by_pid", getpriority(PRIO_PROCESS, getpid()), base);
	CHECK_ERR("getpriority.bad_which", getpriority(9, 0), EINVAL);
	CHECK_ERR("getpriority.esrch", getpriority(PRIO_PROCESS, INT_MAX), ESRCH);
	CHECK_ERR("setpriority.esrch", setpriority(PRIO_PROCESS, INT_MAX, 0), ESRCH);
	/* The raw call returns 20 - nice, never a negative number. */
	CHECK_EQ("getpriority.raw_biased", syscall(SYS_getpriority, PRIO_PROCESS, 0), 20 - base);
	errno = 0;
	r = getpriority(PRIO_PGRP, 0);
	CHECK("getpriority.pgrp", errno == 0 && r <= base, "prio %d", r);
	pid = check_fork_unprivileged();
	if (pid == 0) {
		int nice = getpriority(PRIO_PROCESS, 0);

		CHECK_SYS("setpriority.raise_nice", setpriority(PRIO_PROCESS, 0, nice < 19 ? nice + 1 : 19));
		CHECK_EQ("setpriority.applied", getpriority(PRIO_PROCESS, 0), nice < 19 ? nice + 1 : 19);
		CHECK_SYS("setpriority.clamped", setpriority(PRIO_PROCESS, 0, 100));
		CHECK_EQ("setpriority.clamped_19", getpriority(PRIO_PROCESS, 0), 19);
		CHECK_ERR("setpriority.lower_eacces", setpriority(PRIO_PROCESS, 0, 0), EACCES);
		CHECK_ERR("setpriority.other_user_eperm", setpriority(PRIO_PROCESS, 1, 19), EPERM);
		check_child_exit();
	}
	check_wait_child("setpriority.child", pid, 0);
}

static void test_sched(void)
{
	struct sched_param sp = {0};
	struct sched_attr sa;
	struct timespec ts;
	cpu_set_t set, one;
	unsigned cpu = 99, node = 99;
	pid_t pid;
	int first = -1;

	CHECK_EQ("sched_getscheduler.other", sched_getscheduler(0), SCHED_OTHER);
	CHECK_ERR("sched_getscheduler.esrch", sched_getscheduler(INT_MAX), ESRCH);
	CHECK_ERR("sched_getscheduler.negative", sched_getscheduler(-1), EINVAL);
	sp.sched_priority = 5;
	CHECK("sched_getparam.zero", sched_getparam(0, &sp) == 0 && sp.sched_priority == 0,
	      "prio %d", sp.sched_priority);
	CHECK_ERR("sched_getparam.efault", syscall(SYS_sched_getparam, 0, BADPTR), EFAULT);
	CHECK_EQ("sched_get_priority_max.fifo", sched_get_priority_max(SCHED_FIFO), 99);
	CHECK_EQ("sched_get_priority_min.fifo", sched_get_priority_min(SCHED_FIFO), 1);
	CHECK_EQ("sched_get_priority_max.other", sched_get_priority_max(SCHED_OTHER), 0);
	CHECK_ERR("sched_get_priority_max.bad", sched_get_priority_max(42), EINVAL);
	CHECK_ERR("sched_get_priority_min.bad", sched_get_priority_min(42), EINVAL);
	CHECK_SYS("sched_rr_get_interval.self", sched_rr_get_interval(0, &ts));
	CHECK_ERR("sched_rr_get_interval.esrch", sched_rr_get_interval(INT_MAX, &ts), ESRCH);
	sp.sched_priority = 0;
	CHECK_SYS("sched_setparam.same", sched_setparam(0, &sp));
	sp.sched_priority = 50;
	CHECK_ERR("sched_setparam.other_prio", sched_setparam(0, &sp), EINVAL);
	CHECK_ERR("sched_setscheduler.bad_policy", sched_setscheduler(0, 42, &sp), EINVAL);
	sp.sched_priority = 100;
	CHECK_ERR("sched_setscheduler.fifo_bad_prio", sched_setscheduler(0, SCHED_FIFO, &sp),
		  EINVAL);

	pid = check_fork_unprivileged();
	if (pid == 0) {
		sp.sched_priority = 0;
		CHECK_SYS("sched_setscheduler.batch", sched_setscheduler(0, SCHED_BATCH, &sp));
		CHECK_EQ("sched_getscheduler.batch", sched_getscheduler(0), SCHED_BATCH);
		CHECK_SYS("sched_setscheduler.idle", sched_setscheduler(0, SCHED_IDLE, &sp));
		sp.sched_priority = 10;
		CHECK_ERR("sched_setscheduler.fifo_eperm", sched_setscheduler(0, SCHED_FIFO, &sp),
			  EPERM);
		check_child_exit();
	}
	check_wait_child("sched_setscheduler.child", pid, 0);

	memset(&sa, 0, sizeof(sa));
	CHECK_SYS("sched_getattr.self", syscall(SYS_sched_getattr, 0, &sa, sizeof(sa), 0));
	CHECK("sched_getattr.values", sa.size >= 48 && sa.sched_policy == SCHED_OTHER, "size %u policy %u",
	      sa.size, sa.sched_policy);
	CHECK_ERR("sched_getattr.small_size", syscall(SYS_sched_getattr, 0, &sa, 8, 0), EINVAL);
	CHECK_ERR("sched_getattr.bad_flags", syscall(SYS_sched_getattr, 0, &sa, sizeof(sa), 1),
		  EINVAL);
	sa.size = 48;
	CHECK_SYS("sched_setattr.same", syscall(SYS_sched_setattr, 0, &sa, 0));
	sa.sched_policy = 42;
	CHECK_ERR("sched_setattr.bad_policy", syscall(SYS_sched_setattr, 0, &sa, 0), EINVAL);
	sa.sched_policy = SCHED_OTHER;
	sa.size = 8;
	CHECK_ERR("sched_setattr.bad_size", syscall(SYS_sched_setattr, 0, &sa, 0), E2BIG);

	CHECK_SYS("sched_getaffinity.self", sched_getaffinity(0, sizeof(set), &set));
	CHECK("sched_getaffinity.nonempty", CPU_COUNT(&set) > 0, "empty mask");
	CHECK_SYS("getcpu.ok", syscall(SYS_getcpu, &cpu, &node, NULL));
	CHECK("getcpu.in_affinity", cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set), "cpu %u", cpu);
	CHECK("getcpu.node", node < 1024, "node %u", node);
	CHECK_ERR("getcpu.efault", syscall(SYS_getcpu, BADPTR, NULL, NULL), EFAULT);
	CHECK_ERR("sched_getaffinity.small_size", syscall(SYS_sched_getaffinity, 0, 1, &set),
		  EINVAL);
	CHECK("sched_getaffinity.raw_size", syscall(SYS_sched_getaffinity, 0, sizeof(set), &set) >=
						    8,
	      "%s", check_errname(errno));
	CHECK_ERR("sched_getaffinity.esrch", sched_getaffinity(INT_MAX, sizeof(set), &set), ESRCH);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set)) {
			first = i;
			break;
		}
	pid = fork();
	if (pid == 0) {
		CPU_ZERO(&one);
		CPU_SET(first, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			_exit(2);
		sched_yield();
		syscall(SYS_getcpu, &cpu, NULL, NULL);
		_exit(cpu == (unsigned)first ? 0 : 3);
	}
	check_wait_child("sched_setaffinity.pins", pid, 0);
	CPU_ZERO(&one);
	CHECK_ERR("sched_setaffinity.empty", sched_setaffinity(0, sizeof(one), &one), EINVAL);
	CHECK_EQ("sched_yield.ok", sched_yield(), 0);
}

static void test_system(void)
{
	struct utsname u;
	struct sysinfo si;
	char buf[256];
	double up = 0;
	pid_t pid;
	int p;

	CHECK_SYS("uname.ok", uname(&u));
	CHECK_STR("uname.sysname", u.sysname, "Linux");
	CHECK_STR("uname.machine", u.machine, "x86_64");
	check_read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	CHECK_STR("uname.release_matches_proc", u.release, buf);
	check_read_file("/proc/sys/kernel/hostname", buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	CHECK_STR("uname.nodename_matches_proc", u.nodename, buf);
	CHECK_SYS("sysinfo.ok", sysinfo(&si));
	check_read_file("/proc/uptime", buf, sizeof(buf));
	sscanf(buf, "%lf", &up);
	CHECK("sysinfo.uptime", si.uptime >= (long)up - 2 && si.uptime <= (long)up + 2,
	      "sysinfo %ld proc %f", si.uptime, up);
	CHECK("sysinfo.memory", si.mem_unit >= 1 && si.totalram >= si.freeram && si.totalram > 0,
	      "total %lu free %lu", si.totalram, si.freeram);
	CHECK("sysinfo.procs", si.procs >= 1, "procs %u", si.procs);

	p = personality(0xffffffff);
	CHECK("personality.query", p >= 0 && (p & PER_MASK) == PER_LINUX, "persona %#x", p);
	pid = fork();
	if (pid == 0) {
		personality(p | ADDR_NO_RANDOMIZE);
		_exit(personality(0xffffffff) == (p | ADDR_NO_RANDOMIZE) ? 0 : 1);
	}
	check_wait_child("personality.set", pid, 0);
	CHECK_EQ("personality.unchanged_in_parent", personality(0xffffffff), p);

	CHECK("ioprio_get.self", syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) >= 0, "%s",
	      check_errname(errno));
	pid = fork();
	if (pid == 0) {
		long r = syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO(IOPRIO_CLASS_BE, 6));

		_exit(r == 0 && syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) ==
					IOPRIO_PRIO(IOPRIO_CLASS_BE, 6) ? 0 : 1);
	}
	check_wait_child("ioprio_set.be", pid, 0);
	CHECK_ERR("ioprio_get.bad_which", syscall(SYS_ioprio_get, 42, 0), EINVAL);
	CHECK_ERR("ioprio_set.bad_class", syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
						  IOPRIO_PRIO(7, 0)), EINVAL);
	CHECK_ERR("ioprio_get.esrch", syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, INT_MAX), ESRCH);

	pid = check_fork_unprivileged();
	if (pid == 0) {
		CHECK_ERR("sethostname.eperm", sethostname("x", 1), EPERM);
		CHECK_ERR("setdomainname.eperm", setdomainname("x", 1), EPERM);
		CHECK_ERR("chroot.eperm", chroot("/"), EPERM);
		CHECK_ERR("acct.eperm", acct(NULL), EPERM);
		check_child_exit();
	}
	check_wait_child("sethostname.child", pid, 0);
}

/* chroot narrows every path, "/.." included; a second chroot narrows further. */
static void test_chroot(void)
{
	char root[512], inner[600], outside[512], up[1200];
	struct stat a, b;
	pid_t pid;

	snprintf(root, sizeof(root), "%s", check_path("jail"));
	snprintf(inner, sizeof(inner), "%s/inner", root);
	snprintf(outside, sizeof(outside), "%s", check_path("outside_marker"));
	mkdir(root, 0755);
	mkdir(inner, 0755);
	check_write_file(outside, "x", 1);
	CHECK_ERR("chroot.enoent", chroot(check_path("nope")), ENOENT);
	CHECK_ERR("chroot.enotdir", chroot(outside), ENOTDIR);
	CHECK_ERR("chroot.efault", syscall(SYS_chroot, BADPTR), EFAULT);
	if (geteuid() != 0) {
		check_skip("chroot.confined", "needs root");
		return;
	}
	pid = fork();
	if (pid == 0) {
		if (chroot(root) || chdir("/"))
			_exit(10);
		if (stat("/inner", &a))
			_exit(11);
		if (stat("/..", &a) || stat("/", &b) || a.st_ino != b.st_ino)
			_exit(12);
		if (chdir("../../..") || stat("inner", &a))
			_exit(13);
		snprintf(up, sizeof(up), "../../..%s", outside);
		if (access(up, F_OK) == 0 || access(outside, F_OK) == 0)
			_exit(14);
		if (chroot("/inner") || chdir("/") || access("/inner", F_OK) == 0)
			_exit(15);
		_exit(0);
	}
	check_wait_child("chroot.confined", pid, 0);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	chmod(check_tmpdir, 0777);
	test_rlimits();
	test_usage();
	test_priority();
	test_sched();
	test_system();
	test_chroot();
	return check_done();
}
