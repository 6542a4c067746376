/* SPDX-License-Identifier: MIT */
/* Offsets into struct lx_thread used by the assembly entry stubs (checked in thread.c). */
#ifndef LXRUN_TRANSLATOR_THREAD_LAYOUT_H
#define LXRUN_TRANSLATOR_THREAD_LAYOUT_H

#define LXT_SELF      0  /* struct lx_thread *: lets C find the block through %gs:0 */
#define LXT_HOST_FS   8  /* the translator thread's own FS base (host glibc TLS) */
#define LXT_GUEST_FS  16 /* the guest's FS base while the translator runs */
#define LXT_HOST_SP   24 /* top of the per-thread host stack (rewrite trampoline) */
#define LXT_SELECTOR  32 /* SUD selector byte: 0 allow (translator), 1 block (guest) */
#define LXT_DEPTH     33 /* nesting of host entries (0 while the guest runs) */
#define LXT_FSHOST    34 /* no-FSGSBASE stubs: 1 while FS holds (or is being set to) the host's */
#define LXT_SCRATCH   40 /* one word for lx_enter_guest's indirect jump */
#define LXT_SIGMASK   48 /* the guest's blocked signals */
#define LXT_PENDING   56 /* the guest's pending signals */

/* Syscall numbers below this may have a TLS-free handler (lx_fast_handlers, fastpath.c). */
#define LX_FAST_NR 512

/* Size of each thread's host stack (the signal altstack, also the trampoline's), below LXT_HOST_SP. */
#define LX_ALTSTACK_SIZE 0x100000

#define LX_SUD_ALLOW 0
#define LX_SUD_BLOCK 1

#endif
