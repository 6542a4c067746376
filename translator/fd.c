/* SPDX-License-Identifier: MIT */
/* Guest fd table and file object reference counting. */
#include "translator/fd.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "translator/signal_guest.h"

struct lx_file *lx_file_new(const struct lx_file_ops *ops, int host_fd, unsigned flags,
			    const char *path)
{
	struct lx_file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->host_fd = host_fd;
	f->flags = flags;
	f->path = path ? strdup(path) : NULL;
	return f;
}

struct lx_file *lx_file_get(struct lx_file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}

void lx_file_put(struct lx_file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (f->ops->release)
		f->ops->release(f);
	else if (f->host_fd >= 0)
		close(f->host_fd);
	free(f->path);
	free(f);
}




int32_t *lx_pub;
static int pub_fd = -1;

void lx_pub_init(struct lx_fdtable *t)
{
	size_t len = sizeof(struct lx_pub_head) + (size_t)LX_FD_MAX * sizeof(int32_t);
	int fd = memfd_create(LX_PUB_NAME, MFD_CLOEXEC);
	void *m = fd >= 0 && ftruncate(fd, (off_t)len) == 0
			  ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
			  : MAP_FAILED;
	int32_t *old = lx_pub;
	if (m != MAP_FAILED) {
		/* a forked child: its parent's head (program, handlers) is its own too */
		if (old)
			memcpy(m, old, sizeof(struct lx_pub_head));
		((struct lx_pub_head *)m)->magic = LX_PUB_MAGIC;
	} else if (fd >= 0) {
		close(fd);
		fd = -1;
	}
	if (old) { /* the parent's: not this process's to write */
		munmap(old, len);
		close(pub_fd);
	}
	pub_fd = fd;
	lx_fdtable_lock(t);
	lx_pub = m == MAP_FAILED ? NULL : m;
	for (int g = 0; lx_pub && g < t->size; g++)
		if (t->ents[g].file)
			lx_pub_fd(g, t->ents[g].file, t->ents[g].cloexec);
	lx_fdtable_unlock(t);
}

void lx_pub_signals(void)
{
	struct lx_pub_head *h = (struct lx_pub_head *)lx_pub;
	uint64_t ign, cgt;
	if (!h)
		return;
	lx_signal_dispositions(&ign, &cgt);
	__atomic_store_n(&h->sig_ign, ign, __ATOMIC_RELAXED);
	__atomic_store_n(&h->sig_cgt, cgt, __ATOMIC_RELAXED);
}

void lx_pub_nofile(int cur, int max)
{
	struct lx_pub_head *h = (struct lx_pub_head *)lx_pub;
	if (h) {
		__atomic_store_n(&h->nofile[0], (uint32_t)cur, __ATOMIC_RELAXED);
		__atomic_store_n(&h->nofile[1], (uint32_t)max, __ATOMIC_RELAXED);
	}
}

void lx_pub_exe(const char *path)
{
	struct lx_pub_head *h = (struct lx_pub_head *)lx_pub;
	if (h)
		snprintf(h->exe, sizeof(h->exe), "%s", path);
}

int lx_fdtable_init(struct lx_fdtable *t)
{
	t->size = 64;
	t->limit = LX_FD_MAX;
	t->hard = LX_FD_MAX;
	t->lock = 0;
	t->ents = calloc((size_t)t->size, sizeof(*t->ents));
	return t->ents ? 0 : -LINUX_ENOMEM;
}

int lx_fd_guest_of_host(struct lx_fdtable *t, int hfd)
{
	int g = hfd;
	lx_fdtable_lock(t);
	for (int fd = 0; fd < t->size; fd++)
		if (t->ents[fd].file && t->ents[fd].file->host_fd == hfd) {
			g = fd;
			break;
		}
	lx_fdtable_unlock(t);
	return g;
}

void lx_fd_limit_init(struct lx_fdtable *t, long cur, long max)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (cur < 0) {
		cur = rl.rlim_cur < LX_FD_MAX ? (long)rl.rlim_cur : LX_FD_MAX;
		max = rl.rlim_max < LX_FD_MAX ? (long)rl.rlim_max : LX_FD_MAX;
	}
	t->limit = (int)cur;
	t->hard = (int)max;
	lx_pub_nofile(t->limit, t->hard);
	/* lxrun's own fds must not count against the guest's limit: raise the host's soft
	 * limit above it where the hard limit allows (nothing the guest can see) */
	if (rl.rlim_cur < (rlim_t)cur + LX_FD_RESERVE && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = (rlim_t)cur + LX_FD_RESERVE;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int grow(struct lx_fdtable *t, int need)
{
	if (need < t->size)
		return 0;
	if (need >= LX_FD_MAX)
		return -LINUX_EMFILE;
	int n = t->size;
	while (n <= need)
		n *= 2;
	if (n > LX_FD_MAX)
		n = LX_FD_MAX;
	struct lx_fdent *e = realloc(t->ents, (size_t)n * sizeof(*e));
	if (!e)
		return -LINUX_ENOMEM;
	memset(e + t->size, 0, (size_t)(n - t->size) * sizeof(*e));
	t->ents = e;
	t->size = n;
	return 0;
}

static int install_locked(struct lx_fdtable *t, struct lx_file *f, int min, int cloexec)
{
	if (min < 0 || min >= t->limit)
		return -LINUX_EINVAL;
	for (int fd = min; fd < t->limit; fd++) {
		if (fd >= t->size) {
			int r = grow(t, fd);
			if (r < 0)
				return r;
		}
		if (!t->ents[fd].file) {
			t->ents[fd].file = lx_file_get(f);
			t->ents[fd].cloexec = cloexec;
			lx_pub_fd(fd, f, cloexec);
			return fd;
		}
	}
	return -LINUX_EMFILE;
}

int lx_fd_install(struct lx_fdtable *t, struct lx_file *f, int min, int cloexec)
{
	lx_fdtable_lock(t);
	int r = install_locked(t, f, min, cloexec);
	lx_fdtable_unlock(t);
	return r;
}

int lx_fd_install_at(struct lx_fdtable *t, int fd, struct lx_file *f, int cloexec)
{
	if (fd < 0 || fd >= LX_FD_MAX)
		return -LINUX_EBADF;
	lx_fdtable_lock(t);
	int r = grow(t, fd);
	if (r < 0) {
		lx_fdtable_unlock(t);
		return r;
	}
	struct lx_file *old = t->ents[fd].file;
	t->ents[fd].file = lx_file_get(f);
	t->ents[fd].cloexec = cloexec;
	lx_pub_fd(fd, f, cloexec);
	lx_fdtable_unlock(t);
	lx_file_put(old);
	return fd;
}

struct lx_file *lx_fd_get(struct lx_fdtable *t, int fd)
{
	lx_fdtable_lock(t);
	struct lx_file *f = fd >= 0 && fd < t->size ? t->ents[fd].file : NULL;
	if (f)
		lx_file_get(f);
	lx_fdtable_unlock(t);
	return f;
}

struct lx_file *lx_fd_lookup(struct lx_fdtable *t, int fd)
{
	if (fd < 0 || fd >= t->size)
		return NULL;
	return t->ents[fd].file;
}

int lx_fd_set_cloexec(struct lx_fdtable *t, int fd, int on)
{
	lx_fdtable_lock(t);
	int ok = fd >= 0 && fd < t->size && t->ents[fd].file;
	if (ok) {
		t->ents[fd].cloexec = !!on;
		lx_pub_fd(fd, t->ents[fd].file, on);
	}
	lx_fdtable_unlock(t);
	return ok ? 0 : -LINUX_EBADF;
}

int *lx_fd_cloexec(struct lx_fdtable *t, int fd)
{
	if (fd < 0 || fd >= t->size || !t->ents[fd].file)
		return NULL;
	return &t->ents[fd].cloexec;
}

int lx_fd_close(struct lx_fdtable *t, int fd)
{
	lx_fdtable_lock(t);
	if (fd < 0 || fd >= t->size || !t->ents[fd].file) {
		lx_fdtable_unlock(t);
		return -LINUX_EBADF;
	}
	struct lx_file *f = t->ents[fd].file;
	t->ents[fd].file = NULL;
	t->ents[fd].cloexec = 0;
	lx_pub_fd(fd, NULL, 0);
	lx_fdtable_unlock(t);
	/* Closing any fd of a file drops the process's POSIX record locks on it. When other
	 * guest fds still share the host fd, closing a copy of it does that on the host. */
	if (f->host_fd >= 0 && __atomic_load_n(&f->refs, __ATOMIC_RELAXED) > 1) {
		int d = fcntl(f->host_fd, F_DUPFD_CLOEXEC, 0);
		if (d >= 0)
			close(d);
	}
	lx_file_put(f);
	return 0;
}

int lx_fd_close_range(struct lx_fdtable *t, unsigned first, unsigned last, int cloexec_only)
{
	struct lx_file *batch[64];
	for (;;) {
		int n = 0;
		lx_fdtable_lock(t);
		unsigned end = last < (unsigned)t->size ? last : (unsigned)t->size - 1;
		for (unsigned fd = first; t->size > 0 && fd <= end && n < 64; fd++) {
			struct lx_fdent *e = &t->ents[fd];
			if (!e->file)
				continue;
			if (cloexec_only) {
				e->cloexec = 1;
				lx_pub_fd((int)fd, e->file, 1);
				continue;
			}
			batch[n++] = e->file;
			e->file = NULL;
			e->cloexec = 0;
			lx_pub_fd((int)fd, NULL, 0);
			first = fd + 1;
		}
		lx_fdtable_unlock(t);
		/* Release outside the lock: a release may close host fds or take other locks. */
		for (int i = 0; i < n; i++)
			lx_file_put(batch[i]);
		if (n < 64)
			return 0;
	}
}
