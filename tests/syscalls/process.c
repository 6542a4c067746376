/* SPDX-License-Identifier: MIT */
/* process.c: coverage for fork, vfork, clone, clone3, wait4, waitid and exit_group statuses. */
#include "check.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The kernel's struct clone_args (version 2, 88 bytes), declared here to avoid header clashes. */
struct k_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

static long k_clone3(struct k_clone_args *a, size_t size)
{
	return syscall(SYS_clone3, a, size);
}

/* A clone that may have succeeded by mistake: the child leaves at once. */
static long guard_child(long r)
{
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, __WALL);
	return r;
}

extern char **environ;
static int shared_counter;

/* vfork's parent runs only once the child has exec'd or exited, and sees the child's stores
 * to its stack; posix_spawn reports the child's exec error through that memory. */
static void test_vfork_more(void)
{
	char *argv[] = {"x", NULL}, buf[4] = {0};
	volatile int local = 0;
	int p[2], st = -1, r;
	pid_t pid;

	CHECK_EQ("vfork.pipe", pipe(p), 0);
	pid = vfork();
	if (pid == 0) {
		local = 7;
		write(p[1], "c", 1);
		_exit(0);
	}
	write(p[1], "p", 1);
	CHECK("vfork.parent_waits", read(p[0], buf, 2) == 2 && !strcmp(buf, "cp"), "order \"%s\"",
	      buf);
	CHECK_EQ("vfork.stack_store", local, 7);
	waitpid(pid, &st, 0);
	close(p[0]);
	close(p[1]);
	/* stores to the heap: a page the parent wrote, one it only read, one it never touched */
	size_t hsz = 4 << 20;
	volatile char *heap = mmap(NULL, hsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap != MAP_FAILED) {
		heap[0] = 1;
		(void)heap[8 * 4096];
		pid = vfork();
		if (pid == 0) {
			heap[1] = 2;
			heap[8 * 4096 + 1] = 3;
			heap[hsz - 1] = 4;
			_exit(0);
		}
		waitpid(pid, &st, 0);
		CHECK("vfork.heap_stores", heap[0] == 1 && heap[1] == 2 && heap[8 * 4096 + 1] == 3 &&
			      heap[hsz - 1] == 4, "%d %d %d %d", heap[0], heap[1], heap[8 * 4096 + 1],
		      heap[hsz - 1]);
		munmap((void *)heap, hsz);
	}
	r = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, argv, environ);
	CHECK_EQ("posix_spawn.enoent", r, ENOENT);
	r = posix_spawnp(&pid, "no-such-program-lxrun", NULL, NULL, argv, environ);
	CHECK_EQ("posix_spawnp.enoent", r, ENOENT);
	r = posix_spawn(&pid, check_path(""), NULL, NULL, argv, environ);
	CHECK_EQ("posix_spawn.eacces_dir", r, EACCES);
	argv[0] = "true";
	r = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	st = -1;
	if (r == 0)
		waitpid(pid, &st, 0);
	CHECK("posix_spawn.runs", r == 0 && st == 0, "r %d status 0x%x", r, st);
}

static void test_fork(void)
{
	static int cow = 1;
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid, parent = getpid();
	int st = 0;

	/* The fork syscall itself (glibc's fork() is a clone). */
	pid = syscall(SYS_fork);
	if (pid == 0) {
		cow = 2;
		shared[0] = getppid() == parent ? 11 : 12;
		shared[1] = getpid();
		_exit(0);
	}
	CHECK("fork.returns_pid", pid > 0 && pid != parent, "pid %d", pid);
	waitpid(pid, &st, 0);
	CHECK_EQ("fork.child_ppid", shared[0], 11);
	CHECK_EQ("fork.child_getpid", shared[1], pid);
	CHECK_EQ("fork.copy_on_write", cow, 1);
	CHECK_EQ("fork.exit_status", st, 0);

	/* vfork shares memory and suspends the parent until the child exits. */
	shared_counter = 0;
	pid = vfork();
	if (pid == 0) {
		shared_counter = 42;
		_exit(3);
	}
	CHECK_EQ("vfork.shares_memory", shared_counter, 42);
	waitpid(pid, &st, 0);
	CHECK("vfork.exit_status", WIFEXITED(st) && WEXITSTATUS(st) == 3, "status 0x%x", st);
	munmap(shared, 4096);
	test_vfork_more();
}

static void test_clone(void)
{
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct k_clone_args a;
	int st = 0, pidfd = -1;
	siginfo_t si;
	long r;

	r = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0);
	if (r == 0)
		_exit(5);
	CHECK("clone.fork_like", r > 0, "r %ld %s", r, check_errname(errno));
	waitpid(r, &st, 0);
	CHECK("clone.fork_like_status", WIFEXITED(st) && WEXITSTATUS(st) == 5, "status 0x%x", st);

	/* CLONE_PARENT: the child is our parent's, so it has our parent pid and is not ours. */
	shared[1] = 0;
	r = syscall(SYS_clone, CLONE_PARENT, NULL, NULL, NULL, 0);
	if (r == 0) {
		shared[1] = getppid();
		_exit(0);
	}
	CHECK("clone.parent", r > 0, "r %ld %s", r, check_errname(errno));
	if (r > 0) {
		for (int i = 0; i < 5000 && !shared[1]; i++)
			usleep(1000);
		CHECK_EQ("clone.parent_getppid", shared[1], getppid());
		CHECK_ERR("clone.parent_not_our_child", waitpid(r, &st, __WALL | WNOHANG), ECHILD);
	}

	/* exit_signal 0: invisible to a plain wait, found with __WCLONE. */
	r = syscall(SYS_clone, 0, NULL, NULL, NULL, 0);
	if (r == 0)
		_exit(6);
	CHECK_ERR("clone.no_signal_plain_wait", waitpid(r, &st, 0), ECHILD);
	st = 0;
	CHECK_EQ("clone.no_signal_wclone", waitpid(r, &st, __WCLONE), r);
	CHECK_EQ("clone.no_signal_status", WEXITSTATUS(st), 6);

	/* CLONE_VFORK (without CLONE_VM): the parent resumes only after the child exited. */
	shared[0] = 0;
	r = syscall(SYS_clone, CLONE_VFORK | SIGCHLD, NULL, NULL, NULL, 0);
	if (r == 0) {
		usleep(50000);
		shared[0] = 1;
		_exit(7);
	}
	CHECK_EQ("clone.vfork_waits", shared[0], 1);
	waitpid(r, &st, 0);
	CHECK("clone.vfork_status", r > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7, "r %ld st 0x%x",
	      r, st);
	CHECK_ERR("clone.newns_and_fs", guard_child(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS |
								SIGCHLD, NULL, NULL, NULL, 0)),
		  EINVAL);

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	r = k_clone3(&a, sizeof(a));
	if (r == 0)
		_exit(8);
	CHECK("clone3.fork_like", r > 0, "r %ld %s", r, check_errname(errno));
	st = 0;
	waitpid(r, &st, 0);
	CHECK("clone3.status", WIFEXITED(st) && WEXITSTATUS(st) == 8, "status 0x%x", st);
	a.flags = CLONE_PIDFD;
	a.pidfd = (uintptr_t)&pidfd;
	r = k_clone3(&a, 64); /* version 0 of the struct */
	if (r == 0)
		_exit(9);
	CHECK("clone3.pidfd", r > 0 && pidfd >= 0, "r %ld pidfd %d", r, pidfd);
	CHECK_EQ("clone3.pidfd_cloexec", fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	memset(&si, 0, sizeof(si));
	CHECK_SYS("waitid.p_pidfd", waitid(P_PIDFD, pidfd, &si, WEXITED));
	CHECK("waitid.p_pidfd_info", si.si_pid == r && si.si_status == 9, "pid %d status %d",
	      si.si_pid, si.si_status);
	close(pidfd);
	a.flags = CLONE_CLEAR_SIGHAND;
	a.pidfd = 0;
	signal(SIGUSR1, SIG_IGN);
	r = k_clone3(&a, sizeof(a));
	if (r == 0) {
		struct sigaction old;

		sigaction(SIGUSR1, NULL, &old);
		/* Ignored dispositions are kept; only handlers are reset. */
		_exit(old.sa_handler == SIG_IGN ? 0 : 1);
	}
	check_wait_child("clone3.clear_sighand", r, 0);
	signal(SIGUSR1, SIG_DFL);

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	CHECK_ERR("clone3.size_too_small", guard_child(k_clone3(&a, 32)), EINVAL);
	CHECK_ERR("clone3.size_huge", guard_child(k_clone3(&a, 8192)), E2BIG);
	a.flags = 1ULL << 40;
	CHECK_ERR("clone3.unknown_flag", guard_child(k_clone3(&a, sizeof(a))), EINVAL);
	a.flags = 0;
	a.exit_signal = 100;
	CHECK_ERR("clone3.bad_exit_signal", guard_child(k_clone3(&a, sizeof(a))), EINVAL);
	a.exit_signal = SIGCHLD;
	a.stack_size = 4096; /* a size without a stack */
	CHECK_ERR("clone3.stack_size_without_stack", guard_child(k_clone3(&a, sizeof(a))), EINVAL);
	a.stack_size = 0;
	a.flags = CLONE_THREAD;
	CHECK_ERR("clone3.thread_without_vm", guard_child(k_clone3(&a, sizeof(a))), EINVAL);
	CHECK_ERR("clone3.efault", guard_child(k_clone3(BADPTR, sizeof(a))), EFAULT);
	/* The pidfd is stored before the child exists: an unwritable address is EFAULT, and
	 * no child was made (nothing to wait for). */
	{
		void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		a.flags = CLONE_PIDFD;
		a.pidfd = (uintptr_t)ro;
		CHECK_ERR("clone3.pidfd_efault", guard_child(k_clone3(&a, sizeof(a))), EFAULT);
		CHECK_ERR("clone3.pidfd_efault_no_child", waitpid(-1, NULL, WNOHANG), ECHILD);
		munmap(ro, 4096);
	}
	/* New namespaces need CAP_SYS_ADMIN: a user gets EPERM (not a child in the old ones). */
	r = check_fork_unprivileged();
	if (r == 0) {
		CHECK_ERR("clone.newpid_user_eperm", guard_child(syscall(SYS_clone, CLONE_NEWPID |
							SIGCHLD, NULL, NULL, NULL, 0)), EPERM);
		CHECK_ERR("clone.newuts_user_eperm", guard_child(syscall(SYS_clone, CLONE_NEWUTS |
							SIGCHLD, NULL, NULL, NULL, 0)), EPERM);
		memset(&a, 0, sizeof(a));
		a.exit_signal = SIGCHLD;
		a.flags = CLONE_NEWIPC;
		CHECK_ERR("clone3.newipc_user_eperm", guard_child(k_clone3(&a, sizeof(a))), EPERM);
		check_child_exit();
	}
	check_wait_child("clone.namespaces_user", r, 0);
	munmap(shared, 4096);
}

static pid_t child_exiting(int code)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	return pid;
}

static void test_wait4(void)
{
	struct rusage ru;
	int st = 0, wfd;
	pid_t pid;

	CHECK_ERR("wait4.echild", wait4(-1, &st, 0, NULL), ECHILD);
	pid = check_child_waiting(&wfd);
	CHECK_EQ("wait4.wnohang_running", wait4(pid, &st, WNOHANG, NULL), 0);
	CHECK_ERR("wait4.bad_options", wait4(pid, &st, WNOHANG | WNOWAIT, NULL), EINVAL);
	CHECK_ERR("wait4.not_our_child", wait4(getpid(), &st, WNOHANG, NULL), ECHILD);
	close(wfd);
	memset(&ru, 0, sizeof(ru));
	CHECK_EQ("wait4.reaps", wait4(pid, &st, 0, &ru), pid);
	CHECK("wait4.rusage", ru.ru_maxrss > 0, "maxrss %ld", ru.ru_maxrss);
	CHECK_ERR("wait4.reaped_echild", wait4(pid, &st, WNOHANG, NULL), ECHILD);

	pid = child_exiting(256 + 42);
	wait4(pid, &st, 0, NULL);
	CHECK("exit_group.status_low_byte", WIFEXITED(st) && WEXITSTATUS(st) == 42, "status 0x%x",
	      st);
	pid = fork();
	if (pid == 0) {
		syscall(SYS_exit_group, 255);
		_exit(1);
	}
	wait4(pid, &st, 0, NULL);
	CHECK_EQ("exit_group.raw", st, 255 << 8);
	pid = child_exiting(0);
	CHECK_EQ("wait4.any_child", wait4(-1, &st, 0, NULL), pid);
	pid = child_exiting(0);
	CHECK_EQ("wait4.same_group", wait4(0, &st, 0, NULL), pid);
	pid = child_exiting(0);
	CHECK_EQ("wait4.by_pgid", wait4(-getpgrp(), &st, 0, NULL), pid);

	/* Stop and continue are reported only when asked for. */
	pid = check_child_waiting(&wfd);
	kill(pid, SIGSTOP);
	CHECK_EQ("wait4.wuntraced", wait4(pid, &st, WUNTRACED, NULL), pid);
	CHECK("wait4.stopped_status", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status 0x%x", st);
	kill(pid, SIGCONT);
	CHECK_EQ("wait4.wcontinued", wait4(pid, &st, WCONTINUED, NULL), pid);
	CHECK("wait4.continued_status", WIFCONTINUED(st), "status 0x%x", st);
	kill(pid, SIGKILL);
	wait4(pid, &st, 0, NULL);
	CHECK("wait4.killed_status", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status 0x%x", st);
	close(wfd);
	pid = child_exiting(0);
	CHECK_ERR("wait4.efault_status", syscall(SYS_wait4, pid, BADPTR, 0, NULL), EFAULT);
	waitpid(pid, NULL, 0);
}

static void test_waitid(void)
{
	siginfo_t si;
	int wfd;
	pid_t pid;

	memset(&si, 0, sizeof(si));
	CHECK_ERR("waitid.echild", waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	pid = check_child_waiting(&wfd);
	si.si_pid = 99;
	CHECK_EQ("waitid.wnohang_running", waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
	CHECK_EQ("waitid.wnohang_zero_pid", si.si_pid, 0);
	CHECK_ERR("waitid.no_options", waitid(P_PID, pid, &si, 0), EINVAL);
	CHECK_ERR("waitid.bad_idtype", waitid(42, pid, &si, WEXITED), EINVAL);
	CHECK_ERR("waitid.bad_option_bits", waitid(P_PID, pid, &si, WEXITED | 0x10000), EINVAL);
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof(si));
	CHECK_SYS("waitid.wstopped", waitid(P_PID, pid, &si, WSTOPPED));
	CHECK("waitid.cld_stopped", si.si_code == CLD_STOPPED && si.si_status == SIGSTOP,
	      "code %d status %d", si.si_code, si.si_status);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	waitid(P_PID, pid, &si, WCONTINUED);
	CHECK("waitid.cld_continued", si.si_code == CLD_CONTINUED && si.si_pid == pid,
	      "code %d", si.si_code);
	kill(pid, SIGTERM);
	memset(&si, 0, sizeof(si));
	CHECK_SYS("waitid.wnowait", waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK("waitid.cld_killed", si.si_code == CLD_KILLED && si.si_status == SIGTERM &&
					   si.si_signo == SIGCHLD,
	      "code %d status %d", si.si_code, si.si_status);
	memset(&si, 0, sizeof(si));
	CHECK_SYS("waitid.wnowait_kept", waitid(P_PID, pid, &si, WEXITED));
	CHECK_EQ("waitid.wnowait_same_child", si.si_pid, pid);
	close(wfd);

	pid = child_exiting(17);
	memset(&si, 0, sizeof(si));
	CHECK_SYS("waitid.p_pgid", waitid(P_PGID, getpgrp(), &si, WEXITED));
	CHECK("waitid.cld_exited", si.si_code == CLD_EXITED && si.si_status == 17 &&
					   si.si_pid == pid && si.si_uid == getuid(),
	      "code %d status %d pid %d", si.si_code, si.si_status, si.si_pid);
	pid = child_exiting(0);
	CHECK_ERR("waitid.efault", syscall(SYS_waitid, P_PID, pid, BADPTR, WEXITED, NULL), EFAULT);
	waitpid(pid, NULL, 0);
}

/* A stop signal's default action stops the child with that signal (WSTOPSIG); in an orphaned
 * process group (the child's own new session) SIGTSTP, SIGTTIN and SIGTTOU are discarded. */
static void test_job_stops(void)
{
	static const struct { int sig; const char *name; } stops[] = {
		{SIGTSTP, "tstp"}, {SIGTTIN, "ttin"}, {SIGTTOU, "ttou"}, {SIGSTOP, "stop"}};
	char name[64];
	int st;

	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		pid_t pid = fork();
		if (pid == 0) {
			setpgid(0, 0); /* a group of its own whose parent is in this session */
			raise(stops[i].sig);
			_exit(7);
		}
		snprintf(name, sizeof(name), "job_stop.%s_stops", stops[i].name);
		CHECK_EQ(name, wait4(pid, &st, WUNTRACED, NULL), pid);
		snprintf(name, sizeof(name), "job_stop.%s_wstopsig", stops[i].name);
		CHECK(name, WIFSTOPPED(st) && WSTOPSIG(st) == stops[i].sig, "status 0x%x", st);
		kill(pid, SIGCONT);
		wait4(pid, &st, 0, NULL);
		snprintf(name, sizeof(name), "job_stop.%s_resumes", stops[i].name);
		CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x", st);
	}
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		pid_t pid = fork();
		if (pid == 0) {
			setsid(); /* an orphaned process group */
			raise(stops[i].sig);
			_exit(7);
		}
		wait4(pid, &st, WUNTRACED, NULL);
		if (WIFSTOPPED(st)) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		snprintf(name, sizeof(name), "job_stop.orphaned_%s", stops[i].name);
		if (stops[i].sig == SIGSTOP)
			CHECK(name, WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "status 0x%x", st);
		else
			CHECK(name, WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x", st);
	}
}

static void test_sigchld(void)
{
	sigset_t s, old;
	siginfo_t si;
	struct timespec ts = {10, 0};
	pid_t pid;

	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigprocmask(SIG_BLOCK, &s, &old);
	pid = child_exiting(4);
	CHECK_EQ("exit_group.sigchld", sigtimedwait(&s, &si, &ts), SIGCHLD);
	CHECK("exit_group.sigchld_info", si.si_pid == pid && si.si_code == CLD_EXITED &&
						 si.si_status == 4,
	      "pid %d code %d status %d", si.si_pid, si.si_code, si.si_status);
	waitpid(pid, NULL, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* With SIGCHLD ignored, children are reaped by the kernel: wait finds none. */
	pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_IGN);
		if (fork() == 0)
			_exit(0);
		_exit(wait(NULL) == -1 && errno == ECHILD ? 0 : 1);
	}
	check_wait_child("exit_group.sigchld_ign_autoreap", pid, 0);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	test_fork();
	test_clone();
	test_wait4();
	test_waitid();
	test_job_stops();
	test_sigchld();
	return check_done();
}
