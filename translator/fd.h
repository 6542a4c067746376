/* SPDX-License-Identifier: MIT */
/* The guest's file descriptor table: guest fd numbers -> file objects with ops. */
#ifndef LXRUN_TRANSLATOR_FD_H
#define LXRUN_TRANSLATOR_FD_H

#include <stddef.h>
#include <stdint.h>

#include "abi/linux_fcntl.h"

struct lx_file;
struct lx_mount;

/* Operations on an open file. Buffers are guest addresses; NULL ops mean "not supported"
 * (the caller returns the errno Linux gives for that object, usually EINVAL or ESPIPE). */
struct lx_file_ops {
	long (*read)(struct lx_file *f, uint64_t buf, size_t n);
	long (*write)(struct lx_file *f, uint64_t buf, size_t n);
	long (*pread)(struct lx_file *f, uint64_t buf, size_t n, int64_t off);
	long (*pwrite)(struct lx_file *f, uint64_t buf, size_t n, int64_t off);
	long (*lseek)(struct lx_file *f, int64_t off, int whence);
	/* Fill a struct linux_stat (host memory). */
	long (*fstat)(struct lx_file *f, void *linux_stat);
	long (*ioctl)(struct lx_file *f, unsigned cmd, uint64_t arg);
	long (*getdents64)(struct lx_file *f, uint64_t buf, size_t n);
	long (*ftruncate)(struct lx_file *f, int64_t len);
	/* Readiness for poll/select: Linux POLL* bits that are ready now. NULL: always ready
	 * for reading and writing, as regular files are. */
	unsigned (*poll)(struct lx_file *f);
	void (*release)(struct lx_file *f);
};

struct lx_file {
	const struct lx_file_ops *ops;
	int refs;
	int host_fd;    /* -1 for files without a host object */
	unsigned flags; /* Linux O_* status flags (O_APPEND, O_NONBLOCK, access mode) */
	char *path;     /* guest path as opened, for /proc/self/fd and traces (may be NULL) */
	struct lx_mount *mnt; /* filesystem it lives on (NULL: hostfs or none) */
	int64_t pos;    /* file position for files without a host fd */
	int reopened;   /* a new open of another fd's file through /proc/PID/fd/N: it keeps
			 * that file's path and filesystem, not the /proc name it was opened by */
	void *priv;
};

struct lx_fdtable {
	struct lx_fdent {
		struct lx_file *file;
		int cloexec;
	} *ents;
	int size;
	int limit; /* the guest's RLIMIT_NOFILE soft limit (at most LX_FD_MAX) */
	int hard;  /* and its hard limit (at most LX_FD_MAX: the table's own size) */
	int lock;  /* lx_fdtable_lock's word: guest threads share the table */
};

/* entry.S (translator/syscall.h): a host syscall from the SUD-allowed range, no TLS, no libc. */
long lx_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/*
 * The table's lock (no TLS, no libc: the TLS-free fast path takes it too). The word is 0 free,
 * 1 held, 2 held with sleepers (a futex mutex): a short spin, then FUTEX_WAIT. Spinning alone
 * is not enough: with more runnable guest threads than CPUs a holder preempted inside the
 * lock left every other reader and writer spinning out its time slice (hackbench with 800
 * threads ran 13 times slower than natively).
 */
static inline void lx_fdtable_lock(struct lx_fdtable *t)
{
	int c = 0;
	if (__atomic_compare_exchange_n(&t->lock, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	for (int spin = 0; spin < 100; spin++) {
		__builtin_ia32_pause();
		c = 0;
		if (!__atomic_load_n(&t->lock, __ATOMIC_RELAXED) &&
		    __atomic_compare_exchange_n(&t->lock, &c, 1, 0, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
	}
	while (__atomic_exchange_n(&t->lock, 2, __ATOMIC_ACQUIRE))
		lx_raw_syscall(202 /* futex */, (long)&t->lock, 128 /* FUTEX_WAIT_PRIVATE */, 2, 0,
			       0, 0);
}

static inline void lx_fdtable_unlock(struct lx_fdtable *t)
{
	if (__atomic_exchange_n(&t->lock, 0, __ATOMIC_RELEASE) == 2)
		lx_raw_syscall(202 /* futex */, (long)&t->lock, 129 /* FUTEX_WAKE_PRIVATE */, 1, 0,
			       0, 0);
}

/* May read(2)/write(2) use f? (Linux: EBADF for the wrong access mode and for O_PATH.) */
static inline int lx_file_readable(const struct lx_file *f)
{
	return f && (f->flags & LINUX_O_ACCMODE) != LINUX_O_WRONLY && !(f->flags & LINUX_O_PATH);
}

static inline int lx_file_writable(const struct lx_file *f)
{
	return f && (f->flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY && !(f->flags & LINUX_O_PATH);
}

struct lx_file *lx_file_new(const struct lx_file_ops *ops, int host_fd, unsigned flags,
			    const char *path);
struct lx_file *lx_file_get(struct lx_file *f);
void lx_file_put(struct lx_file *f);

int lx_fdtable_init(struct lx_fdtable *t);
/* Install f at the lowest free fd >= min; takes a reference. Returns the fd or -EMFILE. */
int lx_fd_install(struct lx_fdtable *t, struct lx_file *f, int min, int cloexec);
/* Install at exactly fd (closing what was there), as dup2 does; fd may lie beyond the table's
 * RLIMIT_NOFILE (an fd inherited across execve after the limit was lowered stays open, as on
 * Linux): dup2's own check of the limit is its caller's. -EBADF past LX_FD_MAX. */
int lx_fd_install_at(struct lx_fdtable *t, int fd, struct lx_file *f, int cloexec);
/* The file at fd with a reference taken (lx_file_put it), or NULL. */
struct lx_file *lx_fd_get(struct lx_fdtable *t, int fd);
/* Borrowed pointer to the file at fd, or NULL. */
struct lx_file *lx_fd_lookup(struct lx_fdtable *t, int fd);
int lx_fd_close(struct lx_fdtable *t, int fd);
int *lx_fd_cloexec(struct lx_fdtable *t, int fd); /* read it; set it with lx_fd_set_cloexec */
int lx_fd_set_cloexec(struct lx_fdtable *t, int fd, int on);
/* close_range: close every open fd in [first, last], or with cloexec_only mark them
 * close-on-exec. Never fails (Linux: fds beyond the table are simply not open). */
int lx_fd_close_range(struct lx_fdtable *t, unsigned first, unsigned last, int cloexec_only);

/* The lowest guest fd whose file is the host fd hfd, or hfd itself when none is (the host
 * kernel names fds in siginfo's si_fd). */
int lx_fd_guest_of_host(struct lx_fdtable *t, int hfd);

/* The most fds the guest's table holds, Linux's default fs.nr_open (the table grows as fds
 * are used): RLIMIT_NOFILE as the guest sees it never exceeds it (soft and hard), so
 * getdtablesize() is what the guest can really open. */
#define LX_FD_MAX (1 << 20)
/* Host fds lxrun keeps beside the guest's: the host's soft limit is kept this far above the
 * guest's so that the guest's own limit, not lxrun's fds, decides when EMFILE comes. */
#define LX_FD_RESERVE 64

/*
 * What another guest process's /proc/PID shows of this one (procfs.c): lxrun's host fds,
 * executable and signal handlers are not the guest's, so each lxrun process keeps a memfd
 * named LX_PUB_NAME, mapped shared, that another lxrun opens through the host's /proc/PID/fd.
 * It starts with struct lx_pub_head; then, from word LX_PUB_FDS, a word per guest fd: 0 when
 * closed, else its host fd + 1 (LX_PUB_NOHOST for a file without a host fd) with
 * LX_PUB_CLOEXEC for a close-on-exec one. Written wherever these change (relaxed stores: a
 * reader sees the state as some moment left it, as Linux's readdir of fd/ does). NULL when
 * no memfd could be made: other processes then see the host's view.
 */
#define LX_PUB_NAME "lxrun-proc"
#define LX_PUB_MAGIC 0x7075786c /* "lxup" */
#define LX_PUB_NOHOST 0x3fffffff
#define LX_PUB_CLOEXEC 0x40000000
struct lx_pub_head {
	uint32_t magic;
	uint32_t top;     /* every open guest fd is below it */
	uint64_t sig_ign; /* SigIgn and SigCgt of /proc/PID/status: the guest's dispositions */
	uint64_t sig_cgt;
	uint32_t nofile[2];  /* /proc/PID/limits: the guest's RLIMIT_NOFILE, soft and hard */
	char exe[4096 - 32]; /* /proc/PID/exe: the guest's program */
};
#define LX_PUB_FDS ((int)(sizeof(struct lx_pub_head) / sizeof(int32_t)))
extern int32_t *lx_pub;

/* Called with the fd table's lock held. */
static inline void lx_pub_fd(int fd, const struct lx_file *f, int cloexec)
{
	int32_t *m = lx_pub;
	uint32_t *top = m ? &((struct lx_pub_head *)m)->top : NULL;
	if (f && top && (uint32_t)fd >= *top && fd < LX_FD_MAX)
		__atomic_store_n(top, (uint32_t)fd + 1, __ATOMIC_RELAXED);
	if (m && fd >= 0 && fd < LX_FD_MAX)
		__atomic_store_n(&m[LX_PUB_FDS + fd],
				 f ? (f->host_fd >= 0 ? f->host_fd + 1 : LX_PUB_NOHOST) |
					     (cloexec ? LX_PUB_CLOEXEC : 0)
				   : 0,
				 __ATOMIC_RELAXED);
}

/* Make this process's memfd (a forked child's replaces the one it shares with its parent,
 * keeping what it says) and fill the fds from t. */
void lx_pub_init(struct lx_fdtable *t);
/* Publish the guest's program path, and its signal dispositions (from lx_proc.sigactions). */
void lx_pub_exe(const char *path);
void lx_pub_nofile(int cur, int max);
void lx_pub_signals(void);

/* Set the guest's RLIMIT_NOFILE from the host's at start-up (clamped to LX_FD_MAX) and make
 * room for lxrun's own fds on the host; or restore it after execve (cur, max >= 0). */
void lx_fd_limit_init(struct lx_fdtable *t, long cur, long max);

#endif
