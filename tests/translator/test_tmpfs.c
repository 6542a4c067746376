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
	mnt = (struct lx_mount){.path = "/dev/shm",
				.len = 8,
				.ops = &lx_tmpfs_ops,
				.priv = tmpfs_new(),
				.dev = 0x15};
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

#define N85	"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
#define NAME255 N85 N85 N85
#define NAME256 NAME255 "n"
#define T127                                                                                       \
	"tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt" \
	"ttttttttttttttttttttttttttttttttttttttt"

/* clang-format off */
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
/* clang-format on */

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
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && n < 64)
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
			cr_assert_lt(n, 64);
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

static char host_dir[] = "/dev/shm/lxrun-tmpfs-XXXXXX";
static int host_dir_made;

/* Runs even when an assertion ended the test early. */
static void host_dir_remove(void)
{
	if (chdir("/") == 0 && host_dir_made) {
		nftw(host_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		rmdir(host_dir);
	}
}

Test(tmpfs, namespace_ops_match_host_tmpfs, .fini = host_dir_remove)
{
	struct statfs sf;
	if (statfs("/dev/shm", &sf) != 0 || sf.f_type != 0x01021994 || !mkdtemp(host_dir))
		cr_skip_test("no host tmpfs at /dev/shm to compare with");
	host_dir_made = 1;
	cr_assert_eq(chdir(host_dir), 0);
	cr_assert_eq(chmod(".", 01777), 0); /* as our root */
	static char want[16384], got[16384];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct step *s = &cases[i];
		if (!s->cont)
			both_reset(host_dir);
		int rn = native(s), ro = ours(s);
		cr_expect_eq(ro, rn, "case %zu (op %d %s %s %ld): tmpfs %d, Linux %d", i, s->op,
			     s->a, s->b ? s->b : "", s->arg, ro, rn);
		want[0] = got[0] = 0;
		native_tree(".", want);
		our_tree("/", got);
		cr_expect_str_eq(got, want, "case %zu (op %d %s %s): trees differ", i, s->op, s->a,
				 s->b ? s->b : "");
	}
}

/* ---- the rest: values observed on Linux 6.18's tmpfs (/dev/shm) with small C probes ---- */

Test(tmpfs, root_and_statfs)
{
	struct linux_stat st = xstat("/");
	cr_assert_eq(st.st_mode, LINUX_S_IFDIR | 01777, "a fresh tmpfs root is 1777");
	cr_assert_eq(st.st_nlink, 2);
	cr_assert_eq(st.st_size, 40);
	cr_assert_eq(st.st_dev, 0x15);
	cr_assert_eq(st.st_uid, getuid());
	cr_assert_eq(st.st_gid, getgid());
	cr_assert_eq(st.st_blksize, 4096);
	struct linux_statfs sf, sf2;
	cr_assert_eq(ops->statfs(&mnt, "/", &sf), 0);
	cr_assert_eq(sf.f_type, 0x01021994);
	cr_assert_eq(sf.f_bsize, 4096);
	cr_assert_eq(sf.f_frsize, 4096);
	cr_assert_eq(sf.f_namelen, 255);
	cr_assert_eq(sf.f_flags, 0x1020, "ST_VALID | ST_RELATIME, as /dev/shm shows");
	cr_assert(sf.f_blocks > 0 && sf.f_bfree == sf.f_blocks && sf.f_bavail == sf.f_bfree);
	cr_assert(sf.f_ffree > 0 && sf.f_ffree < sf.f_files);
	mkfile("/a", "x");
	cr_assert_eq(ops->statfs(&mnt, "/a", &sf2), 0);
	cr_assert_eq(sf2.f_bfree, sf.f_bfree - 1, "one page of data");
	cr_assert_eq(sf2.f_ffree, sf.f_ffree - 1);
	cr_assert_eq(ops->statfs(&mnt, "/nope", &sf2), -LINUX_ENOENT);
}

Test(tmpfs, read_write_seek)
{
	char buf[64] = {0};
	struct lx_file *f = xopen("/f", LINUX_O_CREAT | LINUX_O_RDWR, 0600);
	cr_assert_eq(xfstat(f).st_mode, LINUX_S_IFREG | 0600);
	cr_assert_eq(xwrite(f, "hello"), 5);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_CUR), 5);
	cr_assert_eq(f->ops->read(f, (uint64_t)(uintptr_t)buf, sizeof(buf)), 0, "at EOF");
	cr_assert_eq(f->ops->lseek(f, 1, LINUX_SEEK_SET), 1);
	cr_assert_eq(f->ops->read(f, (uint64_t)(uintptr_t)buf, 3), 3);
	cr_assert_str_eq(buf, "ell");
	cr_assert_eq(f->ops->pwrite(f, (uint64_t)(uintptr_t) "XY", 2, 10), 2);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_CUR), 4, "pread/pwrite keep the position");
	memset(buf, '?', sizeof(buf));
	cr_assert_eq(f->ops->pread(f, (uint64_t)(uintptr_t)buf, sizeof(buf), 0), 12);
	cr_assert_eq(memcmp(buf, "hello\0\0\0\0\0XY", 12), 0, "the gap reads as zeros");
	struct linux_stat st = xfstat(f);
	cr_assert_eq(st.st_size, 12);
	cr_assert_eq(st.st_blocks, 8);
	cr_assert_eq(st.st_nlink, 1);
	/* lseek errors (all EINVAL on Linux) */
	cr_assert_eq(f->ops->lseek(f, -1, LINUX_SEEK_SET), -LINUX_EINVAL);
	cr_assert_eq(f->ops->lseek(f, -100, LINUX_SEEK_CUR), -LINUX_EINVAL);
	cr_assert_eq(f->ops->lseek(f, 0, 5), -LINUX_EINVAL);
	cr_assert_eq(f->ops->lseek(f, -12, LINUX_SEEK_END), 0);
	cr_assert_eq(f->ops->lseek(f, 100, LINUX_SEEK_END), 112, "past the end is fine");
	cr_assert_eq(f->ops->pread(f, (uint64_t)(uintptr_t)buf, 1, -1), -LINUX_EINVAL);
	cr_assert_eq(f->ops->pwrite(f, (uint64_t)(uintptr_t)buf, 1, -1), -LINUX_EINVAL);
	cr_assert_eq(f->ops->getdents64(f, (uint64_t)(uintptr_t)buf, sizeof(buf)), -LINUX_ENOTDIR);
	cr_assert_eq(f->ops->ftruncate(f, -1), -LINUX_EINVAL);
	lx_file_put(f);
	/* access modes: Linux gives EBADF for I/O and EINVAL for ftruncate */
	f = xopen("/f", LINUX_O_RDONLY, 0);
	cr_assert_eq(xwrite(f, "x"), -LINUX_EBADF);
	cr_assert_eq(f->ops->ftruncate(f, 0), -LINUX_EINVAL);
	lx_file_put(f);
	f = xopen("/f", LINUX_O_WRONLY, 0);
	cr_assert_eq(f->ops->read(f, (uint64_t)(uintptr_t)buf, 1), -LINUX_EBADF);
	lx_file_put(f);
}

Test(tmpfs, seek_data_hole)
{
	struct lx_file *f = xopen("/f", LINUX_O_CREAT | LINUX_O_RDWR, 0600);
	cr_assert_eq(xwrite(f, "hello"), 5);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_DATA), 0);
	cr_assert_eq(f->ops->lseek(f, 4, LINUX_SEEK_DATA), 4);
	cr_assert_eq(f->ops->lseek(f, 5, LINUX_SEEK_DATA), -LINUX_ENXIO);
	cr_assert_eq(f->ops->lseek(f, -1, LINUX_SEEK_DATA), -LINUX_ENXIO);
	cr_assert_eq(f->ops->lseek(f, 1, LINUX_SEEK_HOLE), 5);
	cr_assert_eq(f->ops->lseek(f, 6, LINUX_SEEK_HOLE), -LINUX_ENXIO);
	lx_file_put(f);
	/* A sparse file: truncate up, then one byte at 8192 and one at 1 MiB. */
	f = xopen("/big", LINUX_O_CREAT | LINUX_O_RDWR, 0600);
	cr_assert_eq(f->ops->ftruncate(f, 1 << 20), 0);
	cr_assert_eq(xfstat(f).st_blocks, 0, "growing allocates nothing");
	cr_assert_eq(f->ops->ftruncate(f, 100), 0);
	cr_assert_eq(f->ops->pwrite(f, (uint64_t)(uintptr_t) "x", 1, 8192), 1);
	cr_assert_eq(xfstat(f).st_size, 8193);
	cr_assert_eq(xfstat(f).st_blocks, 8);
	cr_assert_eq(f->ops->pwrite(f, (uint64_t)(uintptr_t) "x", 1, 1 << 20), 1);
	cr_assert_eq(xfstat(f).st_blocks, 16);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_HOLE), 0);
	cr_assert_eq(f->ops->lseek(f, 4096, LINUX_SEEK_DATA), 8192);
	cr_assert_eq(f->ops->lseek(f, 8193, LINUX_SEEK_HOLE), 12288);
	cr_assert_eq(f->ops->lseek(f, 12288, LINUX_SEEK_DATA), 1 << 20);
	lx_file_put(f);
}

Test(tmpfs, append)
{
	char buf[16] = {0};
	mkfile("/f", "hello");
	struct lx_file *f = xopen("/f", LINUX_O_WRONLY | LINUX_O_APPEND, 0);
	/* Linux appends even for pwrite on an O_APPEND file and leaves the position alone. */
	cr_assert_eq(f->ops->pwrite(f, (uint64_t)(uintptr_t) "XY", 2, 0), 2);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_CUR), 0);
	cr_assert_eq(xwrite(f, "Z"), 1);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_CUR), 8);
	lx_file_put(f);
	f = xopen("/f", LINUX_O_RDONLY, 0);
	cr_assert_eq(f->ops->read(f, (uint64_t)(uintptr_t)buf, sizeof(buf)), 8);
	cr_assert_str_eq(buf, "helloXYZ");
	lx_file_put(f);
}

Test(tmpfs, truncate_zero_fills)
{
	char buf[32];
	mkfile("/f", "abcdefgh");
	cr_assert_eq(ops->truncate(&mnt, "/f", 3), 0);
	cr_assert_eq(ops->truncate(&mnt, "/f", 10), 0);
	struct lx_file *f = xopen("/f", LINUX_O_RDONLY, 0);
	cr_assert_eq(f->ops->read(f, (uint64_t)(uintptr_t)buf, sizeof(buf)), 10);
	cr_assert_eq(memcmp(buf, "abc\0\0\0\0\0\0\0", 10), 0, "old bytes must not come back");
	lx_file_put(f);
	f = xopen("/f", LINUX_O_RDWR | LINUX_O_TRUNC, 0);
	cr_assert_eq(xfstat(f).st_size, 0);
	cr_assert_eq(xfstat(f).st_blocks, 0);
	lx_file_put(f);
}

Test(tmpfs, directory_files)
{
	char buf[64];
	cr_assert_eq(ops->mkdir(&mnt, "/d", 0755), 0);
	struct lx_file *f = xopen("/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
	cr_assert_eq(f->ops->read(f, (uint64_t)(uintptr_t)buf, 1), -LINUX_EISDIR);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_END), -LINUX_EINVAL);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_DATA), -LINUX_EINVAL);
	cr_assert_eq(f->ops->lseek(f, -1, LINUX_SEEK_SET), -LINUX_EINVAL);
	cr_assert_eq(f->ops->lseek(f, 3, LINUX_SEEK_SET), 3);
	cr_assert_eq(f->ops->ftruncate(f, 0), -LINUX_EINVAL);
	lx_file_put(f);
	/* O_PATH: fstat works, I/O is EBADF */
	f = xopen("/d", LINUX_O_PATH, 0);
	cr_assert_eq(f->ops->getdents64(f, (uint64_t)(uintptr_t)buf, sizeof(buf)), -LINUX_EBADF);
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_SET), -LINUX_EBADF);
	cr_assert(LINUX_S_ISDIR(xfstat(f).st_mode));
	lx_file_put(f);
	mkfile("/f", "x");
	f = xopen("/f", LINUX_O_PATH, 0);
	cr_assert_eq(f->ops->read(f, (uint64_t)(uintptr_t)buf, 1), -LINUX_EBADF);
	cr_assert_eq(xwrite(f, "x"), -LINUX_EBADF);
	lx_file_put(f);
	cr_assert_eq(ops->symlink(&mnt, "f", "/l"), 0);
	f = xopen("/l", LINUX_O_PATH | LINUX_O_NOFOLLOW, 0);
	cr_assert(LINUX_S_ISLNK(xfstat(f).st_mode), "O_PATH|O_NOFOLLOW opens the link itself");
	lx_file_put(f);
}

struct ent {
	char name[64];
	uint64_t ino;
	int64_t off;
	unsigned type;
};

/* Read a whole directory with a buffer of n bytes per call. */
static int list(struct lx_file *f, size_t n, struct ent *out, int max)
{
	char buf[4096];
	int k = 0;
	for (long got; (got = f->ops->getdents64(f, (uint64_t)(uintptr_t)buf, n)) != 0;) {
		cr_assert(got > 0, "getdents64: %ld", got);
		for (long o = 0; o < got; k++) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + o);
			cr_assert_lt(k, max);
			cr_assert_eq(d->d_reclen % 8, 0);
			snprintf(out[k].name, sizeof(out[k].name), "%s", d->d_name);
			out[k].ino = d->d_ino;
			out[k].off = d->d_off;
			out[k].type = d->d_type;
			o += d->d_reclen;
		}
	}
	return k;
}

static int find(const struct ent *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return i;
	return -1;
}

Test(tmpfs, getdents)
{
	struct ent big[16], small[16];
	cr_assert_eq(ops->mkdir(&mnt, "/d", 0755), 0);
	cr_assert_eq(ops->mkdir(&mnt, "/d/sub", 0755), 0);
	mkfile("/d/c", "");
	mkfile("/d/a", "");
	cr_assert_eq(ops->symlink(&mnt, "a", "/d/l"), 0);
	struct lx_file *f = xopen("/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
	int n = list(f, 4096, big, 16);
	cr_assert_eq(n, 6);
	cr_assert_eq(f->ops->getdents64(f, (uint64_t)(uintptr_t)big, 24), 0, "at the end: 0");
	cr_assert_eq(big[find(big, n, ".")].ino, xstat("/d").st_ino);
	cr_assert_eq(big[find(big, n, "..")].ino, xstat("/").st_ino);
	cr_assert_eq(big[find(big, n, "sub")].ino, xstat("/d/sub").st_ino);
	cr_assert_eq(big[find(big, n, ".")].type, LINUX_DT_DIR);
	cr_assert_eq(big[find(big, n, "sub")].type, LINUX_DT_DIR);
	cr_assert_eq(big[find(big, n, "c")].type, LINUX_DT_REG);
	cr_assert_eq(big[find(big, n, "l")].type, LINUX_DT_LNK);
	/* One 24-byte record per call gives the same listing; 23 bytes fit nothing. */
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_SET), 0);
	cr_assert_eq(list(f, 24, small, 16), n);
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(small[i].name, big[i].name, "stable order");
	cr_assert_eq(f->ops->lseek(f, 0, LINUX_SEEK_SET), 0);
	cr_assert_eq(f->ops->getdents64(f, (uint64_t)(uintptr_t)small, 23), -LINUX_EINVAL);
	cr_assert_eq(f->ops->getdents64(f, 1, 4096), -LINUX_EFAULT);
	/* lseek to an entry's d_off resumes right after it */
	for (int i = 0; i < n; i++) {
		struct ent rest[16];
		cr_assert_eq(f->ops->lseek(f, big[i].off, LINUX_SEEK_SET), big[i].off);
		int m = list(f, 4096, rest, 16);
		cr_assert_eq(m, n - 1 - i, "resume after entry %d", i);
		for (int j = 0; j < m; j++)
			cr_assert_str_eq(rest[j].name, big[i + 1 + j].name);
	}
	lx_file_put(f);
}

Test(tmpfs, getdents_while_changing)
{
	char name[16];
	struct ent e[64];
	cr_assert_eq(ops->mkdir(&mnt, "/d", 0755), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/d/%d", i);
		mkfile(name, "");
	}
	struct lx_file *f = xopen("/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
	char buf[24 * 5];
	long got = f->ops->getdents64(f, (uint64_t)(uintptr_t)buf, sizeof(buf));
	cr_assert_eq(got, 24 * 5, ". .. and three entries");
	/* Remove everything, including the entry the position points after, and add one. */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/d/%d", i);
		cr_assert_eq(ops->unlink(&mnt, name), 0);
	}
	mkfile("/d/new", "");
	int n = list(f, 4096, e, 64);
	cr_assert_eq(n, 1, "only the entry created after the removals is left");
	cr_assert_str_eq(e[0].name, "new");
	lx_file_put(f);
	/* A removed directory: Linux fails getdents64 with ENOENT; fstat shows nlink 0. */
	f = xopen("/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
	cr_assert_eq(ops->unlink(&mnt, "/d/new"), 0);
	cr_assert_eq(ops->rmdir(&mnt, "/d"), 0);
	cr_assert_eq(f->ops->getdents64(f, (uint64_t)(uintptr_t)buf, sizeof(buf)), -LINUX_ENOENT);
	cr_assert_eq(xfstat(f).st_nlink, 0);
	cr_assert_eq(xfstat(f).st_size, 40);
	lx_file_put(f);
}

Test(tmpfs, unlinked_open_file)
{
	char buf[8] = {0};
	struct linux_statfs before, during, after;
	cr_assert_eq(ops->statfs(&mnt, "/", &before), 0);
	struct lx_file *f = xopen("/f", LINUX_O_CREAT | LINUX_O_RDWR, 0644);
	struct lx_file *g = lx_file_get(f);
	cr_assert_eq(ops->unlink(&mnt, "/f"), 0);
	struct linux_stat st;
	cr_assert_eq(ops->stat(&mnt, "/f", &st), -LINUX_ENOENT);
	cr_assert_eq(xwrite(f, "abc"), 3);
	cr_assert_eq(f->ops->pread(f, (uint64_t)(uintptr_t)buf, sizeof(buf), 0), 3);
	cr_assert_str_eq(buf, "abc");
	cr_assert_eq(xfstat(f).st_nlink, 0);
	cr_assert_eq(xfstat(f).st_size, 3);
	mkfile("/f", "other"); /* the name is free again */
	cr_assert_eq(xfstat(f).st_size, 3);
	cr_assert_eq(ops->unlink(&mnt, "/f"), 0);
	cr_assert_eq(ops->statfs(&mnt, "/", &during), 0);
	cr_assert_eq(during.f_bfree, before.f_bfree - 1, "the open file still holds its page");
	lx_file_put(f);
	cr_assert_eq(xfstat(g).st_size, 3, "alive while any reference is");
	lx_file_put(g);
	cr_assert_eq(ops->statfs(&mnt, "/", &after), 0);
	cr_assert_eq(after.f_bfree, before.f_bfree, "freed on last close");
	cr_assert_eq(after.f_ffree, before.f_ffree);
}

Test(tmpfs, bad_guest_pointers)
{
	struct lx_file *f = xopen("/f", LINUX_O_CREAT | LINUX_O_RDWR, 0644);
	cr_assert_eq(f->ops->write(f, 1, 10), -LINUX_EFAULT);
	cr_assert_eq(xfstat(f).st_size, 0, "a failed write leaves no bytes");
	cr_assert_eq(xwrite(f, "hello"), 5);
	cr_assert_eq(f->ops->pread(f, 1, 5, 0), -LINUX_EFAULT);
	cr_assert_eq(f->ops->pread(f, 0xffff800000000000ull, 5, 0), -LINUX_EFAULT);
	cr_assert_eq(f->ops->pwrite(f, 1, 5, 100), -LINUX_EFAULT);
	cr_assert_eq(xfstat(f).st_size, 5);
	cr_assert_eq(ops->truncate(&mnt, "/f", 200), 0);
	char buf[200];
	cr_assert_eq(f->ops->pread(f, (uint64_t)(uintptr_t)buf, sizeof(buf), 0), 200);
	for (int i = 5; i < 200; i++)
		cr_assert_eq(buf[i], 0, "byte %d", i);
	lx_file_put(f);
}

Test(tmpfs, readlink_and_resolve)
{
	char buf[LX_PATH_MAX];
	cr_assert_eq(ops->mkdir(&mnt, "/d", 0755), 0);
	mkfile("/f", "");
	cr_assert_eq(ops->symlink(&mnt, "target", "/rel"), 0);
	cr_assert_eq(ops->symlink(&mnt, "../up", "/d/rel"), 0);
	cr_assert_eq(ops->symlink(&mnt, "/etc/passwd", "/abs"), 0);
	cr_assert_eq(ops->readlink(&mnt, "/rel", buf, 3), 3);
	cr_assert_eq(memcmp(buf, "tar", 3), 0);
	cr_assert_eq(ops->readlink(&mnt, "/abs", buf, sizeof(buf)), 11);
	cr_assert_eq(ops->readlink(&mnt, "/f", buf, sizeof(buf)), -LINUX_EINVAL);
	cr_assert_eq(ops->readlink(&mnt, "/nope", buf, sizeof(buf)), -LINUX_ENOENT);
	cr_assert_eq(xstat("/abs").st_size, 11);
	cr_assert_eq(xstat("/abs").st_mode, LINUX_S_IFLNK | 0777);

	cr_assert_eq(ops->resolve(&mnt, "/", 1, buf, sizeof(buf)), 0);
	cr_assert_eq(ops->resolve(&mnt, "/d", 1, buf, sizeof(buf)), 0);
	cr_assert_eq(ops->resolve(&mnt, "/missing", 1, buf, sizeof(buf)), 0, "creatable");
	cr_assert_eq(ops->resolve(&mnt, "/abs", 0, buf, sizeof(buf)), 0, "final, not followed");
	cr_assert_eq(ops->resolve(&mnt, "/abs", 1, buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "/etc/passwd");
	cr_assert_eq(ops->resolve(&mnt, "/abs/x/y", 0, buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "/etc/passwd/x/y");
	cr_assert_eq(ops->resolve(&mnt, "/rel/z", 0, buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "/dev/shm/target/z");
	cr_assert_eq(ops->resolve(&mnt, "/d/rel", 1, buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "/dev/shm/d/../up");
	cr_assert_eq(ops->resolve(&mnt, "/missing/x", 1, buf, sizeof(buf)), -LINUX_ENOENT);
	cr_assert_eq(ops->resolve(&mnt, "/f/x", 1, buf, sizeof(buf)), -LINUX_ENOTDIR);
	cr_assert_eq(ops->resolve(&mnt, "/abs", 1, buf, 5), -LINUX_ENAMETOOLONG);
	cr_assert_eq(ops->resolve(&mnt, "/" NAME256, 1, buf, sizeof(buf)), -LINUX_ENAMETOOLONG);
	/* The same tmpfs mounted at "/": no prefix. */
	struct lx_mount root = mnt;
	root.path[0] = '/';
	root.path[1] = 0;
	root.len = 0;
	cr_assert_eq(ops->resolve(&root, "/rel", 1, buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "/target");
	cr_assert_eq(ops->resolve(&root, "/d/rel/q", 0, buf, sizeof(buf)), 1);
	cr_assert_str_eq(buf, "/d/../up/q");
}

static struct linux_timespec t_at(const char *p, int which)
{
	struct linux_stat st = xstat(p);
	uint64_t s[3][2] = {{st.st_atime_sec, st.st_atime_nsec},
			    {st.st_mtime_sec, st.st_mtime_nsec},
			    {st.st_ctime_sec, st.st_ctime_nsec}};
	return (struct linux_timespec){(int64_t)s[which][0], (int64_t)s[which][1]};
}

/* Run what, then report which of atime, mtime, ctime of p moved, as "amc" with '-' for same. */
#define CHANGED(p, what)                                                                           \
	({                                                                                         \
		struct linux_timespec b_[3], a_[3];                                                \
		static char r_[4];                                                                 \
		for (int i_ = 0; i_ < 3; i_++)                                                     \
			b_[i_] = t_at(p, i_);                                                      \
		usleep(2000);                                                                      \
		what;                                                                              \
		for (int i_ = 0; i_ < 3; i_++) {                                                   \
			a_[i_] = t_at(p, i_);                                                      \
			r_[i_] =                                                                   \
				a_[i_].tv_sec != b_[i_].tv_sec || a_[i_].tv_nsec != b_[i_].tv_nsec \
					? "amc"[i_]                                                \
					: '-';                                                     \
		}                                                                                  \
		r_;                                                                                \
	})

Test(tmpfs, timestamps)
{
	char buf[64];
	struct lx_file *f = xopen("/f", LINUX_O_CREAT | LINUX_O_RDWR, 0644);
	cr_assert_eq(ops->mkdir(&mnt, "/d", 0755), 0);
	cr_assert_str_eq(CHANGED("/f", xwrite(f, "x")), "-mc");
	cr_assert_str_eq(CHANGED("/f", xwrite(f, "")), "---");
	cr_assert_str_eq(CHANGED("/f", f->ops->pread(f, (uint64_t)(uintptr_t)buf, 1, 0)), "a--",
			 "relatime: atime was behind mtime");
	cr_assert_str_eq(CHANGED("/f", f->ops->pread(f, (uint64_t)(uintptr_t)buf, 1, 0)), "---",
			 "relatime: atime is ahead now");
	cr_assert_str_eq(CHANGED("/f", f->ops->ftruncate(f, 1)), "-mc", "even at the same size");
	cr_assert_str_eq(CHANGED("/f", ops->truncate(&mnt, "/f", 1)), "-mc");
	cr_assert_str_eq(CHANGED("/f", lx_file_put(xopen("/f", LINUX_O_RDONLY | LINUX_O_TRUNC, 0))),
			 "-mc");
	cr_assert_str_eq(CHANGED("/f", ops->chmod(&mnt, "/f", 0644)), "--c");
	cr_assert_str_eq(CHANGED("/f", ops->chown(&mnt, "/f", (uint32_t)-1, (uint32_t)-1)), "--c");
	cr_assert_str_eq(CHANGED("/f", ops->link(&mnt, "/f", "/d/l")), "--c");
	cr_assert_str_eq(CHANGED("/d", ops->unlink(&mnt, "/d/l")), "-mc");
	cr_assert_str_eq(CHANGED("/d", ops->mkdir(&mnt, "/d/n", 0755)), "-mc");
	cr_assert_str_eq(CHANGED("/d/n", ops->rename(&mnt, "/d/n", "/d/n", 0)), "---");
	cr_assert_str_eq(CHANGED("/", ops->rename(&mnt, "/d/n", "/n", 0)), "-mc");
	cr_assert_str_eq(CHANGED("/d", ops->rename(&mnt, "/n", "/d/n", 0)), "-mc");
	cr_assert_str_eq(CHANGED("/d/n", ops->rename(&mnt, "/d/n", "/d/n2", 0);
				 ops->rename(&mnt, "/d/n2", "/d/n", 0)),
			 "--c", "a moved directory gets a new ctime only");
	cr_assert_str_eq(CHANGED("/d", lx_file_put(xopen("/d/n", LINUX_O_RDONLY, 0))), "---");
	struct lx_file *d = xopen("/d", LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0);
	cr_assert_str_eq(CHANGED("/d", d->ops->getdents64(d, (uint64_t)(uintptr_t)buf, 64)), "a--");
	lx_file_put(d);
	const struct linux_timespec omit2[2] = {{0, UTIME_OMIT_L}, {0, UTIME_OMIT_L}};
	const struct linux_timespec m5[2] = {{0, UTIME_OMIT_L}, {5, 0}};
	const struct linux_timespec anow[2] = {{0, UTIME_NOW_L}, {0, UTIME_OMIT_L}};
	const struct linux_timespec bad[2] = {{0, 1000000000}, {0, UTIME_OMIT_L}};
	const struct linux_timespec neg[2] = {{-5, 0}, {0, UTIME_OMIT_L}};
	cr_assert_str_eq(CHANGED("/f", ops->utimens(&mnt, "/f", omit2)), "---");
	cr_assert_eq(ops->utimens(&mnt, "/nope", omit2), 0, "Linux does not even look");
	cr_assert_str_eq(CHANGED("/f", ops->utimens(&mnt, "/f", m5)), "-mc");
	cr_assert_eq(t_at("/f", 1).tv_sec, 5);
	cr_assert_eq(t_at("/f", 1).tv_nsec, 0);
	cr_assert_str_eq(CHANGED("/f", ops->utimens(&mnt, "/f", anow)), "a-c");
	cr_assert_str_eq(CHANGED("/f", ops->utimens(&mnt, "/f", NULL)), "amc");
	cr_assert_eq(ops->utimens(&mnt, "/f", bad), -LINUX_EINVAL);
	cr_assert_eq(ops->utimens(&mnt, "/f", neg), 0);
	cr_assert_eq(t_at("/f", 0).tv_sec, -5);
	cr_assert_eq(ops->utimens(&mnt, "/nope", NULL), -LINUX_ENOENT);
	lx_file_put(f);
}

Test(tmpfs, modes_and_owners)
{
	/* mkdir keeps the permission and sticky bits only; creat keeps all of 07777. */
	cr_assert_eq(ops->mkdir(&mnt, "/d", 07777), 0);
	cr_assert_eq(xstat("/d").st_mode, LINUX_S_IFDIR | 01777);
	lx_file_put(xopen("/f", LINUX_O_CREAT | LINUX_O_WRONLY, 07777));
	cr_assert_eq(xstat("/f").st_mode, LINUX_S_IFREG | 07777);
	cr_assert_eq(ops->chmod(&mnt, "/f", 0170644), 0);
	cr_assert_eq(xstat("/f").st_mode, LINUX_S_IFREG | 0644, "type bits are ignored");
	cr_assert_eq(ops->chown(&mnt, "/f", 1234, (uint32_t)-1), 0);
	cr_assert_eq(xstat("/f").st_uid, 1234);
	cr_assert_eq(xstat("/f").st_gid, getgid());
	cr_assert_eq(ops->chown(&mnt, "/f", (uint32_t)-1, 77), 0);
	cr_assert_eq(xstat("/f").st_uid, 1234);
	cr_assert_eq(xstat("/f").st_gid, 77);
	/* A set-group-ID directory passes its group on, and the bit to subdirectories. */
	cr_assert_eq(ops->chmod(&mnt, "/d", 02755), 0);
	cr_assert_eq(ops->chown(&mnt, "/d", (uint32_t)-1, 12), 0);
	cr_assert_eq(ops->mkdir(&mnt, "/d/s", 0755), 0);
	lx_file_put(xopen("/d/g", LINUX_O_CREAT | LINUX_O_WRONLY, 0644));
	cr_assert_eq(xstat("/d/s").st_mode, LINUX_S_IFDIR | 02755);
	cr_assert_eq(xstat("/d/s").st_gid, 12);
	cr_assert_eq(xstat("/d/g").st_mode, LINUX_S_IFREG | 0644);
	cr_assert_eq(xstat("/d/g").st_gid, 12);
	/* Inode numbers are unique and increasing. */
	cr_assert_gt(xstat("/d/g").st_ino, xstat("/d/s").st_ino);
	cr_assert_gt(xstat("/d/s").st_ino, xstat("/f").st_ino);
}

/* Criterion asserts only from the test's own thread: workers count their failures. */
static void *hammer(void *arg)
{
	char name[32];
	long id = (long)arg, bad = 0;
	struct lx_file *f, *g;
	if (ops->open(&mnt, "/shared", LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_APPEND, 0644, &f))
		return (void *)1;
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "/t%ld-%d", id, i);
		if (ops->open(&mnt, name, LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_WRONLY, 0644, &g))
			bad++;
		else
			lx_file_put(g);
		bad += xwrite(f, "0123456789") != 10;
		if (i % 2)
			bad += ops->unlink(&mnt, name) != 0;
	}
	lx_file_put(f);
	return (void *)bad;
}

Test(tmpfs, threads)
{
	pthread_t t[4];
	void *bad;
	for (long i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &bad);
		cr_assert_null(bad, "worker %d failed %ld ops", i, (long)bad);
	}
	cr_assert_eq(xstat("/shared").st_size, 4 * 200 * 10, "appends never overlap");
	cr_assert_eq(xstat("/").st_size, 40 + 20 * (4 * 100 + 1));
}
