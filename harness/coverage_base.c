/* SPDX-License-Identifier: MIT */
/* harness: coverage results: TAP lines into checks, baselines, and what a run means against one. */
#include "harness/coverage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {"miss", "ok", "fail", "skip"};

const char *cov_status_name(enum cov_status st)
{
	return (unsigned)st < 4 ? status_names[st] : "?";
}

int cov_status_parse(const char *s, enum cov_status *st)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, status_names[i])) {
			*st = (enum cov_status)i;
			return 0;
		}
	return -EINVAL;
}

void cov_checks_free(struct cov_check *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].detail);
	}
	free(c);
}

static int check_push(struct cov_check **out, size_t *n, size_t *cap, const char *name,
		      size_t nl, enum cov_status st, const char *detail, size_t dl)
{
	for (size_t i = 0; i < *n; i++) {
		if (strlen((*out)[i].name) == nl && !strncmp((*out)[i].name, name, nl)) {
			/* a name used twice is a failure of the test itself */
			(*out)[i].st = COV_FAIL;
			free((*out)[i].detail);
			(*out)[i].detail = strdup("name printed twice");
			return 0;
		}
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct cov_check *nn = realloc(*out, nc * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		*out = nn;
		*cap = nc;
	}
	(*out)[*n] = (struct cov_check){.name = strndup(name, nl), .st = st,
					.detail = detail ? strndup(detail, dl) : NULL};
	if (!(*out)[*n].name)
		return -ENOMEM;
	(*n)++;
	return 0;
}

int cov_tap_parse(const char *text, size_t len, struct cov_check **out, size_t *n)
{
	size_t cap = 0;
	const char *p = text, *end = text + len;

	*out = NULL;
	*n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *name, *d = NULL;
		enum cov_status st;
		size_t namel, dl = 0;
		int r;

		if ((size_t)(le - p) > 3 && !strncmp(p, "ok ", 3)) {
			st = COV_OK;
			name = p + 3;
		} else if ((size_t)(le - p) > 7 && !strncmp(p, "not ok ", 7)) {
			st = COV_FAIL;
			name = p + 7;
		} else {
			p = le + 1;
			continue;
		}
		/* TAP's "ok 3 - name" form: the number is not the name */
		if (name < le && *name >= '0' && *name <= '9') {
			const char *q = name;

			while (q < le && *q >= '0' && *q <= '9')
				q++;
			if (q + 3 <= le && !strncmp(q, " - ", 3))
				name = q + 3;
		}
		namel = 0;
		while (name + namel < le && name[namel] != ' ' && name[namel] != '\t')
			namel++;
		if (st == COV_FAIL && namel && name[namel - 1] == ':')
			namel--;
		if (!namel) {
			p = le + 1;
			continue;
		}
		if (st == COV_OK) {
			const char *h = memchr(name, '#', (size_t)(le - name));

			if (h && (size_t)(le - h) >= 6 && !strncasecmp(h, "# skip", 6))
				st = COV_SKIP;
		} else {
			d = name + namel;
			while (d < le && (*d == ':' || *d == ' ' || *d == '-'))
				d++;
			dl = (size_t)(le - d);
		}
		r = check_push(out, n, &cap, name, namel, st, d, dl);
		if (r < 0) {
			cov_checks_free(*out, *n);
			*out = NULL;
			*n = 0;
			return r;
		}
		p = le + 1;
	}
	return (int)*n;
}

enum cov_status cov_cell_status(const struct cov_cell *c)
{
	enum cov_status worst = COV_OK;

	if (!c->ran || c->timed_out || c->signaled)
		return c->ran && c->tap ? COV_FAIL : COV_MISS;
	if (!c->tap)
		return c->status == 0 ? COV_OK : c->status == 77 ? COV_SKIP : COV_FAIL;
	for (size_t i = 0; i < c->nchecks; i++)
		if (c->checks[i].st == COV_FAIL)
			worst = COV_FAIL;
	return worst;
}

/* Legacy run_matrix.sh column labels name the same columns. */
static const char *column_name(const char *c)
{
	if (!c || !*c || !strcmp(c, "lxrun") || !strcmp(c, "lxrun_--engine_rewrite"))
		return "translate/rewrite";
	if (!strcmp(c, "lxrun_--engine_sud"))
		return "translate/sud";
	return c;
}

int cov_baseline_set(struct cov_baseline *b, const char *test, const char *check,
		     const char *column, enum cov_status st)
{
	struct cov_base_entry *e;

	column = column_name(column);
	e = cov_baseline_find(b, test, check, column);
	if (e) {
		e->st = st;
		return 0;
	}
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 1024;
		struct cov_base_entry *ne = realloc(b->e, nc * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		b->e = ne;
		b->cap = nc;
	}
	e = &b->e[b->n];
	e->test = strdup(test);
	e->check = strdup(check);
	e->column = strdup(column);
	e->st = st;
	if (!e->test || !e->check || !e->column) {
		free(e->test);
		free(e->check);
		free(e->column);
		return -ENOMEM;
	}
	b->n++;
	return 0;
}

struct cov_base_entry *cov_baseline_find(const struct cov_baseline *b, const char *test,
					 const char *check, const char *column)
{
	column = column_name(column);
	for (size_t i = 0; i < b->n; i++) {
		struct cov_base_entry *e = &b->e[i];

		if (!strcmp(e->check, check) && !strcmp(e->test, test) && !strcmp(e->column, column))
			return e;
	}
	return NULL;
}

int cov_baseline_parse(struct cov_baseline *b, const char *path, const char *text, char *why,
		       size_t len)
{
	unsigned lineno = 0;

	for (const char *p = text; *p;) {
		size_t ll = strcspn(p, "\n");
		char *line = strndup(p, ll), *save = NULL, *w[5];
		int n = 0, r = 0;
		enum cov_status st;

		lineno++;
		p += ll + (p[ll] == '\n');
		if (!line)
			return -ENOMEM;
		for (char *t = strtok_r(line, " \t\r", &save); t && n < 5;
		     t = strtok_r(NULL, " \t\r", &save))
			w[n++] = t;
		if (n == 0 || w[0][0] == '#') {
			free(line);
			continue;
		}
		if (n < 3 || n > 4) {
			snprintf(why, len, "%s:%u: expected 'test check status [column]'", path,
				 lineno);
			r = -EINVAL;
		} else if (cov_status_parse(w[2], &st)) {
			snprintf(why, len, "%s:%u: unknown status '%s' (ok, fail, skip or miss)",
				 path, lineno, w[2]);
			r = -EINVAL;
		} else {
			r = cov_baseline_set(b, w[0], w[1], n == 4 ? w[3] : NULL, st);
		}
		free(line);
		if (r < 0)
			return r;
	}
	return 0;
}

int cov_baseline_load(struct cov_baseline *b, const char *path, char *why, size_t len)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;
	int r;

	if (!f) {
		r = -errno;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return r;
	}
	if (getdelim(&text, &cap, '\0', f) < 0) {
		free(text);
		text = strdup("");
	}
	fclose(f);
	if (!text)
		return -ENOMEM;
	r = cov_baseline_parse(b, path, text, why, len);
	free(text);
	return r;
}

int cov_baseline_write(const struct cov_baseline *b, FILE *f)
{
	const char *done[HCOL_MAX * 2];
	size_t nd = 0;

	fputs("# SPDX-License-Identifier: MIT\n"
	      "# Syscall-coverage baseline: test check status [column], written by lxrun coverage\n"
	      "# --update-baseline. Only natively-ok checks; no column means translate/rewrite.\n",
	      f);
	/* one block per column, translate/rewrite first and without its name */
	for (size_t round = 0; round < b->n + 1; round++) {
		const char *col = NULL;

		if (round == 0) {
			col = "translate/rewrite";
		} else {
			for (size_t i = 0; i < b->n && !col; i++) {
				bool seen = false;

				for (size_t k = 0; k < nd; k++)
					seen |= !strcmp(done[k], b->e[i].column);
				if (!seen)
					col = b->e[i].column;
			}
		}
		if (!col || nd == sizeof(done) / sizeof(done[0]))
			break;
		done[nd++] = col;
		for (size_t i = 0; i < b->n; i++) {
			const struct cov_base_entry *e = &b->e[i];

			if (strcmp(e->column, col))
				continue;
			if (round == 0)
				fprintf(f, "%s %s %s\n", e->test, e->check, cov_status_name(e->st));
			else
				fprintf(f, "%s %s %s %s\n", e->test, e->check,
					cov_status_name(e->st), e->column);
		}
	}
	return ferror(f) ? -EIO : 0;
}

void cov_baseline_free(struct cov_baseline *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->e[i].test);
		free(b->e[i].check);
		free(b->e[i].column);
	}
	free(b->e);
	memset(b, 0, sizeof(*b));
}
