/* SPDX-License-Identifier: MIT */
/* harness: lxrun bench's reports: terminal table, JSON, markdown, gnuplot charts. */
#include "harness/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/json.h"
#include "harness/proc.h"
#include "harness/stats.h"

#define CELL_W 17
#define NAME_W 26

static bool shown(const struct bench_result *r, size_t c)
{
	return r->cols[c].state == HCOL_OK;
}

static bool family_present(const struct bench_result *r, int fam)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].fam == (enum bench_family)fam)
			return true;
	return false;
}

void report_header(FILE *f, const struct bench_result *r, bool md)
{
	const struct hhost *h = &r->host;
	const struct bench_sizes *sz = &r->opts.sz;
	char mem[32];
	const char *li = md ? "- " : "";

	hstats_fmt_kib((double)h->mem_kib, mem, sizeof(mem));
	fprintf(f, "%shost: %s, %d CPUs, %s RAM; %s; FSGSBASE %s\n", li, h->cpu, h->ncpu, mem,
		h->kernel, h->fsgsbase ? "yes" : "no");
	fprintf(f, "%saccelerator for the VM: %s (%s)\n", li, h->accel, h->accel_why);
	if (r->vm_desc[0])
		fprintf(f, "%sVM: %s\n", li, r->vm_desc);
	fprintf(f, "%slxrun %s, commit %s; %s\n", li, h->lxrun_version, h->lxrun_commit, h->date);
	fprintf(f,
		"%srepeats: %u (%u for short workloads; 3 at least once a cell took %u s)%s; "
		"text %u MiB; %u small files; "
		"sequential %u MiB (%s the page cache: RAM is %s); tree %u files; build %u "
		"files%s\n",
		li, sz->repeats, sz->repeats_short, sz->cell_s,
		sz->warmup ? " after 1 warm-up run" : "", sz->text_mb, sz->files, sz->seq_mb,
		(uint64_t)sz->seq_mb * 1024 > h->mem_kib ? "beyond" : "within", mem, sz->tree_files,
		sz->build_files, r->opts.quick ? " (--quick)" : "");
	fprintf(f,
		"%scolumns, interleaved (peak memory: the VmHWM of the command's processes summed,"
		" sampled every 10 ms%s):\n",
		li, r->vm_desc[0] ? "; vm adds QEMU's and virtiofsd's RSS" : "");
	for (size_t c = 0; c < r->ncols; c++) {
		const struct hcol *col = &r->cols[c];
		char pk[32] = "";

		if (r->col_peak_kib[c])
			hstats_fmt_kib((double)r->col_peak_kib[c], pk, sizeof(pk));
		fprintf(f, "%s  %-18s %s%s%s%s%s\n", md ? "  - " : "", col->name,
			col->state == HCOL_OK	     ? "ok"
			: col->state == HCOL_SKIPPED ? "skipped: "
						     : "FAILED: ",
			col->why, pk[0] ? "; peak memory " : "", pk, "");
	}
}

static void cell_text(const struct bench_result *r, const struct bench_row *row, size_t c,
		      char *med, char *range, size_t len)
{
	const struct bench_cell *cell = &row->cell[c];
	struct hstats st;
	char a[24], b[24];
	double ratio;

	range[0] = 0;
	if (cell->state != BC_OK || bench_cell_stats(cell, &st) < 0) {
		snprintf(med, len, "%s",
			 cell->state == BC_FAILED	 ? "FAILED"
			 : cell->state == BC_SKIPPED	 ? "skipped"
			 : cell->state == BC_UNSUPPORTED ? "ENOSYS"
			 : cell->state == BC_NA		 ? "-"
							 : "(not run)");
		return;
	}
	hstats_fmt_time(st.median, a, sizeof(a));
	ratio = bench_cell_ratio(r, row, c);
	if (c && ratio > 0)
		snprintf(med, len, "%s %.2fx", a, ratio);
	else
		snprintf(med, len, "%s", a);
	if (st.n > 1) {
		hstats_fmt_time(st.min, a, sizeof(a));
		hstats_fmt_time(st.max, b, sizeof(b));
		snprintf(range, len, "%s..%s", a, b);
	}
}

/* The largest peak of a family's cells in column c (KiB); 0 when none was sampled. */
static uint64_t family_peak(const struct bench_result *r, int fam, size_t c)
{
	uint64_t kib = 0;

	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].fam == (enum bench_family)fam && r->rows[i].cell[c].peak_kib > kib)
			kib = r->rows[i].cell[c].peak_kib;
	return kib;
}

static void peak_text(const struct bench_result *r, int fam, size_t c, char *out, size_t len)
{
	uint64_t kib = family_peak(r, fam, c);

	if (kib)
		hstats_fmt_kib((double)kib, out, len);
	else
		snprintf(out, len, "-");
}

static void failures(FILE *f, const struct bench_result *r, int fam, bool md)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		if (row->fam != (enum bench_family)fam)
			continue;
		for (size_t c = 0; c < r->ncols; c++)
			if (shown(r, c) &&
			    (row->cell[c].state == BC_FAILED || row->cell[c].state == BC_SKIPPED ||
			     row->cell[c].state == BC_UNSUPPORTED))
				fprintf(f, "%s%s, %s: %s%s\n", md ? "- " : "  ", row->name,
					r->cols[c].name,
					row->cell[c].state == BC_FAILED ? "FAILED: "
					: row->cell[c].state == BC_SKIPPED
						? "skipped: "
						: "unsupported (ENOSYS): ",
					row->cell[c].why);
	}
}

void report_table(FILE *f, const struct bench_result *r)
{
	char med[64], range[64];

	for (int fam = 0; fam < BF_COUNT; fam++) {
		if (!family_present(r, fam))
			continue;
		fprintf(f, "\n%-*s", NAME_W, bench_family_names[fam]);
		for (size_t c = 0; c < r->ncols; c++)
			if (shown(r, c))
				fprintf(f, " %*s", CELL_W, r->cols[c].name);
		fputc('\n', f);
		for (size_t i = 0; i < r->nrows; i++) {
			const struct bench_row *row = &r->rows[i];
			bool any_range = false;

			if (row->fam != (enum bench_family)fam)
				continue;
			fprintf(f, "  %-*.*s", NAME_W - 2, NAME_W - 2, row->name);
			for (size_t c = 0; c < r->ncols; c++) {
				if (!shown(r, c))
					continue;
				cell_text(r, row, c, med, range, sizeof(med));
				any_range |= range[0] != 0;
				fprintf(f, " %*s", CELL_W, med);
			}
			fputc('\n', f);
			if (!any_range)
				continue;
			fprintf(f, "  %-*s", NAME_W - 2,
				row->per_call ? "  per call, min..max" : "  min..max");
			for (size_t c = 0; c < r->ncols; c++) {
				if (!shown(r, c))
					continue;
				cell_text(r, row, c, med, range, sizeof(med));
				fprintf(f, " %*s", CELL_W, range);
			}
			fputc('\n', f);
		}
		fprintf(f, "  %-*s", NAME_W - 2, "peak memory");
		for (size_t c = 0; c < r->ncols; c++) {
			if (!shown(r, c))
				continue;
			peak_text(r, fam, c, med, sizeof(med));
			fprintf(f, " %*s", CELL_W, med);
		}
		fputc('\n', f);
		failures(f, r, fam, false);
	}
}

void report_markdown(FILE *f, const struct bench_result *r)
{
	char med[64], range[64];

	fprintf(f, "# lxrun bench\n\n");
	report_header(f, r, true);
	for (int fam = 0; fam < BF_COUNT; fam++) {
		if (!family_present(r, fam))
			continue;
		fprintf(f, "\n## %s\n\n%s. Median (min..max), ratio of medians to native.\n\n",
			bench_family_names[fam], bench_family_what[fam]);
		fprintf(f, "| workload |");
		for (size_t c = 0; c < r->ncols; c++)
			if (shown(r, c))
				fprintf(f, " %s |", r->cols[c].name);
		fprintf(f, "\n|---|");
		for (size_t c = 0; c < r->ncols; c++)
			if (shown(r, c))
				fprintf(f, "---|");
		fputc('\n', f);
		for (size_t i = 0; i < r->nrows; i++) {
			const struct bench_row *row = &r->rows[i];

			if (row->fam != (enum bench_family)fam)
				continue;
			fprintf(f, "| %s%s |", row->name, row->per_call ? " (per call)" : "");
			for (size_t c = 0; c < r->ncols; c++) {
				if (!shown(r, c))
					continue;
				cell_text(r, row, c, med, range, sizeof(med));
				if (range[0])
					fprintf(f, " %s (%s) |", med, range);
				else
					fprintf(f, " %s |", med);
			}
			fputc('\n', f);
		}
		fprintf(f, "| peak memory |");
		for (size_t c = 0; c < r->ncols; c++) {
			if (!shown(r, c))
				continue;
			peak_text(r, fam, c, med, sizeof(med));
			fprintf(f, " %s |", med);
		}
		fputs("\n\n", f);
		failures(f, r, fam, true);
	}
}

void report_json(FILE *f, const struct bench_result *r)
{
	const struct hhost *h = &r->host;
	int first = 1;

	fprintf(f, "{\n\"host\":{");
	hjson_key(f, "cpu", &first);
	hjson_str(f, h->cpu);
	hjson_key(f, "cpus", &first);
	fprintf(f, "%d", h->ncpu);
	hjson_key(f, "mem_kib", &first);
	fprintf(f, "%llu", (unsigned long long)h->mem_kib);
	hjson_key(f, "fsgsbase", &first);
	fputs(h->fsgsbase ? "true" : "false", f);
	hjson_key(f, "kernel", &first);
	hjson_str(f, h->kernel);
	hjson_key(f, "accel", &first);
	hjson_str(f, h->accel);
	hjson_key(f, "accel_why", &first);
	hjson_str(f, h->accel_why);
	hjson_key(f, "vm", &first);
	hjson_str(f, r->vm_desc);
	hjson_key(f, "lxrun_version", &first);
	hjson_str(f, h->lxrun_version);
	hjson_key(f, "lxrun_commit", &first);
	hjson_str(f, h->lxrun_commit);
	hjson_key(f, "date", &first);
	hjson_str(f, h->date);
	hjson_key(f, "quick", &first);
	fputs(r->opts.quick ? "true" : "false", f);
	fprintf(f,
		",\"repeats\":%u,\"repeats_short\":%u,\"warmup\":%s,\"text_mb\":%u,"
		"\"files\":%u,\"seq_mb\":%u,\"tree_files\":%u,\"build_files\":%u,"
		"\"cell_seconds\":%u,\"seconds\":%.1f,\"interrupted\":%s},\n\"columns\":[",
		r->opts.sz.repeats, r->opts.sz.repeats_short, r->opts.sz.warmup ? "true" : "false",
		r->opts.sz.text_mb, r->opts.sz.files, r->opts.sz.seq_mb, r->opts.sz.tree_files,
		r->opts.sz.build_files, r->opts.sz.cell_s, r->seconds,
		r->interrupted ? "true" : "false");
	for (size_t c = 0; c < r->ncols; c++) {
		static const char *const st[] = {"unprobed", "ok", "skipped", "failed"};

		first = 1;
		fprintf(f, "%s\n{", c ? "," : "");
		hjson_key(f, "column", &first);
		hjson_str(f, r->cols[c].name);
		hjson_key(f, "state", &first);
		hjson_str(f, st[r->cols[c].state]);
		hjson_key(f, "why", &first);
		hjson_str(f, r->cols[c].why);
		hjson_key(f, "peak_rss_kib", &first);
		fprintf(f, "%llu}", (unsigned long long)r->col_peak_kib[c]);
	}
	fprintf(f, "],\n\"cells\":[");
	first = 1;
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		for (size_t c = 0; c < r->ncols; c++) {
			const struct bench_cell *cell = &row->cell[c];
			struct hstats s = {0};
			bool have = bench_cell_stats(cell, &s) == 0;
			int fk = 1;

			fprintf(f, "%s\n{", first ? "" : ",");
			first = 0;
			hjson_key(f, "family", &fk);
			hjson_str(f, bench_family_names[row->fam]);
			hjson_key(f, "workload", &fk);
			hjson_str(f, row->name);
			hjson_key(f, "what", &fk);
			hjson_str(f, row->what);
			hjson_key(f, "column", &fk);
			hjson_str(f, r->cols[c].name);
			hjson_key(f, "state", &fk);
			hjson_str(f, bench_cell_state_names[cell->state]);
			hjson_key(f, "why", &fk);
			hjson_str(f, cell->why);
			hjson_key(f, "unit", &fk);
			hjson_str(f, row->per_call ? "ns/call" : "ns");
			fprintf(f, ",\"repeats\":%zu,\"median\":", cell->n);
			hjson_num(f, have ? s.median : NAN);
			fputs(",\"min\":", f);
			hjson_num(f, have ? s.min : NAN);
			fputs(",\"max\":", f);
			hjson_num(f, have ? s.max : NAN);
			fputs(",\"ratio\":", f);
			hjson_num(f, bench_cell_ratio(r, row, c) > 0 ? bench_cell_ratio(r, row, c)
								     : NAN);
			fprintf(f, ",\"output_checked\":%s,\"peak_rss_kib\":%llu,\"samples\":[",
				cell->output_checked ? "true" : "false",
				(unsigned long long)cell->peak_kib);
			for (size_t k = 0; k < cell->n; k++) {
				if (k)
					fputc(',', f);
				hjson_num(f, cell->v[k]);
			}
			fputs("]}", f);
		}
	}
	fprintf(f, "\n]}\n");
}

static int plot_family(const struct bench_result *r, int fam, const char *dir, char *why,
		       size_t len)
{
	char dat[PATH_MAX], gp[PATH_MAX], png[PATH_MAX], out[1024];
	char *argv[] = {"gnuplot", gp, NULL};
	size_t ncol = 0, nratio = 0;
	FILE *f;
	int rc;

	snprintf(dat, sizeof(dat), "%s/%s.dat", dir, bench_family_names[fam]);
	snprintf(gp, sizeof(gp), "%s/%s.gp", dir, bench_family_names[fam]);
	snprintf(png, sizeof(png), "%s/%s.png", dir, bench_family_names[fam]);
	f = fopen(dat, "we");
	if (!f)
		goto err;
	fprintf(f, "workload");
	for (size_t i = 0; i < r->nrows; i++)
		for (size_t c = 1; c < r->ncols; c++)
			nratio += r->rows[i].fam == (enum bench_family)fam &&
				  bench_cell_ratio(r, &r->rows[i], c) > 0;
	for (size_t c = 1; c < r->ncols; c++)
		if (shown(r, c)) {
			fprintf(f, "\t\"%s\"", r->cols[c].name);
			ncol++;
		}
	fputc('\n', f);
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bench_row *row = &r->rows[i];

		if (row->fam != (enum bench_family)fam)
			continue;
		fprintf(f, "\"%s\"", row->name);
		for (size_t c = 1; c < r->ncols; c++) {
			double x = bench_cell_ratio(r, row, c);

			if (!shown(r, c))
				continue;
			if (x > 0)
				fprintf(f, "\t%.4g", x);
			else
				fprintf(f, "\t-");
		}
		fputc('\n', f);
	}
	fclose(f);
	f = fopen(gp, "we");
	if (!f)
		goto err;
	fprintf(f,
		"set terminal pngcairo size 1400,700 font 'sans,10'\n"
		"set output '%s'\n"
		"set title 'lxrun bench: %s (ratio of medians to native; lower is faster)'\n"
		"set datafile missing '-'\n"
		"set style data histograms\n"
		"set style histogram clustered gap 1\n"
		"set style fill solid 0.85 border -1\n"
		"set logscale y 2\n"
		"set yrange [*<0.5:*]\n"
		"set grid ytics\n"
		"set ylabel 'time / native time (log scale)'\n"
		"set xtics rotate by -25 left noenhanced\n"
		"set key outside right top noenhanced\n"
		"set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 lc rgb "
		"'black'\n"
		"plot for [i=2:%zu] '%s' using i:xtic(1) title columnheader(i)\n",
		png, bench_family_names[fam], ncol + 1, dat);
	fclose(f);
	/* nothing to draw (the vm family has no native figure to divide by) */
	if (ncol == 0 || nratio == 0)
		return 0;
	rc = hproc_capture(argv, dir, 60000, out, sizeof(out));
	if (rc == -ENOENT) {
		snprintf(why, len, "gnuplot not installed (Debian package gnuplot-nox)");
		return rc;
	}
	if (rc != 0) {
		snprintf(why, len, "gnuplot %s failed: %.*s", gp, (int)strcspn(out, "\n"), out);
		return -EIO;
	}
	return 1;
err:
	snprintf(why, len, "%s: %s", dir, strerror(errno));
	return -errno;
}

int report_plot(const struct bench_result *r, const char *dir, char *why, size_t len)
{
	int n = 0, rc;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(why, len, "cannot make %s: %s", dir, strerror(errno));
		return -errno;
	}
	for (int fam = 0; fam < BF_COUNT; fam++) {
		if (!family_present(r, fam))
			continue;
		rc = plot_family(r, fam, dir, why, len);
		if (rc < 0)
			return rc;
		n += rc;
	}
	return n;
}
