/* SPDX-License-Identifier: MIT */
/* harness: running a coverage suite's tests in the selected columns, several at a time. */
#ifndef LXRUN_HARNESS_COVERAGE_RUN_H
#define LXRUN_HARNESS_COVERAGE_RUN_H

#include "harness/coverage.h"

#define COV_MAX_JOBS 32

struct cov_run_opts {
	struct hcol_env *env; /* lxrun, the VM's state directory, the cancel flag */
	const char *workdir;  /* private scratch: outputs, and TMPDIR (workdir/tmp) of the tests */
	unsigned jobs;
	uint64_t timeout_ms;
	/* called with a lock held after each cell */
	void (*progress)(void *arg, size_t done, size_t total, const char *test, const char *col);
	void *arg;
};

/* m->cols and m->ncols set by the caller; cells allocated for the suite. */
int cov_matrix_init(struct cov_matrix *m, const struct cov_suite *s);
void cov_matrix_free(struct cov_matrix *m);
/* Run every cell; columns not HCOL_OK get their reason. -EINTR when cancelled. */
int cov_run(struct cov_matrix *m, const struct cov_run_opts *o);
/* Run the given cells (indexes test * ncols + column) again; a check not ok before and ok now
 * becomes ok and flaky. */
int cov_rerun(struct cov_matrix *m, const struct cov_run_opts *o, const size_t *cells, size_t n);

#endif
