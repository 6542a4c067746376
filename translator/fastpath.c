/* SPDX-License-Identifier: MIT */
/* TLS-free syscall handlers (see fastpath.h): ids, clocks, and reads/writes on host fds. */
#include "translator/fastpath.h"

#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "abi/linux_errno.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/process.h"
#include "translator/signal_guest.h"
#include "translator/syscall.h"
#include "translator/thread.h"

lx_fast_fn lx_fast_handlers[LX_FAST_NR];
uint8_t lx_sud_fast;

/* entry.S, in the SUD-allowed range: the kernel skips the selector for these. */
long lx_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* The fast handlers' own prototype of lx_safe_syscall (no varargs: no vector-register count). */
long lx_safe_syscall(long nr, ...);

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
	if (!ok)
		r->rax = (uint64_t)-LINUX_EBADF;
	else
		r->rax = (uint64_t)lx_safe_syscall(nr, (long)f->host_fd, (long)r->rsi, (long)r->rdx,
						   (long)r->r10, 0L, 0L);
	file_put(t, f);
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
