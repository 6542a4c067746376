/* SPDX-License-Identifier: MIT */
/* check.h: header-only harness for the syscall-coverage programs (one ok/not ok line per case). */
#ifndef LXRUN_TESTS_SYSCALLS_CHECK_H
#define LXRUN_TESTS_SYSCALLS_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Output protocol, parsed by run_matrix.sh:
 *   ok NAME
 *   ok NAME # skip REASON
 *   not ok NAME: DETAIL
 * Every line is flushed at once so that a crash (likely under an emulator) still leaves every
 * result printed before it; the runner then reports the cases that never printed as missing.
 */

/* An address the kernel must refuse with EFAULT; only ever handed to raw syscalls. */
#define BADPTR ((void *)1)

#define CHECK_MAX_NAMES 512

static const char *check_prog = "syscall_prog";
static int check_passed, check_failed, check_skipped;
static char check_names[CHECK_MAX_NAMES][64];
static int check_nnames;
static char check_tmpdir[PATH_MAX / 2];
static pid_t check_tmpdir_owner;

static inline const char *check_errname(int e)
{
	const char *s = e ? strerrorname_np(e) : "0";
	static char buf[4][16];
	static int slot;

	if (s)
		return s;
	slot = (slot + 1) % 4;
	snprintf(buf[slot], sizeof(buf[slot]), "errno%d", e);
	return buf[slot];
}

/* Duplicate names would make two cases share one row of the matrix, so they count as failures. */
static inline int check_name_is_new(const char *name)
{
	for (int i = 0; i < check_nnames; i++)
		if (strcmp(check_names[i], name) == 0)
			return 0;
	if (check_nnames < CHECK_MAX_NAMES)
		snprintf(check_names[check_nnames++], sizeof(check_names[0]), "%s", name);
	return 1;
}

static inline void check_emit(const char *line)
{
	fputs(line, stdout);
	fflush(stdout);
}

static inline int check_report(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int check_report(const char *name, int ok, const char *fmt, ...)
{
	char line[1024], detail[768];
	va_list ap;

	if (!check_name_is_new(name)) {
		ok = 0;
		snprintf(detail, sizeof(detail), "duplicate check name");
	} else {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	if (ok) {
		check_passed++;
		snprintf(line, sizeof(line), "ok %s\n", name);
	} else {
		check_failed++;
		snprintf(line, sizeof(line), "not ok %s: %s\n", name, detail);
	}
	check_emit(line);
	return ok;
}

static inline void check_skip(const char *name, const char *reason)
{
	char line[512];

	check_name_is_new(name);
	check_skipped++;
	snprintf(line, sizeof(line), "ok %s # skip %s\n", name, reason);
	check_emit(line);
}

/* CHECK(name, cond, fmt, ...): passes when cond is true; the value is the truth of cond. */
#define CHECK(name, cond, fmt, ...)                                                                \
	({                                                                                         \
		int check_c_ = !!(cond);                                                           \
		check_report((name), check_c_, fmt, ##__VA_ARGS__);                                \
		check_c_;                                                                          \
	})

/* CHECK_ERR(name, expr, ERR): expr must fail the libc/syscall(2) way, -1 with errno ERR. */
#define CHECK_ERR(name, expr, err)                                                                 \
	({                                                                                         \
		long check_r_;                                                                     \
		int check_e_, check_ok_;                                                           \
		errno = 0;                                                                         \
		check_r_ = (long)(expr);                                                           \
		check_e_ = errno;                                                                  \
		check_ok_ = check_r_ == -1 && check_e_ == (err);                                   \
		check_report((name), check_ok_, "expected -1/%s, got %ld/%s", check_errname(err),  \
			     check_r_, check_errname(check_e_));                                   \
		check_ok_;                                                                         \
	})

/* CHECK_ERR2: as CHECK_ERR where Linux documents either of two errors for the case. */
#define CHECK_ERR2(name, expr, err1, err2)                                                         \
	({                                                                                         \
		long check_r_;                                                                     \
		int check_e_, check_ok_;                                                           \
		errno = 0;                                                                         \
		check_r_ = (long)(expr);                                                           \
		check_e_ = errno;                                                                  \
		check_ok_ = check_r_ == -1 && (check_e_ == (err1) || check_e_ == (err2));          \
		check_report((name), check_ok_, "expected -1/%s|%s, got %ld/%s",                   \
			     check_errname(err1), check_errname(err2), check_r_,                   \
			     check_errname(check_e_));                                             \
		check_ok_;                                                                         \
	})

/* CHECK_SYS(name, expr): expr must not return -1; the value is what expr returned. */
#define CHECK_SYS(name, expr)                                                                      \
	({                                                                                         \
		long check_r_;                                                                     \
		errno = 0;                                                                         \
		check_r_ = (long)(expr);                                                           \
		check_report((name), check_r_ != -1, "failed: %s", check_errname(errno));          \
		check_r_;                                                                          \
	})

/* CHECK_EQ(name, got, want): integer equality, both values shown on failure. */
#define CHECK_EQ(name, got, want)                                                                  \
	({                                                                                         \
		long long check_g_ = (long long)(got);                                             \
		long long check_w_ = (long long)(want);                                            \
		check_report((name), check_g_ == check_w_, "got %lld, want %lld (errno %s)",       \
			     check_g_, check_w_, check_errname(errno));                            \
		check_g_ == check_w_;                                                              \
	})

/* CHECK_STR(name, got, want): string equality; NULL never matches. */
#define CHECK_STR(name, got, want)                                                                 \
	({                                                                                         \
		const char *check_gs_ = (got), *check_ws_ = (want);                                \
		int check_ok_ = check_gs_ && check_ws_ && strcmp(check_gs_, check_ws_) == 0;       \
		check_report((name), check_ok_, "got \"%s\", want \"%s\"",                         \
			     check_gs_ ? check_gs_ : "(null)", check_ws_ ? check_ws_ : "(null)");  \
		check_ok_;                                                                         \
	})

static inline void check_init(int argc, char **argv)
{
	const char *slash;

	if (argc > 0 && argv[0]) {
		slash = strrchr(argv[0], '/');
		check_prog = slash ? slash + 1 : argv[0];
	}
}

/* The summary goes to stderr so stdout holds nothing but case lines. */
static inline int check_done(void)
{
	fflush(stdout);
	fprintf(stderr, "%s: %d passed, %d failed, %d skipped\n", check_prog, check_passed,
		check_failed, check_skipped);
	return check_failed ? 1 : 0;
}

static inline int check_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Best effort: a leftover directory in /tmp must not turn a passing run into a failure. */
	if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
		rmdir(path); /* an unreadable (FTW_DNR) directory a case left empty goes too */
	else
		unlink(path);
	return 0;
}

static inline void check_rm_tree(const char *path)
{
	nftw(path, check_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void check_tmpdir_cleanup(void)
{
	/* A forked child that calls exit() must not pull the directory from under its parent. */
	if (check_tmpdir[0] && getpid() == check_tmpdir_owner)
		check_rm_tree(check_tmpdir);
}

/* check_tmpdir_make: a fresh private directory, removed when the creating process exits. */
static inline const char *check_tmpdir_make(void)
{
	const char *base = getenv("TMPDIR");

	if (check_tmpdir[0])
		return check_tmpdir;
	if (!base || !*base)
		base = "/tmp";
	snprintf(check_tmpdir, sizeof(check_tmpdir), "%s/lxrun-sys-XXXXXX", base);
	if (!mkdtemp(check_tmpdir)) {
		/* Every later case needs the directory: say why in the results, then give up. */
		check_report("harness.tmpdir", 0, "mkdtemp(%s): %s", check_tmpdir,
			     check_errname(errno));
		exit(check_done() + 1);
	}
	check_tmpdir_owner = getpid();
	atexit(check_tmpdir_cleanup);
	return check_tmpdir;
}

/* check_path: "<tmpdir>/<name>" in one of a few rotating buffers, good for several arguments. */
static inline const char *check_path(const char *name)
{
	static char buf[8][PATH_MAX];
	static int slot;

	slot = (slot + 1) % 8;
	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", check_tmpdir_make(), name);
	return buf[slot];
}

/* check_closed_fd: a descriptor number that is certainly not open right now. */
static inline int check_closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int n = fd < 0 ? -1 : fcntl(fd, F_DUPFD, 900);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return 1000;
	close(n);
	return n;
}

/* check_write_file: replace a file's contents; returns 0 or -1. */
static inline int check_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* check_read_file: read a whole (small, maybe /proc) file NUL-terminated; returns length or -1. */
static inline ssize_t check_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* A forked child reports its own lines, then exits 0 only if all of them passed. */
static inline void check_child_exit(void)
{
	fflush(stdout);
	_exit(check_failed ? 1 : 0);
}

/* check_wait_child: one parent-side case stating that a child exited 0 (or with want_sig). */
static inline int check_wait_child(const char *name, pid_t pid, int want_sig)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r != pid)
		return CHECK(name, 0, "waitpid: %s", check_errname(errno));
	if (want_sig)
		return CHECK(name, WIFSIGNALED(status) && WTERMSIG(status) == want_sig,
			     "status 0x%x, want signal %d", status, want_sig);
	return CHECK(name, WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
}

/*
 * check_fork_unprivileged: fork a child that runs as uid/gid 65534 with no supplementary groups,
 * so EACCES cases mean the same as root and as a user. Returns fork()'s value; in the child the
 * drop already happened (or was not needed); a failed drop is reported by the child and it exits.
 */
static inline pid_t check_fork_unprivileged(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		check_passed = check_failed = check_skipped = 0; /* the child's own count */
	if (pid == 0 && geteuid() == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			check_report("harness.drop_privileges", 0, "%s", check_errname(errno));
			check_child_exit();
		}
	}
	return pid;
}

/*
 * check_watchdog: end the program with SIGALRM after `seconds`, so a call that blocks forever
 * under an emulator costs the cases after it (reported as missing) instead of hanging the run.
 * Only for programs that do not use SIGALRM or alarm() themselves.
 */
static inline void check_watchdog(unsigned seconds)
{
	signal(SIGALRM, SIG_DFL);
	alarm(seconds);
}

/*
 * check_storm_start/stop: a thread that sends SIGUSR1 (a handler without SA_RESTART that only
 * counts) to the calling thread over and over, so that the calls made between the two meet a
 * pending signal at every point. A call that never blocks must not fail with EINTR for it.
 * Returns 0 when the storm is on; stop returns how many signals the caller handled.
 */
static volatile int check_storm_on, check_storm_count;
static volatile pid_t check_storm_tid;
static pthread_t check_storm_thread;

static inline void check_storm_handler(int sig)
{
	(void)sig;
	check_storm_count++;
}

static inline void *check_storm_fn(void *arg)
{
	(void)arg;
	while (check_storm_on)
		syscall(SYS_tgkill, getpid(), check_storm_tid, SIGUSR1);
	return NULL;
}

static inline int check_storm_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = check_storm_handler;
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -1;
	check_storm_count = 0;
	check_storm_tid = (pid_t)syscall(SYS_gettid);
	check_storm_on = 1;
	if (pthread_create(&check_storm_thread, NULL, check_storm_fn, NULL) != 0) {
		check_storm_on = 0;
		return -1;
	}
	/* the first signal has arrived: the storm is on */
	while (!check_storm_count)
		sched_yield();
	return 0;
}

static inline int check_storm_stop(void)
{
	check_storm_on = 0;
	pthread_join(check_storm_thread, NULL);
	signal(SIGUSR1, SIG_DFL);
	return check_storm_count;
}

/* One case per kind of call made in a storm: names[k] passes when none of its calls failed
 * (bad[k]: how many failed or came back short; err[k]: the last errno, 0 for short) and the
 * storm's signals did arrive. */
static inline void check_storm_report(const char *const names[], const int bad[], const int err[],
				      int kinds, int signals)
{
	for (int k = 0; k < kinds; k++)
		CHECK(names[k], !bad[k] && signals > 0, "%d short or failed (%s)", bad[k],
		      check_errname(err[k]));
}

/*
 * check_rounds_left: for a loop of up to `max` rounds that must also fit any host (an emulator,
 * a VM under TCG): true while round i is under max and, past `min` rounds, the loop has run for
 * less than `budget_ms` since *t0 (set on round 0).
 */
static inline int check_rounds_left(int i, int min, int max, long budget_ms, struct timespec *t0)
{
	struct timespec now;

	if (i == 0)
		clock_gettime(CLOCK_MONOTONIC, t0);
	if (i >= max)
		return 0;
	if (i < min)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000 < budget_ms;
}

/* A child that waits until the pipe *wfd (the write end, the caller's) is closed, then exits 0. */
static inline pid_t check_child_waiting(int *wfd)
{
	int p[2];
	pid_t pid;
	char c;

	*wfd = -1;
	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

#endif /* LXRUN_TESTS_SYSCALLS_CHECK_H */
