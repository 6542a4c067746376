/* SPDX-License-Identifier: MIT */
/* lxrun coverage --needs: a program's syscalls, ioctls and flags (strace) vs lxrun's support table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/syscalls.h"
#include "cli/cli.h"
#include "harness/column.h"
#include "harness/proc.h"

#define MAX_NAMES 1024

struct tally {
	char *name[MAX_NAMES];
	unsigned count[MAX_NAMES];
	size_t n;
};

static void tally_add(struct tally *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strlen(t->name[i]) == len && !strncmp(t->name[i], name, len)) {
			t->count[i]++;
			return;
		}
	}
	if (t->n < MAX_NAMES && (t->name[t->n] = strndup(name, len)))
		t->count[t->n++] = 1;
}

static void tally_free(struct tally *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->name[i]);
}

/* Flag families worth a line: how files are opened, processes cloned, memory mapped, sockets. */
static const char *const flag_prefixes[] = {"O_", "CLONE_", "MAP_", "AF_", "SOCK_", "MFD_",
					    "EFD_", "TFD_", "IN_", "FUTEX_", NULL};

static void scan_flags(struct tally *flags, const char *args)
{
	for (const char *p = args; *p;) {
		size_t wl = 0;

		if (*p == '"') { /* skip string arguments: their words are data */
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			p += *p == '"';
			continue;
		}
		while ((p[wl] >= 'A' && p[wl] <= 'Z') || (p[wl] >= '0' && p[wl] <= '9') ||
		       p[wl] == '_')
			wl++;
		if (wl == 0) {
			p++;
			continue;
		}
		for (int i = 0; flag_prefixes[i]; i++) {
			size_t pl = strlen(flag_prefixes[i]);

			if (wl > pl && !strncmp(p, flag_prefixes[i], pl)) {
				tally_add(flags, p, wl);
				break;
			}
		}
		p += wl;
	}
}

/* One strace -f line: "PID name(args...) = result". Resumed halves were counted at their start. */
static void scan_line(const char *l, struct tally *sys, struct tally *ioctls, struct tally *flags)
{
	const char *name, *open;

	while (*l >= '0' && *l <= '9')
		l++;
	while (*l == ' ')
		l++;
	if (*l == '<' || *l == '-' || *l == '+')
		return;
	name = l;
	open = strchr(name, '(');
	if (!open || open == name)
		return;
	for (const char *q = name; q < open; q++)
		if (!(*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')))
			return;
	tally_add(sys, name, (size_t)(open - name));
	if ((size_t)(open - name) == 5 && !strncmp(name, "ioctl", 5)) {
		const char *req = strchr(open, ',');

		if (req) {
			req += strspn(req, ", ");
			tally_add(ioctls, req, strcspn(req, ",)"));
		}
	}
	scan_flags(flags, open);
}

static int cmp_count(const void *a, const void *b, void *arg)
{
	const struct tally *t = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return t->count[i] != t->count[j] ? (t->count[i] < t->count[j] ? 1 : -1)
					  : strcmp(t->name[i], t->name[j]);
}

static void sorted(const struct tally *t, size_t *idx)
{
	for (size_t i = 0; i < t->n; i++)
		idx[i] = i;
	qsort_r(idx, t->n, sizeof(*idx), cmp_count, (void *)t);
}

static void print_list(const char *title, const struct tally *t)
{
	size_t idx[MAX_NAMES];

	if (!t->n)
		return;
	sorted(t, idx);
	printf("%s:", title);
	for (size_t i = 0; i < t->n; i++)
		printf("%s %s %ux", i ? "," : "", t->name[idx[i]], t->count[idx[i]]);
	putchar('\n');
}

/* What a missing syscall belongs to, for a table row that has no note. */
static const char *family_of(const char *name)
{
	static const char *const fam[][2] = {
		{"shm", "SysV shared memory"},	 {"sem", "SysV semaphores"},
		{"msg", "SysV message queues"},	 {"mq_", "POSIX message queues"},
		{"clock_adjtime", "clock tuning"}, {"adjtimex", "clock tuning"},
		{"inotify", "file-change notification"}, {"fanotify", "file-change notification"},
		{"io_uring", "io_uring"},	 {"io_", "Linux AIO"},
		{"mlock", "memory locking"},	 {"munlock", "memory locking"},
		{"pkey_", "memory protection keys"}, {"keyctl", "kernel keyrings"},
		{"add_key", "kernel keyrings"},	 {"bpf", "eBPF"},
		{"perf_event", "perf events"},	 {"ptrace", "ptrace"},
		{"mount", "mounts"},		 {"umount", "mounts"},
		{"unshare", "namespaces"},	 {"setns", "namespaces"},
	};

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		if (!strncmp(name, fam[i][0], strlen(fam[i][0])))
			return fam[i][1];
	return "";
}

static int report(const struct tally *sys, const struct tally *ioctls, const struct tally *flags,
		  const char *prog, int status)
{
	size_t idx[MAX_NAMES];
	unsigned lacks = 0, partial = 0, calls = 0;

	sorted(sys, idx);
	printf("%s: exit status %d natively; %zu distinct syscalls\n\n", prog, status, sys->n);
	printf("%-24s %7s  %-8s %s\n", "syscall", "count", "level", "note (translate mode)");
	for (size_t i = 0; i < sys->n; i++) {
		const char *name = sys->name[idx[i]];
		long nr = abi_syscall_lookup(name);
		const struct abi_syscall *s = nr >= 0 ? abi_syscall(nr) : NULL;

		calls += sys->count[idx[i]];
		printf("%-24s %7u  %-8s %s\n", name, sys->count[idx[i]],
		       s ? abi_level_name((enum abi_level)s->level) : "?", s ? s->note : "");
	}
	putchar('\n');
	print_list("ioctls", ioctls);
	print_list("flags", flags);
	for (size_t i = 0; i < sys->n; i++) {
		const char *name = sys->name[idx[i]];
		long nr = abi_syscall_lookup(name);
		const struct abi_syscall *s = nr >= 0 ? abi_syscall(nr) : NULL;

		if (!s || s->level == ABI_NONE) {
			const char *why = s && *s->note ? s->note : family_of(name);

			printf("translate mode lacks: %s%s%s%s, used %ux\n", name, *why ? " (" : "",
			       why, *why ? ")" : "", sys->count[idx[i]]);
			lacks++;
		} else if (s->level != ABI_FULL) {
			printf("translate mode %s: %s (%s), used %ux\n",
			       s->level == ABI_STUB ? "stubs" : "partly serves", name, s->note,
			       sys->count[idx[i]]);
			partial++;
		}
	}
	printf("\n%u calls of %zu syscalls: ", calls, sys->n);
	if (lacks)
		printf("translate mode lacks %u of them: use vm mode (lxrun --mode vm %s)\n", lacks,
		       prog);
	else if (partial)
		printf("translate mode serves them all, %u only partly (see above); vm mode serves"
		       " everything\n",
		       partial);
	else
		printf("translate mode serves them all (lxrun %s)\n", prog);
	return 0;
}

int cmd_coverage_needs(int argc, char **argv)
{
	char strace[4096], dir[] = "/tmp/lxrun-needs-XXXXXX", out[4200];
	char *sargv[HCOL_ARGV_MAX];
	struct hproc_spec spec = {0};
	struct hproc_result res = {0};
	struct tally sys = {0}, ioctls = {0}, flags = {0};
	int n = 0, r;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	if (argc < 2 || argv[1][0] == '-') {
		cli_err("coverage: --needs wants PROGRAM [ARGS...] (lxrun coverage --help)");
		return 125;
	}
	if (hcol_which("strace", strace, sizeof(strace)) < 0) {
		cli_err("coverage: --needs: strace not installed (Debian package strace; "
			"bash scripts/setup.sh installs it)");
		return 1;
	}
	if (!mkdtemp(dir)) {
		cli_err("coverage: cannot make a scratch directory: %s", strerror(errno));
		return 1;
	}
	snprintf(out, sizeof(out), "%s/trace", dir);
	sargv[n++] = strace;
	sargv[n++] = "-f";
	sargv[n++] = "-qq";
	sargv[n++] = "-o";
	sargv[n++] = out;
	for (int i = 1; i < argc && n < HCOL_ARGV_MAX - 1; i++)
		sargv[n++] = argv[i];
	sargv[n] = NULL;
	spec.argv = sargv;
	spec.stdin_path = "/dev/null";
	r = hproc_run(&spec, &res);
	if (r < 0) {
		cli_err("coverage: --needs: %s: %s", strace, strerror(-r));
		goto out;
	}
	f = fopen(out, "r");
	if (!f) {
		cli_err("coverage: --needs: strace wrote no trace (exit status %d)", res.status);
		r = -1;
		goto out;
	}
	while (getline(&line, &cap, f) > 0)
		scan_line(line, &sys, &ioctls, &flags);
	free(line);
	fclose(f);
	if (!sys.n) {
		cli_err("coverage: --needs: %s: no syscalls traced (exit status %d; not found?)",
			argv[1], res.status);
		r = -1;
		goto out;
	}
	r = report(&sys, &ioctls, &flags, argv[1], res.signaled ? 128 + res.status : res.status);
out:
	unlink(out);
	rmdir(dir);
	tally_free(&sys);
	tally_free(&ioctls);
	tally_free(&flags);
	return r < 0 ? 1 : 0;
}
