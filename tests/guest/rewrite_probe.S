/* SPDX-License-Identifier: MIT */
/* rw_probe: one `mov $39,%eax; syscall` (getpid) with every register, flag, vector and the red
 * zone set to known values before and recorded after (see struct rw_probe in rewrite_probe.h). */
#include "rewrite_probe.h"

	.text
	.globl rw_probe
	.type rw_probe, @function
rw_probe:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, RP_RSP(%rdi)
	mov RP_LEVEL(%rdi), %eax
	cmp $2, %eax
	je 3f
	cmp $1, %eax
	je 2f
	movdqu RP_VIN+0(%rdi), %xmm0
	movdqu RP_VIN+64(%rdi), %xmm1
	movdqu RP_VIN+128(%rdi), %xmm2
	movdqu RP_VIN+192(%rdi), %xmm3
	movdqu RP_VIN+256(%rdi), %xmm4
	movdqu RP_VIN+320(%rdi), %xmm5
	movdqu RP_VIN+384(%rdi), %xmm6
	movdqu RP_VIN+448(%rdi), %xmm7
	movdqu RP_VIN+512(%rdi), %xmm8
	movdqu RP_VIN+576(%rdi), %xmm9
	movdqu RP_VIN+640(%rdi), %xmm10
	movdqu RP_VIN+704(%rdi), %xmm11
	movdqu RP_VIN+768(%rdi), %xmm12
	movdqu RP_VIN+832(%rdi), %xmm13
	movdqu RP_VIN+896(%rdi), %xmm14
	movdqu RP_VIN+960(%rdi), %xmm15
	jmp 4f
2:
	vmovdqu RP_VIN+0(%rdi), %ymm0
	vmovdqu RP_VIN+64(%rdi), %ymm1
	vmovdqu RP_VIN+128(%rdi), %ymm2
	vmovdqu RP_VIN+192(%rdi), %ymm3
	vmovdqu RP_VIN+256(%rdi), %ymm4
	vmovdqu RP_VIN+320(%rdi), %ymm5
	vmovdqu RP_VIN+384(%rdi), %ymm6
	vmovdqu RP_VIN+448(%rdi), %ymm7
	vmovdqu RP_VIN+512(%rdi), %ymm8
	vmovdqu RP_VIN+576(%rdi), %ymm9
	vmovdqu RP_VIN+640(%rdi), %ymm10
	vmovdqu RP_VIN+704(%rdi), %ymm11
	vmovdqu RP_VIN+768(%rdi), %ymm12
	vmovdqu RP_VIN+832(%rdi), %ymm13
	vmovdqu RP_VIN+896(%rdi), %ymm14
	vmovdqu RP_VIN+960(%rdi), %ymm15
	jmp 4f
3:
	vmovdqu64 RP_VIN+0(%rdi), %zmm0
	vmovdqu64 RP_VIN+64(%rdi), %zmm1
	vmovdqu64 RP_VIN+128(%rdi), %zmm2
	vmovdqu64 RP_VIN+192(%rdi), %zmm3
	vmovdqu64 RP_VIN+256(%rdi), %zmm4
	vmovdqu64 RP_VIN+320(%rdi), %zmm5
	vmovdqu64 RP_VIN+384(%rdi), %zmm6
	vmovdqu64 RP_VIN+448(%rdi), %zmm7
	vmovdqu64 RP_VIN+512(%rdi), %zmm8
	vmovdqu64 RP_VIN+576(%rdi), %zmm9
	vmovdqu64 RP_VIN+640(%rdi), %zmm10
	vmovdqu64 RP_VIN+704(%rdi), %zmm11
	vmovdqu64 RP_VIN+768(%rdi), %zmm12
	vmovdqu64 RP_VIN+832(%rdi), %zmm13
	vmovdqu64 RP_VIN+896(%rdi), %zmm14
	vmovdqu64 RP_VIN+960(%rdi), %zmm15
	vmovdqu64 RP_VIN+1024(%rdi), %zmm16
	vmovdqu64 RP_VIN+1088(%rdi), %zmm17
	vmovdqu64 RP_VIN+1152(%rdi), %zmm18
	vmovdqu64 RP_VIN+1216(%rdi), %zmm19
	vmovdqu64 RP_VIN+1280(%rdi), %zmm20
	vmovdqu64 RP_VIN+1344(%rdi), %zmm21
	vmovdqu64 RP_VIN+1408(%rdi), %zmm22
	vmovdqu64 RP_VIN+1472(%rdi), %zmm23
	vmovdqu64 RP_VIN+1536(%rdi), %zmm24
	vmovdqu64 RP_VIN+1600(%rdi), %zmm25
	vmovdqu64 RP_VIN+1664(%rdi), %zmm26
	vmovdqu64 RP_VIN+1728(%rdi), %zmm27
	vmovdqu64 RP_VIN+1792(%rdi), %zmm28
	vmovdqu64 RP_VIN+1856(%rdi), %zmm29
	vmovdqu64 RP_VIN+1920(%rdi), %zmm30
	vmovdqu64 RP_VIN+1984(%rdi), %zmm31
	kmovq RP_KIN+0(%rdi), %k0
	kmovq RP_KIN+8(%rdi), %k1
	kmovq RP_KIN+16(%rdi), %k2
	kmovq RP_KIN+24(%rdi), %k3
	kmovq RP_KIN+32(%rdi), %k4
	kmovq RP_KIN+40(%rdi), %k5
	kmovq RP_KIN+48(%rdi), %k6
	kmovq RP_KIN+56(%rdi), %k7
4:	ldmxcsr RP_MXCSR_IN(%rdi)
	fldcw RP_FCW_IN(%rdi)
	fldl RP_ST0_IN(%rdi)
	pushq RP_FLAGS_IN(%rdi)
	popfq
	/* from here on only mov: the flags stay as set, nothing is pushed */
	mov RP_RZ_IN+0(%rdi), %rax
	mov %rax, -8(%rsp)
	mov RP_RZ_IN+8(%rdi), %rax
	mov %rax, -16(%rsp)
	mov RP_RZ_IN+16(%rdi), %rax
	mov %rax, -24(%rsp)
	mov RP_RZ_IN+24(%rdi), %rax
	mov %rax, -32(%rsp)
	mov RP_RZ_IN+32(%rdi), %rax
	mov %rax, -40(%rsp)
	mov RP_RZ_IN+40(%rdi), %rax
	mov %rax, -48(%rsp)
	mov RP_RZ_IN+48(%rdi), %rax
	mov %rax, -56(%rsp)
	mov RP_RZ_IN+56(%rdi), %rax
	mov %rax, -64(%rsp)
	mov RP_RZ_IN+64(%rdi), %rax
	mov %rax, -72(%rsp)
	mov RP_RZ_IN+72(%rdi), %rax
	mov %rax, -80(%rsp)
	mov RP_RZ_IN+80(%rdi), %rax
	mov %rax, -88(%rsp)
	mov RP_RZ_IN+88(%rdi), %rax
	mov %rax, -96(%rsp)
	mov RP_RZ_IN+96(%rdi), %rax
	mov %rax, -104(%rsp)
	mov RP_RZ_IN+104(%rdi), %rax
	mov %rax, -112(%rsp)
	mov RP_RZ_IN+112(%rdi), %rax
	mov %rax, -120(%rsp)
	mov RP_RZ_IN+120(%rdi), %rax
	mov %rax, -128(%rsp)
	mov RP_GIN+0(%rdi), %rbx
	mov RP_GIN+8(%rdi), %rdx
	mov RP_GIN+16(%rdi), %rsi
	mov RP_GIN+24(%rdi), %rbp
	mov RP_GIN+32(%rdi), %r8
	mov RP_GIN+40(%rdi), %r9
	mov RP_GIN+48(%rdi), %r10
	mov RP_GIN+56(%rdi), %r12
	mov RP_GIN+64(%rdi), %r13
	mov RP_GIN+72(%rdi), %r14
	mov RP_GIN+80(%rdi), %r15
	.globl rw_probe_site
rw_probe_site:
	mov $39, %eax
	syscall
	mov %rbx, RP_GOUT+0(%rdi)
	mov %rdx, RP_GOUT+8(%rdi)
	mov %rsi, RP_GOUT+16(%rdi)
	mov %rbp, RP_GOUT+24(%rdi)
	mov %r8, RP_GOUT+32(%rdi)
	mov %r9, RP_GOUT+40(%rdi)
	mov %r10, RP_GOUT+48(%rdi)
	mov %r12, RP_GOUT+56(%rdi)
	mov %r13, RP_GOUT+64(%rdi)
	mov %r14, RP_GOUT+72(%rdi)
	mov %r15, RP_GOUT+80(%rdi)
	mov %rdi, RP_GOUT+88(%rdi)
	mov -8(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+0(%rdi)
	mov -16(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+8(%rdi)
	mov -24(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+16(%rdi)
	mov -32(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+24(%rdi)
	mov -40(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+32(%rdi)
	mov -48(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+40(%rdi)
	mov -56(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+48(%rdi)
	mov -64(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+56(%rdi)
	mov -72(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+64(%rdi)
	mov -80(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+72(%rdi)
	mov -88(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+80(%rdi)
	mov -96(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+88(%rdi)
	mov -104(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+96(%rdi)
	mov -112(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+104(%rdi)
	mov -120(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+112(%rdi)
	mov -128(%rsp), %rcx
	mov %rcx, RP_RZ_OUT+120(%rdi)
	mov %rax, RP_RET(%rdi)
	pushfq
	popq RP_FLAGS_OUT(%rdi)
	/* DF: lodsb steps rsi by +1 or -1 */
	lea RP_FLAGS_OUT(%rdi), %rsi
	mov %rsi, %rdx
	lodsb
	sub %rdx, %rsi
	mov %rsi, RP_DF(%rdi)
	cld
	stmxcsr RP_MXCSR_OUT(%rdi)
	fnstcw RP_FCW_OUT(%rdi)
	fstpl RP_ST0_OUT(%rdi)
	mov RP_RSP(%rdi), %rcx
	sub %rsp, %rcx
	mov %rcx, RP_RSP(%rdi)
	mov RP_LEVEL(%rdi), %eax
	cmp $2, %eax
	je 3f
	cmp $1, %eax
	je 2f
	movdqu %xmm0, RP_VOUT+0(%rdi)
	movdqu %xmm1, RP_VOUT+64(%rdi)
	movdqu %xmm2, RP_VOUT+128(%rdi)
	movdqu %xmm3, RP_VOUT+192(%rdi)
	movdqu %xmm4, RP_VOUT+256(%rdi)
	movdqu %xmm5, RP_VOUT+320(%rdi)
	movdqu %xmm6, RP_VOUT+384(%rdi)
	movdqu %xmm7, RP_VOUT+448(%rdi)
	movdqu %xmm8, RP_VOUT+512(%rdi)
	movdqu %xmm9, RP_VOUT+576(%rdi)
	movdqu %xmm10, RP_VOUT+640(%rdi)
	movdqu %xmm11, RP_VOUT+704(%rdi)
	movdqu %xmm12, RP_VOUT+768(%rdi)
	movdqu %xmm13, RP_VOUT+832(%rdi)
	movdqu %xmm14, RP_VOUT+896(%rdi)
	movdqu %xmm15, RP_VOUT+960(%rdi)
	jmp 4f
2:
	vmovdqu %ymm0, RP_VOUT+0(%rdi)
	vmovdqu %ymm1, RP_VOUT+64(%rdi)
	vmovdqu %ymm2, RP_VOUT+128(%rdi)
	vmovdqu %ymm3, RP_VOUT+192(%rdi)
	vmovdqu %ymm4, RP_VOUT+256(%rdi)
	vmovdqu %ymm5, RP_VOUT+320(%rdi)
	vmovdqu %ymm6, RP_VOUT+384(%rdi)
	vmovdqu %ymm7, RP_VOUT+448(%rdi)
	vmovdqu %ymm8, RP_VOUT+512(%rdi)
	vmovdqu %ymm9, RP_VOUT+576(%rdi)
	vmovdqu %ymm10, RP_VOUT+640(%rdi)
	vmovdqu %ymm11, RP_VOUT+704(%rdi)
	vmovdqu %ymm12, RP_VOUT+768(%rdi)
	vmovdqu %ymm13, RP_VOUT+832(%rdi)
	vmovdqu %ymm14, RP_VOUT+896(%rdi)
	vmovdqu %ymm15, RP_VOUT+960(%rdi)
	vzeroupper
	jmp 4f
3:
	vmovdqu64 %zmm0, RP_VOUT+0(%rdi)
	vmovdqu64 %zmm1, RP_VOUT+64(%rdi)
	vmovdqu64 %zmm2, RP_VOUT+128(%rdi)
	vmovdqu64 %zmm3, RP_VOUT+192(%rdi)
	vmovdqu64 %zmm4, RP_VOUT+256(%rdi)
	vmovdqu64 %zmm5, RP_VOUT+320(%rdi)
	vmovdqu64 %zmm6, RP_VOUT+384(%rdi)
	vmovdqu64 %zmm7, RP_VOUT+448(%rdi)
	vmovdqu64 %zmm8, RP_VOUT+512(%rdi)
	vmovdqu64 %zmm9, RP_VOUT+576(%rdi)
	vmovdqu64 %zmm10, RP_VOUT+640(%rdi)
	vmovdqu64 %zmm11, RP_VOUT+704(%rdi)
	vmovdqu64 %zmm12, RP_VOUT+768(%rdi)
	vmovdqu64 %zmm13, RP_VOUT+832(%rdi)
	vmovdqu64 %zmm14, RP_VOUT+896(%rdi)
	vmovdqu64 %zmm15, RP_VOUT+960(%rdi)
	vmovdqu64 %zmm16, RP_VOUT+1024(%rdi)
	vmovdqu64 %zmm17, RP_VOUT+1088(%rdi)
	vmovdqu64 %zmm18, RP_VOUT+1152(%rdi)
	vmovdqu64 %zmm19, RP_VOUT+1216(%rdi)
	vmovdqu64 %zmm20, RP_VOUT+1280(%rdi)
	vmovdqu64 %zmm21, RP_VOUT+1344(%rdi)
	vmovdqu64 %zmm22, RP_VOUT+1408(%rdi)
	vmovdqu64 %zmm23, RP_VOUT+1472(%rdi)
	vmovdqu64 %zmm24, RP_VOUT+1536(%rdi)
	vmovdqu64 %zmm25, RP_VOUT+1600(%rdi)
	vmovdqu64 %zmm26, RP_VOUT+1664(%rdi)
	vmovdqu64 %zmm27, RP_VOUT+1728(%rdi)
	vmovdqu64 %zmm28, RP_VOUT+1792(%rdi)
	vmovdqu64 %zmm29, RP_VOUT+1856(%rdi)
	vmovdqu64 %zmm30, RP_VOUT+1920(%rdi)
	vmovdqu64 %zmm31, RP_VOUT+1984(%rdi)
	kmovq %k0, RP_KOUT+0(%rdi)
	kmovq %k1, RP_KOUT+8(%rdi)
	kmovq %k2, RP_KOUT+16(%rdi)
	kmovq %k3, RP_KOUT+24(%rdi)
	kmovq %k4, RP_KOUT+32(%rdi)
	kmovq %k5, RP_KOUT+40(%rdi)
	kmovq %k6, RP_KOUT+48(%rdi)
	kmovq %k7, RP_KOUT+56(%rdi)
	vzeroupper
4:	movl $0x1f80, RP_SCRATCH(%rdi)
	ldmxcsr RP_SCRATCH(%rdi)
	fninit
	mov RP_RET(%rdi), %rax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size rw_probe, . - rw_probe

	.section .note.GNU-stack, "", @progbits
