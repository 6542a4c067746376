/* SPDX-License-Identifier: MIT */
/* lxrun coverage: options, suites, progress line, matrix and reports, baseline, the summary line. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "harness/coverage_run.h"
#include "harness/proc.h"

#define DEFAULT_COLUMNS "native,translate/rewrite,translate/sud,vm/9p"

static volatile int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *o)
{
	fputs("usage: lxrun coverage [OPTIONS] [SUITE...]\n"
	      "       lxrun coverage --needs PROGRAM [ARGS...]\n"
	      "\n"
	      "Runs a test suite natively, under each translate engine and in vm mode, and prints\n"
	      "a matrix of its checks x columns. A SUITE is `builtin` (default: the syscall\n"
	      "programs BUILD/tests/syscalls/syscall_prog_* next to lxrun), a file of lines\n"
	      "`NAME COMMAND ARGS...` (# comments, blank lines), or a directory of programs.\n"
	      "A test's result is its `ok NAME` / `not ok NAME: detail` lines (one check each),\n"
	      "or else its exit status: 0 pass, 77 skip, anything else fail.\n"
	      "\n"
	      "  --columns LIST     comma-separated (default " DEFAULT_COLUMNS ");\n"
	      "                     native, translate/rewrite, translate/sud, vm/9p, vm/virtiofs,\n"
	      "                     vm/ext4, qemu-user, proot, gvisor; a prefix like vm/ is all\n"
	      "  --timeout S        kill a test after S seconds (default 60): reported as timeout\n"
	      "  -j, --jobs N       run N tests at once (default 1)\n"
	      "  --baseline FILE    compare with FILE (`test check status [column]` lines; no\n"
	      "                     column means translate/rewrite); exit 1 on any regression,\n"
	      "                     a check ok in FILE and not ok now\n"
	      "  --rerun N          run a test again, up to N times (default 1), while it shows a\n"
	      "                     regression: a check that then passes is flaky (marked ~ and\n"
	      "                     listed), not a regression; 0 counts the first run only\n"
	      "  --update-baseline  write improvements and new checks into the --baseline FILE\n"
	      "                     (a regression is never written)\n"
	      "  --all              print every row of the matrix, not only those that differ\n"
	      "  --json FILE        the whole matrix with each failing check's detail\n"
	      "  --markdown FILE    totals and the rows that differ from native\n"
	      "  --needs PROGRAM    what PROGRAM uses (strace) against lxrun's support table\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "The last line is `coverage: C checks over S syscalls; native P/C; translate P/C;\n"
	      "vm P/C; regressions R` (S: check-name prefixes that are x86-64 syscall names).\n"
	      "Exit status: 0; 1 on regressions or when nothing could run; 125 on usage errors.\n",
	      o);
}

struct opts {
	const char *columns, *json, *markdown, *baseline;
	bool update, all;
	unsigned jobs, rerun;
	double timeout;
};

struct progress {
	bool tty;
};

static void progress(void *arg, size_t done, size_t total, const char *test, const char *col)
{
	struct progress *ps = arg;

	if (ps->tty)
		fprintf(stderr, "\r\033[K[%zu/%zu] %s in %s", done, total, test, col);
}

static int load_suite(struct cov_suite *s, const char *arg, const char *self, char *why,
		      size_t len)
{
	struct stat st;

	if (!strcmp(arg, "builtin")) {
		char dir[4200], copy[4096];


		snprintf(copy, sizeof(copy), "%s", self);
		snprintf(dir, sizeof(dir), "%s/tests/syscalls", dirname(copy));
		if (stat(dir, &st)) {
			snprintf(why, len,
				 "the built-in suite is not built: no %.400s (build lxrun with meson; "
				 "the programs are tests/syscalls/syscall_prog_*)",
				 dir);
			return -ENOENT;
		}
		return cov_suite_load_dir(s, dir, "syscall_prog_", why, len);
	}
	if (stat(arg, &st)) {
		snprintf(why, len, "%s: %s", arg, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode))
		return cov_suite_load_dir(s, arg, NULL, why, len);
	return cov_suite_load_file(s, arg, why, len);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"columns", required_argument, NULL, 'c'},  {"json", required_argument, NULL, 'J'},
		{"markdown", required_argument, NULL, 'M'}, {"baseline", required_argument, NULL, 'b'},
		{"update-baseline", no_argument, NULL, 'u'}, {"all", no_argument, NULL, 'a'},
		{"timeout", required_argument, NULL, 't'},  {"jobs", required_argument, NULL, 'j'},
		{"rerun", required_argument, NULL, 'R'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	char *end;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+j:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->columns = optarg; break;
		case 'J': o->json = optarg; break;
		case 'M': o->markdown = optarg; break;
		case 'b': o->baseline = optarg; break;
		case 'u': o->update = true; break;
		case 'a': o->all = true; break;
		case 't':
			o->timeout = strtod(optarg, &end);
			if (*end || o->timeout <= 0) {
				cli_err("coverage: --timeout wants seconds > 0, not '%s'", optarg);
				return -1;
			}
			break;
		case 'j':
			o->jobs = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o->jobs < 1 || o->jobs > COV_MAX_JOBS) {
				cli_err("coverage: -j wants 1..%d, not '%s'", COV_MAX_JOBS, optarg);
				return -1;
			}
			break;
		case 'R':
			o->rerun = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg || o->rerun > 10) {
				cli_err("coverage: --rerun wants 0..10, not '%s'", optarg);
				return -1;
			}
			break;
		case 'h': return 1;
		default:
			cli_err("coverage: unknown option or missing value '%s' (lxrun coverage --help)",
				argv[optind - 1]);
			return -1;
		}
	}
	if (o->update && !o->baseline) {
		cli_err("coverage: --update-baseline needs --baseline FILE");
		return -1;
	}
	return 0;
}

static int write_report(const char *path, const struct cov_matrix *m, const struct cov_baseline *b,
			void (*fn)(FILE *, const struct cov_matrix *, const struct cov_baseline *))
{
	FILE *f = fopen(path, "w");

	if (!f) {
		cli_err("coverage: %s: %s", path, strerror(errno));
		return -1;
	}
	fn(f, m, b);
	if (fclose(f)) {
		cli_err("coverage: %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void summary(const struct cov_matrix *m, unsigned regressions)
{
	struct cov_totals tot;
	const char *kinds[] = {"native", "translate", "vm"};
	enum hcol_kind kk[] = {HCOL_NATIVE, HCOL_TRANSLATE, HCOL_VM};
	int first[3] = {-1, -1, -1};

	cov_totals(m, &tot);
	for (size_t c = 0; c < m->ncols; c++) {
		for (int k = 0; k < 3; k++) {
			if (m->cols[c]->kind != kk[k] || m->cols[c]->state != HCOL_OK)
				continue;
			if (first[k] < 0)
				first[k] = (int)c;
			else
				printf("coverage: %s %u/%u\n", m->cols[c]->name, tot.pass[c],
				       tot.checks);
		}
		if (m->cols[c]->kind == HCOL_PEER && m->cols[c]->state == HCOL_OK)
			printf("coverage: %s %u/%u\n", m->cols[c]->name, tot.pass[c], tot.checks);
	}
	printf("coverage: %u checks over %u syscalls", tot.checks, tot.syscalls);
	for (int k = 0; k < 3; k++) {
		if (first[k] < 0)
			printf("; %s n/a", kinds[k]);
		else
			printf("; %s %u/%u", kinds[k], tot.pass[first[k]], tot.checks);
	}
	printf("; regressions %u\n", regressions);
}

/* The cells that show a regression now, run again: only what fails every time counts. */
static int rerun_regressions(struct cov_matrix *m, const struct cov_baseline *b,
			     const struct cov_run_opts *ro, unsigned round, unsigned rounds)
{
	size_t *cells = malloc(m->suite->n * m->ncols * sizeof(*cells)), n = 0;
	int r;

	if (!cells)
		return -ENOMEM;
	for (size_t t = 0; t < m->suite->n; t++) {
		const char **names;
		size_t nn = cov_check_names(m, t, &names);

		for (size_t c = 0; c < m->ncols; c++) {
			bool reg = false;

			if (!m->cells[t * m->ncols + c].ran)
				continue;
			for (size_t i = 0; i < nn && !reg; i++) {
				struct cov_check k = {.name = (char *)names[i]};

				reg = cov_judge(m, b, t, c, &k) == COV_V_REGRESSION;
			}
			if (reg)
				cells[n++] = t * m->ncols + c;
		}
		free(names);
	}
	if (n)
		fprintf(stderr, "coverage: %zu test run%s with a regression: running again (%u/%u)\n",
			n, n == 1 ? "" : "s", round, rounds);
	r = n ? cov_rerun(m, ro, cells, n) : 0;
	if (ro->arg && ((struct progress *)ro->arg)->tty)
		fputs("\r\033[K", stderr);
	free(cells);
	return r;
}

int cmd_coverage(int argc, char **argv)
{
	struct opts o = {.columns = DEFAULT_COLUMNS, .jobs = 1, .timeout = 60, .rerun = 1};
	struct hcol cols[HCOL_MAX];
	struct hcol_env env = {0};
	struct cov_suite suite = {0};
	struct cov_baseline base = {0};
	struct cov_matrix m = {0};
	struct cov_compare cmp = {0};
	struct progress ps = {.tty = isatty(2)};
	struct sigaction sa = {.sa_handler = on_signal};
	char why[COV_WHY], self[4096], work[] = "/tmp/lxrun-coverage-XXXXXX";
	size_t nc;
	ssize_t n;
	int r, status = 0;

	if (argc > 1 && !strcmp(argv[1], "--needs"))
		return cmd_coverage_needs(argc - 1, argv + 1);
	r = parse(argc, argv, &o);
	if (r) {
		if (r > 0)
			usage(stdout);
		return r > 0 ? 0 : 125;
	}
	nc = hcol_catalog(cols, HCOL_MAX);
	if (hcol_select(cols, nc, o.columns, why, sizeof(why)) < 0) {
		cli_err("coverage: --columns: %s (lxrun coverage --help)", why);
		return 125;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		cli_err("coverage: cannot find lxrun itself: %s", strerror(errno));
		return 1;
	}
	self[n] = 0;
	for (int i = optind; i < argc || i == optind; i++) {
		r = load_suite(&suite, i < argc ? argv[i] : "builtin", self, why, sizeof(why));
		if (r < 0) {
			cli_err("coverage: %s", why);
			cov_suite_free(&suite);
			return 1;
		}
		if (i >= argc)
			break;
	}
	if (o.baseline && access(o.baseline, F_OK) == 0 &&
	    cov_baseline_load(&base, o.baseline, why, sizeof(why)) < 0) {
		cli_err("coverage: %s", why);
		goto fail;
	} else if (o.baseline && !o.update && access(o.baseline, F_OK)) {
		cli_err("coverage: %s: %s", o.baseline, strerror(ENOENT));
		goto fail;
	}
	if (!mkdtemp(work)) {
		cli_err("coverage: cannot make a scratch directory: %s", strerror(errno));
		goto fail;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	env.cancel = &interrupted;
	snprintf(env.lxrun, sizeof(env.lxrun), "%s", self);
	snprintf(env.state_dir, sizeof(env.state_dir), "%s/vm", work);
	snprintf(env.guest_dir, sizeof(env.guest_dir), "/mnt/lxrun-disk/coverage-%d", getpid());
	for (size_t c = 0; c < nc; c++) {
		if (!cols[c].selected)
			continue;
		if (cols[c].kind == HCOL_VM && !env.vm_started)
			fprintf(stderr, "coverage: starting a private VM (state in %s)\n",
				env.state_dir);
		if (hcol_probe(&cols[c], &env) < 0)
			fprintf(stderr, "coverage: %s skipped: %s\n", cols[c].name, cols[c].why);
		m.cols[m.ncols++] = &cols[c];
	}
	fprintf(stderr, "coverage: %zu tests x %zu columns, -j %u, timeout %g s\n", suite.n,
		m.ncols, o.jobs, o.timeout);
	if (cov_matrix_init(&m, &suite) < 0) {
		cli_err("coverage: out of memory");
		goto stop;
	}
	{
		struct cov_run_opts ro = {.env = &env, .workdir = work, .jobs = o.jobs,
					  .timeout_ms = (uint64_t)(o.timeout * 1000),
					  .progress = progress, .arg = &ps};

		r = cov_run(&m, &ro);
		for (unsigned round = 1; r == 0 && o.baseline && round <= o.rerun; round++)
			r = rerun_regressions(&m, &base, &ro, round, o.rerun);
	}
	if (ps.tty)
		fputs("\r\033[K", stderr);
	if (r < 0) {
		cli_err("coverage: %s", r == -EINTR ? "interrupted" : strerror(-r));
		status = r == -EINTR ? 130 : 1;
		goto stop;
	}
	cov_report_matrix(stdout, &m, o.baseline ? &base : NULL, o.all);
	cov_compare(&m, o.baseline ? &base : NULL, &cmp);
	if (o.baseline)
		printf("baseline %s: %u regressions, %u improvements, %u new, %u known gaps, "
		       "%u flaky\n",
		       o.baseline, cmp.regressions, cmp.improvements, cmp.fresh, cmp.known,
		       cmp.flaky);
	if (o.json && write_report(o.json, &m, o.baseline ? &base : NULL, cov_report_json) < 0)
		status = 1;
	if (o.markdown &&
	    write_report(o.markdown, &m, o.baseline ? &base : NULL, cov_report_markdown) < 0)
		status = 1;
	if (o.update) {
		FILE *f;

		if (cov_baseline_update(&m, &base) < 0 || !(f = fopen(o.baseline, "w"))) {
			cli_err("coverage: %s: %s", o.baseline, strerror(errno));
			status = 1;
		} else {
			cov_baseline_write(&base, f);
			if (fclose(f))
				status = 1;
			printf("baseline %s: recorded %u improvements and %u new checks\n",
			       o.baseline, cmp.improvements, cmp.fresh);
		}
	}
	summary(&m, cmp.regressions);
	if (cmp.regressions)
		status = 1;
stop:
	if (env.vm_started)
		hcol_vm_stop(&env);
	{
		char *rm[] = {"rm", "-rf", work, NULL};
		char out[256];

		hproc_capture(rm, "/", 60000, out, sizeof(out));
	}
	cov_matrix_free(&m);
	cov_suite_free(&suite);
	cov_baseline_free(&base);
	return status;
fail:
	cov_suite_free(&suite);
	cov_baseline_free(&base);
	return 1;
}
