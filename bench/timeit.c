/* SPDX-License-Identifier: MIT */
/* bench: run a command N times (stdin and stdout /dev/null) and print its wall time in µs. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* usage: timeit [-o FILE] RUNS COMMAND [ARGS...]: prints "MEDIAN MIN MAX" (µs); exit 1 if
 * any run exits non-zero (the command's stderr is left visible for that). stdout goes to FILE
 * (truncated for each run), /dev/null without -o: GNU grep, for one, stops at the first match
 * when its output is /dev/null. One untimed warm-up run fills the page cache first. */
int main(int argc, char **argv)
{
	const char *out = "/dev/null";
	if (argc > 2 && argv[1][0] == '-' && argv[1][1] == 'o') {
		out = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3)
		return 2;
	int runs = atoi(argv[1]);
	if (runs < 1 || runs > 1000)
		return 2;
	double *t = calloc((size_t)runs, sizeof(*t));
	if (!t)
		return 2;
	for (int r = -1; r < runs; r++) {
		double t0 = now_us();
		pid_t pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			int in = open("/dev/null", O_RDONLY);
			int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (in < 0 || o < 0)
				_exit(126);
			dup2(in, 0);
			dup2(o, 1);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		int st;
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "timeit: %s failed (status %#x)\n", argv[2], st);
			return 1;
		}
		if (r >= 0)
			t[r] = now_us() - t0;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp);
	printf("%.1f %.1f %.1f\n", t[runs / 2], t[0], t[runs - 1]);
	return 0;
}
