/* SPDX-License-Identifier: MIT */
/* harness: lxrun bench's workloads: the generated inputs, each family's commands and rows. */
#include "harness/bench_int.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Run a helper natively (input generation), stdout to `out` (NULL: /dev/null). */
static int gen(struct bench_ctx *b, char *const *argv, const char *out, char *why, size_t len)
{
	struct hproc_spec s = {
		.argv = argv, .cwd = b->in, .stdout_path = out, .timeout_ms = 600000};
	struct hproc_result r;
	int err = hproc_run(&s, &r);

	if (err < 0) {
		snprintf(why, len, "%s: %s", argv[0], strerror(-err));
		return err;
	}
	if (r.signaled || r.status) {
		snprintf(why, len, "%s failed (%s %d)", argv[0], r.signaled ? "signal" : "status",
			 r.status);
		return -EIO;
	}
	return 0;
}

int bench_inputs_make(struct bench_ctx *b, char *why, size_t len)
{
	const struct bench_sizes *sz = &b->o->sz;
	unsigned int fam = b->o->families;
	char n[32], out[PATH_MAX + 16];
	int err = 0;

	if (mkdir(b->in, 0755) < 0 && errno != EEXIST) {
		snprintf(why, len, "cannot make %s: %s", b->in, strerror(errno));
		return -errno;
	}
	if (fam & (1u << BF_TEXT)) {
		char *argv[] = {b->helper[HELPER_TEXT], n, NULL};

		bench_say(b, "generating a %u MiB text file", sz->text_mb);
		snprintf(n, sizeof(n), "%u", sz->text_mb);
		snprintf(out, sizeof(out), "%s/text.txt", b->in);
		err = gen(b, argv, out, why, len);
	}
	if (!err && (fam & (1u << BF_FS))) {
		char *argv[] = {b->helper[HELPER_TREE], "src", "tree", n, NULL};
		char *tar[] = {"/bin/tar", "-cf", "tree.tar", "tree", NULL};

		bench_say(b, "generating a source tree of %u files", sz->tree_files);
		snprintf(n, sizeof(n), "%u", sz->tree_files);
		err = gen(b, argv, NULL, why, len);
		if (!err)
			err = gen(b, tar, NULL, why, len);
	}
	if (!err && (fam & (1u << BF_BUILD))) {
		char *argv[] = {b->helper[HELPER_TREE], "project", "project", n, NULL};

		snprintf(n, sizeof(n), "%u", sz->build_files);
		err = gen(b, argv, NULL, why, len);
	}
	return err;
}

int bench_column_prepare(struct bench_ctx *b, size_t col, char *why, size_t len)
{
	char script[PATH_MAX * 3 + 1024];

	if (!hcol_in_guest_dir(&b->res->cols[col]) && mkdir(b->coldir[col], 0755) < 0 &&
	    errno != EEXIST) {
		snprintf(why, len, "cannot make %s: %s", b->coldir[col], strerror(errno));
		return -errno;
	}
	/* the same inputs everywhere: hard links on the host, copies on the guest disk; the
	 * tree is also unpacked into a git repository for find, grep -r and git status */
	snprintf(script, sizeof(script),
		 "set -e; in='%s'\n"
		 "for f in text.txt tree.tar; do\n"
		 "  [ ! -e \"$in/$f\" ] || ln -f \"$in/$f\" . 2>/dev/null || cp \"$in/$f\" .\n"
		 "done\n"
		 "[ ! -d \"$in/project\" ] || { rm -rf project; cp -r \"$in/project\" .; }\n"
		 "if [ -e tree.tar ]; then\n"
		 "  rm -rf tree untar; tar -xf tree.tar; cd tree\n"
		 "  git init -q; git add -A\n"
		 "  git -c user.name=lxbench -c user.email=lxbench@localhost commit -qm tree\n"
		 "fi\n",
		 b->in);
	return bench_setup_sh(b, col, script, why, len);
}

struct job_spec {
	enum bench_family fam;
	const char *name; /* row name (wall-time jobs) or progress label (keyed jobs) */
	const char *what;
	const char *args[JOB_ARGS]; /* args[0]: a program on PATH, or @loop @fs */
	const char *keys[JOB_KEYS];
	const char *key_names[JOB_KEYS];
	const char *key_what[JOB_KEYS];
	bool per_call, check_output, short_rep;
	const char *pre;
	const char *package; /* of args[0], for the reason when it is missing */
};

static int job_add(struct bench_ctx *b, const struct job_spec *js)
{
	struct bench_job *j;
	char prog[PATH_MAX];
	size_t used = 0;
	int row;

	if (b->njobs == b->jobs_cap) {
		size_t cap = b->jobs_cap ? b->jobs_cap * 2 : 16;
		struct bench_job *p = malloc(cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		/* argv points into each job's own store: moved jobs get their pointers moved too */
		for (size_t k = 0; k < b->njobs; k++) {
			p[k] = b->jobs[k];
			for (int i = 0; i < JOB_ARGS && b->jobs[k].argv[i]; i++)
				p[k].argv[i] = p[k].store + (b->jobs[k].argv[i] - b->jobs[k].store);
		}
		free(b->jobs);
		b->jobs = p;
		b->jobs_cap = cap;
	}
	j = &b->jobs[b->njobs];
	memset(j, 0, sizeof(*j));
	j->fam = js->fam;
	snprintf(j->label, sizeof(j->label), "%s", js->name);
	j->check_output = js->check_output;
	j->short_rep = js->short_rep;
	snprintf(j->pre, sizeof(j->pre), "%s", js->pre ? js->pre : "");
	for (int i = 0; js->args[i]; i++) {
		const char *a = js->args[i];
		size_t n;

		if (i == 0 && !strcmp(a, "@loop"))
			a = b->helper[HELPER_LOOP];
		else if (i == 0 && !strcmp(a, "@fs"))
			a = b->helper[HELPER_FS];
		else if (i == 0 && hcol_which(a, prog, sizeof(prog)) == 0)
			a = prog;
		else if (i == 0) {
			/* not installed: the row is shown, skipped everywhere */
			row = bench_row_add(b, js->fam, js->name, js->what, false);
			if (row < 0)
				return row;
			for (size_t c = 0; c < b->res->ncols; c++) {
				struct bench_cell *cell = &b->res->rows[row].cell[c];

				cell->state = BC_SKIPPED;
				snprintf(cell->why, sizeof(cell->why),
					 "%s not installed (Debian package %s)", a,
					 js->package ? js->package : a);
			}
			return 0;
		}
		n = strlen(a) + 1;
		if (used + n > sizeof(j->store) || i + 1 >= JOB_ARGS)
			return -E2BIG;
		memcpy(j->store + used, a, n);
		j->argv[i] = j->store + used;
		used += n;
	}
	j->row0 = b->res->nrows;
	if (!js->keys[0]) {
		row = bench_row_add(b, js->fam, js->name, js->what, js->per_call);
		if (row < 0)
			return row;
		j->nrows = 1;
	}
	for (int k = 0; k < JOB_KEYS && js->keys[k]; k++) {
		row = bench_row_add(b, js->fam, js->key_names[k], js->key_what[k], js->per_call);
		if (row < 0)
			return row;
		j->keys[k] = js->keys[k];
		j->nkeys++;
		j->nrows++;
	}
	b->njobs++;
	return 0;
}

static int add_syscall(struct bench_ctx *b, const char *budget)
{
	struct job_spec js = {
		.fam = BF_SYSCALL,
		.name = "syscall loop",
		.per_call = true,
		.short_rep = true,
		.args = {"@loop", "syscalls", budget},
		.keys = {"getppid", "open_close", "stat", "read_4k", "write_4k"},
		.key_names = {"getppid", "open+close", "stat", "read 4 KiB", "write 4 KiB"},
		.key_what = {"ns per getppid (mov $110,%eax; syscall)",
			     "ns per open+close of a file in the working directory",
			     "ns per stat of that file", "ns per pread of 4 KiB of it",
			     "ns per write of 4 KiB to /dev/null"},
	};

	return job_add(b, &js);
}

static int add_startup(struct bench_ctx *b, const char *budget)
{
	const struct job_spec js[] = {
		{.fam = BF_STARTUP,
		 .name = "/bin/true",
		 .short_rep = true,
		 .what = "start-up and exit of a dynamic program (wall time of the column's "
			 "command)",
		 .args = {"/bin/true"}},
		{.fam = BF_STARTUP,
		 .name = "fork+exec+wait",
		 .per_call = true,
		 .short_rep = true,
		 .args = {"@loop", "spawn", budget},
		 .keys = {"fork_exec"},
		 .key_names = {"fork+exec+wait"},
		 .key_what = {"ns per fork+exec+wait of a small static program, in-process"}},
		{.fam = BF_STARTUP,
		 .name = "sh -c pipeline",
		 .short_rep = true,
		 .check_output = true,
		 .what = "sh -c 'echo ... | tr a-z A-Z | wc -c'",
		 .args = {"/bin/sh", "-c", "echo lxrun bench pipeline | tr a-z A-Z | wc -c"}},
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(js) / sizeof(js[0]) && !err; i++)
		err = job_add(b, &js[i]);
	return err;
}

static int add_text(struct bench_ctx *b)
{
	char n[7][96];
	unsigned int mb = b->o->sz.text_mb;
	const char *what = "over text.txt, output to a file and compared with native's";
	int err = 0;

	snprintf(n[0], sizeof(n[0]), "grep -c (%u MiB)", mb);
	snprintf(n[1], sizeof(n[1]), "grep -i -E (%u MiB)", mb);
	snprintf(n[2], sizeof(n[2]), "sed s///p (%u MiB)", mb);
	snprintf(n[3], sizeof(n[3]), "gawk sum (%u MiB)", mb);
	snprintf(n[4], sizeof(n[4]), "mawk sum (%u MiB)", mb);
	snprintf(n[5], sizeof(n[5]), "sort (%u MiB)", mb);
	snprintf(n[6], sizeof(n[6]), "wc (%u MiB)", mb);
	const struct job_spec js[] = {
		{.name = n[0], .args = {"grep", "-c", "ERROR", "text.txt"}},
		{.name = n[1], .args = {"grep", "-i", "-E", "time(out)? .*retry", "text.txt"}},
		{.name = n[2], .args = {"sed", "-n", "s/foo.bar/XX/p", "text.txt"}},
		{.name = n[3], .args = {"gawk", "{ n += $5 } END { print n }", "text.txt"}},
		{.name = n[4], .args = {"mawk", "{ n += $5 } END { print n }", "text.txt"}},
		{.name = n[5], .args = {"sort", "text.txt"}},
		{.name = n[6], .args = {"wc", "text.txt"}},
	};

	for (size_t i = 0; i < sizeof(js) / sizeof(js[0]) && !err; i++) {
		struct job_spec s = js[i];

		s.fam = BF_TEXT;
		s.check_output = true;
		s.what = what;
		err = job_add(b, &s);
	}
	return err;
}

static int add_fs(struct bench_ctx *b)
{
	const struct bench_sizes *sz = &b->o->sz;
	char files[16], mb[16], fiosz[32], nm[8][96];
	int err;

	snprintf(files, sizeof(files), "%u", sz->files);
	snprintf(mb, sizeof(mb), "%u", sz->seq_mb);
	snprintf(fiosz, sizeof(fiosz), "--size=%uk", (sz->seq_mb < 64 ? sz->seq_mb : 64) * 256);
	snprintf(nm[0], sizeof(nm[0]), "create %u x 4 KiB", sz->files);
	snprintf(nm[1], sizeof(nm[1]), "stat %u files", sz->files);
	snprintf(nm[2], sizeof(nm[2]), "read %u files", sz->files);
	snprintf(nm[3], sizeof(nm[3]), "rename %u files", sz->files);
	snprintf(nm[4], sizeof(nm[4]), "delete %u files", sz->files);
	snprintf(nm[5], sizeof(nm[5]), "write+fsync %u MiB", sz->seq_mb);
	snprintf(nm[6], sizeof(nm[6]), "read %u MiB", sz->seq_mb);
	snprintf(nm[7], sizeof(nm[7]), "read %u MiB, cold", sz->seq_mb);
	struct job_spec fsb = {
		.fam = BF_FS,
		.name = "small files, sequential I/O",
		.args = {"@fs", files, mb},
		.keys = {"create", "stat", "read", "rename", "delete", "seq_write", "seq_read",
			 "seq_read_cold"},
		.key_names = {nm[0], nm[1], nm[2], nm[3], nm[4], nm[5], nm[6], nm[7]},
		.key_what = {"open(O_CREAT)+write 4 KiB+close, one directory", "stat of each",
			     "open+read+close of each", "rename of each within the directory",
			     "unlink of each",
			     "1 MiB writes then fsync (page cache: see the note on sizes)",
			     "1 MiB reads of that file, just written (warm page cache)",
			     "the same reads after POSIX_FADV_DONTNEED dropped its pages (storage)"},
	};

	err = job_add(b, &fsb);
	snprintf(nm[0], sizeof(nm[0]), "untar %u files", sz->tree_files);
	snprintf(nm[1], sizeof(nm[1]), "grep -r (%u files)", sz->tree_files);
	snprintf(nm[2], sizeof(nm[2]), "find (%u files)", sz->tree_files);
	snprintf(nm[3], sizeof(nm[3]), "git status (%u files)", sz->tree_files);
	snprintf(nm[4], sizeof(nm[4]), "fio randrw 4k psync");
	const struct job_spec js[] = {
		{.name = nm[0],
		 .what = "tar -xf of the source tree into a fresh directory",
		 .args = {"tar", "-xf", "tree.tar", "-C", "untar"},
		 .pre = "rm -rf untar && mkdir untar"},
		{.name = nm[1],
		 .what = "grep -r -c over the unpacked tree",
		 .args = {"grep", "-r", "-c", "lxbench_value", "tree"}},
		{.name = nm[2],
		 .what = "find -name '*.h' over the unpacked tree",
		 .args = {"find", "tree", "-name", "*.h"}},
		{.name = nm[3],
		 .what = "git status --porcelain in a repository of the tree",
		 .check_output = true,
		 .args = {"git", "-C", "tree", "status", "--porcelain"}},
		{.name = nm[4],
		 .what = "fio --ioengine=psync --rw=randrw --bs=4k over a file of "
			 "a quarter of the sequential size (64 MiB at most)",
		 .package = "fio",
		 .args = {"fio", "--name=lxbench", "--ioengine=psync", "--rw=randrw", "--bs=4k",
			  fiosz, "--thread", "--filename=fio.dat", "--minimal"}},
	};

	for (size_t i = 0; i < sizeof(js) / sizeof(js[0]) && !err; i++) {
		struct job_spec s = js[i];

		s.fam = BF_FS;
		err = job_add(b, &s);
	}
	return err;
}

static int add_build(struct bench_ctx *b)
{
	char nm[64];
	struct job_spec js = {
		.fam = BF_BUILD,
		.name = nm,
		.package = "make",
		.what = "make -j2 -B of a generated C project (cc -O1, then link)",
		.args = {"make", "-s", "--no-print-directory", "-j2", "-B", "-C", "project"},
	};

	snprintf(nm, sizeof(nm), "make -j2 (%u C files)", b->o->sz.build_files);
	return job_add(b, &js);
}

int bench_jobs_make(struct bench_ctx *b, char *why, size_t len)
{
	unsigned int fam = b->o->families;
	char budget[16];
	int err = 0;

	snprintf(budget, sizeof(budget), "%u", b->o->sz.budget_ms);
	if (fam & (1u << BF_SYSCALL))
		err = add_syscall(b, budget);
	if (!err && (fam & (1u << BF_STARTUP)))
		err = add_startup(b, budget);
	if (!err && (fam & (1u << BF_TEXT)))
		err = add_text(b);
	if (!err && (fam & (1u << BF_FS)))
		err = add_fs(b);
	if (!err && (fam & (1u << BF_BUILD)))
		err = add_build(b);
	if (err)
		snprintf(why, len, "cannot set up the workloads: %s", strerror(-err));
	return err;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path); /* best effort: what cannot go stays, and the walk goes on */
	return 0;
}

int bench_helpers_find(struct bench_ctx *b, const char *lxrun, char *why, size_t len)
{
	static const char *const names[] = {"syscall_loop", "fsbench", "gentext", "gentree"};
	char dir[PATH_MAX];

	if (b->o->helpers)
		snprintf(dir, sizeof(dir), "%s", b->o->helpers);
	else {
		/* next to lxrun in a build directory: BUILD/lxrun, BUILD/bench/ */
		char *slash;

		snprintf(dir, sizeof(dir), "%s", lxrun);
		slash = strrchr(dir, '/');
		snprintf(slash ? slash + 1 : dir,
			 sizeof(dir) - (size_t)(slash ? slash + 1 - dir : 0), "bench");
	}
	for (int i = 0; i < 4; i++) {
		snprintf(b->helper[i], PATH_MAX, "%s/%s", dir, names[i]);
		if (access(b->helper[i], X_OK) < 0) {
			snprintf(why, len,
				 "%s: %s (the bench helpers are built with lxrun: "
				 "ninja -C BUILD; or --helpers DIR)",
				 b->helper[i], strerror(errno));
			return -ENOENT;
		}
	}
	return 0;
}

int bench_workdir_make(struct bench_ctx *b, char *why, size_t len)
{
	const char *parent = b->o->dir ? b->o->dir : getenv("TMPDIR");
	char out[PATH_MAX + 8];

	/* /tmp is a tmpfs on many systems: /var/tmp is on a disk like the user's files */
	if (!parent || !*parent)
		parent = "/var/tmp";
	snprintf(b->base, sizeof(b->base), "%s/lxrun-bench.XXXXXX", parent);
	if (!mkdtemp(b->base)) {
		snprintf(why, len, "cannot make a work directory in %s: %s", parent,
			 strerror(errno));
		return -errno;
	}
	if (!realpath(b->base, b->in)) {
		snprintf(why, len, "%s: %s", b->base, strerror(errno));
		return -errno;
	}
	snprintf(b->base, sizeof(b->base), "%s", b->in);
	snprintf(b->in, sizeof(b->in), "%s/in", b->base);
	snprintf(out, sizeof(out), "%s/out", b->base);
	mkdir(out, 0755);
	snprintf(b->res->workdir, sizeof(b->res->workdir), "%s", b->base);
	return 0;
}

void bench_workdir_remove(struct bench_ctx *b)
{
	nftw(b->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
