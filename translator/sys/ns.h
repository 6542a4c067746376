/* SPDX-License-Identifier: MIT */
/* Namespaces in the host-admin model (sys_ns.c): unshare, clone/clone3 and setns with new or
 * other namespaces done by the host for this lxrun process; pivot_root. */
#ifndef LXRUN_TRANSLATOR_SYS_NS_H
#define LXRUN_TRANSLATOR_SYS_NS_H

#include <stdint.h>
#include <sys/types.h>

#include "abi/linux_sched.h"

struct lx_syscall;

/* Every CLONE_NEW* flag (CLONE_NEWTIME is clone3's and unshare's only). */
#define LX_NS_FLAGS                                                                                \
	(LINUX_CLONE_NEWNS | LINUX_CLONE_NEWUTS | LINUX_CLONE_NEWIPC | LINUX_CLONE_NEWNET |        \
	 LINUX_CLONE_NEWUSER | LINUX_CLONE_NEWPID | LINUX_CLONE_NEWCGROUP | LINUX_CLONE_NEWTIME)

/* clone3's CLONE_NEWTIME inside lxrun's clone flags: its bit is the exit signal's byte in
 * the legacy layout (where it means nothing), so it travels above the 32 bits Linux uses for
 * flags, away from CLONE_CLEAR_SIGHAND (bit 32) and CLONE_INTO_CGROUP (33). */
#define LX_CLONE3_NEWTIME (1ull << 40)

/* The namespace flags of lxrun's clone flags (exit signal in the low byte). */
static inline uint64_t lx_ns_clone_flags(uint64_t flags)
{
	return (flags & LX_NS_FLAGS & ~LINUX_CSIGNAL) |
	       ((flags & LX_CLONE3_NEWTIME) ? LINUX_CLONE_NEWTIME : 0);
}

/* unshare(2)'s namespace flags (ns: flags & LX_NS_FLAGS), after its other checks. */
long lx_ns_unshare(struct lx_syscall *sc, uint64_t ns);

/* The host fork of a guest clone with namespace flags (ns) or a chosen pid (set_tid, its
 * size): a host clone3 that makes the child in them at once (a CLONE_NEWPID child is pid 1
 * there). Returns as fork: the child's pid, 0 in the child, -1 with errno. */
pid_t lx_ns_fork(int exit_signal, uint64_t ns, uint64_t set_tid, uint64_t set_tid_size);

/* setns(2) and pivot_root(2) in the host-admin model. */
long lx_ns_setns(struct lx_syscall *sc);
long lx_ns_pivot_root(struct lx_syscall *sc);

#endif
