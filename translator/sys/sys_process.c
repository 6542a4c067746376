/* SPDX-License-Identifier: MIT */
/* Processes: fork/vfork/clone (as host processes), execve (lxrun re-executes itself on the new
 * image), wait4/waitid, process groups and sessions, kill. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_sched.h"
#include "translator/engine/engine.h"
#include "translator/exec.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/mm.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/trace.h"

/* A new guest process is a host fork of this one; the child re-arms its trap engine (SUD is
 * not inherited) and returns 0 on the stack the guest asked for. */
static long do_fork(struct lx_syscall *sc, uint64_t flags, uint64_t newsp, uint64_t ptid,
		    uint64_t ctid, uint64_t tls)
{
	lx_trace_flush();
	int sig = (int)(flags & LINUX_CSIGNAL);
	/* glibc's fork keeps the host side (locks, cached tid) consistent in the child. */
	pid_t pid = sig == SIGCHLD ? fork() : (pid_t)syscall(SYS_clone, (unsigned long)sig, 0, 0, 0, 0);
	if (pid < 0)
		return lx_errno(errno);
	if (pid > 0) {
		if (flags & LINUX_CLONE_PARENT_SETTID)
			guest_copy_out(ptid, &pid, sizeof(pid));
		return pid;
	}
	/* child */
	mm_atfork_child();
	lx_threads_only(sc->t);
	struct lx_thread *t = sc->t;
	lx_proc.pid = getpid();
	t->tid = lx_proc.pid;
	const char *why;
	if (lx_proc.engine->thread_arm(t, &why) < 0)
		_exit(127);
	if (newsp)
		sc->regs->rsp = newsp;
	if (flags & LINUX_CLONE_SETTLS)
		t->guest_fs = tls;
	if (flags & LINUX_CLONE_CHILD_SETTID)
		guest_copy_out(ctid, &lx_proc.pid, sizeof(int));
	if (flags & LINUX_CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	return 0;
}

LX_SYSCALL(fork)
{
	return do_fork(sc, SIGCHLD, 0, 0, 0, 0);
}

LX_SYSCALL(vfork)
{
	/* A copy instead of a shared address space: the parent runs on at once; programs
	 * that only exec or _exit in the child (the vfork contract) cannot tell. */
	return do_fork(sc, SIGCHLD, 0, 0, 0, 0);
}

LX_SYSCALL(clone)
{
	uint64_t flags = sc->a[0];
	if (flags & LINUX_CLONE_THREAD) {
		/* A thread shares everything: Linux requires SIGHAND and VM with it. */
		if (!(flags & LINUX_CLONE_SIGHAND) || !(flags & LINUX_CLONE_VM))
			return -LINUX_EINVAL;
		struct lx_regs r = *sc->regs;
		if (sc->a[1])
			r.rsp = sc->a[1];
		return lx_thread_spawn(sc->t, &r, flags, sc->a[2], sc->a[3], sc->a[4]);
	}
	if ((flags & LINUX_CLONE_VM) && !(flags & LINUX_CLONE_VFORK))
		return -LINUX_EINVAL; /* a shared address space without a thread: not supported */
	return do_fork(sc, flags & ~(LINUX_CLONE_VM | LINUX_CLONE_VFORK), sc->a[1], sc->a[2], sc->a[3],
		       sc->a[4]);
}

LX_SYSCALL(clone3)
{
	/* glibc tries clone3 first and falls back to clone on ENOSYS: keep one path. */
	return -LINUX_ENOSYS;
}

LX_SYSCALL(execve)
{
	return lx_execveat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc->a[2], 0);
}

LX_SYSCALL(execveat)
{
	return lx_execveat((int)sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4]);
}

/* Children are host processes: waiting is the host's, and the status words are Linux's. */
LX_SYSCALL(wait4)
{
	return lx_safe(SYS_wait4, (pid_t)sc->a[0], sc->a[1], (int)sc->a[2], sc->a[3]);
}

LX_SYSCALL(waitid)
{
	long id = (pid_t)sc->a[1];
	if ((int)sc->a[0] == 3 /* P_PIDFD: the id is a guest fd, a host pidfd behind it */) {
		struct lx_file *f = sys_file(id);
		if (!f || f->host_fd < 0)
			return -LINUX_EBADF;
		id = f->host_fd;
	}
	return lx_safe(SYS_waitid, (int)sc->a[0], id, sc->a[2], (int)sc->a[3], sc->a[4]);
}

LX_SYSCALL(kill)
{
	return lx_host(kill((pid_t)sc->a[0], (int)sc->a[1]));
}

LX_SYSCALL(setpgid)
{
	return lx_host(setpgid((pid_t)sc->a[0], (pid_t)sc->a[1]));
}

LX_SYSCALL(getpgid)
{
	return lx_host(getpgid((pid_t)sc->a[0]));
}

LX_SYSCALL(setsid)
{
	return lx_host(setsid());
}

LX_SYSCALL(getsid)
{
	return lx_host(getsid((pid_t)sc->a[0]));
}

LX_SYSCALL(getrusage)
{
	return lx_host(syscall(SYS_getrusage, (int)sc->a[0], sc->a[1]));
}

LX_SYSCALL(times)
{
	return lx_host(syscall(SYS_times, sc->a[0]));
}

LX_SYSCALL(prctl)
{
	char name[16];
	switch ((int)sc->a[0]) {
	case PR_SET_NAME:
		memset(name, 0, sizeof(name));
		if (guest_strncpy_in(name, sc->a[1], sizeof(name)) == -LINUX_EFAULT)
			return -LINUX_EFAULT;
		memcpy(lx_proc.comm, name, sizeof(name) - 1);
		lx_proc.comm[15] = 0;
		return 0;
	case PR_GET_NAME:
		return guest_copy_out(sc->a[1], lx_proc.comm, sizeof(lx_proc.comm));
	case PR_SET_PDEATHSIG:
		if (sc->a[1] > 64)
			return -LINUX_EINVAL;
		return lx_host(prctl(PR_SET_PDEATHSIG, sc->a[1]));
	case PR_GET_PDEATHSIG:
		return lx_host(syscall(SYS_prctl, PR_GET_PDEATHSIG, sc->a[1]));
	case PR_GET_DUMPABLE:
	case PR_SET_DUMPABLE:
	case PR_GET_NO_NEW_PRIVS:
	case PR_SET_NO_NEW_PRIVS:
	case PR_GET_TIMERSLACK:
	case PR_SET_TIMERSLACK:
	/* Capabilities are the host process's (its uids are the guest's): libcap reads the
	 * bounding set, securebits and ambient set (sshd), daemons keep capabilities across
	 * their setuid. */
	case PR_CAPBSET_READ:
	case PR_GET_KEEPCAPS:
	case PR_SET_KEEPCAPS:
	case PR_GET_SECUREBITS:
	case PR_CAP_AMBIENT:
		return lx_host(prctl((int)sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4]));
	case PR_GET_SECCOMP:
	case PR_SET_SECCOMP:
		return lx_seccomp_prctl(sc);
	default:
		return -LINUX_EINVAL;
	}
}

LX_SYSCALL(tgkill)
{
	return lx_host(syscall(SYS_tgkill, (pid_t)sc->a[0], (pid_t)sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(tkill)
{
	return lx_host(syscall(SYS_tkill, (pid_t)sc->a[0], (int)sc->a[1]));
}
