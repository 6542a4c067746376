/* SPDX-License-Identifier: MIT */
/* Signals against patched syscall sites: handlers run between patched syscalls (and make
 * their own), SA_RESTART restarts an interrupted patched read, and without it the read fails
 * with EINTR. The register probe runs throughout, so a frame built from the wrong state shows. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "rewrite_probe.h"

static volatile sig_atomic_t ticks, wrote;
static int pipefd[2];

static long site_getppid(void)
{
	long r;
	__asm__ volatile("mov $110, %%eax\n\tsyscall" : "=a"(r) : : "rcx", "r11", "memory");
	return r;
}

static long site_read(int fd, void *buf, size_t n)
{
	long r;
	__asm__ volatile("mov $0, %%eax\n\tsyscall"
			 : "=a"(r)
			 : "D"((long)fd), "S"(buf), "d"(n)
			 : "rcx", "r11", "memory");
	return r;
}

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
	/* The handler's own patched syscall, and vector registers the interrupted code must
	 * get back untouched. */
	volatile double x = 1.5;
	__asm__ volatile("pxor %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1" ::: "xmm0", "xmm1");
	if (site_getppid() != getppid())
		_exit(3);
	x *= (double)ticks;
}

static void on_alarm_write(int sig)
{
	(void)sig;
	/* The second alarm feeds the pipe; the first only interrupts the read. */
	if (++wrote == 2 && write(pipefd[1], "x", 1) != 1)
		_exit(4);
}

static void timer(long usec)
{
	struct itimerval it = {{0, usec}, {0, usec}};
	setitimer(ITIMER_REAL, &it, NULL);
}

/* A patched read interrupted by a signal: restarted with SA_RESTART, EINTR without. */
static int interrupted_read(int restart)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm_write;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	if (pipe(pipefd) < 0)
		return 1;
	char c;
	site_read(pipefd[0], &c, 0); /* patch the site first (a zero-length read returns 0) */
	wrote = 0;
	timer(20000);
	long r = site_read(pipefd[0], &c, 1);
	timer(0);
	close(pipefd[0]);
	close(pipefd[1]);
	int ok = restart ? r == 1 && c == 'x' : r == -EINTR;
	printf("read %s SA_RESTART: %s\n", restart ? "with" : "without", ok ? "ok" : "WRONG");
	if (!ok)
		fprintf(stderr, "read returned %ld\n", r);
	return !ok;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	static struct rw_probe p;
	unsigned level = rw_probe_level();
	long pid = getpid();
	int bad = 0;
	/* A tick every 50 us natively; where a trap costs more (a slow engine, a host where a
	 * syscall costs ~1 us and an FS switch ~4 us) every tick would find the previous one
	 * still running: scale the period to 20 measured traps. */
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 200; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &t);
	long trap_ns = ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec)) / 200;
	long period = trap_ns * 20 / 1000;
	timer(period > 50 ? period : 50);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long rounds = 0;
	do {
		rw_probe_fill(&p, (uint64_t)rounds * 31 + 7, level);
		rw_probe(&p);
		bad += rw_probe_check(&p, pid, "probe under signals");
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!bad && (ticks < 300 || rounds < 20000) &&
		 (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 3000000000L);
	timer(0);
	/* A host under load may deliver fewer ticks; what matters is that some arrived. */
	printf("probe under signals: %s, %s\n", bad ? "MISMATCH" : "all preserved",
	       ticks >= 10 ? "signals arrived" : "TOO FEW SIGNALS");
	bad += ticks < 10;
	bad += interrupted_read(1);
	bad += interrupted_read(0);
	return bad ? 1 : 0;
}
