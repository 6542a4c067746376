/* SPDX-License-Identifier: MIT */
/* TLS-free syscall handlers: served on the guest's FS, with no vector register touched. */
#ifndef LXRUN_TRANSLATOR_FASTPATH_H
#define LXRUN_TRANSLATOR_FASTPATH_H

#include <stdint.h>

#include "translator/thread_layout.h"

struct lx_thread;
struct lx_regs;

/*
 * A fast handler serves the syscall in regs (number, arguments) and puts the result in
 * regs->rax (returns 1), or declines without side effects (returns 0) and the ordinary path
 * serves it. Fast handlers run with the guest's FS base loaded and the guest's vector
 * registers live, so they are compiled without stack protector and with general registers
 * only, call nothing in libc (no errno, no malloc), and make host syscalls through the
 * SUD-allowed range. tests/translator/fastpath_check.sh holds the object file to that.
 * flags: LX_FAST_IN_SIGSYS when called from the SIGSYS handler, whose mask blocks the
 * guest's handled signals (so nothing that can block is served there while there are any).
 */
typedef int (*lx_fast_fn)(struct lx_thread *t, struct lx_regs *regs, int flags);
#define LX_FAST_IN_SIGSYS 1

/* Indexed by syscall number; NULL: no fast path. Read by the rewrite trampoline. */
extern lx_fast_fn lx_fast_handlers[LX_FAST_NR];
/* Nonzero: the SIGSYS entry stub tries the fast handlers first (the sud engine). */
extern uint8_t lx_sud_fast;

/* Fill the table unless every syscall must be seen (--trace, --stats). sud: also serve SUD
 * traps through it (the rewrite engine's traps go to its patching hook instead). */
void lx_fastpath_init(int enable, int sud);
/* Is nr served by a fast handler (for docs and --help)? */
int lx_fastpath_has(long nr);

#endif
