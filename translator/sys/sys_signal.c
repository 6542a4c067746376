/* SPDX-License-Identifier: MIT */
/* Guest signal state: dispositions and masks are virtual (host signals stay the translator's). */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_signal.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"

void sig_mirror(int sig, uint64_t handler);

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
	}
	if (sc->a[2] && guest_copy_out(sc->a[2], &lx_proc.sigactions[sig - 1], sizeof(sa)) < 0)
		return -LINUX_EFAULT;
	if (sc->a[1]) {
		lx_proc.sigactions[sig - 1] = sa;
		sig_mirror(sig, sa.handler);
	}
	return 0;
}

/* Signals lxrun itself handles; their host disposition never changes. */
static int sig_reserved(int sig)
{
	return sig == LINUX_SIGSYS || sig == LINUX_SIGSEGV || sig == LINUX_SIGBUS ||
	       sig == LINUX_SIGILL || sig == LINUX_SIGFPE || sig == LINUX_SIGTRAP;
}

/* Until guest handlers run, ignored and default dispositions are given to the host, so that
 * SIG_IGN (SIGPIPE, a shell's SIGINT) and its inheritance across fork and exec are Linux's. */
void sig_mirror(int sig, uint64_t handler)
{
	if (sig_reserved(sig) || sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP || sig > 64)
		return;
	struct linux_sigaction h = {.handler = handler == 1 ? 1 : 0};
	syscall(SYS_rt_sigaction, sig, &h, NULL, sizeof(linux_sigset_t));
}

/* At start (also after a guest execve), ignored host signals are ignored guest signals. */
void sig_inherit(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct linux_sigaction h;
		if (sig_reserved(sig) || syscall(SYS_rt_sigaction, sig, NULL, &h, sizeof(linux_sigset_t)) < 0)
			continue;
		if (h.handler == 1)
			lx_proc.sigactions[sig - 1].handler = 1;
	}
}

LX_SYSCALL(rt_sigprocmask)
{
	if (sc->a[3] != sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	linux_sigset_t set, old = lx_proc.sigmask;
	if (sc->a[1]) {
		if (guest_copy_in(&set, sc->a[1], sizeof(set)) < 0)
			return -LINUX_EFAULT;
		switch ((int)sc->a[0]) {
		case LINUX_SIG_BLOCK:
			lx_proc.sigmask |= set;
			break;
		case LINUX_SIG_UNBLOCK:
			lx_proc.sigmask &= ~set;
			break;
		case LINUX_SIG_SETMASK:
			lx_proc.sigmask = set;
			break;
		default:
			return -LINUX_EINVAL;
		}
		/* SIGKILL and SIGSTOP can never be blocked. */
		lx_proc.sigmask &= ~((1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1)));
	}
	if (sc->a[2] && guest_copy_out(sc->a[2], &old, sizeof(old)) < 0)
		return -LINUX_EFAULT;
	return 0;
}

LX_SYSCALL(sigaltstack)
{
	/* Recorded nowhere yet: no guest signal is delivered before the signals work lands. */
	if (sc->a[1]) {
		struct linux_stack_t old = {.ss_flags = LINUX_SS_DISABLE};
		if (guest_copy_out(sc->a[1], &old, sizeof(old)) < 0)
			return -LINUX_EFAULT;
	}
	return 0;
}

LX_SYSCALL(rt_sigreturn)
{
	return -LINUX_ENOSYS;
}
