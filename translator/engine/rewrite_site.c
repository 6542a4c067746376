/* SPDX-License-Identifier: MIT */
/* Syscall sites of the rewrite engine: recognise them (Capstone), make stubs near them, patch. */
#include "translator/engine/rewrite.h"

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

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)

/*
 * Two shapes, named by what they hold before the patch:
 *  MOV: b8 imm32 0f 05 (mov $nr,%eax; syscall), 83% of glibc 2.36's sites. The mov becomes a
 *       jmp to the stub; the syscall stays, for threads past the mov and for SA_RESTART.
 *  XOR: 31 c0 0f 05 48 3d imm32 (xor %eax,%eax; syscall; cmp $imm,%rax): glibc's read(). Only
 *       four bytes precede the cmp, so the jmp's displacement covers the syscall and the
 *       cmp's first byte; the stub is placed where that displacement reads
 *       XX 0f 0b ff: a thread found at the old syscall meets ud2, one returning to the old
 *       cmp meets ff 3d (FF /7, undefined), and rewrite_site_fault sends either to the
 *       equivalent place in the stub, which keeps a syscall and the cmp.
 */
enum site_shape { SHAPE_MOV, SHAPE_XOR };
enum site_state { SITE_SEEN, SITE_SUD, SITE_PATCHED };

#define SITE_MAX 10  /* bytes compared to tell whether a site still holds the same code */
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
#define WARMUP 64 /* SUD traps before any site is looked at */

struct site {
	uint64_t addr; /* first patched byte; 0 = free slot */
	uint64_t stub;
	uint8_t bytes[SITE_MAX];
	uint8_t shape, state;
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

static size_t site_slot(uint64_t addr)
{
	size_t h = (size_t)((addr * 0x9e3779b97f4a7c15ull) >> 17) & (sites_cap - 1);
	while (sites[h].addr && sites[h].addr != addr)
		h = (h + 1) & (sites_cap - 1);
	return h;
}

static struct site *site_find(uint64_t addr)
{
	if (!sites_cap)
		return NULL;
	struct site *s = &sites[site_slot(addr)];
	return s->addr ? s : NULL;
}

static struct site *site_add(uint64_t addr)
{
	if ((sites_len + 1) * 2 > sites_cap) {
		size_t old_cap = sites_cap, cap = old_cap ? old_cap * 2 : 256;
		struct site *old = sites, *n = calloc(cap, sizeof(*n));
		if (!n)
			return NULL;
		sites = n;
		sites_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].addr)
				sites[site_slot(old[i].addr)] = old[i];
		free(old);
	}
	struct site *s = &sites[site_slot(addr)];
	if (!s->addr) {
		s->addr = addr;
		sites_len++;
	}
	return s;
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
	memset(p, 0xcc, CHUNK_SIZE);
	uint64_t tramp = (uint64_t)lx_fsgs.tramp->start;
	memcpy(p, &tramp, sizeof(tramp));
	mprotect(p, CHUNK_SIZE, PROT_READ | PROT_EXEC);
	struct chunk *c = &chunks[nchunks++];
	memset(c, 0, sizeof(*c));
	c->base = cand;
	c->used[0] = 1;
	return c;
}

/* A chunk within reach of site: below its mapping first (above a program lies its brk heap);
 * guest mappings are skipped whole, host ones a chunk at a time. */
static struct chunk *chunk_near(uint64_t site)
{
	for (unsigned i = 0; i < nchunks; i++)
		if (near(chunks[i].base, site))
			for (unsigned w = 0; w < CHUNK_SLOTS / 64; w++)
				if (~chunks[i].used[w])
					return &chunks[i];
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
		if (c)
			return c;
		cand -= CHUNK_SIZE;
	}
	return NULL;
}

static int slot_free(const struct chunk *c, unsigned i)
{
	return !(c->used[i / 64] & (1ull << (i % 64)));
}

/* A free slot anywhere in reach (MOV), or one whose jmp displacement from site has the XOR
 * form (0 if there is none). */
static uint64_t slot_take(uint64_t site, int shape)
{
	struct chunk *c = NULL;
	unsigned i = 0;
	if (shape == SHAPE_MOV) {
		if (!(c = chunk_near(site)))
			return 0;
		while (!slot_free(c, i))
			i++;
	} else {
		uint64_t lo = site + JMP_LEN + (uint64_t)(int64_t)(int32_t)XOR_REL_BASE;
		uint64_t first = (lo + STUB_SLOT - 1) & ~(uint64_t)(STUB_SLOT - 1);
		for (uint64_t p = first; p < lo + 256 && !c; p += STUB_SLOT) {
			uint64_t base = p & ~(uint64_t)(CHUNK_SIZE - 1);
			struct chunk *k = NULL;
			for (unsigned j = 0; j < nchunks && !k; j++)
				if (chunks[j].base == base)
					k = &chunks[j];
			if (!k)
				k = chunk_at(base);
			if (k && slot_free(k, (unsigned)((p - base) / STUB_SLOT))) {
				c = k;
				i = (unsigned)((p - base) / STUB_SLOT);
			}
		}
		if (!c)
			return 0;
	}
	c->used[i / 64] |= 1ull << (i % 64);
	return c->base + (uint64_t)i * STUB_SLOT;
}

/*
 * MOV stub: mov $nr,%eax; lea site+7(%rip),%rcx; jmp *tramp(%rip).
 * XOR stub: xor %eax,%eax; lea tail(%rip),%rcx; jmp *tramp(%rip); syscall; tail: the cmp;
 * jmp site+10. rcx is the return address the trampoline resumes at; the syscall right before
 * the tail is where SA_RESTART's "two bytes back" lands.
 */
static int stub_write(const struct site *s, uint64_t p)
{
	uint8_t code[STUB_SLOT];
	size_t n = 0;
	uint64_t base = p & ~(uint64_t)(CHUNK_SIZE - 1);
	int32_t rel;
	if (s->shape == SHAPE_MOV) {
		memcpy(code, s->bytes, 5);
		n = 5;
	} else {
		code[0] = 0x31, code[1] = 0xc0;
		n = 2;
	}
	uint64_t ret = s->shape == SHAPE_MOV ? s->addr + 7 : p + XOR_STUB_TAIL;
	code[n++] = 0x48, code[n++] = 0x8d, code[n++] = 0x0d;
	rel = (int32_t)(ret - (p + n + 4));
	memcpy(code + n, &rel, 4);
	n += 4;
	code[n++] = 0xff, code[n++] = 0x25;
	rel = (int32_t)(base - (p + n + 4));
	memcpy(code + n, &rel, 4);
	n += 4;
	if (s->shape == SHAPE_XOR) {
		code[n++] = 0x0f, code[n++] = 0x05; /* XOR_STUB_SYSCALL */
		memcpy(code + n, s->bytes + 4, 6); /* XOR_STUB_TAIL: cmp $imm32,%rax */
		n += 6;
		code[n++] = 0xe9;
		rel = (int32_t)((s->addr + 10) - (p + n + 4));
		memcpy(code + n, &rel, 4);
		n += 4;
	}
	uint64_t page = p & ~(uint64_t)4095;
	if (mprotect((void *)page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		return lx_errno(errno);
	memcpy((void *)p, code, n);
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

static int prefix_byte(uint8_t b)
{
	return (b >= 0x40 && b <= 0x4f) || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
	       b == 0xf3 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 ||
	       b == 0x65;
}

/* Capstone's view must agree: each instruction id and length in turn, and nothing left. */
static int decodes_as(uint64_t addr, const uint8_t *b, size_t len, const unsigned *ids,
		      const uint16_t *sizes, int n)
{
	const uint8_t *code = b;
	size_t size = len;
	uint64_t pc = addr;
	for (int i = 0; i < n; i++)
		if (!cs_disasm_iter(cs, &code, &size, &pc, insn) || insn->id != ids[i] ||
		    insn->size != sizes[i])
			return 0;
	return size == 0;
}

/*
 * Which shape the bytes before and at call (the address after the syscall) are, with the
 * start of the site in *addr; -1 if none. b: SITE_MAX + 7 bytes from call - 7 - 1. The byte
 * before the site must not be a prefix (b8 after a REX prefix is mov to r8d-r15d), and rax
 * at the trap must be what the site's first instruction put there: otherwise the bytes are
 * not (only) the instruction that set this syscall's number.
 */
static int site_shape(uint64_t call, const uint8_t *b, uint64_t rax, uint64_t *addr)
{
	static const unsigned mov_ids[] = {X86_INS_MOV, X86_INS_SYSCALL};
	static const uint16_t mov_sizes[] = {5, 2};
	static const unsigned xor_ids[] = {X86_INS_XOR, X86_INS_SYSCALL, X86_INS_CMP};
	static const uint16_t xor_sizes[] = {2, 2, 6};
	const uint8_t *m = b + 1; /* call - 7 */
	uint32_t imm;
	memcpy(&imm, m + 1, 4);
	if (m[0] == 0xb8 && m[5] == 0x0f && m[6] == 0x05 && imm == rax && !prefix_byte(b[0]) &&
	    decodes_as(call - 7, m, 7, mov_ids, mov_sizes, 2)) {
		*addr = call - 7;
		return SHAPE_MOV;
	}
	const uint8_t *x = b + 4; /* call - 4 */
	if ((x[0] == 0x31 || x[0] == 0x33) && x[1] == 0xc0 && x[4] == 0x48 && x[5] == 0x3d &&
	    rax == 0 && !prefix_byte(x[-1]) && decodes_as(call - 4, x, 10, xor_ids, xor_sizes, 3)) {
		*addr = call - 4;
		return SHAPE_XOR;
	}
	return -1;
}

/* Capstone, the membarrier registration and the CPU probe, at the first patch: 0, or
 * negative when patching is impossible (then every site stays on SUD). */
static int site_setup(void)
{
	static int state; /* 0 not yet, 1 ready, -1 impossible */
	if (state)
		return state;
	state = -1;
	if (rewrite_cpu_probe() < 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return state;
	insn = cs_malloc(cs);
	if (!insn) {
		cs_close(&cs);
		return state;
	}
	syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
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
	volatile uint8_t *p = (volatile uint8_t *)s->addr;
	uint32_t rel = (uint32_t)(s->stub - (s->addr + JMP_LEN));
	int r = site_unprotect(s->addr, JMP_LEN, 1);
	if (r < 0) {
		site_unprotect(s->addr, JMP_LEN, 0);
		return r;
	}
	p[0] = 0xcc;
	sync_cores();
	for (int i = 0; i < 4; i++)
		p[1 + i] = (uint8_t)(rel >> (8 * i));
	sync_cores();
	p[0] = 0xe9;
	sync_cores();
	site_unprotect(s->addr, JMP_LEN, 0);
	return 0;
}

/*
 * The trap hook. Nothing happens during a process's first WARMUP traps (a short-lived
 * process, /bin/true, is cheaper on plain SUD than with the set-up and a few patches); then
 * a site is patched on its second trap, so code run once costs one trap and nothing more.
 */
void rewrite_site_trap(siginfo_t *si, void *uctx)
{
	static unsigned traps;
	uint64_t call = (uint64_t)si->si_call_addr;
	uint8_t buf[1 + 7 + SITE_MAX];
	if (__atomic_load_n(&traps, __ATOMIC_RELAXED) < WARMUP) {
		__atomic_add_fetch(&traps, 1, __ATOMIC_RELAXED);
		return;
	}
	if (call < 16 || guest_copy_in(buf, call - 8, sizeof(buf)) < 0)
		return; /* a site at the very start or end of a mapping: left on SUD */
	uint64_t addr = 0;
	mm_lock();
	if (site_setup() < 0)
		goto out;
	int shape = site_shape(call, buf, (uint64_t)(uint32_t)si->si_syscall, &addr);
	if (shape < 0)
		addr = call - 7; /* recorded under its MOV position, so it is judged once */
	const uint8_t *b = buf + 1 + (addr - (call - 7));
	struct site *s = site_find(addr);
	if (s && (s->state == SITE_PATCHED || (s->state == SITE_SUD && !memcmp(s->bytes, b, SITE_MAX))))
		goto out; /* patched (a thread that passed the old code), or judged already */
	if (!s && !(s = site_add(addr)))
		goto out;
	if (s->state != SITE_SEEN || memcmp(s->bytes, b, SITE_MAX) || shape < 0) {
		memcpy(s->bytes, b, SITE_MAX);
		s->shape = (uint8_t)(shape < 0 ? 0 : shape);
		s->state = shape < 0 ? SITE_SUD : SITE_SEEN;
		if (shape < 0)
			lx_stats_site(0);
		goto out;
	}
	s->state = SITE_SUD;
	if (code_vma(addr) && code_vma(addr + SITE_MAX - 1) && (s->stub = slot_take(addr, shape)) &&
	    stub_write(s, s->stub) == 0 && site_patch(s) == 0)
		s->state = SITE_PATCHED;
	lx_stats_site(s->state == SITE_PATCHED);
out:
	mm_unlock();
}

/*
 * SIGTRAP from the int3 of a site being patched: done once the lock is ours, so restart at
 * the site. SIGILL from the ud2 or FF /7 that an XOR patch leaves where its syscall and cmp
 * were: continue at the stub's copy of that instruction.
 */
int rewrite_site_fault(int sig, siginfo_t *si, ucontext_t *uc)
{
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uint8_t op[2];
	int done = 0;
	if (!((sig == SIGTRAP && si->si_code == SI_KERNEL) || (sig == SIGILL && si->si_code == ILL_ILLOPN)))
		return 0;
	mm_lock();
	if (sig == SIGTRAP) {
		struct site *s = site_find(rip - 1);
		if (s && guest_copy_in(op, rip - 1, 1) == 0 && op[0] != 0xcc) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(rip - 1);
			lx_stats_restart();
			done = 1;
		}
	} else {
		struct site *s2 = site_find(rip - 2), *s4 = site_find(rip - 4);
		if (s2 && s2->state == SITE_PATCHED && s2->shape == SHAPE_XOR &&
		    guest_copy_in(op, rip, 2) == 0 && op[0] == 0x0f && op[1] == 0x0b) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(s2->stub + XOR_STUB_SYSCALL);
			done = 1;
		} else if (s4 && s4->state == SITE_PATCHED && s4->shape == SHAPE_XOR &&
			   guest_copy_in(op, rip, 1) == 0 && op[0] == 0xff) {
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(s4->stub + XOR_STUB_TAIL);
			done = 1;
		}
	}
	mm_unlock();
	return done;
}

