/* SPDX-License-Identifier: MIT */
/* TLS-free syscall handlers (see fastpath.h): ids, clocks, and reads/writes on host fds. */
#include "translator/fastpath.h"

#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/meta.h"
#include "translator/process.h"
#include "translator/signal_guest.h"
#include "translator/syscall.h"
#include "translator/thread.h"
#include "translator/vfs/vfs.h"

lx_fast_fn lx_fast_handlers[LX_FAST_NR];
uint8_t lx_sud_fast;

/* entry.S, in the SUD-allowed range: the kernel skips the selector for these. */
long lx_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* The fast handlers' own prototype of lx_safe_syscall (no varargs: no vector-register count). */
long lx_safe_syscall(long nr, ...);
/* entry.S: guest memory accesses whose faults the SIGSEGV handler turns into an error return
 * (translator/guest_mem.c), wherever they run. */
size_t lx_copy_user(void *dst, const void *src, size_t n);
long lx_strnlen_user(const char *s, size_t max);

#define HELD_MAX ((int)(sizeof(((struct lx_thread *)0)->held) / sizeof(struct lx_file *)))

static int f_getpid(struct lx_thread *t, struct lx_regs *r, int flags)
{
	r->rax = (uint64_t)(long)lx_proc.pid;
	return 1;
}

static int f_gettid(struct lx_thread *t, struct lx_regs *r, int flags)
{
	r->rax = (uint64_t)(long)t->tid;
	return 1;
}

/* Calls whose handlers pass the arguments to the host as they are. */
static int f_pass(struct lx_thread *t, struct lx_regs *r, int flags)
{
	r->rax = (uint64_t)lx_raw_syscall((long)r->rax, (long)r->rdi, (long)r->rsi, (long)r->rdx,
					  (long)r->r10, (long)r->r8, (long)r->r9);
	return 1;
}

/* A host-fd file at guest fd with a reference taken, or NULL (the ordinary path decides). */
static struct lx_file *file_get(struct lx_thread *t, uint64_t fd)
{
	if (fd > INT_MAX || t->nheld >= HELD_MAX)
		return NULL;
	struct lx_fdtable *tab = lx_proc.fds;
	struct lx_file *f = NULL;
	lx_fdtable_lock(tab);
	if ((int)fd < tab->size)
		f = tab->ents[fd].file;
	if (f && f->ops == &lx_host_file_ops)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	else
		f = NULL;
	lx_fdtable_unlock(tab);
	return f;
}

/* Drop the reference; the last one (the fd was closed meanwhile) is released by the thread's
 * next ordinary syscall, which may call free() and close(). */
static void file_put(struct lx_thread *t, struct lx_file *f)
{
	int n = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);
	while (n > 1)
		if (__atomic_compare_exchange_n(&f->refs, &n, n - 1, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return;
	t->held[t->nheld++] = f;
}

/* read, write, pread64, pwrite64 on a host fd. They may block: in the SIGSYS handler the
 * guest's handled signals are masked, so there they are served only while it has none. */
static int f_rw(struct lx_thread *t, struct lx_regs *r, int flags)
{
	if ((flags & LX_FAST_IN_SIGSYS) && __atomic_load_n(&lx_signal_handlers, __ATOMIC_RELAXED))
		return 0;
	struct lx_file *f = file_get(t, r->rdi);
	if (!f)
		return 0;
	long nr = (long)r->rax;
	int ok = nr == SYS_read || nr == SYS_pread64 ? lx_file_readable(f) : lx_file_writable(f);
	long res = -LINUX_EBADF;
	if (ok)
		res = lx_safe_syscall(nr, (long)f->host_fd, (long)r->rsi, (long)r->rdx, (long)r->r10,
				      0L, 0L);
	file_put(t, f);
	/* EINTR moved nothing: the ordinary path decides (a regular file is read anyway) */
	if (res == -LINUX_EINTR)
		return 0;
	r->rax = (uint64_t)res;
	return 1;
}

#define SPARE_MAX ((int)(sizeof(((struct lx_thread *)0)->spare) / sizeof(struct lx_file *)))

/* A file as calloc() gives it (field by field: no memset call here). */
static void spare_reset(struct lx_file *f)
{
	f->ops = 0;
	f->refs = 0;
	f->host_fd = 0;
	f->flags = 0;
	f->path = 0;
	f->mnt = 0;
	f->pos = 0;
	f->priv = 0;
}

/* close of a host-fd file: the entry goes and the host fd is closed now, as lx_fd_close does;
 * the struct itself (free()) is released by the thread's next ordinary syscall. */
static int f_close(struct lx_thread *t, struct lx_regs *r, int flags)
{
	/* a close can block (an inherited socket with SO_LINGER): as f_rw in the SIGSYS handler */
	if ((flags & LX_FAST_IN_SIGSYS) && __atomic_load_n(&lx_signal_handlers, __ATOMIC_RELAXED))
		return 0;
	uint64_t fd = r->rdi;
	if (fd > INT_MAX || t->nheld >= HELD_MAX)
		return 0;
	struct lx_fdtable *tab = lx_proc.fds;
	struct lx_file *f = NULL;
	lx_fdtable_lock(tab);
	if ((int)fd < tab->size)
		f = tab->ents[fd].file;
	/* only the last reference: closing a file that other fds share must also drop the
	 * process's record locks on it (lx_fd_close, the slow path, does that) */
	if (f && f->ops == &lx_host_file_ops && __atomic_load_n(&f->refs, __ATOMIC_RELAXED) == 1) {
		tab->ents[fd].file = NULL;
		tab->ents[fd].cloexec = 0;
		lx_pub_fd((int)fd, NULL, 0);
	} else {
		f = NULL;
	}
	lx_fdtable_unlock(tab);
	if (!f)
		return 0;
	r->rax = 0;
	/* the table's reference is ours now: drop it, unless it is the last one */
	int n = __atomic_load_n(&f->refs, __ATOMIC_RELAXED);
	while (n > 1)
		if (__atomic_compare_exchange_n(&f->refs, &n, n - 1, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return 1;
	/* the last: nobody else can reach f (it has left the table), so its host fd is ours */
	int hfd = f->host_fd;
	f->host_fd = -1;
	if (hfd >= 0)
		lx_raw_syscall(SYS_close, hfd, 0, 0, 0, 0, 0);
	if (!f->path && !f->priv && t->nspare < SPARE_MAX &&
	    !__atomic_load_n(&lx_threads_started, __ATOMIC_RELAXED)) {
		spare_reset(f); /* nothing to free(): straight back to the fast open's spares */
		t->spare[t->nspare++] = f;
	} else {
		t->held[t->nheld++] = f;
	}
	return 1;
}

/* Does the path have a ".." component? */
static int has_dotdot(const char *p)
{
	for (const char *s = p; *s; s++)
		if (s[0] == '.' && s[1] == '.' && (s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return 1;
	return 0;
}

/*
 * A relative path without ".." that the host gets as written (lx_vfs_cwd_direct), copied into
 * path (LX_PATH_MAX): its length, or 0 (declined: fault, empty, too long, absolute, "..").
 */
static long direct_path(uint64_t upath, char *path)
{
	if (!__atomic_load_n(&lx_vfs_cwd_direct, __ATOMIC_ACQUIRE) || lx_meta_on)
		return 0;
	long len = lx_strnlen_user((const char *)upath, LX_PATH_MAX);
	if (len <= 0 || len >= LX_PATH_MAX)
		return 0;
	if (lx_copy_user(path, (const void *)upath, (size_t)len + 1) || path[len])
		return 0;
	if (path[0] == '/' || has_dotdot(path))
		return 0;
	return len;
}

/*
 * stat, lstat, newfstatat(AT_FDCWD) of a relative path without "..", while the VFS says the
 * host gets such a path as written (lx_vfs_cwd_direct: root-/ mode, the cwd a host directory
 * away from lxrun's mounts): the host call vfs_resolve and stat_resolved would make, with the
 * guest's stat buffer (the layouts are the same). The path is copied first, so the string
 * checked is the string the host sees. Everything else is declined: dirfds, absolute paths,
 * AT_EMPTY_PATH, bad flags, paths that fault or are too long (the ordinary path has the
 * errno), the metadata overlay (lxrun -d as a normal user).
 */
static int f_stat(struct lx_thread *t, struct lx_regs *r, int flags)
{
	if (!__atomic_load_n(&lx_vfs_cwd_direct, __ATOMIC_ACQUIRE) || lx_meta_on)
		return 0;
	/* a fault on the guest's path is caught by the SIGSEGV handler: not while the SIGSYS
	 * handler's mask blocks it (the guest handles signals) */
	if ((flags & LX_FAST_IN_SIGSYS) && __atomic_load_n(&lx_signal_handlers, __ATOMIC_RELAXED))
		return 0;
	uint64_t upath, ubuf, atflags;
	if (r->rax == SYS_stat || r->rax == SYS_lstat) {
		upath = r->rdi;
		ubuf = r->rsi;
		atflags = r->rax == SYS_lstat ? LINUX_AT_SYMLINK_NOFOLLOW : 0;
	} else {
		if ((int)r->rdi != LINUX_AT_FDCWD)
			return 0;
		upath = r->rsi;
		ubuf = r->rdx;
		atflags = r->r10;
	}
	if (atflags & ~(uint64_t)(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT))
		return 0;
	char path[LX_PATH_MAX];
	if (!direct_path(upath, path))
		return 0;
	r->rax = (uint64_t)lx_raw_syscall(SYS_newfstatat, LINUX_AT_FDCWD, (long)path, (long)ubuf,
					  (long)atflags, 0, 0);
	return 1;
}

/*
 * open, openat(AT_FDCWD) of such a path, without O_CREAT or O_TMPFILE (no mode, no umask), in
 * a process that has never started a second thread: then nothing else touches the fd table,
 * so the lowest free slot is found first (none within the table's size: declined, nothing
 * done yet), the host openat made (lx_safe_syscall: a FIFO may block), and a spare file
 * installed there as vfs_openat and do_openat would (flags; the path is left NULL: a hostfs
 * file's name is always read from its host fd).
 */
static int f_open(struct lx_thread *t, struct lx_regs *r, int flags)
{
	if ((flags & LX_FAST_IN_SIGSYS) && __atomic_load_n(&lx_signal_handlers, __ATOMIC_RELAXED))
		return 0;
	if (!t->nspare || __atomic_load_n(&lx_threads_started, __ATOMIC_RELAXED))
		return 0;
	uint64_t upath, oflags;
	if (r->rax == SYS_open) {
		upath = r->rdi;
		oflags = r->rsi;
	} else {
		if ((int)r->rdi != LINUX_AT_FDCWD)
			return 0;
		upath = r->rsi;
		oflags = r->rdx;
	}
	if (oflags & (LINUX_O_CREAT | LINUX___O_TMPFILE) || oflags > 0xffffffffu)
		return 0;
	char path[LX_PATH_MAX];
	if (!direct_path(upath, path))
		return 0;
	struct lx_fdtable *tab = lx_proc.fds;
	int fd = -1;
	lx_fdtable_lock(tab);
	for (int i = 0; i < tab->size && i < tab->limit; i++)
		if (!tab->ents[i].file) {
			fd = i;
			break;
		}
	lx_fdtable_unlock(tab);
	if (fd < 0)
		return 0;
	long h = lx_safe_syscall(SYS_openat, (long)LINUX_AT_FDCWD, (long)path,
				 (long)(oflags | LINUX_O_CLOEXEC), 0L, 0L, 0L);
	if (h == -LINUX_EINTR)
		return 0; /* nothing opened: the slow path tells a signal pending from a FIFO's wait */
	if (h < 0) {
		r->rax = (uint64_t)h;
		return 1;
	}
	struct lx_file *f = t->spare[--t->nspare];
	f->ops = &lx_host_file_ops;
	f->refs = 1;
	f->host_fd = (int)h;
	f->flags = ((unsigned)oflags | LINUX_O_LARGEFILE) &
		   ~(unsigned)(LINUX_O_CLOEXEC | LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY |
			       LINUX_O_TRUNC);
	lx_fdtable_lock(tab);
	tab->ents[fd].file = f;
	tab->ents[fd].cloexec = !!(oflags & LINUX_O_CLOEXEC);
	lx_pub_fd((int)fd, f, oflags & LINUX_O_CLOEXEC);
	lx_fdtable_unlock(tab);
	r->rax = (uint64_t)fd;
	return 1;
}

/* SIGSYS entry (entry.S): 1 if served (the result is in the context's rax). */
int lx_fast_sigsys(struct lx_thread *t, siginfo_t *si, void *uctx);
int lx_fast_sigsys(struct lx_thread *t, siginfo_t *si, void *uctx)
{
	/* A SIGSYS sent with kill() is a signal for the guest, not a trap. */
	if (si->si_code != 2 /* SYS_USER_DISPATCH */)
		return 0;
	unsigned long nr = (unsigned long)si->si_syscall;
	if (nr >= LX_FAST_NR || !lx_fast_handlers[nr])
		return 0;
	greg_t *g = ((ucontext_t *)uctx)->uc_mcontext.gregs;
	struct lx_regs r;
	r.rax = nr;
	r.rdi = (uint64_t)g[REG_RDI];
	r.rsi = (uint64_t)g[REG_RSI];
	r.rdx = (uint64_t)g[REG_RDX];
	r.r10 = (uint64_t)g[REG_R10];
	r.r8 = (uint64_t)g[REG_R8];
	r.r9 = (uint64_t)g[REG_R9];
	if (!lx_fast_handlers[nr](t, &r, LX_FAST_IN_SIGSYS))
		return 0;
	g[REG_RAX] = (greg_t)r.rax;
	return 1;
}

static const struct {
	long nr;
	lx_fast_fn fn;
} fast_table[] = {
	{SYS_getpid, f_getpid},
	{SYS_gettid, f_gettid},
	{SYS_getppid, f_pass},
	{SYS_getuid, f_pass},
	{SYS_geteuid, f_pass},
	{SYS_getgid, f_pass},
	{SYS_getegid, f_pass},
	{SYS_getpgrp, f_pass},
	{SYS_sched_yield, f_pass},
	{SYS_clock_gettime, f_pass},
	{SYS_clock_getres, f_pass},
	{SYS_gettimeofday, f_pass},
	{SYS_time, f_pass},
	{SYS_read, f_rw},
	{SYS_write, f_rw},
	{SYS_pread64, f_rw},
	{SYS_pwrite64, f_rw},
	{SYS_close, f_close},
	{SYS_open, f_open},
	{SYS_openat, f_open},
	{SYS_stat, f_stat},
	{SYS_lstat, f_stat},
	{SYS_newfstatat, f_stat},
};

void lx_fastpath_init(int enable, int sud)
{
	for (unsigned i = 0; i < sizeof(fast_table) / sizeof(fast_table[0]); i++)
		lx_fast_handlers[fast_table[i].nr] = enable ? fast_table[i].fn : NULL;
	lx_sud_fast = (uint8_t)(enable && sud);
}

int lx_fastpath_has(long nr)
{
	for (unsigned i = 0; i < sizeof(fast_table) / sizeof(fast_table[0]); i++)
		if (fast_table[i].nr == nr)
			return 1;
	return 0;
}
