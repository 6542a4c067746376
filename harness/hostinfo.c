/* SPDX-License-Identifier: MIT */
/* harness: a description of the host recorded with every result (CPU, FSGSBASE, kernel, accel). */
#include "harness/hostinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "harness/harness_version.h"
#include "vm/vm.h"

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

static void cpu_model(char *out, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(out, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			c += 1 + (c[1] == ' ');
			snprintf(out, len, "%.*s", (int)strcspn(c, "\n"), c);
			break;
		}
	}
	if (f)
		fclose(f);
}

int hhost_describe(struct hhost *h, const char *state_dir)
{
	struct utsname u;
	struct vm_config cfg;
	struct vm_probe p;
	time_t now = time(NULL);

	memset(h, 0, sizeof(*h));
	cpu_model(h->cpu, sizeof(h->cpu));
	h->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	h->fsgsbase = getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
	if (uname(&u) == 0)
		snprintf(h->kernel, sizeof(h->kernel), "%s %s %s", u.sysname, u.release, u.machine);
	h->mem_kib = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	vm_config_init(&cfg);
	if (state_dir)
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state_dir);
	vm_probe_accel(&cfg, &p);
	snprintf(h->accel, sizeof(h->accel), "%s", p.accel);
	snprintf(h->accel_why, sizeof(h->accel_why), "%s", p.why);
	strftime(h->date, sizeof(h->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(h->lxrun_version, sizeof(h->lxrun_version), "%s", HARNESS_LXRUN_VERSION);
	snprintf(h->lxrun_commit, sizeof(h->lxrun_commit), "%s", HARNESS_LXRUN_COMMIT);
	return 0;
}
