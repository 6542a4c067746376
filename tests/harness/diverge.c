/* SPDX-License-Identifier: MIT */
/* A program lxrun answers differently on purpose: lxrun diff must point at its io_uring_setup. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>

/*
 * Translate mode has no io_uring (io_uring_setup is ENOSYS; `lxrun syscalls` lists it at none):
 * if it ever gains it, pick another gap here (Linux AIO, the gap used before, is served now). The file and the writes before it are the same
 * everywhere, so the first difference is that call.
 */
int main(void)
{
	unsigned char params[120]; /* struct io_uring_params */
	int fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long r;

	if (fd < 0 || write(fd, "same\n", 5) != 5 || close(fd))
		return 2;
	memset(params, 0, sizeof(params));
	r = syscall(SYS_io_uring_setup, 1, params);
	printf("io_uring_setup: %s\n", r >= 0 ? "ok" : "failed");
	if (r >= 0)
		close((int)r);
	return r < 0;
}
