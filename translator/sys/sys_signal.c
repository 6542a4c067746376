/* SPDX-License-Identifier: MIT */
/* Guest signal state: dispositions and masks are virtual (host signals stay the translator's). */
#include <string.h>

#include "abi/linux_errno.h"
#include "abi/linux_signal.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"

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
	if (sc->a[1])
		lx_proc.sigactions[sig - 1] = sa;
	return 0;
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
