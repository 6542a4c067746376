/* SPDX-License-Identifier: MIT */
/* What a syscall site's bytes are (rewrite_shape.h). */
#include "translator/engine/rewrite_shape.h"

#include <string.h>

/* push/pop of es, cs, ss, ds; daa, das, aaa, aas; pusha, popa; aam, aad, salc; into; jmp far;
 * call far: all #UD in 64-bit mode, whatever follows them */
const uint8_t rw_bad_opcodes[16] = {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27,
				    0x2f, 0x37, 0x3f, 0x60, 0x61, 0xd4, 0xd5, 0xd6};

/*
 * May the byte before a shape's first instruction be a prefix of it that changes what it
 * does? Then the bytes are not the instruction they look like, or patching would leave that
 * prefix in front of the jmp: refuse. A REX prefix without R/X/B changes nothing there (40;
 * and 48-4f before b8 cannot be one: REX.W makes b8 a ten-byte movabs, which would run over
 * the syscall). Segment overrides mean nothing to mov/xor of registers nor to a jmp rel32
 * (2e and 3e there are branch hints). So a byte that merely ends the previous instruction
 * with 0x48 or 0x2e (a common displacement) does not cost the site.
 */
static int prefix_before(uint8_t b, int shape)
{
	if (b == 0x40 || (shape == RW_SHAPE_MOV && b >= 0x48 && b <= 0x4f) ||
	    (shape == RW_SHAPE_XOR && b == 0x48))
		return 0;
	return (b >= 0x40 && b <= 0x4f) || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
	       b == 0xf3;
}

/*
 * rax at the trap must be what the shape's first instruction put there: otherwise the bytes
 * are not (only) the instruction that set this syscall's number. The syscall itself is known
 * to be one (SUD trapped it at call - 2), so the instruction before it ends at call - 2.
 */
int rw_fixed_shape(const uint8_t *w, uint64_t nr)
{
	const uint8_t *c = w + RW_WIN_BEFORE; /* call */
	const uint8_t *m = c - 7;
	uint32_t imm;
	memcpy(&imm, m + 1, 4);
	if (m[0] == 0xb8 && m[5] == 0x0f && m[6] == 0x05 && imm == nr &&
	    !prefix_before(m[-1], RW_SHAPE_MOV))
		return RW_SHAPE_MOV;
	const uint8_t *x = c - 4;
	if ((x[0] == 0x31 || x[0] == 0x33) && x[1] == 0xc0 && x[2] == 0x0f && x[3] == 0x05 &&
	    x[4] == 0x48 && x[5] == 0x3d && nr == 0 && !prefix_before(x[-1], RW_SHAPE_XOR))
		return RW_SHAPE_XOR;
	return -1;
}

static int in_group(const cs_detail *d, uint8_t g)
{
	for (unsigned i = 0; i < d->groups_count; i++)
		if (d->groups[i] == g)
			return 1;
	return 0;
}

size_t rw_sys_tail(csh cs, cs_insn *insn, const uint8_t *w, uint64_t call, uint64_t at,
		   uint8_t out[16])
{
	const uint8_t *code = w + RW_WIN_BEFORE;
	size_t size = RW_WIN_AFTER;
	uint64_t pc = call;
	if (!cs_disasm_iter(cs, &code, &size, &pc, insn) || !insn->detail)
		return 0;
	const cs_detail *d = insn->detail;
	size_t len = insn->size;
	if (len < 3 || len > 15 || in_group(d, CS_GRP_JUMP) || in_group(d, CS_GRP_CALL) ||
	    in_group(d, CS_GRP_RET) || in_group(d, CS_GRP_INT) || in_group(d, CS_GRP_IRET) ||
	    in_group(d, CS_GRP_BRANCH_RELATIVE) || insn->id == X86_INS_SYSCALL ||
	    insn->id == X86_INS_SYSENTER || insn->id == X86_INS_XBEGIN ||
	    insn->id == X86_INS_XABORT)
		return 0;
	memcpy(out, w + RW_WIN_BEFORE, len);
	int rip = 0;
	for (unsigned i = 0; i < d->x86.op_count; i++)
		if (d->x86.operands[i].type == X86_OP_MEM && d->x86.operands[i].mem.base == X86_REG_RIP)
			rip = 1;
	if (!rip)
		return len;
	/* the target is next + disp; at the new place next is at + len */
	const cs_x86_encoding *e = &d->x86.encoding;
	if (e->disp_size != 4 || !e->disp_offset || e->disp_offset + 4u > len)
		return 0;
	int32_t disp;
	memcpy(&disp, out + e->disp_offset, 4);
	int64_t target = (int64_t)(call + len) + disp;
	int64_t moved = target - (int64_t)(at + len);
	if (moved != (int32_t)moved)
		return 0;
	disp = (int32_t)moved;
	memcpy(out + e->disp_offset, &disp, 4);
	return len;
}
