/* SPDX-License-Identifier: MIT */
/* lx_dispatch: the single entry of every trap engine into the syscall handlers. */
#include "translator/syscall.h"

#include <stdlib.h>

#include "abi/linux_errno.h"
#include "abi/syscalls.h"
#include "translator/fd.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/signal_guest.h"
#include "translator/stats.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/trace.h"

/* Unknown numbers are reported once each, so a noisy guest does not flood the trace. */
static uint8_t reported[1024 / 8];

static long unknown(struct lx_syscall *sc)
{
	unsigned long nr = (unsigned long)sc->nr;
	if (nr < sizeof(reported) * 8 && !(reported[nr / 8] & (1u << (nr % 8)))) {
		reported[nr / 8] |= (uint8_t)(1u << (nr % 8));
		lx_trace_unimplemented(sc);
	}
	return -LINUX_ENOSYS;
}

long lx_dispatch(struct lx_syscall *sc)
{
	lx_handler h = NULL;
	if ((unsigned long)sc->nr < lx_handlers_len)
		h = lx_handlers[sc->nr];
	int filtered = sc->t && sc->t->seccomp;
	if (!lx_proc.trace && !filtered)
		return h ? h(sc) : unknown(sc);

	long r;
	if (lx_proc.trace)
		lx_trace_enter(sc);
	if (!filtered || !lx_seccomp_check(sc, &r))
		r = h ? h(sc) : unknown(sc);
	if (lx_proc.trace)
		lx_trace_exit(sc, r);
	return r;
}

static void drop_holds(struct lx_thread *t)
{
	while (t->nheld > 0)
		lx_file_put(t->held[--t->nheld]);
}

void lx_syscall_entry(struct lx_thread *t, struct lx_regs *regs, void *fpstate)
{
	long nr = (long)regs->rax;
	/* a traced thread: the tracer may change the number and arguments, or skip the call */
	int skip = t->pt && lx_ptrace_syscall_enter(t, regs, fpstate, &nr);
	struct lx_syscall sc = {
		.nr = nr,
		.a = {regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9},
		.t = t,
		.regs = regs,
		.fpstate = fpstate,
	};
	lx_stats_syscall(sc.nr);
	if (!skip)
		regs->rax = (uint64_t)lx_dispatch(&sc);
	if (t->pt)
		lx_ptrace_syscall_exit(t, regs, fpstate, sc.nr);
	if (t->nheld)
		drop_holds(t);
	/* the fast path's open takes its files from here (it cannot malloc) */
	while (t->nspare < (int)(sizeof(t->spare) / sizeof(t->spare[0])) &&
	       !__atomic_load_n(&lx_threads_started, __ATOMIC_RELAXED)) {
		struct lx_file *f = calloc(1, sizeof(*f));
		if (!f)
			break;
		t->spare[t->nspare++] = f;
	}
	if (lx_signal_pending(t))
		lx_signal_deliver(t, sc.nr, regs, fpstate);
	lx_signal_sync_mask(t);
}
