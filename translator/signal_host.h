/* SPDX-License-Identifier: MIT */
/* Host signal plumbing: every host handler enters through lx_sig_entry (entry.S). */
#ifndef LXRUN_TRANSLATOR_SIGNAL_HOST_H
#define LXRUN_TRANSLATOR_SIGNAL_HOST_H

#include <signal.h>

/* Install the translator's handlers (SIGSYS, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP)
 * with the raw rt_sigaction so that our own restorer (inside the SUD-allowed range) is used. */
int lx_signals_init(void);

/* Called from lx_sig_entry with the translator's FS and the selector on ALLOW. */
void lx_signal_dispatch(int sig, siginfo_t *si, void *uctx, int from_guest);

/* What a fatal guest signal prints before lxrun dies with it (set by the cli). */
typedef void (*lx_fatal_hook)(int sig, const siginfo_t *si, const void *uctx);
void lx_signals_set_fatal_hook(lx_fatal_hook hook);

/* Die with sig as the guest would: default action, so the parent sees WTERMSIG == sig. */
__attribute__((noreturn)) void lx_die_by_signal(int sig);

#endif
