/* SPDX-License-Identifier: MIT */
/* The rewrite engine's shared trampoline: patched syscall sites enter the translator here. */
#include "translator/thread_layout.h"

#define R_MODE 152	/* 0: XSAVE area, 1: vector registers stored by hand, 2: TLS-free
			 * fast path (no vector state saved, FS still the guest's) */
#define R_NR 160	/* the syscall number while a fast-path result awaits delivery, else -1 */
#define REGS_SIZE 176	/* sizeof(struct lx_regs), R_MODE, R_NR, padding to 16 */
#define RT_SIGRETURN 15

/* The XSAVE header bytes that XSAVE does not write but XRSTOR checks, and the software bytes
 * a kernel signal frame carries (so fpstate looks the same on both engines' paths). */
#define XS_SW 464
#define XS_HDR 512
#define FP_XSTATE_MAGIC1 0x46505853
#define FP_XSTATE_MAGIC2 0x46505845

/* The hand-stored area (fast mode): 64 bytes per vector register, then k0-k7, MXCSR, FCW. */
#define V_K 2048
#define V_MXCSR 2112
#define V_FCW 2116

/*
 * The frame on the host stack (host_sp = the top of the thread's signal stack, page aligned):
 *
 *	host_sp - 8		the guest's rflags, pushed before anything changes them
 *	host_sp - area_off	the vector area (64-aligned, XSAVE or hand-stored)
 *	... - REGS_SIZE		struct lx_regs + mode word = rsp while the translator runs
 *
 * Everything the exit path reads lies above rsp, so a host signal taken on this stack (the
 * kernel nests it below rsp minus 128 bytes) leaves it intact, and the exit can be rewound.
 */
	.text

/*
 * The fast mode's register stores, by the widest vector state XCR0 enables; rbx is the area.
 * Called only before the exit's first look at the pending set (no rewind needed).
 */
	.type vec_save, @function
vec_save:
	cmpb $3, lx_rewrite_fast_level(%rip)
	je 3f
	cmpb $2, lx_rewrite_fast_level(%rip)
	je 2f
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movaps %xmm\i, 64 * \i(%rbx)
	.endr
	ret
2:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqa %ymm\i, 64 * \i(%rbx)
	.endr
	ret
3:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqa64 %zmm\i, 64 * \i(%rbx)
	.endr
	.irp i, 0,1,2,3,4,5,6,7
	kmovq %k\i, V_K + 8 * \i(%rbx)
	.endr
	ret
	.size vec_save, . - vec_save

/* A full XSAVE area in the kernel's signal-frame format at rbx (R_MODE 0), then the host's
 * default control words and an empty x87 stack. Clobbers rax, rcx, rdx, rsi. */
.macro XSAVE_FULL
	xor %eax, %eax
	mov %rax, XS_HDR + 0(%rbx)
	mov %rax, XS_HDR + 8(%rbx)
	mov %rax, XS_HDR + 16(%rbx)
	mov %rax, XS_HDR + 24(%rbx)
	mov %rax, XS_HDR + 32(%rbx)
	mov %rax, XS_HDR + 40(%rbx)
	mov %rax, XS_HDR + 48(%rbx)
	mov %rax, XS_HDR + 56(%rbx)
	mov lx_rewrite_xsave_mask(%rip), %eax
	mov lx_rewrite_xsave_mask + 4(%rip), %edx
	xsave64 (%rbx)
	movl $FP_XSTATE_MAGIC1, XS_SW(%rbx)
	mov lx_rewrite_xsave_size(%rip), %ecx
	lea 4(%rcx), %esi
	movl %esi, XS_SW + 4(%rbx)	/* extended_size */
	mov %eax, XS_SW + 8(%rbx)	/* xfeatures */
	mov %edx, XS_SW + 12(%rbx)
	movl %ecx, XS_SW + 16(%rbx)	/* xstate_size */
	movl $FP_XSTATE_MAGIC2, (%rbx,%rcx)
	movq $0, R_MODE(%rbp)
	fninit
	ldmxcsr lx_rewrite_mxcsr_default(%rip)
.endm

/* Switch to the host FS (the "sys" set: through the SUD-allowed range, only if needed). */
.macro TO_HOST_FS v
.ifnc \v,fsgsbase
	cmpb $0, %gs:LXT_FSHOST
	jne 77f
.endif
	SET_HOST_FS \v
77:
.endm

/*
 * The trampoline, one copy per FS/GS stub set (translator/engine/fsbase.c picks one).
 *
 * Entered by jmp from a per-site stub with eax = syscall number, rcx = the address after the
 * original syscall instruction, every other register the guest's, on the guest's stack. rcx
 * and r11 are the registers a syscall instruction clobbers, so the stub and this prologue may
 * use them. Nothing is written below the guest's rsp, and the flags are saved before the
 * first instruction that changes them.
 *
 * The selector turns ALLOW before the FS base changes, so a host signal in here finds
 * either the guest's selector (rewrite.c then only queues it: rip is in the trampoline) or
 * the translator's, and lx_sig_entry switches to the host FS by itself whatever is loaded.
 * A syscall with a TLS-free handler (translator/fastpath.c) is served without switching FS
 * or saving vector state: those handlers use neither.
 */
.macro TRAMP v
	.p2align 6
	.globl lx_rewrite_tramp_\v, lx_rewrite_tramp_end_\v
	.type lx_rewrite_tramp_\v, @function
lx_rewrite_tramp_\v:
	mov %rsp, %r11
	mov %gs:LXT_HOST_SP, %rsp
	pushfq
	sub lx_rewrite_frame_off(%rip), %rsp	/* rsp = struct lx_regs */
	mov %r11, R_RSP(%rsp)
	mov %rax, R_RAX(%rsp)
	mov %rax, R_NR(%rsp)
	mov %rcx, R_RCX(%rsp)		/* what syscall leaves in rcx: the return address */
	mov %rcx, R_RIP(%rsp)
	mov %gs:LXT_HOST_SP, %rcx
	mov -8(%rcx), %r11
	mov %r11, R_RFLAGS(%rsp)
	mov %r11, R_R11(%rsp)		/* and in r11: the flags */
	cld				/* the C ABI wants DF clear; the guest's is saved */
	mov %rbx, R_RBX(%rsp)
	mov %rdx, R_RDX(%rsp)
	mov %rsi, R_RSI(%rsp)
	mov %rdi, R_RDI(%rsp)
	mov %rbp, R_RBP(%rsp)
	mov %r8, R_R8(%rsp)
	mov %r9, R_R9(%rsp)
	mov %r10, R_R10(%rsp)
	mov %r12, R_R12(%rsp)
	mov %r13, R_R13(%rsp)
	mov %r14, R_R14(%rsp)
	mov %r15, R_R15(%rsp)
.ifc \v,fsgsbase
	rdfsbase %rcx
	mov %rcx, %gs:LXT_GUEST_FS
.else
	mov %gs:LXT_GUEST_FS, %rcx
.endif
	mov %rcx, R_FS(%rsp)
	mov %rsp, %rbp
	lea REGS_SIZE(%rsp), %rbx
	movb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	movb $1, %gs:LXT_DEPTH

	/* The TLS-free fast path: nothing deliverable now, a handler that takes the call. */
	cmp $LX_FAST_NR, %rax
	jae 1f
	lea lx_fast_handlers(%rip), %rcx
	mov (%rcx,%rax,8), %rcx
	test %rcx, %rcx
	jz 1f
	DELIVERABLE %rax
	jnz 1f
	movq $2, R_MODE(%rbp)
	mov %gs:LXT_SELF, %rdi
	mov %rbp, %rsi
	xor %edx, %edx
	call *%rcx
	test %eax, %eax
	jnz lx_rewrite_tramp_check_\v

1:	movq $-1, R_NR(%rbp)
	TO_HOST_FS \v
	/*
	 * Vector, x87 and MXCSR state: the C code below may use any of it. Two ways to keep it:
	 * while the guest has no signal handlers (nothing will need its state as a signal
	 * frame) the registers are stored by hand, which costs a fraction of XSAVE+XRSTOR
	 * here; otherwise (and for rt_sigreturn) a full XSAVE area in the kernel's
	 * signal-frame format is made and handed to the dispatcher.
	 */
	cmpb $0, lx_rewrite_fast_level(%rip)
	je 2f
	cmpl $0, lx_signal_handlers(%rip)
	jne 2f
	cmpq $RT_SIGRETURN, R_RAX(%rbp)
	je 2f

	movq $1, R_MODE(%rbp)
	call vec_save
	fnstcw V_FCW(%rbx)
	stmxcsr V_MXCSR(%rbx)
	fldcw fcw_default(%rip)
	ldmxcsr lx_rewrite_mxcsr_default(%rip)
	xor %edx, %edx			/* no fpstate: no handler can be given a frame */
	jmp 3f

2:	XSAVE_FULL
	mov %rbx, %rdx

3:	mov %gs:LXT_SELF, %rdi
	mov %rbp, %rsi
	call lx_rewrite_serve

	/*
	 * From here on a host signal is rewound to lx_rewrite_tramp_redo_V (or, after popfq,
	 * carried forward into the guest) by lx_rewrite_signal_fixup, so one queued after this
	 * last look at the pending set is still delivered before the guest resumes. The test
	 * mirrors lx_signal_pending(). rsp = rbp = regs, rbx = the vector area.
	 */
	.globl lx_rewrite_tramp_check_\v
lx_rewrite_tramp_check_\v:
	DELIVERABLE %rax
	jnz 2f

	cmpq $1, R_MODE(%rsp)
	ja 4f				/* fast path: no vector state to load, FS is the guest's */
	je 1f
	mov lx_rewrite_xsave_mask(%rip), %eax
	mov lx_rewrite_xsave_mask + 4(%rip), %edx
	xrstor64 (%rbx)
	jmp 3f
1:	call vec_restore_\v
	fldcw V_FCW(%rbx)
	ldmxcsr V_MXCSR(%rbx)
3:
.ifc \v,sys
	/* lx_setfs_guest inline, inside the rewind range (the selector is still ALLOW) */
	mov %gs:LXT_GUEST_FS, %rsi
	movb $0, %gs:LXT_FSHOST
	mov $0x1002, %edi
	mov $158, %eax
	syscall
.endif

	/* Resume at regs.rip with every register from regs: the handler may have changed any
	 * of them (fork's child stack, signal delivery, rt_sigreturn). */
4:	mov R_RIP(%rsp), %rax
	mov %rax, %gs:LXT_SCRATCH
	mov R_RBX(%rsp), %rbx
	mov R_RCX(%rsp), %rcx
	mov R_RDX(%rsp), %rdx
	mov R_RSI(%rsp), %rsi
	mov R_RDI(%rsp), %rdi
	mov R_RBP(%rsp), %rbp
	mov R_R8(%rsp), %r8
	mov R_R9(%rsp), %r9
	mov R_R10(%rsp), %r10
	mov R_R11(%rsp), %r11
	mov R_R12(%rsp), %r12
	mov R_R13(%rsp), %r13
	mov R_R14(%rsp), %r14
	mov R_R15(%rsp), %r15
	movb $0, %gs:LXT_DEPTH
.ifc \v,fsgsbase
	/* regs.fs, not the thread block: a signal in the next window stores the host FS there */
	mov R_FS(%rsp), %rax
	movb $LX_SUD_BLOCK, %gs:LXT_SELECTOR
	wrfsbase %rax
.else
	movb $LX_SUD_BLOCK, %gs:LXT_SELECTOR
.endif
	mov R_RAX(%rsp), %rax
	lea R_RFLAGS(%rsp), %rsp
	/* From the popfq on, a signal frame may cover regs.rax: the fixup completes these
	 * three instructions instead of rewinding them. */
	.globl lx_rewrite_tramp_popf_\v, lx_rewrite_tramp_lastsp_\v, lx_rewrite_tramp_jmp_\v
lx_rewrite_tramp_popf_\v:
	popfq
lx_rewrite_tramp_lastsp_\v:
	mov (R_RSP - R_RFLAGS - 8)(%rsp), %rsp
lx_rewrite_tramp_jmp_\v:
	jmp *%gs:LXT_SCRATCH

	/* A signal to deliver. After the fast path, this is where the slow path's state is
	 * made: the host FS and a full XSAVE area (the vector registers are still the guest's). */
2:	cmpq $2, R_MODE(%rbp)
	jne 5f
	TO_HOST_FS \v
	XSAVE_FULL
5:	mov %gs:LXT_SELF, %rdi
	mov %rbp, %rsi
	xor %edx, %edx
	cmpq $0, R_MODE(%rbp)
	cmove %rbx, %rdx
	mov R_NR(%rbp), %rcx
	movq $-1, R_NR(%rbp)
	call lx_rewrite_deliver
	jmp lx_rewrite_tramp_check_\v

	/* Where a rewound signal resumes: rsp = rbp = regs, rbx = the vector area (set by the
	 * fixup); FS and the selector may be the guest's. The area still holds the guest's
	 * vector state (XRSTOR only reads it), or, after the fast path, the registers do (the
	 * kernel gave them back at the host handler's sigreturn). */
	.globl lx_rewrite_tramp_redo_\v
lx_rewrite_tramp_redo_\v:
	movb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	movb $1, %gs:LXT_DEPTH
	cld
	cmpq $2, R_MODE(%rbp)
	je lx_rewrite_tramp_check_\v	/* FS and vectors are made at delivery (2:) */
	TO_HOST_FS \v
	/* the interrupted exit may have let lx_sig_entry store the host FS as the guest's */
	mov R_FS(%rbp), %rax
	mov %rax, %gs:LXT_GUEST_FS
	fldcw fcw_default(%rip)
	ldmxcsr lx_rewrite_mxcsr_default(%rip)
	jmp lx_rewrite_tramp_check_\v

/* Loads back what vec_save stored. */
vec_restore_\v:
	cmpb $3, lx_rewrite_fast_level(%rip)
	je 3f
	cmpb $2, lx_rewrite_fast_level(%rip)
	je 2f
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movaps 64 * \i(%rbx), %xmm\i
	.endr
	ret
2:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vmovdqa 64 * \i(%rbx), %ymm\i
	.endr
	ret
3:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	vmovdqa64 64 * \i(%rbx), %zmm\i
	.endr
	.irp i, 0,1,2,3,4,5,6,7
	kmovq V_K + 8 * \i(%rbx), %k\i
	.endr
	ret
lx_rewrite_tramp_end_\v:
	.size lx_rewrite_tramp_\v, . - lx_rewrite_tramp_\v
.endm

	TRAMP fsgsbase
	TRAMP sys

	.section .rodata
	.p2align 1
fcw_default:
	.short 0x37f

	.section .note.GNU-stack, "", @progbits
