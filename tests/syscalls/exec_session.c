/* SPDX-License-Identifier: MIT */
/* exec_session.c: coverage for execve/execveat, process groups and sessions, prctl, pidfds, kcmp. */
#include "check.h"

#include <sys/resource.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#define KCMP_FILE 0
#define KCMP_VM 1

static char self_exe[PATH_MAX];

/* Re-executed as "prog --exec-child A B": checks what execve handed over, exits 0 when right. */
static int exec_child(int argc, char **argv)
{
	const char *v = getenv("LXRUN_EXEC_TEST");

	if (argc < 2 || strcmp(argv[1], "--exec-child"))
		return 120; /* an exec that should have failed ran us */
	if (argc != 4 || strcmp(argv[2], "alpha") || strcmp(argv[3], "") || !v ||
	    strcmp(v, "beta"))
		return 2;
	/* A descriptor marked close-on-exec by the parent (fd 100) must be gone. */
	if (fcntl(100, F_GETFD) != -1 || errno != EBADF)
		return 3;
	/* One that was not (fd 101) must still be there. */
	if (fcntl(101, F_GETFD) != 0)
		return 4;
	return 0;
}

static pid_t run_exec(const char *how, int dirfd, const char *path, int flags)
{
	char *argv[] = {(char *)"x", (char *)"--exec-child", (char *)"alpha", (char *)"", NULL};
	char *envp[] = {(char *)"LXRUN_EXEC_TEST=beta", NULL};
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);

		dup3(fd, 100, O_CLOEXEC);
		dup2(fd, 101);
		if (strcmp(how, "execve") == 0)
			execve(path, argv, envp);
		else
			syscall(SYS_execveat, dirfd, path, argv, envp, flags);
		_exit(100 + errno);
	}
	return pid;
}

static int exec_status(pid_t pid)
{
	int st = 0;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

/*
 * exec_try: an exec that is expected to fail, made in a child so that an unexpected success
 * cannot replace this process. Returns -1 with the child's errno, or 0 when the exec happened.
 */
static long exec_try(int at, int dirfd, const void *path, char *const *argv, int flags)
{
	static char *const envp[] = {(char *)"LXRUN_EXEC_TEST=unexpected", NULL};
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (at)
			syscall(SYS_execveat, dirfd, path, argv, envp, flags);
		else
			syscall(SYS_execve, path, argv, envp);
		_exit(errno & 0x7f);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 120 || WEXITSTATUS(st) == 0)
		return 0;
	errno = WEXITSTATUS(st);
	return -1;
}

static void test_execve(void)
{
	char *argv[] = {(char *)"x", NULL}, *envp[] = {NULL};
	char longname[PATH_MAX + 10];
	int dfd, fd;
	pid_t pid;

	CHECK_EQ("execve.argv_envp_cloexec", exec_status(run_exec("execve", 0, self_exe, 0)), 0);
	CHECK_ERR("execve.enoent", exec_try(0, 0, check_path("missing"), argv, 0), ENOENT);
	CHECK_ERR("execve.directory_eacces", exec_try(0, 0, check_path(""), argv, 0), EACCES);
	check_write_file(check_path("plain"), "#!/bin/sh\nexit 0\n", 17);
	chmod(check_path("plain"), 0644);
	CHECK_ERR("execve.not_executable", exec_try(0, 0, check_path("plain"), argv, 0), EACCES);
	check_write_file(check_path("garbage"), "\x01\x02\x03\x04garbage", 11);
	chmod(check_path("garbage"), 0755);
	CHECK_ERR("execve.enoexec", exec_try(0, 0, check_path("garbage"), argv, 0), ENOEXEC);
	CHECK_ERR("execve.enotdir", exec_try(0, 0, check_path("plain/x"), argv, 0), ENOTDIR);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_ERR("execve.enametoolong", exec_try(0, 0, longname, argv, 0), ENAMETOOLONG);
	symlink("loop", check_path("loop"));
	CHECK_ERR("execve.eloop", exec_try(0, 0, check_path("loop"), argv, 0), ELOOP);
	CHECK_ERR("execve.efault_path", exec_try(0, 0, BADPTR, argv, 0), EFAULT);
	CHECK_ERR("execve.efault_argv", exec_try(0, 0, self_exe, BADPTR, 0), EFAULT);

	/* A #! script runs through its interpreter with the script's exit status. */
	check_write_file(check_path("script"), "#!/bin/sh\nexit 33\n", 18);
	chmod(check_path("script"), 0755);
	pid = fork();
	if (pid == 0) {
		execve(check_path("script"), argv, envp);
		_exit(99);
	}
	CHECK_EQ("execve.shebang", exec_status(pid), 33);
	check_write_file(check_path("badinterp"), "#!/nonexistent/interp\n", 22);
	chmod(check_path("badinterp"), 0755);
	CHECK_ERR("execve.shebang_missing_interp", exec_try(0, 0, check_path("badinterp"), argv, 0),
		  ENOENT);

	/* execveat: by descriptor (AT_EMPTY_PATH) and relative to a directory descriptor. */
	fd = open(self_exe, O_RDONLY | O_CLOEXEC);
	CHECK_EQ("execveat.empty_path", exec_status(run_exec("execveat", fd, "", AT_EMPTY_PATH)), 0);
	close(fd);
	fd = open(self_exe, O_PATH | O_CLOEXEC);
	CHECK_EQ("execveat.o_path_fd", exec_status(run_exec("execveat", fd, "", AT_EMPTY_PATH)), 0);
	close(fd);
	dfd = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	CHECK_EQ("execveat.dirfd_relative",
		 exec_status(run_exec("execveat", dfd, self_exe + 1, 0)), 0);
	CHECK_EQ("execveat.at_fdcwd", exec_status(run_exec("execveat", AT_FDCWD, self_exe, 0)), 0);
	symlink(self_exe, check_path("link"));
	CHECK_ERR("execveat.symlink_nofollow", 
		  exec_try(1, AT_FDCWD, check_path("link"), argv, AT_SYMLINK_NOFOLLOW), ELOOP);
	CHECK_ERR("execveat.bad_flags", exec_try(1, dfd, "bin/true", argv, 0x4),
		  EINVAL);
	CHECK_ERR("execveat.ebadf", exec_try(1, check_closed_fd(), "x", argv, 0),
		  EBADF);
	fd = open(check_path("plain"), O_RDONLY | O_CLOEXEC);
	CHECK_ERR("execveat.relative_enotdir", exec_try(1, fd, "x", argv, 0),
		  ENOTDIR);
	CHECK_ERR("execveat.empty_path_not_exec",
		  exec_try(1, fd, "", argv, AT_EMPTY_PATH), EACCES);
	CHECK_ERR("execveat.empty_without_flag", exec_try(1, fd, "", argv, 0),
		  ENOENT);
	close(fd);
	close(dfd);

	/* A program open for writing (here by this process) cannot be executed: ETXTBSY. */
	{
		char buf[65536];
		int in = open(self_exe, O_RDONLY | O_CLOEXEC), out;
		ssize_t n;

		out = open(check_path("busy"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			write(out, buf, (size_t)n);
		close(in);
		CHECK_ERR("execve.etxtbsy", exec_try(0, 0, check_path("busy"), argv, 0), ETXTBSY);
		/* not executable and open for writing: the permission is checked first */
		fchmod(out, 0644);
		CHECK_ERR("execve.eacces_before_etxtbsy",
			  exec_try(0, 0, check_path("busy"), argv, 0), EACCES);
		fchmod(out, 0755);
		close(out);
		CHECK_EQ("execve.after_writer_closed",
			 exec_status(run_exec("execve", 0, check_path("busy"), 0)), 0);
	}

	/* A relative path from a cwd whose parent the user cannot search: only the cwd and
	 * the path from it are walked (as root: the parent is made root-only) */
	if (geteuid() == 0) {
		char here[PATH_MAX];
		int cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

		mkdir(check_path("priv"), 0700);
		mkdir(check_path("priv/sub"), 0755);
		link(check_path("busy"), check_path("priv/sub/prog"));
		snprintf(here, sizeof(here), "%s", check_path("priv/sub"));
		if (chdir(here) == 0) {
			pid = check_fork_unprivileged();
			if (pid == 0) {
				CHECK_EQ("execve.relative_below_unsearchable",
					 exec_try(0, 0, "./prog", argv, 0), 0);
				check_child_exit();
			}
			check_wait_child("execve.relative_below_unsearchable_child", pid, 0);
			fchdir(cwdfd);
		}
		close(cwdfd);
	}

	/* Execute permission for the owner only, or (when we own it) for everyone but the owner. */
	chmod(check_tmpdir, 0755);
	chmod(check_path("script"), geteuid() == 0 ? 0700 : 0077);
	pid = check_fork_unprivileged();
	if (pid == 0) {
		CHECK_ERR("execve.eacces_user", exec_try(0, 0, check_path("script"), argv, 0), EACCES);
		check_child_exit();
	}
	check_wait_child("execve.eacces_child", pid, 0);
}

static void test_pgrp_session(void)
{
	int wfd;
	pid_t pid, other;

	CHECK_EQ("getpgid.self_zero", getpgid(0), getpgrp());
	CHECK_EQ("getpgid.by_pid", getpgid(getpid()), getpgrp());
	CHECK_EQ("getpgrp.raw", syscall(SYS_getpgrp), getpgrp());
	CHECK_ERR("getpgid.esrch", getpgid(INT_MAX), ESRCH);
	CHECK_EQ("getsid.self_zero", getsid(0), getsid(getpid()));
	CHECK_ERR("getsid.esrch", getsid(INT_MAX), ESRCH);
	CHECK_ERR("setpgid.negative", setpgid(0, -1), EINVAL);
	CHECK_ERR("setpgid.esrch", setpgid(INT_MAX, 0), ESRCH);

	pid = fork();
	if (pid == 0) {
		pid_t me = getpid();

		if (setpgid(0, 0) || getpgrp() != me)
			_exit(2);
		/* Now a group leader: setsid is refused. */
		if (setsid() != -1 || errno != EPERM)
			_exit(3);
		if (fork() == 0) {
			pid_t sid = setsid();

			_exit(sid == getpid() && getsid(0) == getpid() && getpgrp() == getpid() ? 0 : 4);
		}
		{
			int st;

			wait(&st);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 5);
		}
	}
	CHECK_EQ("setsid.new_session", exec_status(pid), 0);

	/* The parent moves a child into its own group, then into ours again. */
	pid = check_child_waiting(&wfd);
	CHECK_SYS("setpgid.child", setpgid(pid, pid));
	CHECK_EQ("setpgid.child_group", getpgid(pid), pid);
	CHECK_SYS("setpgid.child_back", setpgid(pid, getpgrp()));
	CHECK_EQ("setpgid.child_back_group", getpgid(pid), getpgrp());
	CHECK_ERR("setpgid.no_such_group", setpgid(pid, INT_MAX), EPERM);
	other = fork();
	if (other == 0) {
		setsid();
		pause();
		_exit(0);
	}
	usleep(50000);
	CHECK_ERR("setpgid.other_session", setpgid(pid, other), EPERM);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	close(wfd);
	waitpid(pid, NULL, 0);
	pid = fork();
	if (pid == 0) {
		setsid();
		_exit(setpgid(getppid(), 0) == -1 && errno == ESRCH ? 0 : 1);
	}
	CHECK_EQ("setpgid.not_a_child", exec_status(pid), 0);
}

/* linux/capability.h's CAP_CHOWN, without that header. */
#define CAP_CHOWN_NR 0

static void test_prctl(void)
{
	char name[32] = "";
	int v = -1;
	pid_t pid;

	CHECK_SYS("prctl.set_name_long", prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz"));
	prctl(PR_GET_NAME, name);
	CHECK_STR("prctl.name_truncated", name, "abcdefghijklmno");
	CHECK_SYS("prctl.set_pdeathsig", prctl(PR_SET_PDEATHSIG, SIGUSR2));
	prctl(PR_GET_PDEATHSIG, &v);
	CHECK_EQ("prctl.get_pdeathsig", v, SIGUSR2);
	CHECK_ERR("prctl.pdeathsig_bad", prctl(PR_SET_PDEATHSIG, 99), EINVAL);
	prctl(PR_SET_PDEATHSIG, 0);
	CHECK_EQ("prctl.get_dumpable", prctl(PR_GET_DUMPABLE), 1);
	CHECK_ERR("prctl.set_dumpable_bad", prctl(PR_SET_DUMPABLE, 5), EINVAL);
	CHECK_EQ("prctl.subreaper_default", prctl(PR_GET_CHILD_SUBREAPER, &v) * 0 + v, 0);
	CHECK("prctl.timerslack", prctl(PR_GET_TIMERSLACK) > 0, "slack %d",
	      prctl(PR_GET_TIMERSLACK));
	CHECK_ERR("prctl.unknown_option", prctl(0x7fff1234, 0, 0, 0, 0), EINVAL);
	CHECK_ERR("prctl.no_new_privs_bad_arg", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	CHECK_ERR("prctl.get_pdeathsig_efault",
		  syscall(SYS_prctl, PR_GET_PDEATHSIG, BADPTR, 0, 0, 0), EFAULT);
	v = prctl(PR_CAPBSET_READ, CAP_CHOWN_NR, 0, 0, 0);
	CHECK("prctl.capbset_read", v == 0 || v == 1, "got %d (%s)", v, check_errname(errno));
	CHECK_ERR("prctl.capbset_read_bad", prctl(PR_CAPBSET_READ, 4096, 0, 0, 0), EINVAL);
	CHECK_ERR("prctl.set_keepcaps_bad", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
	v = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	CHECK("prctl.get_securebits", v >= 0, "got %d (%s)", v, check_errname(errno));
	CHECK_EQ("prctl.cap_ambient_is_set",
		 prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN_NR, 0, 0), 0);
	CHECK_ERR("prctl.cap_ambient_bad_cap",
		  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 4096, 0, 0), EINVAL);
	CHECK_ERR("prctl.cap_ambient_bad_op", prctl(PR_CAP_AMBIENT, 99, 0, 0, 0), EINVAL);
	CHECK_ERR("prctl.cap_ambient_bad_arg",
		  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
	CHECK_SYS("prctl.cap_ambient_clear_all",
		  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	pid = fork();
	if (pid == 0) {
		int ok = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0 &&
			 prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
			 prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;

		_exit(ok ? 0 : 1);
	}
	CHECK_EQ("prctl.no_new_privs", exec_status(pid), 0);
	pid = fork();
	if (pid == 0) {
		int ok = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0 &&
			 prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0 &&
			 prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1;

		_exit(ok ? 0 : 1);
	}
	CHECK_EQ("prctl.keepcaps", exec_status(pid), 0);

	/* A subreaper adopts its orphaned grandchildren. */
	pid = fork();
	if (pid == 0) {
		pid_t reaper = getpid(), mid, grand;
		int p[2], st = 0;
		char c;

		prctl(PR_SET_CHILD_SUBREAPER, 1);
		pipe(p);
		mid = fork();
		if (mid == 0) {
			if (fork() == 0) {
				read(p[0], &c, 1);
				_exit(getppid() == reaper ? 0 : 1);
			}
			_exit(0);
		}
		waitpid(mid, NULL, 0);
		/* The grandchild is orphaned now; release it, and it must be ours to wait for. */
		write(p[1], "x", 1);
		grand = wait(&st);
		_exit(grand > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1);
	}
	CHECK_EQ("prctl.child_subreaper", exec_status(pid), 0);
}

static void test_pidfd(void)
{
	struct pollfd pfd;
	int pidfd, fd, p[2], got;
	char c;
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	pidfd = CHECK_SYS("pidfd_open.child", syscall(SYS_pidfd_open, pid, 0));
	CHECK_EQ("pidfd_open.cloexec", fcntl(pidfd, F_GETFD), FD_CLOEXEC);
	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	CHECK_EQ("pidfd_open.not_ready_running", poll(&pfd, 1, 0), 0);
	CHECK_ERR("pidfd_open.esrch", syscall(SYS_pidfd_open, INT_MAX, 0), ESRCH);
	CHECK_ERR("pidfd_open.bad_flags", syscall(SYS_pidfd_open, pid, 1), EINVAL);
	CHECK_ERR("pidfd_open.bad_pid", syscall(SYS_pidfd_open, -1, 0), EINVAL);
	fd = syscall(SYS_pidfd_open, pid, PIDFD_NONBLOCK);
	CHECK_EQ("pidfd_open.nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_ERR("waitid.pidfd_nonblock_eagain", waitid(P_PIDFD, fd, NULL, WEXITED), EAGAIN);
	close(fd);

	/* pidfd_getfd duplicates a descriptor out of the child: its pipe's read end. */
	got = syscall(SYS_pidfd_getfd, pidfd, p[0], 0);
	CHECK("pidfd_getfd.dup", got >= 0 && fcntl(got, F_GETFD) == FD_CLOEXEC, "got %d %s", got,
	      check_errname(errno));
	CHECK_ERR("pidfd_getfd.ebadf_target", syscall(SYS_pidfd_getfd, pidfd, check_closed_fd(), 0),
		  EBADF);
	CHECK_ERR("pidfd_getfd.bad_flags", syscall(SYS_pidfd_getfd, pidfd, p[0], 1), EINVAL);
	CHECK_ERR("pidfd_getfd.not_pidfd", syscall(SYS_pidfd_getfd, p[1], 0, 0), EBADF);
	CHECK_SYS("pidfd_send_signal.sig0", syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0));
	CHECK_ERR("pidfd_send_signal.bad_flags",
		  syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0x80), EINVAL);
	CHECK_ERR("pidfd_send_signal.bad_sig", syscall(SYS_pidfd_send_signal, pidfd, 99, NULL, 0),
		  EINVAL);
	CHECK_ERR("pidfd_send_signal.not_pidfd",
		  syscall(SYS_pidfd_send_signal, p[1], SIGTERM, NULL, 0), EBADF);
	CHECK_ERR("pidfd_send_signal.ebadf",
		  syscall(SYS_pidfd_send_signal, check_closed_fd(), SIGTERM, NULL, 0), EBADF);
	{
		/* PIDFD_GET_INFO (Linux 6.13): the pid behind the pidfd; PIDFD_INFO_PID is 1 */
		struct {
			uint64_t mask, cgroupid;
			uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
			int32_t exit_code;
			uint32_t coredump_mask, pad;
		} info = {.mask = 1};
		unsigned long req = _IOWR(0xFF, 11, info);

		struct utsname u;
		int major = 0, minor = 0;

		uname(&u);
		sscanf(u.release, "%d.%d", &major, &minor);
		if (major * 100 + minor < 613)
			check_skip("ioctl.pidfd_get_info", "PIDFD_GET_INFO is Linux 6.13's");
		else
			CHECK("ioctl.pidfd_get_info", ioctl(pidfd, req, &info) == 0 &&
			      info.pid == (uint32_t)pid, "pid %u want %d",
			      info.pid, (int)pid);
	}
	if (CHECK_SYS("pidfd_send_signal.kill",
		      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0)) == -1)
		kill(pid, SIGKILL); /* so that the wait below cannot hang */
	CHECK("pidfd_open.pollin_on_exit", poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN),
	      "revents 0x%x", pfd.revents);
	check_wait_child("pidfd_send_signal.killed", pid, SIGKILL);
	CHECK_ERR("pidfd_send_signal.reaped", syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0),
		  ESRCH);
	close(pidfd);
	if (got >= 0)
		close(got);
	close(p[1]);

	/* Namespace files: NS_GET_NSTYPE names the type, NS_GET_USERNS opens the owning user
	 * namespace as a new close-on-exec fd; an O_PATH fd takes no ioctl at all (EBADF). */
	fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	CHECK_EQ("ioctl.ns_get_nstype", ioctl(fd, _IO(0xb7, 0x3), 0), CLONE_NEWUTS);
	got = ioctl(fd, _IO(0xb7, 0x1), 0);
	CHECK("ioctl.ns_get_userns", got >= 0 && fcntl(got, F_GETFD) == FD_CLOEXEC &&
	      ioctl(got, _IO(0xb7, 0x3), 0) == CLONE_NEWUSER, "got %d %s", got,
	      check_errname(errno));
	if (got >= 0)
		close(got);
	close(fd);
	fd = open("/proc/self/ns/uts", O_PATH | O_CLOEXEC);
	CHECK_ERR("ioctl.o_path_ebadf", ioctl(fd, _IO(0xb7, 0x3), 0), EBADF);
	close(fd);

	/* A /proc/<pid> directory fd works as a pidfd: the child's, and /proc/self. */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	{
		char dir[32];

		snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK_SYS("pidfd_send_signal.proc_dir_kill",
			  syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0));
		check_wait_child("pidfd_send_signal.proc_dir_killed", pid, SIGKILL);
		close(fd);
		fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK_SYS("pidfd_send_signal.proc_self_sig0",
			  syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0));
		close(fd);
		fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		CHECK_ERR("pidfd_send_signal.proc_file_ebadf",
			  syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0), EBADF);
		close(fd);
	}

	/* kcmp: two descriptors for one open file description compare equal. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	got = dup(fd);
	p[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_EQ("kcmp.file_same", syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, fd, got), 0);
	CHECK("kcmp.file_different",
	      syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, fd, p[0]) > 0, "%s",
	      check_errname(errno));
	CHECK_EQ("kcmp.vm_self", syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0), 0);
	CHECK_ERR("kcmp.ebadf", syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, fd,
					check_closed_fd()), EBADF);
	CHECK_ERR("kcmp.bad_type", syscall(SYS_kcmp, getpid(), getpid(), 99, 0, 0), EINVAL);
	CHECK_ERR("kcmp.esrch", syscall(SYS_kcmp, getpid(), INT_MAX, KCMP_VM, 0, 0), ESRCH);
	close(fd);
	close(got);
	close(p[0]);
}

/* A filter that gives action for syscall nr (and for a foreign arch: kill), allows the rest. */
static long filter_install(int nr, unsigned action)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* Re-executed as "prog --seccomp-child": the filter of the process that exec'd us still holds. */
static int seccomp_child(void)
{
	long r = syscall(SYS_getppid);

	return r == -1 ? errno : 0;
}

static volatile int trap_code, trap_nr, trap_errno;
static volatile unsigned trap_arch;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trap_code = si->si_code;
	trap_nr = si->si_syscall;
	trap_errno = si->si_errno;
	trap_arch = si->si_arch;
}

/* Each case in a child: a filter cannot be removed. */
static void test_seccomp(void)
{
	struct sock_filter bad_jump[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter no_ret[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
	struct sock_filter bad_load[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog;
	unsigned action;
	pid_t pid;
	int st;

	CHECK_EQ("seccomp.get_none", prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (filter_install(SYS_getppid, SECCOMP_RET_ERRNO | 77))
			_exit(1);
		if (syscall(SYS_getppid) != -1 || errno != 77)
			_exit(2);
		if (syscall(SYS_getpid) != getpid() || prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
			_exit(3);
		_exit(0);
	}
	CHECK_EQ("seccomp.errno", exec_status(pid), 0);

	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		filter_install(SYS_getppid, SECCOMP_RET_KILL_PROCESS);
		syscall(SYS_getppid);
		_exit(0);
	}
	CHECK_EQ("seccomp.kill_process", exec_status(pid), 1000 + SIGSYS);

	pid = fork();
	if (pid == 0) {
		struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
		long r;

		sigaction(SIGSYS, &sa, NULL);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		filter_install(SYS_getppid, SECCOMP_RET_TRAP | 42);
		/* The call is not made; Linux rolls the registers back for the handler, so rax
		 * still holds the syscall number. */
		r = syscall(SYS_getppid);
		if (r != SYS_getppid)
			_exit(1);
		if (trap_code != 1 /* SYS_SECCOMP */ || trap_nr != SYS_getppid || trap_errno != 42 ||
		    trap_arch != AUDIT_ARCH_X86_64)
			_exit(2);
		_exit(0);
	}
	CHECK_EQ("seccomp.trap_siginfo", exec_status(pid), 0);

	/* Of equal actions the newest filter's wins; a later ALLOW does not lift an ERRNO. */
	pid = fork();
	if (pid == 0) {
		pid_t g;

		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		filter_install(SYS_getppid, SECCOMP_RET_ERRNO | 5);
		filter_install(SYS_getppid, SECCOMP_RET_ERRNO | 6);
		filter_install(SYS_getppid, SECCOMP_RET_ALLOW);
		if (syscall(SYS_getppid) != -1 || errno != 6)
			_exit(1);
		g = fork();
		if (g == 0)
			_exit(seccomp_child());
		if (exec_status(g) != 6)
			_exit(2);
		g = fork();
		if (g == 0) {
			execl(self_exe, self_exe, "--seccomp-child", (char *)NULL);
			_exit(99);
		}
		_exit(exec_status(g) == 6 ? 0 : 3);
	}
	CHECK_EQ("seccomp.precedence_fork_exec", exec_status(pid), 0);

	pid = fork();
	if (pid == 0) {
		int p[2];

		if (pipe(p) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			syscall(SYS_exit, 2);
		syscall(SYS_getpid);
		syscall(SYS_exit, 3);
	}
	waitpid(pid, &st, 0);
	CHECK("seccomp.strict_kill", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);

	prog = (struct sock_fprog){.len = 2, .filter = bad_jump};
	CHECK_ERR("seccomp.bad_jump", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), EINVAL);
	prog = (struct sock_fprog){.len = 1, .filter = no_ret};
	CHECK_ERR("seccomp.no_return", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), EINVAL);
	prog = (struct sock_fprog){.len = 2, .filter = bad_load};
	CHECK_ERR("seccomp.bad_load", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), EINVAL);
	prog = (struct sock_fprog){.len = 0, .filter = bad_jump};
	CHECK_ERR("seccomp.empty", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), EINVAL);
	CHECK_ERR("seccomp.efault", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, BADPTR), EFAULT);
	CHECK_ERR("seccomp.bad_op", syscall(SYS_seccomp, 99, 0, NULL), EINVAL);
	CHECK_ERR("seccomp.bad_flags", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 1u << 30, &prog),
		  EINVAL);
	CHECK_ERR("prctl.set_seccomp_bad_mode", prctl(PR_SET_SECCOMP, 7, 0, 0, 0), EINVAL);
	action = SECCOMP_RET_LOG;
	CHECK_EQ("seccomp.action_avail",
		 syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action), 0);
	action = 0x12340000;
	CHECK_ERR("seccomp.action_unknown",
		  syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action), EOPNOTSUPP);
	/* Without no_new_privs, only CAP_SYS_ADMIN may filter. */
	pid = check_fork_unprivileged();
	if (pid == 0) {
		CHECK_ERR("seccomp.eacces_without_nnp",
			  filter_install(SYS_getppid, SECCOMP_RET_ERRNO | 1), EACCES);
		check_child_exit();
	}
	check_wait_child("seccomp.eacces_child", pid, 0);
}

/* "--count-fds N": exit 0 when fds 0..N-1 are all open (inherited across execve). */
static int count_fds_child(int n)
{
	for (int fd = 0; fd < n; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return 1;
	return 0;
}

/* Thousands of inherited fds cross execve (more than one 128 KiB argument could list). */
static void test_exec_many_fds(void)
{
	struct rlimit rl;
	const int n = 9000;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < 2 * (rlim_t)n + 64) {
		check_skip("execve.many_inherited_fds", "the hard RLIMIT_NOFILE is below 18064");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char arg[16];
		rl.rlim_cur = (rlim_t)n + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
		for (int fd = 3; fd < n; fd++)
			if (dup2(0, fd) != fd)
				_exit(3);
		snprintf(arg, sizeof(arg), "%d", n);
		execl(self_exe, "exec_session", "--count-fds", arg, (char *)NULL);
		_exit(2);
	}
	check_wait_child("execve.many_inherited_fds", pid, 0);
}

/* "--above-limit FD LIMIT": the fd FD, beyond RLIMIT_NOFILE (LIMIT), came across execve and
 * is usable; dup2 onto another fd beyond the limit is EBADF, and a new fd is below it. Exit 0. */
static int above_limit_child(int fd, int limit)
{
	struct rlimit rl;
	char c;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != (rlim_t)limit)
		return 2;
	if (fcntl(fd, F_GETFD) < 0 || read(fd, &c, 1) != 1 || c != 'x')
		return 3;
	if (dup2(fd, limit + 1) != -1 || errno != EBADF)
		return 4;
	int d = dup(fd);
	if (d < 0 || d >= limit)
		return 5;
	return 0;
}

/* An fd open beyond a lowered RLIMIT_NOFILE stays open, and crosses execve (Linux checks the
 * limit only where an fd is made). */
static void test_exec_fd_above_limit(void)
{
	int p[2];

	if (pipe(p) < 0) {
		check_skip("execve.fd_above_lowered_limit", "no pipe");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {64, 64};
		char fdarg[16], limarg[16];
		if (dup2(p[0], 200) != 200 || write(p[1], "x", 1) != 1 || setrlimit(RLIMIT_NOFILE, &rl))
			_exit(9);
		snprintf(fdarg, sizeof(fdarg), "%d", 200);
		snprintf(limarg, sizeof(limarg), "%d", 64);
		execl(self_exe, "exec_session", "--above-limit", fdarg, limarg, (char *)NULL);
		_exit(8);
	}
	close(p[0]);
	close(p[1]);
	check_wait_child("execve.fd_above_lowered_limit", pid, 0);
}

/* "--deep-stack KIB": recurse through about KIB KiB of stack, then exit 0. */
static int __attribute__((noinline)) deep(int kib)
{
	volatile char frame[1000];
	frame[0] = (char)kib;
	frame[999] = 1;
	return kib > 0 ? deep(kib - 1) + frame[0] - (char)kib + frame[999] - 1 : 0;
}

/* The main stack may grow to RLIMIT_STACK as set when the program was exec'd: a raised limit
 * lets a recursion that needs 40 MiB run, a lowered one kills a 6 MiB one with SIGSEGV; and
 * execve's argument space is a quarter of it (up to 6 MiB). */
static void test_exec_stack_limit(void)
{
	static const struct { const char *name; rlim_t lim; int kib, segv; } c[] = {
		{"execve.stack_grows_to_raised_rlimit", 64 << 20, 40 << 10, 0},
		{"execve.stack_stops_at_lowered_rlimit", 2 << 20, 6 << 10, 1},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int st = 0;
		pid_t pid = fork();
		if (pid == 0) {
			struct rlimit rl;
			char arg[16];
			getrlimit(RLIMIT_STACK, &rl);
			rl.rlim_cur = c[i].lim;
			if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < c[i].lim)
				_exit(77);
			setrlimit(RLIMIT_STACK, &rl);
			snprintf(arg, sizeof(arg), "%d", c[i].kib);
			execl(self_exe, "exec_session", "--deep-stack", arg, (char *)NULL);
			_exit(8);
		}
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
			check_skip(c[i].name, "the hard RLIMIT_STACK is too low");
			continue;
		}
		CHECK(c[i].name,
		      c[i].segv ? WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV
				: WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "status 0x%x", st);
	}

	/* 3 MiB of arguments: E2BIG under the default 8 MiB limit (2 MiB of space), run under
	 * a 32 MiB one (6 MiB of space) */
	size_t n = 3 << 20, each = 1000;
	char *blob = malloc(each);
	char **av = calloc(n / each + 2, sizeof(char *));
	if (!blob || !av) {
		check_skip("execve.arg_space_follows_rlimit_stack", "no memory");
		free(blob);
		free(av);
		return;
	}
	memset(blob, 'a', each - 1);
	blob[each - 1] = 0;
	av[0] = (char *)"exec_session";
	av[1] = (char *)"--count-fds";
	av[2] = (char *)"0";
	for (size_t k = 3; k < n / each; k++)
		av[k] = blob;
	int st[2] = {0, 0};
	for (int big = 0; big < 2; big++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct rlimit rl;
			getrlimit(RLIMIT_STACK, &rl);
			rl.rlim_cur = big ? 32 << 20 : 8 << 20;
			if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
				_exit(77);
			setrlimit(RLIMIT_STACK, &rl);
			execv(self_exe, av);
			_exit(errno == E2BIG ? 7 : 8);
		}
		waitpid(pid, &st[big], 0);
	}
	free(blob);
	free(av);
	CHECK("execve.arg_space_follows_rlimit_stack",
	      WIFEXITED(st[0]) && WEXITSTATUS(st[0]) == 7 && WIFEXITED(st[1]) &&
		      WEXITSTATUS(st[1]) == 0,
	      "8 MiB limit: status 0x%x (want exit 7, E2BIG); 32 MiB: 0x%x (want 0)", st[0], st[1]);
}

/* A close-on-exec fd closes when the new program is in place: a parent that sees EOF on a
 * close-on-exec pipe finds /proc/CHILD/exe already naming the exec'd program (the child execs
 * this program with "--wait-killed", and waits). */
static void test_exec_cloexec_closes_late(void)
{
	int p[2];
	char c;

	if (pipe2(p, O_CLOEXEC) < 0) {
		check_skip("execve.cloexec_closes_with_new_image", "no pipe");
		return;
	}
	/* the parent's own program: the child runs a copy of it from another path, so that
	 * its exe differs from anything the child was before the execve */
	char copy[PATH_MAX], l[64], t[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", check_path("exec-copy"));
	int in = open(self_exe, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	if (out < 0 || close(out) < 0) {
		check_skip("execve.cloexec_closes_with_new_image", "no copy of the program");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		execl(copy, "exec_session", "--wait-killed", (char *)NULL);
		_exit(8);
	}
	close(p[1]);
	while (read(p[0], &c, 1) > 0)
		;
	close(p[0]);
	snprintf(l, sizeof(l), "/proc/%d/exe", (int)pid);
	ssize_t k = readlink(l, t, sizeof(t) - 1);
	t[k > 0 ? k : 0] = 0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(copy);
	CHECK_STR("execve.cloexec_closes_with_new_image", t, copy);
}

/* The re-executed image of test_execve_pending: SIGUSR1 is still blocked and pending (a
 * default action in between would have killed it); ignoring it discards it. Exit 0 when so. */
static int pending_child(void)
{
	sigset_t set, blocked;

	sigpending(&set);
	sigprocmask(SIG_BLOCK, NULL, &blocked);
	if (!sigismember(&blocked, SIGUSR1))
		return 2;
	if (!sigismember(&set, SIGUSR1))
		return 3;
	signal(SIGUSR1, SIG_IGN);
	sigprocmask(SIG_UNBLOCK, &blocked, NULL);
	return 0;
}

/* The signal mask and pending signals are kept across execve: a blocked signal pending at the
 * call stays pending in the new image (whose default action would end it), as
 * multiprocessing's resource tracker counts on (it blocks SIGINT/SIGTERM over its spawn). */
static void test_execve_pending(void)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t set;
		char *argv[] = {(char *)"x", (char *)"--pending-child", NULL};

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGUSR1);
		execv(self_exe, argv);
		_exit(100);
	}
	waitpid(pid, &st, 0);
	CHECK("execve.blocked_signal_stays_pending", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status 0x%x", st);
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], "--seccomp-child") == 0)
		return seccomp_child();
	if (argc > 2 && strcmp(argv[1], "--count-fds") == 0)
		return count_fds_child(atoi(argv[2]));
	if (argc > 1 && strcmp(argv[1], "--pending-child") == 0)
		return pending_child();
	if (argc > 1 && strcmp(argv[1], "--wait-killed") == 0)
		for (;;)
			pause();
	if (argc > 2 && strcmp(argv[1], "--deep-stack") == 0)
		return deep(atoi(argv[2]));
	if (argc > 3 && strcmp(argv[1], "--above-limit") == 0)
		return above_limit_child(atoi(argv[2]), atoi(argv[3]));

	/* The environment marks an exec'd child even if its arguments were lost on the way. */
	if (getenv("LXRUN_EXEC_TEST") || (argc > 1 && strcmp(argv[1], "--exec-child") == 0))
		return exec_child(argc, argv);
	check_init(argc, argv);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	self_exe[n > 0 ? n : 0] = '\0';
	check_tmpdir_make();
	test_execve();
	test_execve_pending();
	test_pgrp_session();
	test_prctl();
	test_seccomp();
	test_pidfd();
	test_exec_many_fds();
	test_exec_fd_above_limit();
	test_exec_stack_limit();
	test_exec_cloexec_closes_late();
	return check_done();
}
