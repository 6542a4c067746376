/* SPDX-License-Identifier: MIT */
/* Processes: fork/vfork/clone (as host processes), execve (lxrun re-executes itself on the new
 * image), wait4/waitid, process groups and sessions, kill. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_mman.h"
#include "abi/linux_sched.h"
#include "translator/engine/engine.h"
#include "translator/exec.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/mm.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/signal_guest.h"
#include "translator/signal_host.h"
#include "translator/syscall.h"
#include "translator/sys/hostadmin.h"
#include "translator/sys/ns.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/trace.h"

/*
 * vfork. The child is a copy (a host fork), but the parent waits as Linux's does, until the
 * child execs or exits, and then sees what the child stored into memory they would have
 * shared. The child holds one end of a socket pair (close-on-exec): before its exec or exit it
 * sends 'E' or 'L' and waits; the parent takes the child's stores (process_vm_readv), then
 * answers; the end closing (exec, exit, a fatal signal) lets the parent run on.
 *
 * Which stores: the calling thread's frames, [rsp - red zone, rsp + VFORK_WINDOW) within its
 * stack mapping, byte by byte against a snapshot taken at the call, so that only what the child
 * changed is written (other threads of the parent run on and may store nearby: a goroutine's
 * stack sits among other objects). That is where posix_spawn's child writes its exec error and
 * where a vfork child's stores to the caller's locals land. A child that exits (rather than
 * execs) in a single-threaded parent also has the rest of the writable private memory
 * compared with the frozen parent's, page by page, up to VFORK_COPY_MAX: its stores to
 * globals and the heap. lxrun's own frames lie below the red zone and are never touched.
 */
#define VFORK_WINDOW (64u << 10)
#define VFORK_COPY_MAX (64u << 20)
static int vfork_fd = -1; /* the child's end, in a vfork child that has not left yet */

struct vfork_snap {
	uint64_t lo, hi; /* the calling thread's window */
	unsigned char *before;
};

void lx_vfork_release(bool exec)
{
	char c = exec ? 'E' : 'L';
	if (vfork_fd < 0)
		return;
	if (write(vfork_fd, &c, 1) == 1)
		while (read(vfork_fd, &c, 1) < 0 && errno == EINTR)
			;
	close(vfork_fd);
	vfork_fd = -1;
}

static ssize_t read_child(pid_t pid, void *buf, uint64_t addr, size_t n)
{
	struct iovec local = {buf, n}, remote = {(void *)addr, n};
	return syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0);
}

static void vfork_snapshot(uint64_t rsp, struct vfork_snap *v)
{
	*v = (struct vfork_snap){0};
	mm_lock();
	const struct lx_vma *m = mm_find(rsp);
	if (m && (m->prot & LINUX_PROT_WRITE) && !(m->flags & LX_VMA_SHARED)) {
		v->lo = rsp - 128 > m->start ? rsp - 128 : m->start;
		v->hi = m->end - rsp > VFORK_WINDOW ? rsp + VFORK_WINDOW : m->end;
	}
	mm_unlock();
	if (v->hi > v->lo && (v->before = malloc(v->hi - v->lo)))
		memcpy(v->before, (void *)v->lo, v->hi - v->lo);
	else
		v->hi = v->lo;
}

/* Pages of [lo, hi) that differ in the child pid: copied into ours (a frozen parent). */
static void take_range(pid_t pid, uint64_t lo, uint64_t hi)
{
	static char buf[1 << 20];
	while (lo < hi) {
		size_t n = hi - lo < sizeof(buf) ? hi - lo : sizeof(buf);
		ssize_t got = read_child(pid, buf, lo, n);
		if (got <= 0)
			return; /* an unreadable range (PROT_NONE guard, a hole): leave it */
		for (size_t off = 0; off < (size_t)got; off += 4096) {
			size_t len = (size_t)got - off < 4096 ? (size_t)got - off : 4096;
			if (memcmp((void *)(lo + off), buf + off, len))
				memcpy((void *)(lo + off), buf + off, len);
		}
		lo += (uint64_t)got;
	}
}

/* Only the pages the child may have stored into: after the fork every private page is mapped
 * by both processes, and one the child writes becomes its own copy, mapped once (pagemap's
 * "exclusively mapped" bit, with "present"; a page it faulted in first shows so too, and is
 * merely compared). Without a readable pagemap every page is compared. */
#define PM_PRESENT_ (1ull << 63)
#define PM_EXCLUSIVE_ (1ull << 56)

static void take_written(pid_t pid, int pagemap, uint64_t lo, uint64_t hi)
{
	static uint64_t ent[4096];
	if (pagemap < 0) {
		take_range(pid, lo, hi);
		return;
	}
	while (lo < hi) {
		size_t npg = (hi - lo) / 4096 < 4096 ? (hi - lo) / 4096 : 4096;
		ssize_t got = pread(pagemap, ent, npg * 8, (off_t)(lo / 4096 * 8));
		if (got <= 0) {
			take_range(pid, lo, hi);
			return;
		}
		npg = (size_t)got / 8;
		for (size_t i = 0; i < npg;) {
			size_t j = i;
			while (j < npg && (ent[j] & (PM_PRESENT_ | PM_EXCLUSIVE_)) ==
						  (PM_PRESENT_ | PM_EXCLUSIVE_))
				j++;
			if (j > i)
				take_range(pid, lo + i * 4096, lo + j * 4096);
			i = j > i ? j : i + 1;
		}
		lo += npg * 4096;
	}
}

static void take_child_stores(pid_t pid, const struct vfork_snap *v, bool exec)
{
	size_t n = v->hi - v->lo;
	unsigned char *now = n ? malloc(n) : NULL;
	if (now && read_child(pid, now, v->lo, n) == (ssize_t)n) {
		unsigned char *mem = (unsigned char *)v->lo;
		for (size_t i = 0; i < n; i++)
			if (now[i] != v->before[i])
				mem[i] = now[i];
	}
	free(now);
	if (exec || lx_nthreads > 1)
		return;
	uint64_t budget = VFORK_COPY_MAX;
	char pm[40];
	snprintf(pm, sizeof(pm), "/proc/%d/pagemap", (int)pid);
	int pagemap = open(pm, O_RDONLY | O_CLOEXEC);
	mm_lock();
	size_t nv;
	const struct lx_vma *m = mm_list(&nv);
	for (size_t i = 0; i < nv; i++) {
		uint64_t lo = m[i].start, hi = m[i].end;
		if (!(m[i].prot & LINUX_PROT_WRITE) || (m[i].flags & LX_VMA_SHARED))
			continue;
		if (v->lo >= lo && v->lo < hi) /* the stack: above the window only */
			lo = v->hi;
		if (hi <= lo || hi - lo > budget)
			continue;
		budget -= hi - lo;
		take_written(pid, pagemap, lo, hi);
	}
	mm_unlock();
	if (pagemap >= 0)
		close(pagemap);
}

static void vfork_wait(int fd, pid_t pid, struct vfork_snap *v)
{
	char c;
	for (;;) {
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue; /* Linux's vfork parent waits killably: only a fatal signal ends it */
		if (n <= 0)
			break;
		if ((c == 'L' || c == 'E') && v->before)
			take_child_stores(pid, v, c == 'E');
		c = 'A';
		if (write(fd, &c, 1) != 1)
			break;
	}
	close(fd);
	free(v->before);
}

/* A new guest process is a host fork of this one; the child re-arms its trap engine (SUD is
 * not inherited) and returns 0 on the stack the guest asked for. */
static void clear_sighand(void);

static long do_fork(struct lx_syscall *sc, uint64_t flags, uint64_t newsp, uint64_t ptid,
		    uint64_t ctid, uint64_t tls, uint64_t pidfd_at, const uint64_t *set_tid)
{
	lx_trace_flush();
	int sig = (int)(flags & LINUX_CSIGNAL), sp[2] = {-1, -1};
	struct vfork_snap snap = {0};
	if ((flags & LINUX_CLONE_VFORK) && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		sp[0] = sp[1] = -1; /* no pair: the parent runs on at once, as before */
	/* stores are taken back only where Linux would share them (CLONE_VM: vfork, posix_spawn) */
	if (sp[0] >= 0 && (flags & LINUX_CLONE_VM))
		vfork_snapshot(sc->regs->rsp, &snap);
	int pt = lx_ptrace_fork_prepare(sc->t, flags); /* PTRACE_O_TRACEFORK and the like */
	/* glibc's fork keeps the host side (locks, cached tid) consistent in the child. */
	/* new namespaces or a chosen pid (host-admin model): a host clone3 with them;
	 * CLONE_PARENT (0x8000) is the host's too, so the child is the caller's parent's
	 * (getppid, the exit signal and wait are the host's) */
	uint64_t ns = lx_ns_clone_flags(flags);
	uint64_t parent = flags & LINUX_CLONE_PARENT ? 0x8000ul : 0;
	unsigned long hflags = (unsigned long)sig | parent;
	/* the child's copy of the fd table is whole: no other thread is changing it (nor holds
	 * its lock, which the child would never see released) */
	lx_fdtable_lock(lx_proc.fds);
	pid_t pid = ns || set_tid ? lx_ns_fork(sig, ns | parent, set_tid ? set_tid[0] : 0,
					       set_tid ? set_tid[1] : 0)
		    : hflags == SIGCHLD ? fork()
					: (pid_t)syscall(SYS_clone, hflags, 0, 0, 0, 0);
	if (pid)
		lx_fdtable_unlock(lx_proc.fds);
	else
		lx_proc.fds->lock = 0; /* the child's only thread */
	if (pid < 0) {
		long r = lx_errno(errno);
		lx_ptrace_fork_parent(sc->t, pt, -1, sc->regs);
		if (sp[0] >= 0)
			close(sp[0]), close(sp[1]);
		free(snap.before);
		return r;
	}
	if (pid > 0) {
		if (flags & LINUX_CLONE_PARENT_SETTID)
			guest_copy_out(ptid, &pid, sizeof(pid));
		if (pidfd_at) { /* CLONE_PIDFD: a pidfd of the child, close-on-exec, as Linux's */
			int pfd = (int)sys_install_host_fd((int)syscall(SYS_pidfd_open, pid, 0),
							   LINUX_O_CLOEXEC);
			guest_copy_out(pidfd_at, &pfd, sizeof(pfd));
		}
		lx_ptrace_fork_parent(sc->t, pt, pid, sc->regs);
		if (sp[0] >= 0) {
			close(sp[1]);
			vfork_wait(sp[0], pid, &snap);
		}
		if (flags & LINUX_CLONE_VFORK)
			lx_ptrace_vfork_done(sc->t, pid, sc->regs);
		return pid;
	}
	/* child: a vfork child of our own, or a fork of one (which is not the vfork child) */
	if (vfork_fd >= 0)
		close(vfork_fd);
	vfork_fd = -1;
	if (sp[0] >= 0) {
		close(sp[0]);
		vfork_fd = sp[1];
		free(snap.before);
	}
	mm_atfork_child();
	if (sp[0] < 0 && !(flags & LINUX_CLONE_VM))
		mm_forked();
	lx_pub_init(lx_proc.fds); /* its own: the one it has is the parent's */
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
	if (flags & LINUX_CLONE_CLEAR_SIGHAND)
		clear_sighand();
	lx_ptrace_fork_child(t, pt);
	return 0;
}

LX_SYSCALL(fork)
{
	return do_fork(sc, SIGCHLD, 0, 0, 0, 0, 0, NULL);
}

LX_SYSCALL(vfork)
{
	return do_fork(sc, SIGCHLD | LINUX_CLONE_VM | LINUX_CLONE_VFORK, 0, 0, 0, 0, 0, NULL);
}

/* CLONE_CLEAR_SIGHAND in the child: handlers back to the default, ignored signals stay so. */
static void clear_sighand(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct linux_sigaction *a = &lx_proc.sigactions[sig - 1];
		if (a->handler > 1 /* neither SIG_DFL nor SIG_IGN */) {
			memset(a, 0, sizeof(*a));
			lx_signal_host_disposition(sig, 0, 0);
		}
	}
	lx_pub_signals();
}

/* clone and clone3 after their own argument checks: the flag rules of Linux's copy_process. */
static long do_clone(struct lx_syscall *sc, uint64_t flags, uint64_t newsp, uint64_t ptid,
		     uint64_t ctid, uint64_t tls, uint64_t pidfd_at, const uint64_t *set_tid)
{
	if ((flags & (LINUX_CLONE_NEWNS | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWNS | LINUX_CLONE_FS) ||
	    (flags & (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS))
		return -LINUX_EINVAL;
	/* A thread shares everything: Linux requires SIGHAND with it, and VM with SIGHAND. */
	if ((flags & LINUX_CLONE_THREAD) && !(flags & LINUX_CLONE_SIGHAND))
		return -LINUX_EINVAL;
	if ((flags & LINUX_CLONE_SIGHAND) && !(flags & LINUX_CLONE_VM))
		return -LINUX_EINVAL;
	if ((flags & LINUX_CLONE_PIDFD) && (flags & (LINUX_CLONE_DETACHED | LINUX_CLONE_THREAD)))
		return -LINUX_EINVAL;
	/* new namespaces: the host's in the host-admin model (sys_ns.c), else EPERM, as
	 * unshare's (a container's CAP_SYS_ADMIN is missing); a child in the old ones would
	 * pretend (CLONE_NEWTIME is clone3's: passed on from there) */
	if (lx_ns_clone_flags(flags) && !lx_host_admin) {
		lx_report_unsupported(sc, "new namespaces (a container's CAP_SYS_ADMIN is missing)",
				      -LINUX_EPERM);
		return -LINUX_EPERM;
	}
	if ((flags & LINUX_CLONE_THREAD) && lx_ns_clone_flags(flags)) {
		/* Linux: a thread never changes pid or user namespace; the others would need the
		 * new host thread to unshare before its first guest instruction */
		if (!(flags & (LINUX_CLONE_NEWPID | LINUX_CLONE_NEWUSER)))
			lx_report_unsupported(sc, "a thread in new namespaces", -LINUX_EINVAL);
		return -LINUX_EINVAL;
	}
	if (flags & LINUX_CLONE_THREAD) {
		struct lx_regs r = *sc->regs;
		if (newsp)
			r.rsp = newsp;
		int pt = sc->t->pt_spawn = lx_ptrace_fork_prepare(sc->t, flags);
		long tid = lx_thread_spawn(sc->t, &r, flags, ptid, ctid, tls);
		sc->t->pt_spawn = 0;
		lx_ptrace_fork_parent(sc->t, pt, (int)tid, sc->regs);
		return tid;
	}
	if ((flags & LINUX_CLONE_VM) && !(flags & LINUX_CLONE_VFORK)) {
		/* a shared address space without a thread: not supported */
		lx_report_unsupported(sc, "CLONE_VM without CLONE_THREAD or CLONE_VFORK",
				      -LINUX_EINVAL);
		return -LINUX_EINVAL;
	}
	/* Linux stores the pidfd before the point of no return: a bad address is EFAULT with
	 * no child (a store, so that an unmapped or read-only page is caught) */
	int no_fd = -1;
	if (pidfd_at && guest_copy_out(pidfd_at, &no_fd, sizeof(no_fd)) < 0)
		return -LINUX_EFAULT;
	return do_fork(sc, flags, newsp, ptid, ctid, tls, pidfd_at, set_tid);
}

LX_SYSCALL(clone)
{
	uint64_t flags = sc->a[0];
	/* the legacy call writes the pidfd where the parent's tid would go: not both */
	if ((flags & LINUX_CLONE_PIDFD) && (flags & LINUX_CLONE_PARENT_SETTID))
		return -LINUX_EINVAL;
	flags &= 0xffffffffull; /* as Linux's: CLONE_CLEAR_SIGHAND and above are clone3's */
	return do_clone(sc, flags, sc->a[1], sc->a[2], sc->a[3], sc->a[4],
			(flags & LINUX_CLONE_PIDFD) ? sc->a[2] : 0, NULL);
}

/* struct clone_args: version 0 (64 bytes) up to version 2 (88, with cgroup). */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

LX_SYSCALL(clone3)
{
	struct clone3_args a = {0};
	uint64_t size = sc->a[1];
	if (size < LINUX_CLONE_ARGS_SIZE_VER0)
		return -LINUX_EINVAL;
	if (size > 4096)
		return -LINUX_E2BIG;
	if (guest_copy_in(&a, sc->a[0], size < sizeof(a) ? size : sizeof(a)) < 0)
		return -LINUX_EFAULT;
	/* a larger struct from a newer libc: what lxrun does not know must be zero */
	for (uint64_t off = sizeof(a); off < size; off += 8) {
		uint64_t v = 0;
		size_t n = size - off < 8 ? size - off : 8;
		if (guest_copy_in(&v, sc->a[0] + off, n) < 0)
			return -LINUX_EFAULT;
		if (v)
			return -LINUX_E2BIG;
	}
	if ((a.exit_signal & ~(uint64_t)LINUX_CSIGNAL) || a.exit_signal > 64)
		return -LINUX_EINVAL;
	if (a.set_tid_size > 32 || (!a.set_tid && a.set_tid_size) || (a.set_tid && !a.set_tid_size))
		return -LINUX_EINVAL;
	if (a.flags & ~(0xffffffffull | LINUX_CLONE_CLEAR_SIGHAND | LINUX_CLONE_INTO_CGROUP))
		return -LINUX_EINVAL;
	/* the CSIGNAL bits (but CLONE_NEWTIME) and CLONE_DETACHED are not flags of clone3 */
	if (a.flags & (LINUX_CLONE_DETACHED | (LINUX_CSIGNAL & ~LINUX_CLONE_NEWTIME)))
		return -LINUX_EINVAL;
	if ((a.flags & (LINUX_CLONE_SIGHAND | LINUX_CLONE_CLEAR_SIGHAND)) ==
	    (LINUX_CLONE_SIGHAND | LINUX_CLONE_CLEAR_SIGHAND))
		return -LINUX_EINVAL;
	if ((a.flags & (LINUX_CLONE_THREAD | LINUX_CLONE_PARENT)) && a.exit_signal)
		return -LINUX_EINVAL;
	if (!a.stack ? a.stack_size != 0 : a.stack_size == 0)
		return -LINUX_EINVAL;
	if (a.flags & LINUX_CLONE_INTO_CGROUP) {
		lx_report_unsupported(sc, "CLONE_INTO_CGROUP", -LINUX_EINVAL);
		return -LINUX_EINVAL;
	}
	if ((a.flags & LINUX_CLONE_NEWTIME) && !lx_host_admin) {
		lx_report_unsupported(sc, "new namespaces (a container's CAP_SYS_ADMIN is missing)",
				      -LINUX_EPERM);
		return -LINUX_EPERM;
	}
	if (a.set_tid_size && !lx_host_admin) {
		/* choosing the child's pid needs CAP_SYS_ADMIN over the pid namespace: lxrun's
		 * processes are the host's, in its namespace, as in an unprivileged container */
		lx_report_unsupported(sc, "set_tid (a chosen pid)", -LINUX_EPERM);
		return -LINUX_EPERM;
	}
	/* CLONE_NEWTIME shares the exit signal's byte: carried above it (ns.h) */
	uint64_t flags = (a.flags & 0xffffffffull & ~LINUX_CLONE_NEWTIME) | a.exit_signal |
			 ((a.flags & LINUX_CLONE_NEWTIME) ? LX_CLONE3_NEWTIME : 0);
	/* host-admin: a chosen pid is the host's to give (its namespaces' pids) */
	uint64_t tid_args[2] = {a.set_tid, a.set_tid_size};
	long r = do_clone(sc, flags | (a.flags & LINUX_CLONE_CLEAR_SIGHAND),
			  a.stack ? a.stack + a.stack_size : 0, a.parent_tid, a.child_tid, a.tls,
			  (a.flags & LINUX_CLONE_PIDFD) ? a.pidfd : 0, a.set_tid_size ? tid_args : NULL);
	return r;
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
	long r;
	if (lx_ptrace_wait4(sc, &r)) /* a tracer: its tracees' stops too */
		return r;
	lx_ptrace_host_wait(1);
	r = lx_safe(SYS_wait4, (pid_t)sc->a[0], sc->a[1], (int)sc->a[2], sc->a[3]);
	lx_ptrace_host_wait(0);
	/* a tracee told us meanwhile that we trace it */
	if (r == -LINUX_EINTR && !lx_signal_pending(sc->t) && lx_ptrace_wait4(sc, &r))
		return r;
	return r;
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
	long r;
	if (lx_ptrace_waitid(sc, &r))
		return r;
	lx_ptrace_host_wait(1);
	r = lx_safe(SYS_waitid, (int)sc->a[0], id, sc->a[2], (int)sc->a[3], sc->a[4]);
	lx_ptrace_host_wait(0);
	if (r == -LINUX_EINTR && !lx_signal_pending(sc->t) && lx_ptrace_waitid(sc, &r))
		return r;
	return r;
}

/*
 * A signal the caller sends itself that kills it with a core dump (abort's SIGABRT, a raise
 * of SIGQUIT): the host would end the process inside lxrun's handler, and its core would
 * show lxrun's registers. Linux delivers it as the syscall returns, so lxrun dies the same
 * way at the guest's registers (the result, 0, in rax).
 */
static void fatal_to_self(struct lx_syscall *sc, int self, int sig)
{
	if (!self || sig < 1 || sig > 64 || !lx_signal_dumps_core(sig) || sc->t->pt ||
	    lx_ptrace_force || lx_proc.sigactions[sig - 1].handler != 0 ||
	    (sc->t->sigmask & (1ull << (sig - 1))))
		return;
	sc->regs->rax = 0;
	lx_die_by_signal_at(sig, sc->regs);
}

LX_SYSCALL(kill)
{
	fatal_to_self(sc, (pid_t)sc->a[0] == getpid(), (int)sc->a[1]);
	if (lx_ptrace_kill(sc->t, (pid_t)sc->a[0], (pid_t)sc->a[0] == getpid(), (int)sc->a[1]))
		return 0;
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
		/* the first 15 bytes (a longer name is cut, not refused), as Linux's */
		memset(name, 0, sizeof(name));
		for (int i = 0; i < 15; i++) {
			if (guest_copy_in(&name[i], sc->a[1] + (uint64_t)i, 1) < 0)
				return -LINUX_EFAULT;
			if (!name[i])
				break;
		}
		memcpy(lx_proc.comm, name, sizeof(name) - 1);
		lx_proc.comm[15] = 0;
		prctl(PR_SET_NAME, name); /* what ps and pgrep read in the host's /proc */
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
	case PR_CAPBSET_DROP:
	case PR_SET_SECUREBITS:
	/* the host process's own: its children are the guest's, its THP, machine-check and
	 * speculation policies and its time-stamp counter are the guest threads' */
	case PR_SET_CHILD_SUBREAPER:
	case PR_GET_CHILD_SUBREAPER:
	case PR_SET_THP_DISABLE:
	case PR_GET_THP_DISABLE:
	case PR_MCE_KILL:
	case PR_MCE_KILL_GET:
	case PR_GET_SPECULATION_CTRL:
	case PR_SET_SPECULATION_CTRL:
	case PR_GET_TSC:
	case PR_SET_TSC:
		return lx_host(prctl((int)sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4]));
	case PR_GET_SECCOMP:
	case PR_SET_SECCOMP:
		return lx_seccomp_prctl(sc);
	default:
		lx_report_unsupported(sc, "option (lxrun serves names, death signal, dumpable, "
				      "no_new_privs, timer slack)", -LINUX_EINVAL);
		return -LINUX_EINVAL;
	}
}

LX_SYSCALL(tgkill)
{
	fatal_to_self(sc, (pid_t)sc->a[0] == getpid() && (pid_t)sc->a[1] == sc->t->tid,
		      (int)sc->a[2]);
	if (lx_ptrace_kill(sc->t, (pid_t)sc->a[1], (pid_t)sc->a[1] == sc->t->tid, (int)sc->a[2]))
		return 0;
	return lx_host(syscall(SYS_tgkill, (pid_t)sc->a[0], (pid_t)sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(tkill)
{
	fatal_to_self(sc, (pid_t)sc->a[0] == sc->t->tid, (int)sc->a[1]);
	if (lx_ptrace_kill(sc->t, (pid_t)sc->a[0], (pid_t)sc->a[0] == sc->t->tid, (int)sc->a[1]))
		return 0;
	return lx_host(syscall(SYS_tkill, (pid_t)sc->a[0], (int)sc->a[1]));
}
