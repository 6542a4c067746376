/* SPDX-License-Identifier: MIT */
/* A program lxrun answers differently on purpose: lxrun diff must point at its clock_adjtime. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

/*
 * Translate mode has no clock_adjtime (ENOSYS; the syscall suite's timers family lists it as a
 * gap): if it ever gains one, pick another gap here. The file and the writes before it are the
 * same everywhere, so the first difference is that call.
 */
int main(void)
{
	struct timex tx = {0};
	int fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long r;

	if (fd < 0 || write(fd, "same\n", 5) != 5 || close(fd))
		return 2;
	r = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
	printf("clock_adjtime: %s\n", r >= 0 ? "ok" : "failed");
	return r < 0;
}
