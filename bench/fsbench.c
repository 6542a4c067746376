/* SPDX-License-Identifier: MIT */
/* bench: file-system phases timed in-process: small files create/stat/read/rename/delete, seq I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIR_NAME "fsbench.d"
#define SEQ_NAME "fsbench.seq"
#define CHUNK	 (1 << 20)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "fsbench: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

static void name(char *out, size_t len, const char *prefix, long i)
{
	snprintf(out, len, DIR_NAME "/%s%06ld", prefix, i);
}

static int small_files(long n)
{
	static char buf[4096];
	char path[64], to[64];
	struct stat st;
	double t;
	long i;
	int fd;

	memset(buf, 'x', sizeof(buf));
	if (mkdir(DIR_NAME, 0755) < 0 && errno != EEXIST)
		return fail("mkdir", DIR_NAME);
	t = now_ns();
	for (i = 0; i < n; i++) {
		name(path, sizeof(path), "f", i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf) || close(fd) < 0)
			return fail("create", path);
	}
	printf("create %.0f\n", now_ns() - t);
	t = now_ns();
	for (i = 0; i < n; i++) {
		name(path, sizeof(path), "f", i);
		if (stat(path, &st) < 0 || st.st_size != sizeof(buf))
			return fail("stat", path);
	}
	printf("stat %.0f\n", now_ns() - t);
	t = now_ns();
	for (i = 0; i < n; i++) {
		name(path, sizeof(path), "f", i);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != sizeof(buf) || close(fd) < 0)
			return fail("read", path);
	}
	printf("read %.0f\n", now_ns() - t);
	t = now_ns();
	for (i = 0; i < n; i++) {
		name(path, sizeof(path), "f", i);
		name(to, sizeof(to), "r", i);
		if (rename(path, to) < 0)
			return fail("rename", path);
	}
	printf("rename %.0f\n", now_ns() - t);
	t = now_ns();
	for (i = 0; i < n; i++) {
		name(path, sizeof(path), "r", i);
		if (unlink(path) < 0)
			return fail("unlink", path);
	}
	printf("delete %.0f\n", now_ns() - t);
	rmdir(DIR_NAME);
	return 0;
}

/* Read the sequential file through once; its fd (still open), or -1 after reporting. */
static int read_seq(char *buf, long mb)
{
	int fd = open(SEQ_NAME, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail("open", SEQ_NAME), -1;
	for (long i = 0; i < mb; i++)
		if (read(fd, buf, CHUNK) != CHUNK)
			return fail("read", SEQ_NAME), -1;
	return fd;
}

static int sequential(long mb)
{
	char *buf = malloc(CHUNK);
	double t;
	int fd;

	if (!buf)
		return 1;
	memset(buf, 'y', CHUNK);
	t = now_ns();
	fd = open(SEQ_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("create", SEQ_NAME);
	for (long i = 0; i < mb; i++)
		if (write(fd, buf, CHUNK) != CHUNK)
			return fail("write", SEQ_NAME);
	if (fsync(fd) < 0 || close(fd) < 0)
		return fail("fsync", SEQ_NAME);
	printf("seq_write %.0f\n", now_ns() - t);
	t = now_ns();
	fd = read_seq(buf, mb);
	if (fd < 0)
		return 1;
	/* The same file out of the page cache: the kernel drops a synced file's clean pages
	 * on POSIX_FADV_DONTNEED, so this read comes from the storage behind the file system
	 * (without root, and on a machine whose RAM the file could never exceed). */
	if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
		return fail("posix_fadvise", SEQ_NAME);
	close(fd);
	printf("seq_read %.0f\n", now_ns() - t);
	t = now_ns();
	fd = read_seq(buf, mb);
	if (fd < 0)
		return 1;
	close(fd);
	printf("seq_read_cold %.0f\n", now_ns() - t);
	unlink(SEQ_NAME);
	free(buf);
	return 0;
}

/* usage: fsbench FILES SEQ_MB: in the current directory; prints "PHASE NS" lines */
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, mb = argc > 2 ? atol(argv[2]) : 64;

	if (n < 1 || mb < 1) {
		fprintf(stderr, "usage: fsbench FILES SEQ_MB\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return small_files(n) || sequential(mb);
}
