/* SPDX-License-Identifier: MIT */
/* Test helpers: observe native execve(2) through ptrace, and run loader-loaded images in a child. */
#include "tests/loader/native.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_limits(void)
{
	struct rlimit rl = { NATIVE_STACK_RLIMIT, NATIVE_STACK_RLIMIT };

	setrlimit(RLIMIT_STACK, &rl);
}

int maps_read(const char *file, uint64_t lo, uint64_t hi, struct native_map *maps, int max)
{
	char line[4096];
	FILE *f = fopen(file, "r");
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct native_map m = { 0 };
		unsigned long long s, e, off;
		char perms[8], dev[32];
		unsigned long inode;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %31s %lu %n", &s, &e, perms, &off, dev, &inode,
			   &pos) < 6)
			continue;
		if (e <= lo || s >= hi)
			continue;
		m.start = s;
		m.end = e;
		m.offset = off;
		memcpy(m.perms, perms, 4);
		m.anon = inode == 0;
		maps[n++] = m;
	}
	fclose(f);
	return n;
}

static void read_auxv(pid_t pid, struct native_exec *out)
{
	char path[64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, out->auxv, sizeof(out->auxv));
	close(fd);
	out->nauxv = n > 0 ? n / 16 : 0;
}

void native_exec(const char *path, char *const argv[], char *const envp[], struct native_exec *out)
{
	int p[2], st, e;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_limits();
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		execve(path, argv, envp);
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	waitpid(pid, &st, 0);
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	ptrace(PTRACE_CONT, pid, 0, 0);
	for (;;) {
		if (waitpid(pid, &st, 0) < 0)
			abort();
		if (WIFSTOPPED(st) && (st >> 8) == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			struct user_regs_struct regs;
			char maps[64];

			out->kind = NATIVE_EXEC;
			if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0) {
				out->rip = regs.rip;
				out->rsp = regs.rsp;
			}
			read_auxv(pid, out);
			snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
			out->nmaps = maps_read(maps, 0, UINT64_MAX, out->maps, 64);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		if (WIFSTOPPED(st)) {
			ptrace(PTRACE_CONT, pid, 0, WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st));
			continue;
		}
		if (WIFSIGNALED(st)) {
			out->kind = NATIVE_FATAL;
			out->err = WTERMSIG(st);
			break;
		}
		out->kind = NATIVE_ERRNO;
		out->err = read(p[0], &e, sizeof(e)) == sizeof(e) ? e : -1;
		break;
	}
	close(p[0]);
}

uint64_t native_auxv(const struct native_exec *n, uint64_t key)
{
	for (int i = 0; i < n->nauxv; i++)
		if (n->auxv[i][0] == key)
			return n->auxv[i][1];
	return 0;
}

static int capture(pid_t pid, int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int st;

	while (got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fd);
	waitpid(pid, &st, 0);
	return st;
}

int native_run(const char *path, char *const argv[], char *const envp[], char *buf, size_t size)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		child_limits();
		execve(path, argv, envp);
		_exit(127);
	}
	close(p[1]);
	return capture(pid, p[0], buf, size);
}

int loaded_run(const char *path, char *const argv[], char *const envp[], char *buf, size_t size)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		static struct loader_result r;
		int err;

		close(p[0]);
		dup2(p[1], 1);
		err = loader_exec(loader_host_mapper(), NULL, path, argv, envp, &r, NULL);
		if (err)
			_exit(100 - err);
		/* rdx = 0: no rtld_fini for the program to register. */
		__asm__ volatile("mov %0, %%rsp\n\txor %%edx, %%edx\n\tjmp *%1"
				 : : "c"(r.sp), "a"(r.entry) : "memory");
		__builtin_unreachable();
	}
	close(p[1]);
	return capture(pid, p[0], buf, size);
}

void loaded_unmap(const struct loader_result *r)
{
	if (r->prog.end > r->prog.start)
		munmap((void *)r->prog.start, r->prog.end - r->prog.start);
	if (r->has_interp && r->interp.end > r->interp.start)
		munmap((void *)r->interp.start, r->interp.end - r->interp.start);
	if (r->stack_hi > r->stack_lo)
		munmap((void *)r->stack_lo, r->stack_hi - r->stack_lo);
}

static char dir[64];
static pid_t dir_owner;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void dir_cleanup(void)
{
	if (dir[0] && getpid() == dir_owner)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *test_dir(void)
{
	if (!dir[0] || dir_owner != getpid()) {
		strcpy(dir, "/tmp/lxl.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		dir_owner = getpid();
		atexit(dir_cleanup);
	}
	return dir;
}

/* LOADER_SEED_DIR=dir: keep a copy of every test input there (the fuzzer's seed corpus). */
static void seed_save(const char *name, const void *data, size_t size)
{
	const char *dir_env = getenv("LOADER_SEED_DIR");
	char *path;
	int fd;

	if (!dir_env || asprintf(&path, "%s/%d-%s", dir_env, getpid(), name) < 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, data, size) < 0)
			unlink(path);
		close(fd);
	}
	free(path);
}

char *test_file(const char *name, const void *data, size_t size, int mode)
{
	char *path;
	int fd;

	if (asprintf(&path, "%s/%s", test_dir(), name) < 0)
		abort();
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	fchmod(fd, mode);
	close(fd);
	seed_save(name, data, size);
	return path;
}

void *file_slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		abort();
	fclose(f);
	*size = n;
	return buf;
}
