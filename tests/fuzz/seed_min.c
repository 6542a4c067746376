/* SPDX-License-Identifier: MIT */
/* The smallest useful seed for the ELF fuzzer: a static program that only calls exit(0). */
void _start(void);

void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
	__builtin_unreachable();
}
