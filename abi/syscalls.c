/* SPDX-License-Identifier: MIT */
/* Expands syscalls.def into the lookup table. */
#include "abi/syscalls.h"

#include <stddef.h>
#include <string.h>

#define ABI_LEVEL_NONE ABI_NONE
#define ABI_LEVEL_STUB ABI_STUB
#define ABI_LEVEL_PARTIAL ABI_PARTIAL
#define ABI_LEVEL_FULL ABI_FULL

const struct abi_syscall abi_syscalls[] = {
#define SYSCALL(nr, name_, arity_, level_, note_, sig_)                                          \
	[nr] = {.name = #name_, .arity = (arity_), .level = ABI_LEVEL_##level_, .note = (note_),   \
		.sig = (sig_)},
#include "abi/syscalls.def"
#undef SYSCALL
};

const unsigned abi_nr_max = sizeof(abi_syscalls) / sizeof(abi_syscalls[0]);

const struct abi_syscall *abi_syscall(long nr)
{
	if (nr < 0 || (unsigned long)nr >= abi_nr_max || !abi_syscalls[nr].name)
		return NULL;
	return &abi_syscalls[nr];
}

long abi_syscall_lookup(const char *name)
{
	for (unsigned i = 0; i < abi_nr_max; i++)
		if (abi_syscalls[i].name && strcmp(abi_syscalls[i].name, name) == 0)
			return i;
	return -1;
}

const char *abi_level_name(enum abi_level level)
{
	static const char *const names[] = {"none", "stub", "partial", "full"};
	return (unsigned)level < 4 ? names[level] : "?";
}
