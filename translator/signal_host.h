/* SPDX-License-Identifier: MIT */
/* Host signal plumbing: every host handler enters through lx_sig_entry (entry.S). */
#ifndef LXRUN_TRANSLATOR_SIGNAL_HOST_H
#define LXRUN_TRANSLATOR_SIGNAL_HOST_H

#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

/* Install the translator's handlers (SIGSYS, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP)
 * with the raw rt_sigaction so that our own restorer (inside the SUD-allowed range) is used. */
int lx_signals_init(void);

/* Called from lx_sig_entry with the translator's FS and the selector on ALLOW. */
void lx_signal_dispatch(int sig, siginfo_t *si, void *uctx, int from_guest);

/* What a fatal guest signal prints before lxrun dies with it (set by the cli). */
typedef void (*lx_fatal_hook)(int sig, const siginfo_t *si, const void *uctx);
void lx_signals_set_fatal_hook(lx_fatal_hook hook);
/* Call the fatal hook, if set (an engine that finds a fatal fault outside a host handler). */
void lx_signal_fatal(int sig, const siginfo_t *si, const void *uctx);

/* Called on every SUD trap before the syscall is served (the rewrite engine patches the
 * site here). */
typedef void (*lx_trap_hook)(siginfo_t *si, void *uctx);
void lx_signals_set_trap_hook(lx_trap_hook hook);

/* Called on every host signal but a SUD trap, before anything else: non-zero if the hook
 * handled it. The rewrite engine restarts a thread that met a site half-patched (SIGTRAP),
 * and queues a signal that interrupted its trampoline (no guest context to deliver into). */
typedef int (*lx_fault_hook)(int sig, siginfo_t *si, void *uctx);
void lx_signals_set_fault_hook(lx_fault_hook hook);

struct lx_regs;
/* The guest registers of a host signal frame, and back. */
void lx_regs_from_uc(struct lx_regs *r, const ucontext_t *uc);
void lx_regs_to_uc(ucontext_t *uc, const struct lx_regs *r);

/* The guest context in uc is about to resume: deliver the deliverable signals of t into it. */
struct lx_thread;
void lx_signal_deliver_uc(struct lx_thread *t, void *uc);

/* Tell the SIGSYS handler which signals have guest handlers (a Linux signal-bit mask). */
void lx_signals_guest_mask(uint64_t handled);

/* Die with sig as the guest would: default action, so the parent sees WTERMSIG == sig. */
__attribute__((noreturn)) void lx_die_by_signal(int sig);
/* Stop the process by stop signal SIG, as its default action would (returns once continued,
 * or at once where Linux discards it: an orphaned process group). */
void lx_stop_by_signal(int sig);
/* Does sig's default action dump core? */
int lx_signal_dumps_core(int sig);
/* The same at the guest's registers r (a core dump shows the guest's state). */
struct lx_regs;
__attribute__((noreturn)) void lx_die_by_signal_at(int sig, const struct lx_regs *r);

#endif
