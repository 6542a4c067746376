/* SPDX-License-Identifier: MIT */
/* Per-thread translator state, reached from assembly through the GS base. */
#ifndef LXRUN_TRANSLATOR_THREAD_H
#define LXRUN_TRANSLATOR_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include "translator/thread_layout.h"

struct lx_task;
struct pt_slot;

/* Realtime signal instances queued per thread beyond the first of each number. */
#define LX_RTQ_MAX 64

/* Guest register file at a syscall or at entry (the order matches nothing in particular). */
struct lx_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, fs;
};

struct lx_thread {
	struct lx_thread *self; /* LXT_SELF */
	uint64_t host_fs;       /* LXT_HOST_FS */
	uint64_t guest_fs;      /* LXT_GUEST_FS */
	uint64_t host_sp;       /* LXT_HOST_SP */
	uint8_t selector;       /* LXT_SELECTOR */
	uint8_t depth;          /* LXT_DEPTH */
	uint8_t fs_host;        /* LXT_FSHOST */
	uint8_t pad;
	uint16_t safe_nr;       /* LXT_SAFE_NR */
	uint8_t pad2[2];
	uint64_t scratch;       /* LXT_SCRATCH */
	uint64_t sigmask;       /* LXT_SIGMASK: guest signal state, see translator/signal_guest.c */
	volatile uint64_t pending; /* LXT_PENDING */

	uint64_t guest_gs;      /* ARCH_SET_GS value; GS itself belongs to the translator */
	int tid;
	struct lx_task *task;
	void *altstack;         /* host signal stack (mmap'd, with guard page) */
	size_t altstack_size;
	uint64_t clear_child_tid; /* set_tid_address */
	uint64_t robust_list, robust_len;

	uint64_t saved_mask;      /* the mask to restore after rt_sigsuspend's handler */
	uint64_t host_applied;    /* the guest mask as last given to the host kernel */
	void *cur_uc;             /* the host ucontext being served (sud), whose sigreturn sets
				   * the host mask; NULL: set it with rt_sigprocmask */
	int has_saved_mask;
	uint8_t siginfo[64][128]; /* struct linux_siginfo of each pending signal */
	uint64_t ss_sp, ss_size;  /* sigaltstack */
	int ss_flags;

	/* Files this thread borrowed from the fd table during the current syscall. */
	struct lx_file *held[8];
	int nheld;
	/* Zeroed files for the fast path's open (which cannot malloc), refilled by ordinary
	 * syscalls while the process has one thread (translator/fastpath.c). */
	struct lx_file *spare[4];
	int nspare;
	void *exit_jmp;           /* sigjmp_buf * of a guest thread's host start routine */
	struct lx_thread *next;   /* all live guest threads (lx_threads) */

	/* Realtime signals (32..64) queue on Linux: siginfo[] holds the first pending instance
	 * of each, and these the later ones, in arrival order (translator/signal_guest.c). */
	int rtq_len;
	uint8_t rtq_sig[LX_RTQ_MAX];
	uint8_t rtq_info[LX_RTQ_MAX][128];

	/* seccomp filters (translator/sys/sys_seccomp.c), NULL when none; inherited by threads
	 * and forks, kept across execve. */
	struct lx_seccomp *seccomp;

	/* ptrace: this thread's slot in its tracer's file while traced, else NULL
	 * (translator/sys/sys_ptrace.c). */
	struct pt_slot *pt;
	int pt_spawn; /* the slot reserved for the thread being spawned (PTRACE_O_TRACECLONE) */
};

/* Live guest threads of this process, and their count. */
extern struct lx_thread *lx_threads;
extern int lx_nthreads;
/* Set (for good) before this process starts its first other guest thread: the fast path's
 * open, which relies on nothing else touching the fd table meanwhile, then stops. */
extern int lx_threads_started;
void lx_threads_lock(void);
void lx_threads_unlock(void);
/* Add the initial thread to the list. */
void lx_thread_register(struct lx_thread *t);
/* Forget every thread but t (in a fork child). */
void lx_threads_only(struct lx_thread *t);
/* Create a guest thread starting with regs (clone with CLONE_VM|CLONE_THREAD). Returns its
 * tid or a negative errno. */
long lx_thread_spawn(struct lx_thread *parent, const struct lx_regs *regs, uint64_t flags,
		     uint64_t ptid, uint64_t ctid, uint64_t tls);
/* End the calling guest thread (never returns). */
__attribute__((noreturn)) void lx_thread_exit(struct lx_thread *t);

/* Allocate and install the block for the calling host thread (sets GS base, sigaltstack). */
int lx_thread_init(struct lx_thread **out, struct lx_task *task);

/* The calling thread's block, or NULL for a host-only thread. Every thread's GS base points
 * at a block (translator/engine/fsbase.c): its own, or one whose self pointer is NULL. */
static inline struct lx_thread *lx_thread_self(void)
{
	struct lx_thread *t;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(t));
	return t;
}

/* Leave for good: jump into the guest with regs (rsp, rip, fs, and general registers), by
 * the FS/GS stub set chosen at start-up (translator/engine/fsbase.h). */
__attribute__((noreturn)) void lx_enter_guest(const struct lx_regs *regs);

#endif
