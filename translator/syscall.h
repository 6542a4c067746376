/* SPDX-License-Identifier: MIT */
/* The dispatcher: one handler per syscall number, shared by every trap engine. */
#ifndef LXRUN_TRANSLATOR_SYSCALL_H
#define LXRUN_TRANSLATOR_SYSCALL_H

#include <errno.h>
#include <stdint.h>

struct lx_thread;
struct lx_regs;

/* One trapped syscall. Handlers return the value for rax: a result or a negative Linux errno. */
struct lx_syscall {
	long nr;
	uint64_t a[6];
	struct lx_thread *t;
	/* The guest's registers at the syscall (rip: after the syscall instruction). Handlers
	 * that change where the guest resumes (fork's new stack, sigreturn) write them. */
	struct lx_regs *regs;
	/* The guest's XSAVE/FXSAVE area at the syscall (for signal frames), or NULL. */
	void *fpstate;
};

/*
 * The common entry of every trap engine: serve the syscall in regs->rax with the arguments in
 * rdi, rsi, rdx, r10, r8, r9; on return regs (rax = result, and possibly rip/rsp/... for
 * sigreturn or signal delivery) is what the guest resumes with.
 */
void lx_syscall_entry(struct lx_thread *t, struct lx_regs *regs, void *fpstate);

typedef long (*lx_handler)(struct lx_syscall *sc);

#define LX_SYSCALL(name) long sys_##name(struct lx_syscall *sc)

/* Number of entries in lx_handlers (== abi_nr_max). */
extern const unsigned lx_handlers_len;
extern const lx_handler lx_handlers[];

/* Serve one syscall: trace, dispatch, -ENOSYS for the unknown. */
long lx_dispatch(struct lx_syscall *sc);

/* A blocking host syscall a guest signal can interrupt (entry.S); returns -errno itself.
 * Only for threads with a translator block (the GS base). */
long lx_safe_syscall(long nr, ...);
#define lx_safe(...) lx_safe_syscall(__VA_ARGS__, 0, 0, 0, 0, 0, 0)

/* A host syscall made from the SUD-allowed range (entry.S), where the kernel does not read the
 * selector: cheaper than glibc's wrapper for the hot handlers' host calls. Returns -errno. */
long lx_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* Host errno -> Linux errno. On a Linux host the numbers are the same; other hosts map here. */
static inline long lx_errno(int host_errno)
{
	return -(long)host_errno;
}

/* Result of a host call that returns -1/errno: the value or a negative Linux errno. */
static inline long lx_host(long r)
{
	return r < 0 ? lx_errno(errno) : r;
}

#endif
