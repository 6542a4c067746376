/* SPDX-License-Identifier: MIT */
/* Syscall sites of the rewrite engine's SYS shape (any site but mov $nr,%eax / xor %eax,%eax
 * before the syscall): the number comes from a register, as in glibc's syscall() and Go's
 * Syscall6. What follows each syscall differs: see rewrite_sys.c. */
	.text

	/* long sys_cmp(long nr, long a1, long a2, long a3): syscall; cmp $-4095,%rax */
	.globl sys_cmp
	.type sys_cmp, @function
sys_cmp:
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	syscall
sys_cmp_tail:
	cmp $-4095, %rax
	jae 1f
	ret
1:	ret
	.size sys_cmp, . - sys_cmp

	/* long sys_cmp_jump(long v): jumps to the instruction after sys_cmp's syscall with
	 * rax = v, as a loop back to it would; returns v */
	.globl sys_cmp_jump
	.type sys_cmp_jump, @function
sys_cmp_jump:
	mov %rdi, %rax
	jmp sys_cmp_tail
	.size sys_cmp_jump, . - sys_cmp_jump

	/* long sys_mov(long nr, long a1): syscall; mov %rax,%rdx (three bytes) */
	.globl sys_mov
	.type sys_mov, @function
sys_mov:
	mov %rdi, %rax
	mov %rsi, %rdi
	syscall
	mov %rax, %rdx
	mov %rdx, %rax
	ret
	.size sys_mov, . - sys_mov

	/* long sys_rip(long nr): syscall; mov %rax,sys_last(%rip) (RIP-relative) */
	.globl sys_rip
	.type sys_rip, @function
sys_rip:
	mov %rdi, %rax
	syscall
	mov %rax, sys_last(%rip)
	ret
	.size sys_rip, . - sys_rip

	/* long sys_short(long nr): syscall; test %eax,%eax (two bytes: stays on SUD) */
	.globl sys_short
	.type sys_short, @function
sys_short:
	mov %rdi, %rax
	syscall
	test %eax, %eax
	ret
	.size sys_short, . - sys_short

	.data
	.globl sys_last
	.balign 8
sys_last:
	.quad 0

	.section .note.GNU-stack, "", @progbits
