/* SPDX-License-Identifier: MIT */
/* Registers, flags, vector state and the red zone survive a `mov $nr,%eax; syscall` site,
 * whether it is served by a trap or, once patched, by the rewrite engine's trampoline. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rewrite_probe.h"

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 2000;
	static struct rw_probe p;
	unsigned level = rw_probe_level();
	long pid = getpid();
	int bad = 0;
	for (int i = 0; i < rounds && bad < 20; i++) {
		char who[32];
		snprintf(who, sizeof(who), "round %d", i);
		rw_probe_fill(&p, (uint64_t)i * 7919 + 1, level);
		rw_probe(&p);
		bad += rw_probe_check(&p, pid, who);
	}
	/* The same output natively and under lxrun, so a run can also be diffed. */
	printf("rewrite_regs: %d rounds, %s: %s\n", rounds,
	       level == 2 ? "zmm0-31 k0-7" : level == 1 ? "ymm0-15" : "xmm0-15",
	       bad ? "MISMATCH" : "all preserved");
	return bad ? 1 : 0;
}
