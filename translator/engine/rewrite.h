/* SPDX-License-Identifier: MIT */
/* The rewrite engine's internals shared between its C part and its trampoline (rewrite_entry.S). */
#ifndef LXRUN_TRANSLATOR_ENGINE_REWRITE_H
#define LXRUN_TRANSLATOR_ENGINE_REWRITE_H

#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

struct lx_thread;
struct lx_regs;

/*
 * The trampoline (one per FS/GS stub set, struct lx_tramp_labels in fsbase.h): a host signal
 * whose rip is inside [start, end) interrupted the translator's entry or exit, not the guest,
 * whatever the SUD selector says. From check on, an interrupted thread is sent back to redo
 * (which re-reads the pending set) rather than resumed where it was; the exit's last three
 * instructions (popf; lastsp: load the guest rsp; jmp) are completed, not rewound.
 */
#include "translator/engine/fsbase.h"

/* Read by the trampoline: XCR0's features, the XSAVE area size for them (CPUID 0xD), how far
 * below the top of the host stack its register file starts (frame_off, from rsp after the
 * rflags push), the host's MXCSR, and how the fast mode stores vector registers (0: it is
 * off, 1: xmm0-15, 2: ymm0-15, 3: zmm0-31 and k0-7). */
extern uint64_t lx_rewrite_xsave_mask;
extern uint64_t lx_rewrite_xsave_size;
extern uint64_t lx_rewrite_frame_off;
extern uint32_t lx_rewrite_mxcsr_default;
extern uint8_t lx_rewrite_fast_level;

/* Called by the trampoline on the host stack with the host FS: serve one patched syscall. */
void lx_rewrite_serve(struct lx_thread *t, struct lx_regs *regs, void *xsave);
/* Called by the trampoline when a signal is deliverable after the syscall was served (nr: the
 * syscall whose result regs->rax holds, for the restart rules, or -1 when those were applied). */
void lx_rewrite_deliver(struct lx_thread *t, struct lx_regs *regs, void *xsave, long nr);

/* Fill the xsave/fast-mode variables above from CPUID and XCR0: 0, or -LINUX_ENOSYS when
 * the trampoline cannot keep the vector state (then nothing is patched). */
int rewrite_cpu_probe(void);

/* rewrite_site.c: the SUD trap hook that patches sites, and the SIGTRAP/SIGILL handling of
 * threads that meet a site being or having been patched (1 if handled). */
void rewrite_site_trap(siginfo_t *si, void *uctx);
int rewrite_site_fault(int sig, siginfo_t *si, ucontext_t *uc);

/*
 * A host signal interrupted the trampoline (rip inside it): there is no guest context to
 * deliver into. Before the exit's last look at the pending set nothing is needed (returns
 * 1); after it the context is rewound to lx_rewrite_tramp_redo (returns 1), or, in the last
 * three instructions, completed into the guest's context (returns 0: deliver as usual).
 */
int lx_rewrite_signal_fixup(void *uctx);

/* Is rip inside the trampoline (see above)? */
static inline int lx_rewrite_in_trampoline(uint64_t rip)
{
	return lx_tramp_find(rip) != NULL;
}

#endif
