/* SPDX-License-Identifier: MIT */
/* harness: lxrun bench: workload families run in every column, interleaved, into rows of cells. */
#ifndef LXRUN_HARNESS_BENCH_H
#define LXRUN_HARNESS_BENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/column.h"
#include "harness/hostinfo.h"

enum bench_family { BF_SYSCALL, BF_STARTUP, BF_TEXT, BF_FS, BF_BUILD, BF_VM, BF_COUNT };
extern const char *const bench_family_names[BF_COUNT];
extern const char *const bench_family_what[BF_COUNT];

struct bench_sizes {
	unsigned int text_mb;	    /* generated text file */
	unsigned int files;	    /* small files (4 KiB each) */
	unsigned int seq_mb;	    /* sequential write+fsync / read */
	unsigned int tree_files;    /* source-like tree: untar, grep -r, find, git status */
	unsigned int build_files;   /* C files of the make -j2 project */
	unsigned int repeats;	    /* timed runs of each cell (long workloads) */
	unsigned int repeats_short; /* for workloads under ~100 ms (start-up, syscalls) */
	unsigned int budget_ms;	    /* each in-process loop (syscalls, fork+exec) runs this long */
	unsigned int cell_s; /* a cell stops repeating after 3 runs once it has taken this long */
	bool warmup;	     /* one untimed run of each cell first */
};

struct bench_opts {
	unsigned int families; /* bit per enum bench_family */
	const char *columns;   /* comma list (hcol_select); NULL: all */
	bool quick;
	bool keep; /* keep the work directory */
	const char *json, *markdown, *plot_dir;
	const char *dir;     /* parent of the work directory */
	const char *helpers; /* directory of syscall_loop, fsbench, gentext, gentree */
	struct bench_sizes sz;
};

/* Parse `lxrun bench` arguments (argv[0] is "bench"). Returns 0, 1 for --help, or -EINVAL
 * with a one-line reason in why. */
int bench_opts_parse(int argc, char **argv, struct bench_opts *o, char *why, size_t len);
/* The default sizes, full or --quick. */
void bench_sizes_default(struct bench_sizes *sz, bool quick);

/* BC_UNSUPPORTED: failed in lxrun for want of a syscall it does not implement (ENOSYS), which
 * is a coverage gap (docs/syscalls.md) rather than a broken cell */
enum bench_cell_state { BC_PENDING, BC_OK, BC_FAILED, BC_SKIPPED, BC_NA, BC_UNSUPPORTED };
extern const char *const bench_cell_state_names[];

struct bench_cell {
	enum bench_cell_state state;
	char why[256];
	double *v; /* ns: wall time of a run, or ns per call for in-process loops */
	size_t n, cap;
	uint64_t peak_kib;
	bool output_checked; /* its output was compared with native's and matched */
};

struct bench_row {
	enum bench_family fam;
	char name[64];	/* short: "grep -c" */
	char what[160]; /* the command or what is timed */
	bool per_call;	/* the value is ns per operation, timed inside the process */
	struct bench_cell cell[HCOL_MAX];
};

struct bench_result {
	struct bench_opts opts;
	struct hcol cols[HCOL_MAX];
	size_t ncols;
	struct bench_row *rows;
	size_t nrows, rows_cap;
	struct hhost host;
	char vm_desc[512]; /* the VM's shares and options, from its status */
	char workdir[PATH_MAX];
	uint64_t col_peak_kib[HCOL_MAX];
	double seconds; /* the whole run */
	bool interrupted;
	unsigned int passed, failed, skipped, peer_failed, unsupported;
};

enum bench_event {
	BE_MESSAGE, /* text: a step worth telling (making inputs, starting the VM) */
	BE_COLUMN,  /* col: probed (its state and why are set) */
	BE_RUN,	    /* a run is about to start: family, label, col, rep (-1: warm-up) */
	BE_CELL,    /* a row's cell is complete: row, col */
};

struct bench_progress {
	enum bench_event ev;
	const char *text;
	const char *label;
	const struct hcol *col;
	int col_index;
	const struct bench_row *row;
	int rep, nrep;
	unsigned int done, total; /* runs */
};
typedef void (*bench_progress_fn)(const struct bench_progress *p, void *ctx);

/* Run the benchmark. Library code: reports only through progress. *cancel (may be NULL) is
 * polled: non-zero stops the run (cells left pending), and cleanup still happens. Returns 0
 * (cell failures are in the result), or a negative errno with why for a run that could not
 * start (no helpers, no work directory). */
int bench_run(const struct bench_opts *o, const char *lxrun, volatile int *cancel,
	      bench_progress_fn progress, void *ctx, struct bench_result *res, char *why,
	      size_t whylen);
void bench_result_free(struct bench_result *res);

/* One row's cell summary (median, min, max); -ENODATA when it has no values. */
struct hstats;
int bench_cell_stats(const struct bench_cell *c, struct hstats *st);
/* Ratio of the cell's median to native's median in the same row; 0 when unknown. */
double bench_cell_ratio(const struct bench_result *r, const struct bench_row *row, size_t col);

#endif
