/* SPDX-License-Identifier: MIT */
/* The only way the translator touches guest memory: copies that turn a bad address into -EFAULT. */
#ifndef LXRUN_TRANSLATOR_GUEST_MEM_H
#define LXRUN_TRANSLATOR_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Highest user address + 1 on x86-64 with 4-level paging. */
#define LX_USER_END 0x0000800000000000ull

/* Low-level primitives (entry.S): return what was NOT done; the SIGSEGV handler fixes up. */
size_t lx_copy_user(void *dst, const void *src, size_t n);
long lx_strnlen_user(const char *s, size_t max);
size_t lx_memset_user(void *dst, int c, size_t n);

/* 0 or -LINUX_EFAULT. */
int guest_copy_in(void *dst, uint64_t src, size_t n);
int guest_copy_out(uint64_t dst, const void *src, size_t n);
int guest_clear(uint64_t dst, size_t n);
/* Copy a NUL-terminated string of at most max-1 bytes (plus NUL) into dst.
 * Returns its length, -LINUX_EFAULT, or -LINUX_ENAMETOOLONG when no NUL fits. */
long guest_strncpy_in(char *dst, uint64_t src, size_t max);
/* Is [addr, addr+n) a plausible user range (no wrap, below LX_USER_END)? */
int guest_range_ok(uint64_t addr, size_t n);

/* SIGSEGV/SIGBUS hook: if rip is inside one of the primitives, return the fixup address. */
uint64_t guest_fault_fixup(uint64_t rip);

#endif
