/* SPDX-License-Identifier: MIT */
/* The x86-64 syscall table (expanded from syscalls.def): numbers, names, arity, support level. */
#ifndef LXRUN_ABI_SYSCALLS_H
#define LXRUN_ABI_SYSCALLS_H

#include <stdint.h>

enum abi_level {
	ABI_NONE = 0, /* not implemented: -ENOSYS */
	ABI_STUB,     /* accepted, does (almost) nothing, documented in the note */
	ABI_PARTIAL,  /* common cases work; the note says what does not */
	ABI_FULL,     /* Linux semantics */
};

/* LINUX_SYS_read = 0, ... one per row of syscalls.def. */
enum linux_sysno {
#define SYSCALL(nr, name, arity, level, note, sig) LINUX_SYS_##name = (nr),
#include "abi/syscalls.def"
#undef SYSCALL
};

struct abi_syscall {
	const char *name; /* NULL for numbers Linux never assigned */
	uint8_t arity;
	uint8_t level;    /* enum abi_level */
	const char *note;
	const char *sig;  /* trace signature, one letter per argument; see syscalls.def */
};

/* One past the highest syscall number in the table. */
extern const unsigned abi_nr_max;
extern const struct abi_syscall abi_syscalls[];

/* Row for nr, or NULL when nr is out of range or unassigned. */
const struct abi_syscall *abi_syscall(long nr);
/* Number for a name, or -1. */
long abi_syscall_lookup(const char *name);
const char *abi_level_name(enum abi_level level);

#endif
