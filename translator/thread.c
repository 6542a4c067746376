/* SPDX-License-Identifier: MIT */
/* Per-thread translator block: GS base, host signal stack, saved host FS. */
#include "translator/thread.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "translator/syscall.h"
#include "abi/linux_sched.h"
#include "abi/linux_signal.h"
#include "translator/engine/engine.h"
#include "translator/engine/fsbase.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/signal_guest.h"

_Static_assert(offsetof(struct lx_thread, self) == LXT_SELF, "LXT_SELF");
_Static_assert(offsetof(struct lx_thread, host_fs) == LXT_HOST_FS, "LXT_HOST_FS");
_Static_assert(offsetof(struct lx_thread, guest_fs) == LXT_GUEST_FS, "LXT_GUEST_FS");
_Static_assert(offsetof(struct lx_thread, host_sp) == LXT_HOST_SP, "LXT_HOST_SP");
_Static_assert(offsetof(struct lx_thread, selector) == LXT_SELECTOR, "LXT_SELECTOR");
_Static_assert(offsetof(struct lx_thread, depth) == LXT_DEPTH, "LXT_DEPTH");
_Static_assert(offsetof(struct lx_thread, fs_host) == LXT_FSHOST, "LXT_FSHOST");
_Static_assert(offsetof(struct lx_thread, safe_nr) == LXT_SAFE_NR, "LXT_SAFE_NR");
_Static_assert(offsetof(struct lx_thread, sigmask) == LXT_SIGMASK, "LXT_SIGMASK");
_Static_assert(offsetof(struct lx_thread, pending) == LXT_PENDING, "LXT_PENDING");
_Static_assert(offsetof(struct lx_thread, scratch) == LXT_SCRATCH, "LXT_SCRATCH");

/* Host C code (capstone, the VFS, trace formatting) runs on the LX_ALTSTACK_SIZE host stack
 * inside handlers; host_sp is its top and lx_sig_entry tells it from the guest's by it. */

int lx_thread_init(struct lx_thread **out, struct lx_task *task)
{
	struct lx_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return -LINUX_ENOMEM;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = LX_ALTSTACK_SIZE + page;
	char *stk = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			 -1, 0);
	if (stk == MAP_FAILED) {
		free(t);
		return -LINUX_ENOMEM;
	}
	mprotect(stk, page, PROT_NONE); /* guard page: an overflow faults instead of corrupting */
	t->self = t;
	t->altstack = stk;
	t->altstack_size = len;
	t->host_sp = (uint64_t)(stk + len);
	t->selector = LX_SUD_ALLOW;
	t->task = task;
	t->tid = (int)syscall(SYS_gettid);
	t->host_fs = lx_fs_self();
	t->fs_host = 1;

	stack_t ss = {.ss_sp = stk + page, .ss_size = LX_ALTSTACK_SIZE, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) < 0) {
		int e = errno;
		munmap(stk, len);
		free(t);
		return lx_errno(e);
	}
	lx_gs_set(t);
	*out = t;
	return 0;
}

struct lx_thread *lx_threads;
int lx_nthreads;
int lx_threads_started;
static pthread_mutex_t threads_mu = PTHREAD_MUTEX_INITIALIZER;

void lx_threads_lock(void)
{
	pthread_mutex_lock(&threads_mu);
}

void lx_threads_unlock(void)
{
	pthread_mutex_unlock(&threads_mu);
}

static void threads_add(struct lx_thread *t)
{
	lx_threads_lock();
	t->next = lx_threads;
	lx_threads = t;
	lx_nthreads++;
	lx_threads_unlock();
}

static void threads_remove(struct lx_thread *t)
{
	lx_threads_lock();
	for (struct lx_thread **p = &lx_threads; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			lx_nthreads--;
			break;
		}
	lx_threads_unlock();
}

void lx_threads_only(struct lx_thread *t)
{
	pthread_mutex_init(&threads_mu, NULL);
	t->next = NULL;
	lx_threads = t;
	lx_nthreads = 1;
}

void lx_thread_register(struct lx_thread *t)
{
	threads_add(t);
}

/* What a new thread needs from its creator; lives on the creator's stack until started. */
struct spawn {
	struct lx_regs regs;
	uint64_t flags, ptid, ctid;
	uint64_t sigmask;
	struct lx_task *task;
	struct lx_seccomp *seccomp;
	int pt;           /* ptrace: the slot reserved for it, or 0 */
	int tid;          /* > 0: started; < 0: failed with that errno */
	uint32_t ready;   /* futex word */
};

static void *thread_main(void *arg)
{
	struct spawn *sp = arg;
	struct lx_regs regs = sp->regs;
	int sp_pt = sp->pt; /* sp is gone once ready is set */
	struct lx_thread *t;
	sigjmp_buf jb;
	int r = lx_thread_init(&t, sp->task);
	if (r == 0) {
		t->sigmask = sp->sigmask;
		t->seccomp = sp->seccomp;
		t->host_applied = ~0ull;
		lx_signal_sync_mask(t);
		t->ss_flags = LINUX_SS_DISABLE;
		t->exit_jmp = &jb;
		if (sp->flags & LINUX_CLONE_CHILD_CLEARTID)
			t->clear_child_tid = sp->ctid;
		if (sp->flags & LINUX_CLONE_CHILD_SETTID)
			guest_copy_out(sp->ctid, &t->tid, sizeof(int));
		if (sp->flags & LINUX_CLONE_PARENT_SETTID)
			guest_copy_out(sp->ptid, &t->tid, sizeof(int));
		const char *why;
		r = lx_proc.engine->thread_arm(t, &why);
	}
	sp->tid = r < 0 ? r : t->tid;
	__atomic_store_n(&sp->ready, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &sp->ready, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	if (r < 0)
		return NULL;
	threads_add(t);
	if (sigsetjmp(jb, 0) == 0) {
		lx_ptrace_thread_start(t, sp_pt, &regs); /* auto-attached: its first stop */
		lx_proc.engine->run(t, &regs);
	}
	/* back from lx_thread_exit, on this pthread's own stack: stop trapping before the
	 * block holding the SUD selector goes away (glibc's thread exit makes syscalls) */
	t->selector = LX_SUD_ALLOW;
	if (lx_proc.engine->thread_disarm)
		lx_proc.engine->thread_disarm(t);
	if (lx_proc.engine->thread_exit)
		lx_proc.engine->thread_exit(t);
	threads_remove(t);
	lx_gs_set(NULL);
	munmap(t->altstack, t->altstack_size);
	free(t);
	return NULL;
}

long lx_thread_spawn(struct lx_thread *parent, const struct lx_regs *regs, uint64_t flags,
		     uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	struct spawn sp = {.regs = *regs, .flags = flags, .ptid = ptid, .ctid = ctid,
			   .sigmask = parent->sigmask, .task = parent->task,
			   .seccomp = parent->seccomp, .pt = parent->pt_spawn};
	sp.regs.rax = 0;
	sp.regs.fs = (flags & LINUX_CLONE_SETTLS) ? tls : parent->guest_fs;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	/* The new host thread starts with every signal blocked (we are inside a handler);
	 * lx_enter_guest's target runs with what the thread inherits, so open them first, but
	 * not those the guest blocks (the new thread's mask is its creator's): a process-wide
	 * signal every guest thread blocks must stay pending rather than reach the new thread,
	 * with its default action, before its own mask is applied. */
	sigset_t blocked, old;
	uint64_t hm = lx_signal_host_mask(parent->sigmask);
	sigemptyset(&blocked);
	for (int sig = 1; sig <= 64; sig++)
		if ((hm >> (sig - 1)) & 1)
			sigaddset(&blocked, sig);
	pthread_sigmask(SIG_SETMASK, &blocked, &old);
	__atomic_store_n(&lx_threads_started, 1, __ATOMIC_SEQ_CST);
	int e = pthread_create(&th, &attr, thread_main, &sp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e)
		return e == EAGAIN ? -LINUX_EAGAIN : -LINUX_ENOMEM;
	while (!__atomic_load_n(&sp.ready, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &sp.ready, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return sp.tid;
}

void lx_thread_exit(struct lx_thread *t)
{
	if (t->clear_child_tid) {
		int zero = 0;
		if (guest_copy_out(t->clear_child_tid, &zero, sizeof(zero)) == 0)
			syscall(SYS_futex, t->clear_child_tid, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	if (t->exit_jmp)
		siglongjmp(*(sigjmp_buf *)t->exit_jmp, 1);
	/* the initial thread has no start routine to return to: end just this host thread */
	threads_remove(t);
	syscall(SYS_exit, 0);
	__builtin_unreachable();
}
