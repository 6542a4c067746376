/* SPDX-License-Identifier: MIT */
/* harness: lxrun bench's run loop: columns probed, inputs shared, runs interleaved, cells filled.
 */
#include "harness/bench_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/stats.h"

extern char **environ;

const char *const bench_cell_state_names[] = {"pending", "ok",	"failed",
					      "skipped", "n/a", "unsupported"};

#define RUN_TIMEOUT_MS (30 * 60 * 1000)
#define SAMPLE_MS      10

void bench_say(struct bench_ctx *b, const char *fmt, ...)
{
	struct bench_progress p = {.ev = BE_MESSAGE};
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	p.text = text;
	if (b->progress)
		b->progress(&p, b->pctx);
}

int bench_row_add(struct bench_ctx *b, enum bench_family fam, const char *name, const char *what,
		  bool per_call)
{
	struct bench_result *r = b->res;
	struct bench_row *row;

	if (r->nrows == r->rows_cap) {
		size_t cap = r->rows_cap ? r->rows_cap * 2 : 32;
		void *p = realloc(r->rows, cap * sizeof(*r->rows));

		if (!p)
			return -ENOMEM;
		r->rows = p;
		r->rows_cap = cap;
	}
	row = &r->rows[r->nrows];
	memset(row, 0, sizeof(*row));
	row->fam = fam;
	row->per_call = per_call;
	snprintf(row->name, sizeof(row->name), "%s", name);
	snprintf(row->what, sizeof(row->what), "%s", what ? what : "");
	/* an unusable column's cells carry its reason from the start */
	for (size_t c = 0; c < r->ncols; c++) {
		if (r->cols[c].state == HCOL_OK)
			continue;
		row->cell[c].state = r->cols[c].state == HCOL_SKIPPED ? BC_SKIPPED : BC_FAILED;
		snprintf(row->cell[c].why, sizeof(row->cell[c].why), "%s", r->cols[c].why);
	}
	return (int)r->nrows++;
}

static void first_line_of(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[512];

	out[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0]) {
			snprintf(out, len, "%s", line);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void describe_failure(const struct hproc_result *r, const char *errfile, char *why,
			     size_t len)
{
	char line[300];

	first_line_of(errfile, line, sizeof(line));
	if (r->timed_out)
		snprintf(why, len, "timed out after %u s", RUN_TIMEOUT_MS / 1000);
	else if (r->signaled)
		snprintf(why, len, "killed by signal %d%s%s", r->status, line[0] ? ": " : "", line);
	else
		snprintf(why, len, "exit status %d%s%s", r->status, line[0] ? ": " : "", line);
}

char **bench_env(void)
{
	static char **env;
	size_t n = 0, k = 0;

	if (env)
		return env;
	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return environ;
	/* the same collation and messages in every column, whatever the user's locale */
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7))
			env[k++] = environ[i];
	env[k++] = "LC_ALL=C";
	return env;
}

int bench_setup_sh(struct bench_ctx *b, size_t col, const char *script, char *why, size_t len)
{
	const struct hcol *c = &b->res->cols[col];
	char *cmd[] = {"/bin/sh", "-c", (char *)script, NULL}, *argv[HCOL_ARGV_MAX];
	char errf[PATH_MAX + 16];
	struct hproc_spec s = {.argv = cmd,
			       .cwd = b->coldir[col],
			       .env = bench_env(),
			       .timeout_ms = RUN_TIMEOUT_MS,
			       .cancel = b->cancel};
	struct hproc_result r;
	int err;

	snprintf(errf, sizeof(errf), "%s/setup.err", b->base);
	s.stderr_path = errf;
	if (hcol_in_guest_dir(c)) {
		if (hcol_argv(c, &b->env, cmd, argv, HCOL_ARGV_MAX) < 0)
			return -E2BIG;
		s.argv = argv;
		s.cwd = b->base;
	}
	err = hproc_run(&s, &r);
	if (err < 0) {
		snprintf(why, len, "cannot run /bin/sh: %s", strerror(-err));
		return err;
	}
	if (r.signaled || r.status) {
		char d[200];

		describe_failure(&r, errf, d, sizeof(d));
		snprintf(why, len, "preparing the working directory: %s", d);
		return -EIO;
	}
	return 0;
}

void bench_cell_add(struct bench_cell *c, double v)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		double *p = realloc(c->v, cap * sizeof(*p));

		if (!p)
			return;
		c->v = p;
		c->cap = cap;
	}
	c->v[c->n++] = v;
}

static void job_set(struct bench_ctx *b, const struct bench_job *j, size_t col,
		    enum bench_cell_state st, const char *why)
{
	for (int k = 0; k < j->nrows; k++) {
		struct bench_cell *c = &b->res->rows[j->row0 + (size_t)k].cell[col];

		c->state = st;
		snprintf(c->why, sizeof(c->why), "%s", why);
	}
}

static void job_fail(struct bench_ctx *b, const struct bench_job *j, size_t col, const char *why)
{
	job_set(b, j, col, BC_FAILED, why);
}

/* Did the program say ENOSYS? Under translate mode that is a syscall lxrun lacks. */
static bool said_enosys(const char *errfile)
{
	char line[512];
	bool hit = false;
	FILE *f = fopen(errfile, "re");

	while (f && !hit && fgets(line, sizeof(line), f))
		hit = strstr(line, "Function not implemented") != NULL;
	if (f)
		fclose(f);
	return hit;
}

static void out_path(struct bench_ctx *b, size_t job, size_t col, const char *ext, char *out)
{
	snprintf(out, PATH_MAX, "%s/out/%zu.%zu.%s", b->base, job, col, ext);
}

/* Values of "KEY NUMBER" lines in a helper's stdout. */
static int parse_keys(const char *path, const struct bench_job *j, double *v)
{
	FILE *f = fopen(path, "re");
	char line[256], key[64];
	double x;
	int found = 0;

	for (int k = 0; k < j->nkeys; k++)
		v[k] = -1;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lf", key, &x) != 2)
			continue;
		for (int k = 0; k < j->nkeys; k++)
			if (!strcmp(key, j->keys[k]) && v[k] < 0) {
				v[k] = x;
				found++;
			}
	}
	if (f)
		fclose(f);
	return found;
}

static bool cell_open(const struct bench_ctx *b, const struct bench_job *j, size_t col)
{
	enum bench_cell_state s = b->res->rows[j->row0].cell[col].state;

	return s == BC_PENDING || s == BC_OK;
}

static void run_one(struct bench_ctx *b, size_t ji, size_t col, int rep, int nrep)
{
	struct bench_job *j = &b->jobs[ji];
	const struct hcol *c = &b->res->cols[col];
	struct bench_progress p = {.ev = BE_RUN,
				   .label = j->label,
				   .col = c,
				   .col_index = (int)col,
				   .rep = rep,
				   .nrep = nrep};
	char *argv[HCOL_ARGV_MAX], outf[PATH_MAX], errf[PATH_MAX], why[256];
	struct hproc_spec s = {.env = bench_env(),
			       .timeout_ms = RUN_TIMEOUT_MS,
			       .sample_ms = SAMPLE_MS,
			       .cancel = b->cancel};
	struct hproc_result r;
	int err;

	p.done = b->done++;
	p.total = b->total;
	if (b->progress)
		b->progress(&p, b->pctx);
	if (j->pre[0] && bench_setup_sh(b, col, j->pre, why, sizeof(why)) < 0) {
		job_fail(b, j, col, why);
		return;
	}
	if (hcol_argv(c, &b->env, j->argv, argv, HCOL_ARGV_MAX) < 0) {
		job_fail(b, j, col, "command line too long");
		return;
	}
	out_path(b, ji, col, "out", outf);
	out_path(b, ji, col, "err", errf);
	s.argv = argv;
	s.cwd = hcol_in_guest_dir(c) ? b->base : b->coldir[col];
	s.stdout_path = outf;
	s.stderr_path = errf;
	if (c->kind == HCOL_VM) {
		memcpy(s.watch, b->vm_pids, sizeof(s.watch));
		s.nwatch = b->nvm_pids;
	}
	err = hproc_run(&s, &r);
	if (r.cancelled)
		return;
	if (err < 0) {
		snprintf(why, sizeof(why), "cannot run %s: %s", argv[0], strerror(-err));
		job_fail(b, j, col, why);
		return;
	}
	if (r.signaled || r.status || r.timed_out) {
		describe_failure(&r, errf, why, sizeof(why));
		if (c->kind == HCOL_TRANSLATE && said_enosys(errf))
			job_set(b, j, col, BC_UNSUPPORTED, why);
		else
			job_fail(b, j, col, why);
		return;
	}
	if (rep < 0)
		return; /* the warm-up counts for nothing but its failure */
	j->spent_ns[col] += (double)r.wall_ns;
	if (j->nkeys) {
		double v[JOB_KEYS];

		parse_keys(outf, j, v);
		for (int k = 0; k < j->nkeys; k++) {
			if (v[k] < 0) {
				snprintf(why, sizeof(why), "no '%s' figure in the output",
					 j->keys[k]);
				job_fail(b, j, col, why);
				return;
			}
		}
		for (int k = 0; k < j->nkeys; k++)
			bench_cell_add(&b->res->rows[j->row0 + (size_t)k].cell[col], v[k]);
	} else {
		bench_cell_add(&b->res->rows[j->row0].cell[col], (double)r.wall_ns);
	}
	for (int k = 0; k < j->nrows; k++) {
		struct bench_cell *cell = &b->res->rows[j->row0 + (size_t)k].cell[col];

		if (r.peak_kib > cell->peak_kib)
			cell->peak_kib = r.peak_kib;
	}
}

static int files_equal(const char *a, const char *b, long *la, long *lb)
{
	FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
	int eq = fa && fb, ca, cb;

	*la = *lb = 0;
	while (eq) {
		ca = fgetc(fa);
		cb = fgetc(fb);
		if (ca != cb)
			eq = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa) {
		fseek(fa, 0, SEEK_END);
		*la = ftell(fa);
		fclose(fa);
	}
	if (fb) {
		fseek(fb, 0, SEEK_END);
		*lb = ftell(fb);
		fclose(fb);
	}
	return eq;
}

/* After a round, each column's output must be native's (native is column 0). */
static void check_round(struct bench_ctx *b, size_t ji)
{
	struct bench_job *j = &b->jobs[ji];
	char ref[PATH_MAX], out[PATH_MAX], why[256];
	long la, lb;

	if (!j->check_output || b->res->rows[j->row0].cell[0].state == BC_FAILED)
		return;
	out_path(b, ji, 0, "out", ref);
	for (size_t col = 1; col < b->res->ncols; col++) {
		struct bench_cell *cell = &b->res->rows[j->row0].cell[col];

		if (!cell_open(b, j, col) || !cell->n)
			continue;
		out_path(b, ji, col, "out", out);
		if (files_equal(ref, out, &la, &lb)) {
			cell->output_checked = true;
			continue;
		}
		snprintf(why, sizeof(why),
			 "output differs from native's (%ld bytes, native %ld): %s", lb, la, out);
		job_fail(b, j, col, why);
	}
}

static void cells_done(struct bench_ctx *b, size_t ji)
{
	struct bench_job *j = &b->jobs[ji];

	for (int k = 0; k < j->nrows; k++) {
		struct bench_row *row = &b->res->rows[j->row0 + (size_t)k];

		for (size_t col = 0; col < b->res->ncols; col++) {
			struct bench_cell *cell = &row->cell[col];
			struct bench_progress p = {.ev = BE_CELL,
						   .row = row,
						   .col_index = (int)col,
						   .col = &b->res->cols[col]};

			if (cell->state == BC_PENDING && cell->n)
				cell->state = BC_OK;
			if (b->progress && b->res->cols[col].state == HCOL_OK)
				b->progress(&p, b->pctx);
		}
	}
}

static unsigned int job_reps(const struct bench_ctx *b, const struct bench_job *j)
{
	return j->short_rep ? b->o->sz.repeats_short : b->o->sz.repeats;
}

static void run_jobs(struct bench_ctx *b)
{
	size_t ncols = b->res->ncols;

	for (size_t ji = 0; ji < b->njobs; ji++) {
		struct bench_job *j = &b->jobs[ji];
		int nrep = (int)job_reps(b, j);

		/* interleaved: every column once per round, starting one further each round so
		 * that no column always runs right after the same neighbour */
		for (int rep = b->o->sz.warmup ? -1 : 0; rep < nrep; rep++) {
			for (size_t k = 0; k < ncols; k++) {
				size_t col = (k + (size_t)(rep + 1)) % ncols;

				if (b->cancel && *b->cancel)
					return;
				if (b->res->cols[col].state != HCOL_OK || !cell_open(b, j, col))
					continue;
				/* a slow cell (the VM under TCG) stops at 3 runs past its budget */
				if (rep >= 3 && j->spent_ns[col] > b->o->sz.cell_s * 1e9)
					continue;
				run_one(b, ji, col, rep, nrep);
			}
			if (rep >= 0)
				check_round(b, ji);
		}
		cells_done(b, ji);
	}
}

static void probe_columns(struct bench_ctx *b)
{
	struct bench_result *r = b->res;

	for (size_t c = 0; c < r->ncols; c++) {
		struct bench_progress p = {
			.ev = BE_COLUMN, .col = &r->cols[c], .col_index = (int)c};
		const char *slash = strchr(r->cols[c].name, '/');

		snprintf(b->coldir[c], PATH_MAX, "%s/%s%s%s", b->base, slash ? "" : r->cols[c].name,
			 slash ? r->cols[c].name : "", "");
		for (char *q = b->coldir[c] + strlen(b->base) + 1; *q; q++)
			if (*q == '/')
				*q = '-';
		if (b->cancel && *b->cancel)
			return;
		if (r->cols[c].kind == HCOL_VM && !b->env.vm_started)
			bench_say(b, "starting a private VM (state in %s)", b->env.state_dir);
		hcol_probe(&r->cols[c], &b->env);
		/* a peer that cannot run here is the peer's business: skipped, not failed */
		if (r->cols[c].kind == HCOL_PEER && r->cols[c].state == HCOL_FAILED)
			r->cols[c].state = HCOL_SKIPPED;
		if (b->progress)
			b->progress(&p, b->pctx);
	}
	if (b->env.vm_started) {
		char v[6][128];
		const char *s = b->env.vm_status;

		b->nvm_pids = hcol_vm_pids(&b->env, b->vm_pids, HPROC_MAX_WATCH);
		snprintf(r->vm_desc, sizeof(r->vm_desc),
			 "accel %s; root share %s; 9p %s; virtio-fs cache %s; %s MiB, %s CPUs",
			 hcol_status_get(s, "accel", v[0], sizeof(v[0])),
			 hcol_status_get(s, "root", v[1], sizeof(v[1])),
			 hcol_status_get(s, "share_9p", v[2], sizeof(v[2])),
			 hcol_status_get(s, "virtiofs", v[3], sizeof(v[3])),
			 hcol_status_get(s, "mem_mb", v[4], sizeof(v[4])),
			 hcol_status_get(s, "cpus", v[5], sizeof(v[5])));
		hcol_status_get(s, "accel", r->host.accel, sizeof(r->host.accel));
		hcol_status_get(s, "accel_why", r->host.accel_why, sizeof(r->host.accel_why));
	}
}

static int select_columns(struct bench_ctx *b, char *why, size_t len)
{
	struct hcol all[HCOL_MAX];
	size_t n = hcol_catalog(all, HCOL_MAX);
	int err = 0;

	if (b->o->columns)
		err = hcol_select(all, n, b->o->columns, why, len);
	if (err)
		return err;
	all[0].selected = true; /* ratios are to native */
	for (size_t i = 0; i < n; i++)
		if (all[i].selected)
			b->res->cols[b->res->ncols++] = all[i];
	return 0;
}

static void count(struct bench_result *r)
{
	for (size_t i = 0; i < r->nrows; i++)
		for (size_t c = 0; c < r->ncols; c++) {
			enum bench_cell_state s = r->rows[i].cell[c].state;

			if (s == BC_OK)
				r->passed++;
			else if (s == BC_SKIPPED || s == BC_NA)
				r->skipped += s == BC_SKIPPED;
			else if (s == BC_UNSUPPORTED)
				r->unsupported++;
			else if (s == BC_FAILED && r->cols[c].kind == HCOL_PEER)
				r->peer_failed++;
			else if (s == BC_FAILED)
				r->failed++;
			if (r->rows[i].cell[c].peak_kib > r->col_peak_kib[c])
				r->col_peak_kib[c] = r->rows[i].cell[c].peak_kib;
		}
}

static unsigned int total_runs(struct bench_ctx *b)
{
	unsigned int usable = 0, t = 0;

	for (size_t c = 0; c < b->res->ncols; c++)
		usable += b->res->cols[c].state == HCOL_OK;
	for (size_t j = 0; j < b->njobs; j++)
		t += (job_reps(b, &b->jobs[j]) + b->o->sz.warmup) * usable;
	if (b->o->families & (1u << BF_VM))
		t += b->o->sz.repeats;
	return t;
}

int bench_run(const struct bench_opts *o, const char *lxrun, volatile int *cancel,
	      bench_progress_fn progress, void *ctx, struct bench_result *res, char *why,
	      size_t whylen)
{
	struct bench_ctx *b = calloc(1, sizeof(*b));
	struct timespec t0, t1;
	int err;

	if (!b)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	res->opts = *o;
	b->res = res;
	b->o = &res->opts;
	b->cancel = cancel;
	b->progress = progress;
	b->pctx = ctx;
	b->env.cancel = cancel;
	snprintf(b->env.lxrun, sizeof(b->env.lxrun), "%s", lxrun);
	err = select_columns(b, why, whylen);
	if (!err)
		err = bench_helpers_find(b, lxrun, why, whylen);
	if (!err)
		err = bench_workdir_make(b, why, whylen);
	if (err)
		goto out_free;
	snprintf(b->env.state_dir, sizeof(b->env.state_dir), "%s/vm-state", b->base);
	snprintf(b->env.guest_dir, sizeof(b->env.guest_dir), "/mnt/lxrun-disk/%s",
		 strrchr(b->base, '/') + 1);
	hhost_describe(&res->host, b->env.state_dir);
	probe_columns(b);
	err = bench_inputs_make(b, why, whylen);
	if (!err)
		err = bench_jobs_make(b, why, whylen);
	if (err)
		goto out;
	for (size_t c = 0; c < res->ncols && !(cancel && *cancel); c++) {
		char cwhy[HCOL_WHY];

		if (res->cols[c].state != HCOL_OK || !b->njobs)
			continue;
		if (bench_column_prepare(b, c, cwhy, sizeof(cwhy)) < 0) {
			res->cols[c].state = HCOL_FAILED;
			snprintf(res->cols[c].why, sizeof(res->cols[c].why), "%s", cwhy);
			for (size_t j = 0; j < b->njobs; j++)
				job_fail(b, &b->jobs[j], c, cwhy);
		}
	}
	b->total = total_runs(b);
	run_jobs(b);
	if ((o->families & (1u << BF_VM)) && !(cancel && *cancel))
		bench_vm_family(b);
out:
	if (b->env.vm_started)
		hcol_vm_stop(&b->env);
	if (!o->keep)
		bench_workdir_remove(b);
	count(res);
	res->interrupted = cancel && *cancel;
out_free:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	free(b->jobs);
	free(b);
	return err;
}

void bench_result_free(struct bench_result *res)
{
	for (size_t i = 0; i < res->nrows; i++)
		for (size_t c = 0; c < HCOL_MAX; c++)
			free(res->rows[i].cell[c].v);
	free(res->rows);
	res->rows = NULL;
	res->nrows = 0;
}

int bench_cell_stats(const struct bench_cell *c, struct hstats *st)
{
	if (!c->n)
		return -ENODATA;
	return hstats_compute(c->v, c->n, st);
}

double bench_cell_ratio(const struct bench_result *r, const struct bench_row *row, size_t col)
{
	struct hstats a, n;

	if (bench_cell_stats(&row->cell[col], &a) < 0 || bench_cell_stats(&row->cell[0], &n) < 0)
		return 0;
	if (row->cell[col].state != BC_OK || row->cell[0].state != BC_OK)
		return 0;
	return hstats_ratio(a.median, n.median);
}
