/* SPDX-License-Identifier: MIT */
/* How the entry stubs switch between the guest's and the translator's FS/GS: chosen once. */
#ifndef LXRUN_TRANSLATOR_ENGINE_FSBASE_H
#define LXRUN_TRANSLATOR_ENGINE_FSBASE_H

#include <stdint.h>

/*
 * Two stub sets (entry.S, rewrite_entry.S), one picked at start-up:
 *  - fsgsbase: rdfsbase/wrfsbase, where the CPU and kernel enable them (AT_HWCAP2);
 *  - arch_prctl: ARCH_SET_FS from the SUD-allowed range, everywhere else. The guest FS is
 *    kept in the thread block (never read back) and TLS-free syscalls skip the switch.
 * LXRUN_FSGS=fsgsbase|arch_prctl in the environment asks for one (tests run both on hosts
 * that have FSGSBASE); LXRUN_FORCE_NO_FSGSBASE=1 is the same as LXRUN_FSGS=arch_prctl.
 */
enum lx_fsgs_mode { LX_FSGS_INSN, LX_FSGS_SYSCALL };

struct lx_tramp_labels {
	const char *start, *check, *popf, *lastsp, *jmp, *redo, *end;
};

struct lx_fsgs {
	enum lx_fsgs_mode mode;
	const char *name;      /* "fsgsbase" or "arch_prctl" */
	const char *why;       /* why this one: "AT_HWCAP2 has FSGSBASE", ... */
	void (*sig_entry)(int, void *, void *);
	void (*enter_guest)(const void *regs) __attribute__((noreturn));
	const struct lx_tramp_labels *tramp; /* the rewrite trampoline of this set */
};

extern struct lx_fsgs lx_fsgs;

/* Pick the stub set and point the calling thread's GS at the host-only block. Idempotent.
 * 0, or a negative errno with *why set (an unknown LXRUN_FSGS, or fsgsbase asked for and
 * missing). */
int lx_fsgs_init(const char **why);
/* Point the calling thread's GS base at block (NULL: the host-only block). */
void lx_gs_set(void *block);
/* The calling thread's own FS base (glibc's TCB points at itself). */
static inline uint64_t lx_fs_self(void)
{
	uint64_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

/* Are the trampolines' labels inside either set's range? */
const struct lx_tramp_labels *lx_tramp_find(uint64_t rip);

#endif
