/* SPDX-License-Identifier: MIT */
/* harness: the coverage matrix judged against a baseline, its totals, and its three reports. */
#include "harness/coverage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/syscalls.h"
#include "harness/json.h"

const struct cov_check *cov_find_check(const struct cov_matrix *m, size_t t, size_t c,
				       const char *name)
{
	const struct cov_cell *cell = &m->cells[t * m->ncols + c];

	for (size_t i = 0; i < cell->nchecks; i++)
		if (!strcmp(cell->checks[i].name, name))
			return &cell->checks[i];
	return NULL;
}

size_t cov_check_names(const struct cov_matrix *m, size_t t, const char ***out)
{
	size_t n = 0, cap = 0;
	const char **names = NULL;

	for (size_t c = 0; c < m->ncols; c++) {
		const struct cov_cell *cell = &m->cells[t * m->ncols + c];

		for (size_t i = 0; i < cell->nchecks; i++) {
			bool seen = c > 0 && cov_find_check(m, t, 0, cell->checks[i].name);

			for (size_t k = 0; k < n && !seen && c > 0; k++)
				seen = !strcmp(names[k], cell->checks[i].name);
			if (seen)
				continue;
			if (n == cap) {
				const char **nn = realloc(names, (cap = cap ? cap * 2 : 64) *
								  sizeof(*nn));
				if (!nn)
					break;
				names = nn;
			}
			names[n++] = cell->checks[i].name;
		}
	}
	*out = names;
	return n;
}

static int native_col(const struct cov_matrix *m)
{
	for (size_t c = 0; c < m->ncols; c++)
		if (m->cols[c]->kind == HCOL_NATIVE)
			return (int)c;
	return -1;
}

enum cov_verdict cov_judge(const struct cov_matrix *m, const struct cov_baseline *b, size_t t,
			   size_t c, const struct cov_check *k)
{
	int nc = native_col(m);
	const char *test = m->suite->tests[t].name;
	const struct cov_base_entry *e;
	const struct cov_check *now;
	bool ok;

	if ((int)c == nc)
		return COV_V_IGNORED;
	if (nc >= 0) {
		const struct cov_check *nk = cov_find_check(m, t, (size_t)nc, k->name);

		if (!nk || nk->st != COV_OK)
			return COV_V_IGNORED;
	}
	now = cov_find_check(m, t, c, k->name);
	ok = now && now->st == COV_OK;
	e = b ? cov_baseline_find(b, test, k->name, m->cols[c]->name) : NULL;
	if (!e)
		return COV_V_NEW;
	if (e->st == COV_OK && !ok)
		return COV_V_REGRESSION;
	if (e->st != COV_OK && ok)
		return COV_V_IMPROVEMENT;
	return COV_V_SAME;
}

void cov_compare(const struct cov_matrix *m, const struct cov_baseline *b, struct cov_compare *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t t = 0; t < m->suite->n; t++) {
		const char **names;
		size_t n = cov_check_names(m, t, &names);

		for (size_t c = 0; c < m->ncols; c++) {
			if (!m->cells[t * m->ncols + c].ran)
				continue;
			for (size_t i = 0; i < n; i++) {
				struct cov_check k = {.name = (char *)names[i]};

				switch (cov_judge(m, b, t, c, &k)) {
				case COV_V_REGRESSION: r->regressions++; break;
				case COV_V_IMPROVEMENT: r->improvements++; break;
				case COV_V_NEW: r->fresh++; break;
				case COV_V_SAME: {
					const struct cov_check *now = cov_find_check(m, t, c, names[i]);

					r->known += !now || now->st != COV_OK;
					r->flaky += now && now->flaky;
					break;
				}
				default: break;
				}
			}
		}
		free(names);
	}
}

int cov_baseline_update(const struct cov_matrix *m, struct cov_baseline *b)
{
	for (size_t t = 0; t < m->suite->n; t++) {
		const char **names;
		size_t n = cov_check_names(m, t, &names);
		int r = 0;

		for (size_t c = 0; c < m->ncols && !r; c++) {
			if (!m->cells[t * m->ncols + c].ran)
				continue;
			for (size_t i = 0; i < n && !r; i++) {
				struct cov_check k = {.name = (char *)names[i]};
				enum cov_verdict v = cov_judge(m, b, t, c, &k);
				const struct cov_check *now = cov_find_check(m, t, c, names[i]);

				/* an ok that needed a second run is not yet an improvement */
				if ((v == COV_V_IMPROVEMENT || v == COV_V_NEW) && !(now && now->flaky))
					r = cov_baseline_set(b, m->suite->tests[t].name, names[i],
							     m->cols[c]->name,
							     now ? now->st : COV_MISS);
			}
		}
		free(names);
		if (r < 0)
			return r;
	}
	return 0;
}

void cov_totals(const struct cov_matrix *m, struct cov_totals *tot)
{
	char **sys = NULL;
	size_t nsys = 0, cap = 0;

	memset(tot, 0, sizeof(*tot));
	for (size_t t = 0; t < m->suite->n; t++) {
		const char **names;
		size_t n = cov_check_names(m, t, &names);

		for (size_t i = 0; i < n; i++) {
			size_t pl = strcspn(names[i], ".");
			char *pre = strndup(names[i], pl);
			bool seen = false;

			tot->checks++;
			for (size_t c = 0; c < m->ncols; c++) {
				const struct cov_check *k = cov_find_check(m, t, c, names[i]);

				tot->pass[c] += k && k->st != COV_FAIL && k->st != COV_MISS;
			}
			if (!pre)
				continue;
			for (size_t k = 0; k < nsys && !seen; k++)
				seen = !strcmp(sys[k], pre);
			if (seen || abi_syscall_lookup(pre) < 0) {
				free(pre);
				continue;
			}
			if (nsys == cap) {
				char **ns = realloc(sys, (cap = cap ? cap * 2 : 128) * sizeof(*ns));

				if (!ns) {
					free(pre);
					continue;
				}
				sys = ns;
			}
			sys[nsys++] = pre;
		}
		free(names);
	}
	tot->syscalls = (unsigned)nsys;
	for (size_t k = 0; k < nsys; k++)
		free(sys[k]);
	free(sys);
}

static const char *cell_note(const struct cov_cell *cell, char *buf, size_t len)
{
	if (!cell->ran)
		snprintf(buf, len, "not run: %s", cell->why);
	else if (cell->timed_out)
		snprintf(buf, len, "timeout");
	else if (cell->signaled)
		snprintf(buf, len, "killed by signal %d", cell->status);
	else if (cell->status != 0 && cell->status != 1 && cell->status != 77)
		snprintf(buf, len, "exit status %d", cell->status);
	else
		buf[0] = 0;
	return buf;
}

void cov_report_matrix(FILE *f, const struct cov_matrix *m, const struct cov_baseline *b, bool all)
{
	char note[200];

	fprintf(f, "%-44s", "check");
	for (size_t c = 0; c < m->ncols; c++)
		fprintf(f, " %-17s", m->cols[c]->name);
	fputc('\n', f);
	for (size_t t = 0; t < m->suite->n; t++) {
		const char **names;
		size_t n = cov_check_names(m, t, &names);

		for (size_t i = 0; i < n; i++) {
			bool differs = false;
			const struct cov_check *k0 = cov_find_check(m, t, 0, names[i]);
			char row[400];
			size_t rl;

			rl = (size_t)snprintf(row, sizeof(row), "%s %s", m->suite->tests[t].name,
					      names[i]);
			rl = rl < sizeof(row) ? rl : sizeof(row) - 1;
			for (size_t c = 0; c < m->ncols && rl < sizeof(row); c++) {
				const struct cov_check *k = cov_find_check(m, t, c, names[i]);
				struct cov_check kk = {.name = (char *)names[i]};
				enum cov_verdict v = cov_judge(m, b, t, c, &kk);
				enum cov_status st = k ? k->st : COV_MISS;

				differs |= st != (k0 ? k0->st : COV_MISS);
				differs |= k && k->flaky;
				rl += (size_t)snprintf(row + rl, sizeof(row) - rl, "%s%s%s",
						       c ? "\t" : "\t", cov_status_name(st),
						       k && k->flaky		? "~"
						       : v == COV_V_REGRESSION	? "*"
						       : v == COV_V_IMPROVEMENT ? "+"
						       : v == COV_V_NEW && b && st != COV_OK ? "?"
											: "");
			}
			if (!all && !differs)
				continue;
			/* align: the first field is the name, then one per column */
			char *save = NULL, *w = strtok_r(row, "\t", &save);
			const char *detail = NULL;

			fprintf(f, "%-44s", w);
			while ((w = strtok_r(NULL, "\t", &save)))
				fprintf(f, " %-17s", w);
			for (size_t c = 0; c < m->ncols && !detail; c++) {
				const struct cov_check *k = cov_find_check(m, t, c, names[i]);

				detail = k && (k->st == COV_FAIL || k->flaky) ? k->detail : NULL;
			}
			if (detail)
				fprintf(f, " %.100s", detail);
			fputc('\n', f);
		}
		free(names);
	}
	fputs("\ncells: ok | fail | skip | miss (never printed); * regression, + improvement, ? not"
	      " in the baseline,\n~ failed once and passed when run again (flaky: not a regression)\n",
	      f);
	for (size_t t = 0; t < m->suite->n; t++) {
		for (size_t c = 0; c < m->ncols; c++) {
			const struct cov_cell *cell = &m->cells[t * m->ncols + c];

			if (*cell_note(cell, note, sizeof(note)))
				fprintf(f, "note: %s under %s: %s\n", m->suite->tests[t].name,
					m->cols[c]->name, note);
			else if (cell->ran && !cell->tap && cell->status == 1)
				fprintf(f, "note: %s under %s: exit status 1\n",
					m->suite->tests[t].name, m->cols[c]->name);
		}
	}
}

void cov_report_json(FILE *f, const struct cov_matrix *m, const struct cov_baseline *b)
{
	struct cov_totals tot;
	struct cov_compare cmp;
	int first = 1;
	char note[200];

	cov_totals(m, &tot);
	cov_compare(m, b, &cmp);
	fputs("{\"columns\": [", f);
	for (size_t c = 0; c < m->ncols; c++) {
		int f2 = 1;

		fputs(c ? ", {" : "{", f);
		hjson_key(f, "name", &f2);
		hjson_str(f, m->cols[c]->name);
		hjson_key(f, "passed", &f2);
		hjson_num(f, tot.pass[c]);
		fputc('}', f);
	}
	fputs("],\n", f);
	fprintf(f, "\"checks\": %u, \"syscalls\": %u, \"regressions\": %u, \"improvements\": %u,"
		   " \"new\": %u, \"flaky\": %u,\n\"tests\": [",
		tot.checks, tot.syscalls, cmp.regressions, cmp.improvements, cmp.fresh, cmp.flaky);
	for (size_t t = 0; t < m->suite->n; t++) {
		const char **names;
		size_t n = cov_check_names(m, t, &names);

		fputs(t ? ",\n{" : "\n{", f);
		first = 1;
		hjson_key(f, "name", &first);
		hjson_str(f, m->suite->tests[t].name);
		hjson_key(f, "runs", &first);
		fputc('{', f);
		for (size_t c = 0; c < m->ncols; c++) {
			const struct cov_cell *cell = &m->cells[t * m->ncols + c];
			int f2 = 1;

			fprintf(f, "%s", c ? ", " : "");
			hjson_str(f, m->cols[c]->name);
			fputs(": {", f);
			hjson_key(f, "status", &f2);
			hjson_str(f, cov_status_name(cov_cell_status(cell)));
			hjson_key(f, "exit", &f2);
			hjson_num(f, cell->status);
			hjson_key(f, "wall_ms", &f2);
			hjson_num(f, (double)cell->wall_ns / 1e6);
			hjson_key(f, "note", &f2);
			hjson_str(f, cell_note(cell, note, sizeof(note)));
			fputc('}', f);
		}
		fputs("}", f);
		hjson_key(f, "checks", &first);
		fputc('[', f);
		for (size_t i = 0; i < n; i++) {
			int f2 = 1;

			fputs(i ? ",\n {" : "\n {", f);
			hjson_key(f, "name", &f2);
			hjson_str(f, names[i]);
			for (size_t c = 0; c < m->ncols; c++) {
				const struct cov_check *k = cov_find_check(m, t, c, names[i]);

				hjson_key(f, m->cols[c]->name, &f2);
				hjson_str(f, cov_status_name(k ? k->st : COV_MISS));
				if (k && k->flaky) {
					char key[64];

					snprintf(key, sizeof(key), "%s.flaky", m->cols[c]->name);
					hjson_key(f, key, &f2);
					fputs("true", f);
				}
				if (k && k->detail) {
					char key[64];

					snprintf(key, sizeof(key), "%s.detail", m->cols[c]->name);
					hjson_key(f, key, &f2);
					hjson_str(f, k->detail);
				}
			}
			fputc('}', f);
		}
		fputs("]}", f);
		free(names);
	}
	fputs("\n]}\n", f);
}

void cov_report_markdown(FILE *f, const struct cov_matrix *m, const struct cov_baseline *b)
{
	struct cov_totals tot;

	cov_totals(m, &tot);
	fprintf(f, "# Coverage\n\n%u checks over %u syscalls.\n\n| column | passed |\n|---|---:|\n",
		tot.checks, tot.syscalls);
	for (size_t c = 0; c < m->ncols; c++)
		fprintf(f, "| %s | %u/%u |\n", m->cols[c]->name, tot.pass[c], tot.checks);
	fputs("\n## Checks that differ from native\n\n| test | check |", f);
	for (size_t c = 0; c < m->ncols; c++)
		fprintf(f, " %s |", m->cols[c]->name);
	fputs("\n|---|---|", f);
	for (size_t c = 0; c < m->ncols; c++)
		fputs("---|", f);
	fputc('\n', f);
	for (size_t t = 0; t < m->suite->n; t++) {
		const char **names;
		size_t n = cov_check_names(m, t, &names);

		for (size_t i = 0; i < n; i++) {
			const struct cov_check *k0 = cov_find_check(m, t, 0, names[i]);
			bool differs = false;

			for (size_t c = 1; c < m->ncols; c++) {
				const struct cov_check *k = cov_find_check(m, t, c, names[i]);

				differs |= (k ? k->st : COV_MISS) != (k0 ? k0->st : COV_MISS);
			}
			if (!differs)
				continue;
			fprintf(f, "| %s | `%s` |", m->suite->tests[t].name, names[i]);
			for (size_t c = 0; c < m->ncols; c++) {
				const struct cov_check *k = cov_find_check(m, t, c, names[i]);
				struct cov_check kk = {.name = (char *)names[i]};

				fprintf(f, " %s%s |", cov_status_name(k ? k->st : COV_MISS),
					cov_judge(m, b, t, c, &kk) == COV_V_REGRESSION ? " (regression)"
										     : "");
			}
			fputc('\n', f);
		}
		free(names);
	}
}
