/* SPDX-License-Identifier: MIT */
/* Guest signals: queueing, delivery with a Linux signal frame, sigreturn, restart rules. */
#ifndef LXRUN_TRANSLATOR_SIGNAL_GUEST_H
#define LXRUN_TRANSLATOR_SIGNAL_GUEST_H

#include <stdint.h>

#include "translator/thread.h"

/* Queue sig for thread t (info: a 128-byte siginfo, or NULL for a kill-style one). */
void lx_signal_queue(struct lx_thread *t, int sig, const void *info);
/* Dequeue one pending instance of sig into info (128 bytes, or NULL): the bit in t->pending
 * stays set while a realtime signal has more instances queued. */
void lx_signal_take(struct lx_thread *t, int sig, void *info);
/* Forget every pending instance of sig (SIG_IGN). */
void lx_signal_discard(struct lx_thread *t, int sig);

/* Deliverable now? (pending and not blocked) */
static inline int lx_signal_pending(const struct lx_thread *t)
{
	return (t->pending & ~t->sigmask) != 0;
}

/*
 * At a syscall's end (nr: the syscall, regs->rax its result) or when the guest was
 * interrupted (nr < 0): apply restart rules, then deliver every deliverable signal by
 * building frames on the guest stack. fpstate: the guest's FP area (kernel signal-frame
 * format) or NULL.
 */
void lx_signal_deliver(struct lx_thread *t, long nr, struct lx_regs *regs, void *fpstate);

/* rt_sigreturn: restore regs (and the FP area) from the frame at regs->rsp. Returns the
 * restored rax, or a negative errno (the guest is then killed with SIGSEGV, as Linux does). */
long lx_signal_return(struct lx_thread *t, struct lx_regs *regs, void *fpstate);

/* Install or remove the host handler behind a guest disposition. */
void lx_signal_host_disposition(int sig, uint64_t handler, uint64_t flags);

/* The guest's ignored and caught signals as /proc/PID/status's SigIgn and SigCgt masks. */
void lx_signal_dispositions(uint64_t *ign, uint64_t *cgt);

/* The host signal mask that stands for a guest mask (lxrun's own signals stay open). */
uint64_t lx_signal_host_mask(uint64_t guest_mask);
/* Make the host mask of the calling thread follow t->sigmask (through t->cur_uc when set). */
void lx_signal_sync_mask(struct lx_thread *t);

/* ppoll/pselect6/epoll_pwait: the guest mask for the duration of a wait. begin returns the
 * host mask to hand to the kernel's own *_pwait call (which applies it atomically); end puts
 * the old mask back unless a signal is about to be delivered (its frame carries the old one). */
uint64_t lx_signal_wait_mask_begin(struct lx_thread *t, uint64_t mask);
void lx_signal_wait_mask_end(struct lx_thread *t);

/* Number of guest handlers installed (while 0, syscalls need no signal bookkeeping). */
extern int lx_signal_handlers;

#endif
