/* SPDX-License-Identifier: MIT */
/* Signal syscalls: dispositions (process-wide), masks, pending sets and altstacks (per
 * thread), sigreturn, waiting for signals, timers that raise them. */
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_signal.h"
#include "abi/linux_time.h"
#include "translator/guest_mem.h"
#include "translator/fd.h"
#include "translator/process.h"
#include "translator/signal_guest.h"
#include "translator/signal_host.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"

#define BIT(sig) (1ull << ((sig) - 1))
#define UNBLOCKABLE (BIT(LINUX_SIGKILL) | BIT(LINUX_SIGSTOP))

/* Signals lxrun itself handles; their host disposition never changes. */
static int sig_reserved(int sig)
{
	return sig == LINUX_SIGSYS || sig == LINUX_SIGSEGV || sig == LINUX_SIGBUS ||
	       sig == LINUX_SIGILL || sig == LINUX_SIGFPE || sig == LINUX_SIGTRAP;
}

void sig_mirror(int sig, uint64_t handler)
{
	if (sig_reserved(sig) || sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP || sig > 64)
		return;
	lx_signal_host_disposition(sig, handler, lx_proc.sigactions[sig - 1].flags);
}

void sig_inherit(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct linux_sigaction h;
		if (sig_reserved(sig) || syscall(SYS_rt_sigaction, sig, NULL, &h, sizeof(linux_sigset_t)) < 0)
			continue;
		if (h.handler == 1)
			lx_proc.sigactions[sig - 1].handler = 1;
	}
	lx_pub_signals();
}

LX_SYSCALL(rt_sigaction)
{
	int sig = (int)sc->a[0];
	if (sc->a[3] != sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	if (sig < 1 || sig > 64)
		return -LINUX_EINVAL;
	struct linux_sigaction sa;
	if (sc->a[1]) {
		if (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)
			return -LINUX_EINVAL;
		if (guest_copy_in(&sa, sc->a[1], sizeof(sa)) < 0)
			return -LINUX_EFAULT;
		sa.mask &= ~UNBLOCKABLE;
	}
	if (sc->a[2] && guest_copy_out(sc->a[2], &lx_proc.sigactions[sig - 1], sizeof(sa)) < 0)
		return -LINUX_EFAULT;
	if (sc->a[1]) {
		lx_proc.sigactions[sig - 1] = sa;
		lx_pub_signals();
		sig_mirror(sig, sa.handler);
		/* Setting SIG_IGN discards a pending instance (POSIX). */
		if (sa.handler == 1)
			lx_signal_discard(sc->t, sig);
	}
	return 0;
}

LX_SYSCALL(rt_sigprocmask)
{
	if (sc->a[3] != sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	struct lx_thread *t = sc->t;
	linux_sigset_t set, old = t->sigmask;
	if (sc->a[1]) {
		if (guest_copy_in(&set, sc->a[1], sizeof(set)) < 0)
			return -LINUX_EFAULT;
		switch ((int)sc->a[0]) {
		case LINUX_SIG_BLOCK:
			t->sigmask |= set;
			break;
		case LINUX_SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case LINUX_SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -LINUX_EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (sc->a[2] && guest_copy_out(sc->a[2], &old, sizeof(old)) < 0)
		return -LINUX_EFAULT;
	return 0;
}

LX_SYSCALL(rt_sigpending)
{
	if (sc->a[1] > sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	uint64_t host = 0;
	syscall(SYS_rt_sigpending, &host, sizeof(host));
	linux_sigset_t p = (sc->t->pending | host) & sc->t->sigmask;
	return guest_copy_out(sc->a[0], &p, sc->a[1]);
}

/* Wait in the host, with the guest's mask, for a signal our handlers take (they queue it on
 * this thread) or one whose default action ends us. */
static long wait_for_signal(struct lx_thread *t)
{
	uint64_t mask = lx_signal_host_mask(t->sigmask);
	while (!lx_signal_pending(t))
		lx_safe(SYS_rt_sigsuspend, &mask, sizeof(mask));
	return -LINUX_EINTR;
}

LX_SYSCALL(rt_sigsuspend)
{
	if (sc->a[1] != sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	linux_sigset_t mask;
	if (guest_copy_in(&mask, sc->a[0], sizeof(mask)) < 0)
		return -LINUX_EFAULT;
	struct lx_thread *t = sc->t;
	t->saved_mask = t->sigmask;
	t->has_saved_mask = 1;
	t->sigmask = mask & ~UNBLOCKABLE;
	return wait_for_signal(t);
}

LX_SYSCALL(pause)
{
	return wait_for_signal(sc->t);
}

LX_SYSCALL(rt_sigtimedwait)
{
	struct lx_thread *t = sc->t;
	if (sc->a[3] != sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	linux_sigset_t set;
	if (guest_copy_in(&set, sc->a[0], sizeof(set)) < 0)
		return -LINUX_EFAULT;
	set &= ~UNBLOCKABLE;
	/* One our handlers already took (it arrived unblocked) ... */
	uint64_t ready = t->pending & set;
	if (ready) {
		int sig = __builtin_ctzll(ready) + 1;
		uint8_t info[128];
		lx_signal_take(t, sig, info);
		if (sc->a[1] && guest_copy_out(sc->a[1], info, 128) < 0)
			return -LINUX_EFAULT;
		return sig;
	}
	/* ... or the host's: the guest blocks what it waits for, and so does the host. */
	return lx_safe(SYS_rt_sigtimedwait, &set, sc->a[1], sc->a[2], sizeof(set));
}

LX_SYSCALL(sigaltstack)
{
	struct lx_thread *t = sc->t;
	struct linux_stack_t old = {.ss_sp = t->ss_sp, .ss_size = t->ss_size,
				    .ss_flags = t->ss_size ? t->ss_flags : LINUX_SS_DISABLE};
	if (t->ss_size && (t->ss_flags & LINUX_SS_DISABLE) == 0 && sc->regs &&
	    sc->regs->rsp > t->ss_sp && sc->regs->rsp <= t->ss_sp + t->ss_size)
		old.ss_flags = LINUX_SS_ONSTACK;
	if (sc->a[0]) {
		struct linux_stack_t ns;
		if (guest_copy_in(&ns, sc->a[0], sizeof(ns)) < 0)
			return -LINUX_EFAULT;
		if (old.ss_flags == LINUX_SS_ONSTACK)
			return -LINUX_EPERM;
		int mode = ns.ss_flags & ~(int)LINUX_SS_AUTODISARM;
		if (mode != 0 && mode != LINUX_SS_DISABLE && mode != LINUX_SS_ONSTACK)
			return -LINUX_EINVAL;
		if (mode == LINUX_SS_DISABLE) {
			t->ss_sp = t->ss_size = 0;
			t->ss_flags = LINUX_SS_DISABLE;
		} else {
			if (ns.ss_size < LINUX_MINSIGSTKSZ)
				return -LINUX_ENOMEM;
			t->ss_sp = ns.ss_sp;
			t->ss_size = ns.ss_size;
			t->ss_flags = ns.ss_flags & (int)LINUX_SS_AUTODISARM;
		}
	}
	if (sc->a[1] && guest_copy_out(sc->a[1], &old, sizeof(old)) < 0)
		return -LINUX_EFAULT;
	return 0;
}

LX_SYSCALL(rt_sigreturn)
{
	long r = lx_signal_return(sc->t, sc->regs, sc->fpstate);
	if (r == -LINUX_EFAULT && !guest_range_ok(sc->regs->rsp, 8))
		lx_die_by_signal(SIGSEGV);
	return r;
}

/* Timers are the host's: their signals come to our handlers like any other. */
LX_SYSCALL(alarm)
{
	return alarm((unsigned)sc->a[0]);
}

LX_SYSCALL(setitimer)
{
	return lx_host(syscall(SYS_setitimer, (int)sc->a[0], sc->a[1], sc->a[2]));
}

LX_SYSCALL(getitimer)
{
	return lx_host(syscall(SYS_getitimer, (int)sc->a[0], sc->a[1]));
}
