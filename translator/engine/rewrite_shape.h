/* SPDX-License-Identifier: MIT */
/* What a syscall site's bytes are, for the rewrite engine (rewrite_site.c): free of the rest of
 * lxrun, so tests/translator/test_rewrite_shape.c can check it against Capstone directly. */
#ifndef LXRUN_TRANSLATOR_ENGINE_REWRITE_SHAPE_H
#define LXRUN_TRANSLATOR_ENGINE_REWRITE_SHAPE_H

#include <capstone/capstone.h>
#include <stddef.h>
#include <stdint.h>

enum rw_shape { RW_SHAPE_MOV, RW_SHAPE_XOR, RW_SHAPE_SYS };

/* A site's window: the bytes from call - RW_WIN_BEFORE to call + RW_WIN_AFTER, where call is
 * the address after its syscall instruction (w[RW_WIN_BEFORE - 2] is that 0f 05). */
#define RW_WIN_BEFORE 8
#define RW_WIN_AFTER 16
#define RW_WIN (RW_WIN_BEFORE + RW_WIN_AFTER)

/* The fixed shape (RW_SHAPE_MOV or RW_SHAPE_XOR) of the site with window w whose trap had
 * syscall number nr in rax, or -1. */
int rw_fixed_shape(const uint8_t *w, uint64_t nr);

/*
 * RW_SHAPE_SYS: the instruction right after the syscall (at call), decoded with cs (detail
 * on; insn from cs_malloc), copied into out as it must read when placed at address at (a
 * RIP-relative displacement moved). Its length (3..15), or 0 when it cannot be moved: shorter
 * than the three bytes the jmp takes from it, a branch, call, return or system call, or a
 * RIP-relative operand whose target is out of reach from at.
 */
size_t rw_sys_tail(csh cs, cs_insn *insn, const uint8_t *w, uint64_t call, uint64_t at,
		   uint8_t out[16]);

/* Opcodes undefined in 64-bit mode: the second displacement byte of a SYS site's jmp, which a
 * thread returning to the old instruction meets (SIGILL, ILL_ILLOPN). */
extern const uint8_t rw_bad_opcodes[16];

#endif
