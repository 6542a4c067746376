/* SPDX-License-Identifier: MIT */
/* bench: ns per syscall (getppid, open+close, stat, read, write) and per fork+exec+wait,
 * in-process. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_NAME "syscall_loop.dat"

/* The shape the rewrite engine patches: mov $nr,%eax immediately before syscall. */
static inline long raw_getppid(void)
{
	long r;

	__asm__ volatile("mov $110, %%eax\n\tsyscall" : "=a"(r) : : "rcx", "r11", "memory");
	return r;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static char *self;
static char buf[4096];
static int fd_file, fd_null;

static int op_getppid(void)
{
	static long ppid;

	if (!ppid)
		ppid = raw_getppid();
	return raw_getppid() == ppid ? 0 : -1;
}

static int op_open_close(void)
{
	int fd = open(FILE_NAME, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -1 : close(fd);
}

static int op_stat(void)
{
	struct stat st;

	return stat(FILE_NAME, &st);
}

static int op_read(void)
{
	return pread(fd_file, buf, sizeof(buf), 0) == sizeof(buf) ? 0 : -1;
}

static int op_write(void)
{
	return write(fd_null, buf, sizeof(buf)) == sizeof(buf) ? 0 : -1;
}

static int op_spawn(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		execl(self, self, "noop", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Run op in batches until budget_ms has passed; print "name ns-per-op". The first call is
 * not timed (the rewrite engine patches a site on its early traps). */
static int measure(const char *name, int (*op)(void), double budget_ms)
{
	double t0, t, end;
	long n = 0, batch = 1;

	if (op() < 0) {
		perror(name);
		return 1;
	}
	t0 = now_ns();
	end = t0 + budget_ms * 1e6;
	do {
		for (long i = 0; i < batch; i++)
			if (op() < 0) {
				perror(name);
				return 1;
			}
		n += batch;
		if (batch < 4096)
			batch *= 2;
		t = now_ns();
	} while (t < end);
	printf("%s %.1f\n", name, (t - t0) / (double)n);
	return 0;
}

/* count OP N: OP exactly N times, untimed (bench/cpu.sh measures the CPU time around it) */
static int count(const char *name, long n)
{
	static const struct {
		const char *name;
		int (*op)(void);
	} ops[] = {{"getppid", op_getppid}, {"open_close", op_open_close}, {"stat", op_stat},
		   {"spawn", op_spawn}};
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(name, ops[i].name))
			continue;
		for (long k = 0; k < n; k++)
			if (ops[i].op() < 0) {
				perror(name);
				return 1;
			}
		return 0;
	}
	fprintf(stderr, "syscall_loop: unknown op '%s'\n", name);
	return 2;
}

/* usage: syscall_loop syscalls BUDGET_MS | spawn BUDGET_MS | count OP N | noop
 * prints "NAME NS" lines: ns per call, over BUDGET_MS of calls each */
int main(int argc, char **argv)
{
	double budget = argc > 2 ? atof(argv[2]) : 200;
	int err = 0;

	self = argv[0];
	if (argc > 1 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc > 3 && !strcmp(argv[1], "count")) {
		fd_file = open(FILE_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd_file < 0) {
			perror(FILE_NAME);
			return 1;
		}
		int r = count(argv[2], atol(argv[3]));
		unlink(FILE_NAME);
		return r;
	}
	if (argc < 2 || budget <= 0) {
		fprintf(stderr, "usage: syscall_loop syscalls|spawn BUDGET_MS\n");
		return 2;
	}
	if (!strcmp(argv[1], "spawn"))
		return measure("fork_exec", op_spawn, budget);
	if (strcmp(argv[1], "syscalls")) {
		fprintf(stderr, "syscall_loop: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	fd_file = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fd_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd_file < 0 || fd_null < 0 || write(fd_file, buf, sizeof(buf)) != sizeof(buf)) {
		perror(FILE_NAME);
		return 1;
	}
	err |= measure("getppid", op_getppid, budget);
	err |= measure("open_close", op_open_close, budget);
	err |= measure("stat", op_stat, budget);
	err |= measure("read_4k", op_read, budget);
	err |= measure("write_4k", op_write, budget);
	close(fd_file);
	unlink(FILE_NAME);
	return err;
}
