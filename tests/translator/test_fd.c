/* SPDX-License-Identifier: MIT */
/* The guest fd table: lowest-free allocation, dup semantics, reference counts, limits. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "translator/fd.h"
#include "translator/file_host.h"

static int released;
static void count_release(struct lx_file *f)
{
	(void)f;
	released++;
}
static const struct lx_file_ops counting_ops = {.release = count_release};

Test(fd, lowest_free_and_close)
{
	struct lx_fdtable t;
	cr_assert_eq(lx_fdtable_init(&t), 0);
	struct lx_file *f = lx_file_new(&counting_ops, -1, 0, "x");
	cr_assert_eq(lx_fd_install(&t, f, 0, 0), 0);
	cr_assert_eq(lx_fd_install(&t, f, 0, 0), 1);
	cr_assert_eq(lx_fd_install(&t, f, 0, 1), 2);
	cr_assert_eq(lx_fd_close(&t, 1), 0);
	cr_assert_eq(lx_fd_install(&t, f, 0, 0), 1);
	cr_assert_eq(lx_fd_install(&t, f, 10, 0), 10);
	cr_assert_eq(*lx_fd_cloexec(&t, 2), 1);
	cr_assert_eq(lx_fd_close(&t, 5), -LINUX_EBADF);
	cr_assert_eq(lx_fd_close(&t, -1), -LINUX_EBADF);
	released = 0;
	lx_file_put(f);
	for (int fd = 0; fd <= 10; fd++)
		lx_fd_close(&t, fd);
	cr_assert_eq(released, 1, "the file is released once, when its last fd closes");
}

Test(fd, install_at_replaces)
{
	struct lx_fdtable t;
	cr_assert_eq(lx_fdtable_init(&t), 0);
	released = 0;
	struct lx_file *a = lx_file_new(&counting_ops, -1, 0, NULL);
	struct lx_file *b = lx_file_new(&counting_ops, -1, 0, NULL);
	cr_assert_eq(lx_fd_install_at(&t, 300, a, 0), 300, "the table grows on demand");
	lx_file_put(a);
	cr_assert_eq(lx_fd_install_at(&t, 300, b, 0), 300);
	cr_assert_eq(released, 1, "replacing the last reference releases the old file");
	cr_assert_eq(lx_fd_lookup(&t, 300), b);
	lx_file_put(b);
}

Test(fd, limit)
{
	struct lx_fdtable t;
	cr_assert_eq(lx_fdtable_init(&t), 0);
	struct lx_file *f = lx_file_new(&counting_ops, -1, 0, NULL);
	cr_assert_eq(lx_fd_install(&t, f, LX_FD_MAX - 1, 0), LX_FD_MAX - 1);
	cr_assert_eq(lx_fd_install(&t, f, LX_FD_MAX - 1, 0), -LINUX_EMFILE);
	cr_assert_eq(lx_fd_install_at(&t, LX_FD_MAX, f, 0), -LINUX_EBADF);
	cr_assert_null(lx_fd_lookup(&t, LX_FD_MAX + 5));
	lx_file_put(f);
}

Test(fd, host_file_closes_host_fd)
{
	int h = open("/dev/null", O_RDONLY);
	cr_assert_geq(h, 0);
	struct lx_file *f = lx_host_file_new(h, 0, "/dev/null");
	lx_file_put(f);
	cr_assert_eq(fcntl(h, F_GETFD), -1, "the host fd is closed with its file");
}
