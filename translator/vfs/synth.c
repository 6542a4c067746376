/* SPDX-License-Identifier: MIT */
/* Synthetic files: a memory buffer with a position; synthetic directories for getdents64. */
#include "translator/vfs/synth.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/vfs/vfs.h"

struct synth {
	char *data;
	size_t len;
	struct linux_stat st;
	struct synth_dirent *ents;
	size_t nents;
	struct synth_dirent *(*fill)(int arg, size_t *n); /* a live directory (synth_dir_live) */
	int fill_arg;
};

/* A live directory read from its start: its entries made again, after "." and "..". */
static int refill(struct synth *s)
{
	size_t n = 0;
	struct synth_dirent *e = s->fill(s->fill_arg, &n);
	struct synth_dirent *all = e ? calloc(n + 2, sizeof(*all)) : NULL;
	if (!all) {
		free(e);
		return -LINUX_ENOMEM;
	}
	memcpy(all, s->ents, 2 * sizeof(*all));
	memcpy(all + 2, e, n * sizeof(*e));
	free(e);
	free(s->ents);
	s->ents = all;
	s->nents = n + 2;
	return 0;
}

static long s_pread(struct lx_file *f, uint64_t buf, size_t n, int64_t off)
{
	struct synth *s = f->priv;
	if (s->ents)
		return -LINUX_EISDIR;
	if (off < 0)
		return -LINUX_EINVAL;
	if ((uint64_t)off >= s->len)
		return 0;
	if (n > s->len - (size_t)off)
		n = s->len - (size_t)off;
	long r = guest_copy_out(buf, s->data + off, n);
	return r < 0 ? r : (long)n;
}

static long s_read(struct lx_file *f, uint64_t buf, size_t n)
{
	long r = s_pread(f, buf, n, f->pos);
	if (r > 0)
		f->pos += r;
	return r;
}

static long s_lseek(struct lx_file *f, int64_t off, int whence)
{
	struct synth *s = f->priv;
	int64_t base;
	switch (whence) {
	case LINUX_SEEK_SET:
		base = 0;
		break;
	case LINUX_SEEK_CUR:
		base = f->pos;
		break;
	case LINUX_SEEK_END:
		base = (int64_t)(s->ents ? s->nents : s->len);
		break;
	default:
		return -LINUX_EINVAL;
	}
	if (base + off < 0)
		return -LINUX_EINVAL;
	f->pos = base + off;
	return f->pos;
}

static long s_fstat(struct lx_file *f, void *st)
{
	struct synth *s = f->priv;
	memcpy(st, &s->st, sizeof(s->st));
	return 0;
}

/* d_off of entry i is i + 1, so lseek(fd, d_off) resumes after it. */
static long s_getdents64(struct lx_file *f, uint64_t buf, size_t n)
{
	struct synth *s = f->priv;
	if (!s->ents)
		return -LINUX_ENOTDIR;
	if (s->fill && f->pos == 0) {
		int r = refill(s);
		if (r < 0)
			return r;
	}
	size_t used = 0;
	while ((size_t)f->pos < s->nents) {
		const struct synth_dirent *e = &s->ents[f->pos];
		size_t nl = strlen(e->name);
		size_t reclen = (19 + nl + 1 + 7) & ~(size_t)7;
		if (used + reclen > n) {
			if (!used)
				return -LINUX_EINVAL;
			break;
		}
		char rec[19 + 256 + 8];
		memset(rec, 0, reclen);
		struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
		d->d_ino = e->ino ? e->ino : 1;
		d->d_off = f->pos + 1;
		d->d_reclen = (uint16_t)reclen;
		d->d_type = e->type;
		memcpy(rec + 19, e->name, nl);
		if (guest_copy_out(buf + used, rec, reclen) < 0)
			return used ? (long)used : -LINUX_EFAULT;
		used += reclen;
		f->pos++;
	}
	return (long)used;
}

static void s_release(struct lx_file *f)
{
	struct synth *s = f->priv;
	free(s->data);
	free(s->ents);
	free(s);
}

static const struct lx_file_ops synth_ops = {
	.read = s_read,
	.pread = s_pread,
	.lseek = s_lseek,
	.fstat = s_fstat,
	.getdents64 = s_getdents64,
	.release = s_release,
};

struct lx_file *synth_file_new(char *data, size_t len, const struct linux_stat *st)
{
	struct synth *s = calloc(1, sizeof(*s));
	struct lx_file *f = s ? lx_file_new(&synth_ops, -1, LINUX_O_RDONLY, NULL) : NULL;
	if (!f) {
		free(s);
		free(data);
		return NULL;
	}
	s->data = data;
	s->len = len;
	s->st = *st;
	f->priv = s;
	return f;
}

struct lx_file *synth_dir_new(const struct synth_dirent *ents, size_t n, const struct linux_stat *st)
{
	struct synth *s = calloc(1, sizeof(*s));
	struct synth_dirent *all = calloc(n + 2, sizeof(*all));
	struct lx_file *f = s && all ? lx_file_new(&synth_ops, -1, LINUX_O_RDONLY | LINUX_O_DIRECTORY, NULL) : NULL;
	if (!f) {
		free(s);
		free(all);
		return NULL;
	}
	strcpy(all[0].name, ".");
	all[0].type = LINUX_DT_DIR;
	all[0].ino = st->st_ino;
	strcpy(all[1].name, "..");
	all[1].type = LINUX_DT_DIR;
	all[1].ino = 1;
	memcpy(all + 2, ents, n * sizeof(*ents));
	s->ents = all;
	s->nents = n + 2;
	s->st = *st;
	f->priv = s;
	return f;
}

struct lx_file *synth_dir_live(struct synth_dirent *(*fill)(int arg, size_t *n), int arg,
			      const struct linux_stat *st)
{
	struct lx_file *f = synth_dir_new(NULL, 0, st);
	if (f) {
		struct synth *s = f->priv;
		s->fill = fill;
		s->fill_arg = arg;
	}
	return f;
}

void synth_stat(struct linux_stat *st, const struct lx_mount *m, unsigned mode, uint64_t ino,
		int64_t size)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = m ? m->dev : 0;
	st->st_ino = ino;
	st->st_mode = mode;
	st->st_nlink = LINUX_S_ISDIR(mode) ? 2 : 1;
	st->st_uid = (uint32_t)getuid();
	st->st_gid = (uint32_t)getgid();
	st->st_size = size;
	st->st_blksize = 1024;
	static struct timespec boot;
	if (!boot.tv_sec)
		clock_gettime(CLOCK_REALTIME, &boot);
	st->st_atime_sec = st->st_mtime_sec = st->st_ctime_sec = (uint64_t)boot.tv_sec;
}

void synth_statfs(struct linux_statfs *st, int64_t type)
{
	memset(st, 0, sizeof(*st));
	st->f_type = type;
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = 255;
}

int synth_slurp(const char *host_path, char **data, size_t *len)
{
	int fd = open(host_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -LINUX_ENOENT;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			close(fd);
			return -LINUX_ENOMEM;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	close(fd);
	*data = buf;
	*len = n;
	return 0;
}
