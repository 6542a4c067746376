/* SPDX-License-Identifier: MIT */
/* devices.c: coverage for the /dev nodes and /proc files that programs read about themselves. */
#include "check.h"

#include <pthread.h>
#include <sys/mman.h>

#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>

static char text[1 << 16];

static int is_chr(const char *path, unsigned int maj, unsigned int min)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == maj &&
	       minor(st.st_rdev) == min;
}

static void test_dev(void)
{
	char buf[4096], zero[4096] = {0};
	int fd, all_zero;

	fd = open("/dev/null", O_RDWR);
	CHECK("dev.null_node", is_chr("/dev/null", 1, 3), "not char 1:3");
	CHECK_EQ("dev.null_read_eof", read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ("dev.null_write", write(fd, buf, sizeof(buf)), sizeof(buf));
	CHECK_EQ("dev.null_lseek", lseek(fd, 100, SEEK_SET), 0);
	close(fd);

	fd = open("/dev/zero", O_RDWR);
	memset(buf, 'x', sizeof(buf));
	CHECK("dev.zero_node", is_chr("/dev/zero", 1, 5), "not char 1:5");
	CHECK("dev.zero_read",
	      read(fd, buf, sizeof(buf)) == sizeof(buf) && !memcmp(buf, zero, sizeof(buf)),
	      "not all zero");
	CHECK_EQ("dev.zero_write", write(fd, "abc", 3), 3);
	close(fd);

	fd = open("/dev/full", O_RDWR);
	CHECK("dev.full_node", is_chr("/dev/full", 1, 7), "not char 1:7");
	CHECK_ERR("dev.full_write_enospc", write(fd, "abc", 3), ENOSPC);
	memset(buf, 'x', 16);
	CHECK("dev.full_read_zeros", read(fd, buf, 16) == 16 && !memcmp(buf, zero, 16),
	      "not zeros");
	close(fd);

	fd = open("/dev/urandom", O_RDONLY);
	memset(buf, 0, 64);
	CHECK_EQ("dev.urandom_read", read(fd, buf, 64), 64);
	all_zero = !memcmp(buf, zero, 64);
	CHECK("dev.urandom_random", !all_zero, "64 zero bytes");
	CHECK("dev.urandom_node", is_chr("/dev/urandom", 1, 9), "not char 1:9");
	close(fd);
	fd = open("/dev/random", O_RDONLY | O_NONBLOCK);
	CHECK_EQ("dev.random_read", read(fd, buf, 16), 16);
	CHECK("dev.random_node", is_chr("/dev/random", 1, 8), "not char 1:8");
	close(fd);
}

static void test_fd_links(void)
{
	char path[64], link[PATH_MAX], want[PATH_MAX];
	struct stat st, st2;
	ssize_t n;
	int fd, p[2];

	check_write_file(check_path("named"), "contents", 8);
	fd = open(check_path("named"), O_RDONLY);
	/* stdin is whatever the caller gave us; make it a known file first. */
	dup2(fd, 0);
	fstat(fd, &st);
	/* O_PATH | O_NOFOLLOW opens the magic link itself: a symlink */
	{
		int lfd;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		lfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		CHECK("open.proc_fd_o_path_nofollow",
		      lfd >= 0 && fstat(lfd, &st2) == 0 && S_ISLNK(st2.st_mode), "%s mode 0%o",
		      check_errname(errno), lfd >= 0 ? st2.st_mode : 0);
		CHECK_ERR("open.proc_fd_nofollow_eloop", open(path, O_RDONLY | O_NOFOLLOW), ELOOP);
		close(lfd);
	}
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	CHECK("dev.fd_n_stat",
	      stat(path, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev, "%s",
	      check_errname(errno));
	CHECK("dev.stdin", stat("/dev/stdin", &st2) == 0 && st2.st_ino == st.st_ino, "%s",
	      check_errname(errno));
	CHECK("dev.fd_dir",
	      lstat("/dev/fd", &st2) == 0 && (S_ISLNK(st2.st_mode) || S_ISDIR(st2.st_mode)), "%s",
	      check_errname(errno));

	/* Opening /proc/self/fd/N of a regular file makes a new open file with its own offset. */
	lseek(fd, 4, SEEK_SET);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	p[0] = open(path, O_RDONLY);
	CHECK_EQ("proc.fd_reopen_offset", p[0] >= 0 ? lseek(p[0], 0, SEEK_CUR) : -1, 0);
	close(p[0]);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	realpath(check_path("named"), want);
	CHECK_STR("proc.fd_readlink", link, want);
	unlink(check_path("named"));
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	strcat(want, " (deleted)");
	CHECK_STR("proc.fd_readlink_deleted", link, want);
	close(fd);
	CHECK_ERR("proc.fd_closed_enoent", readlink(path, link, sizeof(link)), ENOENT);
	{
		/* A file opened through /proc/self/fd/N is that file: reopened again after N is
		 * closed, named as it is, and fchmod through it changes it. */
		char p2[64];
		int a = memfd_create("reopen", 0), b, c;

		snprintf(p2, sizeof(p2), "/proc/self/fd/%d", a);
		b = open(p2, O_RDWR);
		close(a);
		snprintf(p2, sizeof(p2), "/proc/self/fd/%d", b);
		c = open(p2, O_RDONLY);
		CHECK("proc.fd_reopen_of_reopen", c >= 0, "%s", check_errname(errno));
		snprintf(p2, sizeof(p2), "/proc/self/fd/%d", c);
		n = readlink(p2, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		CHECK("proc.fd_reopen_name", !strncmp(link, "/memfd:reopen", 13), "%s", link);
		close(b);
		close(c);
		check_write_file(check_path("chmod"), "x", 1);
		a = open(check_path("chmod"), O_RDONLY);
		snprintf(p2, sizeof(p2), "/proc/self/fd/%d", a);
		b = open(p2, O_RDONLY);
		CHECK("proc.fd_reopen_fchmod", fchmod(b, 0604) == 0 && stat(check_path("chmod"), &st) == 0 &&
		      (st.st_mode & 07777) == 0604, "%s mode %o", check_errname(errno), st.st_mode);
		close(a);
		close(b);
	}

	pipe(p);
	fstat(p[0], &st);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	CHECK_STR("proc.fd_pipe", link, want);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[1]);
	fd = open(path, O_WRONLY);
	CHECK("dev.fd_reopen_pipe",
	      fd >= 0 && write(fd, "q", 1) == 1 && read(p[0], link, 1) == 1 && link[0] == 'q', "%s",
	      check_errname(errno));
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void test_self(int argc, char **argv)
{
	char link[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX], want[64];
	struct stat st, st2;
	ssize_t n;
	size_t off = 0;
	int fd, same = 1;
	const char *base;
	long v;
	char *s;

	realpath(argv[0], real);
	n = readlink("/proc/self/exe", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	CHECK_STR("proc.exe_readlink", link, real);
	CHECK("proc.exe_inode",
	      stat("/proc/self/exe", &st) == 0 && stat(argv[0], &st2) == 0 &&
		      st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
	      "not the program file");
	fd = open("/proc/self/exe", O_RDONLY);
	CHECK("proc.exe_elf", fd >= 0 && read(fd, link, 4) == 4 && !memcmp(link, "\177ELF", 4),
	      "no ELF magic");
	close(fd);

	n = check_read_file("/proc/self/cmdline", text, sizeof(text));
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;

		same &= off + len <= (size_t)n && !memcmp(text + off, argv[i], len);
		off += len;
	}
	CHECK("proc.cmdline", same && off == (size_t)n, "%zd bytes, argv has %zu", n, off);

	check_read_file("/proc/self/maps", text, sizeof(text));
	CHECK("proc.maps_program", strstr(text, real) != NULL, "%s not in maps", real);
	CHECK("proc.maps_stack", strstr(text, "[stack]") != NULL, "no [stack]");
	CHECK("proc.maps_libc", strstr(text, "libc.so") != NULL, "no libc mapping");

	check_read_file("/proc/self/status", text, sizeof(text));
	s = strstr(text, "\nPid:");
	CHECK("proc.status_pid", s && sscanf(s, "\nPid: %ld", &v) == 1 && v == getpid(), "Pid %ld",
	      s ? v : -1L);
	base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	snprintf(want, sizeof(want), "Name:\t%.15s\n", base);
	CHECK("proc.status_name", strncmp(text, want, strlen(want)) == 0, "want %s", want);
	snprintf(want, sizeof(want), "%.15s\n", base);
	check_read_file("/proc/self/comm", text, sizeof(text));
	CHECK_STR("proc.comm", text, want);
	check_read_file("/proc/self/stat", text, sizeof(text));
	snprintf(want, sizeof(want), "%d (%.15s) R ", getpid(), base);
	CHECK("proc.stat", !strncmp(text, want, strlen(want)), "starts \"%.40s\"", text);
	n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	CHECK_STR("proc.cwd", link, getcwd(cwd, sizeof(cwd)));
	CHECK("proc.self_link",
	      readlink("/proc/self", link, sizeof(link)) > 0 && atoi(link) == getpid(),
	      "self -> %s", link);
	/* namespace links read as TYPE:[INODE], and the inode is the one stat -L gives */
	n = readlink("/proc/self/ns/mnt", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	CHECK("proc.ns_mnt_readlink", n > 6 && !strncmp(link, "mnt:[", 5) && link[n - 1] == ']',
	      "mnt -> \"%s\"", link);
	n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	CHECK("proc.ns_pid_readlink", n > 6 && !strncmp(link, "pid:[", 5), "pid -> \"%s\"", link);
	CHECK_ERR("proc.ns_missing_enoent", readlink("/proc/self/ns/nosuch", link, sizeof(link)),
		  ENOENT);
}

static int dir_has(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		found |= !strcmp(e->d_name, name);
	if (d)
		closedir(d);
	return found;
}

static void test_system(void)
{
	struct sysinfo si;
	double up = 0, idle = 0, l1 = -1;
	unsigned long long kb = 0;
	int procs = 0;
	char *s, fdname[16];
	int fd;

	check_read_file("/proc/cpuinfo", text, sizeof(text));
	for (s = text; (s = strstr(s, "processor\t:")); s++)
		procs++;
	CHECK("proc.cpuinfo", procs >= 1 && strstr(text, "flags") != NULL, "%d processors", procs);
	sysinfo(&si);
	check_read_file("/proc/meminfo", text, sizeof(text));
	CHECK("proc.meminfo_total", sscanf(text, "MemTotal: %llu kB", &kb) == 1 && kb > 0,
	      "starts \"%.30s\"", text);
	CHECK_EQ("proc.meminfo_vs_sysinfo", kb * 1024,
		 (unsigned long long)si.totalram * si.mem_unit);
	check_read_file("/proc/mounts", text, sizeof(text));
	CHECK("proc.mounts_root", strstr(text, " / ") != NULL, "no / mount");
	CHECK("proc.mounts_proc", strstr(text, " /proc proc ") != NULL, "no proc mount");
	check_read_file("/proc/filesystems", text, sizeof(text));
	CHECK("proc.filesystems", strstr(text, "nodev\tproc\n") != NULL, "no proc line");
	check_read_file("/proc/uptime", text, sizeof(text));
	CHECK("proc.uptime", sscanf(text, "%lf %lf", &up, &idle) == 2 && up > 0 && idle >= 0,
	      "\"%s\"", text);
	CHECK("proc.uptime_vs_sysinfo", up + 2 >= si.uptime && up <= si.uptime + 2,
	      "uptime %.2f sysinfo %ld", up, si.uptime);
	check_read_file("/proc/loadavg", text, sizeof(text));
	CHECK("proc.loadavg", sscanf(text, "%lf", &l1) == 1 && l1 >= 0, "\"%s\"", text);
	/* High enough that opendir's own descriptor cannot land on the same number. */
	fd = fcntl(0, F_DUPFD, 500);
	snprintf(fdname, sizeof(fdname), "%d", fd);
	CHECK("proc.fd_listing",
	      dir_has("/proc/self/fd", "0") && dir_has("/proc/self/fd", "2") &&
		      dir_has("/proc/self/fd", fdname),
	      "fd %d missing", fd);
	close(fd);
	CHECK("proc.fd_listing_closed", !dir_has("/proc/self/fd", fdname), "fd %d still listed",
	      fd);
	CHECK_ERR("proc.enoent", open("/proc/self/no-such-entry", O_RDONLY), ENOENT);
}

static void *gettid_thread(void *arg)
{
	*(long *)arg = syscall(SYS_gettid);
	return NULL;
}

/* /proc/self/task/TID: this thread's is there, a thread that has exited is gone (ENOENT). */
static void test_task_dirs(void)
{
	char path[64];
	long tid = 0;
	pthread_t th;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", (long)syscall(SYS_gettid));
	CHECK_SYS("proc.task_self", access(path, R_OK));
	pthread_create(&th, NULL, gettid_thread, &tid);
	pthread_join(th, NULL);
	snprintf(path, sizeof(path), "/proc/self/task/%ld", tid);
	for (int i = 0; i < 200 && access(path, F_OK) == 0; i++)
		usleep(10000); /* the kernel reaps a joined thread's task shortly after */
	CHECK_ERR("proc.task_exited_enoent", access(path, F_OK), ENOENT);
}

/* A hex field of /proc/self/status ("SigBlk:" ...), or ~0 when absent. */
static unsigned long long status_hex(const char *key)
{
	char *s = strstr(text, key);
	return s ? strtoull(s + strlen(key), NULL, 16) : ~0ull;
}

static long status_num(const char *key)
{
	char *s = strstr(text, key);
	return s ? strtol(s + strlen(key), NULL, 10) : -1;
}

static void never_called(int sig)
{
	(void)sig;
}

/* The signal and seccomp lines of /proc/self/status are the process's own, checked in a child
 * (its signal state and filter stay there): each failed line sets a bit of its exit status. */
static int status_child(void)
{
	sigset_t set;
	unsigned long long ign = 0, cgt = 0;
	int bad = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGINT, never_called);
	raise(SIGUSR1);
	for (int sig = 1; sig <= 64; sig++) {
		/* the raw call: glibc's sigaction hides its own signals (32, 33) */
		struct { unsigned long handler, flags, restorer, mask; } ka;
		if (syscall(SYS_rt_sigaction, sig, NULL, &ka, 8) < 0)
			continue;
		if (ka.handler == (unsigned long)SIG_IGN)
			ign |= 1ull << (sig - 1);
		else if (ka.handler != (unsigned long)SIG_DFL)
			cgt |= 1ull << (sig - 1);
	}
	unsigned long long blk = 1ull << (SIGUSR1 - 1) | 1ull << (SIGRTMIN + 2 - 1);
	check_read_file("/proc/self/status", text, sizeof(text));
	bad |= status_hex("\nSigBlk:") != blk;
	bad |= (status_hex("\nSigIgn:") != ign) << 1;
	bad |= (status_hex("\nSigCgt:") != cgt) << 2;
	bad |= !(status_hex("\nSigPnd:") & 1ull << (SIGUSR1 - 1)) << 3;
	bad |= (status_num("\nSeccomp:") != 0) << 4;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {1, &allow};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return 1 << 6;
	check_read_file("/proc/self/status", text, sizeof(text));
	bad |= (status_num("\nSeccomp:") != 2 || status_num("\nSeccomp_filters:") != 2) << 5;
	bad |= (status_num("\nNoNewPrivs:") != 1) << 6;
	return bad;
}

static void test_status_signals(void)
{
	static const char *const names[] = {"proc.status_sigblk", "proc.status_sigign",
		"proc.status_sigcgt", "proc.status_sigpnd", "proc.status_seccomp_none",
		"proc.status_seccomp_filters", "proc.status_no_new_privs"};
	int st = -1;
	pid_t pid = fork();
	if (pid == 0)
		_exit(status_child());
	waitpid(pid, &st, 0);
	for (int i = 0; i < 7; i++)
		CHECK(names[i], WIFEXITED(st) && !(WEXITSTATUS(st) & (1 << i)), "status 0x%x", st);
}

/* /proc/self/fd lists the fds open when it is read: its own directory fd, and after a
 * rewind one opened since. */
static void test_fd_dir_live(void)
{
	char want[16];
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		CHECK("proc.fd_dir_open", 0, "%s", check_errname(errno));
		return;
	}
	int self = 0, later = 0, fd = -1;
	struct dirent *e;
	snprintf(want, sizeof(want), "%d", dfd);
	while ((e = readdir(d)))
		self |= !strcmp(e->d_name, want);
	CHECK("proc.fd_dir_lists_itself", self, "fd %d not listed", dfd);
	fd = open("/dev/null", O_RDONLY);
	snprintf(want, sizeof(want), "%d", fd);
	rewinddir(d);
	while ((e = readdir(d)))
		later |= !strcmp(e->d_name, want);
	CHECK("proc.fd_dir_rewind_sees_new", later, "fd %d not listed after rewinddir", fd);
	close(fd);
	closedir(d);
}

static void *wait_pipe_thread(void *arg)
{
	int *p = arg;
	char c;

	p[2] = (int)syscall(SYS_gettid);
	__atomic_store_n(&p[3], 1, __ATOMIC_RELEASE);
	return read(p[0], &c, 1) == 1 ? NULL : arg;
}

/*
 * /proc/self/task lists every thread; a thread's directory has the thread's own entries
 * (children is only there) but no task/ of its own, so a walk of /proc ends.
 */
static void test_task_listing(void)
{
	int p[4] = {-1, -1, 0, 0};
	char me[16], other[16], path[96];
	struct stat st;
	pthread_t th;

	if (pipe(p) < 0 || pthread_create(&th, NULL, wait_pipe_thread, p)) {
		CHECK("getdents64.proc_task_setup", 0, "%s", check_errname(errno));
		return;
	}
	while (!__atomic_load_n(&p[3], __ATOMIC_ACQUIRE))
		usleep(1000);
	snprintf(me, sizeof(me), "%ld", (long)syscall(SYS_gettid));
	snprintf(other, sizeof(other), "%d", p[2]);
	CHECK("getdents64.proc_task_lists_threads",
	      dir_has("/proc/self/task", me) && dir_has("/proc/self/task", other),
	      "threads %s and %s not both listed", me, other);
	snprintf(path, sizeof(path), "/proc/self/task/%s", other);
	CHECK("getdents64.proc_thread_dir_no_task", dir_has(path, "stat") && !dir_has(path, "task"),
	      "%s: stat missing or task listed", path);
	snprintf(path, sizeof(path), "/proc/self/task/%s/task", other);
	CHECK_ERR("newfstatat.proc_thread_task_enoent", stat(path, &st), ENOENT);
	snprintf(path, sizeof(path), "/proc/self/task/%s/task/%s/stat", me, me);
	CHECK_ERR("openat.proc_thread_task_nested_enoent", open(path, O_RDONLY), ENOENT);
	snprintf(path, sizeof(path), "/proc/self/task/%s/children", me);
	CHECK("newfstatat.proc_thread_children", stat(path, &st) == 0 && S_ISREG(st.st_mode),
	      "%s: %s", path, check_errname(errno));
	if (write(p[1], "x", 1) != 1)
		CHECK("getdents64.proc_task_wake", 0, "%s", check_errname(errno));
	pthread_join(th, NULL);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	test_dev();
	test_fd_links();
	test_self(argc, argv);
	test_system();
	test_task_dirs();
	test_status_signals();
	test_fd_dir_live();
	test_task_listing();
	return check_done();
}
