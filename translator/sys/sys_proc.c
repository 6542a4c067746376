/* SPDX-License-Identifier: MIT */
/* Process and identity syscalls: exit, ids, uname, limits, TLS (arch_prctl), random. */
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_resource.h"
#include "abi/linux_sched.h"
#include "translator/fd.h"
#include "translator/vfs/vfs.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/stats.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/trace.h"

__attribute__((noreturn)) static void exit_now(int code)
{
	lx_ptrace_exit(lx_thread_self(), code, 1);
	lx_vfork_release(false);
	lx_trace_flush();
	lx_stats_report();
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

LX_SYSCALL(exit_group)
{
	exit_now((int)sc->a[0] & 0xff);
}

LX_SYSCALL(exit)
{
	/* The last thread's exit ends the process with its status. */
	if (lx_nthreads <= 1)
		exit_now((int)sc->a[0] & 0xff);
	lx_ptrace_exit(sc->t, (int)sc->a[0] & 0xff, 0);
	lx_thread_exit(sc->t);
}

LX_SYSCALL(getpid)
{
	return getpid();
}

LX_SYSCALL(gettid)
{
	return sc->t->tid;
}

LX_SYSCALL(getppid)
{
	return getppid();
}

LX_SYSCALL(getpgrp)
{
	return getpgrp();
}

LX_SYSCALL(getuid)
{
	return getuid();
}

LX_SYSCALL(geteuid)
{
	return geteuid();
}

LX_SYSCALL(getgid)
{
	return getgid();
}

LX_SYSCALL(getegid)
{
	return getegid();
}

LX_SYSCALL(getresuid)
{
	return lx_host(syscall(SYS_getresuid, sc->a[0], sc->a[1], sc->a[2]));
}

LX_SYSCALL(getresgid)
{
	return lx_host(syscall(SYS_getresgid, sc->a[0], sc->a[1], sc->a[2]));
}

/* The host's umask applies it to what the host creates; lx_proc.umask is the process's own
 * for lxrun's mounts and for execve, which hands it to the next lxrun. */
LX_SYSCALL(umask)
{
	unsigned old = lx_proc.umask;
	lx_proc.umask = (unsigned)sc->a[0] & 0777;
	umask(lx_proc.umask);
	return old;
}

LX_SYSCALL(uname)
{
	struct utsname u;
	if (uname(&u) < 0)
		return lx_errno(errno);
	return guest_copy_out(sc->a[0], &u, sizeof(u));
}

LX_SYSCALL(sysinfo)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		return lx_errno(errno);
	return guest_copy_out(sc->a[0], &si, sizeof(si));
}

LX_SYSCALL(getrandom)
{
	/* The host kernel validates the flags and the buffer exactly as Linux does. */
	return lx_host(syscall(SYS_getrandom, sc->a[0], sc->a[1], sc->a[2]));
}

/* RLIMIT_NOFILE is the guest's own (fd.h): never above what its fd table holds, while the
 * host's soft limit stays LX_FD_RESERVE above it for lxrun's fds. */
static void nofile_guest(struct rlimit *rl)
{
	rl->rlim_cur = (rlim_t)lx_proc.fds->limit;
	rl->rlim_max = (rlim_t)lx_proc.fds->hard;
}

static long nofile_set(const struct rlimit *nl)
{
	struct rlimit host;
	if (nl->rlim_cur > nl->rlim_max)
		return -LINUX_EINVAL;
	/* a hard limit above the table's size needs what raising any hard limit needs, and
	 * lxrun cannot give it: EPERM, as for a process without CAP_SYS_RESOURCE */
	if (nl->rlim_max > LX_FD_MAX)
		return -LINUX_EPERM;
	if (getrlimit(RLIMIT_NOFILE, &host) < 0)
		return lx_errno(errno);
	/* the host's hard limit follows the guest's (plus the reserve), so raising the guest's
	 * meets the host's own capability check; keeping or lowering it never needs one */
	rlim_t max = nl->rlim_max + LX_FD_RESERVE;
	if (nl->rlim_max <= (rlim_t)lx_proc.fds->hard && max > host.rlim_max)
		max = host.rlim_max;
	if (max > LX_FD_MAX && nl->rlim_max <= LX_FD_MAX)
		max = LX_FD_MAX > host.rlim_max ? LX_FD_MAX : host.rlim_max; /* fs.nr_open */
	host.rlim_max = max;
	host.rlim_cur = nl->rlim_cur + LX_FD_RESERVE < max ? nl->rlim_cur + LX_FD_RESERVE : max;
	if (setrlimit(RLIMIT_NOFILE, &host) < 0)
		return lx_errno(errno);
	lx_proc.fds->limit = (int)nl->rlim_cur;
	lx_proc.fds->hard = (int)nl->rlim_max;
	lx_pub_nofile(lx_proc.fds->limit, lx_proc.fds->hard);
	return 0;
}

LX_SYSCALL(getrlimit)
{
	struct rlimit rl;
	if (sc->a[0] >= LINUX_RLIM_NLIMITS)
		return -LINUX_EINVAL;
	if (getrlimit((int)sc->a[0], &rl) < 0)
		return lx_errno(errno);
	if (sc->a[0] == LINUX_RLIMIT_NOFILE)
		nofile_guest(&rl);
	return guest_copy_out(sc->a[1], &rl, sizeof(rl));
}

LX_SYSCALL(prlimit64)
{
	int pid = (int)sc->a[0];
	if (sc->a[1] >= LINUX_RLIM_NLIMITS)
		return -LINUX_EINVAL;
	struct rlimit nl, ol;
	if (sc->a[2] && guest_copy_in(&nl, sc->a[2], sizeof(nl)) < 0)
		return -LINUX_EFAULT;
	if (pid != 0 && pid != getpid()) {
		/* pids are the host's: another process's limits are the host's to read and
		 * change, with its permission checks (another lxrun's RLIMIT_NOFILE reads with
		 * that process's LX_FD_RESERVE included) */
		if (prlimit(pid, (int)sc->a[1], sc->a[2] ? &nl : NULL, &ol) < 0)
			return lx_errno(errno);
		/* another guest's RLIMIT_NOFILE is its own, not its lxrun's (a new value reaches
		 * only the host's: that guest keeps its own) */
		unsigned long c, m;
		if (sc->a[1] == LINUX_RLIMIT_NOFILE && procfs_foreign_nofile(pid, &c, &m) == 0) {
			ol.rlim_cur = c;
			ol.rlim_max = m;
		}
	} else if (sc->a[1] == LINUX_RLIMIT_NOFILE) {
		nofile_guest(&ol);
		long r = sc->a[2] ? nofile_set(&nl) : 0;
		if (r < 0)
			return r;
	} else if (prlimit(0, (int)sc->a[1], sc->a[2] ? &nl : NULL, &ol) < 0) {
		return lx_errno(errno);
	}
	if (sc->a[3])
		return guest_copy_out(sc->a[3], &ol, sizeof(ol));
	return 0;
}

LX_SYSCALL(arch_prctl)
{
	struct lx_thread *t = sc->t;
	uint64_t v;
	switch (sc->a[0]) {
	case LINUX_ARCH_SET_FS:
		if (sc->a[1] >= LX_USER_END)
			return -LINUX_EPERM;
		t->guest_fs = sc->a[1]; /* the exit stub loads it into FS */
		return 0;
	case LINUX_ARCH_GET_FS:
		v = t->guest_fs;
		return guest_copy_out(sc->a[1], &v, sizeof(v));
	case LINUX_ARCH_SET_GS:
		if (sc->a[1] >= LX_USER_END)
			return -LINUX_EPERM;
		t->guest_gs = sc->a[1];
		return 0;
	case LINUX_ARCH_GET_GS:
		v = t->guest_gs;
		return guest_copy_out(sc->a[1], &v, sizeof(v));
	case LINUX_ARCH_GET_CPUID:
		return 1; /* the guest's cpuid instructions run natively (no faulting asked) */
	case LINUX_ARCH_SET_CPUID:
		/* Enabling cpuid is the state already; the host's answer says whether the CPU
		 * could fault it at all (ENODEV). Faulting the guest's cpuid alone is not
		 * something lxrun offers: ENODEV, as on a CPU without CPUID faulting. */
		if (syscall(SYS_arch_prctl, LINUX_ARCH_SET_CPUID, 1) < 0)
			return lx_errno(errno);
		return sc->a[1] ? 0 : -LINUX_ENODEV;
	case LINUX_ARCH_GET_XCOMP_SUPP:
	case LINUX_ARCH_GET_XCOMP_PERM:
	case LINUX_ARCH_REQ_XCOMP_PERM:
		/* the XSAVE features a process may use (AMX): the host's, for the guest's
		 * threads are host threads */
		return lx_host(syscall(SYS_arch_prctl, (int)sc->a[0], sc->a[1]));
	default:
		return -LINUX_EINVAL;
	}
}

LX_SYSCALL(set_tid_address)
{
	sc->t->clear_child_tid = sc->a[0];
	return sc->t->tid;
}

/* A guest thread is a host thread: the host kernel keeps its robust list (replacing the one
 * lxrun's own libc registered, which lxrun never uses) and walks it when the thread or the
 * process dies, so waiters see EOWNERDEAD as on Linux. */
LX_SYSCALL(set_robust_list)
{
	if (sc->a[1] != 24) /* sizeof(struct robust_list_head) */
		return -LINUX_EINVAL;
	long r = lx_host(syscall(SYS_set_robust_list, sc->a[0], sc->a[1]));
	if (r == 0) {
		sc->t->robust_list = sc->a[0];
		sc->t->robust_len = sc->a[1];
	}
	return r;
}

LX_SYSCALL(get_robust_list)
{
	return lx_host(syscall(SYS_get_robust_list, (int)sc->a[0], sc->a[1], sc->a[2]));
}

LX_SYSCALL(rseq)
{
	/* glibc falls back cleanly when registration fails with ENOSYS (the host thread's rseq
	 * area is lxrun's own glibc's). Not reported under -v: every program would say it. */
	return -LINUX_ENOSYS;
}

LX_SYSCALL(sched_yield)
{
	return lx_host(sched_yield());
}

LX_SYSCALL(sched_getaffinity)
{
	return lx_host(syscall(SYS_sched_getaffinity, sc->a[0] == 0 ? 0 : sc->a[0], sc->a[1], sc->a[2]));
}

/* The operations that may sleep: a guest signal interrupts them (EINTR or a restart). The
 * others (wakes, requeues, TRYLOCK_PI, UNLOCK_PI) never return EINTR on Linux; glibc aborts on
 * one ("The futex facility returned an unexpected error code"), so they are plain host calls
 * even with a signal pending: it is delivered when the call returns. */
static bool futex_may_sleep(long op)
{
	switch (op & 127) { /* FUTEX_CMD_MASK: without PRIVATE and CLOCK_REALTIME */
	case 0: /* FUTEX_WAIT */
	case 6: /* FUTEX_LOCK_PI */
	case 9: /* FUTEX_WAIT_BITSET */
	case 11: /* FUTEX_WAIT_REQUEUE_PI */
	case 13: /* FUTEX_LOCK_PI2 */
		return true;
	default:
		return false;
	}
}

LX_SYSCALL(futex)
{
	/* Guest memory is ours: the host futex gives Linux semantics on the same words. */
	if (!futex_may_sleep((long)(int)sc->a[1]))
		return lx_host(syscall(SYS_futex, sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4],
				       sc->a[5]));
	return lx_safe(SYS_futex, sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4], sc->a[5]);
}

LX_SYSCALL(getgroups)
{
	return lx_host(syscall(SYS_getgroups, (int)sc->a[0], sc->a[1]));
}

LX_SYSCALL(setgroups)
{
	return lx_host(syscall(SYS_setgroups, sc->a[0], sc->a[1]));
}

LX_SYSCALL(setrlimit)
{
	struct lx_syscall s2 = {.a = {0, sc->a[0], sc->a[1], 0}, .t = sc->t};
	return sys_prlimit64(&s2);
}

/* Credentials are the host process's (guest threads are host threads: glibc's own setxid
 * broadcast reaches each of them through guest signal delivery). */
#define CRED_SYSCALL(name, n)                                                                  \
	LX_SYSCALL(name)                                                                       \
	{                                                                                      \
		return lx_host(syscall(SYS_##name, sc->a[0], n > 1 ? sc->a[1] : 0,             \
				       n > 2 ? sc->a[2] : 0));                                 \
	}
CRED_SYSCALL(setuid, 1)
CRED_SYSCALL(setgid, 1)
CRED_SYSCALL(setreuid, 2)
CRED_SYSCALL(setregid, 2)
CRED_SYSCALL(setresuid, 3)
CRED_SYSCALL(setresgid, 3)
CRED_SYSCALL(setfsuid, 1)
CRED_SYSCALL(setfsgid, 1)
CRED_SYSCALL(capget, 2)
CRED_SYSCALL(capset, 2)
