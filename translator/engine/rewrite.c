/* SPDX-License-Identifier: MIT */
/* The rewrite engine: engine ops, the trampoline's C side, and host signals that hit it. */
#include "translator/engine/rewrite.h"

#include <cpuid.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <ucontext.h>

#include "abi/linux_errno.h"
#include "abi/syscalls.h"
#include "translator/engine/engine.h"
#include "translator/signal_guest.h"
#include "translator/signal_host.h"
#include "translator/stats.h"
#include "translator/syscall.h"
#include "translator/thread.h"

_Static_assert(offsetof(struct lx_regs, rax) == 0, "R_RAX");
_Static_assert(offsetof(struct lx_regs, rcx) == 16, "R_RCX");
_Static_assert(offsetof(struct lx_regs, rsp) == 56, "R_RSP");
_Static_assert(offsetof(struct lx_regs, r11) == 88, "R_R11");
_Static_assert(offsetof(struct lx_regs, r15) == 120, "R_R15");
_Static_assert(offsetof(struct lx_regs, rip) == 128, "R_RIP");
_Static_assert(offsetof(struct lx_regs, rflags) == 136, "R_RFLAGS");
_Static_assert(offsetof(struct lx_regs, fs) == 144, "R_FS");
_Static_assert(sizeof(struct lx_regs) <= 152, "R_MODE");

uint64_t lx_rewrite_xsave_mask;
uint64_t lx_rewrite_xsave_size;
uint64_t lx_rewrite_frame_off;
uint8_t lx_rewrite_fast_level;
uint32_t lx_rewrite_mxcsr_default = 0x1f80;

#define REGS_SIZE 176 /* rewrite_entry.S */
#define FAST_AREA 2176 /* rewrite_entry.S: V_FCW + 2, rounded up */
#define REG(g, r) (*(uint64_t *)((g) + (r)))

/* XRSTOR faults on what XSAVE never writes; a guest's rt_sigreturn frame may carry it. */
static void xsave_sanitize(uint8_t *xs)
{
	uint32_t mxcsr;
	uint64_t bv;
	memcpy(&mxcsr, xs + 24, 4);
	mxcsr &= 0xffff;
	memcpy(xs + 24, &mxcsr, 4);
	memcpy(&bv, xs + 512, 8);
	bv &= lx_rewrite_xsave_mask;
	memcpy(xs + 512, &bv, 8);
	memset(xs + 520, 0, 56);
}

void lx_rewrite_serve(struct lx_thread *t, struct lx_regs *regs, void *xsave)
{
	long nr = (long)regs->rax;
	lx_stats_patched_call();
	lx_syscall_entry(t, regs, xsave);
	if (nr == LINUX_SYS_rt_sigreturn)
		xsave_sanitize(xsave);
	/* arch_prctl(ARCH_SET_FS) and clone change it; the exit path loads FS from regs */
	regs->fs = t->guest_fs;
}

void lx_rewrite_deliver(struct lx_thread *t, struct lx_regs *regs, void *xsave, long nr)
{
	lx_signal_deliver(t, nr, regs, xsave);
}

/* Where the trampoline's register file lies on this thread's host stack. */
static uint64_t frame_regs(const struct lx_thread *t)
{
	return t->host_sp - 8 - lx_rewrite_frame_off;
}

int lx_rewrite_signal_fixup(void *uctx)
{
	ucontext_t *uc = uctx;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t rip = (uint64_t)g[REG_RIP];
	const struct lx_tramp_labels *l = lx_tramp_find(rip);
	if (!l)
		return 0;
	if (rip < (uint64_t)l->check)
		return 1; /* on the way in: the exit path looks at the pending set */
	uint64_t regs = frame_regs(lx_thread_self());
	if (rip >= (uint64_t)l->popf && rip <= (uint64_t)l->jmp) {
		/* Finish the exit here: what remains is the guest's rflags, rsp and rip. A frame
		 * nested on this stack may cover regs.rax (loaded by now), never what is read. */
		if (rip == (uint64_t)l->popf)
			g[REG_EFL] = (greg_t)REG(regs, offsetof(struct lx_regs, rflags));
		/* At the jmp rsp is the guest's, so this frame went to the top of the host
		 * stack, over the register file: the target is in the thread block. */
		if (rip == (uint64_t)l->jmp) {
			g[REG_RIP] = (greg_t)lx_thread_self()->scratch;
			return 0;
		}
		g[REG_RSP] = (greg_t)REG(regs, offsetof(struct lx_regs, rsp));
		g[REG_RIP] = (greg_t)REG(regs, offsetof(struct lx_regs, rip));
		return 0; /* a guest context now: deliver into it as usual */
	}
	g[REG_RIP] = (greg_t)l->redo;
	g[REG_RBP] = (greg_t)regs;
	g[REG_RSP] = (greg_t)regs;
	g[REG_RBX] = (greg_t)(regs + REGS_SIZE);
	return 1;
}

/*
 * Every host signal but a SUD trap comes here first. One that interrupted the trampoline
 * found no guest context to deliver into (the thread may be on the host stack with the
 * guest's selector): queue it as the guest's and let the trampoline deliver it on its way
 * out (lx_rewrite_signal_fixup). Faults in the trampoline itself are bugs: not ours.
 */
static int rewrite_fault(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t *uc = uctx;
	struct lx_thread *t = lx_thread_self();
	if (rewrite_site_fault(sig, si, uc)) {
		/* uc is the guest's again, moved on: a signal queued while this one was taken
		 * (it interrupted the start of this handler) is delivered into it now */
		if (t)
			lx_signal_deliver_uc(t, uc);
		return 1;
	}
	int fault = (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		     sig == SIGTRAP) && si->si_code > 0;
	if (fault || !t || !lx_rewrite_in_trampoline((uint64_t)uc->uc_mcontext.gregs[REG_RIP]))
		return 0;
	lx_signal_queue(t, sig, si);
	/* Completed into the guest's context (the exit's last instructions, on the host stack
	 * still): deliver into it; otherwise the trampoline delivers on its way out. */
	if (!lx_rewrite_signal_fixup(uc))
		lx_signal_deliver_uc(t, uc);
	return 1;
}

/* XCR0's features and their XSAVE size; 0 when the OS does not enable XSAVE. */
int rewrite_cpu_probe(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 26)) || !(c & (1u << 27)))
		return -LINUX_ENOSYS;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	__cpuid_count(0xd, 0, a, b, c, d);
	lx_rewrite_xsave_mask = ((uint64_t)hi << 32) | lo;
	lx_rewrite_xsave_size = b;
	/* area: 64-aligned below the top (host_sp is page aligned) with room for the pushed
	 * rflags above it; the register file right below it */
	uint64_t area = (b + 4 > FAST_AREA ? b + 4 : FAST_AREA) + 8;
	area = (area + 63) & ~63ull;
	lx_rewrite_frame_off = area + REGS_SIZE - 8;
	/* The fast mode stores x87 control, SSE, AVX and AVX-512 state by hand; any other
	 * XCR0 component (PKRU, AMX tiles) is one the host never changes. */
	unsigned sse = (lo & 3) == 3, avx = sse && (lo & 4), zmm = avx && (lo & 0xe0) == 0xe0;
	__cpuid_count(7, 0, a, b, c, d);
	int bw = (b >> 30) & 1; /* kmovq needs AVX512BW */
	lx_rewrite_fast_level = (uint8_t)(zmm ? (bw ? 3 : 0) : avx ? 2 : sse ? 1 : 0);
	uint32_t mxcsr;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	lx_rewrite_mxcsr_default = mxcsr;
	return b >= 576 ? 0 : -LINUX_ENOSYS;
}

static int rewrite_init(const char **why)
{
	int r = lx_engine_sud.init(why);
	if (r < 0)
		return r;
	/* Capstone and the CPU probe are set up at the first patch (rewrite_site_trap): a
	 * short-lived process never pays for them. */
	lx_signals_set_fault_hook(rewrite_fault);
	lx_signals_set_trap_hook(rewrite_site_trap);
	return 0;
}

static int rewrite_thread_arm(struct lx_thread *t, const char **why)
{
	return lx_engine_sud.thread_arm(t, why);
}

static void rewrite_thread_disarm(struct lx_thread *t)
{
	lx_engine_sud.thread_disarm(t);
}

__attribute__((noreturn)) static void rewrite_run(struct lx_thread *t, const struct lx_regs *regs)
{
	(void)t;
	lx_enter_guest(regs);
}

const struct lx_engine lx_engine_rewrite = {
	.name = "rewrite",
	.init = rewrite_init,
	.thread_arm = rewrite_thread_arm,
	.thread_disarm = rewrite_thread_disarm,
	.run = rewrite_run,
};
