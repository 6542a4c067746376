/* SPDX-License-Identifier: MIT */
/* harness coverage: suite files (and their malformed lines), TAP lines, baselines and regressions. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness/coverage_run.h"

Test(suite, names_commands_comments_quotes)
{
	struct cov_suite s = {0};
	char why[COV_WHY] = "";
	int r = cov_suite_parse(&s, "t.txt",
				"# a comment\n\nt1 /bin/true\n  t2 /bin/sh -c 'exit 77'  # why\n"
				"t3\t/bin/echo \"a b\" c\n",
				why, sizeof(why));

	cr_assert_eq(r, 0, "%s", why);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.tests[0].name, "t1");
	cr_assert_str_eq(s.tests[1].argv[2], "exit 77");
	cr_assert_null(s.tests[1].argv[3]);
	cr_assert_str_eq(s.tests[2].argv[1], "a b");
	cr_assert_str_eq(s.tests[2].argv[2], "c");
	cov_suite_free(&s);
}

Test(suite, malformed_lines_name_file_and_line)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"ok /bin/true\nlonely\n", "t.txt:2: 'lonely' has no command"},
		{"a /bin/true\na /bin/false\n", "t.txt:2: test 'a' is named twice"},
		{"x /bin/sh -c 'exit\n", "t.txt:1: unterminated quote"},
		{"# only comments\n\n", "t.txt: no tests in it"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cov_suite s = {0};
		char why[COV_WHY] = "";

		cr_assert_lt(cov_suite_parse(&s, "t.txt", bad[i].text, why, sizeof(why)), 0);
		cr_assert(strstr(why, bad[i].why), "case %zu: '%s'", i, why);
		cov_suite_free(&s);
	}
}

Test(tap, ok_not_ok_skip_numbers_and_noise)
{
	const char *out = "hello\nok open.basic\nnot ok open.efault: got 0, want EFAULT\n"
			  "ok read.eof # skip no such file system\nok 4 - tap.numbered\n"
			  "not ok 5 - tap.bad - why\nnot okay\n  ok indented\n";
	struct cov_check *k;
	size_t n;

	cr_assert_eq(cov_tap_parse(out, strlen(out), &k, &n), 5);
	cr_assert_str_eq(k[0].name, "open.basic");
	cr_assert_eq(k[0].st, COV_OK);
	cr_assert_str_eq(k[1].name, "open.efault");
	cr_assert_eq(k[1].st, COV_FAIL);
	cr_assert_str_eq(k[1].detail, "got 0, want EFAULT");
	cr_assert_eq(k[2].st, COV_SKIP);
	cr_assert_str_eq(k[3].name, "tap.numbered");
	cr_assert_str_eq(k[4].name, "tap.bad");
	cr_assert_str_eq(k[4].detail, "why");
	cov_checks_free(k, n);
}

Test(tap, a_name_printed_twice_fails)
{
	const char *out = "ok a\nok a";
	struct cov_check *k;
	size_t n;

	cr_assert_eq(cov_tap_parse(out, strlen(out), &k, &n), 1);
	cr_assert_eq(k[0].st, COV_FAIL);
	cov_checks_free(k, n);
}

Test(tap, no_lines_means_exit_status)
{
	struct cov_cell c = {.ran = true, .status = 77};

	cr_assert_eq(cov_cell_status(&c), COV_SKIP);
	c.status = 0;
	cr_assert_eq(cov_cell_status(&c), COV_OK);
	c.status = 3;
	cr_assert_eq(cov_cell_status(&c), COV_FAIL);
	c.timed_out = true;
	cr_assert_eq(cov_cell_status(&c), COV_MISS);
}

Test(baseline, legacy_and_column_lines)
{
	struct cov_baseline b = {0};
	char why[COV_WHY] = "";

	cr_assert_eq(cov_baseline_parse(&b, "b.txt",
					"# c\nfam a.x ok\nfam a.y fail translate/sud\n"
					"fam a.z miss lxrun_--engine_rewrite\n",
					why, sizeof(why)),
		     0, "%s", why);
	cr_assert_eq(b.n, 3);
	cr_assert_not_null(cov_baseline_find(&b, "fam", "a.x", "translate/rewrite"));
	cr_assert_not_null(cov_baseline_find(&b, "fam", "a.z", "translate/rewrite"));
	cr_assert_eq(cov_baseline_find(&b, "fam", "a.y", "translate/sud")->st, COV_FAIL);
	cr_assert_lt(cov_baseline_parse(&b, "b.txt", "fam a.q bogus\n", why, sizeof(why)), 0);
	cr_assert(strstr(why, "b.txt:1: unknown status 'bogus'"), "%s", why);
	cr_assert_lt(cov_baseline_parse(&b, "b.txt", "\nfam\n", why, sizeof(why)), 0);
	cr_assert(strstr(why, "b.txt:2:"), "%s", why);
	cov_baseline_free(&b);
}

/* One test, columns native + translate/rewrite, with the given check lines. */
static void matrix(struct cov_matrix *m, struct cov_suite *s, struct hcol *cols,
		   const char *native, const char *xl)
{
	char *argv[] = {"/bin/true", NULL};
	const char *outs[] = {native, xl};
	size_t nc = hcol_catalog(cols, HCOL_MAX);

	cr_assert_geq(nc, 2);
	memset(m, 0, sizeof(*m));
	cr_assert_eq(cov_suite_add(s, "fam", argv), 0);
	m->cols[0] = &cols[0]; /* native */
	m->cols[1] = &cols[1]; /* translate/rewrite */
	m->ncols = 2;
	cr_assert_eq(cov_matrix_init(m, s), 0);
	for (size_t c = 0; c < 2; c++) {
		struct cov_cell *cell = &m->cells[c];

		cell->ran = cell->tap = true;
		cov_tap_parse(outs[c], strlen(outs[c]), &cell->checks, &cell->nchecks);
	}
}

Test(baseline, regressions_improvements_new_and_update)
{
	struct cov_suite s = {0};
	struct hcol cols[HCOL_MAX];
	struct cov_matrix m;
	struct cov_baseline b = {0};
	struct cov_compare r;
	char why[COV_WHY];

	matrix(&m, &s, cols, "ok a\nok b\nok c\nok d\nnot ok e: x\n",
	       "not ok a: broke\nok b\nok c\nnot ok d: new gap\nnot ok e: x\n");
	cr_assert_eq(cov_baseline_parse(&b, "b", "fam a ok\nfam b fail\nfam c ok\n", why,
					sizeof(why)),
		     0);
	cov_compare(&m, &b, &r);
	cr_assert_eq(r.regressions, 1); /* a */
	cr_assert_eq(r.improvements, 1); /* b */
	cr_assert_eq(r.fresh, 1);	 /* d; e is not ok natively */
	cr_assert_eq(cov_baseline_update(&m, &b), 0);
	/* a regression is never written into the baseline */
	cr_assert_eq(cov_baseline_find(&b, "fam", "a", "translate/rewrite")->st, COV_OK);
	cr_assert_eq(cov_baseline_find(&b, "fam", "b", "translate/rewrite")->st, COV_OK);
	cr_assert_eq(cov_baseline_find(&b, "fam", "d", "translate/rewrite")->st, COV_FAIL);
	cr_assert_null(cov_baseline_find(&b, "fam", "e", "translate/rewrite"));
	cov_compare(&m, &b, &r);
	cr_assert_eq(r.regressions, 1);
	cr_assert_eq(r.improvements + r.fresh, 0);
	cov_matrix_free(&m);
	cov_suite_free(&s);
	cov_baseline_free(&b);
}

Test(totals, syscall_prefixes_counted_once)
{
	struct cov_suite s = {0};
	struct hcol cols[HCOL_MAX];
	struct cov_matrix m;
	struct cov_totals t;

	matrix(&m, &s, cols, "ok openat.a\nok openat.b\nok dev.null\nok read.x\n",
	       "ok openat.a\nnot ok openat.b: y\nok dev.null\nok read.x\n");
	cov_totals(&m, &t);
	cr_assert_eq(t.checks, 4);
	cr_assert_eq(t.syscalls, 2); /* openat, read; "dev" is not a syscall */
	cr_assert_eq(t.pass[0], 4);
	cr_assert_eq(t.pass[1], 3);
	cov_matrix_free(&m);
	cov_suite_free(&s);
}
