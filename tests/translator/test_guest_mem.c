/* SPDX-License-Identifier: MIT */
/* Guest copy helpers: bad guest pointers become -EFAULT instead of crashing the translator. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/mman.h>

#include "abi/linux_errno.h"
#include "translator/guest_mem.h"
#include "translator/signal_host.h"

static char *page_pair; /* one readable page followed by an inaccessible one */

static void setup(void)
{
	cr_assert_eq(lx_signals_init(), 0);
	page_pair = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(page_pair, MAP_FAILED);
	cr_assert_eq(mprotect(page_pair + 4096, 4096, PROT_NONE), 0);
}

TestSuite(guest_mem, .init = setup);

Test(guest_mem, copy_in_ok)
{
	strcpy(page_pair, "hello");
	char buf[6];
	cr_assert_eq(guest_copy_in(buf, (uint64_t)page_pair, 6), 0);
	cr_assert_str_eq(buf, "hello");
}

Test(guest_mem, copy_in_null_and_wild)
{
	char buf[16];
	cr_assert_eq(guest_copy_in(buf, 0, sizeof(buf)), -LINUX_EFAULT);
	cr_assert_eq(guest_copy_in(buf, 1, sizeof(buf)), -LINUX_EFAULT);
	cr_assert_eq(guest_copy_in(buf, 0xffff800000000000ull, 8), -LINUX_EFAULT);
	cr_assert_eq(guest_copy_in(buf, ~0ull - 3, 8), -LINUX_EFAULT); /* wraps */
}

Test(guest_mem, copy_across_into_protected_page)
{
	char buf[64];
	cr_assert_eq(guest_copy_in(buf, (uint64_t)page_pair + 4096 - 32, 64), -LINUX_EFAULT);
	cr_assert_eq(guest_copy_out((uint64_t)page_pair + 4096 - 32, buf, 64), -LINUX_EFAULT);
	/* The readable part was still writable: the helper must not have damaged it. */
	cr_assert_eq(guest_copy_out((uint64_t)page_pair, "abc", 4), 0);
	cr_assert_str_eq(page_pair, "abc");
}

Test(guest_mem, copy_out_read_only)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(ro, MAP_FAILED);
	cr_assert_eq(guest_copy_out((uint64_t)ro, "x", 1), -LINUX_EFAULT);
	cr_assert_eq(guest_clear((uint64_t)ro, 16), -LINUX_EFAULT);
	munmap(ro, 4096);
}

Test(guest_mem, strncpy)
{
	char buf[8];
	strcpy(page_pair, "abc");
	cr_assert_eq(guest_strncpy_in(buf, (uint64_t)page_pair, sizeof(buf)), 3);
	cr_assert_str_eq(buf, "abc");
	memset(page_pair, 'x', 64);
	cr_assert_eq(guest_strncpy_in(buf, (uint64_t)page_pair, sizeof(buf)), -LINUX_ENAMETOOLONG);
	/* No NUL before the protected page: a fault, not an overrun. */
	memset(page_pair, 'y', 4096);
	char big[8192];
	cr_assert_eq(guest_strncpy_in(big, (uint64_t)page_pair, sizeof(big)), -LINUX_EFAULT);
	cr_assert_eq(guest_strncpy_in(buf, 0, sizeof(buf)), -LINUX_EFAULT);
}
