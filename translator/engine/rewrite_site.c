/* SPDX-License-Identifier: MIT */
/* Syscall sites of the rewrite engine: recognise them (Capstone), make stubs near them, patch. */
#include "translator/engine/rewrite.h"
#include "translator/engine/rewrite_shape.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "translator/guest_mem.h"
#include "translator/mm.h"
#include "translator/stats.h"
#include "translator/syscall.h"
#include "translator/thread.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)

/*
 * Three shapes, named by what they hold before the patch. Each site is keyed by its call
 * address (the one after its syscall instruction, which SUD reports), so shapes that start
 * at different bytes never share a key.
 *  MOV: b8 imm32 0f 05 (mov $nr,%eax; syscall), 83% of glibc 2.36's sites. The mov becomes a
 *       jmp to the stub; the syscall stays, for threads past the mov and for SA_RESTART.
 *  XOR: 31 c0 0f 05 48 3d imm32 (xor %eax,%eax; syscall; cmp $imm,%rax): glibc's read(). Only
 *       four bytes precede the cmp, so the jmp's displacement covers the syscall and the
 *       cmp's first byte; the stub is placed where that displacement reads
 *       XX 0f 0b ff: a thread found at the old syscall meets ud2, one returning to the old
 *       cmp meets ff 3d (FF /7, undefined), and rewrite_site_fault sends either to the
 *       equivalent place in the stub, which keeps a syscall and the cmp.
 *  SYS: 0f 05 I, any other site whose following instruction I is 3-15 bytes, not a branch,
 *       and (once its displacement is moved) position independent: glibc's syscall(), Go's
 *       Syscall6, hand-written loops. The jmp replaces the syscall and I's first three bytes;
 *       the stub is placed where the displacement's second byte (the one at I) is an opcode
 *       undefined in 64-bit mode (06, 07, 0e, ...), so a thread returning to I (from the
 *       syscall, or by a jump) faults and continues at the stub's copy of I. Its call is an
 *       instruction boundary by definition, so I is decoded without guessing where code
 *       starts; Capstone decodes it, loaded only for a site that traps HOT times.
 * MOV and XOR are recognised by their bytes alone: both are fixed encodings, so a
 * disassembler's verdict on them is a function of the bytes already compared
 * (tests/translator/test_rewrite_shape.c checks that against Capstone over the host's libc),
 * and a short-lived process never pays the ~1.8 ms of loading Capstone.
 */
enum site_shape { SHAPE_MOV = RW_SHAPE_MOV, SHAPE_XOR = RW_SHAPE_XOR, SHAPE_SYS = RW_SHAPE_SYS };
/* NEW: not judged; SEEN: a fixed shape seen once; OTHER: no fixed shape, counting traps;
 * PATCHED; NEVER: judged unpatchable */
enum site_state { SITE_NEW, SITE_SEEN, SITE_OTHER, SITE_PATCHED, SITE_NEVER };

#define WIN_BEFORE RW_WIN_BEFORE /* bytes kept from call - 8 to call + 16: every shape's */
#define WIN RW_WIN              /* bytes and the byte before them */
#define JMP_LEN 5
#define STUB_SLOT 64
#define CHUNK_SIZE (64u << 10)
#define CHUNK_SLOTS (CHUNK_SIZE / STUB_SLOT)
#define MAX_CHUNKS 256
#define REACH ((int64_t)INT32_MAX - CHUNK_SIZE)
/* XOR stubs: offsets of the kept syscall and of the copied cmp, and the displacement form */
#define XOR_STUB_SYSCALL 15
#define XOR_STUB_TAIL 17
#define XOR_REL_BASE 0xff0b0f00u
/* SYS stubs: the same, without the leading xor */
#define SYS_STUB_SYSCALL 13
#define SYS_STUB_TAIL 15
#define WARMUP 64 /* SUD traps before any site is looked at */
#define HOT 128   /* traps of one SYS-shaped site before Capstone is loaded for it */
#define WARM 2    /* traps of a MOV or XOR site before it is patched (4 and 8: no better) */

struct site {
	uint64_t call; /* the address after the syscall; 0 = free slot */
	uint64_t stub;
	uint8_t bytes[WIN]; /* call - WIN_BEFORE ...: to tell whether it still holds the same code */
	uint8_t shape, state;
	uint16_t hits;
};

struct chunk {
	uint64_t base;
	uint64_t used[CHUNK_SLOTS / 64]; /* slot 0 holds the trampoline's address */
};

/* All of it is guarded by mm_lock(): patching also changes page protections that the guest's
 * mprotect/munmap change, and that lock is already handled across fork. */
static struct site *sites;
static size_t sites_cap, sites_len;
static struct chunk chunks[MAX_CHUNKS];
static unsigned nchunks;
static csh cs;
static cs_insn *insn;

static size_t site_slot(uint64_t call)
{
	size_t h = (size_t)((call * 0x9e3779b97f4a7c15ull) >> 17) & (sites_cap - 1);
	while (sites[h].call && sites[h].call != call)
		h = (h + 1) & (sites_cap - 1);
	return h;
}

static struct site *site_find(uint64_t call)
{
	if (!sites_cap)
		return NULL;
	struct site *s = &sites[site_slot(call)];
	return s->call ? s : NULL;
}

static struct site *site_add(uint64_t call)
{
	if ((sites_len + 1) * 2 > sites_cap) {
		size_t old_cap = sites_cap, cap = old_cap ? old_cap * 2 : 256;
		struct site *old = sites, *n = calloc(cap, sizeof(*n));
		if (!n)
			return NULL;
		sites = n;
		sites_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].call)
				sites[site_slot(old[i].call)] = old[i];
		free(old);
	}
	struct site *s = &sites[site_slot(call)];
	if (!s->call) {
		s->call = call;
		sites_len++;
	}
	return s;
}

/* Where a shape's jmp goes: its first patched byte. */
static uint64_t site_start(const struct site *s)
{
	return s->call - (s->shape == SHAPE_MOV ? 7 : s->shape == SHAPE_XOR ? 4 : 2);
}

/* Other CPUs may hold the old bytes in flight: make every thread of ours serialize. */
static void sync_cores(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) < 0 &&
	    errno == EPERM &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0)
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
}

static int near(uint64_t a, uint64_t b)
{
	int64_t d = (int64_t)(a - b);
	return d < REACH && d > -REACH;
}

/* Map a chunk at cand (chunk aligned) if nothing, guest or host, is there. */
static struct chunk *chunk_at(uint64_t cand)
{
	if (nchunks == MAX_CHUNKS || cand < 0x10000 || mm_overlaps(cand, CHUNK_SIZE))
		return NULL;
	void *p = mmap((void *)cand, CHUNK_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (p != (void *)cand) {
		munmap(p, CHUNK_SIZE);
		return NULL;
	}
	/* slots are filled with int3 when taken (stub_write): untouched pages stay untouched */
	uint64_t tramp = (uint64_t)lx_fsgs.tramp->start;
	memcpy(p, &tramp, sizeof(tramp));
	mprotect(p, CHUNK_SIZE, PROT_READ | PROT_EXEC);
	struct chunk *c = &chunks[nchunks++];
	memset(c, 0, sizeof(*c));
	c->base = cand;
	c->used[0] = 1;
	return c;
}

static int slot_free(const struct chunk *c, unsigned i)
{
	return !(c->used[i / 64] & (1ull << (i % 64)));
}

static struct chunk *chunk_find(uint64_t base)
{
	for (unsigned j = 0; j < nchunks; j++)
		if (chunks[j].base == base)
			return &chunks[j];
	return NULL;
}

static void slot_give_back(uint64_t p)
{
	struct chunk *k = chunk_find(p & ~(uint64_t)(CHUNK_SIZE - 1));
	unsigned i = (unsigned)((p & (CHUNK_SIZE - 1)) / STUB_SLOT);
	if (k)
		k->used[i / 64] &= ~(1ull << (i % 64));
}

/* SYS: does a jmp from the site to p have an undefined opcode as its second displacement
 * byte, the one that lands on the instruction after the syscall? */
static int sys_slot_ok(const struct site *s, uint64_t p)
{
	uint8_t b = (uint8_t)((p - (site_start(s) + JMP_LEN)) >> 8);
	return memchr(rw_bad_opcodes, b, sizeof(rw_bad_opcodes)) != NULL;
}

/* Take a free slot of c that suits s (any, or sys_slot_ok's), or 0. */
static uint64_t slot_pick(struct chunk *c, const struct site *s)
{
	for (unsigned i = 1; i < CHUNK_SLOTS; i++) {
		uint64_t p = c->base + (uint64_t)i * STUB_SLOT;
		if (!slot_free(c, i) || (s->shape == SHAPE_SYS && !sys_slot_ok(s, p)))
			continue;
		c->used[i / 64] |= 1ull << (i % 64);
		return p;
	}
	return 0;
}

/* A slot in a chunk within reach of the site (MOV, SYS): an existing chunk's, else a new
 * chunk's, below the site's mapping first (above a program lies its brk heap); guest mappings
 * are skipped whole, host ones a chunk at a time. Each chunk has 64 slots that suit a SYS
 * site (16 opcodes x 4 slots of each 256 bytes). */
static uint64_t slot_near(const struct site *s)
{
	uint64_t site = site_start(s), p;
	for (unsigned i = 0; i < nchunks; i++)
		if (near(chunks[i].base, site) && (p = slot_pick(&chunks[i], s)))
			return p;
	uint64_t cand = (site & ~(uint64_t)(CHUNK_SIZE - 1)) - CHUNK_SIZE;
	for (int tries = 0; tries < 4096 && near(cand, site) && cand >= 0x10000; tries++) {
		const struct lx_vma *v = mm_find(cand + CHUNK_SIZE - 1);
		if (!v)
			v = mm_find(cand);
		if (v) {
			cand = (v->start & ~(uint64_t)(CHUNK_SIZE - 1)) - CHUNK_SIZE;
			continue;
		}
		struct chunk *c = chunk_at(cand);
		if (c && (p = slot_pick(c, s)))
			return p;
		cand -= CHUNK_SIZE;
	}
	return 0;
}

/* XOR: a free slot where the jmp's displacement reads XX 0f 0b ff (a 256-byte window). */
static uint64_t slot_xor(const struct site *s)
{
	uint64_t lo = site_start(s) + JMP_LEN + (uint64_t)(int64_t)(int32_t)XOR_REL_BASE;
	uint64_t first = (lo + STUB_SLOT - 1) & ~(uint64_t)(STUB_SLOT - 1);
	for (uint64_t p = first; p < lo + 256; p += STUB_SLOT) {
		uint64_t base = p & ~(uint64_t)(CHUNK_SIZE - 1);
		struct chunk *k = chunk_find(base);
		if (!k)
			k = chunk_at(base);
		unsigned i = (unsigned)((p - base) / STUB_SLOT);
		if (k && slot_free(k, i)) {
			k->used[i / 64] |= 1ull << (i % 64);
			return p;
		}
	}
	return 0;
}

/*
 * MOV stub: mov $nr,%eax; lea site+7(%rip),%rcx; jmp *tramp(%rip).
 * XOR stub: xor %eax,%eax; lea tail(%rip),%rcx; jmp *tramp(%rip); syscall; tail: the cmp;
 * jmp site+10. SYS stub: lea tail(%rip),%rcx; jmp *tramp(%rip); syscall; tail: I; jmp past
 * I. rcx is the return address the trampoline resumes at; the syscall right before the tail
 * is where SA_RESTART's "two bytes back" lands.
 */
static int stub_write(const struct site *s, uint64_t p)
{
	uint8_t code[STUB_SLOT], tail[16];
	size_t n = 0, tail_len = 0;
	uint64_t base = p & ~(uint64_t)(CHUNK_SIZE - 1);
	const uint8_t *c = s->bytes + WIN_BEFORE; /* call */
	int32_t rel;
	if (s->shape == SHAPE_MOV) {
		memcpy(code, c - 7, 5);
		n = 5;
	} else if (s->shape == SHAPE_XOR) {
		code[0] = 0x31, code[1] = 0xc0;
		n = 2;
		memcpy(tail, c, 6); /* cmp $imm32,%rax */
		tail_len = 6;
	} else {
		tail_len = rw_sys_tail(cs, insn, s->bytes, s->call, p + SYS_STUB_TAIL, tail);
		if (!tail_len)
			return -LINUX_EINVAL;
	}
	uint64_t ret = s->shape == SHAPE_MOV ? s->call : p + n + 15;
	code[n++] = 0x48, code[n++] = 0x8d, code[n++] = 0x0d;
	rel = (int32_t)(ret - (p + n + 4));
	memcpy(code + n, &rel, 4);
	n += 4;
	code[n++] = 0xff, code[n++] = 0x25;
	rel = (int32_t)(base - (p + n + 4));
	memcpy(code + n, &rel, 4);
	n += 4;
	if (s->shape != SHAPE_MOV) {
		code[n++] = 0x0f, code[n++] = 0x05; /* XOR_STUB_SYSCALL, SYS_STUB_SYSCALL */
		memcpy(code + n, tail, tail_len);   /* XOR_STUB_TAIL, SYS_STUB_TAIL */
		n += tail_len;
		code[n++] = 0xe9;
		rel = (int32_t)((s->call + tail_len) - (p + n + 4));
		memcpy(code + n, &rel, 4);
		n += 4;
	}
	memset(code + n, 0xcc, STUB_SLOT - n);
	uint64_t page = p & ~(uint64_t)4095;
	if (mprotect((void *)page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		return lx_errno(errno);
	memcpy((void *)p, code, STUB_SLOT);
	mprotect((void *)page, 4096, PROT_READ | PROT_EXEC);
	return 0;
}

/* A guest mapping we may write code into: private, executable, not the (shared) vDSO. */
static const struct lx_vma *code_vma(uint64_t addr)
{
	const struct lx_vma *v = mm_find(addr);
	if (!v || !(v->prot & PROT_EXEC) || (v->flags & (LX_VMA_SHARED | LX_VMA_VDSO | LX_VMA_VVAR)))
		return NULL;
	return v;
}

/* Make [addr, addr+len) writable, or give it back its guest protection. */
static int site_unprotect(uint64_t addr, size_t len, int writable)
{
	for (uint64_t pg = addr & ~(uint64_t)4095; pg < addr + len; pg += 4096) {
		const struct lx_vma *v = code_vma(pg);
		if (!v)
			return -LINUX_EFAULT;
		int prot = writable ? (int)(v->prot | PROT_READ | PROT_WRITE) : (int)v->prot;
		if (mprotect((void *)pg, 4096, prot) < 0)
			return lx_errno(errno);
	}
	return 0;
}

/* The membarrier registration and the CPU probe, at the first patch: 0, or negative when
 * patching is impossible (then every site stays on SUD). */
static int site_setup(void)
{
	static int state; /* 0 not yet, 1 ready, -1 impossible */
	if (state)
		return state;
	state = -1;
	if (rewrite_cpu_probe() < 0)
		return state;
	syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
	state = 1;
	return state;
}

/* Capstone with instruction details, loaded for the first hot SYS site: 0, or -1. */
static int capstone_setup(void)
{
	static int state;
	if (state)
		return state;
	state = -1;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return state;
	if (cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK || !(insn = cs_malloc(cs))) {
		cs_close(&cs);
		return state;
	}
	state = 1;
	return state;
}

/*
 * Patch like text_poke_bp: int3 over the first byte, the rest of the jmp, then its opcode,
 * with every core serialized between steps. Once the int3 is visible nobody starts the old
 * first instruction, so nobody runs half-written bytes; a thread that meets the int3 waits
 * for the lock in rewrite_site_fault and restarts at the site.
 */
static int site_patch(struct site *s)
{
	uint64_t at = site_start(s);
	volatile uint8_t *p = (volatile uint8_t *)at;
	uint32_t rel = (uint32_t)(s->stub - (at + JMP_LEN));
	int r = site_unprotect(at, JMP_LEN, 1);
	if (r < 0) {
		site_unprotect(at, JMP_LEN, 0);
		return r;
	}
	if (__atomic_load_n(&lx_nthreads, __ATOMIC_ACQUIRE) <= 1) {
		/* no other guest thread, and this one is in the trap handler: nobody can run
		 * the bytes while they change, so no int3 and no barriers */
		uint8_t jmp[JMP_LEN] = {0xe9, (uint8_t)rel, (uint8_t)(rel >> 8), (uint8_t)(rel >> 16),
					(uint8_t)(rel >> 24)};
		memcpy((void *)at, jmp, JMP_LEN);
		site_unprotect(at, JMP_LEN, 0);
		return 0;
	}
	p[0] = 0xcc;
	sync_cores();
	for (int i = 0; i < 4; i++)
		p[1 + i] = (uint8_t)(rel >> (8 * i));
	sync_cores();
	p[0] = 0xe9;
	sync_cores();
	site_unprotect(at, JMP_LEN, 0);
	return 0;
}

/* Stub, then jmp: 1 if s is now patched. */
static int site_try(struct site *s)
{
	uint64_t at = site_start(s);
	if (!code_vma(at) || !code_vma(at + JMP_LEN - 1))
		return 0;
	if (s->shape == SHAPE_SYS) {
		uint8_t tail[16];
		if (capstone_setup() < 0 || !rw_sys_tail(cs, insn, s->bytes, s->call, s->call, tail))
			return 0;
	}
	if (!(s->stub = s->shape == SHAPE_XOR ? slot_xor(s) : slot_near(s)))
		return 0;
	if (stub_write(s, s->stub) < 0 || site_patch(s) < 0) {
		slot_give_back(s->stub);
		return 0;
	}
	return 1;
}

/*
 * The trap hook. Nothing happens during a process's first WARMUP traps (a short-lived
 * process, /bin/true, is cheaper on plain SUD than with the set-up and a few patches); then
 * a fixed-shape site is patched on its second trap, so code run once costs one trap and
 * nothing more, and any other site on its HOT-th.
 */
void rewrite_site_trap(siginfo_t *si, void *uctx)
{
	static unsigned traps;
	uint64_t call = (uint64_t)si->si_call_addr;
	uint8_t w[WIN];
	(void)uctx;
	if (__atomic_load_n(&traps, __ATOMIC_RELAXED) < WARMUP) {
		__atomic_add_fetch(&traps, 1, __ATOMIC_RELAXED);
		return;
	}
	if (call < WIN_BEFORE || guest_copy_in(w, call - WIN_BEFORE, sizeof(w)) < 0)
		return; /* a site at the very start or end of a mapping: left on SUD */
	mm_lock();
	if (site_setup() < 0)
		goto out;
	struct site *s = site_find(call);
	if (s && s->state == SITE_PATCHED)
		goto out; /* a thread that passed the old code */
	if (!s && !(s = site_add(call)))
		goto out;
	if (memcmp(s->bytes, w, WIN)) { /* new, or other code mapped there since */
		memcpy(s->bytes, w, WIN);
		s->state = SITE_NEW;
	}
	switch (s->state) {
	case SITE_NEW: {
		int shape = rw_fixed_shape(w, (uint64_t)(uint32_t)si->si_syscall);
		s->shape = (uint8_t)(shape < 0 ? SHAPE_SYS : shape);
		s->state = shape < 0 ? SITE_OTHER : SITE_SEEN;
		s->hits = 1;
		if (shape < 0)
			lx_stats_site(0); /* counted as patched instead if it gets hot and is */
		break;
	}
	case SITE_SEEN:
		if (++s->hits < WARM)
			break;
		if (site_try(s)) {
			s->state = SITE_PATCHED;
			lx_stats_site(1);
		} else if (s->shape == SHAPE_XOR) {
			/* no room for the XOR window (a static binary low in memory): its cmp
			 * makes it a SYS site too */
			s->shape = SHAPE_SYS;
			s->state = SITE_OTHER;
			lx_stats_site(0);
		} else {
			s->state = SITE_NEVER;
			lx_stats_site(0);
		}
		break;
	case SITE_OTHER:
		if (++s->hits < HOT)
			break;
		s->state = site_try(s) ? SITE_PATCHED : SITE_NEVER;
		if (s->state == SITE_PATCHED)
			lx_stats_site_promoted();
		break;
	}
out:
	mm_unlock();
}

/*
 * SIGTRAP from the int3 of a site being patched: done once the lock is ours, so restart at
 * the site. SIGILL from what an XOR or SYS patch leaves where a syscall or the instruction
 * after it was (ud2, FF /7, an undefined opcode): continue at the stub's copy of it.
 */
int rewrite_site_fault(int sig, siginfo_t *si, ucontext_t *uc)
{
	static const int back[] = {7, 4, 2}; /* site_start's distances, by shape */
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uint8_t op;
	int done = 0;
	if (!((sig == SIGTRAP && si->si_code == SI_KERNEL) || (sig == SIGILL && si->si_code == ILL_ILLOPN)))
		return 0;
	mm_lock();
	if (sig == SIGTRAP) {
		for (int k = 0; k < 3 && !done; k++) {
			struct site *s = site_find(rip - 1 + (uint64_t)back[k]);
			if (s && s->shape == k && guest_copy_in(&op, rip - 1, 1) == 0 && op != 0xcc) {
				uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(rip - 1);
				lx_stats_restart();
				done = 1;
			}
		}
	} else if (guest_copy_in(&op, rip, 1) == 0) {
		struct site *at_sys = site_find(rip + 2), *at_call = site_find(rip);
		if (at_sys && at_sys->state == SITE_PATCHED && at_sys->shape == SHAPE_XOR && op == 0x0f) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(at_sys->stub + XOR_STUB_SYSCALL);
			done = 1;
		} else if (at_call && at_call->state == SITE_PATCHED && at_call->shape == SHAPE_XOR &&
			   op == 0xff) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(at_call->stub + XOR_STUB_TAIL);
			done = 1;
		} else if (at_call && at_call->state == SITE_PATCHED && at_call->shape == SHAPE_SYS &&
			   memchr(rw_bad_opcodes, op, sizeof(rw_bad_opcodes))) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(at_call->stub + SYS_STUB_TAIL);
			done = 1;
		}
	}
	mm_unlock();
	return done;
}
