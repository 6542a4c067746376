/* SPDX-License-Identifier: MIT */
/* lxrun bench: options, progress line, Ctrl-C, and the reports (terminal, JSON, markdown, plots).
 */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/bench.h"
#include "harness/report.h"
#include "harness/stats.h"

static volatile int interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

static void usage(FILE *o)
{
	struct hcol cols[HCOL_MAX];
	size_t n = hcol_catalog(cols, HCOL_MAX);

	fputs("usage: lxrun bench [OPTIONS] [FAMILY...]\n"
	      "\n"
	      "Runs each workload of the chosen families (default: all) in every column this\n"
	      "machine can run, interleaved (each round runs every column once), on the same\n"
	      "generated inputs, and prints the median, min, max and ratio to native of each.\n"
	      "A column that cannot run here is shown as skipped, with the reason.\n"
	      "\n"
	      "Families:\n",
	      o);
	for (int i = 0; i < BF_COUNT; i++)
		fprintf(o, "  %-9s %s\n", bench_family_names[i], bench_family_what[i]);
	fputs("  all       every family\n\nColumns:\n", o);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "  %-18s %s\n", cols[i].name, cols[i].what);
	fputs("\nOptions:\n"
	      "  --columns LIST     only these columns (comma-separated; 'vm/' means all vm\n"
	      "                     columns); native is always measured\n"
	      "  --quick            every workload once, at tiny sizes: proves it works\n"
	      "  --repeats N        timed runs per cell (default 5; 11 for short workloads)\n"
	      "  --cell-seconds S   a cell stops repeating once its runs took S seconds, after\n"
	      "                     3 runs at least (default 60: the VM under TCG is slow)\n"
	      "  --json FILE        the results, one object per cell\n"
	      "  --markdown FILE    the results as markdown tables\n"
	      "  --plot DIR         one PNG chart per family (ratio to native, log scale;\n"
	      "                     needs gnuplot: Debian package gnuplot-nox)\n"
	      "  --dir DIR          make the work directory in DIR (default $TMPDIR, else\n"
	      "                     /var/tmp); the fs family measures that file system\n"
	      "  --keep             keep the work directory\n"
	      "  --text-mb N        text file size (default 50)\n"
	      "  --files N          small files (default 1000)\n"
	      "  --seq-mb N         sequential write/read size (default 256; choose more than\n"
	      "                     the RAM to get past the page cache)\n"
	      "  --tree-files N     files in the source tree (default 500)\n"
	      "  --build-files N    C files in the make project (default 12)\n"
	      "  --helpers DIR      where syscall_loop, fsbench, gentext, gentree are\n"
	      "                     (default: BUILD/bench next to lxrun)\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "The VM columns use a private VM (its own state directory in the work directory),\n"
	      "stopped at the end; the user's VM is not touched. Peers are Debian packages:\n"
	      "bash bench/setup-peers.sh installs them.\n"
	      "\n"
	      "Exit status: 0 when every cell that could run ran (and text outputs matched\n"
	      "native's), 1 otherwise, 125 for a usage error, 130 when interrupted.\n",
	      o);
}

struct progress_state {
	bool tty;
	size_t width;
};

static void progress(const struct bench_progress *p, void *ctx)
{
	struct progress_state *ps = ctx;
	char med[32];

	switch (p->ev) {
	case BE_MESSAGE:
		if (ps->tty)
			fprintf(stderr, "\r\033[K");
		fprintf(stderr, "bench: %s\n", p->text);
		break;
	case BE_COLUMN:
		if (ps->tty)
			fprintf(stderr, "\r\033[K");
		fprintf(stderr, "bench: column %-18s %s%s\n", p->col->name,
			p->col->state == HCOL_OK	? "ok"
			: p->col->state == HCOL_SKIPPED ? "skipped: "
							: "FAILED: ",
			p->col->why);
		break;
	case BE_RUN:
		if (!ps->tty)
			break;
		fprintf(stderr, "\r\033[K[%u/%u] %s  %s  %s%d/%d", p->done + 1, p->total, p->label,
			p->col->name, p->rep < 0 ? "warm-up " : "run ", p->rep < 0 ? 1 : p->rep + 1,
			p->rep < 0 ? 1 : p->nrep);
		break;
	case BE_CELL: {
		const struct bench_cell *c = &p->row->cell[p->col_index];
		struct hstats st;

		if (ps->tty)
			break;
		if (c->state == BC_OK && bench_cell_stats(c, &st) == 0) {
			hstats_fmt_time(st.median, med, sizeof(med));
			fprintf(stderr, "bench: %s: %s: %s (%zu runs)\n", p->row->name,
				p->col->name, med, st.n);
		} else {
			fprintf(stderr, "bench: %s: %s: %s %s\n", p->row->name, p->col->name,
				bench_cell_state_names[c->state], c->why);
		}
		break;
	}
	}
}

static int write_file(const char *path, const struct bench_result *r,
		      void (*fn)(FILE *, const struct bench_result *))
{
	FILE *f = fopen(path, "we");

	if (!f) {
		cli_err("%s: %s", path, strerror(errno));
		return -1;
	}
	fn(f, r);
	if (fclose(f) != 0) {
		cli_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct progress_state ps = {.tty = isatty(2)};
	struct bench_opts o;
	struct bench_result res;
	struct sigaction sa = {.sa_handler = on_sigint};
	char why[512], self[PATH_MAX];
	ssize_t n;
	int rc, status = 0;

	rc = bench_opts_parse(argc, argv, &o, why, sizeof(why));
	if (rc == 1) {
		usage(stdout);
		return 0;
	}
	if (rc < 0) {
		cli_err("bench: %s (lxrun bench --help)", why);
		return 125;
	}
	if (o.columns) {
		struct hcol cols[HCOL_MAX];
		size_t nc = hcol_catalog(cols, HCOL_MAX);

		if (hcol_select(cols, nc, o.columns, why, sizeof(why)) < 0) {
			size_t len = strlen(why);

			len += (size_t)snprintf(why + len, sizeof(why) - len, "; valid:");
			for (size_t i = 0; i < nc && len < sizeof(why); i++)
				len += (size_t)snprintf(why + len, sizeof(why) - len, " %s",
							cols[i].name);
			cli_err("bench: %s", why);
			return 125;
		}
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		cli_err("bench: cannot find lxrun itself: %s", strerror(errno));
		return 1;
	}
	self[n] = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = bench_run(&o, self, &interrupted, progress, &ps, &res, why, sizeof(why));
	if (ps.tty)
		fprintf(stderr, "\r\033[K");
	if (rc < 0) {
		cli_err("bench: %s", why);
		bench_result_free(&res);
		return interrupted ? 130 : 1;
	}
	report_header(stdout, &res, false);
	report_table(stdout, &res);
	if (o.json && write_file(o.json, &res, report_json) < 0)
		status = 1;
	if (o.markdown && write_file(o.markdown, &res, report_markdown) < 0)
		status = 1;
	if (o.plot_dir) {
		int np = report_plot(&res, o.plot_dir, why, sizeof(why));

		if (np < 0) {
			cli_err("bench: --plot: %s", why);
			status = 1;
		} else {
			printf("\n%d chart%s in %s\n", np, np == 1 ? "" : "s", o.plot_dir);
		}
	}
	printf("\n%.0f s", res.seconds);
	if (res.peer_failed)
		printf("; %u cells of peer columns failed (shown above; they are the peers', not "
		       "counted)",
		       res.peer_failed);
	if (res.unsupported)
		printf("; %u cells need a syscall lxrun does not implement yet (ENOSYS: "
		       "counted as skipped)",
		       res.unsupported);
	printf("\n%u passed, %u failed, %u skipped\n", res.passed, res.failed,
	       res.skipped + res.unsupported);
	if (res.failed)
		status = 1;
	bench_result_free(&res);
	if (interrupted) {
		cli_err("bench: interrupted");
		return 130;
	}
	return status;
}
