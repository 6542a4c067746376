/* SPDX-License-Identifier: MIT */
/*
 * The calls translate mode's TLS-free fast path serves (translator/fastpath.c): stat, lstat,
 * newfstatat and close, in the cases it serves and the ones it must leave to the ordinary path
 * (bad pointers, bad flags, lxrun's own mounts at, above or below the cwd). Prints one line per
 * case (the file type and size, or the errno); tests/translator/fastpath_diff.sh compares them
 * with a native run. "handlers" as argv[1]: with guest signal handlers installed first.
 * Run in an empty directory that has a subdirectory t (a --tmpfs mount under lxrun).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The calls are made from sites of the shape the rewrite engine patches (mov $nr,%eax;
 * syscall), each one a few times first (warm()), so that under the rewrite engine they reach
 * the fast path through the patched site and not only through SUD traps.
 */
#define SITE(name, nr)                                                                        \
	static long name(long a, long b, long c, long d)                                      \
	{                                                                                     \
		long r;                                                                       \
		register long r10 __asm__("r10") = d;                                         \
		__asm__ volatile("mov %[n], %%eax\n\tsyscall"                                 \
				 : "=a"(r)                                                    \
				 : [n] "i"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)              \
				 : "rcx", "r11", "memory");                                   \
		if (r < 0 && r > -4096) {                                                     \
			errno = (int)-r;                                                      \
			return -1;                                                            \
		}                                                                             \
		return r;                                                                     \
	}
SITE(site_stat, SYS_stat)
SITE(site_lstat, SYS_lstat)
SITE(site_fstatat, SYS_newfstatat)
SITE(site_close, SYS_close)
SITE(site_open, SYS_open)
SITE(site_openat, SYS_openat)
#define sys_stat(p, st) site_stat((long)(p), (long)(st), 0, 0)
#define sys_lstat(p, st) site_lstat((long)(p), (long)(st), 0, 0)
#define sys_fstatat(d, p, st, f) site_fstatat((long)(d), (long)(p), (long)(st), (long)(f))
#define sys_close(fd) site_close((long)(fd), 0, 0, 0)
#define sys_open(p, fl) site_open((long)(p), (long)(fl), 0, 0)
#define sys_openat(d, p, fl, m) site_openat((long)(d), (long)(p), (long)(fl), (long)(m))

/* each site's first traps: the rewrite engine patches a site on its second */
static void warm(void)
{
	struct stat st;
	for (int i = 0; i < 4; i++) {
		sys_stat(".", &st);
		sys_lstat(".", &st);
		sys_fstatat(AT_FDCWD, ".", &st, 0);
		sys_close(sys_open(".", O_RDONLY));
		sys_close(sys_openat(AT_FDCWD, ".", O_RDONLY, 0));
	}
}

static const char *type(mode_t m)
{
	return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISCHR(m) ? "chr"
	       : "other";
}

static void show(const char *name, long r, const struct stat *st, int size)
{
	if (r < 0)
		printf("%s: %s\n", name, strerrorname_np(errno));
	else if (size)
		printf("%s: %s %lld\n", name, type(st->st_mode), (long long)st->st_size);
	else
		printf("%s: %s\n", name, type(st->st_mode));
}

/* every form of the call: stat(2), lstat(2), newfstatat(2) */
static void stats(const char *name, const char *path, int size)
{
	struct stat st;
	char n[128];
	snprintf(n, sizeof(n), "stat %s", name);
	show(n, sys_stat(path, &st), &st, size);
	snprintf(n, sizeof(n), "lstat %s", name);
	show(n, sys_lstat(path, &st), &st, size);
	snprintf(n, sizeof(n), "fstatat %s", name);
	show(n, sys_fstatat(AT_FDCWD, path, &st, 0), &st, size);
	snprintf(n, sizeof(n), "fstatat-nofollow %s", name);
	show(n, sys_fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW), &st, size);
}

static void on_signal(int sig)
{
	(void)sig;
}

static void say(const char *name, long r)
{
	if (r < 0)
		printf("%s: %s\n", name, strerrorname_np(errno));
	else
		printf("%s: %ld\n", name, r);
}

static void closes(void)
{
	int fd = sys_open("d/f", O_RDONLY);
	say("close", sys_close(fd));
	say("close again", sys_close(fd));
	say("close -1", sys_close(-1));
	say("close 100000", sys_close(100000));
	say("open after close reuses", sys_open("d/f", O_RDONLY) == fd);
	sys_close(fd);
	/* the last reference goes: the pipe's reader sees EOF */
	int p[2];
	if (pipe(p) < 0)
		return;
	int w = dup(p[1]);
	say("close write end", sys_close(p[1]));
	say("write through dup", write(w, "x", 1));
	say("close dup", sys_close(w));
	char c[2];
	say("read x", read(p[0], c, 2));
	say("read eof", read(p[0], c, 2));
	say("close read end", sys_close(p[0]));
	say("write closed fd", write(w, "x", 1));
	/* many opens and closes: the released files are freed later, none is lost or reused */
	for (int i = 0; i < 1000; i++) {
		int a = sys_open("d/f", O_RDONLY), b = sys_open("d/f", O_RDONLY);
		if (a < 0 || b < 0 || sys_close(b) || sys_close(a)) {
			say("open/close loop", -1);
			return;
		}
	}
	say("open/close loop", 0);
}

/* an open's result: the errno, or what the new fd is (lowest free? flags, cloexec, name) */
static void opened(const char *name, long fd, int expect)
{
	if (fd < 0) {
		printf("%s: %s\n", name, strerrorname_np(errno));
		return;
	}
	char link[64], target[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%ld", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	const char *base = strrchr(target, '/');
	printf("%s: %s fl %#x fd %#x %s\n", name, fd == expect ? "lowest" : "other",
	       fcntl((int)fd, F_GETFL), fcntl((int)fd, F_GETFD), base ? base + 1 : target);
	sys_close(fd);
}

static void *idle(void *arg)
{
	return arg;
}

static void opens(int threads)
{
	int low = dup(0);
	close(low);
	opened("open d/f", sys_open("d/f", O_RDONLY), low);
	opened("openat d/f rdwr cloexec", sys_openat(AT_FDCWD, "d/f", O_RDWR | O_CLOEXEC, 0), low);
	opened("open d/f append nonblock", sys_open("d/f", O_WRONLY | O_APPEND | O_NONBLOCK), low);
	opened("open d/l nofollow", sys_open("d/l", O_RDONLY | O_NOFOLLOW), low);
	opened("open d/l", sys_open("d/l", O_RDONLY), low);
	opened("open d directory", sys_open("d", O_RDONLY | O_DIRECTORY), low);
	opened("open d/f directory", sys_open("d/f", O_RDONLY | O_DIRECTORY), low);
	opened("open d/dangling", sys_open("d/dangling", O_RDONLY), low);
	opened("open missing", sys_open("nope", O_RDONLY), low);
	opened("open empty", sys_open("", O_RDONLY), low);
	opened("open NULL", sys_open(NULL, O_RDONLY), low);
	opened("open t/f (a tmpfs under lxrun)", sys_open("t/f", O_RDONLY), low);
	opened("open d/new creat", sys_openat(AT_FDCWD, "d/new", O_WRONLY | O_CREAT, 0600), low);
	opened("open d/new trunc", sys_open("d/new", O_WRONLY | O_TRUNC), low);
	opened("openat dirfd", sys_openat(low - 1, "f", O_RDONLY, 0), low);
	mkfifo("d/fifo", 0600);
	opened("open fifo nonblock", sys_open("d/fifo", O_RDONLY | O_NONBLOCK), low);
	/* a hole below: the lowest free fd is taken */
	int a = sys_open("d/f", O_RDONLY), b = sys_open("d/f", O_RDONLY);
	sys_close(a);
	opened("open into a hole", sys_open("d/f", O_RDONLY), a);
	sys_close(b);
	if (threads) {
		pthread_t th;
		if (pthread_create(&th, NULL, idle, NULL) == 0)
			pthread_join(th, NULL);
		opened("open after a thread", sys_open("d/f", O_RDONLY), low);
	}
	/* out of fds: EMFILE (the table has free slots, the limit does not) */
	struct rlimit old, rl;
	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	rl.rlim_cur = (rlim_t)low + 1;
	setrlimit(RLIMIT_NOFILE, &rl);
	int x = sys_open("d/f", O_RDONLY);
	opened("open past RLIMIT_NOFILE", sys_open("d/f", O_RDONLY), low);
	sys_close(x);
	setrlimit(RLIMIT_NOFILE, &old);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "handlers")) {
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(SIGUSR1, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);
	}
	warm();
	int here = open(".", O_RDONLY | O_DIRECTORY);
	mkdir("d", 0755);
	int fd = open("d/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (here < 0 || fd < 0 || write(fd, "hello", 5) != 5)
		return 1;
	close(fd);
	symlink("f", "d/l");
	symlink("missing", "d/dangling");
	fd = open("t/f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "abc", 3) != 3)
		return 1;
	close(fd);

	stats("d/f", "d/f", 1);
	stats("d/l", "d/l", 1);
	stats("d/dangling", "d/dangling", 1);
	stats("d/f/x", "d/f/x", 1);
	stats("missing", "nope", 1);
	stats("empty", "", 1);
	stats("./d/../d/f", "./d/../d/f", 1);
	stats("d//f", "d//f", 1);
	stats("d/./f/", "d/./f/", 1);
	stats("t/f (a tmpfs under lxrun)", "t/f", 1);
	stats("NULL", NULL, 1);

	struct stat st;
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(ro, "d/f");
	mprotect(ro, 4096, PROT_READ);
	show("stat unmapped path", sys_stat(none, &st), &st, 1);
	show("stat path read-only page", sys_stat(ro, &st), &st, 1);
	show("stat buffer NULL", sys_stat("d/f", NULL), &st, 1);
	show("stat buffer read-only", sys_stat("d/f", ro), &st, 1);
	show("fstatat bad flags", sys_fstatat(AT_FDCWD, "d/f", &st, 0x8000), &st, 1);
	show("fstatat empty path", sys_fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH), &st, 1);
	show("fstatat dirfd", sys_fstatat(here, "d/f", &st, 0), &st, 1);
	char *lng = malloc(5000);
	memset(lng, 'a', 4999);
	lng[4999] = 0;
	show("stat long path", sys_stat(lng, &st), &st, 1);
	/* a path that runs into an unmapped page before its NUL: EFAULT */
	char *edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(edge, 'a', 4096);
	munmap(edge + 4096, 4096);
	show("stat path without NUL before unmapped", sys_stat(edge, &st), &st, 1);

	/* cwd inside lxrun's tmpfs, at "/", in /proc and /dev: their names are lxrun's */
	if (chdir("t") == 0) {
		stats("f (cwd a tmpfs)", "f", 1);
		if (fchdir(here) < 0)
			return 1;
	}
	if (chdir("/") == 0) {
		stats("dev/null (cwd /)", "dev/null", 0);
		show("lstat proc/self/exe (cwd /)", sys_lstat("proc/self/exe", &st), &st, 0);
	}
	if (chdir("/proc") == 0)
		show("lstat self/exe (cwd /proc)", sys_lstat("self/exe", &st), &st, 0);
	if (chdir("/dev") == 0)
		stats("null (cwd /dev)", "null", 0);
	if (chdir("/dev/fd") == 0)
		show("stat 0 (cwd /dev/fd)", sys_stat("0", &st), &st, 0);
	if (fchdir(here) < 0)
		return 1;
	stats("d/f (back)", "d/f", 1);
	closes();
	opens(argc > 1 && !strcmp(argv[1], "handlers"));
	return 0;
}
