/* SPDX-License-Identifier: MIT */
/* Linux x86-64 signals as the kernel sees them: sigaction, siginfo and the rt signal frame. */
#ifndef LXRUN_ABI_LINUX_SIGNAL_H
#define LXRUN_ABI_LINUX_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_SIGHUP	1
#define LINUX_SIGINT	2
#define LINUX_SIGQUIT	3
#define LINUX_SIGILL	4
#define LINUX_SIGTRAP	5
#define LINUX_SIGABRT	6
#define LINUX_SIGIOT	6
#define LINUX_SIGBUS	7
#define LINUX_SIGFPE	8
#define LINUX_SIGKILL	9
#define LINUX_SIGUSR1	10
#define LINUX_SIGSEGV	11
#define LINUX_SIGUSR2	12
#define LINUX_SIGPIPE	13
#define LINUX_SIGALRM	14
#define LINUX_SIGTERM	15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD	17
#define LINUX_SIGCONT	18
#define LINUX_SIGSTOP	19
#define LINUX_SIGTSTP	20
#define LINUX_SIGTTIN	21
#define LINUX_SIGTTOU	22
#define LINUX_SIGURG	23
#define LINUX_SIGXCPU	24
#define LINUX_SIGXFSZ	25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF	27
#define LINUX_SIGWINCH	28
#define LINUX_SIGIO	29
#define LINUX_SIGPOLL	LINUX_SIGIO
#define LINUX_SIGPWR	30
#define LINUX_SIGSYS	31
/* The kernel's range; glibc reserves 32..34 for itself and reports SIGRTMIN as 34. */
#define LINUX_SIGRTMIN 32
#define LINUX_SIGRTMAX 64
#define LINUX_NSIG     64

/* rt_sigprocmask and friends take sigsetsize == 8 on x86-64: one bit per signal, bit 0 = signal 1.
 */
typedef uint64_t linux_sigset_t;
#define LINUX_SIGSET_SIZE 8
#define LINUX_SIGBIT(sig) ((linux_sigset_t)1 << ((sig)-1))

#define LINUX_SA_NOCLDSTOP	0x00000001u
#define LINUX_SA_NOCLDWAIT	0x00000002u
#define LINUX_SA_SIGINFO	0x00000004u
#define LINUX_SA_UNSUPPORTED	0x00000400u
#define LINUX_SA_EXPOSE_TAGBITS 0x00000800u
#define LINUX_SA_RESTORER	0x04000000u
#define LINUX_SA_ONSTACK	0x08000000u
#define LINUX_SA_RESTART	0x10000000u
#define LINUX_SA_NODEFER	0x40000000u
#define LINUX_SA_RESETHAND	0x80000000u

#define LINUX_SIG_BLOCK	  0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2

/* sa_handler values; anything else is a guest code address. */
#define LINUX_SIG_DFL 0ul
#define LINUX_SIG_IGN 1ul
#define LINUX_SIG_ERR (~0ul)

/*
 * rt_sigaction's struct: the kernel one, not glibc's (whose mask is 128 bytes).  The members drop
 * the sa_ prefix because glibc's <signal.h> #defines sa_handler, which would rewrite them.
 */
struct linux_sigaction {
	uint64_t handler;  /* guest address, or SIG_DFL/SIG_IGN */
	uint64_t flags;	   /* SA_* */
	uint64_t restorer; /* x86-64 requires SA_RESTORER: there is no vDSO fallback */
	linux_sigset_t mask;
};
_Static_assert(sizeof(struct linux_sigaction) == 32, "kernel struct sigaction is 32 bytes");
_Static_assert(offsetof(struct linux_sigaction, flags) == 8, "sigaction.sa_flags");
_Static_assert(offsetof(struct linux_sigaction, restorer) == 16, "sigaction.sa_restorer");
_Static_assert(offsetof(struct linux_sigaction, mask) == 24, "sigaction.sa_mask");

union linux_sigval {
	int32_t sival_int;
	uint64_t sival_ptr;
};
_Static_assert(sizeof(union linux_sigval) == 8, "sigval is 8 bytes");

/* siginfo_t: 128 bytes whatever the signal; the union starts at 16 because it holds pointers. */
#define LINUX_SI_MAX_SIZE 128

struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
		} kill;
		struct {
			int32_t tid;
			int32_t overrun;
			union linux_sigval sigval;
			int32_t sys_private;
		} timer;
		struct {
			int32_t pid;
			uint32_t uid;
			union linux_sigval sigval;
		} rt;
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status;
			int64_t utime;
			int64_t stime;
		} sigchld;
		struct {
			uint64_t addr;
			union {
				int16_t addr_lsb; /* BUS_MCEERR_* */
				struct {
					uint64_t pad;
					uint64_t lower;
					uint64_t upper;
				} addr_bnd; /* SEGV_BNDERR */
				struct {
					uint64_t pad;
					uint32_t pkey;
				} addr_pkey; /* SEGV_PKUERR */
			};
		} sigfault;
		struct {
			int64_t band;
			int32_t fd;
		} sigpoll;
		struct {
			uint64_t call_addr; /* address after the syscall instruction */
			int32_t syscall;
			uint32_t arch; /* AUDIT_ARCH_* */
		} sigsys;
		uint8_t pad[LINUX_SI_MAX_SIZE - 16];
	} fields;
};
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(offsetof(struct linux_siginfo, si_code) == 8, "siginfo.si_code");
_Static_assert(offsetof(struct linux_siginfo, fields) == 16, "siginfo union");
_Static_assert(offsetof(struct linux_siginfo, fields.kill.uid) == 20, "siginfo.si_uid");
_Static_assert(offsetof(struct linux_siginfo, fields.timer.overrun) == 20, "siginfo.si_overrun");
_Static_assert(offsetof(struct linux_siginfo, fields.rt.sigval) == 24, "siginfo.si_value");
_Static_assert(offsetof(struct linux_siginfo, fields.sigchld.status) == 24, "siginfo.si_status");
_Static_assert(offsetof(struct linux_siginfo, fields.sigchld.utime) == 32, "siginfo.si_utime");
_Static_assert(offsetof(struct linux_siginfo, fields.sigchld.stime) == 40, "siginfo.si_stime");
_Static_assert(offsetof(struct linux_siginfo, fields.sigfault.addr) == 16, "siginfo.si_addr");
_Static_assert(offsetof(struct linux_siginfo, fields.sigfault.addr_lsb) == 24,
	       "siginfo.si_addr_lsb");
_Static_assert(offsetof(struct linux_siginfo, fields.sigfault.addr_pkey.pkey) == 32,
	       "siginfo.si_pkey");
_Static_assert(offsetof(struct linux_siginfo, fields.sigpoll.fd) == 24, "siginfo.si_fd");
_Static_assert(offsetof(struct linux_siginfo, fields.sigsys.call_addr) == 16,
	       "siginfo.si_call_addr");
_Static_assert(offsetof(struct linux_siginfo, fields.sigsys.syscall) == 24, "siginfo.si_syscall");
_Static_assert(offsetof(struct linux_siginfo, fields.sigsys.arch) == 28, "siginfo.si_arch");

/* si_code: <= 0 means sent from user space. */
#define LINUX_SI_USER	  0
#define LINUX_SI_KERNEL	  0x80
#define LINUX_SI_QUEUE	  (-1)
#define LINUX_SI_TIMER	  (-2)
#define LINUX_SI_MESGQ	  (-3)
#define LINUX_SI_ASYNCIO  (-4)
#define LINUX_SI_SIGIO	  (-5)
#define LINUX_SI_TKILL	  (-6)
#define LINUX_SI_DETHREAD (-7)
#define LINUX_SI_ASYNCNL  (-60)

#define LINUX_ILL_ILLOPC 1
#define LINUX_ILL_ILLOPN 2
#define LINUX_ILL_ILLADR 3
#define LINUX_ILL_ILLTRP 4
#define LINUX_ILL_PRVOPC 5
#define LINUX_ILL_PRVREG 6
#define LINUX_ILL_COPROC 7
#define LINUX_ILL_BADSTK 8

#define LINUX_FPE_INTDIV 1
#define LINUX_FPE_INTOVF 2
#define LINUX_FPE_FLTDIV 3
#define LINUX_FPE_FLTOVF 4
#define LINUX_FPE_FLTUND 5
#define LINUX_FPE_FLTRES 6
#define LINUX_FPE_FLTINV 7
#define LINUX_FPE_FLTSUB 8

#define LINUX_SEGV_MAPERR 1
#define LINUX_SEGV_ACCERR 2
#define LINUX_SEGV_BNDERR 3
#define LINUX_SEGV_PKUERR 4

#define LINUX_BUS_ADRALN    1
#define LINUX_BUS_ADRERR    2
#define LINUX_BUS_OBJERR    3
#define LINUX_BUS_MCEERR_AR 4
#define LINUX_BUS_MCEERR_AO 5

#define LINUX_TRAP_BRKPT  1
#define LINUX_TRAP_TRACE  2
#define LINUX_TRAP_BRANCH 3
#define LINUX_TRAP_HWBKPT 4
#define LINUX_TRAP_UNK	  5

#define LINUX_CLD_EXITED    1
#define LINUX_CLD_KILLED    2
#define LINUX_CLD_DUMPED    3
#define LINUX_CLD_TRAPPED   4
#define LINUX_CLD_STOPPED   5
#define LINUX_CLD_CONTINUED 6

#define LINUX_POLL_IN  1
#define LINUX_POLL_OUT 2
#define LINUX_POLL_MSG 3
#define LINUX_POLL_ERR 4
#define LINUX_POLL_PRI 5
#define LINUX_POLL_HUP 6

#define LINUX_SYS_SECCOMP	1
#define LINUX_SYS_USER_DISPATCH 2

/* siginfo.si_arch for a native x86-64 syscall (EM_X86_64 | 64-bit | little endian). */
#define LINUX_AUDIT_ARCH_X86_64 0xC000003Eu

/* timer_create / mq_notify */
#define LINUX_SIGEV_SIGNAL    0
#define LINUX_SIGEV_NONE      1
#define LINUX_SIGEV_THREAD    2
#define LINUX_SIGEV_THREAD_ID 4

struct linux_sigevent {
	union linux_sigval sigev_value;
	int32_t sigev_signo;
	int32_t sigev_notify;
	union {
		int32_t tid; /* SIGEV_THREAD_ID */
		int32_t pad[12];
	};
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "struct sigevent is 64 bytes");
_Static_assert(offsetof(struct linux_sigevent, sigev_notify) == 12, "sigevent.sigev_notify");
_Static_assert(offsetof(struct linux_sigevent, tid) == 16, "sigevent.sigev_notify_thread_id");

/* sigaltstack(2) */
struct linux_stack_t {
	uint64_t ss_sp;
	int32_t ss_flags;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct linux_stack_t) == 24, "stack_t is 24 bytes");
_Static_assert(offsetof(struct linux_stack_t, ss_flags) == 8, "stack_t.ss_flags");
_Static_assert(offsetof(struct linux_stack_t, ss_size) == 16, "stack_t.ss_size");

#define LINUX_SS_ONSTACK    1
#define LINUX_SS_DISABLE    2
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_MINSIGSTKSZ   2048
#define LINUX_SIGSTKSZ	    8192

/* The legacy (FXSAVE) part of the FPU state in a signal frame. */
struct linux_fpx_sw_bytes {
	uint32_t magic1;	/* LINUX_FP_XSTATE_MAGIC1 when XSAVE data follows the 512 bytes */
	uint32_t extended_size; /* whole xstate area including the trailing MAGIC2 */
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};
_Static_assert(sizeof(struct linux_fpx_sw_bytes) == 48, "_fpx_sw_bytes is 48 bytes");

#define LINUX_FP_XSTATE_MAGIC1	    0x46505853u
#define LINUX_FP_XSTATE_MAGIC2	    0x46505845u
#define LINUX_FP_XSTATE_MAGIC2_SIZE 4

struct linux_fpstate {
	uint16_t cwd;
	uint16_t swd;
	uint16_t twd; /* abridged tag word, as FXSAVE stores it */
	uint16_t fop;
	uint64_t rip;
	uint64_t rdp;
	uint32_t mxcsr;
	uint32_t mxcsr_mask;
	uint32_t st_space[32];	/* 8 x87 registers, 16 bytes each */
	uint32_t xmm_space[64]; /* 16 XMM registers */
	uint32_t reserved2[12];
	struct linux_fpx_sw_bytes
		sw_reserved; /* bytes 464..511 of the FXSAVE area, free for software */
};
_Static_assert(sizeof(struct linux_fpstate) == 512, "FXSAVE area is 512 bytes");
_Static_assert(offsetof(struct linux_fpstate, mxcsr) == 24, "fpstate.mxcsr");
_Static_assert(offsetof(struct linux_fpstate, st_space) == 32, "fpstate.st_space");
_Static_assert(offsetof(struct linux_fpstate, xmm_space) == 160, "fpstate.xmm_space");
_Static_assert(offsetof(struct linux_fpstate, sw_reserved) == 464, "fpstate.sw_reserved");

/* XSAVE header that follows the 512-byte legacy area. */
struct linux_xstate_header {
	uint64_t xfeatures;
	uint64_t reserved1[2];
	uint64_t reserved2[5];
};
_Static_assert(sizeof(struct linux_xstate_header) == 64, "xstate header is 64 bytes");

struct linux_sigcontext {
	uint64_t r8;
	uint64_t r9;
	uint64_t r10;
	uint64_t r11;
	uint64_t r12;
	uint64_t r13;
	uint64_t r14;
	uint64_t r15;
	uint64_t rdi;
	uint64_t rsi;
	uint64_t rbp;
	uint64_t rbx;
	uint64_t rdx;
	uint64_t rax;
	uint64_t rcx;
	uint64_t rsp;
	uint64_t rip;
	uint64_t eflags;
	uint16_t cs;
	uint16_t gs;
	uint16_t fs;
	uint16_t ss; /* only meaningful with UC_SIGCONTEXT_SS */
	uint64_t err;
	uint64_t trapno;
	uint64_t oldmask;
	uint64_t cr2;
	uint64_t fpstate; /* guest address of struct linux_fpstate, 0 when none */
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct linux_sigcontext) == 256, "x86-64 sigcontext is 256 bytes");
_Static_assert(offsetof(struct linux_sigcontext, rdi) == 64, "sigcontext.rdi");
_Static_assert(offsetof(struct linux_sigcontext, rax) == 104, "sigcontext.rax");
_Static_assert(offsetof(struct linux_sigcontext, rsp) == 120, "sigcontext.rsp");
_Static_assert(offsetof(struct linux_sigcontext, rip) == 128, "sigcontext.rip");
_Static_assert(offsetof(struct linux_sigcontext, eflags) == 136, "sigcontext.eflags");
_Static_assert(offsetof(struct linux_sigcontext, cs) == 144, "sigcontext.cs");
_Static_assert(offsetof(struct linux_sigcontext, ss) == 150, "sigcontext.ss");
_Static_assert(offsetof(struct linux_sigcontext, err) == 152, "sigcontext.err");
_Static_assert(offsetof(struct linux_sigcontext, oldmask) == 168, "sigcontext.oldmask");
_Static_assert(offsetof(struct linux_sigcontext, cr2) == 176, "sigcontext.cr2");
_Static_assert(offsetof(struct linux_sigcontext, fpstate) == 184, "sigcontext.fpstate");

#define LINUX_UC_FP_XSTATE	   0x1
#define LINUX_UC_SIGCONTEXT_SS	   0x2
#define LINUX_UC_STRICT_RESTORE_SS 0x4

/* The kernel's struct ucontext (not glibc's ucontext_t, which is larger). */
struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack_t uc_stack;
	struct linux_sigcontext uc_mcontext;
	linux_sigset_t uc_sigmask;
};
_Static_assert(sizeof(struct linux_ucontext) == 304, "kernel ucontext is 304 bytes");
_Static_assert(offsetof(struct linux_ucontext, uc_stack) == 16, "ucontext.uc_stack");
_Static_assert(offsetof(struct linux_ucontext, uc_mcontext) == 40, "ucontext.uc_mcontext");
_Static_assert(offsetof(struct linux_ucontext, uc_sigmask) == 296, "ucontext.uc_sigmask");

/*
 * What the kernel pushes for an SA_SIGINFO handler: the handler is entered with rsp pointing at
 * pretcode (the sa_restorer address, so `ret` runs rt_sigreturn), rsi = &info, rdx = &uc.
 * The FPU state follows, 64-byte aligned, and uc.uc_mcontext.fpstate points at it.
 */
struct linux_rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};
_Static_assert(offsetof(struct linux_rt_sigframe, uc) == 8, "rt_sigframe.uc");
_Static_assert(offsetof(struct linux_rt_sigframe, info) == 312, "rt_sigframe.info");
_Static_assert(sizeof(struct linux_rt_sigframe) == 440, "rt_sigframe is 440 bytes");

#endif
