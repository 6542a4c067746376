/* SPDX-License-Identifier: MIT */
/* bench: ns per getppid round trip, timed inside the process with clock_gettime (vDSO). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* usage: syscall_loop [CALLS [REPEATS]]: prints "getppid_ns MEDIAN MIN MAX" */
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int reps = argc > 2 ? atoi(argv[2]) : 9;
	double t[64];
	if (reps < 1 || reps > 64 || n < 1)
		return 2;
	long ppid = raw_getppid(); /* the first call traps and patches; not timed */
	for (int r = 0; r < reps; r++) {
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			if (raw_getppid() != ppid)
				return 1;
		t[r] = (now_ns() - t0) / (double)n;
	}
	qsort(t, (size_t)reps, sizeof(t[0]), cmp);
	printf("getppid_ns %.1f %.1f %.1f\n", t[reps / 2], t[0], t[reps - 1]);
	return 0;
}
