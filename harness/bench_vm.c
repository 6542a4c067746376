/* SPDX-License-Identifier: MIT */
/* harness: lxrun bench's vm family: the VM's life cycle (shutdown, cold start, boot, warm true). */
#include "harness/bench_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUN_TIMEOUT_MS (5 * 60 * 1000)

static uint64_t vm_rss(struct bench_ctx *b)
{
	uint64_t kib = 0;

	for (int i = 0; i < b->nvm_pids; i++)
		kib += hproc_mem_kib(b->vm_pids[i], "VmRSS");
	return kib;
}

static int timed(struct bench_ctx *b, char *const *argv, double *ns, char *why, size_t len)
{
	struct hproc_spec s = {.argv = argv,
			       .cwd = b->coldir[0],
			       .env = bench_env(),
			       .timeout_ms = RUN_TIMEOUT_MS,
			       .cancel = b->cancel};
	struct hproc_result r;
	int err = hproc_run(&s, &r);

	if (err < 0 || r.signaled || r.status) {
		snprintf(why, len, "%s %s failed (%s)", argv[1], argv[2],
			 err < 0 ? strerror(-err) : "non-zero status");
		return -EIO;
	}
	*ns = (double)r.wall_ns;
	return 0;
}

/* The VM life cycle, in the first usable vm column: shutdown, cold start of `true`, the
 * service's own boot-to-ready figure, warm `true`. */
void bench_vm_family(struct bench_ctx *b)
{
	const char *names[] = {"shutdown", "cold start + true", "boot to ready", "warm true"};
	const char *whats[] = {"lxrun vm stop", "lxrun --mode vm true with no VM running",
			       "the service's boot-to-agent-ready time (its status)",
			       "lxrun --mode vm true, VM running"};
	char *stop[] = {b->env.lxrun, "vm", "stop", "--state-dir", b->env.state_dir, NULL};
	char *run[] = {b->env.lxrun, "--mode", "vm",	    "--state-dir", b->env.state_dir,
		       "--no-tty",   "--",     "/bin/true", NULL};
	char why[256], st[2048], v[32];
	size_t col = 0, row0 = b->res->nrows;
	int nrep = (int)b->o->sz.repeats;

	/* the life cycle is the VM's, not a share's: shown in vm/9p, the default share */
	for (size_t c = 0; c < b->res->ncols; c++)
		if (b->res->cols[c].kind == HCOL_VM && b->res->cols[c].state == HCOL_OK &&
		    (!col || !strcmp(b->res->cols[c].arg, "9p")))
			col = c;
	for (int i = 0; i < 4; i++)
		if (bench_row_add(b, BF_VM, names[i], whats[i], false) < 0)
			return;
	for (size_t c = 0; c < b->res->ncols; c++)
		for (int i = 0; i < 4; i++) {
			struct bench_cell *cell = &b->res->rows[row0 + (size_t)i].cell[c];

			if (c == col && col)
				continue;
			if (cell->state == BC_PENDING) {
				cell->state = BC_NA;
				snprintf(cell->why, sizeof(cell->why),
					 col ? "measured in %s" : "no usable vm column",
					 b->res->cols[col].name);
			}
		}
	if (!col)
		return;
	for (int rep = 0; rep < nrep && !(b->cancel && *b->cancel); rep++) {
		double ns[4];
		struct bench_progress p = {.ev = BE_RUN,
					   .label = "vm life cycle",
					   .col = &b->res->cols[col],
					   .col_index = (int)col,
					   .rep = rep,
					   .nrep = nrep,
					   .done = b->done++,
					   .total = b->total};

		if (b->progress)
			b->progress(&p, b->pctx);
		if (timed(b, stop, &ns[0], why, sizeof(why)) < 0 ||
		    timed(b, run, &ns[1], why, sizeof(why)) < 0 ||
		    hcol_vm_status(&b->env, st, sizeof(st)) < 0 ||
		    timed(b, run, &ns[3], why, sizeof(why)) < 0) {
			for (int i = 0; i < 4; i++) {
				struct bench_cell *cell = &b->res->rows[row0 + (size_t)i].cell[col];

				cell->state = BC_FAILED;
				snprintf(cell->why, sizeof(cell->why), "%s", why);
			}
			return;
		}
		ns[2] = atof(hcol_status_get(st, "boot_ms", v, sizeof(v))) * 1e6;
		for (int i = 0; i < 4; i++)
			bench_cell_add(&b->res->rows[row0 + (size_t)i].cell[col], ns[i]);
	}
	b->nvm_pids = hcol_vm_pids(&b->env, b->vm_pids, HPROC_MAX_WATCH);
	usleep(500 * 1000);
	for (int i = 0; i < 4; i++) {
		struct bench_cell *cell = &b->res->rows[row0 + (size_t)i].cell[col];

		cell->peak_kib = vm_rss(b);
		if (cell->state == BC_PENDING && cell->n)
			cell->state = BC_OK;
	}
}
