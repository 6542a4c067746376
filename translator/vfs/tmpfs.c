/* SPDX-License-Identifier: MIT */
/* tmpfs: the in-memory filesystem (directories, regular files, symlinks) behind /dev/shm. */
#include "translator/vfs/vfs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"

#ifndef LINUX_UTIME_NOW
#define LINUX_UTIME_NOW	 ((1l << 30) - 1l)
#define LINUX_UTIME_OMIT ((1l << 30) - 2l)
#endif
#define LINUX_TMPFS_MAGIC  0x01021994
#define LINUX_ST_VALID	   0x0020
#define LINUX_ST_RELATIME  0x1000
#define LINUX_NAME_MAX	   255
#define LINUX_MAX_RW_COUNT 0x7ffff000l

#define TMPFS_PAGE	  4096
#define TMPFS_CHUNK	  512	       /* pages per second-level block of a file's page table */
#define TMPFS_CAP_PAGES	  (1ull << 18) /* 1 GiB of file data per instance */
#define TMPFS_MAX_INODES  (1ull << 20)
#define TMPFS_MAX_WRITE	  (1ll << 40) /* writes stop here (EFBIG) so page tables stay small */
#define TMPFS_BOGO_DIRENT 20	      /* Linux shows a dir's size as 40 + 20 per entry */
#define TMPFS_SHORT_LINK  128	      /* Linux keeps shorter targets inline: st_blocks 0 */

struct tmpfs;

struct tdirent {
	struct tnode *node;
	int64_t cookie; /* getdents position; increases with each insert, never reused */
	size_t len;
	char *name;
};

struct tnode {
	struct tmpfs *fs;
	uint32_t mode, uid, gid;
	uint64_t ino, nlink;
	int opens;
	int64_t size; /* regular file bytes, symlink target length */
	struct linux_timespec atime, mtime, ctime;
	/* directory */
	struct tnode *parent;
	struct tdirent *ents;
	size_t nents, cap;
	int64_t next_cookie;
	/* regular file: pages[idx / TMPFS_CHUNK][idx % TMPFS_CHUNK], NULL = hole */
	char ***chunks;
	size_t nchunks;
	uint64_t pages;
	/* symlink */
	char *target;
};

struct tmpfs {
	pthread_mutex_t lock;
	struct tnode *root;
	uint64_t next_ino, inodes, pages;
};

/* Where a path leads: the final component's parent dir, name and entry (idx -1: missing). */
struct where {
	struct tnode *dir;
	const char *name;
	size_t len; /* 0: the path is the root */
	long idx;
	struct tnode *node;
	const char *rest; /* walk_links(): the path after the symlink */
};

static struct linux_timespec now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (struct linux_timespec){t.tv_sec, t.tv_nsec};
}

static int ts_cmp(struct linux_timespec a, struct linux_timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	return (a.tv_nsec > b.tv_nsec) - (a.tv_nsec < b.tv_nsec);
}

/* relatime, the default mount option: atime moves when behind mtime/ctime or a day old. */
static void touch_atime(struct tnode *nd)
{
	struct linux_timespec t = now();
	if (ts_cmp(nd->atime, nd->mtime) <= 0 || ts_cmp(nd->atime, nd->ctime) <= 0 ||
	    t.tv_sec - nd->atime.tv_sec >= 24 * 3600)
		nd->atime = t;
}

static void touch_mc(struct tnode *nd)
{
	nd->mtime = nd->ctime = now();
}

static int is_dir(const struct tnode *nd)
{
	return LINUX_S_ISDIR(nd->mode);
}

static char *page_get(const struct tnode *nd, uint64_t idx)
{
	uint64_t c = idx / TMPFS_CHUNK;
	if (c >= nd->nchunks || !nd->chunks[c])
		return NULL;
	return nd->chunks[c][idx % TMPFS_CHUNK];
}

static int page_make(struct tnode *nd, uint64_t idx, char **out)
{
	uint64_t c = idx / TMPFS_CHUNK;
	if (c >= nd->nchunks) {
		size_t n = nd->nchunks ? nd->nchunks : 1;
		while (n <= c)
			n *= 2;
		char ***t = realloc(nd->chunks, n * sizeof(*t));
		if (!t)
			return -LINUX_ENOMEM;
		memset(t + nd->nchunks, 0, (n - nd->nchunks) * sizeof(*t));
		nd->chunks = t;
		nd->nchunks = n;
	}
	if (!nd->chunks[c] && !(nd->chunks[c] = calloc(TMPFS_CHUNK, sizeof(char *))))
		return -LINUX_ENOMEM;
	char **slot = &nd->chunks[c][idx % TMPFS_CHUNK];
	if (!*slot) {
		if (nd->fs->pages >= TMPFS_CAP_PAGES)
			return -LINUX_ENOSPC;
		if (!(*slot = calloc(1, TMPFS_PAGE)))
			return -LINUX_ENOMEM;
		nd->fs->pages++;
		nd->pages++;
	}
	*out = *slot;
	return 0;
}

/* Drop the pages past size and zero the tail of the last one: bytes past the size are always
 * zero, so growing the file again (truncate, a write past the end) shows zeros. */
static void pages_trim(struct tnode *nd, int64_t size)
{
	uint64_t keep = ((uint64_t)size + TMPFS_PAGE - 1) / TMPFS_PAGE;
	for (uint64_t c = keep / TMPFS_CHUNK; c < nd->nchunks; c++) {
		char **blk = nd->chunks[c];
		if (!blk)
			continue;
		for (uint64_t i = 0; i < TMPFS_CHUNK; i++) {
			if (c * TMPFS_CHUNK + i < keep || !blk[i])
				continue;
			free(blk[i]);
			blk[i] = NULL;
			nd->pages--;
			nd->fs->pages--;
		}
		if (c * TMPFS_CHUNK >= keep) {
			free(blk);
			nd->chunks[c] = NULL;
		}
	}
	char *pg = size % TMPFS_PAGE ? page_get(nd, (uint64_t)size / TMPFS_PAGE) : NULL;
	if (pg)
		memset(pg + size % TMPFS_PAGE, 0, TMPFS_PAGE - size % TMPFS_PAGE);
}

static void node_truncate(struct tnode *nd, int64_t len)
{
	if (len < nd->size)
		pages_trim(nd, len);
	nd->size = len;
	touch_mc(nd);
}

static int node_new(struct tmpfs *fs, struct tnode *dir, uint32_t mode, struct tnode **out)
{
	if (fs->inodes >= TMPFS_MAX_INODES)
		return -LINUX_ENOSPC;
	struct tnode *nd = calloc(1, sizeof(*nd));
	if (!nd)
		return -LINUX_ENOMEM;
	nd->fs = fs;
	nd->mode = mode;
	nd->uid = getuid();
	nd->gid = getgid();
	/* A set-group-ID directory hands its group down, and its S_ISGID to subdirectories. */
	if (dir && (dir->mode & LINUX_S_ISGID)) {
		nd->gid = dir->gid;
		if (LINUX_S_ISDIR(mode))
			nd->mode |= LINUX_S_ISGID;
	}
	nd->ino = fs->next_ino++;
	nd->nlink = LINUX_S_ISDIR(mode) ? 2 : 1;
	nd->parent = nd;
	nd->next_cookie = 2;
	nd->atime = nd->mtime = nd->ctime = now();
	fs->inodes++;
	*out = nd;
	return 0;
}

/* Free a node nothing refers to any more: no name and no open file. */
static void node_maybe_free(struct tnode *nd)
{
	if (nd->nlink || nd->opens)
		return;
	pages_trim(nd, 0);
	free(nd->chunks);
	free(nd->target);
	free(nd->ents); /* empty: only empty directories lose their last link */
	nd->fs->inodes--;
	free(nd);
}

static long dir_find(const struct tnode *dir, const char *name, size_t len)
{
	for (size_t i = 0; i < dir->nents; i++)
		if (dir->ents[i].len == len && !memcmp(dir->ents[i].name, name, len))
			return (long)i;
	return -1;
}

/* Index of the first entry whose cookie is >= pos (entries are sorted by cookie). */
static size_t dir_seek(const struct tnode *dir, int64_t pos)
{
	size_t lo = 0, hi = dir->nents;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (dir->ents[mid].cookie < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int dir_insert(struct tnode *dir, const char *name, size_t len, struct tnode *nd)
{
	if (dir->nents == dir->cap) {
		size_t n = dir->cap ? dir->cap * 2 : 8;
		struct tdirent *e = realloc(dir->ents, n * sizeof(*e));
		if (!e)
			return -LINUX_ENOMEM;
		dir->ents = e;
		dir->cap = n;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -LINUX_ENOMEM;
	memcpy(copy, name, len);
	copy[len] = 0;
	dir->ents[dir->nents++] = (struct tdirent){nd, dir->next_cookie++, len, copy};
	if (is_dir(nd)) {
		dir->nlink++;
		nd->parent = dir;
	}
	touch_mc(dir);
	return 0;
}

static void entry_del(struct tnode *dir, size_t idx)
{
	free(dir->ents[idx].name);
	memmove(&dir->ents[idx], &dir->ents[idx + 1], (dir->nents - idx - 1) * sizeof(*dir->ents));
	dir->nents--;
}

/* nd lost its name in dir: drop that link (a directory has only the one). */
static void unlink_node(struct tnode *dir, struct tnode *nd)
{
	if (is_dir(nd)) {
		dir->nlink--;
		nd->nlink = 0;
	} else {
		nd->nlink--;
	}
	nd->ctime = now();
	node_maybe_free(nd);
}

static void dir_remove(struct tnode *dir, size_t idx)
{
	struct tnode *nd = dir->ents[idx].node;
	entry_del(dir, idx);
	touch_mc(dir);
	unlink_node(dir, nd);
}

/* Walk p. 0: *w describes the final component (w->node NULL if missing). 1: a symlink must be
 * followed (an intermediate one, or the final one when follow is set): w->node is the link,
 * w->name its name inside p and w->rest what comes after it. Else a negative errno. */
static int walk_links(struct tmpfs *fs, const char *p, int follow, struct where *w)
{
	struct tnode *cur = fs->root;
	*w = (struct where){cur, "", 0, -1, cur, ""};
	while (*p == '/')
		p++;
	while (*p) {
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - s);
		const char *rest = p;
		while (*p == '/')
			p++;
		if (len > LINUX_NAME_MAX)
			return -LINUX_ENAMETOOLONG;
		if (!is_dir(cur))
			return -LINUX_ENOTDIR;
		long i = dir_find(cur, s, len);
		*w = (struct where){cur, s, len, i, i >= 0 ? cur->ents[i].node : NULL, rest};
		if (i < 0)
			return *p ? -LINUX_ENOENT : 0;
		cur = w->node;
		if (LINUX_S_ISLNK(cur->mode) && (*p || follow))
			return 1;
	}
	return 0;
}

/* The ops run after resolve() rewrote every symlink on the way, so one left there is a race. */
static int walk(struct tmpfs *fs, const char *p, struct where *w)
{
	int r = walk_links(fs, p, 0, w);
	return r > 0 ? -LINUX_ENOTDIR : r;
}

static int tmpfs_resolve(struct lx_mount *m, const char *p, int follow, char *out, size_t outlen)
{
	struct tmpfs *fs = m->priv;
	struct where w;
	pthread_mutex_lock(&fs->lock);
	int n, r = walk_links(fs, p, follow, &w);
	if (r > 0) {
		const char *t = w.node->target;
		if (t[0] == '/')
			n = snprintf(out, outlen, "%s%s", t, w.rest);
		else /* relative to the link's directory: mount point + parent + target */
			n = snprintf(out, outlen, "%.*s%.*s/%s%s", (int)m->len, m->path,
				     (int)(w.name - 1 - p), p, t, w.rest);
		r = n < 0 || (size_t)n >= outlen ? -LINUX_ENAMETOOLONG : 1;
	}
	pthread_mutex_unlock(&fs->lock);
	return r;
}

static void fill_stat(const struct tnode *nd, uint64_t dev, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = dev;
	st->st_ino = nd->ino;
	st->st_nlink = nd->nlink;
	st->st_mode = nd->mode;
	st->st_uid = nd->uid;
	st->st_gid = nd->gid;
	st->st_blksize = TMPFS_PAGE;
	if (is_dir(nd)) {
		st->st_size = TMPFS_BOGO_DIRENT * (2 + (int64_t)nd->nents);
	} else if (LINUX_S_ISLNK(nd->mode)) {
		st->st_size = nd->size;
		st->st_blocks = nd->size >= TMPFS_SHORT_LINK ? TMPFS_PAGE / 512 : 0;
	} else {
		st->st_size = nd->size;
		st->st_blocks = (int64_t)nd->pages * (TMPFS_PAGE / 512);
	}
	st->st_atime_sec = (uint64_t)nd->atime.tv_sec;
	st->st_atime_nsec = (uint64_t)nd->atime.tv_nsec;
	st->st_mtime_sec = (uint64_t)nd->mtime.tv_sec;
	st->st_mtime_nsec = (uint64_t)nd->mtime.tv_nsec;
	st->st_ctime_sec = (uint64_t)nd->ctime.tv_sec;
	st->st_ctime_nsec = (uint64_t)nd->ctime.tv_nsec;
}

/* ---- open files ---- */

static long data_read(struct tnode *nd, uint64_t buf, size_t n, int64_t off)
{
	if (off >= nd->size)
		return 0;
	if ((uint64_t)(nd->size - off) < n)
		n = (size_t)(nd->size - off);
	size_t done = 0;
	while (done < n) {
		uint64_t o = (uint64_t)off + done;
		size_t k = TMPFS_PAGE - o % TMPFS_PAGE;
		if (k > n - done)
			k = n - done;
		char *pg = page_get(nd, o / TMPFS_PAGE);
		int r = pg ? guest_copy_out(buf + done, pg + o % TMPFS_PAGE, k)
			   : guest_clear(buf + done, k);
		if (r < 0)
			return done ? (long)done : r;
		done += k;
	}
	return (long)done;
}

static long data_write(struct tnode *nd, uint64_t buf, size_t n, int64_t off)
{
	if (off >= TMPFS_MAX_WRITE)
		return -LINUX_EFBIG;
	if ((uint64_t)(TMPFS_MAX_WRITE - off) < n)
		n = (size_t)(TMPFS_MAX_WRITE - off);
	if (n)
		touch_mc(nd);
	size_t done = 0;
	while (done < n) {
		uint64_t o = (uint64_t)off + done;
		size_t k = TMPFS_PAGE - o % TMPFS_PAGE;
		if (k > n - done)
			k = n - done;
		char *pg;
		int r = page_make(nd, o / TMPFS_PAGE, &pg);
		if (r == 0 && (r = guest_copy_in(pg + o % TMPFS_PAGE, buf + done, k)) < 0) {
			/* Keep the invariant that bytes past the size are zero. */
			int64_t from = nd->size > (int64_t)o ? nd->size - (int64_t)o : 0;
			if ((uint64_t)from < k)
				memset(pg + o % TMPFS_PAGE + from, 0, k - (size_t)from);
		}
		if (r < 0)
			return done ? (long)done : r;
		done += k;
		if ((int64_t)(o + k) > nd->size)
			nd->size = (int64_t)(o + k);
	}
	return (long)done;
}

static long tfile_io(struct lx_file *f, uint64_t buf, size_t n, int64_t off, int wr, int at_pos)
{
	struct tnode *nd = f->priv;
	struct tmpfs *fs = nd->fs;
	unsigned acc = f->flags & LINUX_O_ACCMODE;
	long r;
	if ((f->flags & LINUX_O_PATH) || acc == LINUX_O_ACCMODE ||
	    acc == (wr ? LINUX_O_RDONLY : LINUX_O_WRONLY))
		return -LINUX_EBADF;
	if (is_dir(nd))
		return -LINUX_EISDIR;
	if (!at_pos && off < 0)
		return -LINUX_EINVAL;
	if (n > LINUX_MAX_RW_COUNT)
		n = LINUX_MAX_RW_COUNT;
	pthread_mutex_lock(&fs->lock);
	if (at_pos)
		off = f->pos;
	if (wr) {
		/* Linux appends even for pwrite on an O_APPEND file. */
		if (f->flags & LINUX_O_APPEND)
			off = nd->size;
		r = data_write(nd, buf, n, off);
	} else {
		r = data_read(nd, buf, n, off);
		if (n)
			touch_atime(nd);
	}
	if (r > 0 && at_pos)
		f->pos = off + r;
	pthread_mutex_unlock(&fs->lock);
	return r;
}

static long tfile_read(struct lx_file *f, uint64_t buf, size_t n)
{
	return tfile_io(f, buf, n, 0, 0, 1);
}

static long tfile_write(struct lx_file *f, uint64_t buf, size_t n)
{
	return tfile_io(f, buf, n, 0, 1, 1);
}

static long tfile_pread(struct lx_file *f, uint64_t buf, size_t n, int64_t off)
{
	return tfile_io(f, buf, n, off, 0, 0);
}

static long tfile_pwrite(struct lx_file *f, uint64_t buf, size_t n, int64_t off)
{
	return tfile_io(f, buf, n, off, 1, 0);
}

/* SEEK_DATA / SEEK_HOLE over the page table: unwritten pages are holes, as on Linux tmpfs. */
static int64_t seek_data_hole(const struct tnode *nd, int64_t off, int whence)
{
	if (off < 0 || off >= nd->size)
		return -LINUX_ENXIO;
	uint64_t idx = (uint64_t)off / TMPFS_PAGE, end = ((uint64_t)nd->size - 1) / TMPFS_PAGE;
	for (; idx <= end; idx++) {
		uint64_t c = idx / TMPFS_CHUNK;
		if (c >= nd->nchunks || !nd->chunks[c]) {
			if (whence == LINUX_SEEK_HOLE)
				break;
			if (c >= nd->nchunks)
				return -LINUX_ENXIO;
			idx = (c + 1) * TMPFS_CHUNK - 1;
			continue;
		}
		if (!nd->chunks[c][idx % TMPFS_CHUNK] == (whence == LINUX_SEEK_HOLE))
			break;
	}
	if (idx > end)
		return whence == LINUX_SEEK_HOLE ? nd->size : -LINUX_ENXIO;
	int64_t at = (int64_t)(idx * TMPFS_PAGE);
	return at > off ? (at < nd->size ? at : nd->size) : off;
}

static long tfile_lseek(struct lx_file *f, int64_t off, int whence)
{
	struct tnode *nd = f->priv;
	int64_t base, r;
	if (f->flags & LINUX_O_PATH)
		return -LINUX_EBADF;
	pthread_mutex_lock(&nd->fs->lock);
	switch (whence) {
	case LINUX_SEEK_SET:
		base = 0;
		break;
	case LINUX_SEEK_CUR:
		base = f->pos;
		break;
	case LINUX_SEEK_END:
		base = nd->size;
		break;
	case LINUX_SEEK_DATA:
	case LINUX_SEEK_HOLE:
		r = is_dir(nd) ? -LINUX_EINVAL : seek_data_hole(nd, off, whence);
		goto out;
	default:
		r = -LINUX_EINVAL;
		goto out;
	}
	/* A directory position is a getdents cookie: only SET and CUR make sense. */
	if ((is_dir(nd) && whence == LINUX_SEEK_END) || __builtin_add_overflow(base, off, &r) ||
	    r < 0)
		r = -LINUX_EINVAL;
out:
	if (r >= 0)
		f->pos = r;
	pthread_mutex_unlock(&nd->fs->lock);
	return r;
}

static long tfile_fstat(struct lx_file *f, void *st)
{
	struct tnode *nd = f->priv;
	pthread_mutex_lock(&nd->fs->lock);
	fill_stat(nd, f->mnt ? f->mnt->dev : 0, st);
	pthread_mutex_unlock(&nd->fs->lock);
	return 0;
}

static uint8_t dtype(const struct tnode *nd)
{
	if (is_dir(nd))
		return LINUX_DT_DIR;
	return LINUX_S_ISLNK(nd->mode) ? LINUX_DT_LNK : LINUX_DT_REG;
}

/* Positions: 0 is ".", 1 is "..", p >= 2 is the first entry whose cookie is >= p; an entry's
 * d_off is its cookie + 1, so lseek(d_off) resumes after it even if entries came and went. */
static long tfile_getdents64(struct lx_file *f, uint64_t buf, size_t n)
{
	struct tnode *dir = f->priv;
	if (f->flags & LINUX_O_PATH)
		return -LINUX_EBADF;
	if (!is_dir(dir))
		return -LINUX_ENOTDIR;
	pthread_mutex_lock(&dir->fs->lock);
	long r = 0;
	size_t used = 0;
	int64_t pos = f->pos;
	if (!dir->nlink) {
		r = -LINUX_ENOENT; /* removed while open, as Linux's IS_DEADDIR */
		goto out;
	}
	for (;;) {
		const struct tnode *nd = dir;
		const char *name = ".";
		size_t len = 1;
		int64_t next = pos + 1;
		if (pos == 1) {
			nd = dir->parent;
			name = "..";
			len = 2;
		} else if (pos > 1) {
			size_t i = dir_seek(dir, pos);
			if (i == dir->nents)
				break;
			nd = dir->ents[i].node;
			name = dir->ents[i].name;
			len = dir->ents[i].len;
			next = dir->ents[i].cookie + 1;
		}
		size_t reclen =
			(offsetof(struct linux_dirent64, d_name) + len + 1 + 7) & ~(size_t)7;
		if (reclen > n - used) {
			if (!used)
				r = -LINUX_EINVAL;
			break;
		}
		union {
			struct linux_dirent64 d;
			char b[offsetof(struct linux_dirent64, d_name) + LINUX_NAME_MAX + 8];
		} rec;
		memset(&rec, 0, reclen);
		rec.d.d_ino = nd->ino;
		rec.d.d_off = next;
		rec.d.d_reclen = (uint16_t)reclen;
		rec.d.d_type = dtype(nd);
		memcpy(rec.d.d_name, name, len);
		if (guest_copy_out(buf + used, &rec, reclen) < 0) {
			if (!used)
				r = -LINUX_EFAULT;
			break;
		}
		used += reclen;
		pos = next;
	}
	if (r == 0) {
		r = (long)used;
		f->pos = pos;
		touch_atime(dir);
	}
out:
	pthread_mutex_unlock(&dir->fs->lock);
	return r;
}

static long tfile_ftruncate(struct lx_file *f, int64_t len)
{
	struct tnode *nd = f->priv;
	unsigned acc = f->flags & LINUX_O_ACCMODE;
	if (f->flags & LINUX_O_PATH)
		return -LINUX_EBADF;
	if ((acc != LINUX_O_WRONLY && acc != LINUX_O_RDWR) || !LINUX_S_ISREG(nd->mode) || len < 0)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&nd->fs->lock);
	node_truncate(nd, len);
	pthread_mutex_unlock(&nd->fs->lock);
	return 0;
}

static void tfile_release(struct lx_file *f)
{
	struct tnode *nd = f->priv;
	struct tmpfs *fs = nd->fs;
	pthread_mutex_lock(&fs->lock);
	nd->opens--;
	node_maybe_free(nd);
	pthread_mutex_unlock(&fs->lock);
}

static const struct lx_file_ops tmpfs_file_ops = {
	.read = tfile_read,
	.write = tfile_write,
	.pread = tfile_pread,
	.pwrite = tfile_pwrite,
	.lseek = tfile_lseek,
	.fstat = tfile_fstat,
	.getdents64 = tfile_getdents64,
	.ftruncate = tfile_ftruncate,
	.release = tfile_release,
};

/* ---- filesystem ops ---- */

/* The checks of Linux's do_open()/may_open(), in its order, for an existing node. */
static int open_existing(struct tnode *nd, unsigned flags)
{
	int path_only = !!(flags & LINUX_O_PATH);
	if (!path_only && (flags & LINUX_O_CREAT)) {
		if (flags & LINUX_O_EXCL)
			return -LINUX_EEXIST;
		if (is_dir(nd))
			return -LINUX_EISDIR;
	}
	if ((flags & LINUX_O_DIRECTORY) && !is_dir(nd))
		return -LINUX_ENOTDIR;
	if (path_only)
		return 0;
	if (LINUX_S_ISLNK(nd->mode))
		return -LINUX_ELOOP; /* the VFS followed unless O_NOFOLLOW */
	if (is_dir(nd) && ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY || (flags & LINUX_O_TRUNC)))
		return -LINUX_EISDIR;
	if (LINUX_S_ISREG(nd->mode) && (flags & LINUX_O_TRUNC))
		node_truncate(nd, 0);
	return 0;
}

static int tmpfs_open(struct lx_mount *m, const char *p, unsigned flags, unsigned mode,
		      struct lx_file **out)
{
	struct tmpfs *fs = m->priv;
	struct tnode *nd;
	struct where w;
	int tmpfile = (flags & LINUX___O_TMPFILE) && !(flags & LINUX_O_PATH);
	unsigned acc = flags & LINUX_O_ACCMODE;
	if (tmpfile && acc != LINUX_O_WRONLY && acc != LINUX_O_RDWR)
		return -LINUX_EINVAL;
	if (!tmpfile && !(flags & LINUX_O_PATH) && (flags & LINUX_O_CREAT) &&
	    (flags & LINUX_O_DIRECTORY))
		return -LINUX_EINVAL;
	pthread_mutex_lock(&fs->lock);
	int r = walk(fs, p, &w);
	if (r < 0)
		goto out;
	nd = w.node;
	if (tmpfile) {
		/* An anonymous file in directory p: no name, gone on last close. */
		r = !nd ? -LINUX_ENOENT : !is_dir(nd) ? -LINUX_ENOTDIR : 0;
		if (r == 0 && (r = node_new(fs, nd, LINUX_S_IFREG | (mode & 07777), &nd)) == 0)
			nd->nlink = 0;
	} else if (nd) {
		r = open_existing(nd, flags);
	} else if (!(flags & LINUX_O_CREAT) || (flags & LINUX_O_PATH)) {
		r = -LINUX_ENOENT;
	} else if ((r = node_new(fs, w.dir, LINUX_S_IFREG | (mode & 07777), &nd)) == 0) {
		nd->nlink = 0;
		if ((r = dir_insert(w.dir, w.name, w.len, nd)) == 0)
			nd->nlink = 1;
		else
			node_maybe_free(nd);
	}
	if (r < 0)
		goto out;
	char path[LX_PATH_MAX];
	snprintf(path, sizeof(path), "%.*s%s", (int)m->len, m->path,
		 m->len && !strcmp(p, "/") ? "" : p);
	struct lx_file *f =
		lx_file_new(&tmpfs_file_ops, -1,
			    flags & ~(unsigned)(LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY |
						LINUX_O_TRUNC | LINUX_O_CLOEXEC),
			    path);
	if (!f) {
		node_maybe_free(nd);
		r = -LINUX_ENOMEM;
		goto out;
	}
	f->mnt = m;
	f->priv = nd;
	nd->opens++;
	*out = f;
out:
	pthread_mutex_unlock(&fs->lock);
	return r;
}

/* Look p up, which must exist. On success the lock stays held: release it with unlock_ret(). */
static int lookup(struct tmpfs *fs, const char *p, struct where *w)
{
	pthread_mutex_lock(&fs->lock);
	int r = walk(fs, p, w);
	if (r == 0 && !w->node)
		r = -LINUX_ENOENT;
	if (r < 0)
		pthread_mutex_unlock(&fs->lock);
	return r;
}

static int unlock_ret(struct tmpfs *fs, int r)
{
	pthread_mutex_unlock(&fs->lock);
	return r;
}

static int tmpfs_stat(struct lx_mount *m, const char *p, struct linux_stat *st)
{
	struct where w;
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	fill_stat(w.node, m->dev, st);
	return unlock_ret(m->priv, 0);
}

static long tmpfs_readlink(struct lx_mount *m, const char *p, char *buf, size_t size)
{
	struct where w;
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	if (!LINUX_S_ISLNK(w.node->mode))
		return unlock_ret(m->priv, -LINUX_EINVAL);
	size_t n = (size_t)w.node->size < size ? (size_t)w.node->size : size;
	memcpy(buf, w.node->target, n);
	return unlock_ret(m->priv, (int)n);
}

/* Create a new node at p (mkdir, symlink); fails with EEXIST if p exists. */
static int create(struct lx_mount *m, const char *p, uint32_t mode, const char *target)
{
	struct tmpfs *fs = m->priv;
	struct tnode *nd;
	struct where w;
	pthread_mutex_lock(&fs->lock);
	int r = walk(fs, p, &w);
	if (r < 0)
		return unlock_ret(fs, r);
	if (w.node)
		return unlock_ret(fs, -LINUX_EEXIST);
	if ((r = node_new(fs, w.dir, mode, &nd)) < 0)
		return unlock_ret(fs, r);
	if (target) {
		nd->size = (int64_t)strlen(target);
		nd->target = strdup(target);
	}
	if ((target && !nd->target) || (r = dir_insert(w.dir, w.name, w.len, nd)) < 0) {
		nd->nlink = 0;
		node_maybe_free(nd);
		return unlock_ret(fs, r < 0 ? r : -LINUX_ENOMEM);
	}
	return unlock_ret(fs, 0);
}

static int tmpfs_mkdir(struct lx_mount *m, const char *p, unsigned mode)
{
	/* Linux keeps only the permission and sticky bits of a mkdir mode. */
	return create(m, p, LINUX_S_IFDIR | (mode & 01777), NULL);
}

static int tmpfs_symlink(struct lx_mount *m, const char *target, const char *p)
{
	if (!*target)
		return -LINUX_ENOENT;
	if (strlen(target) >= TMPFS_PAGE)
		return -LINUX_ENAMETOOLONG;
	return create(m, p, LINUX_S_IFLNK | 0777, target);
}

static int tmpfs_rmdir(struct lx_mount *m, const char *p)
{
	struct where w;
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	if (!w.len)
		r = -LINUX_EBUSY;
	else if (!is_dir(w.node))
		r = -LINUX_ENOTDIR;
	else if (w.node->nents)
		r = -LINUX_ENOTEMPTY;
	else
		dir_remove(w.dir, (size_t)w.idx);
	return unlock_ret(m->priv, r);
}

static int tmpfs_unlink(struct lx_mount *m, const char *p)
{
	struct where w;
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	if (is_dir(w.node))
		r = -LINUX_EISDIR;
	else
		dir_remove(w.dir, (size_t)w.idx);
	return unlock_ret(m->priv, r);
}

/* Is a the directory d or one of its ancestors? */
static int is_ancestor(const struct tnode *a, const struct tnode *d)
{
	for (;; d = d->parent) {
		if (d == a)
			return 1;
		if (d->parent == d)
			return 0;
	}
}

static int rename_exchange(struct where *a, struct where *b)
{
	struct tnode *x = a->node, *y = b->node;
	a->dir->ents[a->idx].node = y;
	b->dir->ents[b->idx].node = x;
	if (a->dir != b->dir) {
		if (is_dir(x)) {
			a->dir->nlink--;
			b->dir->nlink++;
			x->parent = b->dir;
		}
		if (is_dir(y)) {
			b->dir->nlink--;
			a->dir->nlink++;
			y->parent = a->dir;
		}
	}
	y->ctime = now();
	return 0;
}

static int rename_move(struct where *a, struct where *b)
{
	struct tnode *x = a->node, *y = b->node;
	if (!y) {
		int r = dir_insert(b->dir, b->name, b->len, x); /* counts x's ".." in b->dir */
		if (r < 0)
			return r;
		entry_del(a->dir, (size_t)a->idx);
		if (is_dir(x))
			a->dir->nlink--;
		return 0;
	}
	if (is_dir(x) && !is_dir(y))
		return -LINUX_ENOTDIR;
	if (!is_dir(x) && is_dir(y))
		return -LINUX_EISDIR;
	if (is_dir(y) && y->nents)
		return -LINUX_ENOTEMPTY;
	/* Reuse the target's entry for x: no allocation, so nothing can fail half-way. */
	b->dir->ents[b->idx].node = x;
	entry_del(a->dir, (size_t)a->idx);
	if (is_dir(x) && a->dir != b->dir) {
		a->dir->nlink--;
		b->dir->nlink++;
		x->parent = b->dir;
	}
	unlink_node(b->dir, y);
	return 0;
}

static int tmpfs_rename(struct lx_mount *m, const char *from, const char *to, unsigned flags)
{
	struct tmpfs *fs = m->priv;
	struct where a, b;
	if (flags &
	    ~(unsigned)(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE | LINUX_RENAME_WHITEOUT))
		return -LINUX_EINVAL;
	if ((flags & LINUX_RENAME_EXCHANGE) &&
	    (flags & (LINUX_RENAME_NOREPLACE | LINUX_RENAME_WHITEOUT)))
		return -LINUX_EINVAL;
	if (flags & LINUX_RENAME_WHITEOUT)
		return -LINUX_EINVAL; /* a whiteout is a device node: this tmpfs has none */
	int r = lookup(fs, from, &a);
	if (r < 0)
		return r;
	if ((r = walk(fs, to, &b)) < 0)
		return unlock_ret(fs, r);
	if (!a.len || !b.len)
		return unlock_ret(fs, -LINUX_EBUSY);
	if ((flags & LINUX_RENAME_EXCHANGE) && !b.node)
		return unlock_ret(fs, -LINUX_ENOENT);
	if ((flags & LINUX_RENAME_NOREPLACE) && b.node)
		return unlock_ret(fs, -LINUX_EEXIST);
	if (is_ancestor(a.node, b.dir))
		return unlock_ret(fs, -LINUX_EINVAL);
	if (b.node && is_ancestor(b.node, a.dir))
		return unlock_ret(fs,
				  flags & LINUX_RENAME_EXCHANGE ? -LINUX_EINVAL : -LINUX_ENOTEMPTY);
	if (a.node == b.node)
		return unlock_ret(fs, 0);
	struct tnode *x = a.node;
	r = flags & LINUX_RENAME_EXCHANGE ? rename_exchange(&a, &b) : rename_move(&a, &b);
	if (r == 0) {
		x->ctime = now();
		touch_mc(a.dir);
		touch_mc(b.dir);
	}
	return unlock_ret(fs, r);
}

static int tmpfs_link(struct lx_mount *m, const char *from, const char *to)
{
	struct tmpfs *fs = m->priv;
	struct where a, b;
	int r = lookup(fs, from, &a);
	if (r < 0)
		return r;
	if ((r = walk(fs, to, &b)) < 0)
		return unlock_ret(fs, r);
	if (b.node)
		return unlock_ret(fs, -LINUX_EEXIST);
	if (is_dir(a.node))
		return unlock_ret(fs, -LINUX_EPERM);
	if ((r = dir_insert(b.dir, b.name, b.len, a.node)) == 0) {
		a.node->nlink++;
		a.node->ctime = now();
	}
	return unlock_ret(fs, r);
}

static int tmpfs_chmod(struct lx_mount *m, const char *p, unsigned mode)
{
	struct where w;
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	if (LINUX_S_ISLNK(w.node->mode))
		return unlock_ret(m->priv, -LINUX_EOPNOTSUPP);
	w.node->mode = (w.node->mode & LINUX_S_IFMT) | (mode & 07777);
	w.node->ctime = now();
	return unlock_ret(m->priv, 0);
}

static int tmpfs_chown(struct lx_mount *m, const char *p, uint32_t uid, uint32_t gid)
{
	struct where w;
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	struct tnode *nd = w.node;
	if (uid != (uint32_t)-1)
		nd->uid = uid;
	if (gid != (uint32_t)-1)
		nd->gid = gid;
	/* Linux drops set-user-ID, and set-group-ID when it means "group executable", on every
	 * chown of a non-directory, even chown(-1, -1) by root. */
	if (!is_dir(nd)) {
		nd->mode &= ~(uint32_t)LINUX_S_ISUID;
		if (nd->mode & LINUX_S_IXGRP)
			nd->mode &= ~(uint32_t)LINUX_S_ISGID;
	}
	nd->ctime = now();
	return unlock_ret(m->priv, 0);
}

static int tmpfs_utimens(struct lx_mount *m, const char *p, const struct linux_timespec ts[2])
{
	struct where w;
	for (int i = 0; ts && i < 2; i++)
		if (ts[i].tv_nsec != LINUX_UTIME_NOW && ts[i].tv_nsec != LINUX_UTIME_OMIT &&
		    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000))
			return -LINUX_EINVAL;
	if (ts && ts[0].tv_nsec == LINUX_UTIME_OMIT && ts[1].tv_nsec == LINUX_UTIME_OMIT)
		return 0; /* Linux returns before even looking the path up */
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	struct linux_timespec t = now();
	struct linux_timespec *dst[2] = {&w.node->atime, &w.node->mtime};
	for (int i = 0; i < 2; i++)
		if (!ts || ts[i].tv_nsec == LINUX_UTIME_NOW)
			*dst[i] = t;
		else if (ts[i].tv_nsec != LINUX_UTIME_OMIT)
			*dst[i] = ts[i];
	w.node->ctime = t;
	return unlock_ret(m->priv, 0);
}

static int tmpfs_truncate(struct lx_mount *m, const char *p, int64_t len)
{
	struct where w;
	if (len < 0)
		return -LINUX_EINVAL;
	int r = lookup(m->priv, p, &w);
	if (r < 0)
		return r;
	if (is_dir(w.node))
		r = -LINUX_EISDIR;
	else if (!LINUX_S_ISREG(w.node->mode))
		r = -LINUX_EINVAL;
	else
		node_truncate(w.node, len);
	return unlock_ret(m->priv, r);
}

static int tmpfs_statfs(struct lx_mount *m, const char *p, struct linux_statfs *st)
{
	struct tmpfs *fs = m->priv;
	struct where w;
	int r = lookup(fs, p, &w);
	if (r < 0)
		return r;
	memset(st, 0, sizeof(*st));
	st->f_type = LINUX_TMPFS_MAGIC;
	st->f_bsize = st->f_frsize = TMPFS_PAGE;
	st->f_blocks = TMPFS_CAP_PAGES;
	st->f_bfree = st->f_bavail = TMPFS_CAP_PAGES - fs->pages;
	st->f_files = TMPFS_MAX_INODES;
	st->f_ffree = TMPFS_MAX_INODES - fs->inodes;
	st->f_fsid[0] = (int32_t)m->dev;
	st->f_fsid[1] = (int32_t)(m->dev >> 32);
	st->f_namelen = LINUX_NAME_MAX;
	st->f_flags = LINUX_ST_VALID | LINUX_ST_RELATIME;
	return unlock_ret(fs, 0);
}

void *tmpfs_new(void)
{
	struct tmpfs *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	pthread_mutex_init(&fs->lock, NULL);
	fs->next_ino = 1;
	/* The root is world-writable and sticky, as a fresh tmpfs mount (and /dev/shm) is. */
	if (node_new(fs, NULL, LINUX_S_IFDIR | 01777, &fs->root) < 0) {
		free(fs);
		return NULL;
	}
	return fs;
}

const struct lx_fs_ops lx_tmpfs_ops = {
	.type = "tmpfs",
	.resolve = tmpfs_resolve,
	.open = tmpfs_open,
	.stat = tmpfs_stat,
	.readlink = tmpfs_readlink,
	.mkdir = tmpfs_mkdir,
	.rmdir = tmpfs_rmdir,
	.unlink = tmpfs_unlink,
	.rename = tmpfs_rename,
	.link = tmpfs_link,
	.symlink = tmpfs_symlink,
	.chmod = tmpfs_chmod,
	.chown = tmpfs_chown,
	.utimens = tmpfs_utimens,
	.truncate = tmpfs_truncate,
	.statfs = tmpfs_statfs,
};
