/* SPDX-License-Identifier: MIT */
/* Assembly entry and exit paths between guest context and translator context. */
#include "translator/thread_layout.h"

/* struct lx_regs offsets (translator/thread.h) */
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

	.text

/*
 * void lx_enter_guest(const struct lx_regs *r): never returns. Installs the guest FS base,
 * loads every register, flips the SUD selector to BLOCK and jumps through the thread block,
 * so nothing is written below the guest's stack pointer.
 */
	.globl lx_enter_guest
	.type lx_enter_guest, @function
lx_enter_guest:
	mov R_FS(%rdi), %rax
	mov %rax, %gs:LXT_GUEST_FS
	wrfsbase %rax
	mov R_RIP(%rdi), %rax
	mov %rax, %gs:LXT_SCRATCH
	pushq R_RFLAGS(%rdi)
	popfq
	mov R_RAX(%rdi), %rax
	mov R_RBX(%rdi), %rbx
	mov R_RCX(%rdi), %rcx
	mov R_RDX(%rdi), %rdx
	mov R_RSI(%rdi), %rsi
	mov R_RBP(%rdi), %rbp
	mov R_R8(%rdi), %r8
	mov R_R9(%rdi), %r9
	mov R_R10(%rdi), %r10
	mov R_R11(%rdi), %r11
	mov R_R12(%rdi), %r12
	mov R_R13(%rdi), %r13
	mov R_R14(%rdi), %r14
	mov R_R15(%rdi), %r15
	mov R_RSP(%rdi), %rsp
	mov R_RDI(%rdi), %rdi
	movb $LX_SUD_BLOCK, %gs:LXT_SELECTOR
	jmp *%gs:LXT_SCRATCH
	.size lx_enter_guest, . - lx_enter_guest

/*
 * Every host signal handler enters here (SA_SIGINFO|SA_ONSTACK, so we run on the thread's
 * host signal stack). If the signal interrupted the guest (selector BLOCK), switch FS to the
 * translator's and the selector to ALLOW around the C handler; otherwise call it directly.
 * Threads without a block (GS base 0) are host-only threads.
 */
	.globl lx_sig_entry
	.type lx_sig_entry, @function
lx_sig_entry:
	rdgsbase %rax
	test %rax, %rax
	jz 1f
	cmpb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	je 1f
	movb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	mov $1, %ecx			/* from_guest */
	incb %gs:LXT_DEPTH
	push %rbx
	rdfsbase %rbx
	mov %rbx, %gs:LXT_GUEST_FS
	mov %gs:LXT_HOST_FS, %rax
	wrfsbase %rax
	call lx_signal_dispatch
	mov %gs:LXT_GUEST_FS, %rax
	wrfsbase %rax
	pop %rbx
	decb %gs:LXT_DEPTH
	movb $LX_SUD_BLOCK, %gs:LXT_SELECTOR
	ret
1:	xor %ecx, %ecx			/* from_guest = 0 */
	jmp lx_signal_dispatch
	.size lx_sig_entry, . - lx_sig_entry

/*
 * size_t lx_copy_user(void *dst, const void *src, size_t n): bytes NOT copied (0 on success).
 * A fault on the rep movsb is redirected by the SIGSEGV handler to the fixup (see fault table).
 */
	.globl lx_copy_user, lx_copy_user_insn, lx_copy_user_fixup
	.type lx_copy_user, @function
lx_copy_user:
	mov %rdx, %rcx
lx_copy_user_insn:
	rep movsb
	xor %eax, %eax
	ret
lx_copy_user_fixup:
	mov %rcx, %rax
	ret
	.size lx_copy_user, . - lx_copy_user

/* long lx_strnlen_user(const char *s, size_t max): length, max if no NUL, -1 on a fault. */
	.globl lx_strnlen_user, lx_strnlen_user_insn, lx_strnlen_user_fixup
	.type lx_strnlen_user, @function
lx_strnlen_user:
	xor %eax, %eax
1:	cmp %rsi, %rax
	jae 2f
lx_strnlen_user_insn:
	cmpb $0, (%rdi,%rax)
	je 2f
	inc %rax
	jmp 1b
2:	ret
lx_strnlen_user_fixup:
	mov $-1, %rax
	ret
	.size lx_strnlen_user, . - lx_strnlen_user

/* long lx_memset_user(void *dst, int c, size_t n): bytes NOT set. */
	.globl lx_memset_user, lx_memset_user_insn, lx_memset_user_fixup
	.type lx_memset_user, @function
lx_memset_user:
	mov %esi, %eax
	mov %rdx, %rcx
lx_memset_user_insn:
	rep stosb
	xor %eax, %eax
	ret
lx_memset_user_fixup:
	mov %rcx, %rax
	ret
	.size lx_memset_user, . - lx_memset_user

/*
 * long lx_safe_syscall(long nr, a1, a2, a3, a4, a5, a6): a host syscall that a guest signal
 * can interrupt without a lost wake-up (QEMU's safe_syscall idea). The pending-signal check and the
 * syscall instruction form a guarded range: a signal handler that finds rip inside it sends
 * it to the -EINTR exit instead, so a signal is either seen by the check or interrupts the
 * blocking call. Returns the raw kernel result (-errno on failure).
 */
	.globl lx_safe_syscall, lx_safe_syscall_start, lx_safe_syscall_insn, lx_safe_syscall_eintr
	.type lx_safe_syscall, @function
lx_safe_syscall:
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
lx_safe_syscall_start:
	mov %gs:LXT_SIGMASK, %r11	/* r11: clobbered by syscall anyway */
	not %r11
	and %gs:LXT_PENDING, %r11
	jnz lx_safe_syscall_eintr
lx_safe_syscall_insn:
	syscall
	ret
lx_safe_syscall_eintr:
	mov $-4, %rax
	ret
	.size lx_safe_syscall, . - lx_safe_syscall

/*
 * The only code SUD lets through unconditionally (the exclusive "allowed" range): the
 * sa_restorer of every host handler. Its rt_sigreturn runs with the selector already set
 * back to BLOCK when the handler returns to the guest.
 */
	.p2align 6
	.globl lx_sud_allow_start, lx_sud_allow_end, lx_sigreturn_restorer
lx_sud_allow_start:
lx_sigreturn_restorer:
	mov $15, %eax
	syscall
	ud2
lx_sud_allow_end:

	.section .note.GNU-stack, "", @progbits
