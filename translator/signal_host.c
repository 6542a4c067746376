/* SPDX-License-Identifier: MIT */
/* Host signal handlers: syscall traps (SIGSYS), faults in copy helpers, fatal guest signals. */
#include "translator/signal_host.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "translator/engine/fsbase.h"
#include "translator/guest_mem.h"
#include "translator/trace.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/signal_guest.h"
#include "translator/syscall.h"
#include "translator/thread.h"

#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

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
#define K_SA_RESTART 0x10000000ul

static lx_fatal_hook fatal_hook;
static lx_trap_hook trap_hook;
static lx_fault_hook fault_hook;

void lx_signals_set_fault_hook(lx_fault_hook hook)
{
	fault_hook = hook;
}

void lx_signals_set_trap_hook(lx_trap_hook hook)
{
	trap_hook = hook;
}

void lx_signals_set_fatal_hook(lx_fatal_hook hook)
{
	fatal_hook = hook;
}

void lx_signal_fatal(int sig, const siginfo_t *si, const void *uctx)
{
	if (fatal_hook)
		fatal_hook(sig, si, uctx);
}

static int install_flags(int sig, uint64_t mask, unsigned long extra)
{
	struct host_ksigaction ksa = {
		.handler = (void *)lx_fsgs.sig_entry,
		.flags = K_SA_SIGINFO | K_SA_ONSTACK | K_SA_RESTORER | extra,
		.restorer = lx_sigreturn_restorer,
		.mask = mask,
	};
	if (syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(uint64_t)) < 0)
		return lx_errno(errno);
	return 0;
}

static int install(int sig, uint64_t mask)
{
	return install_flags(sig, mask, 0);
}

int lx_signals_init(void)
{
	/* The entry stub set must be fixed (and GS set) before a handler of ours can run. */
	const char *why;
	int fr = lx_fsgs_init(&why);
	if (fr < 0)
		return fr;
	/* While a syscall is served every other signal waits; synchronous faults cannot be
	 * blocked usefully (the kernel would kill us), so they stay open. */
	/* Signals with their default action (Ctrl-C on a sleeping guest) act at once; those
	 * with a guest handler are blocked on entry (lx_sig_entry's first instructions run with
	 * the guest's selector and FS) and opened by serve_syscall: see lx_signals_guest_mask. */
	int r = install(SIGSYS, 0);
	const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
	/* SA_NODEFER: a fault inside the handler itself (the fatal report reading the
	 * faulting instruction) must reach the copy helpers' fix-up, not kill us. */
	/* SIGTRAP also carries lxrun's own ptrace wake-ups (sys_ptrace.c): SA_RESTART, so that
	 * they never make a host call the guest made fail with EINTR. */
	for (unsigned i = 0; r == 0 && i < sizeof(faults) / sizeof(faults[0]); i++)
		r = install_flags(faults[i], 0,
				  K_SA_NODEFER | (faults[i] == SIGTRAP ? K_SA_RESTART : 0));
	/* A guest execve re-executes lxrun from inside the SIGSYS handler, so the new image
	 * starts with every signal blocked: open SIGSYS and the faults (blocked, they would
	 * kill us). The rest stay blocked until the guest's mask is applied (run.c): a signal
	 * the guest blocked across execve (or was started with blocked) and that is sent now
	 * stays pending, as on Linux, instead of acting by default in between. */
	uint64_t open_now = 1ull << (SIGSYS - 1);
	for (unsigned i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		open_now |= 1ull << (faults[i] - 1);
	if (r == 0 && syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &open_now, NULL, sizeof(open_now)) < 0)
		r = lx_errno(errno);
	return r;
}

void lx_die_by_signal(int sig)
{
	lx_trace_flush();
	lx_ptrace_killed(sig);
	struct host_ksigaction dfl = {.handler = SIG_DFL};
	syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
	uint64_t unblock = 1ull << (sig - 1);
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &unblock, NULL, sizeof(uint64_t));
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
	/* Blocked or ignored despite all that: exit as a shell would report it. */
	syscall(SYS_exit_group, 128 + sig);
	__builtin_unreachable();
}

/* A stop signal's default action: the host process stops by that very signal, so a parent's
 * WSTOPSIG names it, and the host kernel applies Linux's rule for an orphaned process group
 * (SIGTSTP, SIGTTIN and SIGTTOU are discarded there, SIGSTOP is not). Its host action is the
 * default only while this thread sends it to itself, unblocked: the stop takes effect on the
 * way out of tgkill. (Raw calls: libc's sigaction would put its own restorer back.) */
void lx_stop_by_signal(int sig)
{
	struct host_ksigaction dfl = {.handler = SIG_DFL}, old;
	uint64_t one = 1ull << (sig - 1), mask;
	if (syscall(SYS_rt_sigaction, sig, &dfl, &old, sizeof(uint64_t)) < 0)
		return;
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &one, &mask, sizeof(uint64_t));
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof(uint64_t));
	syscall(SYS_rt_sigaction, sig, &old, NULL, sizeof(uint64_t));
}

/* The signals whose default action dumps core (Linux's SIG_KERNEL_COREDUMP_MASK). */
int lx_signal_dumps_core(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return 1;
	}
	return 0;
}

/*
 * Die with sig at the guest's registers r, so that a core dump shows the guest where it was
 * (a debugger's backtrace of the core), not lxrun's handler: sig is made pending with every
 * signal blocked, then rt_sigreturn loads a frame of the guest's registers whose mask leaves
 * only sig open; the kernel delivers it (default action) before any guest instruction runs.
 * A frame the kernel refuses would turn into a SIGSEGV, so only for signals that dump core
 * (the others gain nothing from it).
 */
void lx_die_by_signal_at(int sig, const struct lx_regs *r)
{
	if (!lx_signal_dumps_core(sig))
		lx_die_by_signal(sig);
	lx_trace_flush();
	lx_ptrace_killed(sig);
	struct host_ksigaction dfl = {.handler = SIG_DFL};
	syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
	uint64_t all = ~0ull;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(uint64_t));
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
	/* rt_sigreturn reads a struct rt_sigframe at rsp - 8: the ucontext, then siginfo */
	struct {
		ucontext_t uc;
		unsigned char info[128];
	} f __attribute__((aligned(16)));
	memset(&f, 0, sizeof(f));
	lx_regs_to_uc(&f.uc, r);
	f.uc.uc_mcontext.gregs[REG_CSGSFS] = (greg_t)(0x33 | (0x2bull << 48)); /* cs, ss */
	f.uc.uc_stack.ss_flags = SS_DISABLE;
	uint64_t open = ~(1ull << (sig - 1));
	memcpy(&f.uc.uc_sigmask, &open, sizeof(open));
	__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2" ::"r"(&f.uc)
			 : "memory");
	__builtin_unreachable();
}

/* ucontext <-> lx_regs: the sud engine's view of the guest registers at a trap. */
void lx_regs_from_uc(struct lx_regs *r, const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	r->rax = (uint64_t)g[REG_RAX];
	r->rbx = (uint64_t)g[REG_RBX];
	r->rcx = (uint64_t)g[REG_RCX];
	r->rdx = (uint64_t)g[REG_RDX];
	r->rsi = (uint64_t)g[REG_RSI];
	r->rdi = (uint64_t)g[REG_RDI];
	r->rbp = (uint64_t)g[REG_RBP];
	r->rsp = (uint64_t)g[REG_RSP];
	r->r8 = (uint64_t)g[REG_R8];
	r->r9 = (uint64_t)g[REG_R9];
	r->r10 = (uint64_t)g[REG_R10];
	r->r11 = (uint64_t)g[REG_R11];
	r->r12 = (uint64_t)g[REG_R12];
	r->r13 = (uint64_t)g[REG_R13];
	r->r14 = (uint64_t)g[REG_R14];
	r->r15 = (uint64_t)g[REG_R15];
	r->rip = (uint64_t)g[REG_RIP];
	r->rflags = (uint64_t)g[REG_EFL];
}

void lx_regs_to_uc(ucontext_t *uc, const struct lx_regs *r)
{
	greg_t *g = uc->uc_mcontext.gregs;
	g[REG_RAX] = (greg_t)r->rax;
	g[REG_RBX] = (greg_t)r->rbx;
	g[REG_RCX] = (greg_t)r->rcx;
	g[REG_RDX] = (greg_t)r->rdx;
	g[REG_RSI] = (greg_t)r->rsi;
	g[REG_RDI] = (greg_t)r->rdi;
	g[REG_RBP] = (greg_t)r->rbp;
	g[REG_RSP] = (greg_t)r->rsp;
	g[REG_R8] = (greg_t)r->r8;
	g[REG_R9] = (greg_t)r->r9;
	g[REG_R10] = (greg_t)r->r10;
	g[REG_R11] = (greg_t)r->r11;
	g[REG_R12] = (greg_t)r->r12;
	g[REG_R13] = (greg_t)r->r13;
	g[REG_R14] = (greg_t)r->r14;
	g[REG_R15] = (greg_t)r->r15;
	g[REG_RIP] = (greg_t)r->rip;
	g[REG_EFL] = (greg_t)r->rflags;
}

static const uint64_t sync_signals = (1ull << (SIGSEGV - 1)) | (1ull << (SIGBUS - 1)) |
				     (1ull << (SIGILL - 1)) | (1ull << (SIGFPE - 1)) |
				     (1ull << (SIGTRAP - 1));

static void host_mask(uint64_t m)
{
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, sizeof(m));
}

/* The signals that have guest handlers: SIGSYS's handler starts with them blocked. */
static uint64_t guest_handled;

void lx_signals_guest_mask(uint64_t handled)
{
	if (handled == guest_handled)
		return;
	guest_handled = handled;
	install(SIGSYS, handled & ~sync_signals);
}

/* served: the TLS-free path (lx_fast_sigsys) already put the result in the context, and a
 * signal became deliverable meanwhile. */
static void serve_syscall(siginfo_t *si, ucontext_t *uc, int served)
{
	struct lx_regs r;
	lx_regs_from_uc(&r, uc);
	struct lx_thread *t = lx_thread_self();
	if (served) {
		t->cur_uc = uc;
		lx_signal_deliver(t, si->si_syscall, &r, uc->uc_mcontext.fpregs);
		lx_signal_sync_mask(t);
		t->cur_uc = NULL;
		lx_regs_to_uc(uc, &r);
		return;
	}
	r.rax = (uint64_t)si->si_syscall; /* SUD rolled rax back to the number already */
	if (trap_hook)
		trap_hook(si, uc);
	/* Guest-handled signals were blocked by the handler's sa_mask until here, where the
	 * selector says "translator": let them interrupt a blocking host call now. */
	int open = guest_handled != 0;
	if (open)
		host_mask(lx_signal_host_mask(t->sigmask) | (1ull << (SIGSYS - 1)));
	t->cur_uc = uc;
	lx_syscall_entry(t, &r, uc->uc_mcontext.fpregs);
	/* One that arrives after lx_syscall_entry looked: block them for the last look;
	 * sigreturn reopens them, and anything later is delivered in guest context. */
	if (open) {
		host_mask(~sync_signals);
		if (lx_signal_pending(t))
			lx_signal_deliver(t, -1, &r, uc->uc_mcontext.fpregs);
	}
	lx_signal_sync_mask(t);
	t->cur_uc = NULL;
	lx_regs_to_uc(uc, &r);
}

/* A guest signal arriving at a host handler: queue it on this thread; if the guest was
 * running, deliver it right away by rewriting the interrupted context. */
extern const char lx_safe_syscall_start[], lx_safe_syscall_insn[], lx_safe_syscall_eintr[];

static void guest_signal(int sig, siginfo_t *si, ucontext_t *uc, int from_guest)
{
	struct lx_thread *t = lx_thread_self();
	if (!t)
		return; /* a host-only thread */
	lx_signal_queue(t, sig, si);
	if (!lx_signal_pending(t)) {
		/* The guest blocks it (in its handler, say) but the host did not: block it in
		 * the interrupted context's mask, as the kernel's would be, or a signal that is
		 * raised again as soon as it is taken (a POSIX timer with a 1 ns interval) comes
		 * back before the guest runs one instruction. */
		if (from_guest) {
			void *outer = t->cur_uc;
			t->host_applied = ~lx_signal_host_mask(t->sigmask);
			t->cur_uc = uc;
			lx_signal_sync_mask(t);
			t->cur_uc = outer;
		}
		return;
	}
	if (!from_guest) {
		/* The translator is serving a syscall: it delivers this one when the call ends.
		 * Until then the signal stays blocked on the host, as the guest's handler will
		 * have it: one raised again as soon as it is taken (a POSIX timer with a 1 ns
		 * interval) would otherwise come back before the translator runs one more
		 * instruction. The next mask sync puts the guest's mask back. */
		sigaddset(&uc->uc_sigmask, sig);
		t->host_applied = ~lx_signal_host_mask(t->sigmask);
		/* and make its blocking call return EINTR */
		uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
		if (rip >= (uint64_t)lx_safe_syscall_start && rip <= (uint64_t)lx_safe_syscall_insn)
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)lx_safe_syscall_eintr;
		return;
	}
	lx_signal_deliver_uc(t, uc);
}

void lx_signal_deliver_uc(struct lx_thread *t, void *uctx)
{
	ucontext_t *uc = uctx;
	if (!lx_signal_pending(t))
		return;
	struct lx_regs r;
	lx_regs_from_uc(&r, uc);
	void *outer = t->cur_uc;
	t->cur_uc = uc;
	lx_signal_deliver(t, -1, &r, uc->uc_mcontext.fpregs);
	lx_signal_sync_mask(t);
	t->cur_uc = outer;
	lx_regs_to_uc(uc, &r);
}

void lx_signal_dispatch(int sig, siginfo_t *si, void *uctx, int from_guest)
{
	ucontext_t *uc = uctx;
	greg_t *g = uc->uc_mcontext.gregs;

	if (sig == SIGSYS && si->si_code == SYS_USER_DISPATCH && from_guest) {
		serve_syscall(si, uc, from_guest == 2);
		return;
	}
	/* lxrun's own ptrace wake-ups (translator/sys/sys_ptrace.c); PTRACE_ATTACH's arrives
	 * as the guest's SIGSTOP */
	if (sig == SIGTRAP && si->si_code == SI_QUEUE) {
		int as = lx_ptrace_host_signal(si, uc, from_guest);
		if (as == 0)
			return;
		if (as > 0)
			sig = as;
	}
	if (sig == SIGCONT && lx_ptrace_sigcont(si))
		return;
	/* PTRACE_SINGLESTEP's trap flag in lxrun's own code on the way back to the guest
	 * (the rewrite trampoline's exit): step on until the guest's instruction */
	if (sig == SIGTRAP && si->si_code == 2 /* TRAP_TRACE */ && !from_guest &&
	    lx_thread_self() && lx_thread_self()->pt)
		return;
	if (fault_hook && fault_hook(sig, si, uc))
		return;
	if ((sig == SIGSEGV || sig == SIGBUS) && !from_guest) {
		uint64_t fix = guest_fault_fixup((uint64_t)g[REG_RIP]);
		if (fix) {
			g[REG_RIP] = (greg_t)fix;
			return;
		}
	}
	/* A fault signal sent by kill/tgkill (si_code <= 0) is an ordinary guest signal; so is
	 * a SIGSYS sent that way (the guest may ignore or handle it like any other). */
	int fault = (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		     sig == SIGTRAP) && si->si_code > 0;
	if (!fault && (sig != SIGSYS || si->si_code <= 0)) {
		guest_signal(sig, si, uc, from_guest);
		return;
	}
	/* A fault in guest code that the guest handles itself (and does not block), or that a
	 * tracer sees first (a debugger's breakpoint). */
	struct lx_thread *t = lx_thread_self();
	if (from_guest && t && (lx_proc.sigactions[sig - 1].handler > 1 || t->pt) &&
	    !(t->sigmask & (1ull << (sig - 1)))) {
		guest_signal(sig, si, uc, from_guest);
		return;
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
		lx_die_by_signal(sig);
	}
	struct lx_regs at;
	lx_regs_from_uc(&at, uc);
	lx_die_by_signal_at(sig, &at);
}
