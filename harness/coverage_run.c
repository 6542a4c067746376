/* SPDX-License-Identifier: MIT */
/* harness: runs every test of a coverage suite in every column, N at a time, into the matrix. */
#include "harness/coverage_run.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/proc.h"

extern char **environ;

struct pool {
	struct cov_matrix *m;
	const struct cov_run_opts *o;
	pthread_mutex_t lock;
	size_t next, done, total;
	unsigned workers; /* numbers handed out: each worker has its own output files */
	char **envp;	    /* TMPDIR in the run's directory */
	char **envp_guest;  /* TMPDIR on the guest's disk, for the column working there */
	const size_t *only;	/* a rerun: these cells only, into again[] */
	struct cov_cell *again;
};

static char **env_with_tmpdir(const char *tmpdir)
{
	size_t n = 0, k = 0;
	char **e;

	while (environ[n])
		n++;
	e = calloc(n + 2, sizeof(*e));
	if (!e)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "TMPDIR=", 7))
			e[k++] = environ[i];
	if (asprintf(&e[k], "TMPDIR=%s", tmpdir) < 0) {
		free(e);
		return NULL;
	}
	return e;
}

static void env_free(char **e)
{
	if (!e)
		return;
	for (char **v = e; *v; v++)
		if (!strncmp(*v, "TMPDIR=", 7))
			free(*v);
	free(e);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	if (!f)
		return NULL;
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		return NULL;
	}
	*len = (size_t)n;
	return text;
}

/* A test without ok / not ok lines is one check: its exit status. */
static void synth_check(struct cov_cell *cell)
{
	struct cov_check *k = calloc(1, sizeof(*k));

	if (!k)
		return;
	k->name = strdup(COV_EXIT_CHECK);
	k->st = cov_cell_status(cell);
	if (k->st == COV_MISS)
		k->st = COV_FAIL;
	if (k->st == COV_FAIL && cell->timed_out)
		k->detail = strdup("timeout");
	else if (k->st == COV_FAIL && asprintf(&k->detail, "%s %d",
					       cell->signaled ? "killed by signal" : "exit status",
					       cell->status) < 0)
		k->detail = NULL;
	cell->checks = k;
	cell->nchecks = 1;
}

static void run_cell(struct pool *p, size_t idx, struct cov_cell *cell, unsigned worker)
{
	struct cov_matrix *m = p->m;
	size_t t = idx / m->ncols, c = idx % m->ncols;
	const struct hcol *col = m->cols[c];
	char *argv[HCOL_ARGV_MAX], out[4200], err[4200], tmp[4200];
	struct hproc_spec spec = {0};
	struct hproc_result res = {0};
	size_t len;
	char *text;
	int r;

	if (col->state != HCOL_OK) {
		snprintf(cell->why, sizeof(cell->why), "%s", col->why);
		return;
	}
	r = hcol_argv(col, p->o->env, m->suite->tests[t].argv, argv, HCOL_ARGV_MAX);
	if (r < 0) {
		snprintf(cell->why, sizeof(cell->why), "command too long");
		return;
	}
	snprintf(out, sizeof(out), "%s/w%u.out", p->o->workdir, worker);
	snprintf(err, sizeof(err), "%s/w%u.err", p->o->workdir, worker);
	snprintf(tmp, sizeof(tmp), "%s/tmp", p->o->workdir);
	spec.argv = argv;
	spec.cwd = tmp;
	/* vm/ext4's files are made on the guest's disk: the run's directory would be another
	 * column's share, or the guest's tmpfs, depending on what ran first */
	spec.env = hcol_in_guest_dir(col) ? p->envp_guest : p->envp;
	spec.stdout_path = out;
	spec.stderr_path = err;
	spec.timeout_ms = p->o->timeout_ms;
	spec.cancel = p->o->env->cancel;
	r = hproc_run(&spec, &res);
	if (r < 0) {
		snprintf(cell->why, sizeof(cell->why), "%s: %s", argv[0], strerror(-r));
		return;
	}
	cell->ran = true;
	cell->timed_out = res.timed_out;
	cell->signaled = res.signaled;
	cell->status = res.status;
	cell->wall_ns = res.wall_ns;
	text = slurp(out, &len);
	if (text && cov_tap_parse(text, len, &cell->checks, &cell->nchecks) > 0)
		cell->tap = true;
	else
		synth_check(cell);
	free(text);
}

static void *worker_main(void *arg)
{
	struct pool *p = arg;
	unsigned me;

	pthread_mutex_lock(&p->lock);
	me = p->workers++;
	pthread_mutex_unlock(&p->lock);
	for (;;) {
		size_t idx;

		pthread_mutex_lock(&p->lock);
		if (p->next == p->total || (p->o->env->cancel && *p->o->env->cancel)) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		idx = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (p->only)
			run_cell(p, p->only[idx], &p->again[idx], me);
		else
			run_cell(p, idx, &p->m->cells[idx], me);
		pthread_mutex_lock(&p->lock);
		p->done++;
		if (p->o->progress)
			p->o->progress(p->o->arg, p->done, p->total,
				       p->m->suite->tests[(p->only ? p->only[idx] : idx) /
							  p->m->ncols].name,
				       p->m->cols[(p->only ? p->only[idx] : idx) % p->m->ncols]->name);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

int cov_matrix_init(struct cov_matrix *m, const struct cov_suite *s)
{
	m->suite = s;
	m->cells = calloc(s->n * (m->ncols ? m->ncols : 1), sizeof(*m->cells));
	return m->cells ? 0 : -ENOMEM;
}

void cov_matrix_free(struct cov_matrix *m)
{
	for (size_t i = 0; m->cells && i < m->suite->n * m->ncols; i++)
		cov_checks_free(m->cells[i].checks, m->cells[i].nchecks);
	free(m->cells);
	m->cells = NULL;
}

static int run_pool(struct pool *p)
{
	const struct cov_run_opts *o = p->o;
	pthread_t th[COV_MAX_JOBS];
	unsigned jobs = o->jobs < 1 ? 1 : o->jobs > COV_MAX_JOBS ? COV_MAX_JOBS : o->jobs;
	char tmp[4200];
	int r = 0;

	snprintf(tmp, sizeof(tmp), "%s/tmp", o->workdir);
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	p->envp = env_with_tmpdir(tmp);
	p->envp_guest = env_with_tmpdir(o->env->guest_dir[0] ? o->env->guest_dir : tmp);
	if (!p->envp || !p->envp_guest) {
		env_free(p->envp);
		env_free(p->envp_guest);
		return -ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	for (unsigned i = 0; i < jobs; i++) {
		r = -pthread_create(&th[i], NULL, worker_main, p);
		if (r) {
			jobs = i;
			break;
		}
	}
	for (unsigned i = 0; i < jobs; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p->lock);
	env_free(p->envp);
	env_free(p->envp_guest);
	if (o->env->cancel && *o->env->cancel)
		return -EINTR;
	return r;
}

int cov_run(struct cov_matrix *m, const struct cov_run_opts *o)
{
	struct pool p = {.m = m, .o = o, .total = m->suite->n * m->ncols};

	return run_pool(&p);
}

/* A check that failed (or never printed) in the first run and passed in a rerun is ok, and
 * marked flaky; checks the rerun printed that the first run never did are added likewise. */
static int merge_rerun(struct cov_cell *cell, const struct cov_cell *again)
{
	for (size_t i = 0; i < again->nchecks; i++) {
		const struct cov_check *a = &again->checks[i];
		struct cov_check *k = NULL;

		if (a->st != COV_OK)
			continue;
		for (size_t j = 0; j < cell->nchecks && !k; j++)
			if (!strcmp(cell->checks[j].name, a->name))
				k = &cell->checks[j];
		if (!k) {
			struct cov_check *nk = realloc(cell->checks,
						       (cell->nchecks + 1) * sizeof(*nk));

			if (!nk)
				return -ENOMEM;
			cell->checks = nk;
			k = &nk[cell->nchecks++];
			*k = (struct cov_check){.name = strdup(a->name), .st = COV_MISS};
			if (!k->name)
				return -ENOMEM;
		}
		if (k->st == COV_OK)
			continue;
		k->st = COV_OK;
		k->flaky = true;
	}
	return 0;
}

int cov_rerun(struct cov_matrix *m, const struct cov_run_opts *o, const size_t *cells, size_t n)
{
	struct cov_cell *again = calloc(n ? n : 1, sizeof(*again));
	struct pool p = {.m = m, .o = o, .total = n, .only = cells, .again = again};
	int r;

	if (!again)
		return -ENOMEM;
	r = run_pool(&p);
	for (size_t i = 0; i < n; i++) {
		if (!r && again[i].ran)
			r = merge_rerun(&m->cells[cells[i]], &again[i]);
		cov_checks_free(again[i].checks, again[i].nchecks);
	}
	free(again);
	return r;
}
