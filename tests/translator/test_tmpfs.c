/* SPDX-License-Identifier: MIT */
/* tmpfs: namespace ops differential against the host's /dev/shm, file I/O, getdents, times. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_stat.h"
#include "translator/fd.h"
#include "translator/signal_host.h"
#include "translator/vfs/vfs.h"

#define UTIME_NOW_L  ((1l << 30) - 1l)
#define UTIME_OMIT_L ((1l << 30) - 2l)

static struct lx_mount mnt;
static const struct lx_fs_ops *const ops = &lx_tmpfs_ops;

static void fresh(void)
{
	mnt = (struct lx_mount){.path = "/dev/shm", .len = 8, .ops = &lx_tmpfs_ops,
				.priv = tmpfs_new(), .dev = 0x15};
	cr_assert_not_null(mnt.priv);
}

static void setup(void)
{
	cr_assert_eq(lx_signals_init(), 0); /* guest_copy_* turn faults into -EFAULT through it */
	umask(0);
	fresh();
}

TestSuite(tmpfs, .init = setup);

static struct lx_file *xopen(const char *p, unsigned flags, unsigned mode)
{
	struct lx_file *f = NULL;
	int r = ops->open(&mnt, p, flags, mode, &f);
	cr_assert_eq(r, 0, "open %s: %d", p, r);
	return f;
}

static long xwrite(struct lx_file *f, const char *s)
{
	return f->ops->write(f, (uint64_t)(uintptr_t)s, strlen(s));
}

static void mkfile(const char *p, const char *data)
{
	struct lx_file *f = xopen(p, LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, 0644);
	cr_assert_eq(xwrite(f, data), (long)strlen(data));
	lx_file_put(f);
}

static struct linux_stat xstat(const char *p)
{
	struct linux_stat st;
	int r = ops->stat(&mnt, p, &st);
	cr_assert_eq(r, 0, "stat %s: %d", p, r);
	return st;
}

static struct linux_stat xfstat(struct lx_file *f)
{
	struct linux_stat st;
	cr_assert_eq(f->ops->fstat(f, &st), 0);
	return st;
}

/* ---- differential: the same steps on the host's /dev/shm and on our tmpfs ---- */

enum op { MKDIR, RMDIR, UNLINK, RENAME, LINK, SYMLINK, OPEN, WRITEF, TRUNC, LCHMOD, CHOWN };
struct step {
	enum op op;
	const char *a, *b;
	long arg;      /* mode, flags or length */
	unsigned mode; /* OPEN: creation mode, 0644 if 0 */
	int cont;      /* runs on the tree the previous step left instead of a fresh one */
};

/* The case tables list only the fields a step uses. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define N255 "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
#define NAME255 N255 N255 N255
#define NAME256 NAME255 "n"
#define T127 "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt"

static const struct step tree[] = {
	{MKDIR, "d1", 0, 0755},	 {MKDIR, "d1/sub", 0, 0755}, {MKDIR, "d2", 0, 0755},
	{MKDIR, "full", 0, 0755}, {OPEN, "full/x", 0, LINUX_O_CREAT | LINUX_O_WRONLY},
	{WRITEF, "f1", "hello", 0}, {OPEN, "f2", 0, LINUX_O_CREAT | LINUX_O_WRONLY},
	{SYMLINK, "f1", "sl", 0}, {SYMLINK, "d1", "dl", 0}, {SYMLINK, "nope", "dang", 0},
	{LINK, "f1", "hl", 0},
};

#define EX LINUX_RENAME_EXCHANGE
#define NR LINUX_RENAME_NOREPLACE
static const struct step cases[] = {
	{MKDIR, "d1", 0, 0755}, {MKDIR, "f1", 0, 0755}, {MKDIR, "nope/x", 0, 0755},
	{MKDIR, "f1/x", 0, 0755}, {MKDIR, "new", 0, 0755}, {MKDIR, "sl", 0, 0755},
	{MKDIR, "dang", 0, 0755}, {MKDIR, "dl/new", 0, 0755}, {MKDIR, "sl/x", 0, 0755},
	{MKDIR, NAME256, 0, 0755}, {MKDIR, NAME255, 0, 0755}, {MKDIR, "m", 0, 07777},
	{RMDIR, "d1"}, {RMDIR, "d2"}, {RMDIR, "f1"}, {RMDIR, "nope"}, {RMDIR, "sl"}, {RMDIR, "dl"},
	{RMDIR, "full"}, {RMDIR, "d1/sub"}, {RMDIR, "dl/sub"}, {RMDIR, "f1/x"}, {RMDIR, "nope/x"},
	{UNLINK, "d1"}, {UNLINK, "nope"}, {UNLINK, "f1"}, {UNLINK, "f1/x"}, {UNLINK, "sl"},
	{UNLINK, "dang"}, {UNLINK, "hl"}, {UNLINK, "full/x"}, {UNLINK, "dl"},
	{RENAME, "d1", "d2"}, {RENAME, "d1", "full"}, {RENAME, "d1", "f1"}, {RENAME, "f1", "d1"},
	{RENAME, "d1", "d1/sub/x"}, {RENAME, "d1", "d1/sub"}, {RENAME, "d1/sub", "d1"},
	{RENAME, "d1", "d1"}, {RENAME, "f1", "f1"}, {RENAME, "f1", "hl"}, {RENAME, "d1", "d1/x"},
	{RENAME, "f1", "f1/x"}, {RENAME, "f1/x", "f2"}, {RENAME, "nope", "x"},
	{RENAME, "f1", "nope/x"}, {RENAME, "f1", "f2"}, {RENAME, "f1", "new"},
	{RENAME, "d1", "d2/x"}, {RENAME, "d2", "d1/sub"}, {RENAME, "sl", "d1"}, {RENAME, "d1", "sl"},
	{RENAME, "d2", "full/x"}, {RENAME, "f1", "sl"}, {RENAME, "sl", "newl"},
	{RENAME, "full", "d2"}, {RENAME, "dl/sub", "d2"}, {RENAME, "f1", "dl/f1"},
	{RENAME, "f1", "f2", NR}, {RENAME, "d1", "d2", NR}, {RENAME, "d1", "nope", NR},
	{RENAME, "nope", "f1", NR}, {RENAME, "f1", "f1", NR},
	{RENAME, "f1", "nope", EX}, {RENAME, "d1", "f1", EX}, {RENAME, "d1", "d1/sub", EX},
	{RENAME, "d1/sub", "d1", EX}, {RENAME, "d1/sub", "d2", EX}, {RENAME, "d1/sub", "f1", EX},
	{RENAME, "d1", "d1", EX}, {RENAME, "f1", "f1", EX}, {RENAME, "nope", "f1", EX},
	{RENAME, "d1", "full", EX}, {RENAME, "f1", "f2", EX | NR}, {RENAME, "f1", "f2", 16},
	{LINK, "f1", "new"}, {LINK, "d1", "new"}, {LINK, "f1", "f2"}, {LINK, "nope", "x"},
	{LINK, "f1", "nope/x"}, {LINK, "sl", "sl2"}, {LINK, "d1", "f2"}, {LINK, "dang", "x2"},
	{LINK, "f1", "d1/sub/x"},
	{SYMLINK, "f1", "f2"}, {SYMLINK, "", "x"}, {SYMLINK, "t", "nope/x"}, {SYMLINK, "t", "new"},
	{SYMLINK, T127, "ll"}, {SYMLINK, T127 "t", "ll"}, {SYMLINK, "t", NAME256},
	{OPEN, "d1", 0, LINUX_O_CREAT}, {OPEN, "d1", 0, LINUX_O_WRONLY},
	{OPEN, "d1", 0, LINUX_O_RDWR}, {OPEN, "d1", 0, LINUX_O_TRUNC},
	{OPEN, "f1", 0, LINUX_O_DIRECTORY}, {OPEN, "f1", 0, LINUX_O_CREAT | LINUX_O_EXCL},
	{OPEN, "nope/x", 0, LINUX_O_CREAT | LINUX_O_WRONLY}, {OPEN, "sl", 0, LINUX_O_NOFOLLOW},
	{OPEN, "sl", 0, LINUX_O_NOFOLLOW | LINUX_O_CREAT | LINUX_O_EXCL},
	{OPEN, "sl", 0, LINUX_O_NOFOLLOW | LINUX_O_CREAT},
	{OPEN, "d1", 0, LINUX_O_CREAT | LINUX_O_DIRECTORY},
	{OPEN, "new", 0, LINUX_O_CREAT | LINUX_O_DIRECTORY},
	{OPEN, "d1", 0, LINUX_O_PATH | LINUX_O_WRONLY}, {OPEN, "sl", 0, LINUX_O_PATH | LINUX_O_NOFOLLOW},
	{OPEN, "sl", 0, LINUX_O_NOFOLLOW | LINUX_O_DIRECTORY},
	{OPEN, "dl", 0, LINUX_O_NOFOLLOW | LINUX_O_DIRECTORY}, {OPEN, "dl", 0, LINUX_O_DIRECTORY},
	{OPEN, "dang", 0, LINUX_O_CREAT | LINUX_O_WRONLY}, {OPEN, "dang", 0, LINUX_O_RDONLY},
	{OPEN, "dang", 0, LINUX_O_CREAT | LINUX_O_EXCL}, {OPEN, "f1", 0, LINUX_O_TRUNC},
	{OPEN, "hl", 0, LINUX_O_WRONLY | LINUX_O_TRUNC}, {OPEN, "nope", 0, LINUX_O_RDONLY},
	{OPEN, "nope", 0, LINUX_O_PATH | LINUX_O_CREAT}, {OPEN, "f1/x", 0, LINUX_O_RDONLY},
	{OPEN, NAME256, 0, LINUX_O_CREAT}, {OPEN, "d1", 0, LINUX_O_PATH | LINUX_O_DIRECTORY},
	{OPEN, "f1", 0, LINUX_O_PATH | LINUX_O_DIRECTORY},
	{OPEN, "d1", 0, LINUX_O_TMPFILE | LINUX_O_RDWR}, {OPEN, "f1", 0, LINUX_O_TMPFILE | LINUX_O_RDWR},
	{OPEN, "d1", 0, LINUX_O_TMPFILE | LINUX_O_RDONLY},
	{OPEN, "nope", 0, LINUX_O_TMPFILE | LINUX_O_RDWR},
	{OPEN, "new", 0, LINUX_O_CREAT | LINUX_O_WRONLY},
	{TRUNC, "f1", 0, 10}, {TRUNC, "f1", 0, 0}, {TRUNC, "d1", 0, 0}, {TRUNC, "nope", 0, 0},
	{TRUNC, "f1", 0, -1}, {TRUNC, "sl", 0, 3}, {TRUNC, "dang", 0, 0}, {TRUNC, "f1", 0, 1 << 20},
	{LCHMOD, "sl", 0, 0777}, {LCHMOD, "f1", 0, 06755}, {LCHMOD, "d1", 0, 07777},
	{OPEN, "new7", 0, LINUX_O_CREAT | LINUX_O_WRONLY, 07777},
	/* multi-step cases */
	{LCHMOD, "f1", 0, 06755}, {CHOWN, "f1", .cont = 1},
	{LCHMOD, "f1", 0, 06745}, {CHOWN, "f1", .cont = 1},
	{LCHMOD, "d1", 0, 06755}, {CHOWN, "d1", .cont = 1},
	{LCHMOD, "d1", 0, 02755}, {MKDIR, "d1/s", 0, 07777, .cont = 1},
	{OPEN, "d1/f", 0, LINUX_O_CREAT | LINUX_O_WRONLY, 06777, .cont = 1},
	{WRITEF, "f1", "a longer text that still fits a page"}, {TRUNC, "f1", 0, 3, .cont = 1},
	{TRUNC, "f1", 0, 8192, .cont = 1},
	{RENAME, "d1/sub", "d2/sub"}, {RENAME, "d2", "d1/sub/d2", .cont = 1},
	{RENAME, "d1/sub", "s", .cont = 1}, {RMDIR, "s/d2", .cont = 1},
	{UNLINK, "full/x"}, {RENAME, "d2", "full", .cont = 1},
	{RENAME, "full", "d1/sub", EX, .cont = 1},
	{SYMLINK, "../d1", "d2/up"}, {MKDIR, "d2/up/via", 0, 0755, .cont = 1},
	{RENAME, "d2/up/sub", "d2/up/sub2", .cont = 1},
};

/* Lexical normalisation of an absolute path, in place ("//", ".", ".." go). */
static void normalize(char *p)
{
	char *o = p;
	for (const char *q = p; *q;) {
		while (*q == '/')
			q++;
		const char *c = q;
		while (*q && *q != '/')
			q++;
		size_t n = (size_t)(q - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			while (o > p && *--o != '/')
				;
			continue;
		}
		*o++ = '/';
		memmove(o, c, n);
		o += n;
	}
	if (o == p)
		*o++ = '/';
	*o = 0;
}

/* The VFS's share of the work, reduced to what the cases need: follow links via resolve(). */
static int vpath(const char *rel, int follow, char *out)
{
	char next[LX_PATH_MAX];
	snprintf(out, LX_PATH_MAX, "/%s", rel);
	for (int i = 0; i < LX_SYMLOOP_MAX; i++) {
		int r = ops->resolve(&mnt, out, follow, next, sizeof(next));
		if (r <= 0)
			return r;
		normalize(next);
		cr_assert(!strncmp(next, "/dev/shm/", 9), "rewrite leaves the mount: %s", next);
		snprintf(out, LX_PATH_MAX, "%s", next + 8);
	}
	return -LINUX_ELOOP;
}

static int ours(const struct step *s)
{
	char a[LX_PATH_MAX], b[LX_PATH_MAX];
	unsigned fl = (unsigned)s->arg;
	unsigned excl = LINUX_O_CREAT | LINUX_O_EXCL;
	int follow = s->op == OPEN ? !(fl & LINUX_O_NOFOLLOW) && (fl & excl) != excl
				   : s->op == TRUNC || s->op == CHOWN;
	int r = vpath(s->op == SYMLINK ? s->b : s->a, follow, a);
	if (r == 0 && (s->op == RENAME || s->op == LINK))
		r = vpath(s->b, 0, b);
	if (r < 0)
		return r;
	struct lx_file *f = NULL;
	switch (s->op) {
	case MKDIR:
		return ops->mkdir(&mnt, a, (unsigned)s->arg);
	case RMDIR:
		return ops->rmdir(&mnt, a);
	case UNLINK:
		return ops->unlink(&mnt, a);
	case RENAME:
		return ops->rename(&mnt, a, b, (unsigned)s->arg);
	case LINK:
		return ops->link(&mnt, a, b);
	case SYMLINK:
		return ops->symlink(&mnt, s->a, a);
	case OPEN:
	case WRITEF:
		if (s->op == WRITEF)
			fl = LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC;
		r = ops->open(&mnt, a, fl, s->mode ? s->mode : 0644, &f);
		if (r == 0 && s->op == WRITEF)
			cr_assert_eq(xwrite(f, s->b), (long)strlen(s->b));
		if (r == 0)
			lx_file_put(f);
		return r;
	case TRUNC:
		return ops->truncate(&mnt, a, s->arg);
	case LCHMOD:
		return ops->chmod(&mnt, a, (unsigned)s->arg);
	case CHOWN:
		return ops->chown(&mnt, a, (uint32_t)-1, (uint32_t)-1);
	}
	return 0;
}

static int native(const struct step *s)
{
	long r = 0;
	int fl = (int)s->arg;
	switch (s->op) {
	case MKDIR:
		r = mkdir(s->a, (mode_t)s->arg);
		break;
	case RMDIR:
		r = rmdir(s->a);
		break;
	case UNLINK:
		r = unlink(s->a);
		break;
	case RENAME:
		r = syscall(SYS_renameat2, AT_FDCWD, s->a, AT_FDCWD, s->b, (unsigned)s->arg);
		break;
	case LINK:
		r = link(s->a, s->b);
		break;
	case SYMLINK:
		r = symlink(s->a, s->b);
		break;
	case OPEN:
	case WRITEF:
		if (s->op == WRITEF)
			fl = O_CREAT | O_WRONLY | O_TRUNC;
		r = open(s->a, fl, s->mode ? s->mode : 0644);
		if (r >= 0 && s->op == WRITEF)
			cr_assert_eq(write((int)r, s->b, strlen(s->b)), (ssize_t)strlen(s->b));
		if (r >= 0)
			r = close((int)r);
		break;
	case TRUNC:
		r = truncate(s->a, s->arg);
		break;
	case LCHMOD:
		r = fchmodat(AT_FDCWD, s->a, (mode_t)s->arg, AT_SYMLINK_NOFOLLOW);
		break;
	case CHOWN:
		r = chown(s->a, (uid_t)-1, (gid_t)-1);
		break;
	}
	return r < 0 ? -errno : 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return ftw->level ? remove(p) : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void line(char *out, const char *p, uint32_t mode, uint64_t nlink, int64_t size,
		 int64_t blocks, const char *target)
{
	snprintf(out + strlen(out), 16384 - strlen(out), "%s %o n%lu s%ld b%ld %s\n", p, mode,
		 (unsigned long)nlink, (long)size, (long)blocks, target);
}

/* Everything a user can see of a tree except inode numbers and times, in a stable text. */
static void native_tree(const char *dir, char *out)
{
	char *names[64], p[1024], t[5000] = "";
	int n = 0;
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(char *), cmp_str);
	for (int i = 0; i < n; i++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		cr_assert_eq(lstat(p, &st), 0);
		ssize_t k = S_ISLNK(st.st_mode) ? readlink(p, t, sizeof(t) - 1) : 0;
		t[k > 0 ? k : 0] = 0;
		line(out, p + 2, st.st_mode, st.st_nlink, st.st_size, st.st_blocks, t);
		if (S_ISDIR(st.st_mode))
			native_tree(p, out);
		free(names[i]);
	}
}

static void our_tree(const char *dir, char *out)
{
	char *names[64], p[1024], t[5000] = "", buf[4096];
	int n = 0;
	struct lx_file *f = xopen(dir, LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
	for (long got; (got = f->ops->getdents64(f, (uint64_t)(uintptr_t)buf, sizeof(buf))) > 0;)
		for (long o = 0; o < got; o += ((struct linux_dirent64 *)(buf + o))->d_reclen) {
			const char *nm = ((struct linux_dirent64 *)(buf + o))->d_name;
			if (strcmp(nm, ".") && strcmp(nm, ".."))
				names[n++] = strdup(nm);
		}
	lx_file_put(f);
	qsort(names, (size_t)n, sizeof(char *), cmp_str);
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
		struct linux_stat st = xstat(p);
		long k = LINUX_S_ISLNK(st.st_mode) ? ops->readlink(&mnt, p, t, sizeof(t) - 1) : 0;
		t[k > 0 ? k : 0] = 0;
		line(out, p + 1, st.st_mode, st.st_nlink, st.st_size, st.st_blocks, t);
		if (LINUX_S_ISDIR(st.st_mode))
			our_tree(p, out);
		free(names[i]);
	}
}

static void both_reset(const char *host_dir)
{
	cr_assert_eq(nftw(host_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	fresh();
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		cr_assert_eq(native(&tree[i]), 0, "native tree step %zu", i);
		cr_assert_eq(ours(&tree[i]), 0, "tmpfs tree step %zu", i);
	}
}

Test(tmpfs, namespace_ops_match_host_tmpfs)
{
	struct statfs sf;
	char dir[] = "/dev/shm/lxrun-tmpfs-XXXXXX";
	if (statfs("/dev/shm", &sf) != 0 || sf.f_type != 0x01021994 || !mkdtemp(dir))
		cr_skip_test("no host tmpfs at /dev/shm to compare with");
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(chmod(".", 01777), 0); /* as our root */
	static char want[16384], got[16384];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct step *s = &cases[i];
		if (!s->cont)
			both_reset(dir);
		int rn = native(s), ro = ours(s);
		cr_expect_eq(ro, rn, "case %zu (op %d %s %s %ld): tmpfs %d, Linux %d", i, s->op, s->a,
			     s->b ? s->b : "", s->arg, ro, rn);
		want[0] = got[0] = 0;
		native_tree(".", want);
		our_tree("/", got);
		cr_expect_str_eq(got, want, "case %zu (op %d %s %s): trees differ", i, s->op, s->a,
				 s->b ? s->b : "");
	}
	cr_assert_eq(chdir("/"), 0);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(dir);
}
