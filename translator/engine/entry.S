/* SPDX-License-Identifier: MIT */
/* Assembly entry and exit paths between guest context and translator context. */
#include "translator/thread_layout.h"

#define UC_RIP 168	/* offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]), checked in fsbase.c */
#define UC_RSP 160	/* gregs[REG_RSP] */

	.text

/*
 * Two stub sets, one per way of switching the FS base, chosen once at start-up
 * (translator/engine/fsbase.c): "fsgsbase" uses rd/wrfsbase; "sys" uses arch_prctl from
 * the SUD-allowed range (hosts without FSGSBASE). The guest's FS is always known there
 * (LXT_GUEST_FS: the guest can only change it through the arch_prctl lxrun serves), and
 * LXT_FSHOST says which FS is loaded: lx_setfs_host writes it before its syscall, so a
 * signal that finds it 1 with rip in [lx_setfs_host_window, lx_setfs_host_insn] knows FS is
 * still the guest's.
 */
/*
 * void lx_enter_guest_V(const struct lx_regs *r): never returns. Installs the guest FS base,
 * loads every register, flips the SUD selector to BLOCK and jumps through the thread block,
 * so nothing is written below the guest's stack pointer.
 */
.macro ENTER_GUEST v
	.globl lx_enter_guest_\v
	.type lx_enter_guest_\v, @function
lx_enter_guest_\v:
	mov R_FS(%rdi), %rax
	mov %rax, %gs:LXT_GUEST_FS
.ifc \v,fsgsbase
	wrfsbase %rax
.else
	push %rdi
	call lx_setfs_guest
	pop %rdi
.endif
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
	.size lx_enter_guest_\v, . - lx_enter_guest_\v
.endm

/*
 * Every host signal handler enters here (SA_SIGINFO|SA_ONSTACK, so we run on the thread's
 * host signal stack). The C handler always runs with the selector ALLOW and the host FS, and
 * what was there is put back afterwards (for the guest's FS: its latest value, which the
 * handler may have changed). It interrupted the guest (from_guest = 1) only if the selector
 * said BLOCK and the stack was not the host stack: a signal that lands at the start of
 * another handler (before it flipped the selector), or in the restorer after one, finds
 * the guest's selector on lxrun's stack, and must not be delivered into that context.
 * A SUD trap of a syscall with a TLS-free handler (translator/fastpath.c) is served right
 * here without switching FS; from_guest = 2 then asks the C handler only to deliver what
 * became pending meanwhile. Threads whose block has no self pointer are host-only threads.
 * r15: from_guest in the low byte, 0x100 if the selector goes back to BLOCK at the end.
 */
.macro SIG_ENTRY v
	.globl lx_sig_entry_\v
	.type lx_sig_entry_\v, @function
lx_sig_entry_\v:
	mov %gs:LXT_SELF, %rax
	test %rax, %rax
	jz lx_sig_entry_host
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %edi, %r12d
	mov %rsi, %r13
	mov %rdx, %r14
	xor %r15d, %r15d
	cmpb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	je 1f
	movb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	incb %gs:LXT_DEPTH
	mov $0x100, %r15d
	mov UC_RSP(%r14), %rax
	mov %gs:LXT_HOST_SP, %rcx
	cmp %rcx, %rax
	jae 5f
	sub $LX_ALTSTACK_SIZE, %rcx
	cmp %rcx, %rax
	jae 1f				/* on the host stack: not the guest */
5:	mov $0x101, %r15d
	cmp $31, %r12d			/* SIGSYS */
	jne 1f
	cmpb $0, lx_sud_fast(%rip)
	je 1f
	mov %gs:LXT_SELF, %rdi
	mov %r13, %rsi
	mov %r14, %rdx
	call lx_fast_sigsys
	test %eax, %eax
	jz 1f
	DELIVERABLE %rax
	jz 8f
	mov $0x102, %r15d
1:
.ifc \v,fsgsbase
	rdfsbase %rbx
	test $3, %r15b
	jz 2f
	mov %rbx, %gs:LXT_GUEST_FS
2:	SET_HOST_FS \v
.else
	movzbl %gs:LXT_FSHOST, %ebx	/* 0: restore the guest's FS afterwards */
	test %ebx, %ebx
	jz 2f
	mov UC_RIP(%r14), %rax
	lea lx_setfs_host_window(%rip), %rcx
	cmp %rcx, %rax
	jb 3f
	lea lx_setfs_host_insn(%rip), %rcx
	cmp %rcx, %rax
	ja 3f
2:	call lx_setfs_host		/* in the window: the interrupted code sets it again */
3:
.endif
	mov %r12d, %edi
	mov %r13, %rsi
	mov %r14, %rdx
	movzbl %r15b, %ecx
	call lx_signal_dispatch
.ifc \v,fsgsbase
	test $3, %r15b
	jz 4f
	mov %gs:LXT_GUEST_FS, %rbx
4:	wrfsbase %rbx
.else
	test %ebx, %ebx
	jnz 4f
	call lx_setfs_guest
4:
.endif
8:	test $0x100, %r15d
	jz 9f
	decb %gs:LXT_DEPTH
	movb $LX_SUD_BLOCK, %gs:LXT_SELECTOR
9:	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	ret
	.size lx_sig_entry_\v, . - lx_sig_entry_\v
.endm

	ENTER_GUEST fsgsbase
	ENTER_GUEST sys
	SIG_ENTRY fsgsbase
	SIG_ENTRY sys

	.type lx_sig_entry_host, @function
lx_sig_entry_host:
	xor %ecx, %ecx			/* from_guest = 0 */
	jmp lx_signal_dispatch
	.size lx_sig_entry_host, . - lx_sig_entry_host

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
 * The only code SUD lets through whatever the selector says (the exclusive mode's "allowed"
 * range): the sa_restorer of every host handler (its rt_sigreturn runs with the selector
 * already set back to BLOCK when the handler returns to the guest), the FS switches of the
 * "sys" stubs, and the translator's raw and guarded host syscalls. The kernel does not read
 * the selector for these, which makes them cheaper than the same call from glibc.
 */
	.p2align 6
	.globl lx_sud_allow_start, lx_sud_allow_end, lx_sigreturn_restorer
lx_sud_allow_start:
lx_sigreturn_restorer:
	mov $15, %eax
	syscall
	ud2

/* lx_setfs_host / lx_setfs_guest: arch_prctl(ARCH_SET_FS) to the host's or the guest's FS;
 * clobber rax, rcx, rsi, rdi, r11 (no vector register, no stack below rsp). */
	.globl lx_setfs_host, lx_setfs_host_window, lx_setfs_host_insn, lx_setfs_guest
	.type lx_setfs_host, @function
lx_setfs_host:
	mov %gs:LXT_HOST_FS, %rsi
	movb $1, %gs:LXT_FSHOST
lx_setfs_host_window:
	mov $0x1002, %edi
	mov $158, %eax
lx_setfs_host_insn:
	syscall
	ret
	.size lx_setfs_host, . - lx_setfs_host

	.type lx_setfs_guest, @function
lx_setfs_guest:
	mov %gs:LXT_GUEST_FS, %rsi
	movb $0, %gs:LXT_FSHOST
	mov $0x1002, %edi
	mov $158, %eax
	syscall
	ret
	.size lx_setfs_guest, . - lx_setfs_guest

/* long lx_raw_syscall(long nr, a1, a2, a3, a4, a5, a6): the kernel's result (-errno). */
	.globl lx_raw_syscall
	.type lx_raw_syscall, @function
lx_raw_syscall:
	SYSCALL_ARGS_FROM_C
	syscall
	ret
	.size lx_raw_syscall, . - lx_raw_syscall

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
	SYSCALL_ARGS_FROM_C
	movw %ax, %gs:LXT_SAFE_NR	/* a wake-up of lxrun's own may issue it again */
lx_safe_syscall_start:
	DELIVERABLE %r11		/* r11: clobbered by syscall anyway */
	jnz lx_safe_syscall_eintr
lx_safe_syscall_insn:
	syscall
	ret
lx_safe_syscall_eintr:
	mov $-4, %rax
	ret
	.size lx_safe_syscall, . - lx_safe_syscall

lx_sud_allow_end:

	.section .note.GNU-stack, "", @progbits
