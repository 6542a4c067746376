/* SPDX-License-Identifier: MIT */
/* The rewrite engine's shared trampoline: patched syscall sites enter the translator here. */
#include "translator/thread_layout.h"

/* struct lx_regs offsets (translator/thread.h; checked in rewrite.c) */
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
#define R_MODE 152	/* spare word: 1 = vector registers stored by hand, 0 = XSAVE area */
#define REGS_SIZE 160	/* sizeof(struct lx_regs) plus R_MODE */
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
 * Kept out of the trampoline's range: it runs before the syscall is served, where a signal
 * must not be rewound.
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

/*
 * Entered by jmp from a per-site stub with eax = syscall number, rcx = the address after the
 * original syscall instruction, every other register the guest's, on the guest's stack. rcx
 * and r11 are the registers a syscall instruction clobbers, so the stub and this prologue may
 * use them. Nothing is written below the guest's rsp, and the flags are saved before the
 * first instruction that changes them.
 *
 * Order matters for host signals arriving half-way: lx_sig_entry treats the thread as the
 * guest while the selector says BLOCK, so the FS base is switched only while BLOCK (it then
 * saves and restores whatever FS is live) and the selector becomes ALLOW only once the host
 * FS is in place. A signal that lands anywhere in here is only queued (rewrite.c) and
 * delivered on the way out.
 */
	.p2align 6
	.globl lx_rewrite_tramp, lx_rewrite_tramp_end
	.type lx_rewrite_tramp, @function
lx_rewrite_tramp:
	mov %rsp, %r11
	mov %gs:LXT_HOST_SP, %rsp
	pushfq
	sub lx_rewrite_frame_off(%rip), %rsp	/* rsp = struct lx_regs */
	mov %r11, R_RSP(%rsp)
	mov %rax, R_RAX(%rsp)
	mov %rcx, R_RCX(%rsp)		/* what syscall leaves in rcx: the return address */
	mov %rcx, R_RIP(%rsp)
	mov %gs:LXT_HOST_SP, %rax
	mov -8(%rax), %r11
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

	rdfsbase %rax
	mov %rax, R_FS(%rsp)
	mov %rax, %gs:LXT_GUEST_FS
	mov %gs:LXT_HOST_FS, %rax
	wrfsbase %rax
	movb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	movb $1, %gs:LXT_DEPTH
	/* A signal between wrfsbase and the selector store saved the host FS as the guest's. */
	mov R_FS(%rsp), %rax
	mov %rax, %gs:LXT_GUEST_FS

	/*
	 * Vector, x87 and MXCSR state: the C code below may use any of it. Two ways to keep it:
	 * while the guest has no signal handlers (nothing will need its state as a signal
	 * frame) the registers are stored by hand, which costs a fraction of XSAVE+XRSTOR
	 * here; otherwise (and for rt_sigreturn) a full XSAVE area in the kernel's
	 * signal-frame format is made and handed to the dispatcher.
	 */
	mov %rsp, %rbp
	lea REGS_SIZE(%rsp), %rbx
	cmpb $0, lx_rewrite_fast_level(%rip)
	je 1f
	cmpl $0, lx_signal_handlers(%rip)
	jne 1f
	cmpq $RT_SIGRETURN, R_RAX(%rbp)
	je 1f

	movq $1, R_MODE(%rbp)
	call vec_save
	fnstcw V_FCW(%rbx)
	stmxcsr V_MXCSR(%rbx)
	fldcw fcw_default(%rip)
	ldmxcsr lx_rewrite_mxcsr_default(%rip)
	xor %edx, %edx			/* no fpstate: no handler can be given a frame */
	jmp 3f

1:	movq $0, R_MODE(%rbp)
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
	/* The host runs with default control words whatever the guest set (unmasked
	 * exceptions, rounding modes), and an empty x87 stack. */
	fninit
	ldmxcsr lx_rewrite_mxcsr_default(%rip)
	mov %rbx, %rdx

3:	mov %gs:LXT_SELF, %rdi
	mov %rbp, %rsi
	call lx_rewrite_serve

	/*
	 * From here on a host signal is rewound to lx_rewrite_tramp_redo (or, after popfq,
	 * carried forward into the guest) by lx_rewrite_signal_fixup, so one queued after this
	 * last look at the pending set is still delivered before the guest resumes. The test
	 * mirrors lx_signal_pending(). rsp = rbp = regs, rbx = the vector area.
	 */
	.globl lx_rewrite_tramp_check
lx_rewrite_tramp_check:
	mov %gs:LXT_SIGMASK, %rax
	not %rax
	and %gs:LXT_PENDING, %rax
	jnz 2f

	cmpq $0, R_MODE(%rsp)
	jne 1f
	mov lx_rewrite_xsave_mask(%rip), %eax
	mov lx_rewrite_xsave_mask + 4(%rip), %edx
	xrstor64 (%rbx)
	jmp 3f
1:	call vec_restore
	fldcw V_FCW(%rbx)
	ldmxcsr V_MXCSR(%rbx)

	/* Resume at regs.rip with every register from regs: the handler may have changed any
	 * of them (fork's child stack, signal delivery, rt_sigreturn). */
3:	mov R_RIP(%rsp), %rax
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
	/* regs.fs, not the thread block: a signal in the next window stores the host FS there */
	mov R_FS(%rsp), %rax
	movb $LX_SUD_BLOCK, %gs:LXT_SELECTOR
	wrfsbase %rax
	mov R_RAX(%rsp), %rax
	lea R_RFLAGS(%rsp), %rsp
	/* From the popfq on, a signal frame may cover regs.rax: the fixup completes these
	 * three instructions instead of rewinding them. */
	.globl lx_rewrite_tramp_popf, lx_rewrite_tramp_lastsp, lx_rewrite_tramp_jmp
lx_rewrite_tramp_popf:
	popfq
lx_rewrite_tramp_lastsp:
	mov (R_RSP - R_RFLAGS - 8)(%rsp), %rsp
lx_rewrite_tramp_jmp:
	jmp *%gs:LXT_SCRATCH

2:	mov %gs:LXT_SELF, %rdi
	mov %rbp, %rsi
	xor %edx, %edx
	cmpq $0, R_MODE(%rbp)
	cmove %rbx, %rdx
	call lx_rewrite_deliver
	jmp lx_rewrite_tramp_check

	/* Where a rewound signal resumes: rsp = rbp = regs, rbx = the vector area (set by the
	 * fixup); FS and the selector may be the guest's. The area still holds the guest's
	 * vector state (XRSTOR only reads it), so the host may clobber the registers again. */
	.globl lx_rewrite_tramp_redo
lx_rewrite_tramp_redo:
	mov %gs:LXT_HOST_FS, %rax
	wrfsbase %rax
	movb $LX_SUD_ALLOW, %gs:LXT_SELECTOR
	movb $1, %gs:LXT_DEPTH
	/* the interrupted exit may have let lx_sig_entry store the host FS as the guest's */
	mov R_FS(%rbp), %rax
	mov %rax, %gs:LXT_GUEST_FS
	cld
	fldcw fcw_default(%rip)
	ldmxcsr lx_rewrite_mxcsr_default(%rip)
	jmp lx_rewrite_tramp_check

/* Loads back what vec_save stored. */
vec_restore:
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
lx_rewrite_tramp_end:
	.size lx_rewrite_tramp, . - lx_rewrite_tramp

	.section .rodata
	.p2align 1
fcw_default:
	.short 0x37f

	.section .note.GNU-stack, "", @progbits
