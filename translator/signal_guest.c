/* SPDX-License-Identifier: MIT */
/* Guest signal delivery: Linux's rt_sigframe built on the guest stack, rt_sigreturn, the
 * SA_RESTART rules, default actions. */
#include "translator/signal_guest.h"

#include <signal.h>
#include <ucontext.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_signal.h"
#include "abi/syscalls.h"
#include "translator/engine/fsbase.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/signal_host.h"
#include "translator/syscall.h"
#include "translator/thread.h"

int lx_signal_handlers;

#define BIT(sig) (1ull << ((sig) - 1))
#define UNBLOCKABLE (BIT(LINUX_SIGKILL) | BIT(LINUX_SIGSTOP))

extern const char lx_sigreturn_restorer[];

struct host_ksigaction {
	uint64_t handler, flags, restorer, mask;
};

void lx_signal_host_disposition(int sig, uint64_t handler, uint64_t flags)
{
	struct host_ksigaction old, h = {0};
	/* a tracee's every signal goes through lxrun, to its tracer (an ignored SIGCHLD stays
	 * the host's: it means "no zombies") */
	int force = lx_ptrace_force && handler <= 1 && sig != SIGKILL && sig != SIGSTOP &&
		    !(sig == SIGCHLD && handler == 1);
	if (handler > 1 || force) {
		/* No SA_RESTART: a blocking host call must come back with EINTR so that the
		 * guest's own SA_RESTART decides. */
		h.handler = (uint64_t)lx_fsgs.sig_entry;
		h.flags = 0x04000000ul | 0x08000000ul | 0x4ul; /* RESTORER|ONSTACK|SIGINFO */
		h.flags |= flags & (LINUX_SA_NOCLDSTOP | LINUX_SA_NOCLDWAIT);
		h.restorer = (uint64_t)lx_sigreturn_restorer;
		h.mask = ~0ull;
	} else {
		h.handler = handler; /* SIG_DFL 0, SIG_IGN 1 */
		h.flags = flags & LINUX_SA_NOCLDWAIT;
	}
	if (syscall(SYS_rt_sigaction, sig, &h, &old, 8) == 0) {
		int was = old.handler == (uint64_t)lx_fsgs.sig_entry, now = handler > 1 || force;
		__atomic_add_fetch(&lx_signal_handlers, now - was, __ATOMIC_RELAXED);
		static uint64_t handled;
		handled = now ? handled | BIT(sig) : handled & ~BIT(sig);
		lx_signals_guest_mask(handled);
	}
}

/* The guest's blocked signals are blocked on the host too: a blocked signal then stays pending
 * in the kernel (and acts by default only once unblocked), exactly as on Linux. */
void lx_signal_dispositions(uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	for (int sig = 1; sig <= 64; sig++) {
		uint64_t h = lx_proc.sigactions[sig - 1].handler;
		if (h == 1)
			*ign |= 1ull << (sig - 1);
		else if (h > 1)
			*cgt |= 1ull << (sig - 1);
	}
}

uint64_t lx_signal_host_mask(uint64_t guest_mask)
{
	const uint64_t keep_open = BIT(SIGSYS) | BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) |
				   BIT(SIGFPE) | BIT(SIGTRAP) | UNBLOCKABLE;
	return guest_mask & ~keep_open;
}

void lx_signal_sync_mask(struct lx_thread *t)
{
	uint64_t want = lx_signal_host_mask(t->sigmask);
	if (want == t->host_applied)
		return;
	t->host_applied = want;
	if (t->cur_uc)
		memcpy(&((ucontext_t *)t->cur_uc)->uc_sigmask, &want, sizeof(want));
	else
		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &want, NULL, sizeof(want));
}

uint64_t lx_signal_wait_mask_begin(struct lx_thread *t, uint64_t mask)
{
	t->saved_mask = t->sigmask;
	t->has_saved_mask = 1;
	t->sigmask = mask & ~UNBLOCKABLE;
	return lx_signal_host_mask(t->sigmask);
}

void lx_signal_wait_mask_end(struct lx_thread *t)
{
	if (!lx_signal_pending(t) && t->has_saved_mask) {
		t->sigmask = t->saved_mask;
		t->has_saved_mask = 0;
	}
}

/* Block every host signal on this thread (the queue is also written by this thread's host
 * handler); returns the old mask for unblock_all. */
static uint64_t block_all(void)
{
	uint64_t all = ~0ull, old = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof(all));
	return old;
}

static void unblock_all(uint64_t old)
{
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof(old));
}

void lx_signal_queue(struct lx_thread *t, int sig, const void *info)
{
	if (sig < 1 || sig > 64)
		return;
	struct linux_siginfo si;
	if (!info) {
		si = (struct linux_siginfo){.si_signo = sig, .si_code = 0 /* SI_USER */};
		si.fields.kill.pid = (int32_t)getpid();
		si.fields.kill.uid = (uint32_t)getuid();
		info = &si;
	}
	/* Linux's generation rules: a SIGCONT discards the pending stop signals, a stop signal
	 * a pending SIGCONT */
	const uint64_t stops = BIT(LINUX_SIGSTOP) | BIT(LINUX_SIGTSTP) | BIT(LINUX_SIGTTIN) |
			       BIT(LINUX_SIGTTOU);
	if (sig == LINUX_SIGCONT)
		__atomic_and_fetch(&t->pending, ~stops, __ATOMIC_SEQ_CST);
	else if (stops & BIT(sig))
		__atomic_and_fetch(&t->pending, ~BIT(LINUX_SIGCONT), __ATOMIC_SEQ_CST);
	if (sig >= LINUX_SIGRTMIN && (t->pending & BIT(sig))) {
		/* Another instance of a realtime signal: queue it behind the first (beyond
		 * LX_RTQ_MAX it is lost, as past RLIMIT_SIGPENDING on Linux). */
		if (t->rtq_len < LX_RTQ_MAX) {
			memcpy(t->rtq_info[t->rtq_len], info, 128);
			t->rtq_sig[t->rtq_len++] = (uint8_t)sig;
		}
		return;
	}
	memcpy(t->siginfo[sig - 1], info, 128);
	__atomic_or_fetch(&t->pending, BIT(sig), __ATOMIC_SEQ_CST);
}

/* A SIGIO-style siginfo from the host kernel (F_SETSIG, leases, dnotify: si_code POLL_IN..
 * POLL_HUP) names the host's fd in si_fd: make it the guest's. Taken outside any handler of
 * lxrun's that holds the fd table, so its lock is free here. */
static void sigpoll_guest_fd(int sig, void *info)
{
	struct linux_siginfo *si = info;
	if (!info || sig == SIGCHLD || sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	    sig == SIGFPE || sig == SIGTRAP || si->si_code < 1 || si->si_code > 6 /* POLL_HUP */)
		return;
	int32_t *fd = (int32_t *)((char *)info + 24); /* after si_band, as Linux's _sigpoll */
	*fd = lx_fd_guest_of_host(lx_proc.fds, *fd);
}

void lx_signal_take(struct lx_thread *t, int sig, void *info)
{
	if (sig < LINUX_SIGRTMIN) {
		/* Standard signals coalesce: one bit, one siginfo. */
		__atomic_and_fetch(&t->pending, ~BIT(sig), __ATOMIC_SEQ_CST);
		if (info)
			memcpy(info, t->siginfo[sig - 1], 128);
		sigpoll_guest_fd(sig, info);
		return;
	}
	uint64_t old = block_all();
	if (info)
		memcpy(info, t->siginfo[sig - 1], 128);
	int i = 0;
	while (i < t->rtq_len && t->rtq_sig[i] != sig)
		i++;
	if (i < t->rtq_len) {
		/* The next instance becomes the first; the bit stays set. */
		memcpy(t->siginfo[sig - 1], t->rtq_info[i], 128);
		t->rtq_len--;
		memmove(&t->rtq_sig[i], &t->rtq_sig[i + 1], (size_t)(t->rtq_len - i));
		memmove(t->rtq_info[i], t->rtq_info[i + 1], (size_t)(t->rtq_len - i) * 128);
	} else {
		__atomic_and_fetch(&t->pending, ~BIT(sig), __ATOMIC_SEQ_CST);
	}
	unblock_all(old);
	sigpoll_guest_fd(sig, info);
}

void lx_signal_discard(struct lx_thread *t, int sig)
{
	uint64_t old = block_all();
	int n = 0;
	for (int i = 0; i < t->rtq_len; i++) {
		if (t->rtq_sig[i] == sig)
			continue;
		t->rtq_sig[n] = t->rtq_sig[i];
		memmove(t->rtq_info[n], t->rtq_info[i], 128);
		n++;
	}
	t->rtq_len = n;
	__atomic_and_fetch(&t->pending, ~BIT(sig), __ATOMIC_SEQ_CST);
	unblock_all(old);
}

/* Syscalls Linux never restarts after a handler ran (they report EINTR themselves). */
static int restartable(long nr)
{
	switch (nr) {
	case LINUX_SYS_nanosleep:
	case LINUX_SYS_clock_nanosleep:
	case LINUX_SYS_poll:
	case LINUX_SYS_ppoll:
	case LINUX_SYS_select:
	case LINUX_SYS_pselect6:
	case LINUX_SYS_epoll_wait:
	case LINUX_SYS_epoll_pwait:
	case LINUX_SYS_epoll_pwait2:
	case LINUX_SYS_pause:
	case LINUX_SYS_rt_sigsuspend:
	case LINUX_SYS_rt_sigtimedwait:
	case LINUX_SYS_io_getevents:
	case LINUX_SYS_msgrcv:
	case LINUX_SYS_msgsnd:
	case LINUX_SYS_semop:
	case LINUX_SYS_semtimedop:
		return 0;
	default:
		return 1;
	}
}

static int default_ignores(int sig)
{
	return sig == LINUX_SIGCHLD || sig == LINUX_SIGURG || sig == LINUX_SIGWINCH ||
	       sig == LINUX_SIGCONT;
}

static int default_stops(int sig)
{
	return sig == LINUX_SIGTSTP || sig == LINUX_SIGTTIN || sig == LINUX_SIGTTOU ||
	       sig == LINUX_SIGSTOP;
}

static int on_altstack(const struct lx_thread *t, uint64_t sp)
{
	return t->ss_size && sp > t->ss_sp && sp <= t->ss_sp + t->ss_size;
}

static size_t fp_size(const void *fp)
{
	const struct linux_fpstate *f = fp;
	if (f && f->sw_reserved.magic1 == LINUX_FP_XSTATE_MAGIC1 &&
	    f->sw_reserved.extended_size >= 512 && f->sw_reserved.extended_size <= 64 * 1024)
		return f->sw_reserved.extended_size;
	return 512;
}

/* Build one frame for sig; returns 0, or -EFAULT when the guest stack is unusable. */
static int setup_frame(struct lx_thread *t, int sig, const void *info, const struct linux_sigaction *act,
		       struct lx_regs *regs, void *fpstate)
{
	uint64_t sp = regs->rsp;
	int onstack = on_altstack(t, sp);
	if ((act->flags & LINUX_SA_ONSTACK) && t->ss_size && !onstack && !(t->ss_flags & LINUX_SS_DISABLE))
		sp = t->ss_sp + t->ss_size;
	else
		sp -= 128; /* the red zone of the interrupted code */
	size_t fsz = fp_size(fpstate);
	uint64_t fp_addr = (sp - fsz) & ~63ull;
	uint64_t frame_addr = ((fp_addr - sizeof(struct linux_rt_sigframe)) & ~15ull) - 8;

	struct linux_rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	memcpy(&f.info, info, sizeof(f.info));
	f.uc.uc_flags = LINUX_UC_SIGCONTEXT_SS | LINUX_UC_STRICT_RESTORE_SS |
			(fsz > 512 ? LINUX_UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = t->ss_sp;
	f.uc.uc_stack.ss_size = t->ss_size;
	f.uc.uc_stack.ss_flags = t->ss_flags;
	struct linux_sigcontext *c = &f.uc.uc_mcontext;
	c->r8 = regs->r8, c->r9 = regs->r9, c->r10 = regs->r10, c->r11 = regs->r11;
	c->r12 = regs->r12, c->r13 = regs->r13, c->r14 = regs->r14, c->r15 = regs->r15;
	c->rdi = regs->rdi, c->rsi = regs->rsi, c->rbp = regs->rbp, c->rbx = regs->rbx;
	c->rdx = regs->rdx, c->rax = regs->rax, c->rcx = regs->rcx, c->rsp = regs->rsp;
	c->rip = regs->rip;
	c->eflags = regs->rflags;
	c->cs = 0x33;
	c->ss = 0x2b;
	c->fpstate = fp_addr;
	c->oldmask = t->has_saved_mask ? t->saved_mask : t->sigmask;
	f.uc.uc_sigmask = c->oldmask;

	if (fpstate) {
		if (guest_copy_out(fp_addr, fpstate, fsz) < 0)
			return -LINUX_EFAULT;
	} else {
		struct linux_fpstate fx;
		memset(&fx, 0, sizeof(fx));
		fx.cwd = 0x37f;
		fx.mxcsr = 0x1f80;
		if (guest_copy_out(fp_addr, &fx, sizeof(fx)) < 0)
			return -LINUX_EFAULT;
	}
	if (guest_copy_out(frame_addr, &f, sizeof(f)) < 0)
		return -LINUX_EFAULT;

	regs->rdi = (uint64_t)sig;
	regs->rsi = frame_addr + offsetof(struct linux_rt_sigframe, info);
	regs->rdx = frame_addr + offsetof(struct linux_rt_sigframe, uc);
	regs->rax = 0;
	regs->rsp = frame_addr;
	regs->rip = act->handler;
	regs->rflags &= ~(0x400ull | 0x100ull); /* DF and TF are clear in a handler */

	t->sigmask |= act->mask | ((act->flags & LINUX_SA_NODEFER) ? 0 : BIT(sig));
	t->sigmask &= ~UNBLOCKABLE;
	t->has_saved_mask = 0;
	return 0;
}

void lx_signal_deliver(struct lx_thread *t, long nr, struct lx_regs *regs, void *fpstate)
{
	int restart_done = 0;
	for (;;) {
		/* a tracee's job-control trap (PTRACE_INTERRUPT, a SIGCONT's notice, the group
		 * stop it was attached in) comes before the signals, as Linux's get_signal */
		if (t->pt)
			lx_ptrace_pending_stop(t, nr, regs, fpstate);
		if (!(t->pending & ~t->sigmask))
			break;
		int sig = __builtin_ctzll(t->pending & ~t->sigmask) + 1;
		uint8_t info[128];
		lx_signal_take(t, sig, info);
		/* a tracee's signal-delivery-stop: the tracer may change or suppress it */
		if (t->pt && sig != LINUX_SIGKILL)
			sig = lx_ptrace_signal(t, sig, info, nr, regs, fpstate);
		/* suppressed: as an ignored signal (an interrupted syscall restarts) */
		struct linux_sigaction act = sig ? lx_proc.sigactions[sig - 1]
						 : (struct linux_sigaction){.handler = 1};
		int handled = act.handler > 1;
		if (!handled && act.handler == 0 && !default_ignores(sig)) {
			if (default_stops(sig)) {
				if (t->pt)
					lx_ptrace_group_stop(t, sig, regs, fpstate);
				else
					lx_stop_by_signal(sig);
				continue;
			}
			lx_die_by_signal_at(sig, regs);
		}
		/* An interrupted syscall: restart it, or report EINTR (never for sigreturn,
		 * whose result is the restored rax). */
		if (nr >= 0 && nr != LINUX_SYS_rt_sigreturn && !restart_done) {
			long r = (long)regs->rax;
			if (r == -LINUX_EINTR || r == -LINUX_ERESTARTSYS || r == -LINUX_ERESTARTNOINTR) {
				if (!handled || ((act.flags & LINUX_SA_RESTART) && restartable(nr))) {
					regs->rax = (uint64_t)nr;
					regs->rip -= 2; /* back onto the syscall instruction */
				} else {
					regs->rax = (uint64_t)-LINUX_EINTR;
				}
				restart_done = 1;
			}
		}
		if (!handled)
			continue;
		if (setup_frame(t, sig, info, &act, regs, fpstate) < 0) {
			/* Linux's force_sigsegv: a frame that cannot be written (a read-only
			 * alternate stack) turns into a SIGSEGV, unblocked and, if it was blocked
			 * or ignored, back at its default; fatal when it was SIGSEGV's own. */
			struct linux_sigaction *segv = &lx_proc.sigactions[SIGSEGV - 1];
			struct linux_siginfo si = {.si_signo = SIGSEGV, .si_code = 0x80 /* SI_KERNEL */};
			if (sig == SIGSEGV)
				lx_die_by_signal(SIGSEGV);
			if ((t->sigmask & BIT(SIGSEGV)) || segv->handler == 1) {
				segv->handler = 0;
				lx_pub_signals();
			}
			t->sigmask &= ~BIT(SIGSEGV);
			lx_signal_queue(t, SIGSEGV, &si);
			continue;
		}
		if (act.flags & LINUX_SA_RESETHAND) {
			lx_proc.sigactions[sig - 1].handler = 0;
			lx_pub_signals();
		}
		/* Later signals nest inside this handler's frame, as on Linux. */
		fpstate = NULL;
	}
	/* A temporary wait mask whose signal needed no frame (ignored): the old mask is back. */
	if (t->has_saved_mask) {
		t->sigmask = t->saved_mask;
		t->has_saved_mask = 0;
	}
}

long lx_signal_return(struct lx_thread *t, struct lx_regs *regs, void *fpstate)
{
	struct linux_ucontext uc;
	uint64_t uc_addr = regs->rsp; /* the handler's `ret` popped pretcode */
	if (guest_copy_in(&uc, uc_addr, sizeof(uc)) < 0)
		return -LINUX_EFAULT;
	const struct linux_sigcontext *c = &uc.uc_mcontext;
	regs->r8 = c->r8, regs->r9 = c->r9, regs->r10 = c->r10, regs->r11 = c->r11;
	regs->r12 = c->r12, regs->r13 = c->r13, regs->r14 = c->r14, regs->r15 = c->r15;
	regs->rdi = c->rdi, regs->rsi = c->rsi, regs->rbp = c->rbp, regs->rbx = c->rbx;
	regs->rdx = c->rdx, regs->rax = c->rax, regs->rcx = c->rcx, regs->rsp = c->rsp;
	regs->rip = c->rip;
	/* Only the flags user space may change (as the kernel's FIX_EFLAGS). */
	regs->rflags = (regs->rflags & ~0x40dd5ull) | (c->eflags & 0x40dd5ull);
	if (c->fpstate && fpstate) {
		struct linux_fpstate head;
		if (guest_copy_in(&head, c->fpstate, sizeof(head)) < 0)
			return -LINUX_EFAULT;
		size_t want = fp_size(&head), have = fp_size(fpstate);
		if (guest_copy_in(fpstate, c->fpstate, want < have ? want : have) < 0)
			return -LINUX_EFAULT;
		/* keep our own area's size description */
		if (want != have)
			((struct linux_fpstate *)fpstate)->sw_reserved.extended_size = (uint32_t)have;
	}
	t->sigmask = uc.uc_sigmask & ~UNBLOCKABLE;
	if (!(uc.uc_stack.ss_flags & LINUX_SS_ONSTACK)) {
		t->ss_sp = uc.uc_stack.ss_sp;
		t->ss_size = uc.uc_stack.ss_size;
		t->ss_flags = (int)uc.uc_stack.ss_flags;
	}
	return (long)regs->rax;
}
