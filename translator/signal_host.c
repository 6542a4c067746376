/* SPDX-License-Identifier: MIT */
/* Host signal handlers: syscall traps (SIGSYS), faults in copy helpers, fatal guest signals. */
#include "translator/signal_host.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "translator/guest_mem.h"
#include "translator/trace.h"
#include "translator/syscall.h"
#include "translator/thread.h"

#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

extern void lx_sig_entry(int, siginfo_t *, void *);
extern const char lx_sigreturn_restorer[];

/* The kernel's struct sigaction on x86-64 (glibc's wrapper would force its own restorer). */
struct host_ksigaction {
	void *handler;
	unsigned long flags;
	const void *restorer;
	uint64_t mask;
};

#define K_SA_SIGINFO 0x00000004ul
#define K_SA_ONSTACK 0x08000000ul
#define K_SA_RESTORER 0x04000000ul
#define K_SA_NODEFER 0x40000000ul

static lx_fatal_hook fatal_hook;

void lx_signals_set_fatal_hook(lx_fatal_hook hook)
{
	fatal_hook = hook;
}

static int install(int sig, uint64_t mask)
{
	struct host_ksigaction ksa = {
		.handler = (void *)lx_sig_entry,
		.flags = K_SA_SIGINFO | K_SA_ONSTACK | K_SA_RESTORER,
		.restorer = lx_sigreturn_restorer,
		.mask = mask,
	};
	if (syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(uint64_t)) < 0)
		return lx_errno(errno);
	return 0;
}

int lx_signals_init(void)
{
	/* While a syscall is served every other signal waits; synchronous faults cannot be
	 * blocked usefully (the kernel would kill us), so they stay open. */
	uint64_t all = ~0ull;
	uint64_t sync = (1ull << (SIGSEGV - 1)) | (1ull << (SIGBUS - 1)) | (1ull << (SIGILL - 1)) |
			(1ull << (SIGFPE - 1)) | (1ull << (SIGTRAP - 1));
	int r = install(SIGSYS, all & ~sync);
	const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
	for (unsigned i = 0; r == 0 && i < sizeof(faults) / sizeof(faults[0]); i++)
		r = install(faults[i], 0);
	/* A guest execve re-executes lxrun from inside the SIGSYS handler, so the new image
	 * starts with every signal blocked: open them (a blocked SIGSYS would kill us). */
	uint64_t none = 0;
	if (r == 0 && syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none)) < 0)
		r = lx_errno(errno);
	return r;
}

void lx_die_by_signal(int sig)
{
	lx_trace_flush();
	struct host_ksigaction dfl = {.handler = SIG_DFL};
	syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
	uint64_t unblock = 1ull << (sig - 1);
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &unblock, NULL, sizeof(uint64_t));
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
	/* Blocked or ignored despite all that: exit as a shell would report it. */
	syscall(SYS_exit_group, 128 + sig);
	__builtin_unreachable();
}

static void serve_syscall(siginfo_t *si, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct lx_syscall sc = {
		.nr = si->si_syscall,
		.a = {(uint64_t)g[REG_RDI], (uint64_t)g[REG_RSI], (uint64_t)g[REG_RDX],
		      (uint64_t)g[REG_R10], (uint64_t)g[REG_R8], (uint64_t)g[REG_R9]},
		.t = lx_thread_self(),
		.uctx = uc,
	};
	g[REG_RAX] = (greg_t)lx_dispatch(&sc);
}

void lx_signal_dispatch(int sig, siginfo_t *si, void *uctx, int from_guest)
{
	ucontext_t *uc = uctx;
	greg_t *g = uc->uc_mcontext.gregs;

	if (sig == SIGSYS && si->si_code == SYS_USER_DISPATCH && from_guest) {
		serve_syscall(si, uc);
		return;
	}
	if ((sig == SIGSEGV || sig == SIGBUS) && !from_guest) {
		uint64_t fix = guest_fault_fixup((uint64_t)g[REG_RIP]);
		if (fix) {
			g[REG_RIP] = (greg_t)fix;
			return;
		}
	}
	if (from_guest && fatal_hook)
		fatal_hook(sig, si, uctx);
	if (!from_guest) {
		char msg[128];
		int n = snprintf(msg, sizeof(msg),
				 "lxrun: internal error: signal %d at rip %#llx, address %p\n", sig,
				 (unsigned long long)g[REG_RIP], si->si_addr);
		if (write(2, msg, (size_t)n) < 0) {
			/* nothing more to do: we are about to die */
		}
	}
	lx_die_by_signal(sig);
}
