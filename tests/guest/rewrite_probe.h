/* SPDX-License-Identifier: MIT */
/* The register probe shared by the rewrite guest tests: layout for C and for rewrite_probe.S. */
#ifndef LXRUN_TESTS_GUEST_REWRITE_PROBE_H
#define LXRUN_TESTS_GUEST_REWRITE_PROBE_H

#define RP_FLAGS_IN 0
#define RP_FLAGS_OUT 8
#define RP_MXCSR_IN 16
#define RP_MXCSR_OUT 20
#define RP_FCW_IN 24
#define RP_FCW_OUT 26
#define RP_SCRATCH 28
#define RP_ST0_IN 32
#define RP_ST0_OUT 40
#define RP_LEVEL 48
#define RP_RET 56
#define RP_GIN 64   /* rbx rdx rsi rbp r8 r9 r10 r12 r13 r14 r15 */
#define RP_GOUT 160 /* the same, then rdi */
#define RP_RZ_IN 256
#define RP_RZ_OUT 384
#define RP_KIN 512
#define RP_KOUT 576
#define RP_VIN 640
#define RP_VOUT 2688
#define RP_RSP 4736 /* rsp before the syscall minus rsp after: 0 */
#define RP_DF 4744  /* +1 if DF was clear after the syscall, -1 if set */
#define RP_SIZE 4752

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#define RP_NGPR 11

struct rw_probe {
	uint64_t flags_in, flags_out;
	uint32_t mxcsr_in, mxcsr_out;
	uint16_t fcw_in, fcw_out;
	uint32_t scratch;
	double st0_in, st0_out;
	uint32_t level; /* 0: xmm0-15, 1: ymm0-15, 2: zmm0-31 and k0-7 */
	uint32_t pad;
	int64_t ret;
	uint64_t gin[12], gout[12];
	uint64_t rz_in[16], rz_out[16];
	uint64_t kin[8], kout[8];
	uint8_t vin[32][64], vout[32][64];
	int64_t rsp;
	int64_t df;
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct rw_probe, mxcsr_in) == RP_MXCSR_IN, "mxcsr");
_Static_assert(offsetof(struct rw_probe, st0_in) == RP_ST0_IN, "st0");
_Static_assert(offsetof(struct rw_probe, level) == RP_LEVEL, "level");
_Static_assert(offsetof(struct rw_probe, ret) == RP_RET, "ret");
_Static_assert(offsetof(struct rw_probe, gin) == RP_GIN, "gin");
_Static_assert(offsetof(struct rw_probe, gout) == RP_GOUT, "gout");
_Static_assert(offsetof(struct rw_probe, rz_in) == RP_RZ_IN, "rz_in");
_Static_assert(offsetof(struct rw_probe, kin) == RP_KIN, "kin");
_Static_assert(offsetof(struct rw_probe, vin) == RP_VIN, "vin");
_Static_assert(offsetof(struct rw_probe, vout) == RP_VOUT, "vout");
_Static_assert(offsetof(struct rw_probe, rsp) == RP_RSP, "rsp");
_Static_assert(offsetof(struct rw_probe, df) == RP_DF, "df");
_Static_assert(sizeof(struct rw_probe) <= RP_SIZE + 48, "size");

/* Run the probe: returns getpid()'s result; p->*_out hold what the syscall left. */
long rw_probe(struct rw_probe *p);

/* Fill p's inputs from seed; returns the number of mismatches after rw_probe (details to
 * stderr, prefixed with who). */
void rw_probe_fill(struct rw_probe *p, uint64_t seed, unsigned level);
int rw_probe_check(const struct rw_probe *p, long want_pid, const char *who);
/* 2 with AVX-512, 1 with AVX, else 0 */
unsigned rw_probe_level(void);
#endif

#endif
