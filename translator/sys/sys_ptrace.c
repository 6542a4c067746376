/* SPDX-License-Identifier: MIT */
/*
 * ptrace between guest processes, served by lxrun's kernel (gVisor's approach): a guest
 * syscall never reaches the host kernel as itself, and a host-level stop would show lxrun's
 * registers, so the tracee's lxrun stops itself at each ptrace stop and the tracer's lxrun
 * serves the requests and the wait statuses. See docs/design.md, "ptrace".
 *
 * Shared state: each tracer has one file, /dev/shm/.lxrun-ptrace-UID-PID, mapped by it and by
 * its tracees: a header page (a futex word the tracees bump at every stop or exit) and one
 * 16 KiB slot per traced thread (its stop status, registers, siginfo, the tracer's command and
 * a futex word the tracee sleeps on). Guest memory is at the same host addresses in both, so
 * PEEK/POKE go through the host's /proc/PID/mem.
 *
 * Wake-ups that cross processes otherwise: a host SIGTRAP sent with rt_(tg)sigqueueinfo,
 * si_code SI_QUEUE and a magic si_value, which lxrun's SIGTRAP handler takes before anything
 * else (lx_ptrace_host_signal): "you are traced now" (PTRACE_ATTACH/SEIZE) to a tracee, "you
 * are a tracer now" (PTRACE_TRACEME, a stop not yet seen) to a tracer, whose wait4 may sit in
 * the host's wait4 from before it knew.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_sched.h"
#include "abi/linux_signal.h"
#include "abi/syscalls.h"
#include "translator/engine/rewrite.h"
#include "translator/fastpath.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/signal_guest.h"
#include "translator/signal_host.h"
#include "translator/stats.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"

/* Requests, options and events (Linux's numbers). */
enum {
	PT_TRACEME = 0, PT_PEEKTEXT = 1, PT_PEEKDATA = 2, PT_PEEKUSR = 3, PT_POKETEXT = 4,
	PT_POKEDATA = 5, PT_POKEUSR = 6, PT_CONT = 7, PT_KILL = 8, PT_SINGLESTEP = 9,
	PT_GETREGS = 12, PT_SETREGS = 13, PT_GETFPREGS = 14, PT_SETFPREGS = 15, PT_ATTACH = 16,
	PT_DETACH = 17, PT_SYSCALL = 24, PT_SETOPTIONS = 0x4200, PT_GETEVENTMSG = 0x4201,
	PT_GETSIGINFO = 0x4202, PT_SETSIGINFO = 0x4203, PT_GETREGSET = 0x4204,
	PT_SETREGSET = 0x4205, PT_SEIZE = 0x4206, PT_INTERRUPT = 0x4207, PT_LISTEN = 0x4208,
	PT_GETSIGMASK = 0x420a, PT_GET_SYSCALL_INFO = 0x420e,
};
#define O_TRACESYSGOOD 0x1
#define O_TRACEFORK 0x2
#define O_TRACEVFORK 0x4
#define O_TRACECLONE 0x8
#define O_TRACEEXEC 0x10
#define O_TRACEVFORKDONE 0x20
#define O_TRACEEXIT 0x40
#define O_TRACESECCOMP 0x80
#define O_EXITKILL 0x100000
#define O_SUSPEND_SECCOMP 0x200000
#define O_MASK (0xffu | O_EXITKILL | O_SUSPEND_SECCOMP)
enum { EV_FORK = 1, EV_VFORK = 2, EV_CLONE = 3, EV_EXEC = 4, EV_VFORK_DONE = 5, EV_EXIT = 6,
       EV_STOP = 128 };

#define SLOTS 256 /* slot 0 is the header */
#define SLOT_SIZE 16384 /* the XSAVE area may be 11 KiB (AMX) */
#define XS_MAX 12288
#define FILE_SIZE ((size_t)SLOTS * SLOT_SIZE)
#define MAGIC 0x4c585054u /* "LXPT" in si_value's high half */
enum { OP_ATTACH = 1, OP_SEIZE = 2, OP_TRACER = 3, OP_INTERRUPT = 4,
       OP_WAKE = 5,    /* a SIGCONT that wakes a host-stopped tracee for its tracer: not the guest's */
       OP_STOPPED = 6, /* a traced process was stopped by the host (a SIGSTOP from elsewhere) */
};

/* Slot states. */
enum { S_FREE, S_RUNNING, S_STOPPED /* not yet reported */, S_REPORTED, S_GONE, S_ATTACHING,
       S_LISTENING /* PTRACE_LISTEN: still stopped, a SIGCONT makes it stop anew */ };
/* Slot flags. */
#define F_SEIZED 1u
#define F_CHILD 2u    /* the tracer is the tracee's parent: the host's wait4 reports its end */
#define F_NEWCHILD 4u /* auto-attached: the first stop is still to come */
#define F_DETACHING 8u /* detached by the tracer; the tracee frees the slot when it wakes */
#define F_CONT 16u     /* the tracer sent SIGCONT before the tracee took the attach request */
#define F_INTERRUPT 32u /* PTRACE_INTERRUPT (or a SIGCONT's notice): stop at the next chance */
#define F_JOBSTOP 64u   /* a group stop is in effect (the process was stopped when attached, or
			 * stopped while traced) until a SIGCONT: a detach leaves it stopped */
/* What the stop is, for PTRACE_GET_SYSCALL_INFO. */
enum { K_OTHER, K_ENTRY, K_EXIT };

/* struct user_regs_struct, by index. */
enum { R15, R14, R13, R12, RBP, RBX, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI, ORIG_RAX, RIP,
       CS, EFLAGS, RSP, SS, FS_BASE, GS_BASE, DS, ES, FS, GS, NREGS };

struct pt_hdr {
	uint32_t magic;
	int32_t pid;
	uint32_t wake; /* futex: bumped by tracees at every stop and exit */
};

struct pt_slot {
	int32_t tid, tgid;
	uint32_t state; /* futex the tracee sleeps on while stopped */
	uint32_t flags;
	int32_t status; /* the wait status of the stop (S_STOPPED/S_REPORTED) or end (S_GONE) */
	uint32_t options;
	uint32_t cmd;   /* how the tracer resumed it: PT_CONT, PT_SYSCALL, PT_SINGLESTEP, PT_DETACH */
	int32_t cmd_sig;
	uint32_t kind;
	uint32_t regs_dirty, fp_dirty, fp_valid;
	uint64_t event_msg;
	uint64_t regs[NREGS];
	uint8_t siginfo[128];
	uint8_t fp[512];
	uint64_t sigmask;
	uint32_t in_call; /* serving a syscall through lx_syscall_entry (not the TLS-free path) */
	uint32_t auxv_len;
	uint32_t no_siginfo; /* a group stop of a tracee not seized: GETSIGINFO is EINVAL */
	uint64_t dr[8];      /* the debug registers as set with POKEUSER (not armed) */
	uint64_t at_regs;    /* the tracee's own: struct lx_regs * of the syscall it serves */
	uint8_t auxv[2048]; /* the guest's auxv, for the tracer's /proc/PID/auxv */
	uint32_t xs_len, xs_dirty;
	uint64_t xcr0;
	/* the XSAVE area (standard format), for NT_X86_XSTATE */
	uint8_t xs[XS_MAX] __attribute__((aligned(64)));
};
_Static_assert(sizeof(struct pt_slot) <= SLOT_SIZE, "a slot fits its pages");

int lx_ptrace_force;

/* ---- the tracer files ---- */

static void pt_path(char *buf, size_t n, int pid)
{
	/* the host's /dev/shm (lxrun's own calls are the host's, whatever the guest's root),
	 * /tmp on a host without one */
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(buf, n, "%s/.lxrun-ptrace-%u-%d", dir, (unsigned)getuid(), pid);
}

/* Map tracer pid's file (create: make it when missing). NULL when it cannot be had. */
static void *pt_map(int pid, int create)
{
	char path[96];
	pt_path(path, sizeof(path), pid);
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_uid != getuid() ||
	    (st.st_size < (off_t)FILE_SIZE && ftruncate(fd, (off_t)FILE_SIZE) < 0)) {
		close(fd);
		return NULL;
	}
	void *p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	struct pt_hdr *h = p;
	h->magic = MAGIC;
	h->pid = pid;
	return p;
}

static struct pt_slot *slot_at(void *base, int i)
{
	return (struct pt_slot *)((char *)base + (size_t)i * SLOT_SIZE);
}

/* Reserve a free slot of the file at base (its tid -1 until the owner stores the real one),
 * the rest of it cleared; its index, or 0 when all are taken. */
static int slot_claim(void *base)
{
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(base, i);
		int32_t zero = 0;
		if (__atomic_compare_exchange_n(&s->tid, &zero, -1, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			memset((char *)s + sizeof(s->tid), 0, sizeof(*s) - sizeof(s->tid));
			return i;
		}
	}
	return 0;
}

static int slot_index(void *base, const struct pt_slot *s)
{
	return (int)(((const char *)s - (const char *)base) / SLOT_SIZE);
}

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static void bump(struct pt_hdr *h)
{
	__atomic_add_fetch(&h->wake, 1, __ATOMIC_SEQ_CST);
	futex(&h->wake, FUTEX_WAKE, 0x7fffffff, NULL);
}

static void send_magic(int tgid, int tid, int op, int idx)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGTRAP;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_ptr = (void *)(((uint64_t)MAGIC << 32) | ((uint64_t)op << 16) |
					 (uint64_t)idx);
	if (tid)
		syscall(SYS_rt_tgsigqueueinfo, tgid, tid, SIGTRAP, &si);
	else
		syscall(SYS_rt_sigqueueinfo, tgid, SIGTRAP, &si);
}

/* ---- tracee side ---- */

static void *tracer_base;      /* this process's own tracer file, once it traces anyone */
static volatile int tracer_waiting; /* the thread (host tid) in wait4/waitid, or 0 */
static int told;               /* a tracee: its tracer was told it traces us (its wait4 may
				* sit in the host's wait from before) */

static void *tracee_base;   /* the tracer's file, as mapped here */
static int tracee_tracer;   /* its pid */
static int ntraced;         /* traced threads of this process */

/* Every signal through lxrun while traced (the tracer sees them all), the fast path off. */
static void force_signals(int on)
{
	if (lx_ptrace_force == on)
		return;
	lx_ptrace_force = on;
	for (int sig = 1; sig <= 64; sig++)
		sig_mirror(sig, lx_proc.sigactions[sig - 1].handler);
	if (on)
		lx_fastpath_init(0, 0);
}

static void tracee_join(struct lx_thread *t, void *base, int tracer, struct pt_slot *s)
{
	tracee_base = base;
	tracee_tracer = tracer;
	t->pt = s;
	ntraced++;
	force_signals(1);
}

static void tracee_leave(struct lx_thread *t)
{
	t->pt = NULL;
	if (--ntraced <= 0) {
		ntraced = 0;
		force_signals(0);
	}
}

static void regs_out(struct lx_thread *t, const struct lx_regs *r, uint64_t orig, uint64_t *u)
{
	memset(u, 0, NREGS * sizeof(*u));
	u[R15] = r->r15, u[R14] = r->r14, u[R13] = r->r13, u[R12] = r->r12;
	u[RBP] = r->rbp, u[RBX] = r->rbx, u[R11] = r->r11, u[R10] = r->r10;
	u[R9] = r->r9, u[R8] = r->r8, u[RAX] = r->rax, u[RCX] = r->rcx;
	u[RDX] = r->rdx, u[RSI] = r->rsi, u[RDI] = r->rdi, u[ORIG_RAX] = orig;
	u[RIP] = r->rip, u[CS] = 0x33, u[EFLAGS] = r->rflags, u[RSP] = r->rsp, u[SS] = 0x2b;
	u[FS_BASE] = t->guest_fs, u[GS_BASE] = t->guest_gs;
}

static void regs_in(struct lx_thread *t, struct lx_regs *r, const uint64_t *u)
{
	r->r15 = u[R15], r->r14 = u[R14], r->r13 = u[R13], r->r12 = u[R12];
	r->rbp = u[RBP], r->rbx = u[RBX], r->r11 = u[R11], r->r10 = u[R10];
	r->r9 = u[R9], r->r8 = u[R8], r->rax = u[RAX], r->rcx = u[RCX];
	r->rdx = u[RDX], r->rsi = u[RSI], r->rdi = u[RDI], r->rip = u[RIP], r->rsp = u[RSP];
	/* only the flags user space may change, as the kernel's putreg */
	r->rflags = (r->rflags & ~0x40dd5ull) | (u[EFLAGS] & 0x40dd5ull);
	if (u[FS_BASE] != t->guest_fs) {
		t->guest_fs = u[FS_BASE];
		r->fs = u[FS_BASE];
	}
	t->guest_gs = u[GS_BASE];
}

static int tracer_alive(void)
{
	return kill(tracee_tracer, 0) == 0 || errno != ESRCH;
}

/* The tracer went away: Linux detaches its tracees (and kills them with EXITKILL, which the
 * tracer's own exit did). */
static void orphaned(struct lx_thread *t)
{
	struct pt_slot *s = t->pt;
	int job = s->flags & F_JOBSTOP;
	s->tid = 0;
	tracee_leave(t);
	if (job) /* the group stop is still in effect: stopped again, for the host */
		kill(getpid(), SIGSTOP);
}

static int stopcode(int sig);
static void trap_info(struct linux_siginfo *si, int code);

/* The status (and siginfo: info NULL when it has none) of a job-control trap: PTRACE_EVENT_STOP
 * of a seized tracee, with the stop signal while a group stop is in effect and SIGTRAP
 * otherwise; the group stop of a tracee attached while stopped (SIGSTOP, no siginfo). */
static int jobctl_status(struct pt_slot *s, struct linux_siginfo *si, int *has_info)
{
	int sig = (s->flags & F_JOBSTOP) ? LINUX_SIGSTOP : LINUX_SIGTRAP;
	*has_info = (s->flags & F_SEIZED) != 0;
	if (!*has_info)
		return stopcode(sig);
	int code = sig | (EV_STOP << 8);
	trap_info(si, code);
	si->si_signo = sig;
	return stopcode(code);
}

/* PTRACE_LISTEN ended by a SIGCONT's notice (or PTRACE_INTERRUPT): a new stop, same registers. */
static void relisten(struct pt_slot *s)
{
	struct linux_siginfo si;
	int has;
	__atomic_and_fetch(&s->flags, ~F_INTERRUPT, __ATOMIC_SEQ_CST);
	s->status = jobctl_status(s, &si, &has);
	if (has)
		memcpy(s->siginfo, &si, 128);
	s->no_siginfo = !has;
	__atomic_store_n(&s->state, S_STOPPED, __ATOMIC_SEQ_CST);
	bump(tracee_base);
	kill(tracee_tracer, SIGCHLD);
}

/* The XSAVE size of a signal frame's FP state (the kernel's sw_reserved), 0 when FXSAVE only. */
static uint32_t xs_of(const void *fpstate)
{
	const struct linux_fpstate *f = fpstate;
	if (!f || f->sw_reserved.magic1 != LINUX_FP_XSTATE_MAGIC1 ||
	    f->sw_reserved.xstate_size < 576 || f->sw_reserved.xstate_size > XS_MAX)
		return 0;
	return f->sw_reserved.xstate_size;
}

/* The XSAVE area for NT_X86_XSTATE: the signal frame's, or lxrun's own at the stop (the guest's
 * vector registers, as for GETFPREGS). */
static void xstate_out(struct pt_slot *s, const void *fpstate)
{
	uint32_t a, b, c, d, lo, hi;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	s->xs_len = 0;
	if (!(c & (1u << 27))) /* OSXSAVE */
		return;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	s->xcr0 = ((uint64_t)hi << 32) | lo;
	uint32_t n = xs_of(fpstate);
	if (n) {
		memcpy(s->xs, fpstate, n);
		s->xs_len = n;
		return;
	}
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	if (b < 576 || b > XS_MAX)
		return;
	memset(s->xs + 512, 0, 64); /* XSAVE writes the header's XSTATE_BV only */
	__asm__ volatile("xsave64 %0" : "+m"(*(char(*)[XS_MAX])s->xs) : "a"(lo), "d"(hi));
	s->xs_len = b;
}

/*
 * Stop: publish the registers and the status, wake the tracer, sleep until it resumes us.
 * Returns the signal the tracer resumed with (cmd_sig), -1 when detached (its signal is
 * queued), -2 when the tracer is gone.
 */
static int pt_stop(struct lx_thread *t, struct lx_regs *regs, void *fpstate, uint64_t orig,
		   int status, const void *info, int kind)
{
	struct pt_slot *s = t->pt;
	struct pt_hdr *h = tracee_base;
	regs_out(t, regs, orig, s->regs);
	if (info)
		memcpy(s->siginfo, info, 128);
	s->no_siginfo = !info;
	if (fpstate) {
		memcpy(s->fp, fpstate, 512);
		s->fp_valid = 1;
	} else {
		__asm__ volatile("fxsave64 %0" : "=m"(*(char(*)[512])s->fp));
		s->fp_valid = 0;
	}
	xstate_out(s, fpstate);
	s->regs_dirty = s->fp_dirty = s->xs_dirty = 0;
	s->kind = (uint32_t)kind;
	s->status = status;
	s->sigmask = t->sigmask;
	size_t an = lx_proc.auxv_len < sizeof(s->auxv) ? lx_proc.auxv_len : sizeof(s->auxv);
	if (guest_copy_in(s->auxv, lx_proc.auxv, an) < 0)
		an = 0;
	s->auxv_len = (uint32_t)an;
	__atomic_store_n(&s->state, S_STOPPED, __ATOMIC_SEQ_CST);
	bump(h);
	kill(tracee_tracer, SIGCHLD);
	if (!told++)
		send_magic(tracee_tracer, 0, OP_TRACER, 0);
	int waits = 0;
	for (;;) {
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
		if (st == S_RUNNING)
			break;
		if (st == S_LISTENING && (__atomic_load_n(&s->flags, __ATOMIC_SEQ_CST) & F_INTERRUPT)) {
			relisten(s);
			continue;
		}
		struct timespec ts = {0, (waits++ < 5 ? 20 : 100) * 1000 * 1000};
		if (futex(&s->state, FUTEX_WAIT, st, &ts) < 0 && errno == ETIMEDOUT) {
			if (!tracer_alive()) {
				orphaned(t);
				return -2;
			}
			if (st == S_STOPPED) /* not seen yet: the tracer may sit in the host's wait4 */
				send_magic(tracee_tracer, 0, OP_TRACER, 0);
		}
	}
	if (s->regs_dirty)
		regs_in(t, regs, s->regs);
	if (s->fp_dirty && fpstate)
		memcpy(fpstate, s->fp, 512);
	if (s->xs_dirty && xs_of(fpstate) && s->xs_len == xs_of(fpstate))
		memcpy(fpstate, s->xs, s->xs_len);
	/* single-step: the trap flag while resumed so, cleared otherwise */
	if (s->cmd == PT_SINGLESTEP)
		regs->rflags |= 0x100;
	else
		regs->rflags &= ~0x100ull;
	if (s->cmd == PT_DETACH) {
		int sig = s->cmd_sig;
		/* back in the group stop (the tracer stopped us for the host): PTRACE_ATTACH's
		 * SIGSTOP, still pending, is that stop's (a SIGCONT would discard it) */
		if (s->flags & F_JOBSTOP)
			lx_signal_discard(t, LINUX_SIGSTOP);
		s->tid = 0;
		tracee_leave(t);
		if (sig > 0)
			lx_signal_queue(t, sig, NULL);
		return -1;
	}
	return s->cmd_sig;
}

static int stopcode(int sig)
{
	return (sig << 8) | 0x7f;
}

static void trap_info(struct linux_siginfo *si, int code)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = LINUX_SIGTRAP;
	si->si_code = code;
	si->fields.kill.pid = getpid();
	si->fields.kill.uid = getuid();
}

/* A ptrace event stop (PTRACE_EVENT_*): SIGTRAP | event << 8 in the status's stop signal. */
static int event_stop(struct lx_thread *t, struct lx_regs *regs, void *fp, uint64_t orig,
		      int event, uint64_t msg)
{
	struct linux_siginfo si;
	int code = LINUX_SIGTRAP | (event << 8);
	trap_info(&si, code);
	t->pt->event_msg = msg;
	return pt_stop(t, regs, fp, orig, stopcode(code), &si, K_OTHER);
}

static int syscall_stop(struct lx_thread *t, struct lx_regs *regs, void *fp, uint64_t orig,
			int kind)
{
	struct pt_slot *s = t->pt;
	int code = LINUX_SIGTRAP | ((s->options & O_TRACESYSGOOD) ? 0x80 : 0);
	struct linux_siginfo si;
	trap_info(&si, code);
	return pt_stop(t, regs, fp, orig, stopcode(code), &si, kind);
}

static long cur_nr; /* the syscall a traced thread is in (execve's number for the new image) */

/* PTRACE_INTERRUPT's stop: PTRACE_EVENT_STOP with SIGTRAP. */
static void interrupt_stop(struct lx_thread *t, struct lx_regs *regs, void *fp, uint64_t orig)
{
	struct pt_slot *s = t->pt;
	__atomic_and_fetch(&s->flags, ~F_INTERRUPT, __ATOMIC_SEQ_CST);
	struct linux_siginfo si;
	int has;
	int status = jobctl_status(s, &si, &has);
	/* a signal given to the restart is not sent from a job-control trap (as Linux) */
	pt_stop(t, regs, fp, orig, status, has ? &si : NULL, K_OTHER);
}

int lx_ptrace_pending_stop(struct lx_thread *t, long nr, struct lx_regs *regs, void *fpstate)
{
	if (!(__atomic_load_n(&t->pt->flags, __ATOMIC_SEQ_CST) & F_INTERRUPT))
		return 0;
	interrupt_stop(t, regs, fpstate, (uint64_t)nr);
	return 1;
}

int lx_ptrace_syscall_enter(struct lx_thread *t, struct lx_regs *regs, void *fpstate, long *nr)
{
	struct pt_slot *s = t->pt;
	cur_nr = *nr;
	s->in_call = 1;
	s->at_regs = (uint64_t)(uintptr_t)regs; /* for the exit stop, if this call ends us */
	if (s->flags & F_INTERRUPT) {
		interrupt_stop(t, regs, fpstate, (uint64_t)*nr);
		if (!t->pt)
			return 0;
	}
	if (s->cmd != PT_SYSCALL)
		return 0;
	uint64_t orig = regs->rax;
	regs->rax = (uint64_t)-LINUX_ENOSYS;
	int r = syscall_stop(t, regs, fpstate, orig, K_ENTRY);
	if (r > 0)
		lx_signal_queue(t, r, NULL); /* Linux sends a signal given at a syscall stop */
	if (r >= 0 && s->regs_dirty)
		orig = s->regs[ORIG_RAX];
	*nr = cur_nr = (long)orig;
	if (*nr == -1)
		return 1; /* skipped: rax is what the tracer left (-ENOSYS unless it set one) */
	regs->rax = orig;
	return 0;
}

static void first_stop(struct lx_thread *t, struct lx_regs *regs, void *fpstate, long nr);

void lx_ptrace_syscall_exit(struct lx_thread *t, struct lx_regs *regs, void *fpstate, long nr)
{
	struct pt_slot *s = t->pt;
	s->in_call = 0;
	s->at_regs = 0;
	if (s->flags & F_NEWCHILD) {
		first_stop(t, regs, fpstate, nr);
		return;
	}
	if (s->cmd == PT_SYSCALL) {
		int r = syscall_stop(t, regs, fpstate, (uint64_t)nr, K_EXIT);
		if (r > 0)
			lx_signal_queue(t, r, NULL);
		if (!t->pt)
			return;
	}
	if (__atomic_load_n(&s->flags, __ATOMIC_SEQ_CST) & F_INTERRUPT) {
		/* the job-control trap comes after the call's exit (Linux's get_signal); a
		 * blocking call cut short for it is restarted after it, as Linux does */
		int restart = regs->rax == (uint64_t)-LINUX_EINTR && !lx_signal_pending(t);
		interrupt_stop(t, regs, fpstate, (uint64_t)nr);
		if (restart && !lx_signal_pending(t)) {
			regs->rax = (uint64_t)nr;
			regs->rip -= 2;
		}
	}
}

int lx_ptrace_signal(struct lx_thread *t, int sig, void *info, long nr, struct lx_regs *regs,
		     void *fpstate)
{
	struct pt_slot *s = t->pt;
	int r = pt_stop(t, regs, fpstate, (uint64_t)nr, stopcode(sig), info, K_OTHER);
	if (r == -1)
		return 0; /* detached: the signal given to PTRACE_DETACH was queued instead */
	if (r < 0)
		return sig; /* orphaned: as it was */
	if (r != sig || memcmp(info, s->siginfo, 128)) {
		/* another signal, or the tracer's siginfo (PTRACE_SETSIGINFO) */
		struct linux_siginfo *si = info;
		memcpy(info, s->siginfo, 128);
		if (r && si->si_signo != r) {
			memset(si, 0, sizeof(*si));
			si->si_signo = r;
			si->fields.kill.pid = tracee_tracer;
			si->fields.kill.uid = getuid();
		}
	}
	return r;
}

void lx_ptrace_group_stop(struct lx_thread *t, int sig, struct lx_regs *regs, void *fpstate)
{
	struct pt_slot *s = t->pt;
	__atomic_or_fetch(&s->flags, F_JOBSTOP, __ATOMIC_SEQ_CST);
	struct linux_siginfo si;
	int has;
	int status = jobctl_status(s, &si, &has);
	if (has) {
		si.si_signo = sig;
		si.si_code = sig | (EV_STOP << 8);
		status = stopcode(sig | (EV_STOP << 8));
	} else {
		status = stopcode(sig);
	}
	pt_stop(t, regs, fpstate, (uint64_t)-1, status, has ? &si : NULL, K_OTHER);
}

/* An auto-attached child's first stop: SIGSTOP (PTRACE_EVENT_STOP when seized). */
static void first_stop(struct lx_thread *t, struct lx_regs *regs, void *fpstate, long nr)
{
	struct pt_slot *s = t->pt;
	s->flags &= ~F_NEWCHILD;
	if (s->flags & F_SEIZED) {
		struct linux_siginfo si;
		trap_info(&si, LINUX_SIGTRAP | (EV_STOP << 8));
		pt_stop(t, regs, fpstate, (uint64_t)-1, stopcode(LINUX_SIGTRAP | (EV_STOP << 8)),
			&si, K_OTHER);
		return;
	}
	struct linux_siginfo si;
	memset(&si, 0, sizeof(si));
	si.si_signo = LINUX_SIGSTOP;
	si.fields.kill.pid = getppid();
	si.fields.kill.uid = getuid();
	int r = lx_ptrace_signal(t, LINUX_SIGSTOP, &si, nr, regs, fpstate);
	if (r > 0)
		lx_signal_queue(t, r, &si);
}

/* ---- fork, exec, exit ---- */

/* The cookie: the slot reserved for the child, or 0. */
int lx_ptrace_fork_prepare(struct lx_thread *t, uint64_t flags)
{
	struct pt_slot *s = t->pt;
	if (!s)
		return 0;
	int event = (flags & 0x4000 /* CLONE_VFORK */) ? O_TRACEVFORK
		    : (flags & 0xff) != LINUX_SIGCHLD ? O_TRACECLONE : O_TRACEFORK;
	if (!(s->options & (uint32_t)event) || (flags & 0x00800000 /* CLONE_UNTRACED */))
		return 0;
	int i = slot_claim(tracee_base);
	if (!i)
		return 0; /* no room: the child runs untraced */
	struct pt_slot *c = slot_at(tracee_base, i);
	c->state = S_RUNNING;
	c->options = s->options;
	c->flags = (s->flags & F_SEIZED) | F_NEWCHILD;
	c->cmd = PT_CONT;
	return i | (event << 16) | ((flags & LINUX_CLONE_THREAD) ? 1 << 30 : 0);
}

void lx_ptrace_fork_parent(struct lx_thread *t, int cookie, int pid, struct lx_regs *regs)
{
	if (!cookie)
		return;
	struct pt_slot *c = slot_at(tracee_base, cookie & 0xffff);
	if (pid < 0) {
		c->tid = 0;
		return;
	}
	c->tgid = (cookie & (1 << 30)) ? getpid() : pid;
	__atomic_store_n(&c->tid, pid, __ATOMIC_SEQ_CST);
	int opt = (cookie >> 16) & 0x3fff;
	int event = opt == O_TRACEVFORK ? EV_VFORK : opt == O_TRACECLONE ? EV_CLONE : EV_FORK;
	/* the call is in progress at the stop: -ENOSYS, as Linux shows it; a signal given to
	 * the restart is not sent from an event stop (as Linux) */
	uint64_t orig = regs->rax;
	regs->rax = (uint64_t)-LINUX_ENOSYS;
	event_stop(t, regs, NULL, orig, event, (uint64_t)pid);
	regs->rax = orig;
}

void lx_ptrace_vfork_done(struct lx_thread *t, int pid, struct lx_regs *regs)
{
	struct pt_slot *s = t->pt;
	if (!s || !(s->options & O_TRACEVFORKDONE))
		return;
	/* a call in progress, as Linux shows it (-ENOSYS) */
	uint64_t orig = regs->rax;
	regs->rax = (uint64_t)-LINUX_ENOSYS;
	event_stop(t, regs, NULL, orig, EV_VFORK_DONE, (uint64_t)pid);
	regs->rax = orig;
}

void lx_ptrace_fork_child(struct lx_thread *t, int cookie)
{
	/* a tracer's child traces nothing (the mapping stays: it may be the tracee's too) */
	tracer_base = NULL;
	told = 0;
	tracer_waiting = 0;
	if (!t->pt && !ntraced)
		return;
	if (t->pt && t->pt->tid == getpid())
		return; /* attached already: a request that arrived while the child set up */
	/* a child is traced only when auto-attached: the parent's slots are not its own */
	if (t->pt) {
		t->pt = NULL;
		ntraced = 0;
	}
	if (!cookie) {
		tracee_base = NULL;
		force_signals(0);
		return;
	}
	struct pt_slot *c = slot_at(tracee_base, cookie & 0xffff);
	int me = getpid();
	c->tgid = me;
	__atomic_store_n(&c->tid, me, __ATOMIC_SEQ_CST);
	t->pt = c;
	ntraced = 1;
}

static void tracer_exit(void);

void lx_ptrace_thread_start(struct lx_thread *t, int cookie, struct lx_regs *regs)
{
	if (!cookie)
		return;
	struct pt_slot *c = slot_at(tracee_base, cookie & 0xffff);
	c->tgid = getpid();
	__atomic_store_n(&c->tid, t->tid, __ATOMIC_SEQ_CST);
	t->pt = c;
	__atomic_add_fetch(&ntraced, 1, __ATOMIC_SEQ_CST);
	first_stop(t, regs, NULL, -1);
}

void lx_ptrace_exit(struct lx_thread *t, int code, int process)
{
	if (process)
		tracer_exit();
	struct pt_slot *s = t ? t->pt : NULL;
	if (process && ntraced > (s != NULL)) {
		/* the other traced threads end with the process */
		lx_threads_lock();
		for (struct lx_thread *o = lx_threads; o; o = o->next)
			if (o != t && o->pt) {
				o->pt->status = (code & 0xff) << 8;
				__atomic_store_n(&o->pt->state, S_GONE, __ATOMIC_SEQ_CST);
			}
		lx_threads_unlock();
	}
	if (!s)
		return;
	if (s->options & O_TRACEEXIT) {
		/* the registers of the exit call, as Linux shows a call in progress (-ENOSYS) */
		struct lx_regs r = {0};
		uint64_t orig = process ? LINUX_SYS_exit_group : LINUX_SYS_exit;
		if (s->at_regs) {
			r = *(struct lx_regs *)(uintptr_t)s->at_regs;
			orig = (uint64_t)cur_nr;
			r.rax = (uint64_t)-LINUX_ENOSYS;
		}
		event_stop(t, &r, NULL, orig, EV_EXIT, (uint64_t)(code & 0xff) << 8);
		if (!t->pt)
			return;
	}
	s->status = (code & 0xff) << 8;
	__atomic_store_n(&s->state, S_GONE, __ATOMIC_SEQ_CST);
	bump(tracee_base);
	if (!process) {
		t->pt = NULL;
		__atomic_sub_fetch(&ntraced, 1, __ATOMIC_SEQ_CST);
	}
}

void lx_ptrace_killed(int sig)
{
	tracer_exit();
	struct lx_thread *t = lx_thread_self();
	struct pt_slot *s = t ? t->pt : NULL;
	if (!s)
		return;
	s->status = sig & 0x7f;
	__atomic_store_n(&s->state, S_GONE, __ATOMIC_SEQ_CST);
	bump(tracee_base);
}

const char *lx_ptrace_exec_state(void)
{
	long nr = cur_nr;
	static char buf[64];
	struct lx_thread *t = lx_thread_self();
	buf[0] = 0;
	if (!t || !t->pt)
		return buf;
	snprintf(buf, sizeof(buf), ";ptrace=%d:%d:%ld", tracee_tracer,
		 slot_index(tracee_base, t->pt), nr);
	/* the new image starts from the host's dispositions: give it the guest's own */
	force_signals(0);
	return buf;
}

void lx_ptrace_exec_failed(void)
{
	if (ntraced)
		force_signals(1);
}

static int exec_tracer, exec_slot;
static long exec_nr;

void lx_ptrace_exec_restore(const char *state)
{
	const char *p = strstr(state, ";ptrace=");
	if (!p || sscanf(p + 8, "%d:%d:%ld", &exec_tracer, &exec_slot, &exec_nr) != 3)
		exec_tracer = 0;
}

void lx_ptrace_exec_start(struct lx_thread *t, struct lx_regs *regs)
{
	if (!exec_tracer || exec_slot <= 0 || exec_slot >= SLOTS)
		return;
	void *base = pt_map(exec_tracer, 0);
	if (!base)
		return;
	struct pt_slot *s = slot_at(base, exec_slot);
	if (s->tid != getpid()) {
		munmap(base, FILE_SIZE);
		return;
	}
	tracee_join(t, base, exec_tracer, s);
	uint64_t saved = regs->rax;
	regs->rax = 0;
	if (s->options & O_TRACEEXEC)
		event_stop(t, regs, NULL, (uint64_t)exec_nr, EV_EXEC, (uint64_t)getpid());
	if (t->pt && t->pt->cmd == PT_SYSCALL)
		syscall_stop(t, regs, NULL, (uint64_t)exec_nr, K_EXIT);
	regs->rax = saved;
	if (t->pt && !(s->options & O_TRACEEXEC)) {
		/* the legacy exec SIGTRAP: an ordinary signal, so a signal-delivery-stop first */
		lx_signal_queue(t, LINUX_SIGTRAP, NULL);
		lx_signal_deliver(t, -1, regs, NULL);
	}
}

static struct pt_slot *find_tracee(int tid);

int lx_ptrace_kill(struct lx_thread *t, int target, int self, int sig)
{
	if (t->pt && self && sig == LINUX_SIGSTOP) {
		lx_signal_queue(t, LINUX_SIGSTOP, NULL);
		return 1;
	}
	/* SIGCONT to a stopped process that has not taken our attach request yet (strace
	 * seizes its child stopped, then continues it): the host drops a SIGCONT with the
	 * default action, so the tracee makes it the guest's when it takes the request */
	if (sig == LINUX_SIGCONT && tracer_base && target > 0) {
		struct pt_slot *s = find_tracee(target);
		if (s && __atomic_load_n(&s->state, __ATOMIC_SEQ_CST) == S_ATTACHING)
			__atomic_or_fetch(&s->flags, F_CONT, __ATOMIC_SEQ_CST);
	}
	return 0;
}

/* ---- the host SIGTRAP of lxrun's own ---- */

extern const char lx_safe_syscall_start[], lx_safe_syscall_insn[], lx_safe_syscall_eintr[];

/* A file left by a tracer of the same pid that was killed: its slots name processes that are
 * gone (or not lxrun's tracees of ours); forget those. */
static void sweep(void *base)
{
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(base, i);
		if (s->tid > 0 && kill(s->tgid, 0) < 0 && errno == ESRCH)
			s->tid = 0;
	}
}

static void *tracer_file(int create)
{
	if (!tracer_base && (tracer_base = pt_map(getpid(), create)))
		sweep(tracer_base);
	return tracer_base;
}

/*
 * A wake-up of lxrun's own that found a blocking host call: the kernel restarts it after the
 * handler only when it can (SA_RESTART and -ERESTARTSYS); nanosleep, poll, select, pause and
 * the like come back with -EINTR, which the guest must not see: issue the call again (with
 * its arguments, still in their registers).
 */
static void keep_call(ucontext_t *uc, int from_guest)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct lx_thread *t = lx_thread_self();
	if (from_guest || !t || (uint64_t)g[REG_RIP] != (uint64_t)lx_safe_syscall_insn + 2 ||
	    g[REG_RAX] != -EINTR)
		return;
	g[REG_RAX] = (greg_t)t->safe_nr;
	g[REG_RIP] = (greg_t)lx_safe_syscall_start; /* a guest signal pending meanwhile: EINTR */
}

int lx_ptrace_sigcont(siginfo_t *si)
{
	uint64_t v = (uint64_t)si->si_value.sival_ptr;
	if (si->si_code == SI_QUEUE && (uint32_t)(v >> 32) == MAGIC)
		return 1;
	if (!tracee_base || !ntraced)
		return 0;
	/* Linux's SIGCONT: the group stop ends; a seized tracee is told with a
	 * PTRACE_EVENT_STOP trap (at once when it sits in PTRACE_LISTEN) */
	int me = getpid();
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(tracee_base, i);
		if (s->tid <= 0 || s->tgid != me || s->state == S_FREE)
			continue;
		__atomic_and_fetch(&s->flags, ~F_JOBSTOP, __ATOMIC_SEQ_CST);
		if (!(s->flags & F_SEIZED))
			continue;
		__atomic_or_fetch(&s->flags, F_INTERRUPT, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) == S_LISTENING)
			futex(&s->state, FUTEX_WAKE, 1, NULL);
	}
	return 0;
}

/* The job-control trap a tracee owes (F_INTERRUPT), from lxrun's host handler: at once in guest
 * code; in a blocking call begun since the attach, the call is cut short and the stop comes at
 * its end (one on the TLS-free path would return to the guest without passing the stop);
 * otherwise at the next syscall or signal delivery. */
static void trap_from_handler(struct lx_thread *t, ucontext_t *uc, int from_guest)
{
	uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (!from_guest) {
		if (t->pt->in_call && rip >= (uint64_t)lx_safe_syscall_start &&
		    rip <= (uint64_t)lx_safe_syscall_insn)
			uc->uc_mcontext.gregs[REG_RIP] = (greg_t)lx_safe_syscall_eintr;
		return;
	}
	/* not inside the rewrite trampoline, and not on the emulate engine, whose guest context
	 * is Unicorn's: there at the next syscall */
	if (lx_rewrite_in_trampoline(rip) ||
	    (lx_proc.engine_name && !strcmp(lx_proc.engine_name, "emulate")))
		return;
	struct lx_regs r;
	lx_regs_from_uc(&r, uc);
	interrupt_stop(t, &r, uc->uc_mcontext.fpregs, (uint64_t)-1);
	lx_regs_to_uc(uc, &r);
	if (t->pt && lx_signal_pending(t))
		lx_signal_deliver_uc(t, uc);
}

int lx_ptrace_host_signal(siginfo_t *si, void *uctx, int from_guest)
{
	uint64_t v = (uint64_t)si->si_value.sival_ptr;
	if ((uint32_t)(v >> 32) != MAGIC)
		return -1;
	int op = (int)((v >> 16) & 0xffff), idx = (int)(v & 0xffff);
	ucontext_t *uc = uctx;
	if (op == OP_WAKE) {
		keep_call(uc, from_guest);
		return 0; /* its work (the host's continue) is done */
	}
	if (op == OP_STOPPED) {
		/* stopped by the host while traced (a SIGSTOP from another process): for the
		 * tracer, a SIGSTOP's signal-delivery stop, as on Linux */
		struct lx_thread *t = lx_thread_self();
		if (!t || !t->pt)
			return 0;
		si->si_signo = SIGSTOP;
		si->si_code = SI_USER;
		si->si_pid = 0;
		return SIGSTOP;
	}
	if (op == OP_INTERRUPT) {
		struct lx_thread *t = lx_thread_self();
		/* a call begun since the attach: its -EINTR brings the stop (and restarts it) */
		if (!t || !t->pt || !t->pt->in_call)
			keep_call(uc, from_guest);
		if (t && t->pt && (t->pt->flags & F_INTERRUPT))
			trap_from_handler(t, uc, from_guest);
		return 0;
	}
	if (op == OP_TRACER) {
		tracer_file(0);
		/* a wait4 that sat in the host's wait (begun before this process traced anyone)
		 * or on the header futex: make it look again; the kernel may have picked another
		 * thread than the waiting one for this process-directed signal: pass it on */
		uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
		int waiter = tracer_waiting, me = (int)syscall(SYS_gettid);
		if (waiter == me) {
			/* the wait's -EINTR makes it look */
			if (!from_guest && rip >= (uint64_t)lx_safe_syscall_start &&
			    rip <= (uint64_t)lx_safe_syscall_insn)
				uc->uc_mcontext.gregs[REG_RIP] = (greg_t)lx_safe_syscall_eintr;
			return 0;
		}
		keep_call(uc, from_guest);
		if (waiter)
			send_magic(getpid(), waiter, OP_TRACER, 0);
		return 0;
	}
	keep_call(uc, from_guest);
	struct lx_thread *t = lx_thread_self();
	if (!t || t->pt || idx <= 0 || idx >= SLOTS)
		return 0; /* already traced: the tracer finds its slot never taken */
	void *base = tracee_base && tracee_tracer == si->si_pid ? tracee_base
								 : pt_map(si->si_pid, 0);
	if (!base)
		return 0;
	struct pt_slot *s = slot_at(base, idx);
	uint32_t want = S_ATTACHING;
	/* the host's tid: a fork child may not have renewed t->tid yet */
	if (s->tid != (int)syscall(SYS_gettid))
		return 0;
	/* signals through lxrun first, then taken: a SIGCONT sent after F_CONT was read finds
	 * lxrun's handler */
	int was = lx_ptrace_force;
	force_signals(1);
	if (!__atomic_compare_exchange_n(&s->state, &want, S_RUNNING, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		force_signals(was);
		return 0;
	}
	s->tgid = getpid();
	tracee_join(t, base, si->si_pid, s);
	if (__atomic_load_n(&s->flags, __ATOMIC_SEQ_CST) & F_CONT) {
		__atomic_and_fetch(&s->flags, ~F_JOBSTOP, __ATOMIC_SEQ_CST);
		si->si_signo = SIGCONT;
		si->si_code = SI_USER;
		return SIGCONT;
	}
	if (__atomic_load_n(&s->flags, __ATOMIC_SEQ_CST) & F_JOBSTOP) {
		/* attached while stopped (the tracer woke us): the group stop is the first
		 * stop the tracer sees, then PTRACE_ATTACH's SIGSTOP (Linux's order) */
		__atomic_or_fetch(&s->flags, F_INTERRUPT, __ATOMIC_SEQ_CST);
		trap_from_handler(t, uc, from_guest);
		if (!t->pt)
			return 0; /* detached in it: stopped again, for the host */
	}
	if (op != OP_ATTACH)
		return 0;
	/* PTRACE_ATTACH sends SIGSTOP: a guest SIGSTOP, whose delivery is the first stop (the
	 * kernel's own: SI_KERNEL, no sender) */
	si->si_signo = SIGSTOP;
	si->si_code = SI_KERNEL;
	si->si_pid = 0;
	si->si_uid = 0;
	return SIGSTOP;
}

/* ---- tracer side ---- */

static struct pt_slot *find_tracee(int tid)
{
	if (!tracer_file(0) || tid <= 0)
		return NULL;
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(tracer_base, i);
		if (s->tid == tid && s->state != S_FREE && !(s->flags & F_DETACHING))
			return s;
	}
	return NULL;
}

/* The tracee, stopped (ESRCH otherwise, as Linux's ptrace_check_attach). */
static struct pt_slot *stopped_tracee(int tid)
{
	struct pt_slot *s = find_tracee(tid);
	if (!s)
		return NULL;
	uint32_t st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
	return st == S_STOPPED || st == S_REPORTED ? s : NULL;
}

static void resume(struct pt_slot *s, uint32_t cmd, int sig)
{
	s->cmd = cmd;
	s->cmd_sig = sig;
	__atomic_store_n(&s->state, S_RUNNING, __ATOMIC_SEQ_CST);
	futex(&s->state, FUTEX_WAKE, 1, NULL);
}

static long mem_rw(int pid, uint64_t addr, void *buf, size_t n, int write)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	int fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -LINUX_ESRCH;
	ssize_t r = write ? pwrite(fd, buf, n, (off_t)addr) : pread(fd, buf, n, (off_t)addr);
	close(fd);
	return r == (ssize_t)n ? 0 : -LINUX_EIO;
}

/* struct user: the registers, then what Linux keeps there (u_debugreg at 848, size 928). */
#define USER_SIZE 928
#define USER_DEBUGREG 848

static long peekuser(struct pt_slot *s, uint64_t off, uint64_t *val)
{
	if ((off & 7) || off >= USER_SIZE)
		return -LINUX_EIO;
	if (off >= USER_DEBUGREG && off < USER_DEBUGREG + 64)
		*val = s->dr[(off - USER_DEBUGREG) / 8];
	else
		*val = off < NREGS * 8 ? s->regs[off / 8] : 0;
	return 0;
}

/* TASK_SIZE_MAX: a breakpoint at or above it is in the kernel's half */
#define USER_TOP 0x7ffffffff000ull

/* A breakpoint of DR7's slot i at addr: Linux's checks (hw_breakpoint_arch_parse). */
static int dr_check(uint64_t dr7, int i, uint64_t addr)
{
	if (!((dr7 >> (i * 2)) & 3))
		return 0; /* disabled */
	unsigned rw = (unsigned)(dr7 >> (16 + i * 4)) & 3, len = (unsigned)(dr7 >> (18 + i * 4)) & 3;
	static const unsigned bytes[4] = {1, 2, 8, 4};
	if (rw == 2 || (rw == 0 && len != 0)) /* I/O; an execute breakpoint is one byte */
		return -LINUX_EINVAL;
	uint64_t n = bytes[len];
	if ((addr & (n - 1)) || addr >= USER_TOP || addr + n - 1 >= USER_TOP)
		return -LINUX_EINVAL;
	return 0;
}

/*
 * The debug registers: kept as the tracer set them and checked as Linux checks them (a
 * breakpoint address in the kernel's half is EINVAL, DR4/DR5 do not exist); not armed: the
 * tracee does not stop at them (docs/design.md, ptrace).
 */
static long pokedr(struct pt_slot *s, int n, uint64_t val)
{
	long r;
	if (n < 4) {
		/* Linux registers a breakpoint for the address at once (one byte, disabled
		 * until DR7 enables it): a kernel address fails even then */
		if (val >= USER_TOP)
			return -LINUX_EINVAL;
		if ((r = dr_check(s->dr[7], n, val)) < 0)
			return r;
	} else if (n == 7) {
		for (int i = 0; i < 4; i++)
			if ((r = dr_check(val, i, s->dr[i])) < 0)
				return r;
	} else if (n != 6) {
		return -LINUX_EIO;
	}
	s->dr[n] = val;
	return 0;
}

static int seg_ok(uint64_t v)
{
	return v == 0 || (v & 3) == 3;
}

static long pokeuser(struct pt_slot *s, uint64_t off, uint64_t val)
{
	if ((off & 7) || off >= USER_SIZE)
		return -LINUX_EIO;
	if (off >= USER_DEBUGREG && off < USER_DEBUGREG + 64)
		return pokedr(s, (int)((off - USER_DEBUGREG) / 8), val);
	if (off >= NREGS * 8)
		return -LINUX_EIO;
	int i = (int)(off / 8);
	switch (i) {
	case CS:
	case SS:
		return val == s->regs[i] ? 0 : -LINUX_EIO;
	case DS:
	case ES:
	case FS:
	case GS:
		if (!seg_ok(val))
			return -LINUX_EIO;
		break;
	case FS_BASE:
	case GS_BASE:
		if (val >= 0x7ffffffff000ull)
			return -LINUX_EIO;
		break;
	}
	s->regs[i] = val;
	s->regs_dirty = 1;
	return 0;
}

/* struct ptrace_syscall_info: op, arch, ip, sp, then entry {nr, args[6]} or exit {rval,
 * is_error}. */
static long syscall_info(struct pt_slot *s, uint64_t size, uint64_t addr)
{
	uint8_t b[88];
	memset(b, 0, sizeof(b));
	uint32_t arch = 0xc000003e; /* AUDIT_ARCH_X86_64 */
	memcpy(b + 4, &arch, 4);
	memcpy(b + 8, &s->regs[RIP], 8);
	memcpy(b + 16, &s->regs[RSP], 8);
	size_t n = 24;
	if (s->kind == K_ENTRY) {
		b[0] = 1;
		uint64_t a[7] = {s->regs[ORIG_RAX], s->regs[RDI], s->regs[RSI], s->regs[RDX],
				 s->regs[R10], s->regs[R8], s->regs[R9]};
		memcpy(b + 24, a, sizeof(a));
		n = 80;
	} else if (s->kind == K_EXIT) {
		b[0] = 2;
		int64_t rv = (int64_t)s->regs[RAX];
		memcpy(b + 24, &rv, 8);
		b[32] = rv < 0 && rv >= -4095;
		n = 33;
	}
	if (guest_copy_out(addr, b, size < n ? size : n) < 0)
		return -LINUX_EFAULT;
	return (long)n;
}

/* NT_X86_XSTATE: the whole area read; written only whole and with a header Linux takes (the
 * features of XCR0, standard format, reserved bytes zero), applied when the stop has the
 * signal frame's area to write it to. */
static long xstate_regset(struct pt_slot *s, uint64_t base, uint64_t len, uint64_t iov_at,
			  int set)
{
	uint64_t n = len < s->xs_len ? len : s->xs_len;
	if (!set) {
		if (guest_copy_out(base, s->xs, n) < 0)
			return -LINUX_EFAULT;
		return guest_copy_out(iov_at + 8, &n, 8) < 0 ? -LINUX_EFAULT : 0;
	}
	if (len != s->xs_len)
		return -LINUX_EFAULT; /* Linux writes the whole regset or nothing */
	static uint8_t tmp[XS_MAX];
	if (guest_copy_in(tmp, base, n) < 0)
		return -LINUX_EFAULT;
	uint64_t hdr[8];
	memcpy(hdr, tmp + 512, sizeof(hdr));
	if (hdr[0] & ~s->xcr0)
		return -LINUX_EINVAL;
	for (int i = 1; i < 8; i++)
		if (hdr[i])
			return -LINUX_EINVAL;
	/* keep the kernel's software bytes of the frame */
	memcpy(tmp + 464, s->xs + 464, 48);
	memcpy(s->xs, tmp, n);
	memcpy(s->fp, tmp, 464);
	s->xs_dirty = 1;
	return 0;
}

static long regset(struct pt_slot *s, uint64_t type, uint64_t iov_at, int set)
{
	struct {
		uint64_t base, len;
	} iov;
	if (guest_copy_in(&iov, iov_at, sizeof(iov)) < 0)
		return -LINUX_EFAULT;
	void *area;
	size_t size;
	if (type == 1 /* NT_PRSTATUS */)
		area = s->regs, size = NREGS * 8;
	else if (type == 2 /* NT_PRFPREG */)
		area = s->fp, size = 512;
	else if (type == 0x202 /* NT_X86_XSTATE */ && s->xs_len)
		return xstate_regset(s, iov.base, iov.len, iov_at, set);
	else
		return -LINUX_EINVAL;
	size_t n = iov.len < size ? iov.len : size;
	if (set) {
		uint8_t tmp[512];
		if (guest_copy_in(tmp, iov.base, n) < 0)
			return -LINUX_EFAULT;
		if (type == 1) {
			for (size_t off = 0; off + 8 <= n; off += 8) {
				uint64_t v;
				memcpy(&v, tmp + off, 8);
				long r = pokeuser(s, off, v);
				if (r < 0)
					return r;
			}
		} else {
			memcpy(area, tmp, n);
			s->fp_dirty = 1;
		}
	} else if (guest_copy_out(iov.base, area, n) < 0) {
		return -LINUX_EFAULT;
	}
	iov.len = n;
	return guest_copy_out(iov_at + 8, &iov.len, 8) < 0 ? -LINUX_EFAULT : 0;
}

/* The host's state letter of task pid and its parent's pid; -1 when gone. */
static int proc_stat(int pid, char *state)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	int ppid = -1;
	char c = 0;
	if (!p || sscanf(p + 2, "%c %d", &c, &ppid) != 2)
		return -1;
	if (state)
		*state = c;
	return ppid;
}

static int proc_ppid(int pid)
{
	return proc_stat(pid, NULL);
}

/* Is task pid stopped by the host (a job-control stop of its lxrun)? */
static int host_stopped(int pid)
{
	char c = 0;
	return proc_stat(pid, &c) >= 0 && c == 'T';
}

/* Continue a host-stopped tracee for its tracer: a SIGCONT its lxrun takes as its own (the
 * guest does not see it; the host tells the real parent of a continue, which Linux would
 * not). */
static void send_wake(int tgid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCONT;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_ptr = (void *)(((uint64_t)MAGIC << 32) | ((uint64_t)OP_WAKE << 16));
	syscall(SYS_rt_sigqueueinfo, tgid, SIGCONT, &si);
}

/* PTRACE_ATTACH/SEIZE of a stopped task returns when it is in its stop (Linux waits for the
 * trap too): at most a second, for a task that cannot stop before its blocking call ends. */
static void wait_trapped(struct pt_slot *s)
{
	struct pt_hdr *h = tracer_base;
	for (int i = 0; i < 100; i++) {
		uint32_t seq = __atomic_load_n(&h->wake, __ATOMIC_SEQ_CST);
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
		if (st == S_STOPPED || st == S_GONE || s->tid <= 0)
			return;
		struct timespec ts = {0, 10 * 1000 * 1000};
		futex(&h->wake, FUTEX_WAIT, seq, &ts);
	}
}

/* Only lxrun serves ptrace: a host process that is not lxrun cannot be traced from here. */
static int is_lxrun(int pid)
{
	char a[4096], b[4096], path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	ssize_t n = readlink(path, a, sizeof(a) - 1), m = readlink("/proc/self/exe", b, sizeof(b) - 1);
	if (n <= 0 || m <= 0)
		return 0;
	return n == m && !memcmp(a, b, (size_t)n);
}

static long do_attach(struct lx_thread *t, int pid, int op, uint64_t options)
{
	if (pid <= 0)
		return -LINUX_ESRCH;
	if (op == OP_SEIZE && (options & ~(uint64_t)O_MASK))
		return -LINUX_EIO; /* Linux's answer to PTRACE_SEIZE's bad flags */
	/* the tgid of the thread, and its existence */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -LINUX_ESRCH;
	char line[128];
	int tgid = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	if (tgid == getpid() || pid == 1 || tgid == 1)
		return -LINUX_EPERM;
	(void)t;
	if (!is_lxrun(pid))
		return -LINUX_EPERM;
	if (!tracer_file(1))
		return -LINUX_EPERM;
	if (find_tracee(pid))
		return -LINUX_EPERM;
	int i = slot_claim(tracer_base);
	if (!i)
		return -LINUX_EPERM;
	struct pt_slot *s = slot_at(tracer_base, i);
	s->tgid = tgid;
	s->options = (uint32_t)(op == OP_SEIZE ? options : 0);
	s->flags = (op == OP_SEIZE ? F_SEIZED : 0) | (proc_ppid(tgid) == getpid() ? F_CHILD : 0);
	s->cmd = PT_CONT;
	s->state = S_ATTACHING;
	/* a stopped task: attached in its group stop, which it reports first */
	int stopped = host_stopped(pid);
	if (stopped)
		s->flags |= F_JOBSTOP;
	__atomic_store_n(&s->tid, pid, __ATOMIC_SEQ_CST);
	send_magic(tgid, pid, op, i);
	if (stopped) {
		send_wake(tgid);
		wait_trapped(s);
	}
	return 0;
}

static long do_traceme(struct lx_thread *t)
{
	if (t->pt)
		return -LINUX_EPERM;
	int ppid = getppid();
	if (ppid <= 1 || !is_lxrun(ppid))
		return -LINUX_EPERM;
	void *base = pt_map(ppid, 1);
	if (!base)
		return -LINUX_EPERM;
	int i = slot_claim(base);
	if (!i) {
		munmap(base, FILE_SIZE);
		return -LINUX_EPERM;
	}
	struct pt_slot *s = slot_at(base, i);
	s->tgid = getpid();
	s->flags = F_CHILD;
	s->cmd = PT_CONT;
	s->state = S_RUNNING;
	__atomic_store_n(&s->tid, t->tid, __ATOMIC_SEQ_CST);
	tracee_join(t, base, ppid, s);
	send_magic(ppid, 0, OP_TRACER, 0);
	return 0;
}

static int valid_sig(uint64_t sig)
{
	return sig <= 64;
}

LX_SYSCALL(ptrace)
{
	long req = (long)sc->a[0];
	int pid = (int)sc->a[1];
	uint64_t addr = sc->a[2], data = sc->a[3];
	struct lx_thread *t = sc->t;
	if (req == PT_TRACEME)
		return do_traceme(t);
	if (req == PT_ATTACH || req == PT_SEIZE) {
		if (req == PT_SEIZE && addr)
			return -LINUX_EIO;
		return do_attach(t, pid, req == PT_ATTACH ? OP_ATTACH : OP_SEIZE, data);
	}
	struct pt_slot *any = find_tracee(pid);
	if (!any)
		return -LINUX_ESRCH;
	if (req == PT_KILL) {
		kill(pid, SIGKILL);
		return 0;
	}
	if (req == PT_INTERRUPT) {
		if (!(any->flags & F_SEIZED))
			return -LINUX_EIO;
		uint32_t st = __atomic_load_n(&any->state, __ATOMIC_SEQ_CST);
		if (st == S_RUNNING) {
			__atomic_or_fetch(&any->flags, F_INTERRUPT, __ATOMIC_SEQ_CST);
			send_magic(any->tgid, any->tid, OP_INTERRUPT, slot_index(tracer_base, any));
		} else if (st == S_LISTENING) {
			__atomic_or_fetch(&any->flags, F_INTERRUPT, __ATOMIC_SEQ_CST);
			futex(&any->state, FUTEX_WAKE, 1, NULL);
		}
		return 0;
	}
	struct pt_slot *s = stopped_tracee(pid);
	if (!s)
		return -LINUX_ESRCH;
	uint64_t w;
	long r;
	switch (req) {
	case PT_PEEKTEXT:
	case PT_PEEKDATA:
		if ((r = mem_rw(s->tgid, addr, &w, 8, 0)) < 0)
			return r;
		return guest_copy_out(data, &w, 8);
	case PT_POKETEXT:
	case PT_POKEDATA:
		return mem_rw(s->tgid, addr, &data, 8, 1);
	case PT_PEEKUSR:
		if ((r = peekuser(s, addr, &w)) < 0)
			return r;
		return guest_copy_out(data, &w, 8);
	case PT_POKEUSR:
		return pokeuser(s, addr, data);
	case PT_GETREGS:
		return guest_copy_out(data, s->regs, sizeof(s->regs));
	case PT_SETREGS: {
		uint64_t u[NREGS];
		if (guest_copy_in(u, data, sizeof(u)) < 0)
			return -LINUX_EFAULT;
		for (int i = 0; i < NREGS; i++)
			if ((r = pokeuser(s, (uint64_t)i * 8, u[i])) < 0)
				return r;
		return 0;
	}
	case PT_GETFPREGS:
		return guest_copy_out(data, s->fp, 512);
	case PT_SETFPREGS:
		if (guest_copy_in(s->fp, data, 512) < 0)
			return -LINUX_EFAULT;
		s->fp_dirty = 1;
		return 0;
	case PT_GETREGSET:
	case PT_SETREGSET:
		return regset(s, addr, data, req == PT_SETREGSET);
	case PT_GETSIGINFO:
		if (s->no_siginfo)
			return -LINUX_EINVAL;
		return guest_copy_out(data, s->siginfo, 128);
	case PT_SETSIGINFO:
		if (s->no_siginfo)
			return -LINUX_EINVAL;
		if (guest_copy_in(s->siginfo, data, 128) < 0)
			return -LINUX_EFAULT;
		return 0;
	case PT_GETSIGMASK:
		if (addr != 8)
			return -LINUX_EINVAL;
		return guest_copy_out(data, &s->sigmask, 8);
	case PT_SETOPTIONS:
		if (data & ~(uint64_t)O_MASK)
			return -LINUX_EINVAL;
		s->options = (uint32_t)data;
		return 0;
	case PT_GETEVENTMSG:
		return guest_copy_out(data, &s->event_msg, 8);
	case PT_GET_SYSCALL_INFO:
		return syscall_info(s, addr, data);
	case PT_SINGLESTEP:
		if (lx_proc.engine_name && !strcmp(lx_proc.engine_name, "emulate"))
			return -LINUX_EIO; /* the emulate engine does not single-step */
		/* fall through */
	case PT_CONT:
	case PT_SYSCALL:
	case PT_DETACH:
		if (!valid_sig(data))
			return -LINUX_EIO;
		if (req == PT_DETACH) {
			s->flags |= F_DETACHING;
			/* a group stop in effect: the tracee goes back to it (the host's stop,
			 * sent before it wakes, so that a SIGCONT after the detach ends it) */
			if (__atomic_load_n(&s->flags, __ATOMIC_SEQ_CST) & F_JOBSTOP)
				kill(s->tgid, SIGSTOP);
		}
		resume(s, (uint32_t)req, (int)data);
		return 0;
	case PT_LISTEN:
		/* a seized tracee in a PTRACE_EVENT_STOP only: it stays stopped, and reports a new
		 * stop when a SIGCONT (or PTRACE_INTERRUPT) comes */
		if (!(s->flags & F_SEIZED) || (s->status >> 16) != EV_STOP)
			return -LINUX_EIO;
		__atomic_store_n(&s->state, S_LISTENING, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->flags, __ATOMIC_SEQ_CST) & F_INTERRUPT)
			futex(&s->state, FUTEX_WAKE, 1, NULL);
		return 0;
	default:
		return -LINUX_EIO;
	}
}

char *lx_ptrace_proc_file(const char *p, size_t *len)
{
	int pid = 0, n = 0;
	if (!tracer_base || sscanf(p, "/%d/auxv%n", &pid, &n) != 1 || p[n])
		return NULL;
	struct pt_slot *s = stopped_tracee(pid);
	if (!s || !s->auxv_len)
		return NULL;
	char *d = malloc(s->auxv_len + 1);
	if (!d)
		return NULL;
	memcpy(d, s->auxv, s->auxv_len);
	*len = s->auxv_len;
	return d;
}

/* ---- wait ---- */

static int pgid_of(int pid)
{
	return (int)getpgid(pid);
}

static int matches(const struct pt_slot *s, int pid, int wall_or_clone)
{
	if (s->tid <= 0 || (s->flags & F_DETACHING))
		return 0;
	/* a thread other than a process's first: only with __WALL or __WCLONE */
	if (s->tid != s->tgid && !wall_or_clone)
		return 0;
	if (pid == -1)
		return 1;
	if (pid > 0)
		return s->tid == pid;
	int pg = pid == 0 ? (int)getpgrp() : -pid;
	return pgid_of(s->tgid) == pg;
}

/* A stop or an end to report: its slot, or NULL. *any: some tracee matches at all. */
static struct pt_slot *reportable(int pid, int options, int *any)
{
	int wall = (options & (0x40000000 | 0x80000000)) != 0;
	*any = 0;
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(tracer_base, i);
		if (!matches(s, pid, 1))
			continue;
		if (s->tid != s->tgid && !wall) {
			*any = 1;
			continue;
		}
		*any = 1;
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
		if (st == S_STOPPED)
			return s;
		if (st == S_GONE && !(s->flags & F_CHILD))
			return s;
	}
	return NULL;
}

/* The process pid ended (the host's wait4 said so): forget its slots. */
static void forget(int pid)
{
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(tracer_base, i);
		if (s->tid > 0 && s->tgid == pid)
			s->tid = 0;
	}
}

/*
 * Tracees whose process is gone with nothing said in their slot: a child reaped by a wait
 * that did not look at the slots (begun before this process traced anyone), or a tracee
 * killed by SIGKILL, which lxrun cannot see. A child's slot is forgotten (the host's wait
 * reported its end); another's end is reported as Linux reports it to a tracer: killed by
 * SIGKILL. Returns how many changed.
 */
static int vanished(void)
{
	int n = 0;
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(tracer_base, i);
		if (s->tid <= 0 || kill(s->tgid, 0) == 0 || errno != ESRCH)
			continue;
		if (s->flags & F_CHILD) {
			s->tid = 0;
			n++;
		} else if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) != S_GONE) {
			s->status = LINUX_SIGKILL;
			__atomic_store_n(&s->state, S_GONE, __ATOMIC_SEQ_CST);
			n++;
		}
	}
	return n;
}

/* An attach request the tracee has not taken yet (it was sent before the tracee could take
 * it: a fork child setting up): ask again. */
static void reattach(void)
{
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(tracer_base, i);
		/* (a detached tracee may be stopped for the host by the detach itself) */
		if (s->tid <= 0 || (__atomic_load_n(&s->flags, __ATOMIC_SEQ_CST) & F_DETACHING))
			continue;
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
		if (st == S_ATTACHING) {
			int stopped = host_stopped(s->tid);
			if (stopped)
				__atomic_or_fetch(&s->flags, F_JOBSTOP, __ATOMIC_SEQ_CST);
			send_magic(s->tgid, s->tid, (s->flags & F_SEIZED) ? OP_SEIZE : OP_ATTACH, i);
			if (stopped)
				send_wake(s->tgid);
		} else if (st == S_RUNNING && host_stopped(s->tid)) {
			/* a SIGSTOP from elsewhere stopped the host process: Linux's tracer would
			 * see its signal-delivery stop */
			send_magic(s->tgid, s->tid, OP_STOPPED, i);
			send_wake(s->tgid);
		}
	}
}

static int tracing(void)
{
	return tracer_base != NULL;
}

/* Take the report of s: its status, and the slot back to reported (a stop) or free (an end). */
static int take(struct pt_slot *s, int nowait)
{
	int status = s->status;
	if (nowait)
		return status;
	uint32_t want = S_STOPPED;
	if (!__atomic_compare_exchange_n(&s->state, &want, S_REPORTED, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST) && want == S_GONE)
		s->tid = 0;
	return status;
}

static long wait_block(uint32_t seq)
{
	struct timespec ts = {0, 20 * 1000 * 1000};
	lx_ptrace_host_wait(1);
	long r = lx_safe(SYS_futex, &((struct pt_hdr *)tracer_base)->wake, FUTEX_WAIT, seq, &ts);
	lx_ptrace_host_wait(0);
	return r;
}

void lx_ptrace_host_wait(int on)
{
	tracer_waiting = on ? (int)syscall(SYS_gettid) : 0;
}

int lx_ptrace_wait4(struct lx_syscall *sc, long *out)
{
	if (!tracing())
		return 0;
	int pid = (int)sc->a[0], options = (int)sc->a[2];
	uint64_t status_at = sc->a[1], ru_at = sc->a[3];
	if (options & ~(1 | 2 | 8 | 0x20000000 | 0x40000000 | (int)0x80000000)) {
		*out = -LINUX_EINVAL;
		return 1;
	}
	struct pt_hdr *h = tracer_base;
	for (;;) {
		uint32_t seq = __atomic_load_n(&h->wake, __ATOMIC_SEQ_CST);
		int any;
		struct pt_slot *s = reportable(pid, options, &any);
		if (s) {
			int tid = s->tid, status = take(s, 0);
			if (status_at && guest_copy_out(status_at, &status, 4) < 0) {
				*out = -LINUX_EFAULT;
				return 1;
			}
			if (ru_at) {
				uint8_t ru[144] = {0};
				guest_copy_out(ru_at, ru, sizeof(ru));
			}
			*out = tid;
			return 1;
		}
		long r = lx_host(syscall(SYS_wait4, pid, status_at, options | 1 /* WNOHANG */, ru_at));
		if (r > 0) {
			int st = 0;
			guest_copy_in(&st, status_at, 4);
			if (!status_at || (st & 0x7f) != 0x7f) /* ended, not stopped */
				forget((int)r);
			*out = r;
			return 1;
		}
		if (r == -LINUX_ECHILD && any && vanished())
			continue;
		if (r < 0 && (r != -LINUX_ECHILD || !any)) {
			*out = r;
			return 1;
		}
		if (options & 1) {
			*out = r == -LINUX_ECHILD ? 0 : r;
			return 1;
		}
		r = wait_block(seq);
		if (r == -LINUX_ETIMEDOUT) {
			reattach();
			vanished();
		}
		if (r == -LINUX_EINTR && lx_signal_pending(sc->t)) {
			*out = -LINUX_EINTR;
			return 1;
		}
	}
}

int lx_ptrace_waitid(struct lx_syscall *sc, long *out)
{
	if (!tracing())
		return 0;
	int idtype = (int)sc->a[0], id = (int)sc->a[1], options = (int)sc->a[3];
	uint64_t info_at = sc->a[2], ru_at = sc->a[4];
	int pid;
	if (idtype == 0)
		pid = -1;
	else if (idtype == 1 && id > 0)
		pid = id;
	else if (idtype == 2 && id >= 0)
		pid = id ? -id : 0;
	else
		return 0; /* pidfds and bad ids: the host's */
	if (!(options & (4 | 2 | 8)) || (options & ~(1 | 2 | 4 | 8 | 0x01000000 | 0x20000000 |
						      0x40000000 | (int)0x80000000))) {
		*out = -LINUX_EINVAL;
		return 1;
	}
	struct pt_hdr *h = tracer_base;
	for (;;) {
		uint32_t seq = __atomic_load_n(&h->wake, __ATOMIC_SEQ_CST);
		int any;
		struct pt_slot *s = reportable(pid, options, &any);
		if (s) {
			int tid = s->tid;
			int status = take(s, options & 0x01000000 /* WNOWAIT */);
			struct linux_siginfo si;
			memset(&si, 0, sizeof(si));
			si.si_signo = LINUX_SIGCHLD;
			si.fields.sigchld.pid = tid;
			si.fields.sigchld.uid = getuid();
			if ((status & 0x7f) == 0x7f) {
				si.si_code = 4; /* CLD_TRAPPED */
				si.fields.sigchld.status = (status >> 8) & 0xffff;
			} else if (status & 0x7f) {
				si.si_code = 2; /* CLD_KILLED */
				si.fields.sigchld.status = status & 0x7f;
			} else {
				si.si_code = 1; /* CLD_EXITED */
				si.fields.sigchld.status = (status >> 8) & 0xff;
			}
			if (info_at && guest_copy_out(info_at, &si, sizeof(si)) < 0) {
				*out = -LINUX_EFAULT;
				return 1;
			}
			if (ru_at) {
				uint8_t ru[144] = {0};
				guest_copy_out(ru_at, ru, sizeof(ru));
			}
			*out = 0;
			return 1;
		}
		struct linux_siginfo hi;
		memset(&hi, 0, sizeof(hi));
		long r = lx_host(syscall(SYS_waitid, idtype, id, &hi, options | 1, ru_at));
		if (r == 0 && hi.fields.sigchld.pid) {
			if (hi.si_code == 1 || hi.si_code == 2 || hi.si_code == 3)
				if (!(options & 0x01000000))
					forget(hi.fields.sigchld.pid);
			if (info_at && guest_copy_out(info_at, &hi, sizeof(hi)) < 0)
				r = -LINUX_EFAULT;
			*out = r;
			return 1;
		}
		if (r == -LINUX_ECHILD && any && vanished())
			continue;
		if (r < 0 && (r != -LINUX_ECHILD || !any)) {
			*out = r;
			return 1;
		}
		if (options & 1) {
			if (info_at)
				guest_copy_out(info_at, &hi, sizeof(hi));
			*out = 0;
			return 1;
		}
		r = wait_block(seq);
		if (r == -LINUX_ETIMEDOUT) {
			reattach();
			vanished();
		}
		if (r == -LINUX_EINTR && lx_signal_pending(sc->t)) {
			*out = -LINUX_EINTR;
			return 1;
		}
	}
}

/* The tracer's exit: EXITKILL tracees die, the others run on untraced; the file goes. */
static void tracer_exit(void)
{
	if (!tracer_base)
		return;
	for (int i = 1; i < SLOTS; i++) {
		struct pt_slot *s = slot_at(tracer_base, i);
		if (s->tid > 0 && (s->options & O_EXITKILL))
			kill(s->tid, SIGKILL);
	}
	char path[96];
	pt_path(path, sizeof(path), getpid());
	unlink(path);
}
