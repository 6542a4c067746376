/* SPDX-License-Identifier: MIT */
/* lxrun diff: one program in several modes, each in a fresh scratch directory; what differs, and
 * the first syscall whose arguments or result differ. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "harness/column.h"
#include "harness/proc.h"
#include "harness/trace.h"

#define MAX_MODES 6
#define MAX_FILES 4096
/* vm mode's trace, in the shared working directory during the run */
#define VM_TRACE ".lxrun-diff-vm.trace"

static void usage(FILE *o)
{
	fputs("usage: lxrun diff [--modes LIST] [--dir DIR] [--keep] [--] PROGRAM [ARGS...]\n"
	      "\n"
	      "Runs PROGRAM in each mode, each in a fresh copy of a scratch working directory,\n"
	      "and compares them with the first mode: exit status, stdout, stderr, the files\n"
	      "written in the working directory, and the syscall traces (native: strace -f;\n"
	      "translate: lxrun --trace; vm: strace -f inside the guest, its trace written to\n"
	      "" VM_TRACE " in the working directory and moved out after the run). It\n"
	      "reports the first syscall whose arguments or result differ, with the calls\n"
	      "before it.\n"
	      "\n"
	      "  --modes LIST     comma-separated (default native,translate,vm): native,\n"
	      "                   translate (= translate/rewrite), translate/sud, vm (= vm/9p),\n"
	      "                   vm/virtiofs\n"
	      "  --dir DIR        the scratch directory starts as a copy of DIR (default: empty)\n"
	      "  --context N      calls shown before the difference (default 4)\n"
	      "  --timeout S      kill a run after S seconds (default 60)\n"
	      "  --keep           keep the scratch directories and traces (their path is printed)\n"
	      "  -h, --help       this text\n"
	      "\n"
	      "Every mode runs in the same path (its copy is moved there for the run), so\n"
	      "getcwd and paths in messages agree.\n"
	      "Normalised before comparing (they differ legitimately between runs and modes):\n"
	      "  - the pid column of strace -f, and the results of pid-returning calls (getpid,\n"
	      "    gettid, getppid, clone, clone3, fork, vfork, wait4, set_tid_address, getpgid,\n"
	      "    getpgrp, getsid, setsid): PID\n"
	      "  - pointers and addresses (hex of 6+ digits), mmap/brk results: PTR / ADDR\n"
	      "  - structures and arrays (stat's inode, device and timestamps, timespecs, iovecs,\n"
	      "    sigsets): PTR, as lxrun --trace prints pointers where strace decodes memory\n"
	      "  - strace's comments (/* 37 vars */) and a result's (explanation)\n"
	      "  - string escapes (\\272 and \\xba are the same byte); getrandom's bytes\n"
	      "  - a flag printed by name on one side and as a number on the other\n"
	      "  - calls present on one side only (execve, ld.so's start-up, retries) are\n"
	      "    skipped when the traces line up again within 64 calls, and counted\n"
	      "\n"
	      "Exit status: 0 when every mode agrees, 1 when one differs, 125 on usage errors.\n",
	      o);
}

struct mode {
	struct hcol col;
	char dir[4200], out[4200], err[4200], trace[4200];
	bool traced;
	struct hproc_result res;
	int rc; /* hproc_run's */
};

struct file {
	char path[512];
	char kind; /* f d l */
	long long size;
	unsigned long long hash;
};

static unsigned long long hash_file(const char *path)
{
	unsigned long long h = 1469598103934665603ull;
	FILE *f = fopen(path, "r");
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		h = (h ^ (unsigned char)c) * 1099511628211ull;
	fclose(f);
	return h;
}

static void walk(const char *root, const char *rel, struct file *fs, size_t *n)
{
	char path[4700];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d)) && *n < MAX_FILES) {
		char r[512], full[5300];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, r);
		if (lstat(full, &st))
			continue;
		struct file *f = &fs[(*n)++];

		snprintf(f->path, sizeof(f->path), "%s", r);
		f->kind = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f';
		f->size = S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
		f->hash = S_ISREG(st.st_mode) ? hash_file(full) : 0;
		if (S_ISDIR(st.st_mode))
			walk(root, r, fs, n);
	}
	closedir(d);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

/* Files of two scratch directories: lines "only in", "differs". Returns how many differ. */
static int diff_files(const struct mode *a, const struct mode *b)
{
	static struct file fa[MAX_FILES], fb[MAX_FILES];
	size_t na = 0, nb = 0, i = 0, j = 0;
	int diffs = 0;

	walk(a->dir, "", fa, &na);
	walk(b->dir, "", fb, &nb);
	qsort(fa, na, sizeof(*fa), cmp_file);
	qsort(fb, nb, sizeof(*fb), cmp_file);
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(fa[i].path, fb[j].path);

		if (c < 0) {
			printf("  file %s: only in %s\n", fa[i++].path, a->col.name);
			diffs++;
		} else if (c > 0) {
			printf("  file %s: only in %s\n", fb[j++].path, b->col.name);
			diffs++;
		} else {
			if (fa[i].kind != fb[j].kind || fa[i].size != fb[j].size ||
			    fa[i].hash != fb[j].hash) {
				printf("  file %s: differs (%lld vs %lld bytes)\n", fa[i].path,
				       fa[i].size, fb[j].size);
				diffs++;
			}
			i++, j++;
		}
	}
	return diffs;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;

	if (!f)
		return strdup("");
	if (getdelim(&text, &cap, '\0', f) < 0) {
		free(text);
		text = strdup("");
	}
	fclose(f);
	return text;
}

/* First differing line of two outputs; 0 when equal. */
static int diff_text(const char *what, const struct mode *a, const struct mode *b, const char *pa,
		     const char *pb)
{
	char *ta = slurp(pa), *tb = slurp(pb);
	const char *x = ta, *y = tb;
	unsigned line = 1;
	int r = 0;

	if (ta && tb && strcmp(ta, tb)) {
		while (*x && *x == *y) {
			line += *x == '\n';
			x++, y++;
		}
		while (x > ta && x[-1] != '\n')
			x--, y--;
		printf("  %s differs from line %u:\n    %-18s %.*s\n    %-18s %.*s\n", what, line,
		       a->col.name, (int)strcspn(x, "\n"), *x ? x : "(end)", b->col.name,
		       (int)strcspn(y, "\n"), *y ? y : "(end)");
		r = 1;
	}
	free(ta);
	free(tb);
	return r;
}

static void show_call(const char *who, const struct trace *t, size_t i)
{
	if (i < t->n)
		printf("    %-18s %5u| %s\n", who, t->c[i].lineno, t->c[i].line);
	else
		printf("    %-18s      | (trace ends)\n", who);
}

static int diff_traces(const struct mode *a, const struct mode *b, size_t context)
{
	struct trace ta = {0}, tb = {0};
	struct trace_diff d;
	char *sa = slurp(a->trace), *sb = slurp(b->trace);
	int r = 0;

	if (!sa || !sb || trace_parse(&ta, sa) < 0 || trace_parse(&tb, sb) < 0) {
		cli_err("diff: out of memory reading the traces");
		r = -1;
		goto out;
	}
	trace_align(&ta, &tb, 64, &d);
	printf("  trace: %zu calls line up (%zu only in %s, %zu only in %s)\n", d.matched,
	       d.skipped_a, a->col.name, d.skipped_b, b->col.name);
	if (!d.differs) {
		printf("  trace: no call differs in its arguments or result\n");
		goto out;
	}
	r = 1;
	if (d.ia < ta.n && d.ib < tb.n && !strcmp(ta.c[d.ia].name, tb.c[d.ib].name))
		printf("  first differing syscall: %s (%s)\n", ta.c[d.ia].name,
		       d.arg >= 0 ? "argument" : "result");
	else
		printf("  first differing syscall: %s vs %s (the traces part here)\n",
		       d.ia < ta.n ? ta.c[d.ia].name : "end", d.ib < tb.n ? tb.c[d.ib].name : "end");
	for (size_t k = context; k > 0; k--) {
		if (d.ia >= k)
			show_call(a->col.name, &ta, d.ia - k);
		if (d.ib >= k)
			show_call(b->col.name, &tb, d.ib - k);
	}
	printf("  >\n");
	show_call(a->col.name, &ta, d.ia);
	show_call(b->col.name, &tb, d.ib);
out:
	free(sa);
	free(sb);
	trace_free(&ta);
	trace_free(&tb);
	return r;
}

static int mode_setup(struct mode *m, const char *name, char *why, size_t len)
{
	struct hcol cat[HCOL_MAX];
	size_t n = hcol_catalog(cat, HCOL_MAX);
	const char *want = !strcmp(name, "translate") ? "translate/rewrite"
			   : !strcmp(name, "vm")      ? "vm/9p"
						      : name;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(cat[i].name, want) && cat[i].kind != HCOL_PEER &&
		    strcmp(want, "vm/ext4")) {
			m->col = cat[i];
			return 0;
		}
	}
	snprintf(why, len, "unknown mode '%s' (native, translate, translate/sud, vm, vm/virtiofs)",
		 name);
	return -EINVAL;
}

static int run_mode(struct mode *m, struct hcol_env *env, char *const *cmd, double timeout)
{
	char *argv[HCOL_ARGV_MAX], strace[4096], tr[4300];
	struct hproc_spec spec = {0};
	int n = 0;

	if (m->col.kind == HCOL_NATIVE && hcol_which("strace", strace, sizeof(strace)) == 0) {
		char *pre[] = {strace, "-f", "-qq", "-o", m->trace, NULL};

		for (int i = 0; pre[i]; i++)
			argv[n++] = pre[i];
		m->traced = true;
	} else if (m->col.kind == HCOL_TRANSLATE) {
		snprintf(tr, sizeof(tr), "--trace=%s", m->trace);
		argv[n++] = env->lxrun;
		argv[n++] = "--engine";
		argv[n++] = (char *)m->col.arg;
		argv[n++] = tr;
		argv[n++] = "--";
		m->traced = true;
	}
	if (n) {
		for (int i = 0; cmd[i] && n < HCOL_ARGV_MAX - 1; i++)
			argv[n++] = cmd[i];
		argv[n] = NULL;
	} else if (m->col.kind == HCOL_VM && hcol_which("strace", strace, sizeof(strace)) == 0) {
		/* strace inside the guest (it sees the host's /): only the working directory is
		 * shared back, so the trace is written there and moved out after the run */
		char *inner[HCOL_ARGV_MAX] = {strace, "-f", "-qq", "-o", VM_TRACE};

		n = 5;
		for (int i = 0; cmd[i] && n < HCOL_ARGV_MAX - 1; i++)
			inner[n++] = cmd[i];
		inner[n] = NULL;
		if (hcol_argv(&m->col, env, inner, argv, HCOL_ARGV_MAX) < 0)
			return -E2BIG;
		m->traced = true;
	} else if (hcol_argv(&m->col, env, cmd, argv, HCOL_ARGV_MAX) < 0) {
		return -E2BIG;
	}
	spec.argv = argv;
	spec.cwd = m->dir;
	spec.stdout_path = m->out;
	spec.stderr_path = m->err;
	spec.timeout_ms = (uint64_t)(timeout * 1000);
	int r = hproc_run(&spec, &m->res);
	if (m->col.kind == HCOL_VM && m->traced) {
		snprintf(tr, sizeof(tr), "%s/" VM_TRACE, m->dir);
		m->traced = rename(tr, m->trace) == 0;
	}
	return r;
}

static const char *ending(const struct mode *m, char *buf, size_t len)
{
	if (m->rc < 0)
		snprintf(buf, len, "could not run: %s", strerror(-m->rc));
	else if (m->res.timed_out)
		snprintf(buf, len, "timeout");
	else if (m->res.signaled)
		snprintf(buf, len, "killed by signal %d", m->res.status);
	else
		snprintf(buf, len, "exit status %d", m->res.status);
	return buf;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option lo[] = {
		{"modes", required_argument, NULL, 'm'}, {"dir", required_argument, NULL, 'd'},
		{"keep", no_argument, NULL, 'k'},	  {"context", required_argument, NULL, 'c'},
		{"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *modes = "native,translate,vm", *seed = NULL;
	struct mode ms[MAX_MODES];
	struct hcol_env env = {0};
	char base[] = "/tmp/lxrun-diff-XXXXXX", why[512], prog[4096], e1[64], e2[64];
	size_t nm = 0, context = 4;
	double timeout = 60;
	bool keep = false;
	int ch, status = 0;
	char *list, *save = NULL, *tok, *end;

	memset(ms, 0, sizeof(ms));
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': modes = optarg; break;
		case 'd': seed = optarg; break;
		case 'k': keep = true; break;
		case 'c': context = strtoul(optarg, &end, 10); break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || timeout <= 0) {
				cli_err("diff: --timeout wants seconds > 0, not '%s'", optarg);
				return 125;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			cli_err("diff: unknown option or missing value '%s' (lxrun diff --help)",
				argv[optind - 1]);
			return 125;
		}
	}
	if (optind >= argc) {
		cli_err("diff: no PROGRAM (lxrun diff --help)");
		return 125;
	}
	list = strdup(modes);
	for (tok = strtok_r(list, ",", &save); tok && nm < MAX_MODES;
	     tok = strtok_r(NULL, ",", &save)) {
		if (mode_setup(&ms[nm], tok, why, sizeof(why)) < 0) {
			cli_err("diff: --modes: %s", why);
			free(list);
			return 125;
		}
		nm++;
	}
	free(list);
	if (nm < 2) {
		cli_err("diff: --modes needs two modes or more");
		return 125;
	}
	if (strchr(argv[optind], '/') ? !realpath(argv[optind], prog)
				       : hcol_which(argv[optind], prog, sizeof(prog)) < 0) {
		cli_err("diff: %s: not found", argv[optind]);
		return 127;
	}
	argv[optind] = prog;
	{
		ssize_t n = readlink("/proc/self/exe", env.lxrun, sizeof(env.lxrun) - 1);

		if (n <= 0 || !mkdtemp(base)) {
			cli_err("diff: cannot set up: %s", strerror(errno));
			return 1;
		}
		env.lxrun[n] = 0;
	}
	snprintf(env.state_dir, sizeof(env.state_dir), "%s/vm", base);
	for (size_t i = 0; i < nm; i++) {
		struct mode *m = &ms[i];
		char tag[64], *cp[] = {"cp", "-a", NULL, m->dir, NULL}, src[4200], out[256];

		snprintf(tag, sizeof(tag), "%zu-%s", i + 1, m->col.name);
		for (char *p = tag; *p; p++)
			*p = *p == '/' ? '-' : *p;
		snprintf(m->dir, sizeof(m->dir), "%s/%s", base, tag);
		snprintf(m->out, sizeof(m->out), "%s/%s.stdout", base, tag);
		snprintf(m->err, sizeof(m->err), "%s/%s.stderr", base, tag);
		snprintf(m->trace, sizeof(m->trace), "%s/%s.trace", base, tag);
		if (seed) {
			snprintf(src, sizeof(src), "%s/.", seed);
			cp[2] = src;
			mkdir(m->dir, 0755);
			if (hproc_capture(cp, NULL, 600000, out, sizeof(out)) != 0) {
				cli_err("diff: --dir %s: cannot copy it", seed);
				status = 1;
				goto done;
			}
		} else if (mkdir(m->dir, 0755)) {
			cli_err("diff: %s: %s", m->dir, strerror(errno));
			status = 1;
			goto done;
		}
		if (m->col.kind == HCOL_VM && hcol_probe(&m->col, &env) < 0) {
			printf("%s: skipped: %s\n", m->col.name, m->col.why);
			m->rc = -ENODEV;
			continue;
		}
		fprintf(stderr, "diff: running in %s\n", m->col.name);
		/* every mode runs in the same path (getcwd, paths in messages): BASE/run */
		{
			char own[4200];

			snprintf(own, sizeof(own), "%s", m->dir);
			snprintf(m->dir, sizeof(m->dir), "%s/run", base);
			if (rename(own, m->dir)) {
				cli_err("diff: %s: %s", own, strerror(errno));
				status = 1;
				goto done;
			}
			m->rc = run_mode(m, &env, argv + optind, timeout);
			if (rename(m->dir, own)) {
				cli_err("diff: %s: %s", m->dir, strerror(errno));
				status = 1;
				goto done;
			}
			snprintf(m->dir, sizeof(m->dir), "%s", own);
		}
	}
	printf("%-20s %s%s\n", ms[0].col.name, ending(&ms[0], e1, sizeof(e1)),
	       ms[0].traced ? "" : " (not traced: strace not installed)");
	for (size_t i = 1; i < nm; i++) {
		struct mode *a = &ms[0], *b = &ms[i];
		int d = 0;

		if (b->rc == -ENODEV)
			continue;
		ending(b, e2, sizeof(e2));
		printf("%-20s %s", b->col.name, e2);
		if (strcmp(e1, e2)) {
			printf("  <- differs\n");
			d++;
		} else {
			putchar('\n');
		}
		d += diff_text("stdout", a, b, a->out, b->out);
		d += diff_text("stderr", a, b, a->err, b->err);
		d += diff_files(a, b);
		if (a->traced && b->traced)
			d += diff_traces(a, b, context) > 0;
		else
			printf("  trace: %s is not traced (%s)\n", b->traced ? a->col.name : b->col.name,
			       (b->traced ? a : b)->col.kind == HCOL_VM
				       ? "strace not installed, or the guest wrote no trace"
				       : "strace not installed");
		if (!d)
			printf("  same as %s\n", a->col.name);
		status |= d ? 1 : 0;
	}
done:
	if (env.vm_started)
		hcol_vm_stop(&env);
	if (keep) {
		printf("kept: %s\n", base);
	} else {
		char *rm[] = {"rm", "-rf", base, NULL}, out[64];

		hproc_capture(rm, "/", 60000, out, sizeof(out));
	}
	return status;
}
