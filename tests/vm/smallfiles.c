/* SPDX-License-Identifier: MIT */
/* Small-file workload for the vm benchmarks: N x 4 KiB create, stat, read, delete, timed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "smallfiles: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	const char *dir = argc > 2 ? argv[2] : "smallfiles.d";
	char buf[4096], path[4200];
	double t0, t[4];
	struct stat st;
	int i, fd;

	memset(buf, 'x', sizeof(buf));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("mkdir", dir);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf) || close(fd) < 0)
			die("create", path);
	}
	t[0] = now_ms() - t0;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		if (stat(path, &st) < 0 || st.st_size != sizeof(buf))
			die("stat", path);
	}
	t[1] = now_ms() - t0;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != sizeof(buf) || close(fd) < 0)
			die("read", path);
	}
	t[2] = now_ms() - t0;
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		if (unlink(path) < 0)
			die("unlink", path);
	}
	t[3] = now_ms() - t0;
	rmdir(dir);
	printf("create %.0f stat %.0f read %.0f delete %.0f\n", t[0], t[1], t[2], t[3]);
	return 0;
}
