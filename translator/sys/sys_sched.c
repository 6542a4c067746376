/* SPDX-License-Identifier: MIT */
/* Scheduling, priority, memory locking, CPU, persona and pidfd calls: the host kernel's. */
/*
 * Guest pids and tids are host pids and tids, and a guest thread is a host thread, so pid 0
 * ("the caller") and every other pid mean for the host what they mean for the guest. The
 * structures (sched_param, sched_attr, cpu masks) have the host layout and the kernel checks
 * the guest's pointers itself.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/vfs/vfs.h"

LX_SYSCALL(sched_setscheduler)
{
	return lx_host(syscall(SYS_sched_setscheduler, (int)sc->a[0], (int)sc->a[1], sc->a[2]));
}

LX_SYSCALL(sched_getscheduler)
{
	return lx_host(syscall(SYS_sched_getscheduler, (int)sc->a[0]));
}

LX_SYSCALL(sched_setparam)
{
	return lx_host(syscall(SYS_sched_setparam, (int)sc->a[0], sc->a[1]));
}

LX_SYSCALL(sched_getparam)
{
	return lx_host(syscall(SYS_sched_getparam, (int)sc->a[0], sc->a[1]));
}

LX_SYSCALL(sched_get_priority_max)
{
	return lx_host(syscall(SYS_sched_get_priority_max, (int)sc->a[0]));
}

LX_SYSCALL(sched_get_priority_min)
{
	return lx_host(syscall(SYS_sched_get_priority_min, (int)sc->a[0]));
}

LX_SYSCALL(sched_rr_get_interval)
{
	return lx_host(syscall(SYS_sched_rr_get_interval, (int)sc->a[0], sc->a[1]));
}

LX_SYSCALL(sched_setaffinity)
{
	return lx_host(syscall(SYS_sched_setaffinity, (int)sc->a[0], sc->a[1], sc->a[2]));
}

LX_SYSCALL(sched_setattr)
{
	return lx_host(syscall(SYS_sched_setattr, (int)sc->a[0], sc->a[1], (unsigned)sc->a[2]));
}

LX_SYSCALL(sched_getattr)
{
	return lx_host(syscall(SYS_sched_getattr, (int)sc->a[0], sc->a[1], (unsigned)sc->a[2],
			       (unsigned)sc->a[3]));
}

/* The raw calls: getpriority returns 20 - nice, which the guest's libc converts. */
LX_SYSCALL(getpriority)
{
	return lx_host(syscall(SYS_getpriority, (int)sc->a[0], (int)sc->a[1]));
}

LX_SYSCALL(setpriority)
{
	return lx_host(syscall(SYS_setpriority, (int)sc->a[0], (int)sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(getcpu)
{
	return lx_host(syscall(SYS_getcpu, sc->a[0], sc->a[1], sc->a[2]));
}

/* The persona is the host process's: kept per process, inherited by fork and kept across
 * execve by the kernel (lxrun's re-execution included), and 0xffffffff only queries it. */
LX_SYSCALL(personality)
{
	return lx_host(syscall(SYS_personality, (unsigned long)(unsigned)sc->a[0]));
}

LX_SYSCALL(mlock2)
{
	return lx_host(syscall(SYS_mlock2, sc->a[0], sc->a[1], (unsigned)sc->a[2]));
}

/*
 * The private expedited barriers need the process's own registration first (EPERM). The host
 * process may be registered by lxrun itself (the rewrite engine's SYNC_CORE, for the code it
 * patches), so the guest's registrations are kept here: per process, inherited by fork, gone
 * at execve (a new lxrun), as Linux keeps them per mm.
 */
static unsigned membarrier_registered;

LX_SYSCALL(membarrier)
{
	static const int use[] = {1 << 3, 1 << 5, 1 << 7}; /* PRIVATE_EXPEDITED{,_SYNC_CORE,_RSEQ} */
	int cmd = (int)sc->a[0];
	long r = lx_host(syscall(SYS_membarrier, cmd, (unsigned)sc->a[1], (int)sc->a[2]));
	if (r < 0)
		return r;
	for (int i = 0; i < 3; i++) {
		if (cmd == use[i] && !(membarrier_registered & (unsigned)(use[i] << 1)))
			return -LINUX_EPERM;
		if (cmd == use[i] << 1)
			__atomic_or_fetch(&membarrier_registered, (unsigned)cmd, __ATOMIC_RELAXED);
	}
	return r;
}

/* A host pidfd, always close-on-exec as on Linux; PIDFD_NONBLOCK is O_NONBLOCK. */
LX_SYSCALL(pidfd_open)
{
	unsigned flags = (unsigned)sc->a[1];
	long h = syscall(SYS_pidfd_open, (int)sc->a[0], flags);
	if (h < 0)
		return lx_errno(errno);
	return sys_install_host_fd((int)h, LINUX_O_CLOEXEC | (flags & LINUX_O_NONBLOCK));
}

/* A /proc/<pid> directory (lxrun's procfs: no host fd) names its process as a pidfd does:
 * the host's own /proc/<pid>, opened for the call; -1 for any other file. */
static int proc_pid_dir(const struct lx_file *f)
{
	const char *p = f->path;
	char host[32];
	long pid = 0;
	if (!p || strncmp(p, "/proc/", 6) != 0)
		return -1;
	p += 6;
	if (strcmp(p, "self") == 0 || strcmp(p, "self/") == 0) {
		pid = getpid();
	} else {
		for (; *p >= '0' && *p <= '9' && pid < (1L << 22); p++)
			pid = pid * 10 + (*p - '0');
		if (!pid || (*p && strcmp(p, "/") != 0))
			return -1;
	}
	snprintf(host, sizeof(host), "/proc/%ld", pid);
	return open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

LX_SYSCALL(pidfd_send_signal)
{
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	int h = f->host_fd, own = -1;
	if (h < 0 && (h = own = proc_pid_dir(f)) < 0)
		return -LINUX_EBADF; /* Linux: EBADF for an fd that is not a pidfd */
	long r = lx_host(syscall(SYS_pidfd_send_signal, h, (int)sc->a[1], sc->a[2],
				 (unsigned)sc->a[3]));
	if (own >= 0)
		close(own);
	return r;
}

/* The target's fd table is the lxrun process's own: targetfd is taken as the target's host
 * fd number, which is its guest fd number only for a process not run by lxrun. */
LX_SYSCALL(pidfd_getfd)
{
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return -LINUX_EBADF;
	/* Under --root another process's fds (a host process's, or an lxrun's own) lead outside
	 * the root: refused as to a process that may not ptrace the target. */
	if (vfs_confined())
		return -LINUX_EPERM;
	long h = syscall(SYS_pidfd_getfd, f->host_fd, (int)sc->a[1], (unsigned)sc->a[2]);
	if (h < 0)
		return lx_errno(errno);
	return sys_install_host_fd((int)h, LINUX_O_CLOEXEC);
}

LX_SYSCALL(rt_sigqueueinfo)
{
	/* The host kernel checks the siginfo (si_code < 0 for another process) and delivers it
	 * to the target, whose lxrun queues it for the guest with that siginfo. */
	return lx_host(syscall(SYS_rt_sigqueueinfo, (int)sc->a[0], (int)sc->a[1], sc->a[2]));
}

LX_SYSCALL(rt_tgsigqueueinfo)
{
	return lx_host(syscall(SYS_rt_tgsigqueueinfo, (int)sc->a[0], (int)sc->a[1], (int)sc->a[2],
			       sc->a[3]));
}
