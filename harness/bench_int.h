/* SPDX-License-Identifier: MIT */
/* harness: what bench.c (the run loop) and bench_work.c (inputs and workloads) share. */
#ifndef LXRUN_HARNESS_BENCH_INT_H
#define LXRUN_HARNESS_BENCH_INT_H

#include "harness/bench.h"
#include "harness/proc.h"

#define JOB_ARGS 24
#define JOB_KEYS 8

/* One command run once per column per repeat; it feeds one row (its wall time) or several
 * (lines "KEY NS" on its stdout, timed inside the process). */
struct bench_job {
	enum bench_family fam;
	char label[64];
	char *argv[JOB_ARGS];
	char store[4096]; /* argv's strings */
	const char *keys[JOB_KEYS];
	int nkeys;
	size_t row0; /* its first row */
	int nrows;
	bool check_output; /* stdout must equal native's */
	bool short_rep;	   /* a short workload: repeats_short */
	char pre[256]; /* sh -c script run (untimed, in the working directory) before each run */
	double spent_ns[HCOL_MAX]; /* wall time of its timed runs so far, per column */
};

struct bench_ctx {
	struct bench_result *res;
	const struct bench_opts *o;
	struct hcol_env env;
	char base[PATH_MAX];		 /* the run's work directory */
	char in[PATH_MAX];		 /* BASE/in: the generated inputs */
	char coldir[HCOL_MAX][PATH_MAX]; /* each column's working directory (host side) */
	char helper[4][PATH_MAX];	 /* syscall_loop, fsbench, gentext, gentree */
	struct bench_job *jobs;
	size_t njobs, jobs_cap;
	volatile int *cancel;
	bench_progress_fn progress;
	void *pctx;
	unsigned int done, total;
	int vm_pids[HPROC_MAX_WATCH];
	int nvm_pids;
};

enum { HELPER_LOOP, HELPER_FS, HELPER_TEXT, HELPER_TREE };

void bench_say(struct bench_ctx *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a row; returns its index, or -ENOMEM. */
int bench_row_add(struct bench_ctx *b, enum bench_family fam, const char *name, const char *what,
		  bool per_call);
/* Run an sh -c script in column c's working directory, untimed (natively for host-side
 * directories, in the column for vm/ext4). Returns 0 or a negative errno / -EIO with why. */
int bench_setup_sh(struct bench_ctx *b, size_t col, const char *script, char *why, size_t len);

void bench_cell_add(struct bench_cell *c, double v);
/* The environment of every run: the caller's, with LC_ALL=C. */
char **bench_env(void);

/* bench_vm.c: the vm family's rows, measured in the vm/9p column. */
void bench_vm_family(struct bench_ctx *b);

/* bench_work.c: generate the inputs in b->in, make the jobs (and their rows) of the chosen
 * families, and prepare a column's working directory. */
int bench_inputs_make(struct bench_ctx *b, char *why, size_t len);
int bench_jobs_make(struct bench_ctx *b, char *why, size_t len);
int bench_column_prepare(struct bench_ctx *b, size_t col, char *why, size_t len);
/* The helper programs (--helpers DIR, else BUILD/bench beside lxrun). */
int bench_helpers_find(struct bench_ctx *b, const char *lxrun, char *why, size_t len);
/* The run's work directory in --dir, $TMPDIR or /var/tmp; and its removal. */
int bench_workdir_make(struct bench_ctx *b, char *why, size_t len);
void bench_workdir_remove(struct bench_ctx *b);

#endif
