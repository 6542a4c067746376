/* SPDX-License-Identifier: MIT */
/* Inputs and checks for rw_probe: what a Linux syscall preserves (all but rax, rcx, r11). */
#include "rewrite_probe.h"

#include <stdio.h>
#include <string.h>

/* The status flags and DF: a syscall returns them as they were. */
#define FLAGS_KEPT 0xcd5ull

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

unsigned rw_probe_level(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		return 2;
	return __builtin_cpu_supports("avx") ? 1 : 0;
}

void rw_probe_fill(struct rw_probe *p, uint64_t seed, unsigned level)
{
	memset(p, 0, sizeof(*p));
	uint64_t s = seed;
	/* CF PF AF SF DF OF always set (DF is the one a sloppy entry path loses), ZF varies */
	p->flags_in = 0x202 | 0x1 | 0x4 | 0x10 | 0x80 | 0x400 | 0x800 | ((seed & 1) ? 0x40 : 0);
	/* round toward zero, flush-to-zero, denormals-are-zero; odd seeds unmask the precision
	 * exception too, which traps any host FP code that would run with it */
	p->mxcsr_in = (seed & 1) ? 0xefc0 : 0xffc0;
	p->fcw_in = (seed & 1) ? 0x027f : 0x007f;
	p->st0_in = (double)(mix(&s) >> 11) / 3.0;
	p->level = level;
	for (int i = 0; i < RP_NGPR; i++)
		p->gin[i] = mix(&s);
	for (int i = 0; i < 16; i++)
		p->rz_in[i] = mix(&s);
	for (int i = 0; i < 8; i++)
		p->kin[i] = mix(&s);
	for (int r = 0; r < 32; r++)
		for (int b = 0; b < 64; b += 8) {
			uint64_t v = mix(&s);
			memcpy(&p->vin[r][b], &v, 8);
		}
}

int rw_probe_check(const struct rw_probe *p, long want_pid, const char *who)
{
	static const char *const names[] = {"rbx", "rdx", "rsi", "rbp", "r8",  "r9",
					    "r10", "r12", "r13", "r14", "r15"};
	int bad = 0;
#define FAIL(...) (bad++, fprintf(stderr, "%s: ", who), fprintf(stderr, __VA_ARGS__))
	if (p->ret != want_pid)
		FAIL("getpid returned %ld, want %ld\n", (long)p->ret, want_pid);
	for (int i = 0; i < RP_NGPR; i++)
		if (p->gout[i] != p->gin[i])
			FAIL("%s %#llx, want %#llx\n", names[i], (unsigned long long)p->gout[i],
			     (unsigned long long)p->gin[i]);
	if (p->gout[RP_NGPR] != (uint64_t)p)
		FAIL("rdi changed\n");
	if (p->rsp)
		FAIL("rsp moved by %lld\n", (long long)p->rsp);
	for (int i = 0; i < 16; i++)
		if (p->rz_out[i] != p->rz_in[i])
			FAIL("red zone at rsp-%d: %#llx, want %#llx\n", 8 * (i + 1),
			     (unsigned long long)p->rz_out[i], (unsigned long long)p->rz_in[i]);
	if ((p->flags_out & FLAGS_KEPT) != (p->flags_in & FLAGS_KEPT))
		FAIL("rflags %#llx, want %#llx in mask %#llx\n", (unsigned long long)p->flags_out,
		     (unsigned long long)p->flags_in, FLAGS_KEPT);
	if (p->df != ((p->flags_in & 0x400) ? -1 : 1))
		FAIL("DF lost (string ops step %lld)\n", (long long)p->df);
	if (p->mxcsr_out != p->mxcsr_in)
		FAIL("mxcsr %#x, want %#x\n", p->mxcsr_out, p->mxcsr_in);
	if (p->fcw_out != p->fcw_in)
		FAIL("x87 control word %#x, want %#x\n", p->fcw_out, p->fcw_in);
	if (memcmp(&p->st0_out, &p->st0_in, sizeof(double)))
		FAIL("x87 st0 %a, want %a\n", p->st0_out, p->st0_in);
	int nreg = p->level == 2 ? 32 : 16, width = p->level == 2 ? 64 : p->level == 1 ? 32 : 16;
	for (int r = 0; r < nreg; r++)
		if (memcmp(p->vout[r], p->vin[r], (size_t)width))
			FAIL("%cmm%d changed\n", width == 64 ? 'z' : width == 32 ? 'y' : 'x', r);
	for (int k = 0; p->level == 2 && k < 8; k++)
		if (p->kout[k] != p->kin[k])
			FAIL("k%d %#llx, want %#llx\n", k, (unsigned long long)p->kout[k],
			     (unsigned long long)p->kin[k]);
	return bad;
}
