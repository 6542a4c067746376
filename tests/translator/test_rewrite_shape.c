/* SPDX-License-Identifier: MIT */
/*
 * The rewrite engine's site recognition (translator/engine/rewrite_shape.c) against Capstone
 * and the CPU: every syscall instruction of the host's libc, found by Capstone's linear sweep,
 * must get from rw_fixed_shape the verdict Capstone's instructions around it give; the SYS
 * shape's instruction mover must refuse what cannot move and move RIP-relative operands; and
 * every opcode a SYS patch relies on must fault with SIGILL on this CPU.
 */

#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <link.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "translator/engine/rewrite_shape.h"

struct seg {
	uint64_t start, end;
};

static int find_libc(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct seg *s = data;
	if (!strstr(info->dlpi_name, "libc.so"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			s->start = info->dlpi_addr + ph->p_vaddr;
			s->end = s->start + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

/* Capstone's verdict for the syscall at a, given the instruction before it (prev) and the
 * one after it: the shape and the number its first instruction puts in eax. */
static int capstone_verdict(csh cs, const cs_insn *prev, uint64_t a, uint64_t end, uint64_t *nr)
{
	*nr = 0;
	if (prev && prev->address + prev->size == a && prev->id == X86_INS_MOV && prev->size == 5 &&
	    prev->bytes[0] == 0xb8) {
		uint32_t imm;
		memcpy(&imm, prev->bytes + 1, 4);
		*nr = imm;
		return RW_SHAPE_MOV;
	}
	if (prev && prev->address + prev->size == a && prev->id == X86_INS_XOR && prev->size == 2 &&
	    prev->bytes[1] == 0xc0 && a + 8 <= end) {
		cs_insn *next;
		size_t n = cs_disasm(cs, (const uint8_t *)(a + 2), 6, a + 2, 1, &next);
		int ok = n == 1 && next->id == X86_INS_CMP && next->size == 6 && next->bytes[0] == 0x48 &&
			 next->bytes[1] == 0x3d;
		if (n)
			cs_free(next, n);
		if (ok)
			return RW_SHAPE_XOR;
	}
	return -1;
}

Test(rewrite_shape, fixed_shapes_agree_with_capstone_over_libc)
{
	struct seg seg = {0};
	dl_iterate_phdr(find_libc, &seg);
	cr_assert(seg.start, "libc's executable segment not found");
	csh cs;
	cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	cs_insn *insn = cs_malloc(cs), *prev = cs_malloc(cs);
	int have_prev = 0;
	unsigned syscalls = 0, movs = 0, xors = 0;
	const uint8_t *code = (const uint8_t *)seg.start;
	size_t size = seg.end - seg.start;
	uint64_t pc = seg.start;
	while (size > 0) {
		if (!cs_disasm_iter(cs, &code, &size, &pc, insn)) {
			code++, size--, pc++; /* not code (padding, data): resynchronise */
			have_prev = 0;
			continue;
		}
		if (insn->id == X86_INS_SYSCALL) {
			uint64_t call = insn->address + 2;
			if (call - RW_WIN_BEFORE >= seg.start && call + RW_WIN_AFTER <= seg.end) {
				uint64_t nr;
				int want = capstone_verdict(cs, have_prev ? prev : NULL, insn->address,
							    seg.end, &nr);
				if (want < 0) /* the worst case for the matcher: rax matches the bytes */
					memcpy(&nr, (const void *)(call - 6), 4), nr &= 0xffffffffu;
				int got = rw_fixed_shape((const uint8_t *)(call - RW_WIN_BEFORE), nr);
				cr_expect_eq(got, want, "syscall at libc+%#lx: matcher says %d, Capstone %d",
					     (unsigned long)(insn->address - seg.start), got, want);
				syscalls++;
				movs += want == RW_SHAPE_MOV;
				xors += want == RW_SHAPE_XOR;
			}
		}
		cs_insn *t = prev;
		prev = insn;
		insn = t;
		have_prev = 1;
	}
	cr_log_info("libc: %u syscall instructions, %u MOV, %u XOR", syscalls, movs, xors);
	cr_expect_gt(syscalls, 100u, "only %u syscall instructions found in libc", syscalls);
	cr_expect_gt(movs * 2, syscalls, "MOV is glibc's usual shape: %u of %u", movs, syscalls);
	cr_expect_gt(xors, 0u, "glibc's read() is an XOR site");
	cs_free(insn, 1);
	cs_free(prev, 1);
	cs_close(&cs);
}

/* A window whose bytes from call - 2 on are syscall + after (the rest: int3) */
static void window(uint8_t w[RW_WIN], const uint8_t *after, size_t n)
{
	memset(w, 0xcc, RW_WIN);
	w[RW_WIN_BEFORE - 2] = 0x0f;
	w[RW_WIN_BEFORE - 1] = 0x05;
	memcpy(w + RW_WIN_BEFORE, after, n);
}

static size_t tail(const uint8_t *after, size_t n, uint64_t call, uint64_t at, uint8_t out[16])
{
	csh cs;
	uint8_t w[RW_WIN];
	cr_assert_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	cs_insn *insn = cs_malloc(cs);
	window(w, after, n);
	size_t len = rw_sys_tail(cs, insn, w, call, at, out);
	cs_free(insn, 1);
	cs_close(&cs);
	return len;
}

Test(rewrite_shape, sys_tail_moves_what_can_move)
{
	uint8_t out[16];
	static const uint8_t cmp[] = {0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff}; /* cmp $-4095,%rax */
	cr_expect_eq(tail(cmp, sizeof(cmp), 0x1000, 0x9000, out), 6);
	cr_expect(!memcmp(out, cmp, 6));
	static const uint8_t mov[] = {0x48, 0x89, 0xc2}; /* mov %rax,%rdx */
	cr_expect_eq(tail(mov, sizeof(mov), 0x1000, 0x9000, out), 3);
	static const uint8_t test2[] = {0x85, 0xc0}; /* test %eax,%eax: shorter than 3 */
	cr_expect_eq(tail(test2, sizeof(test2), 0x1000, 0x9000, out), 0);
	static const uint8_t ret[] = {0xc3};
	cr_expect_eq(tail(ret, sizeof(ret), 0x1000, 0x9000, out), 0);
	static const uint8_t jae[] = {0x0f, 0x83, 0x10, 0x00, 0x00, 0x00}; /* jae rel32 */
	cr_expect_eq(tail(jae, sizeof(jae), 0x1000, 0x9000, out), 0);
	static const uint8_t call[] = {0xe8, 0x10, 0x00, 0x00, 0x00};
	cr_expect_eq(tail(call, sizeof(call), 0x1000, 0x9000, out), 0);
	static const uint8_t jmpind[] = {0xff, 0x24, 0x25, 0x00, 0x10, 0x00, 0x00}; /* jmp *0x1000 */
	cr_expect_eq(tail(jmpind, sizeof(jmpind), 0x1000, 0x9000, out), 0);
	static const uint8_t sys[] = {0x0f, 0x05, 0x90};
	cr_expect_eq(tail(sys, sizeof(sys), 0x1000, 0x9000, out), 0);
	/* mov 0x10(%rip),%rax at call 0x1000 reads 0x1017; placed at 0x9000 it must still */
	static const uint8_t riprel[] = {0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00};
	cr_expect_eq(tail(riprel, sizeof(riprel), 0x1000, 0x9000, out), 7);
	int32_t disp;
	memcpy(&disp, out + 3, 4);
	cr_expect_eq((int64_t)0x9000 + 7 + disp, 0x1017);
	cr_expect_eq(tail(riprel, sizeof(riprel), 0x1000, 0x100001000ull, out), 0,
		     "a RIP-relative target beyond 2 GiB of the stub cannot move");
}

/* Each opcode a SYS patch leaves at the old instruction raises SIGILL on this CPU. */
Test(rewrite_shape, bad_opcodes_raise_sigill)
{
	uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(page, MAP_FAILED);
	for (unsigned i = 0; i < sizeof(rw_bad_opcodes); i++) {
		memset(page, 0x90, 4096);
		page[0] = rw_bad_opcodes[i];
		page[1] = 0xc3;
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			signal(SIGILL, SIG_DFL);
			((void (*)(void))page)();
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL, "opcode %#x: status %#x",
			  rw_bad_opcodes[i], st);
	}
	munmap(page, 4096);
}
