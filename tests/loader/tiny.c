/* SPDX-License-Identifier: MIT */
/* Guest program for the loader tests: prints what it was started with, to compare native vs loaded. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static char big_bss[1 << 16];
static int data_word = 0x5a5a;
extern char _start[];

static const char *check_phdr(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	int loads = 0;

	if (!ph || getauxval(AT_PHENT) != sizeof(*ph))
		return "bad";
	for (unsigned long i = 0; i < n; i++)
		loads += ph[i].p_type == PT_LOAD;
	return loads ? "ok" : "no-load";
}

int main(int argc, char **argv, char **envp)
{
	int clean = 1;

	for (size_t i = 0; i < sizeof(big_bss); i++)
		clean &= big_bss[i] == 0;
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	for (int i = 0; envp[i]; i++)
		printf("env[%d]=%s\n", i, envp[i]);
	printf("bss=%s data=%s\n", clean ? "zero" : "dirty", data_word == 0x5a5a ? "ok" : "bad");
	printf("execfn=%s platform=%s pagesz=%lu clktck=%lu secure=%lu\n",
	       (const char *)getauxval(AT_EXECFN), (const char *)getauxval(AT_PLATFORM),
	       getauxval(AT_PAGESZ), getauxval(AT_CLKTCK), getauxval(AT_SECURE));
	printf("phdr=%s entry=%s random=%s\n", check_phdr(),
	       getauxval(AT_ENTRY) == (uintptr_t)_start ? "ok" : "bad",
	       getauxval(AT_RANDOM) ? "ok" : "missing");
	return 7;
}
