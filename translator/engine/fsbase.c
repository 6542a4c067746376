/* SPDX-License-Identifier: MIT */
/* Picks the FS/GS stub set once (FSGSBASE instructions or arch_prctl) and sets GS bases. */
#include "translator/engine/fsbase.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "translator/thread.h"

_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_RIP]) == 168, "UC_RIP in entry.S");
_Static_assert(offsetof(ucontext_t, uc_mcontext.gregs[REG_RSP]) == 160, "UC_RSP in entry.S");

#define DECL_SET(v)                                                                              \
	extern void lx_sig_entry_##v(int, void *, void *);                                      \
	extern void lx_enter_guest_##v(const void *) __attribute__((noreturn));                 \
	extern const char lx_rewrite_tramp_##v[], lx_rewrite_tramp_check_##v[],                 \
		lx_rewrite_tramp_popf_##v[], lx_rewrite_tramp_lastsp_##v[],                     \
		lx_rewrite_tramp_jmp_##v[], lx_rewrite_tramp_redo_##v[],                        \
		lx_rewrite_tramp_end_##v[];                                                     \
	static const struct lx_tramp_labels tramp_##v = {                                       \
		lx_rewrite_tramp_##v, lx_rewrite_tramp_check_##v, lx_rewrite_tramp_popf_##v,    \
		lx_rewrite_tramp_lastsp_##v, lx_rewrite_tramp_jmp_##v, lx_rewrite_tramp_redo_##v, \
		lx_rewrite_tramp_end_##v}

DECL_SET(fsgsbase);
DECL_SET(sys);

struct lx_fsgs lx_fsgs;

/* The block of threads that are not guest threads: lx_sig_entry reads a NULL self there. */
static struct lx_thread *host_only_block[8] __attribute__((aligned(64)));

#define LINUX_ARCH_SET_GS 0x1001

void lx_gs_set(void *block)
{
	void *b = block ? block : (void *)host_only_block;
	if (lx_fsgs.mode == LX_FSGS_INSN)
		__asm__ volatile("wrgsbase %0" ::"r"(b) : "memory");
	else
		syscall(SYS_arch_prctl, LINUX_ARCH_SET_GS, b);
}

int lx_fsgs_init(const char **why)
{
	if (lx_fsgs.name)
		return 0;
	/* LXRUN_FSGS=auto|fsgsbase|arch_prctl; LXRUN_FORCE_NO_FSGSBASE=1 means arch_prctl. */
	const char *want = getenv("LXRUN_FSGS"), *force = getenv("LXRUN_FORCE_NO_FSGSBASE");
	if (!want || !*want)
		want = force && *force && strcmp(force, "0") != 0 ? "arch_prctl" : "auto";
	int have = (getauxval(AT_HWCAP2) & 2) != 0; /* HWCAP2_FSGSBASE */
	if (strcmp(want, "auto") && strcmp(want, "fsgsbase") && strcmp(want, "arch_prctl")) {
		*why = "LXRUN_FSGS must be auto, fsgsbase or arch_prctl";
		return -LINUX_EINVAL;
	}
	if (!strcmp(want, "fsgsbase") && !have) {
		*why = "LXRUN_FSGS=fsgsbase, but the CPU or kernel does not enable FSGSBASE";
		return -LINUX_ENOSYS;
	}
	if (have && strcmp(want, "arch_prctl")) {
		lx_fsgs = (struct lx_fsgs){LX_FSGS_INSN, "fsgsbase", "the CPU and kernel enable FSGSBASE",
					   lx_sig_entry_fsgsbase, lx_enter_guest_fsgsbase,
					   &tramp_fsgsbase};
	} else {
		lx_fsgs = (struct lx_fsgs){LX_FSGS_SYSCALL, "arch_prctl",
					   have ? "chosen by LXRUN_FSGS or LXRUN_FORCE_NO_FSGSBASE"
						: "the CPU or kernel does not enable FSGSBASE",
					   lx_sig_entry_sys, lx_enter_guest_sys, &tramp_sys};
	}
	/* Before any handler of ours can run on this thread: it reads %gs:0. */
	lx_gs_set(NULL);
	return 0;
}

const struct lx_tramp_labels *lx_tramp_find(uint64_t rip)
{
	const struct lx_tramp_labels *t = lx_fsgs.tramp;
	if (t && rip >= (uint64_t)t->start && rip < (uint64_t)t->end)
		return t;
	return NULL;
}

void lx_enter_guest(const struct lx_regs *regs)
{
	lx_fsgs.enter_guest(regs);
}
