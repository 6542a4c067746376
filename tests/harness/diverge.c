/* SPDX-License-Identifier: MIT */
/* A program lxrun answers differently on purpose: lxrun diff must point at its io_setup. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <linux/aio_abi.h>
#include <unistd.h>

/*
 * Translate mode has no Linux AIO (io_setup is ENOSYS; `lxrun syscalls` lists it at none): if it
 * ever gains it, pick another gap here. The file and the writes before it are the same
 * everywhere, so the first difference is that call.
 */
int main(void)
{
	aio_context_t ctx = 0;
	int fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long r;

	if (fd < 0 || write(fd, "same\n", 5) != 5 || close(fd))
		return 2;
	r = syscall(SYS_io_setup, 1, &ctx);
	printf("io_setup: %s\n", r >= 0 ? "ok" : "failed");
	if (r >= 0)
		syscall(SYS_io_destroy, ctx);
	return r < 0;
}
