/* SPDX-License-Identifier: MIT */
/* A guest program that exercises what static glibc start-up and simple tools need. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* Usage: basic EXIT_CODE [ARGS...]: echoes its arguments, environment probe, file and memory
 * checks, then exits with EXIT_CODE. Everything printed is deterministic. */
int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=\"%s\"\n", i, argv[i]);
	const char *v = getenv("LXRUN_TEST_VAR");
	printf("env LXRUN_TEST_VAR=%s\n", v ? v : "(unset)");

	/* Small and large allocations: brk and mmap paths. */
	char *small = malloc(100);
	char *big = malloc(8 << 20);
	if (!small || !big)
		return 90;
	memset(big, 0xab, 8 << 20);
	unsigned sum = 0;
	for (size_t i = 0; i < (8u << 20); i += 4096)
		sum += (unsigned char)big[i];
	printf("big sum=%u\n", sum);
	free(big);
	free(small);

	/* Files: read this program's own first bytes, a missing file, errno. */
	int fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		fd = open(argv[0], O_RDONLY);
	char hdr[4] = {0};
	if (fd >= 0 && read(fd, hdr, 4) == 4)
		printf("self magic=%02x %c%c%c\n", (unsigned char)hdr[0], hdr[1], hdr[2], hdr[3]);
	if (fd >= 0)
		close(fd);
	errno = 0;
	int bad = open("/nonexistent/lxrun/file", O_RDONLY);
	printf("missing open=%d errno=%s\n", bad, strerror(errno));
	errno = 0;
	ssize_t w = write(12345, "x", 1);
	printf("bad fd write=%zd errno=%s\n", w, strerror(errno));

	struct utsname u;
	if (uname(&u) == 0)
		printf("sysname=%s machine=%s\n", u.sysname, u.machine);
	struct timespec ts;
	printf("clock ok=%d\n", clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec >= 0);
	printf("pid positive=%d\n", getpid() > 0);

	fprintf(stderr, "to stderr\n");
	int code = argc > 1 ? atoi(argv[1]) : 0;
	fflush(stdout);
	return code;
}
