/* SPDX-License-Identifier: MIT */
/* harness: lxrun coverage's suites, TAP results, baselines and the test x column matrix. */
#ifndef LXRUN_HARNESS_COVERAGE_H
#define LXRUN_HARNESS_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/column.h"

#define COV_WHY 512
/* the check standing for a test that prints no ok / not ok lines */
#define COV_EXIT_CHECK "exit_status"

enum cov_status {
	COV_MISS = 0, /* never printed: crash, timeout or early exit */
	COV_OK,
	COV_FAIL,
	COV_SKIP,
};

struct cov_test {
	char *name;  /* "file_io" */
	char **argv; /* NULL-terminated; argv[0] absolute or looked up on PATH */
};

struct cov_suite {
	struct cov_test *tests;
	size_t n, cap;
};

struct cov_check {
	char *name;
	enum cov_status st;
	char *detail; /* "not ok NAME: DETAIL"; NULL otherwise */
	bool flaky;   /* not ok in the first run, ok when run again (cov_rerun) */
};

/* One test in one column. */
struct cov_cell {
	bool ran;
	bool tap;	    /* it printed ok / not ok lines: checks are its result */
	bool timed_out;
	bool signaled;
	int status;	    /* exit status, or the signal */
	uint64_t wall_ns;
	struct cov_check *checks;
	size_t nchecks;
	char why[160];	    /* could not start, and why */
};

struct cov_matrix {
	const struct cov_suite *suite;
	struct hcol *cols[HCOL_MAX];
	size_t ncols;
	struct cov_cell *cells; /* [test * ncols + col] */
};

/* Suites: append to s. Errors are negative errno with why ("FILE:LINE: reason"). */
int cov_suite_add(struct cov_suite *s, const char *name, char *const *argv);
int cov_suite_parse(struct cov_suite *s, const char *path, const char *text, char *why,
		    size_t len);
int cov_suite_load_file(struct cov_suite *s, const char *path, char *why, size_t len);
/* Every executable regular file in dir, sorted, named without prefix ("syscall_prog_") and
 * skipping names with a dot when prefix is given. -ENOENT when none. */
int cov_suite_load_dir(struct cov_suite *s, const char *dir, const char *prefix, char *why,
		       size_t len);
void cov_suite_free(struct cov_suite *s);

/* TAP-style lines of a test's stdout into checks ("ok N", "ok N # skip R", "not ok N: D",
 * "not ok N - D"); a repeated name is a failure. Returns the count or -ENOMEM. */
int cov_tap_parse(const char *text, size_t len, struct cov_check **out, size_t *n);
void cov_checks_free(struct cov_check *c, size_t n);
/* A cell's result as a status: its checks' worst, or its exit status (0 ok, 77 skip). */
enum cov_status cov_cell_status(const struct cov_cell *c);
const char *cov_status_name(enum cov_status st);
int cov_status_parse(const char *s, enum cov_status *st);

/* A baseline: "test check status [column]" lines; no column means translate/rewrite. */
struct cov_base_entry {
	char *test, *check, *column;
	enum cov_status st;
};

struct cov_baseline {
	struct cov_base_entry *e;
	size_t n, cap;
};

int cov_baseline_parse(struct cov_baseline *b, const char *path, const char *text, char *why,
		       size_t len);
int cov_baseline_load(struct cov_baseline *b, const char *path, char *why, size_t len);
/* The entry for test/check/column, or NULL. */
struct cov_base_entry *cov_baseline_find(const struct cov_baseline *b, const char *test,
					 const char *check, const char *column);
int cov_baseline_set(struct cov_baseline *b, const char *test, const char *check,
		     const char *column, enum cov_status st);
/* Sorted by column (translate/rewrite first), then in insertion order. */
int cov_baseline_write(const struct cov_baseline *b, FILE *f);
void cov_baseline_free(struct cov_baseline *b);

/* What a run means against a baseline. A regression is a check ok in the baseline and not
 * ok now; an improvement a check not ok there and ok now; new: not in the baseline. Only
 * columns other than native, and only checks ok natively when native ran. */
struct cov_compare {
	unsigned regressions, improvements, fresh, known;
	unsigned flaky; /* ok in the baseline, failed once, passed when run again */
};

enum cov_verdict {
	COV_V_SAME,
	COV_V_REGRESSION,
	COV_V_IMPROVEMENT,
	COV_V_NEW,
	COV_V_IGNORED, /* native column, or not ok natively */
};

enum cov_verdict cov_judge(const struct cov_matrix *m, const struct cov_baseline *b, size_t t,
			   size_t c, const struct cov_check *k);
void cov_compare(const struct cov_matrix *m, const struct cov_baseline *b, struct cov_compare *r);
/* Record improvements and new checks (never a regression: it stays ok in the baseline). */
int cov_baseline_update(const struct cov_matrix *m, struct cov_baseline *b);

/* A check of test t in column c, or NULL. */
const struct cov_check *cov_find_check(const struct cov_matrix *m, size_t t, size_t c,
				       const char *name);
/* The distinct check names of test t over all columns, in first-seen order (native first). */
size_t cov_check_names(const struct cov_matrix *m, size_t t, const char ***out);

/* Reports. */
struct cov_totals {
	unsigned checks;   /* distinct test/check pairs */
	unsigned syscalls; /* distinct check-name prefixes that are x86-64 syscall names */
	unsigned pass[HCOL_MAX];
};

void cov_totals(const struct cov_matrix *m, struct cov_totals *t);
void cov_report_matrix(FILE *f, const struct cov_matrix *m, const struct cov_baseline *b,
		       bool all);
void cov_report_json(FILE *f, const struct cov_matrix *m, const struct cov_baseline *b);
void cov_report_markdown(FILE *f, const struct cov_matrix *m, const struct cov_baseline *b);

#endif
