/* SPDX-License-Identifier: MIT */
/* The sud engine: Syscall User Dispatch sends every guest syscall to the SIGSYS handler. */
#include "translator/engine/engine.h"
#include "translator/engine/fsbase.h"

#include <errno.h>
#include <sys/auxv.h>
#include <sys/prctl.h>

#include "abi/linux_errno.h"
#include "translator/signal_host.h"
#include "translator/syscall.h"
#include "translator/thread.h"

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#define LX_PR_SYS_DISPATCH_EXCLUSIVE_ON 1

extern const char lx_sud_allow_start[], lx_sud_allow_end[];

static int sud_init(const char **why)
{
	/* The stub set (FSGSBASE or arch_prctl) is fixed before any handler is installed. */
	int r = lx_fsgs_init(why);
	if (r < 0)
		return r;
	r = lx_signals_init();
	if (r < 0)
		*why = "cannot install the translator's signal handlers";
	return r;
}

static int sud_thread_arm(struct lx_thread *t, const char **why)
{
	/* Exclusive mode: everything outside the restorer page is dispatched while the
	 * selector says BLOCK; translator code flips it to ALLOW on entry. */
	t->selector = LX_SUD_ALLOW;
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, LX_PR_SYS_DISPATCH_EXCLUSIVE_ON,
		  (unsigned long)lx_sud_allow_start,
		  (unsigned long)(lx_sud_allow_end - lx_sud_allow_start), &t->selector) < 0) {
		int e = errno;
		*why = e == EINVAL ? "this kernel has no Syscall User Dispatch, which the sud and "
				     "rewrite engines need (Linux 5.11 or later, built with it); run "
				     "the program with --engine emulate, or on a real kernel with "
				     "--mode vm"
				   : "prctl(PR_SET_SYSCALL_USER_DISPATCH) failed";
		return e == EINVAL ? -LINUX_ENOSYS : lx_errno(e);
	}
	return 0;
}

static void sud_thread_disarm(struct lx_thread *t)
{
	prctl(PR_SET_SYSCALL_USER_DISPATCH, 0, 0, 0, 0);
}

__attribute__((noreturn)) static void sud_run(struct lx_thread *t, const struct lx_regs *regs)
{
	(void)t;
	lx_enter_guest(regs);
}

const struct lx_engine lx_engine_sud = {
	.name = "sud",
	.init = sud_init,
	.thread_arm = sud_thread_arm,
	.thread_disarm = sud_thread_disarm,
	.run = sud_run,
};
