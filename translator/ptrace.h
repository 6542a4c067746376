/* SPDX-License-Identifier: MIT */
/* ptrace between guest processes, served by lxrun's kernel (translator/sys/sys_ptrace.c). */
#ifndef LXRUN_TRANSLATOR_PTRACE_H
#define LXRUN_TRANSLATOR_PTRACE_H

#include <signal.h>
#include <stdint.h>

struct lx_thread;
struct lx_regs;
struct lx_syscall;

/* Nonzero while some thread of this process is traced: every signal is then taken by lxrun
 * (a tracer sees even the ignored and default ones), see lx_signal_host_disposition. */
extern int lx_ptrace_force;

/* Tracee side, called only when t->pt is set. */
/* Before a syscall is served: the syscall-enter-stop. Returns nonzero when the tracer
 * skipped the call (orig_rax -1): regs->rax is then the result. *nr: the (new) number. */
int lx_ptrace_syscall_enter(struct lx_thread *t, struct lx_regs *regs, void *fpstate, long *nr);
/* After it: the syscall-exit-stop (or a new auto-attached child's first stop). */
void lx_ptrace_syscall_exit(struct lx_thread *t, struct lx_regs *regs, void *fpstate, long nr);
/* Signal-delivery-stop for sig (info: 128 bytes, may be rewritten; nr: the syscall it ends,
 * or -1, for orig_rax): the signal to deliver
 * instead, 0 when the tracer suppressed it. */
int lx_ptrace_signal(struct lx_thread *t, int sig, void *info, long nr, struct lx_regs *regs,
		     void *fpstate);
/* At a signal delivery point: the job-control trap a tracee owes its tracer (PTRACE_INTERRUPT,
 * a SIGCONT's notice to a seized tracee, the group stop it was attached in), if any; 1 when
 * it stopped. */
int lx_ptrace_pending_stop(struct lx_thread *t, long nr, struct lx_regs *regs, void *fpstate);
/* A SIGCONT reaches lxrun's handler: 1 when it is lxrun's own wake-up of a stopped tracee
 * (not the guest's); otherwise the group stop of a traced process ends here. */
int lx_ptrace_sigcont(siginfo_t *si);
/* A default stop action (SIGSTOP, SIGTSTP...) of a tracee: a group-stop the tracer sees. */
void lx_ptrace_group_stop(struct lx_thread *t, int sig, struct lx_regs *regs, void *fpstate);

/* Process events (cheap no-ops when nothing is traced). */
/* fork/vfork/clone: before the host fork (returns a cookie), and after it in each side. */
int lx_ptrace_fork_prepare(struct lx_thread *t, uint64_t flags);
void lx_ptrace_fork_parent(struct lx_thread *t, int cookie, int pid, struct lx_regs *regs);
void lx_ptrace_fork_child(struct lx_thread *t, int cookie);
/* A vfork parent released by its child (exec or exit): PTRACE_EVENT_VFORK_DONE. */
void lx_ptrace_vfork_done(struct lx_thread *t, int pid, struct lx_regs *regs);
/* A new thread auto-attached (PTRACE_O_TRACECLONE; cookie from lx_ptrace_fork_prepare):
 * its first stop, before it runs. */
void lx_ptrace_thread_start(struct lx_thread *t, int cookie, struct lx_regs *regs);
/* exit/exit_group (code: the exit status; process: the whole process ends) and death by a
 * signal (sig). */
void lx_ptrace_exit(struct lx_thread *t, int code, int process);
void lx_ptrace_killed(int sig);
/* execve: the state the new image needs (";ptrace=..." or ""), and its restore. */
const char *lx_ptrace_exec_state(void);
void lx_ptrace_exec_failed(void);
void lx_ptrace_exec_restore(const char *state);
/* The new image is about to enter the guest: the exec stops. */
void lx_ptrace_exec_start(struct lx_thread *t, struct lx_regs *regs);
/* kill/tgkill/tkill of sig to target (self: the caller itself). A tracee's SIGSTOP to itself
 * is queued as the guest's (returns 1), not the host's, whose stop the tracer would not see. */
int lx_ptrace_kill(struct lx_thread *t, int target, int self, int sig);

/* A host SIGTRAP sent by lxrun's ptrace (SI_QUEUE with its magic): 0 consumed, a signal
 * number to treat the arrival as (si rewritten), or -1 when it is not ours. */
int lx_ptrace_host_signal(siginfo_t *si, void *uc, int from_guest);

/* /proc/PID/FILE (p: "/PID/FILE") of a tracee, for what the host's /proc would show of
 * lxrun rather than of the guest: its auxv. Malloc'd data, or NULL (the host's then). */
char *lx_ptrace_proc_file(const char *p, size_t *len);

/* Tracer side: wait4/waitid, nonzero handled (*r set) when this process traces anyone. */
int lx_ptrace_wait4(struct lx_syscall *sc, long *r);
int lx_ptrace_waitid(struct lx_syscall *sc, long *r);
/* Around the host's wait4/waitid of a process that traces nobody yet: a tracee's "you are a
 * tracer now" makes it return EINTR, so that lx_ptrace_wait4/waitid look at the stops. */
void lx_ptrace_host_wait(int on);

#endif
