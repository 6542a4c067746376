/* SPDX-License-Identifier: MIT */
/* aio.c: coverage for Linux native AIO: io_setup, io_submit, io_getevents, io_pgetevents,
 * io_cancel, io_destroy (raw syscalls; struct iocb from <linux/aio_abi.h>). */
#include "check.h"

#include <linux/aio_abi.h>
#include <sys/eventfd.h>

static long k_setup(unsigned nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long k_submit(aio_context_t ctx, long nr, struct iocb **list)
{
	return syscall(SYS_io_submit, ctx, nr, list);
}

static long k_getevents(aio_context_t ctx, long min, long nr, struct io_event *ev,
			struct timespec *ts)
{
	return syscall(SYS_io_getevents, ctx, min, nr, ev, ts);
}

static void prep(struct iocb *cb, int op, int fd, void *buf, size_t n, long long off)
{
	memset(cb, 0, sizeof(*cb));
	cb->aio_lio_opcode = (uint16_t)op;
	cb->aio_fildes = (uint32_t)fd;
	cb->aio_buf = (uint64_t)(uintptr_t)buf;
	cb->aio_nbytes = n;
	cb->aio_offset = off;
	cb->aio_data = 0x1234;
}

/* The /proc/self/maps line that starts at addr, copied to line; 0, or -1 if there is none. */
static int maps_line_at(unsigned long addr, char *line, size_t size)
{
	static char buf[1 << 17];
	char *l, *save = NULL;

	if (check_read_file("/proc/self/maps", buf, sizeof(buf)) <= 0)
		return -1;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strtoul(l, NULL, 16) == addr) {
			snprintf(line, size, "%s", l);
			return 0;
		}
	}
	return -1;
}

static void test_setup_destroy(void)
{
	aio_context_t ctx = 0, busy = 1;
	char line[512] = "";

	CHECK_ERR("io_setup.zero_events", k_setup(0, &ctx), EINVAL);
	CHECK_ERR("io_setup.ctx_not_zero", k_setup(1, &busy), EINVAL);
	CHECK_ERR("io_setup.efault", syscall(SYS_io_setup, 1, BADPTR), EFAULT);
	CHECK_SYS("io_setup.ok", k_setup(4, &ctx));
	CHECK("io_setup.ctx_set", ctx != 0, "ctx %llu", (unsigned long long)ctx);
	/* the ring is a shared mapping of an unlinked file of the aio filesystem, never
	 * executable (CVE-2016-10044), and io_destroy unmaps it */
	CHECK("io_setup.ring_in_maps", maps_line_at(ctx, line, sizeof(line)) == 0 &&
	      strstr(line, " rw-s ") && strstr(line, "/[aio] (deleted)"), "line \"%s\"", line);
	CHECK_SYS("io_destroy.ok", syscall(SYS_io_destroy, ctx));
	CHECK("io_destroy.ring_unmapped", maps_line_at(ctx, line, sizeof(line)) < 0,
	      "line \"%s\"", line);
	CHECK_ERR("io_destroy.gone", syscall(SYS_io_destroy, ctx), EINVAL);
	CHECK_ERR("io_submit.bad_ctx", k_submit(ctx, 0, NULL), EINVAL);
}

static void test_io(void)
{
	const char *path = check_path("aio");
	char buf[16] = {0};
	struct iocb cb, *list[1] = {&cb};
	struct io_event ev[2];
	struct timespec ts = {5, 0};
	aio_context_t ctx = 0;
	int fd, tmp, efd;
	uint64_t count = 0;

	check_write_file(path, "0123456789", 10);
	/* fd 40: a number of its own, so that a wrong fd in the iocb would show */
	fd = dup2(tmp = open(path, O_RDWR), 40);
	close(tmp);
	k_setup(8, &ctx);
	CHECK_ERR("io_submit.nr_negative", k_submit(ctx, -1, list), EINVAL);
	CHECK_EQ("io_submit.nr_zero", k_submit(ctx, 0, list), 0);

	prep(&cb, IOCB_CMD_PWRITE, fd, "abc", 3, 2);
	CHECK_EQ("io_submit.pwrite", k_submit(ctx, 1, list), 1);
	memset(ev, 0, sizeof(ev));
	CHECK_EQ("io_getevents.one", k_getevents(ctx, 1, 2, ev, &ts), 1);
	CHECK("io_getevents.event", ev[0].obj == (uint64_t)(uintptr_t)&cb &&
	      ev[0].data == 0x1234 && ev[0].res == 3, "obj %#llx data %#llx res %lld",
	      (unsigned long long)ev[0].obj, (unsigned long long)ev[0].data, (long long)ev[0].res);
	CHECK_EQ("io_submit.iocb_fd_kept", cb.aio_fildes, 40);
	pread(fd, buf, 10, 0);
	CHECK_STR("io_submit.pwrite_data", buf, "01abc56789");

	memset(buf, 0, sizeof(buf));
	prep(&cb, IOCB_CMD_PREAD, fd, buf, 4, 1);
	k_submit(ctx, 1, list);
	CHECK_EQ("io_getevents.pread", k_getevents(ctx, 1, 1, ev, &ts), 1);
	CHECK_STR("io_submit.pread_data", buf, "1abc");

	/* IOCB_FLAG_RESFD: the completion also counts on an eventfd. */
	efd = dup2(tmp = eventfd(0, 0), 41);
	close(tmp);
	prep(&cb, IOCB_CMD_PREAD, fd, buf, 1, 0);
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = (uint32_t)efd;
	k_submit(ctx, 1, list);
	k_getevents(ctx, 1, 1, ev, &ts);
	CHECK("io_submit.resfd", read(efd, &count, 8) == 8 && count == 1, "count %llu",
	      (unsigned long long)count);
	close(efd);

	prep(&cb, IOCB_CMD_PREAD, check_closed_fd(), buf, 1, 0);
	CHECK_ERR("io_submit.ebadf", k_submit(ctx, 1, list), EBADF);
	CHECK_ERR("io_submit.efault_list", k_submit(ctx, 1, BADPTR), EFAULT);
	prep(&cb, 99, fd, buf, 1, 0);
	CHECK_ERR("io_submit.bad_opcode", k_submit(ctx, 1, list), EINVAL);

	CHECK_ERR("io_getevents.min_above_nr", k_getevents(ctx, 2, 1, ev, &ts), EINVAL);
	ts = (struct timespec){0, 10000000};
	CHECK_EQ("io_getevents.timeout", k_getevents(ctx, 1, 1, ev, &ts), 0);
	{
		/* struct __aio_sigset with a wrong size: EINVAL */
		uint64_t mask = 0;
		struct {
			const void *mask;
			size_t size;
		} us = {&mask, 4};

		CHECK_ERR("io_pgetevents.bad_sigset_size",
			  syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &ts, &us), EINVAL);
		us.size = 8;
		CHECK_EQ("io_pgetevents.timeout", syscall(SYS_io_pgetevents, ctx, 1, 1, ev, &ts, &us),
			 0);
	}
	/* nothing in flight: cancelling a finished request is EINVAL */
	prep(&cb, IOCB_CMD_PREAD, fd, buf, 1, 0);
	k_submit(ctx, 1, list);
	k_getevents(ctx, 1, 1, ev, NULL);
	CHECK_ERR("io_cancel.not_in_flight", syscall(SYS_io_cancel, ctx, &cb, ev), EINVAL);
	syscall(SYS_io_destroy, ctx);
	close(fd);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	check_watchdog(30);
	test_setup_destroy();
	test_io();
	return check_done();
}
