/* SPDX-License-Identifier: MIT */
/* proc_info.c: syscall coverage for process identity, limits, randomness, TLS base and clocks. */
#include "check.h"

#include <asm/prctl.h>
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>

static char status_buf[8192];

/* status_field: the numbers after "Key:" in /proc/self/status; returns how many were read. */
static int status_field(const char *key, long *vals, int max)
{
	char *line = strstr(status_buf, key);
	int n = 0;

	if (!line)
		return 0;
	line += strlen(key);
	while (n < max) {
		char *end;
		long v = strtol(line, &end, 10);

		if (end == line)
			break;
		vals[n++] = v;
		line = end;
	}
	return n;
}

static void test_ids(void)
{
	struct utsname u;
	uid_t r, e, s;
	gid_t gr, ge, gs;
	long v[4], groups[64];
	int ngroups;

	CHECK_EQ("uname.ok", uname(&u), 0);
	CHECK_STR("uname.sysname", u.sysname, "Linux");
	CHECK_STR("uname.machine", u.machine, "x86_64");
	CHECK("uname.release", u.release[0] >= '1' && u.release[0] <= '9', "release \"%s\"",
	      u.release);
	CHECK_ERR("uname.efault", syscall(SYS_uname, BADPTR), EFAULT);

	check_read_file("/proc/self/status", status_buf, sizeof(status_buf));
	CHECK_EQ("getpid.gettid_main", syscall(SYS_gettid), getpid());
	CHECK("getpid.status", status_field("\nPid:", v, 1) == 1 && v[0] == getpid(), "Pid %ld",
	      v[0]);
	CHECK("getppid.status", status_field("\nPPid:", v, 1) == 1 && v[0] == getppid(), "PPid %ld",
	      v[0]);
	CHECK("getppid.other", getppid() > 0 && getppid() != getpid(), "ppid %d", getppid());
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	CHECK("getuid.consistent", getuid() == r && geteuid() == e, "uid %u/%u res %u/%u", getuid(),
	      geteuid(), r, e);
	CHECK("getgid.consistent", getgid() == gr && getegid() == ge, "gid %u/%u res %u/%u",
	      getgid(), getegid(), gr, ge);
	CHECK("getuid.status",
	      status_field("\nUid:", v, 4) == 4 && v[0] == r && v[1] == e && v[2] == s,
	      "Uid %ld %ld %ld", v[0], v[1], v[2]);
	CHECK("getgid.status",
	      status_field("\nGid:", v, 4) == 4 && v[0] == gr && v[1] == ge && v[2] == gs,
	      "Gid %ld %ld %ld", v[0], v[1], v[2]);
	ngroups = getgroups(0, NULL);
	CHECK("getgroups.status", ngroups >= 0 && status_field("\nGroups:", groups, 64) == ngroups,
	      "getgroups %d", ngroups);
	CHECK_ERR("getgroups.einval", syscall(SYS_getgroups, -1, NULL), EINVAL);
	CHECK_EQ("getpgid.self", getpgid(0), getpgrp());
	CHECK("getsid.self", getsid(0) > 0, "sid %d", getsid(0));
	CHECK_ERR("getpgid.esrch", getpgid(INT_MAX), ESRCH);
	CHECK_EQ("kill.self_zero", kill(getpid(), 0), 0);
	CHECK_ERR("kill.esrch", kill(INT_MAX, 0), ESRCH);
}

static void test_name_random(void)
{
	unsigned char a[32], b[32];
	char name[17] = "", comm[64];

	CHECK_EQ("prctl.set_name", prctl(PR_SET_NAME, "lxrun-sys-test"), 0);
	CHECK("prctl.get_name", prctl(PR_GET_NAME, name) == 0 && !strcmp(name, "lxrun-sys-test"),
	      "name \"%s\"", name);
	check_read_file("/proc/self/comm", comm, sizeof(comm));
	CHECK_STR("prctl.comm_file", comm, "lxrun-sys-test\n");
	CHECK_ERR("prctl.einval", prctl(-1, 0, 0, 0, 0), EINVAL);

	CHECK_EQ("getrandom.count", getrandom(a, sizeof(a), 0), 32);
	CHECK_EQ("getrandom.nonblock", getrandom(b, sizeof(b), GRND_NONBLOCK), 32);
	CHECK("getrandom.differs", memcmp(a, b, sizeof(a)) != 0, "two draws were equal");
	CHECK_EQ("getrandom.zero", getrandom(a, 0, 0), 0);
	CHECK_ERR("getrandom.bad_flags", syscall(SYS_getrandom, a, 8, 0x80), EINVAL);
	CHECK_ERR("getrandom.efault", syscall(SYS_getrandom, BADPTR, 8, 0), EFAULT);
}

static void test_limits(void)
{
	struct rlimit rl, rl2, low;
	struct sysinfo si;
	uint64_t lim[2];

	CHECK_EQ("getrlimit.nofile", getrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK("getrlimit.cur_le_max", rl.rlim_cur <= rl.rlim_max, "%lu > %lu",
	      (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
	CHECK("prlimit64.get",
	      syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, lim) == 0 && lim[0] == rl.rlim_cur &&
		      lim[1] == rl.rlim_max,
	      "%lu/%lu", (unsigned long)lim[0], (unsigned long)lim[1]);
	CHECK("prlimit64.own_pid",
	      syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, lim) == 0 &&
		      lim[0] == rl.rlim_cur,
	      "%lu", (unsigned long)lim[0]);
	low = (struct rlimit){64, rl.rlim_max};
	CHECK_EQ("setrlimit.lower", setrlimit(RLIMIT_NOFILE, &low), 0);
	CHECK("getrlimit.lowered", getrlimit(RLIMIT_NOFILE, &rl2) == 0 && rl2.rlim_cur == 64,
	      "cur %lu", (unsigned long)rl2.rlim_cur);
	CHECK_ERR("setrlimit.enforced_dup2", syscall(SYS_dup2, 1, 70), EBADF);
	CHECK_ERR("setrlimit.enforced_dupfd", fcntl(1, F_DUPFD, 64), EINVAL);
	CHECK_EQ("setrlimit.raise_back", setrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK("getrlimit.restored",
	      getrlimit(RLIMIT_NOFILE, &rl2) == 0 && rl2.rlim_cur == rl.rlim_cur, "cur %lu",
	      (unsigned long)rl2.rlim_cur);
	low = (struct rlimit){rl.rlim_max, rl.rlim_max - 1};
	if (rl.rlim_max != RLIM_INFINITY)
		CHECK_ERR("setrlimit.cur_over_max", setrlimit(RLIMIT_NOFILE, &low), EINVAL);
	CHECK_ERR("prlimit64.bad_resource", syscall(SYS_prlimit64, 0, 999, NULL, lim), EINVAL);
	CHECK_ERR("prlimit64.esrch", syscall(SYS_prlimit64, INT_MAX, RLIMIT_NOFILE, NULL, lim),
		  ESRCH);
	CHECK_ERR("getrlimit.efault", syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
	CHECK("getrlimit.stack", getrlimit(RLIMIT_STACK, &rl2) == 0 && rl2.rlim_cur > 0,
	      "stack %lu", (unsigned long)rl2.rlim_cur);

	CHECK_EQ("sysinfo.ok", sysinfo(&si), 0);
	CHECK("sysinfo.mem_unit", si.mem_unit >= 1, "mem_unit %u", si.mem_unit);
	CHECK("sysinfo.totalram", si.totalram > 0 && si.freeram <= si.totalram,
	      "total %lu free %lu", si.totalram, si.freeram);
	CHECK("sysinfo.procs", si.procs > 0, "procs %u", si.procs);
	CHECK("sysinfo.uptime", si.uptime > 0, "uptime %ld", si.uptime);
	CHECK_ERR("sysinfo.efault", syscall(SYS_sysinfo, BADPTR), EFAULT);
}

static int tid_word;
static __thread int tls_var = 42;

/* Does /proc/cpuinfo list the cpuid_fault flag (the CPU can make cpuid trap)? */
static int cpu_has_cpuid_fault(void)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0) {
			found = strstr(line, " cpuid_fault") != NULL;
			break;
		}
	if (f)
		fclose(f);
	return found;
}

/* ARCH_GET_CPUID says cpuid works (1) until ARCH_SET_CPUID(0) turns on faulting, which needs
 * the CPU's CPUID faulting (else ENODEV, even to enable it); ARCH_GET_XCOMP_SUPP reports the
 * XSAVE features, x87 and SSE always among them. */
static void test_cpuid_xcomp(void)
{
	unsigned long long supp = 0;
	long r;

	CHECK_EQ("arch_prctl.get_cpuid", syscall(SYS_arch_prctl, 0x1011 /* ARCH_GET_CPUID */, 0), 1);
	if (cpu_has_cpuid_fault())
		CHECK_EQ("arch_prctl.set_cpuid_enable",
			 syscall(SYS_arch_prctl, 0x1012 /* ARCH_SET_CPUID */, 1), 0);
	else
		CHECK_ERR("arch_prctl.set_cpuid_enodev",
			  syscall(SYS_arch_prctl, 0x1012 /* ARCH_SET_CPUID */, 1), ENODEV);
	r = syscall(SYS_arch_prctl, 0x1021 /* ARCH_GET_XCOMP_SUPP */, &supp);
	CHECK("arch_prctl.get_xcomp_supp", r == 0 && (supp & 3) == 3, "r %ld mask %#llx", r, supp);
}

static void test_tls(void)
{
	unsigned long fs = 0, gs = 1, self;
	long tid;

	tid = syscall(SYS_set_tid_address, &tid_word);
	CHECK_EQ("set_tid_address.returns_tid", tid, syscall(SYS_gettid));

	/* glibc keeps the TCB's own address in its first word: %fs:0 is the thread pointer. */
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK_EQ("arch_prctl.get_fs", syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
	CHECK_EQ("arch_prctl.fs_is_tls", fs, self);
	CHECK_EQ("arch_prctl.get_gs", syscall(SYS_arch_prctl, ARCH_GET_GS, &gs), 0);
	CHECK_EQ("arch_prctl.gs_zero", gs, 0);
	CHECK_EQ("arch_prctl.set_fs_same", syscall(SYS_arch_prctl, ARCH_SET_FS, fs), 0);
	CHECK_EQ("arch_prctl.tls_still_works", tls_var, 42);
	CHECK_ERR("arch_prctl.bad_code", syscall(SYS_arch_prctl, 0x9999, &fs), EINVAL);
	CHECK_ERR("arch_prctl.efault", syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR), EFAULT);
	test_cpuid_xcomp();
}

static long long ns_of(struct timespec t)
{
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_clocks(void)
{
	struct timespec a, b, res, req, rem;
	struct timeval tv;
	struct sigaction sa;
	struct itimerval it;
	int mono = 1, r;
	time_t t, tr;

	CHECK_EQ("clock_gettime.realtime", clock_gettime(CLOCK_REALTIME, &a), 0);
	CHECK("clock_gettime.nsec_range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000, "nsec %ld",
	      a.tv_nsec);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		mono &= ns_of(b) >= ns_of(a);
		a = b;
	}
	CHECK("clock_gettime.monotonic", mono, "MONOTONIC went backwards");
	CHECK("clock_gettime.raw_syscall",
	      syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b) == 0 && ns_of(b) >= ns_of(a),
	      "raw %lld < vdso %lld", ns_of(b), ns_of(a));
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK("clock_gettime.boottime", ns_of(b) + 1000000000LL >= ns_of(a), "boot %lld mono %lld",
	      ns_of(b), ns_of(a));
	CHECK_EQ("clock_gettime.cputime", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a), 0);
	CHECK_EQ("clock_gettime.thread_cputime", clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a), 0);
	CHECK_ERR("clock_gettime.bad_clock", syscall(SYS_clock_gettime, 999, &a), EINVAL);
	CHECK_ERR("clock_gettime.efault", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR),
		  EFAULT);
	CHECK("clock_getres.realtime",
	      clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0,
	      "res %ld.%09ld", (long)res.tv_sec, res.tv_nsec);
	CHECK_EQ("clock_getres.null", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), 0);
	CHECK_ERR("clock_getres.bad_clock", syscall(SYS_clock_getres, 999, &res), EINVAL);

	clock_gettime(CLOCK_MONOTONIC, &a);
	req = (struct timespec){0, 10000000};
	CHECK_EQ("nanosleep.ok", nanosleep(&req, &rem), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("nanosleep.duration", ns_of(b) - ns_of(a) >= 10000000, "slept %lld ns",
	      ns_of(b) - ns_of(a));
	req.tv_nsec = 1000000000;
	CHECK_ERR("nanosleep.einval_nsec", nanosleep(&req, &rem), EINVAL);
	req = (struct timespec){-1, 0};
	CHECK_ERR("nanosleep.einval_negative", nanosleep(&req, &rem), EINVAL);
	CHECK_ERR("nanosleep.efault", syscall(SYS_nanosleep, BADPTR, NULL), EFAULT);

	/* A signal cuts a long sleep short and reports what was left. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	it = (struct itimerval){{0, 0}, {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
	req = (struct timespec){2, 0};
	rem = (struct timespec){0, 0};
	r = syscall(SYS_nanosleep, &req, &rem);
	CHECK("nanosleep.eintr", r == -1 && errno == EINTR, "got %d/%s", r, check_errname(errno));
	CHECK("nanosleep.rem", ns_of(rem) > 0 && ns_of(rem) < 2000000000LL, "rem %lld", ns_of(rem));

	clock_gettime(CLOCK_MONOTONIC, &a);
	req = (struct timespec){a.tv_sec, a.tv_nsec + 5000000};
	if (req.tv_nsec >= 1000000000) {
		req.tv_sec++;
		req.tv_nsec -= 1000000000;
	}
	CHECK_EQ("clock_nanosleep.abstime",
		 syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK("clock_nanosleep.reached", ns_of(b) >= ns_of(req), "woke %lld ns early",
	      ns_of(req) - ns_of(b));
	CHECK_ERR("clock_nanosleep.bad_clock", syscall(SYS_clock_nanosleep, 999, 0, &req, NULL),
		  EINVAL);

	clock_gettime(CLOCK_REALTIME, &a);
	CHECK_EQ("gettimeofday.ok", gettimeofday(&tv, NULL), 0);
	CHECK("gettimeofday.matches_realtime",
	      tv.tv_sec >= a.tv_sec && tv.tv_sec <= a.tv_sec + 2 && tv.tv_usec >= 0 &&
		      tv.tv_usec < 1000000,
	      "tv %ld.%06ld rt %ld", (long)tv.tv_sec, (long)tv.tv_usec, (long)a.tv_sec);
	CHECK_ERR("gettimeofday.efault", syscall(SYS_gettimeofday, BADPTR, NULL), EFAULT);
	t = syscall(SYS_time, NULL);
	/* time() reads the tick-granular coarse clock, which may trail CLOCK_REALTIME. */
	CHECK("time.matches_realtime", t >= a.tv_sec - 1 && t <= a.tv_sec + 2, "time %ld rt %ld",
	      (long)t, (long)a.tv_sec);
	tr = syscall(SYS_time, &t);
	CHECK("time.stores", tr == t, "returned %ld, stored %ld", (long)tr, (long)t);
	CHECK_ERR("time.efault", syscall(SYS_time, BADPTR), EFAULT);
	CHECK_EQ("sched_yield.ok", syscall(SYS_sched_yield), 0);
}

static void other_handler(int sig)
{
	(void)sig;
}

/* The hex mask after key in /proc/PID/status. */
static unsigned long long status_mask(pid_t pid, const char *key)
{
	char path[64], line[256];
	unsigned long long v = ~0ull;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* The numbered entries (below 2048) of directory dir, in numeric order: "0 1 2 40 ". */
static void list_fds(const char *dir, char *out, size_t size)
{
	char seen[2048] = {0};
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && atoi(de->d_name) < 2048)
			seen[atoi(de->d_name)] = 1;
	if (d)
		closedir(d);
	out[0] = 0;
	for (int fd = 0; fd < 2048; fd++)
		if (seen[fd])
			snprintf(out + strlen(out), size - strlen(out), "%d ", fd);
}

/* Another process's /proc/PID/fd and fdinfo show its fds, as that process numbers them: the
 * child keeps 0-2 as they came, a pipe's read end at 57, a file at 63 (close-on-exec), its
 * sync pipe at 40 and, where RLIMIT_NOFILE allows, the pipe again at 1500, and closes the
 * rest; then waits until killed. */
/* /proc/self/limits shows the process's own RLIMIT_NOFILE (a lowered soft limit). */
static void test_own_limits(void)
{
	struct rlimit rl, was;
	char line[256], want[128];
	int found = 0;
	if (getrlimit(RLIMIT_NOFILE, &was) < 0 || was.rlim_cur < 200) {
		check_skip("proc_self.limits_nofile", "a soft RLIMIT_NOFILE below 200");
		return;
	}
	rl = was;
	rl.rlim_cur = 111;
	setrlimit(RLIMIT_NOFILE, &rl);
	FILE *f = fopen("/proc/self/limits", "r");
	snprintf(want, sizeof(want), "%-25s %-20lu %-20lu %-10s\n", "Max open files", 111ul,
		 (unsigned long)rl.rlim_max, "files");
	while (f && fgets(line, sizeof(line), f))
		found |= !strcmp(line, want);
	if (f)
		fclose(f);
	setrlimit(RLIMIT_NOFILE, &was);
	CHECK("proc_self.limits_nofile", found, "no line '%.60s'", want);
}

static void test_other_fds(void)
{
	const char *path = check_path("other-fds");
	int sync[2], p[2];
	char want[96] = "", got[96] = "", l[96], t[256];
	FILE *f = fopen(path, "w");
	if (!f || fputs("other", f) < 0 || fclose(f) || pipe(sync) || pipe(p)) {
		check_skip("proc_other.fd_list", "no file or pipe");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a parent that failed */
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		char open3 = (char)('0' + (fcntl(0, F_GETFD) >= 0) + 2 * (fcntl(1, F_GETFD) >= 0) +
				    4 * (fcntl(2, F_GETFD) >= 0));
		if (fd < 0 || dup3(fd, 63, O_CLOEXEC) != 63 || dup2(p[0], 57) != 57 ||
		    dup2(sync[1], 40) != 40)
			_exit(1);
		syscall(SYS_close_range, 3, 39, 0);
		syscall(SYS_close_range, 41, 56, 0);
		syscall(SYS_close_range, 58, 62, 0);
		syscall(SYS_close_range, 64, ~0u, 0);
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max > 1500) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			if (dup2(57, 1500) == 1500)
				open3 |= 8;
		}
		/* a soft RLIMIT_NOFILE of its own (its fds above it stay open) */
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = 99;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		/* signal state for its /proc/PID/status: a handler, an ignored, a blocked one */
		struct sigaction sa;
		sigset_t set;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = other_handler;
		sigaction(SIGUSR2, &sa, NULL);
		signal(SIGTTOU, SIG_IGN);
		sigemptyset(&set);
		sigaddset(&set, SIGWINCH);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(40, &open3, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(sync[1]);
	char open3 = 0;
	if (pid < 0 || read(sync[0], &open3, 1) != 1) {
		check_skip("proc_other.fd_list", "the child did not start");
		if (pid > 0)
			kill(pid, SIGKILL), waitpid(pid, NULL, 0);
		return;
	}
	for (int fd = 0; fd < 3; fd++)
		if ((open3 - '0') & (1 << fd))
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "%d ", fd);
	strcat(want, (open3 - '0') & 8 ? "40 57 63 1500 " : "40 57 63 ");

	snprintf(l, sizeof(l), "/proc/%d/fd", (int)pid);
	list_fds(l, got, sizeof(got));
	CHECK_STR("proc_other.fd_list", got, want);

	snprintf(l, sizeof(l), "/proc/%d/fd/63", (int)pid);
	ssize_t n = readlink(l, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = 0;
	CHECK_STR("proc_other.fd_readlink_file", t, path);
	snprintf(l, sizeof(l), "/proc/%d/fd/57", (int)pid);
	n = readlink(l, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = 0;
	CHECK("proc_other.fd_readlink_pipe", !strncmp(t, "pipe:[", 6), "'%s'", t);
	struct stat st;
	CHECK("proc_other.fd_stat_follows_pipe", stat(l, &st) == 0 && S_ISFIFO(st.st_mode),
	      "mode 0%o", st.st_mode);
	snprintf(l, sizeof(l), "/proc/%d/fd/63", (int)pid);
	CHECK("proc_other.fd_stat_follows_file",
	      stat(l, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5, "mode 0%o size %ld",
	      st.st_mode, (long)st.st_size);
	int fd = open(l, O_RDONLY);
	n = fd >= 0 ? read(fd, t, sizeof(t)) : -1;
	CHECK("proc_other.fd_open_reads_file", n == 5 && !memcmp(t, "other", 5), "%zd", n);
	if (fd >= 0)
		close(fd);
	snprintf(l, sizeof(l), "/proc/%d/fd/58", (int)pid);
	CHECK_ERR("proc_other.fd_closed_enoent", readlink(l, t, sizeof(t)), ENOENT);

	/* fdinfo: the child's close-on-exec flags (63 has it, 57 not) */
	unsigned long fl[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		snprintf(l, sizeof(l), "/proc/%d/fdinfo/%d", (int)pid, k ? 63 : 57);
		FILE *fi = fopen(l, "r");
		char line[128];
		while (fi && fgets(line, sizeof(line), fi))
			if (!strncmp(line, "flags:", 6))
				fl[k] = strtoul(line + 6, NULL, 8);
		if (fi)
			fclose(fi);
	}
	CHECK("proc_other.fdinfo_cloexec", !(fl[0] & O_CLOEXEC) && (fl[1] & O_CLOEXEC),
	      "fd 57 flags 0%lo, fd 63 flags 0%lo", fl[0], fl[1]);
	snprintf(l, sizeof(l), "/proc/%d/fdinfo", (int)pid);
	list_fds(l, got, sizeof(got));
	CHECK_STR("proc_other.fdinfo_list", got, want);

	/* its program, and its own signal state (not that of anything serving it) */
	char self[256];
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	snprintf(l, sizeof(l), "/proc/%d/exe", (int)pid);
	n = readlink(l, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = 0;
	CHECK_STR("proc_other.exe", t, self);
	struct stat a, b;
	CHECK("proc_other.exe_lstat_link", lstat(l, &a) == 0 && S_ISLNK(a.st_mode), "mode 0%o",
	      a.st_mode);
	CHECK("proc_other.exe_stat_follows", stat(l, &a) == 0 && stat(self, &b) == 0 &&
						     a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	      "inode %lu vs %lu", (unsigned long)a.st_ino, (unsigned long)b.st_ino);
	unsigned long long bit = 1;
	/* the handlers it had from this process, and its own */
	unsigned long long cgt = status_mask(getpid(), "SigCgt:") | bit << (SIGUSR2 - 1);
	CHECK("proc_other.status_sigcgt", status_mask(pid, "SigCgt:") == cgt, "0x%llx, want 0x%llx",
	      status_mask(pid, "SigCgt:"), cgt);
	CHECK("proc_other.status_sigign", status_mask(pid, "SigIgn:") & (bit << (SIGTTOU - 1)),
	      "0x%llx", status_mask(pid, "SigIgn:"));
	CHECK("proc_other.status_sigblk", status_mask(pid, "SigBlk:") == bit << (SIGWINCH - 1),
	      "0x%llx", status_mask(pid, "SigBlk:"));
	/* its RLIMIT_NOFILE, through prlimit and /proc/PID/limits */
	struct rlimit rl = {0, 0};
	CHECK("proc_other.prlimit_nofile",
	      syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur == 99,
	      "soft %lu", (unsigned long)rl.rlim_cur);
	snprintf(l, sizeof(l), "/proc/%d/limits", (int)pid);
	FILE *fl2 = fopen(l, "r");
	char line[256], want_line[128];
	snprintf(want_line, sizeof(want_line), "%-25s %-20lu %-20lu %-10s\n", "Max open files", 99ul,
		 (unsigned long)rl.rlim_max, "files");
	int found = 0;
	while (fl2 && fgets(line, sizeof(line), fl2))
		found |= !strcmp(line, want_line);
	if (fl2)
		fclose(fl2);
	CHECK("proc_other.limits_nofile", found, "no line '%.60s'", want_line);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sync[0]);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	test_ids();
	test_name_random();
	test_limits();
	test_tls();
	test_clocks();
	check_tmpdir_make();
	test_own_limits();
	test_other_fds();
	return check_done();
}
