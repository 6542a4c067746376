/* SPDX-License-Identifier: MIT */
/* The dispatcher: one handler per syscall number, shared by every trap engine. */
#ifndef LXRUN_TRANSLATOR_SYSCALL_H
#define LXRUN_TRANSLATOR_SYSCALL_H

#include <errno.h>
#include <stdint.h>

struct lx_thread;

/* One trapped syscall. Handlers return the value for rax: a result or a negative Linux errno. */
struct lx_syscall {
	long nr;
	uint64_t a[6];
	struct lx_thread *t;
	void *uctx; /* the host ucontext_t at the trap (sud), or NULL */
};

typedef long (*lx_handler)(struct lx_syscall *sc);

#define LX_SYSCALL(name) long sys_##name(struct lx_syscall *sc)

/* Number of entries in lx_handlers (== abi_nr_max). */
extern const unsigned lx_handlers_len;
extern const lx_handler lx_handlers[];

/* Serve one syscall: trace, dispatch, -ENOSYS for the unknown. */
long lx_dispatch(struct lx_syscall *sc);

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
