/* SPDX-License-Identifier: MIT */
/* Linux x86-64 task interfaces: clone, clone3, arch_prctl, prctl, futex, robust lists, wait. */
#ifndef LXRUN_ABI_LINUX_SCHED_H
#define LXRUN_ABI_LINUX_SCHED_H

#include <stddef.h>
#include <stdint.h>

/* clone(2) flags; the low byte of clone()'s flags is the exit signal. */
#define LINUX_CSIGNAL		   0x000000ffull
#define LINUX_CLONE_NEWTIME	   0x00000080ull
#define LINUX_CLONE_VM		   0x00000100ull
#define LINUX_CLONE_FS		   0x00000200ull
#define LINUX_CLONE_FILES	   0x00000400ull
#define LINUX_CLONE_SIGHAND	   0x00000800ull
#define LINUX_CLONE_PIDFD	   0x00001000ull
#define LINUX_CLONE_PTRACE	   0x00002000ull
#define LINUX_CLONE_VFORK	   0x00004000ull
#define LINUX_CLONE_PARENT	   0x00008000ull
#define LINUX_CLONE_THREAD	   0x00010000ull
#define LINUX_CLONE_NEWNS	   0x00020000ull
#define LINUX_CLONE_SYSVSEM	   0x00040000ull
#define LINUX_CLONE_SETTLS	   0x00080000ull
#define LINUX_CLONE_PARENT_SETTID  0x00100000ull
#define LINUX_CLONE_CHILD_CLEARTID 0x00200000ull
#define LINUX_CLONE_DETACHED	   0x00400000ull
#define LINUX_CLONE_UNTRACED	   0x00800000ull
#define LINUX_CLONE_CHILD_SETTID   0x01000000ull
#define LINUX_CLONE_NEWCGROUP	   0x02000000ull
#define LINUX_CLONE_NEWUTS	   0x04000000ull
#define LINUX_CLONE_NEWIPC	   0x08000000ull
#define LINUX_CLONE_NEWUSER	   0x10000000ull
#define LINUX_CLONE_NEWPID	   0x20000000ull
#define LINUX_CLONE_NEWNET	   0x40000000ull
#define LINUX_CLONE_IO		   0x80000000ull
/* clone3 only: they do not fit in clone()'s 32-bit flags. */
#define LINUX_CLONE_CLEAR_SIGHAND 0x100000000ull
#define LINUX_CLONE_INTO_CGROUP	  0x200000000ull

/* clone3(2): the caller passes its sizeof; later fields are optional. */
struct linux_clone_args {
	uint64_t flags;
	uint64_t pidfd;	     /* guest address of an int */
	uint64_t child_tid;  /* guest address */
	uint64_t parent_tid; /* guest address */
	uint64_t exit_signal;
	uint64_t stack;	     /* lowest address of the stack ... */
	uint64_t stack_size; /* ... and its size, unlike clone()'s top-of-stack */
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};
_Static_assert(sizeof(struct linux_clone_args) == 88, "struct clone_args is 88 bytes");
_Static_assert(offsetof(struct linux_clone_args, exit_signal) == 32, "clone_args.exit_signal");
_Static_assert(offsetof(struct linux_clone_args, tls) == 56, "clone_args.tls");
_Static_assert(offsetof(struct linux_clone_args, cgroup) == 80, "clone_args.cgroup");

#define LINUX_CLONE_ARGS_SIZE_VER0 64
#define LINUX_CLONE_ARGS_SIZE_VER1 80
#define LINUX_CLONE_ARGS_SIZE_VER2 88

/* sched_setscheduler policies */
#define LINUX_SCHED_OTHER	  0
#define LINUX_SCHED_FIFO	  1
#define LINUX_SCHED_RR		  2
#define LINUX_SCHED_BATCH	  3
#define LINUX_SCHED_IDLE	  5
#define LINUX_SCHED_DEADLINE	  6
#define LINUX_SCHED_RESET_ON_FORK 0x40000000

/* arch_prctl(2) */
#define LINUX_ARCH_SET_GS		0x1001
#define LINUX_ARCH_SET_FS		0x1002
#define LINUX_ARCH_GET_FS		0x1003
#define LINUX_ARCH_GET_GS		0x1004
#define LINUX_ARCH_GET_CPUID		0x1011
#define LINUX_ARCH_SET_CPUID		0x1012
#define LINUX_ARCH_GET_XCOMP_SUPP	0x1021
#define LINUX_ARCH_GET_XCOMP_PERM	0x1022
#define LINUX_ARCH_REQ_XCOMP_PERM	0x1023
#define LINUX_ARCH_GET_XCOMP_GUEST_PERM 0x1024
#define LINUX_ARCH_REQ_XCOMP_GUEST_PERM 0x1025
#define LINUX_ARCH_XCOMP_TILECFG	17
#define LINUX_ARCH_XCOMP_TILEDATA	18
#define LINUX_ARCH_MAP_VDSO_X32		0x2001
#define LINUX_ARCH_MAP_VDSO_32		0x2002
#define LINUX_ARCH_MAP_VDSO_64		0x2003
#define LINUX_ARCH_GET_UNTAG_MASK	0x4001
#define LINUX_ARCH_ENABLE_TAGGED_ADDR	0x4002
#define LINUX_ARCH_GET_MAX_TAG_BITS	0x4003
#define LINUX_ARCH_FORCE_TAGGED_SVA	0x4004
#define LINUX_ARCH_SHSTK_ENABLE		0x5001
#define LINUX_ARCH_SHSTK_DISABLE	0x5002
#define LINUX_ARCH_SHSTK_LOCK		0x5003
#define LINUX_ARCH_SHSTK_UNLOCK		0x5004
#define LINUX_ARCH_SHSTK_STATUS		0x5005

/* prctl(2) options lxrun serves or uses itself. */
#define LINUX_PR_SET_PDEATHSIG		   1
#define LINUX_PR_GET_PDEATHSIG		   2
#define LINUX_PR_GET_DUMPABLE		   3
#define LINUX_PR_SET_DUMPABLE		   4
#define LINUX_PR_GET_KEEPCAPS		   7
#define LINUX_PR_SET_KEEPCAPS		   8
#define LINUX_PR_SET_NAME		   15
#define LINUX_PR_GET_NAME		   16
#define LINUX_PR_GET_SECCOMP		   21
#define LINUX_PR_SET_SECCOMP		   22
#define LINUX_PR_CAPBSET_READ		   23
#define LINUX_PR_CAPBSET_DROP		   24
#define LINUX_PR_SET_TIMERSLACK		   29
#define LINUX_PR_GET_TIMERSLACK		   30
#define LINUX_PR_SET_MM			   35
#define LINUX_PR_SET_CHILD_SUBREAPER	   36
#define LINUX_PR_GET_CHILD_SUBREAPER	   37
#define LINUX_PR_SET_NO_NEW_PRIVS	   38
#define LINUX_PR_GET_NO_NEW_PRIVS	   39
#define LINUX_PR_GET_TID_ADDRESS	   40
#define LINUX_PR_SET_THP_DISABLE	   41
#define LINUX_PR_GET_THP_DISABLE	   42
#define LINUX_PR_CAP_AMBIENT		   47
#define LINUX_PR_SET_SYSCALL_USER_DISPATCH 59
#define LINUX_PR_SET_PTRACER		   0x59616d61
#define LINUX_PR_SET_VMA		   0x53564d41
#define LINUX_PR_TASK_COMM_LEN		   16 /* PR_SET_NAME/PR_GET_NAME buffer, NUL included */

/* PR_SET_SYSCALL_USER_DISPATCH modes (6.x names; ON is the old name of EXCLUSIVE_ON). */
#define LINUX_PR_SYS_DISPATCH_OFF	   0
#define LINUX_PR_SYS_DISPATCH_EXCLUSIVE_ON 1
#define LINUX_PR_SYS_DISPATCH_INCLUSIVE_ON 2
#define LINUX_PR_SYS_DISPATCH_ON	   LINUX_PR_SYS_DISPATCH_EXCLUSIVE_ON
/* Values of the selector byte. */
#define LINUX_SYSCALL_DISPATCH_FILTER_ALLOW 0
#define LINUX_SYSCALL_DISPATCH_FILTER_BLOCK 1

/* futex(2) */
#define LINUX_FUTEX_WAIT	     0
#define LINUX_FUTEX_WAKE	     1
#define LINUX_FUTEX_FD		     2
#define LINUX_FUTEX_REQUEUE	     3
#define LINUX_FUTEX_CMP_REQUEUE	     4
#define LINUX_FUTEX_WAKE_OP	     5
#define LINUX_FUTEX_LOCK_PI	     6
#define LINUX_FUTEX_UNLOCK_PI	     7
#define LINUX_FUTEX_TRYLOCK_PI	     8
#define LINUX_FUTEX_WAIT_BITSET	     9
#define LINUX_FUTEX_WAKE_BITSET	     10
#define LINUX_FUTEX_WAIT_REQUEUE_PI  11
#define LINUX_FUTEX_CMP_REQUEUE_PI   12
#define LINUX_FUTEX_LOCK_PI2	     13
#define LINUX_FUTEX_PRIVATE_FLAG     128
#define LINUX_FUTEX_CLOCK_REALTIME   256
#define LINUX_FUTEX_CMD_MASK	     (~(LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME))
#define LINUX_FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* Futex word bits used by PI futexes and robust lists. */
#define LINUX_FUTEX_WAITERS    0x80000000u
#define LINUX_FUTEX_OWNER_DIED 0x40000000u
#define LINUX_FUTEX_TID_MASK   0x3fffffffu

/* futex2 (futex_waitv, futex_wake, futex_wait, futex_requeue) */
#define LINUX_FUTEX2_SIZE_U8  0x00
#define LINUX_FUTEX2_SIZE_U16 0x01
#define LINUX_FUTEX2_SIZE_U32 0x02
#define LINUX_FUTEX2_SIZE_U64 0x03
#define LINUX_FUTEX2_NUMA     0x04
#define LINUX_FUTEX2_MPOL     0x08
#define LINUX_FUTEX2_PRIVATE  LINUX_FUTEX_PRIVATE_FLAG
#define LINUX_FUTEX_WAITV_MAX 128

struct linux_futex_waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};
_Static_assert(sizeof(struct linux_futex_waitv) == 24, "struct futex_waitv is 24 bytes");

/* set_robust_list(2): the list lives in guest memory and is walked at thread exit. */
struct linux_robust_list_head {
	uint64_t list;	      /* guest address of the first struct robust_list (a next pointer) */
	int64_t futex_offset; /* from a list entry to its futex word */
	uint64_t list_op_pending; /* entry being locked or unlocked right now */
};
_Static_assert(sizeof(struct linux_robust_list_head) == 24, "struct robust_list_head is 24 bytes");
_Static_assert(offsetof(struct linux_robust_list_head, futex_offset) == 8,
	       "robust_list_head.futex_offset");
_Static_assert(offsetof(struct linux_robust_list_head, list_op_pending) == 16,
	       "robust_list_head.list_op_pending");

#define LINUX_ROBUST_LIST_LIMIT 2048

/* wait4/waitid options */
#define LINUX_WNOHANG	  0x00000001
#define LINUX_WUNTRACED	  0x00000002
#define LINUX_WSTOPPED	  LINUX_WUNTRACED
#define LINUX_WEXITED	  0x00000004
#define LINUX_WCONTINUED  0x00000008
#define LINUX_WNOWAIT	  0x01000000
#define LINUX___WNOTHREAD 0x20000000
#define LINUX___WALL	  0x40000000
#define LINUX___WCLONE	  0x80000000u

/* waitid idtype */
#define LINUX_P_ALL   0
#define LINUX_P_PID   1
#define LINUX_P_PGID  2
#define LINUX_P_PIDFD 3

/* Wait status words as wait4 stores them. */
#define LINUX_W_EXITCODE(ret, sig) (((ret) << 8) | (sig))
#define LINUX_W_STOPCODE(sig)	   (((sig) << 8) | 0x7f)
#define LINUX_W_CONTINUED	   0xffff
#define LINUX_WCOREFLAG		   0x80

#endif
