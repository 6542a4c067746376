/* SPDX-License-Identifier: MIT */
/* Guest memory copy helpers; faults inside the primitives are turned into -EFAULT. */
#include "translator/guest_mem.h"

#include "abi/linux_errno.h"

extern const char lx_copy_user_insn[], lx_copy_user_fixup[];
extern const char lx_strnlen_user_insn[], lx_strnlen_user_fixup[];
extern const char lx_memset_user_insn[], lx_memset_user_fixup[];

int guest_range_ok(uint64_t addr, size_t n)
{
	return addr + n >= addr && addr + n <= LX_USER_END;
}

int guest_copy_in(void *dst, uint64_t src, size_t n)
{
	if (!guest_range_ok(src, n))
		return -LINUX_EFAULT;
	return lx_copy_user(dst, (const void *)src, n) ? -LINUX_EFAULT : 0;
}

int guest_copy_out(uint64_t dst, const void *src, size_t n)
{
	if (!guest_range_ok(dst, n))
		return -LINUX_EFAULT;
	return lx_copy_user((void *)dst, src, n) ? -LINUX_EFAULT : 0;
}

int guest_clear(uint64_t dst, size_t n)
{
	if (!guest_range_ok(dst, n))
		return -LINUX_EFAULT;
	return lx_memset_user((void *)dst, 0, n) ? -LINUX_EFAULT : 0;
}

long guest_strncpy_in(char *dst, uint64_t src, size_t max)
{
	if (src >= LX_USER_END)
		return -LINUX_EFAULT;
	size_t lim = max;
	if (LX_USER_END - src < lim)
		lim = LX_USER_END - src;
	long len = lx_strnlen_user((const char *)src, lim);
	if (len < 0)
		return -LINUX_EFAULT;
	if ((size_t)len >= max)
		return -LINUX_ENAMETOOLONG;
	if ((size_t)len == lim) /* ran into the end of user space without a NUL */
		return -LINUX_EFAULT;
	if (lx_copy_user(dst, (const void *)src, (size_t)len + 1))
		return -LINUX_EFAULT;
	return len;
}

uint64_t guest_fault_fixup(uint64_t rip)
{
	if (rip == (uint64_t)lx_copy_user_insn)
		return (uint64_t)lx_copy_user_fixup;
	if (rip == (uint64_t)lx_strnlen_user_insn)
		return (uint64_t)lx_strnlen_user_fixup;
	if (rip == (uint64_t)lx_memset_user_insn)
		return (uint64_t)lx_memset_user_fixup;
	return 0;
}
