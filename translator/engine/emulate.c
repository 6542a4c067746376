/* SPDX-License-Identifier: MIT */
/*
 * The emulate engine: guest code runs on a Unicorn CPU (QEMU's TCG) inside lxrun, over the
 * same host memory the loader and the mm syscalls map, and the same userspace kernel serves
 * its syscalls. It needs neither Syscall User Dispatch nor FSGSBASE: the guest's FS and GS
 * are registers of the emulated CPU, lxrun's own FS is never switched.
 *
 *  - Memory: every guest mapping (translator/mm.c) is mapped into Unicorn with
 *    uc_mem_map_ptr at its own address, so guest and kernel see the same bytes. mm tells the
 *    engine about each change (mm_set_observer); the changed range is re-read from mm.
 *  - Syscalls: a UC_HOOK_INSN hook on `syscall` calls lx_syscall_entry with rcx and r11 set
 *    as the hardware sets them, then writes back what changed.
 *  - Faults and exceptions end uc_emu_start with the address recorded by the invalid-memory
 *    hook (or the vector by the interrupt hook) and become guest signals.
 *  - Host signals are queued by the common handler as ever; this engine's fault hook asks the
 *    CPU to stop at the next block boundary, where the run loop delivers them.
 *  - Threads: one Unicorn CPU each over the shared memory, run one at a time under a big lock
 *    (TCG without CF_PARALLEL makes locked instructions non-atomic across CPUs); see
 *    docs/design.md.
 */
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_signal.h"
#include "abi/syscalls.h"
#include "translator/engine/engine.h"
#include "translator/engine/fsbase.h"
#include "translator/mm.h"
#include "translator/process.h"
#include "translator/signal_guest.h"
#include "translator/signal_host.h"
#include "translator/syscall.h"
#include "translator/thread.h"

struct emu_cpu {
	uc_engine *uc;
	struct lx_thread *t;
	uint64_t gen;	       /* the map generation this CPU's Unicorn map is in step with */
	uint64_t fs, gs;       /* the bases last written into the CPU */
	volatile int running;  /* inside uc_emu_start, outside a syscall */
	volatile int kick;     /* stop at the next block (the block hook reads it) */
	/* What ended the last uc_emu_start besides a stop request */
	int intno;	       /* an exception vector (UC_HOOK_INTR), or -1 */
	uint64_t fault_addr;   /* the invalid-memory hook's address */
	int fault_type;	       /* its uc_mem_type, or -1 */
	int precise;	       /* the eip-sync mem hook is installed (a guest SIGSEGV handler) */
	uc_hook precise_hook;
};

static __thread struct emu_cpu *self_cpu;

/* ---- the map: mm's mappings mirrored into each CPU ---- */

/* Changes since each generation, so that a CPU that missed a few (another thread's mmap)
 * catches up range by range; a CPU further behind re-reads the whole map. Guarded by mm's
 * lock, like the map itself. */
#define LOG_LEN 64
static uint64_t map_gen;
static struct {
	uint64_t start, end;
} map_log[LOG_LEN];

static uint32_t uc_perms(unsigned prot)
{
	uint32_t p = 0;
	if (prot & 1)
		p |= UC_PROT_READ;
	if (prot & 2)
		p |= UC_PROT_READ | UC_PROT_WRITE; /* x86: writable implies readable */
	if (prot & 4)
		p |= UC_PROT_READ | UC_PROT_EXEC;
	return p;
}

/* Make the CPU's map of [start, end) what mm says, with mm locked. Regions that overlap the
 * range are dropped whole (never split: Unicorn copies when it splits) and everything they
 * covered is mapped again from mm; code translated from a dropped executable region is
 * thrown away first, so new bytes at an old address are translated afresh. */
static void map_range(struct emu_cpu *c, uint64_t start, uint64_t end)
{
	uc_mem_region *r;
	uint32_t n;
	if (uc_mem_regions(c->uc, &r, &n) == UC_ERR_OK) {
		for (uint32_t i = 0; i < n; i++) {
			uint64_t rb = r[i].begin, re = r[i].end + 1;
			if (re <= start || rb >= end)
				continue;
			if (rb < start)
				start = rb;
			if (re > end)
				end = re;
			if (r[i].perms & UC_PROT_EXEC)
				uc_ctl_remove_cache(c->uc, rb, re);
			uc_mem_unmap(c->uc, rb, re - rb);
		}
		uc_free(r);
	}
	size_t nv;
	const struct lx_vma *v = mm_list(&nv);
	for (size_t i = 0; i < nv; i++) {
		uint64_t lo = v[i].start > start ? v[i].start : start;
		uint64_t hi = v[i].end < end ? v[i].end : end;
		if (lo < hi)
			uc_mem_map_ptr(c->uc, lo, hi - lo, uc_perms(v[i].prot), (void *)lo);
	}
}

/* Throw away every translated block (all executable regions). */
static void code_drop_all(struct emu_cpu *c)
{
	uc_mem_region *r;
	uint32_t n;
	if (uc_mem_regions(c->uc, &r, &n) != UC_ERR_OK)
		return;
	for (uint32_t i = 0; i < n; i++)
		if (r[i].perms & UC_PROT_EXEC)
			uc_ctl_remove_cache(c->uc, r[i].begin, r[i].end + 1);
	uc_free(r);
}

/* Bring the CPU's map up to the current generation, with mm locked. */
static void map_catch_up(struct emu_cpu *c)
{
	if (c->gen == map_gen)
		return;
	if (map_gen - c->gen > LOG_LEN) {
		map_range(c, 0, UINT64_MAX);
	} else {
		for (uint64_t g = c->gen + 1; g <= map_gen; g++)
			map_range(c, map_log[g % LOG_LEN].start, map_log[g % LOG_LEN].end);
	}
	c->gen = map_gen;
}

static void map_sync(struct emu_cpu *c)
{
	if (__atomic_load_n(&map_gen, __ATOMIC_ACQUIRE) == c->gen)
		return;
	mm_lock();
	map_catch_up(c);
	mm_unlock();
}

/* mm's observer: called with mm locked after [start, end) changed, by a thread in a syscall
 * (without the big lock). Only the log changes here: each CPU catches up itself, under the
 * big lock, before it runs guest code again (Unicorn is not used by two threads at once). */
static void emu_mem_changed(uint64_t start, uint64_t end)
{
	uint64_t g = map_gen + 1;
	map_log[g % LOG_LEN].start = start;
	map_log[g % LOG_LEN].end = end;
	__atomic_store_n(&map_gen, g, __ATOMIC_RELEASE);
}

/* ---- the big lock: one guest thread on a CPU at a time ---- */

/* A ticket lock (FIFO, so a thread spinning in guest code cannot starve the others). A
 * waiter that is not served within a time slice asks the holder's CPU to stop at its next
 * block boundary; the holder then lets the next ticket in. */
static uint32_t lock_next, lock_serving;
static struct emu_cpu *volatile lock_holder;
static volatile int lock_waiters;
#define SLICE_NS 2000000L

static void big_lock(struct emu_cpu *c)
{
	uint32_t me = __atomic_fetch_add(&lock_next, 1, __ATOMIC_ACQ_REL);
	if (__atomic_load_n(&lock_serving, __ATOMIC_ACQUIRE) != me) {
		__atomic_add_fetch(&lock_waiters, 1, __ATOMIC_ACQ_REL);
		for (;;) {
			uint32_t s = __atomic_load_n(&lock_serving, __ATOMIC_ACQUIRE);
			if (s == me)
				break;
			struct timespec ts = {0, SLICE_NS};
			long r = syscall(SYS_futex, &lock_serving, FUTEX_WAIT_PRIVATE, s, &ts, NULL, 0);
			struct emu_cpu *h = lock_holder;
			if (r < 0 && errno == ETIMEDOUT && h && h->running)
				h->kick = 1;
		}
		__atomic_sub_fetch(&lock_waiters, 1, __ATOMIC_ACQ_REL);
	}
	lock_holder = c;
}

static void big_unlock(void)
{
	lock_holder = NULL;
	__atomic_add_fetch(&lock_serving, 1, __ATOMIC_ACQ_REL);
	if (__atomic_load_n(&lock_waiters, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &lock_serving, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

/* After a fork only the forking thread exists: the lock is its own. */
static void big_lock_reset(void)
{
	lock_next = lock_serving = 0;
	lock_waiters = 0;
	lock_holder = NULL;
}

/* ---- registers ---- */

static int gpr_ids[] = {
	UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI,
	UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8,	UC_X86_REG_R9,
	UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
	UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_RFLAGS,
};
#define NGPR (int)(sizeof(gpr_ids) / sizeof(gpr_ids[0]))

static void regs_read(uc_engine *uc, struct lx_regs *r)
{
	void *vals[NGPR];
	uint64_t *p = &r->rax;
	for (int i = 0; i < NGPR; i++)
		vals[i] = p + i;
	uc_reg_read_batch(uc, gpr_ids, vals, NGPR);
}

/* Write the registers that differ from old (all when old is NULL); rip_adj is subtracted
 * from a changed rip (the syscall hook: Unicorn adds the instruction's length after it). */
static void regs_write(uc_engine *uc, const struct lx_regs *r, const struct lx_regs *old,
		       uint64_t rip_adj)
{
	int ids[NGPR];
	void *vals[NGPR];
	uint64_t rip;
	int n = 0;
	const uint64_t *p = &r->rax, *o = old ? &old->rax : NULL;
	for (int i = 0; i < NGPR; i++) {
		if (o && p[i] == o[i])
			continue;
		ids[n] = gpr_ids[i];
		vals[n] = (void *)(p + i);
		if (gpr_ids[i] == UC_X86_REG_RIP) {
			rip = r->rip - rip_adj;
			vals[n] = &rip;
		}
		n++;
	}
	if (n)
		uc_reg_write_batch(uc, ids, vals, n);
}

static void bases_sync(struct emu_cpu *c)
{
	if (c->t->guest_fs != c->fs) {
		c->fs = c->t->guest_fs;
		uc_reg_write(c->uc, UC_X86_REG_FS_BASE, &c->fs);
	}
	if (c->t->guest_gs != c->gs) {
		c->gs = c->t->guest_gs;
		uc_reg_write(c->uc, UC_X86_REG_GS_BASE, &c->gs);
	}
}

/* The x87/SSE state in FXSAVE layout (the signal frame's fpstate), and back. */
struct fx_regs {
	uint16_t fcw, fsw, ftw;
	uint32_t mxcsr;
	uint8_t st[8][10];
	uint8_t xmm[16][16];
};

static void fx_read(uc_engine *uc, struct linux_fpstate *fx)
{
	struct fx_regs f;
	int ids[4 + 8 + 16];
	void *vals[4 + 8 + 16];
	ids[0] = UC_X86_REG_FPCW, vals[0] = &f.fcw;
	ids[1] = UC_X86_REG_FPSW, vals[1] = &f.fsw;
	ids[2] = UC_X86_REG_FPTAG, vals[2] = &f.ftw;
	ids[3] = UC_X86_REG_MXCSR, vals[3] = &f.mxcsr;
	for (int i = 0; i < 8; i++)
		ids[4 + i] = UC_X86_REG_ST0 + i, vals[4 + i] = f.st[i];
	for (int i = 0; i < 16; i++)
		ids[12 + i] = UC_X86_REG_XMM0 + i, vals[12 + i] = f.xmm[i];
	uc_reg_read_batch(uc, ids, vals, 28);
	memset(fx, 0, sizeof(*fx));
	fx->cwd = f.fcw;
	fx->swd = f.fsw;
	uint16_t abridged = 0;
	for (int i = 0; i < 8; i++)
		if (((f.ftw >> (2 * i)) & 3) != 3)
			abridged |= (uint16_t)(1u << i);
	fx->twd = abridged;
	fx->mxcsr = f.mxcsr;
	fx->mxcsr_mask = 0xffff;
	for (int i = 0; i < 8; i++)
		memcpy((uint8_t *)fx->st_space + 16 * i, f.st[i], 10);
	memcpy(fx->xmm_space, f.xmm, sizeof(f.xmm));
}

static void fx_write(uc_engine *uc, const struct linux_fpstate *fx)
{
	struct fx_regs f;
	int ids[3 + 8 + 16];
	void *vals[3 + 8 + 16];
	f.fcw = fx->cwd;
	f.fsw = fx->swd;
	f.mxcsr = fx->mxcsr & 0xffff;
	for (int i = 0; i < 8; i++)
		memcpy(f.st[i], (const uint8_t *)fx->st_space + 16 * i, 10);
	memcpy(f.xmm, fx->xmm_space, sizeof(f.xmm));
	ids[0] = UC_X86_REG_FPCW, vals[0] = &f.fcw;
	ids[1] = UC_X86_REG_FPSW, vals[1] = &f.fsw;
	ids[2] = UC_X86_REG_MXCSR, vals[2] = &f.mxcsr;
	for (int i = 0; i < 8; i++)
		ids[3 + i] = UC_X86_REG_ST0 + i, vals[3 + i] = f.st[i];
	for (int i = 0; i < 16; i++)
		ids[11 + i] = UC_X86_REG_XMM0 + i, vals[11 + i] = f.xmm[i];
	uc_reg_write_batch(uc, ids, vals, 27);
}

/* ---- precise faults: only for guests that handle SIGSEGV/SIGBUS themselves ---- */

/*
 * TCG syncs the guest rip only at block ends and before helpers, so after a memory fault
 * Unicorn's rip may be that of an earlier instruction. A memory hook (any, even one whose
 * range nothing reaches) makes it sync rip before every load and store, at the price of the
 * slow path for all of them; it is installed while the guest has a handler for SIGSEGV or
 * SIGBUS, whose frame must name the faulting instruction.
 */
static void nop_mem_hook(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			 void *user)
{
}

static int precise_wanted(void)
{
	return lx_proc.sigactions[LINUX_SIGSEGV - 1].handler > 1 ||
	       lx_proc.sigactions[LINUX_SIGBUS - 1].handler > 1;
}

/* Outside uc_emu_start only. */
static void precise_update(struct emu_cpu *c)
{
	int want = precise_wanted();
	if (want == c->precise)
		return;
	if (want) {
		if (uc_hook_add(c->uc, &c->precise_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
				(void *)nop_mem_hook, NULL, 1, 0) != UC_ERR_OK)
			return;
	} else {
		uc_hook_del(c->uc, c->precise_hook);
	}
	c->precise = want;
	/* Translate again with or without the syncs. Not by UC_CTL_TB_FLUSH: Unicorn 2.0's
	 * flush clears its whole 1 GiB code buffer with memset (seconds, and 1 GiB resident). */
	code_drop_all(c);
}

/* ---- hooks ---- */

static int emu_needs_fp(long nr)
{
	return lx_signal_handlers > 0 || nr == LINUX_SYS_rt_sigreturn;
}

static void hook_syscall(uc_engine *uc, void *user)
{
	struct emu_cpu *c = user;
	struct lx_thread *t = c->t;
	struct lx_regs r, old;
	regs_read(uc, &r);
	/* Unicorn stops on the instruction and adds its length after the hook; the kernel's
	 * view is rip after it, rcx = that rip, r11 = rflags. */
	r.rip += 2;
	r.rcx = r.rip;
	r.r11 = r.rflags;
	r.fs = t->guest_fs;
	old = r;
	long nr = (long)r.rax;
	struct linux_fpstate fx, *fp = NULL;
	if (emu_needs_fp(nr)) {
		fx_read(uc, &fx);
		fp = &fx;
	}
	c->running = 0;
	big_unlock();
	lx_syscall_entry(t, &r, fp);
	big_lock(c);
	map_sync(c);
	old.rax = ~r.rax; /* always written back, as are rcx and r11 */
	old.rcx = ~r.rcx;
	old.r11 = ~r.r11;
	regs_write(uc, &r, &old, 2);
	if (fp)
		fx_write(uc, fp);
	bases_sync(c);
	c->running = 1;
	/* Hooks and the translation cache change only outside uc_emu_start: stop there. */
	if (nr == LINUX_SYS_rt_sigaction && precise_wanted() != c->precise)
		c->kick = 1;
	/* a signal that came after lx_syscall_entry looked: stop at the next block */
	if (lx_signal_pending(t))
		c->kick = 1;
}

/*
 * Asynchronous stops (a host signal for the guest, another thread waiting for the big lock)
 * only set kick; this hook, at the start of every block, turns it into a stop there. Unicorn
 * 2.0's uc_emu_stop from a signal handler or another thread sometimes leaves rip at the start
 * of a block that already ran (its issue #1105): the block would run twice.
 */
static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct emu_cpu *c = user;
	if (c->kick) {
		c->kick = 0;
		uc_emu_stop(uc);
	}
}

/* The vector of an exception that ends emulation (#DE, #UD, int3, ...). */
static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct emu_cpu *c = user;
	c->intno = (int)intno;
	uc_emu_stop(uc);
}

static bool hook_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			 void *user)
{
	struct emu_cpu *c = user;
	/* Another thread may have mapped it meanwhile: catch up and retry. */
	if (__atomic_load_n(&map_gen, __ATOMIC_ACQUIRE) != c->gen) {
		map_sync(c);
		uc_mem_region *r;
		uint32_t n;
		int mapped = 0;
		if (uc_mem_regions(uc, &r, &n) == UC_ERR_OK) {
			for (uint32_t i = 0; i < n; i++)
				if (addr >= r[i].begin && addr <= r[i].end)
					mapped = 1;
			uc_free(r);
		}
		if (mapped && (type == UC_MEM_READ_UNMAPPED || type == UC_MEM_WRITE_UNMAPPED ||
			       type == UC_MEM_FETCH_UNMAPPED))
			return true;
	}
	c->fault_addr = addr;
	c->fault_type = type;
	return false;
}

/*
 * The CPUID the guest sees. Unicorn 2.0's CPU models all report the same filtered set, which
 * leaves out the x87, MMX and SSE3 bits although TCG runs those instructions, so glibc
 * refuses to start ("CPU ISA level is lower than required"). Leaves 1, 7 and 0x80000001
 * are therefore answered here, with what TCG really executes: the x86-64 baseline, SSE3,
 * SSSE3, SSE4.1/4.2, CMPXCHG16B, BMI1/2, ADX, LZCNT and LAHF in 64-bit mode. POPCNT and
 * MOVBE are left out because Unicorn decodes them as invalid for these models; XSAVE, AVX
 * and AVX-512 because TCG has none of them, so glibc's ifuncs pick SSE2-SSE4 variants and
 * its lazy-binding trampoline uses FXSAVE. Other leaves are Unicorn's own.
 */
#define CPUID1_EDX 0x078bfbfdu /* fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov
				 * pat pse36 clflush mmx fxsr sse sse2 */
#define CPUID1_ECX 0x00182201u /* sse3 ssse3 cx16 sse4.1 sse4.2 */
#define CPUID7_EBX 0x00080108u /* bmi1 bmi2 adx */
#define CPUIDX1_ECX 0x00000021u /* lahf_lm abm (lzcnt) */
#define CPUIDX1_EDX 0x20100800u /* syscall nx lm */

static int hook_cpuid(uc_engine *uc, void *user)
{
	uint64_t leaf, sub;
	uc_reg_read(uc, UC_X86_REG_RAX, &leaf);
	uc_reg_read(uc, UC_X86_REG_RCX, &sub);
	uint64_t a, b = 0, c = 0, d = 0;
	switch ((uint32_t)leaf) {
	case 1:
		a = 0x663; /* family 6 model 6, qemu64's */
		b = 0x800; /* clflush line 8 x 8 bytes */
		c = CPUID1_ECX;
		d = CPUID1_EDX;
		break;
	case 7:
		a = 0;
		b = (uint32_t)sub == 0 ? CPUID7_EBX : 0;
		break;
	case 0x80000001:
		a = 0x663;
		c = CPUIDX1_ECX;
		d = CPUIDX1_EDX;
		break;
	default:
		return 0; /* Unicorn answers */
	}
	int ids[] = {UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX};
	void *vals[] = {&a, &b, &c, &d};
	uc_reg_write_batch(uc, ids, vals, 4);
	return 1;
}

/* ---- host signals ---- */

/* Every host signal but a SUD trap (there are none here) comes here first: an asynchronous
 * one for the guest stops the CPU at its next block boundary, where the run loop delivers
 * it; the common handler still queues it (and makes a blocking syscall return EINTR). */
static int emu_fault_hook(int sig, siginfo_t *si, void *uctx)
{
	int fault = (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		     sig == SIGTRAP) && si->si_code > 0;
	struct emu_cpu *c = self_cpu;
	if (!fault && c && c->running)
		c->kick = 1;
	return 0;
}

/* ---- the CPU of one guest thread ---- */

static struct emu_cpu *cpu_new(struct lx_thread *t, const char **why)
{
	struct emu_cpu *c = calloc(1, sizeof(*c));
	if (!c) {
		*why = "out of memory";
		return NULL;
	}
	c->t = t;
	c->intno = -1;
	c->fault_type = -1;
	uc_err e = uc_open(UC_ARCH_X86, UC_MODE_64, &c->uc);
	if (e != UC_ERR_OK) {
		*why = uc_strerror(e);
		free(c);
		return NULL;
	}
	uc_hook h;
	e = uc_hook_add(c->uc, &h, UC_HOOK_INSN, (void *)hook_syscall, c, 1, 0, UC_X86_INS_SYSCALL);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &h, UC_HOOK_INSN, (void *)hook_cpuid, c, 1, 0, UC_X86_INS_CPUID);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &h, UC_HOOK_INTR, (void *)hook_intr, c, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &h, UC_HOOK_BLOCK, (void *)hook_block, c, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(c->uc, &h, UC_HOOK_MEM_INVALID, (void *)hook_invalid, c, 1, 0);
	if (e != UC_ERR_OK) {
		*why = uc_strerror(e);
		uc_close(c->uc);
		free(c);
		return NULL;
	}
	return c;
}

/* Fill siginfo for what ended emulation; 0 when nothing did (a stop request). */
static int cpu_exception(struct emu_cpu *c, uc_err err, struct linux_siginfo *si)
{
	memset(si, 0, sizeof(*si));
	if (c->fault_type >= 0) {
		si->si_signo = LINUX_SIGSEGV;
		si->si_code = c->fault_type == UC_MEM_READ_UNMAPPED ||
					      c->fault_type == UC_MEM_WRITE_UNMAPPED ||
					      c->fault_type == UC_MEM_FETCH_UNMAPPED
				      ? LINUX_SEGV_MAPERR
				      : LINUX_SEGV_ACCERR;
		si->fields.sigfault.addr = c->fault_addr;
		return 1;
	}
	if (c->intno >= 0) {
		switch (c->intno) {
		case 0: /* #DE */
			si->si_signo = LINUX_SIGFPE;
			si->si_code = LINUX_FPE_INTDIV;
			break;
		case 1: /* #DB */
		case 3: /* int3 */
			si->si_signo = LINUX_SIGTRAP;
			si->si_code = LINUX_SI_KERNEL;
			break;
		case 6: /* #UD */
			si->si_signo = LINUX_SIGILL;
			si->si_code = LINUX_ILL_ILLOPN;
			break;
		case 16: /* #MF */
		case 19: /* #XM */
			si->si_signo = LINUX_SIGFPE;
			break;
		default: /* #GP, int $n, ... */
			si->si_signo = LINUX_SIGSEGV;
			si->si_code = LINUX_SI_KERNEL;
			break;
		}
		return 1;
	}
	switch (err) {
	case UC_ERR_OK:
		return 0;
	case UC_ERR_INSN_INVALID:
		si->si_signo = LINUX_SIGILL;
		si->si_code = LINUX_ILL_ILLOPN;
		return 1;
	default:
		si->si_signo = LINUX_SIGSEGV;
		si->si_code = LINUX_SI_KERNEL;
		return 1;
	}
}

/* A synchronous signal from guest code: its handler (or a tracer) if there is one that is not
 * blocked, death otherwise (as Linux forces a blocked or ignored fault). */
static void cpu_fault(struct emu_cpu *c, const struct linux_siginfo *si, struct lx_regs *r,
		      struct linux_fpstate *fx)
{
	struct lx_thread *t = c->t;
	int sig = si->si_signo;
	if (si->si_signo == LINUX_SIGILL || si->si_signo == LINUX_SIGFPE)
		((struct linux_siginfo *)si)->fields.sigfault.addr = r->rip;
	/* a tracer sees it first (a debugger's breakpoint), as a handler would */
	if ((lx_proc.sigactions[sig - 1].handler > 1 || t->pt) && !(t->sigmask & (1ull << (sig - 1)))) {
		lx_signal_queue(t, sig, si);
		return;
	}
	ucontext_t uc;
	siginfo_t hsi;
	memset(&uc, 0, sizeof(uc));
	memset(&hsi, 0, sizeof(hsi));
	lx_regs_to_uc(&uc, r);
	memcpy(&hsi, si, sizeof(hsi) < sizeof(*si) ? sizeof(hsi) : sizeof(*si));
	lx_signal_fatal(sig, &hsi, &uc);
	lx_die_by_signal(sig);
}

__attribute__((noreturn)) static void cpu_loop(struct emu_cpu *c)
{
	struct lx_thread *t = c->t;
	for (;;) {
		struct lx_regs r;
		if (lx_signal_pending(t)) {
			struct linux_fpstate fx;
			regs_read(c->uc, &r);
			struct lx_regs old = r;
			fx_read(c->uc, &fx);
			r.fs = t->guest_fs;
			lx_signal_deliver(t, -1, &r, &fx);
			lx_signal_sync_mask(t);
			regs_write(c->uc, &r, &old, 0);
			fx_write(c->uc, &fx);
			bases_sync(c);
		}
		if (lock_waiters) {
			big_unlock();
			big_lock(c);
			map_sync(c);
		}
		precise_update(c);
		uint64_t rip;
		uc_reg_read(c->uc, UC_X86_REG_RIP, &rip);
		c->intno = -1;
		c->fault_type = -1;
		c->running = 1;
		/* until: an address no guest code can be at (non-canonical) */
		uc_err err = uc_emu_start(c->uc, rip, 0x8000000000000000ull, 0, 0);
		c->running = 0;
		struct linux_siginfo si;
		if (!cpu_exception(c, err, &si))
			continue;
		regs_read(c->uc, &r);
		struct linux_fpstate fx;
		fx_read(c->uc, &fx);
		cpu_fault(c, &si, &r, &fx);
	}
}

/* ---- engine operations ---- */

static int emu_init(const char **why)
{
	/* No SUD and no FS switching: only the GS-based thread block and the host handlers. */
	int r = lx_fsgs_init(why);
	if (r < 0)
		return r;
	r = lx_signals_init();
	if (r < 0) {
		*why = "cannot install the translator's signal handlers";
		return r;
	}
	lx_signals_set_fault_hook(emu_fault_hook);
	return 0;
}

static int emu_thread_arm(struct lx_thread *t, const char **why)
{
	/* A fork child: the CPU and its memory map were copied with the process; only the
	 * lock needs to forget the threads that are gone. */
	struct emu_cpu *c = self_cpu;
	if (c && c->t == t)
		big_lock_reset();
	return 0;
}

static void emu_thread_disarm(struct lx_thread *t)
{
}

/* A guest thread ended (its host thread is back in its start routine, out of the syscall
 * hook by a longjmp): its CPU goes with it. */
static void emu_thread_exit(struct lx_thread *t)
{
	struct emu_cpu *c = self_cpu;
	if (c && c->t == t) {
		self_cpu = NULL;
		big_lock(c);
		uc_close(c->uc);
		big_unlock();
		free(c);
	}
}

__attribute__((noreturn)) static void emu_run(struct lx_thread *t, const struct lx_regs *regs)
{
	const char *why = "cannot create the CPU";
	/* the lock is taken with a placeholder: the CPU is made under it */
	static struct emu_cpu none;
	big_lock(&none);
	struct emu_cpu *c = cpu_new(t, &why);
	if (!c) {
		char msg[256];
		int n = snprintf(msg, sizeof(msg), "lxrun: emulate engine: %s\n", why);
		if (write(2, msg, (size_t)n) < 0) {
			/* exiting anyway */
		}
		syscall(SYS_exit_group, 127);
	}
	self_cpu = c;
	lock_holder = c;
	mm_lock();
	mm_set_observer(emu_mem_changed);
	c->gen = map_gen;
	map_range(c, 0, UINT64_MAX);
	mm_unlock();
	struct lx_regs r = *regs;
	regs_write(c->uc, &r, NULL, 0);
	/* Linux starts a process with the x87 at 64-bit precision (FCW 0x37f) and MXCSR 0x1f80;
	 * Unicorn's reset leaves FCW 0, single precision, which rounds every long double. */
	uint64_t fcw = 0x37f, mxcsr = 0x1f80;
	uc_reg_write(c->uc, UC_X86_REG_FPCW, &fcw);
	uc_reg_write(c->uc, UC_X86_REG_MXCSR, &mxcsr);
	/* CR4.OSFXSR as Linux sets it: without it FXSAVE/FXRSTOR skip the XMM registers, and
	 * ld.so's lazy-binding trampoline (which saves them with FXSAVE here) loses arguments. */
	uint64_t cr4;
	uc_reg_read(c->uc, UC_X86_REG_CR4, &cr4);
	cr4 |= 0x600; /* OSFXSR | OSXMMEXCPT */
	uc_reg_write(c->uc, UC_X86_REG_CR4, &cr4);
	c->fs = ~t->guest_fs;
	c->gs = ~t->guest_gs;
	t->guest_fs = regs->fs;
	bases_sync(c);
	precise_update(c);
	cpu_loop(c);
}

const struct lx_engine lx_engine_emulate = {
	.name = "emulate",
	.init = emu_init,
	.thread_arm = emu_thread_arm,
	.thread_disarm = emu_thread_disarm,
	.thread_exit = emu_thread_exit,
	.run = emu_run,
};
