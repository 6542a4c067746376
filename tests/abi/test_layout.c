/* SPDX-License-Identifier: MIT */
/* Runs the layout_*.c tables: every abi/ constant, size and offset must equal the host header's. */
#include "tests/abi/layout_check.h"

#include <criterion/criterion.h>

static void check_all(const struct layout_check *c, size_t n, size_t min)
{
	/* A group that shrank to nothing would pass without checking anything. */
	cr_assert_geq(n, min, "only %zu checks in this group", n);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(c[i].ours, c[i].host, "%s: lxrun %lld (0x%llx), host %lld (0x%llx)",
			     c[i].what, c[i].ours, (unsigned long long)c[i].ours, c[i].host,
			     (unsigned long long)c[i].host);
}

Test(layout, fcntl_and_stat_vs_kernel_uapi)
{
	size_t n;
	const struct layout_check *c = layout_fs(&n);

	check_all(c, n, 150);
}

Test(layout, signal_vs_kernel_uapi)
{
	size_t n;
	const struct layout_check *c = layout_signal(&n);

	check_all(c, n, 150);
}

Test(layout, task_time_mman_vs_kernel_uapi)
{
	size_t n;
	const struct layout_check *c = layout_task(&n);

	check_all(c, n, 200);
}

Test(layout, ioctl_poll_misc_vs_kernel_uapi)
{
	size_t n;
	const struct layout_check *c = layout_io(&n);

	check_all(c, n, 150);
}

Test(layout, shared_layouts_vs_glibc)
{
	size_t n;
	const struct layout_check *c = layout_libc(&n);

	check_all(c, n, 60);
}
