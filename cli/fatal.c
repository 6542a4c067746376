/* SPDX-License-Identifier: MIT */
/* The one line printed when a guest dies of a signal: name, faulting address, instruction. */
#include "cli/fatal.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "translator/guest_mem.h"
#include "translator/signal_host.h"

static const char *prog_name = "program";

/* Disassemble one instruction at rip (read through the fault-safe copy helper). */
static void describe_insn(uint64_t rip, char *out, size_t len)
{
	uint8_t code[16];
	size_t n = sizeof(code);
	while (n && guest_copy_in(code, rip, n) < 0)
		n--; /* the instruction may sit at the end of a mapping */
	snprintf(out, len, "(unreadable)");
	if (!n)
		return;
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return;
	cs_insn *insn;
	if (cs_disasm(h, code, n, rip, 1, &insn) == 1) {
		snprintf(out, len, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "",
			 insn->op_str);
		cs_free(insn, 1);
	} else {
		snprintf(out, len, "(not a valid instruction: %02x %02x %02x %02x)", code[0],
			 n > 1 ? code[1] : 0, n > 2 ? code[2] : 0, n > 3 ? code[3] : 0);
	}
	cs_close(&h);
}

static void on_fatal(int sig, const siginfo_t *si, const void *uctx)
{
	const ucontext_t *uc = uctx;
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	char insn[160], line[512];
	describe_insn(rip, insn, sizeof(insn));
	const char *name = sigabbrev_np(sig);
	int n;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE)
		n = snprintf(line, sizeof(line),
			     "lxrun: %s: killed by SIG%s (%s) at address %p, rip %#llx: %s\n",
			     prog_name, name ? name : "?", strsignal(sig), si->si_addr,
			     (unsigned long long)rip, insn);
	else
		n = snprintf(line, sizeof(line), "lxrun: %s: killed by SIG%s (%s), rip %#llx: %s\n",
			     prog_name, name ? name : "?", strsignal(sig), (unsigned long long)rip,
			     insn);
	if (n > 0 && write(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
		return;
}

void cli_fatal_init(const char *program)
{
	prog_name = program;
	lx_signals_set_fatal_hook(on_fatal);
}
