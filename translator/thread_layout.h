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
#define LXT_SAFE_NR   36 /* u16: the host syscall lx_safe_syscall last made (see ptrace's keep_call) */
#define LXT_SCRATCH   40 /* one word for lx_enter_guest's indirect jump */
#define LXT_SIGMASK   48 /* the guest's blocked signals */
#define LXT_PENDING   56 /* the guest's pending signals */

/* Syscall numbers below this may have a TLS-free handler (lx_fast_handlers, fastpath.c). */
#define LX_FAST_NR 512

/* Size of each thread's host stack (the signal altstack, also the trampoline's), below LXT_HOST_SP. */
#define LX_ALTSTACK_SIZE 0x100000

#define LX_SUD_ALLOW 0
#define LX_SUD_BLOCK 1

#ifdef __ASSEMBLER__
/* struct lx_regs offsets (translator/thread.h; checked in engine/rewrite.c) */
#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_RSP 56
#define R_R8 64
#define R_R9 72
#define R_R10 80
#define R_R11 88
#define R_R12 96
#define R_R13 104
#define R_R14 112
#define R_R15 120
#define R_RIP 128
#define R_RFLAGS 136
#define R_FS 144

/* Load the host's FS base: wrfsbase in the "fsgsbase" stub set, lx_setfs_host (arch_prctl from
 * the SUD-allowed range; clobbers rax, rcx, rsi, rdi, r11) in the "sys" set. */
.macro SET_HOST_FS v
.ifc \v,fsgsbase
	mov %gs:LXT_HOST_FS, %rax
	wrfsbase %rax
.else
	call lx_setfs_host
.endif
.endm

/* reg = the guest's deliverable signals (pending and not blocked), as lx_signal_pending();
 * sets ZF when there are none. */
.macro DELIVERABLE reg
	mov %gs:LXT_SIGMASK, \reg
	not \reg
	and %gs:LXT_PENDING, \reg
.endm

/* Linux's syscall registers from the C ABI's: nr, a1..a6 in rdi, rsi, rdx, rcx, r8, r9, 8(%rsp). */
.macro SYSCALL_ARGS_FROM_C
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
.endm
#endif

#endif
