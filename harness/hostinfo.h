/* SPDX-License-Identifier: MIT */
/* harness: a description of the host recorded with every result (CPU, FSGSBASE, kernel, accel). */
#ifndef LXRUN_HARNESS_HOSTINFO_H
#define LXRUN_HARNESS_HOSTINFO_H

#include <stdbool.h>
#include <stdint.h>

struct hhost {
	char cpu[128];
	int ncpu;
	bool fsgsbase; /* AT_HWCAP2 bit 1: user-mode wrfsbase, what translate mode's switch uses */
	char kernel[160]; /* uname -srm */
	uint64_t mem_kib;
	char accel[16]; /* what a VM gets here: kvm or tcg */
	char accel_why[512];
	char date[32]; /* UTC, ISO 8601 */
	char lxrun_version[64];
	char lxrun_commit[64]; /* git describe at build time */
};

/* Fill h; state_dir is the VM state directory to ask for the accelerator (may be NULL). */
int hhost_describe(struct hhost *h, const char *state_dir);

#endif
