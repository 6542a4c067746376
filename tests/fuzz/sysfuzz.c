/* SPDX-License-Identifier: MIT */
/*
 * The syscall fuzzer: a guest program that makes random syscalls with random and adversarial
 * arguments, natively or under lxrun, from a seed (so any finding replays):
 *   sysfuzz --dir SCRATCH --seed N --calls M [--chunk C] [--log] [--only NAME] [--confined]
 * (--first-child K: start at child K, to replay one child of a long run.)
 * It forks one child per C calls (a guest-fatal signal ends one child only), each with its own
 * generator derived from (N, child index), a scratch directory SCRATCH/cK as its cwd and a
 * 1 ms SIGALRM timer (SA_RESTART in every other child, and a handler that drops SA_RESTART
 * when one call stays blocked) so signals arrive mid-call. Arguments: NULL, unaligned,
 * kernel-half (0xffff800000000000+), just-unmapped and read-only pointers, pointers running into
 * a guard page, overlapping buffers, huge and negative lengths, closed and recycled fds.
 *
 * --confined (only inside a root that holds /.sysfuzz-root, i.e. under `lxrun --root`): paths
 * that climb (..), jump through /proc and /dev links and symlinks, for every call, also the
 * ones that create and remove: the root's confinement is what keeps them in.
 *
 * Per call it checks that the result is a value or an errno Linux can return (1..133: never
 * the kernel-internal 512..530, never below -4095); with --log it prints "child call nr name
 * result" per call, for a differential run against native. The parent prints one summary line
 * per child: how it ended (exit, signal, stuck at call i) and the number of calls.
 *
 * Refused by the harness (they would harm the host, the harness, or end the run) -- listed
 * in docs/fuzzing.md too:
 *   process control: exit, exit_group, fork, vfork, clone, clone3, execve, execveat, ptrace,
 *     kill/tkill/tgkill/rt_sigqueueinfo/rt_tgsigqueueinfo/pidfd_send_signal except to itself
 *     with a handled signal, pidfd_open, pidfd_getfd, process_vm_readv/writev, process_madvise, kcmp,
 *     migrate_pages/move_pages of other processes, setpgid/setsid, unshare, setns
 *   the machine: reboot, kexec_load, kexec_file_load, the module calls, swapon/off, acct, settimeofday, clock_settime,
 *     clock_adjtime, adjtimex, sethostname, setdomainname, syslog, vhangup, quotactl*, iopl,
 *     ioperm, modify_ldt, mount and the new mount API, umount2, pivot_root, chroot, chdir,
 *     fchdir, perf_event_open, bpf, fanotify_*, userfaultfd, keyctl/add_key/request_key,
 *     SysV IPC and POSIX message queues (host-wide objects), open_by_handle_at,
 *     io_uring_enter/register, landlock_restrict_self, seccomp, lsm_set_self_attr
 *   the fuzzer's own state: rt_sigreturn, rseq, set_tid_address, arch_prctl setters,
 *     prctl setters, personality, sched_setscheduler/setparam/setattr, setpriority,
 *     ioprio_set, mlockall, setrlimit/prlimit64 setting a limit, pkey_alloc, pkey_free,
 *     pkey_mprotect (a key's rights apply to the fuzzer's own memory at once), setuid and the other set-id calls, setgroups, capset,
 *     alarm/setitimer(ITIMER_REAL) (the harness's timer), map_shadow_stack, mseal,
 *     mmap MAP_FIXED / munmap / mremap / mprotect / madvise / pkey_mprotect / mbind /
 *     mlock outside the fuzzer's scratch region, MAP_POPULATE/MAP_LOCKED of huge lengths
 *   paths: every path that creates, changes or removes is a name inside the child's scratch
 *     directory (symlink targets too); absolute paths only for calls that just read
 *     (/proc/self/status...), never chdir; close/dup2/dup3 never target fds 0-2; ioctl only
 *     with terminal/file requests; sockets only AF_UNIX/AF_INET(6) and addresses of loopback
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { NONE, STUB, PARTIAL, FULL };
struct scdef {
	int nr;
	const char *name;
	int arity;
	int level;
	const char *sig;
};
static const struct scdef defs[] = {
#define SYSCALL(nr, name, arity, level, note, sig) {nr, #name, arity, level, sig},
#include "abi/syscalls.def"
#undef SYSCALL
};
#define NDEFS ((int)(sizeof(defs) / sizeof(defs[0])))

static const char *const refused[] = {
	"exit", "exit_group", "fork", "vfork", "clone", "clone3", "execve", "execveat", "ptrace",
	"reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
	"create_module", "swapon", "swapoff", "acct", "settimeofday", "clock_settime",
	"clock_adjtime", "adjtimex", "sethostname", "setdomainname", "syslog", "vhangup",
	"quotactl", "quotactl_fd", "iopl", "ioperm", "modify_ldt", "mount", "umount2",
	"pivot_root", "chroot", "chdir", "fchdir", "open_tree", "open_tree_attr", "move_mount",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "perf_event_open", "bpf",
	"fanotify_init", "fanotify_mark", "userfaultfd", "keyctl", "add_key", "request_key",
	"shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semctl", "semtimedop", "msgget",
	"msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
	"mq_notify", "mq_getsetattr", "open_by_handle_at", "io_uring_enter", "io_uring_register",
	"landlock_restrict_self", "seccomp", "lsm_set_self_attr", "rt_sigreturn", "rseq",
	"set_tid_address", "personality", "sched_setscheduler", "sched_setparam", "sched_setattr",
	"setpriority", "ioprio_set", "mlockall", "setrlimit", "setuid", "setgid", "setreuid",
	"setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups", "capset",
	"alarm", "map_shadow_stack", "mseal", "unshare", "setns", "setpgid", "setsid",
	"pidfd_getfd", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
	"migrate_pages", "move_pages", "set_thread_area", "uselib", "nfsservctl", "_sysctl",
	"process_mrelease", "set_robust_list", "sigaltstack", "futex_waitv", "memfd_secret",
	"remap_file_pages", "vserver", "lookup_dcookie", "lsm_get_self_attr", "vmsplice",
	"uretprobe", "uprobe", "file_setattr", "setxattrat", "removexattrat", "pkey_alloc",
	"pkey_free", "pkey_mprotect",
};

/* ---- the generator: splitmix64, reproducible from (seed, child) ---- */
static uint64_t rng;
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- the scratch region: fixed address, so a native and an lxrun run see the same pointers */
#define REGION ((uint8_t *)0x2000000000ull)
#define REGION_SIZE (64 * 4096ul)
#define GUARD (REGION + REGION_SIZE)          /* PROT_NONE page after it */
#define UNMAPPED (REGION + REGION_SIZE + 4096) /* mapped, then unmapped */
#define RO_PAGE (REGION + REGION_SIZE + 8192)  /* read-only */
/* Where mmap(MAP_FIXED), munmap, mprotect, mremap... may act: the fuzzer never writes there
 * itself (it writes its arguments into REGION, which they leave alone). */
#define MMREGION (REGION + REGION_SIZE + 16 * 4096)
#define MM_SIZE (64 * 4096ul)

/* Results of the current child, shared with the parent. */
struct shared {
	volatile long cur;      /* index of the call in progress */
	volatile long cur_nr;
	volatile uint64_t cur_args[6];
	volatile long done;
	volatile long bad;      /* calls with an impossible result */
	volatile long bad_first_call, bad_first_nr, bad_first_ret;
	volatile long ticks;    /* SIGALRMs seen */
	long res[];             /* per call: syscall number, result */
};
static struct shared *sh;

static int is_refused[512];
static uint64_t restorer; /* glibc's signal return trampoline, for rt_sigaction */
static int only_nr = -1;
static int fds[24];
static int nfds;
static int restart_phase;
static long last_tick_call = -1;
static int same_call_ticks;

static void on_alarm(int sig)
{
	sh->ticks++;
	if (sh->cur == last_tick_call) {
		/* one call blocked through 3 ticks: let the next one interrupt it (EINTR) */
		if (++same_call_ticks == 3 && restart_phase) {
			struct sigaction sa = {.sa_handler = on_alarm};
			sigaction(SIGALRM, &sa, NULL);
		}
	} else {
		last_tick_call = sh->cur;
		same_call_ticks = 0;
	}
	(void)sig;
}

static void on_other(int sig)
{
	(void)sig;
}

static const int handled[] = {SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGWINCH, SIGURG, SIGPIPE,
			      SIGVTALRM, SIGPROF, SIGIO, SIGXFSZ};
static int handled_sig(void)
{
	return handled[below(sizeof(handled) / sizeof(handled[0]))];
}

/* scratch-relative names; none is ".." or absolute */
static const char *const names[] = {"a", "b", "dir", "dir/x", "lnk", "fifo", "sock", "f2",
				    "dir/sub", "lnk/x", "", ".", "a/", "dir/../a"};
/* read-only absolute paths (for calls that do not modify) */
static const char *const ro_paths[] = {"/proc/self/status", "/proc/self/maps", "/proc/self/stat",
				       "/proc/self/cmdline", "/proc/self/fd", "/dev/null"};

static char *scratch_str(const char *s)
{
	/* a copy inside the region, at a random place (its last page too) */
	size_t n = strlen(s) + 1;
	uint8_t *p = REGION + 8192 + below(REGION_SIZE - 8192 - n);
	memcpy(p, s, n);
	return (char *)p;
}

static int in_mm(uint64_t p, uint64_t len)
{
	uint64_t end = (uint64_t)MMREGION + MM_SIZE;
	return p >= (uint64_t)MMREGION && p < end && len <= end - p;
}

static uint64_t mm_page(void)
{
	return (uint64_t)MMREGION + 4096 * below(MM_SIZE / 4096);
}

static uint64_t gen_ptr(void)
{
	switch (below(12)) {
	case 0: return 0;
	case 1: return 0xffff800000000000ull + (below(4) << 12) + below(64);
	case 2: return (uint64_t)UNMAPPED + below(4096);
	case 3: return (uint64_t)RO_PAGE + below(4096);
	case 4: return (uint64_t)GUARD - 1 - below(64); /* runs into the guard page */
	case 5: return ((uint64_t)REGION + below(REGION_SIZE)) | 1; /* unaligned */
	case 6: return rnd() & 0x7fffffffffffull;
	case 7: return ~0ull - below(4096);
	case 8: return mm_page() + below(4096);
	default: return (uint64_t)REGION + (below(REGION_SIZE / 8) * 8);
	}
}

static uint64_t gen_len(void)
{
	static const uint64_t l[] = {0, 1, 2, 7, 8, 16, 64, 4095, 4096, 65536, REGION_SIZE,
				     1ull << 31, 1ull << 32, (1ull << 32) + 1, ~0ull, ~0ull >> 1,
				     (uint64_t)-4096};
	return below(3) ? below(300) : l[below(sizeof(l) / sizeof(l[0]))];
}

static uint64_t gen_int(void)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return below(8);
	case 2: return (uint64_t)-1;
	case 3: return 1ull << below(64);
	case 4: return rnd() & 0xffffffff;
	case 5: return 0x80000000u;
	case 6: return rnd();
	default: return below(4096);
	}
}

static uint64_t gen_fd(void)
{
	switch (below(10)) {
	case 0: return (uint64_t)-100; /* AT_FDCWD */
	case 1: return (uint64_t)-1;
	case 2: return 1u << 20;
	case 3: return below(64);
	default: return (uint64_t)fds[below((uint64_t)nfds)];
	}
}

/* --confined (only under lxrun --root, whose root holds /.sysfuzz-root): paths that climb,
 * jump through /proc and /dev links and symlinks, for every call */
static int confined;
static const char *const parts[] = {"..", ".", "a", "dir", "lnk", "proc", "self", "fd", "3", "4",
				    "cwd", "root", "", "dev", "exe", "thread-self", "task", "1",
				    "fz", "c0", "x", "mounts", "shm"};

static uint64_t gen_climb(void)
{
	char *p = (char *)REGION + 6144 + 512 * below(4);
	size_t n = 0;
	if (below(2))
		p[n++] = '/';
	for (int k = 1 + (int)below(8); k > 0 && n < 400; k--) {
		const char *c = parts[below(sizeof(parts) / sizeof(parts[0]))];
		size_t l = strlen(c);
		memcpy(p + n, c, l);
		n += l;
		if (k > 1 || below(4) == 0)
			p[n++] = '/';
	}
	p[n] = 0;
	return (uint64_t)p;
}

static uint64_t gen_path(int readonly)
{
	if (confined && below(2))
		return gen_climb();
	switch (below(readonly ? 12 : 10)) {
	case 0: return 0;
	case 1: return gen_ptr();
	case 2: { /* unterminated up to the guard page */
		uint8_t *p = GUARD - 1 - below(32);
		memset(p, 'a', (size_t)(GUARD - p));
		return (uint64_t)p;
	}
	case 3: { /* longer than PATH_MAX */
		char *p = (char *)REGION + 4096;
		memset(p, 'x', 5000);
		p[5000] = 0;
		return (uint64_t)p;
	}
	case 10:
	case 11: return (uint64_t)scratch_str(ro_paths[below(sizeof(ro_paths) / sizeof(ro_paths[0]))]);
	default: return (uint64_t)scratch_str(names[below(sizeof(names) / sizeof(names[0]))]);
	}
}

/* sigset arguments: random, but SIGALRM never blocked (the harness's progress) */
static uint64_t gen_sigset(void)
{
	static const uint64_t bad[] = {0, 0xffff800000000000ull, (uint64_t)UNMAPPED,
				       (uint64_t)GUARD - 4};
	if (below(4) == 0) /* never a valid pointer to random bytes: they could block SIGALRM */
		return bad[below(4)];
	uint64_t *p = (uint64_t *)(REGION + 8 * below(64));
	*p = rnd() & ~(1ull << (SIGALRM - 1)) & ~(1ull << (SIGKILL - 1));
	return (uint64_t)p;
}

static int nr_of(const char *name)
{
	for (int i = 0; i < NDEFS; i++)
		if (!strcmp(defs[i].name, name))
			return defs[i].nr;
	return -1;
}

/* Calls that only read what their path names. */
static int reads_only(const char *n)
{
	static const char *const ro[] = {"stat", "lstat", "access", "readlink", "statfs",
					 "getxattr", "lgetxattr", "listxattr", "llistxattr",
					 "newfstatat", "readlinkat", "faccessat", "faccessat2",
					 "statx", "inotify_add_watch", "name_to_handle_at",
					 "getxattrat", "listxattrat", "file_getattr", "statmount"};
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		if (!strcmp(n, ro[i]))
			return 1;
	return 0;
}


/* Build the arguments of one call; 0 if the harness refuses this one. */
static int make_args(const struct scdef *d, uint64_t a[6])
{
	const char *n = d->name;
	int ro = reads_only(n);
	for (int i = 0; i < 6; i++) {
		char c = i < d->arity ? d->sig[i] : 'x';
		switch (c) {
		case 'f': a[i] = gen_fd(); break;
		case 's': a[i] = gen_path(ro); break;
		case 'p': case 'b': case 'B': a[i] = gen_ptr(); break;
		case 'u': a[i] = gen_len(); break;
		case 'S': a[i] = below(6) ? (uint64_t)handled_sig() : gen_int(); break;
		case 'v': return 0;
		default: a[i] = gen_int(); break;
		}
	}
	/* overlapping buffers now and then: the same pointer twice */
	if (below(16) == 0 && d->arity >= 2)
		a[1] = a[0];
	pid_t me = getpid();
	uint64_t pid_pool[] = {(uint64_t)me, (uint64_t)syscall(SYS_gettid), 0x3ffffff0};
	/* per-call policies */
	if (!strcmp(n, "open") || !strcmp(n, "creat") || !strcmp(n, "openat") ||
	    !strcmp(n, "openat2")) {
		int pi = n[4] == 'a' ? 1 : 0; /* path argument */
		uint64_t fl = !strcmp(n, "openat2") ? 0 : a[pi + 1];
		if (!strcmp(n, "openat2")) {
			uint64_t *how = (uint64_t *)(REGION + 64 * below(16));
			how[0] = gen_int();
			how[1] = gen_int();
			how[2] = below(2) ? 0 : below(32);
			a[2] = below(8) ? (uint64_t)how : gen_ptr();
			a[3] = below(8) ? 24 : gen_len();
			fl = how[0];
		}
		if (confined && below(2))
			a[pi] = gen_climb();
		else if (!strcmp(n, "creat") || (fl & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND |
						  __O_TMPFILE)))
			a[pi] = (uint64_t)scratch_str(names[below(sizeof(names) / sizeof(names[0]))]);
		else
			a[pi] = gen_path(1);
		if (pi && !below(3))
			a[0] = (uint64_t)-100;
	} else if (!strcmp(n, "symlink") || !strcmp(n, "symlinkat")) {
		a[0] = confined && below(2) ? gen_climb()
					    : (uint64_t)scratch_str(names[below(sizeof(names) / sizeof(names[0]))]);
	} else if (!strcmp(n, "kill") || !strcmp(n, "tkill") || !strcmp(n, "rt_sigqueueinfo")) {
		a[0] = pid_pool[below(3)];
		a[1] = (uint64_t)handled_sig();
	} else if (!strcmp(n, "tgkill") || !strcmp(n, "rt_tgsigqueueinfo")) {
		a[0] = pid_pool[below(3)];
		a[1] = pid_pool[below(3)];
		a[2] = (uint64_t)handled_sig();
	} else if (!strcmp(n, "pidfd_open")) {
		a[0] = pid_pool[below(3)];
	} else if (!strcmp(n, "pidfd_send_signal")) {
		return 0; /* the pidfd may be anyone's */
	} else if (!strcmp(n, "getpgid") || !strcmp(n, "getsid") || !strcmp(n, "sched_getparam") ||
		   !strcmp(n, "sched_getscheduler") || !strcmp(n, "sched_getaffinity") ||
		   !strcmp(n, "sched_setaffinity") || !strcmp(n, "sched_getattr") ||
		   !strcmp(n, "sched_rr_get_interval") || !strcmp(n, "get_robust_list") ||
		   !strcmp(n, "prlimit64") || !strcmp(n, "ioprio_get") || !strcmp(n, "getpriority")) {
		if (!strcmp(n, "ioprio_get") || !strcmp(n, "getpriority"))
			a[1] = pid_pool[below(3)];
		else
			a[0] = pid_pool[below(3)];
		if (!strcmp(n, "prlimit64"))
			a[2] = 0; /* read only */
	} else if (!strcmp(n, "wait4") || !strcmp(n, "waitid")) {
		a[n[0] == 'w' && n[4] == 'i' ? 1 : 0] = below(2) ? (uint64_t)-1 : 0x3ffffff0;
	} else if (!strcmp(n, "fcntl")) {
		if ((int)a[1] == 8 /* F_SETOWN */ || (int)a[1] == 15 /* F_SETOWN_EX */)
			return 0; /* SIGIO to any process */
		if ((int)a[1] == 10 /* F_SETSIG */)
			a[2] = (uint64_t)handled_sig();
	} else if (!strcmp(n, "close") || !strcmp(n, "dup2") || !strcmp(n, "dup3")) {
		int k = !strcmp(n, "close") ? 0 : 1;
		if ((int)a[k] >= 0 && (int)a[k] < 3) /* fds are ints to the kernel */
			a[k] = 3 + below(40);
	} else if (!strcmp(n, "close_range")) {
		if ((unsigned)a[0] < 3)
			a[0] = 3 + below(40);
	} else if (!strcmp(n, "ioctl")) {
		static const uint64_t req[] = {0x5401, 0x5413, 0x541b, 0x5421, 0x5451, 0x5450,
					       0x80086601, 0x2, 0x5402, 0x540f};
		a[1] = below(4) ? req[below(sizeof(req) / sizeof(req[0]))] : 0x5400 + below(0x60);
		if (a[1] == 0x5412 /* TIOCSTI */ || a[1] == 0x5422 || a[1] == 0x540e)
			a[1] = 0x5401;
	} else if (!strcmp(n, "socket") || !strcmp(n, "socketpair")) {
		static const uint64_t fam[] = {AF_UNIX, AF_INET, AF_INET6, 0, 9999};
		a[0] = fam[below(5)];
	} else if (!strcmp(n, "connect") || !strcmp(n, "bind") || !strcmp(n, "sendto")) {
		int k = n[0] == 's' ? 4 : 1;
		uint16_t *sa = (uint16_t *)(REGION + 512 + 8 * below(16));
		static const uint16_t fam[] = {AF_UNIX, AF_INET, AF_INET6};
		sa[0] = fam[below(3)];
		if (sa[0] == AF_INET) { /* 127.0.0.1:port */
			sa[1] = (uint16_t)rnd();
			((uint8_t *)sa)[4] = 127;
			((uint8_t *)sa)[5] = 0;
			((uint8_t *)sa)[6] = 0;
			((uint8_t *)sa)[7] = 1;
		} else if (sa[0] == AF_INET6) {
			memset(sa + 1, 0, 26);
			((uint8_t *)sa)[23] = 1; /* ::1 */
		} else if (confined && below(2)) {
			const char *c = (const char *)gen_climb();
			snprintf((char *)(sa + 1), 100, "%s", c);
		} else {
			strcpy((char *)(sa + 1), names[below(sizeof(names) / sizeof(names[0]))]);
		}
		if (below(8))
			a[k] = (uint64_t)sa;
		else if (a[k] != 0)
			return 0; /* a random address could be anywhere on the network */
	} else if (!strcmp(n, "sendmsg") || !strcmp(n, "sendmmsg")) {
		return 0; /* msg_name could be any host address */
	} else if (!strcmp(n, "mmap")) {
		a[3] &= ~(uint64_t)(MAP_POPULATE | MAP_LOCKED | MAP_HUGETLB);
		if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
			a[0] = mm_page();
			if (!in_mm(a[0], a[1]))
				a[1] = 4096;
		}
	} else if (!strcmp(n, "munmap") || !strcmp(n, "mprotect") || !strcmp(n, "madvise") ||
		   !strcmp(n, "pkey_mprotect") || !strcmp(n, "mbind") || !strcmp(n, "mlock") ||
		   !strcmp(n, "mlock2") || !strcmp(n, "munlock") || !strcmp(n, "msync") ||
		   !strcmp(n, "mremap")) {
		if (!in_mm(a[0], 1) && a[0] != 0 && a[0] < 0xffff800000000000ull)
			a[0] = mm_page() + (below(8) ? 0 : below(4096)); /* unaligned now and then */
		if (in_mm(a[0], 1) && !in_mm(a[0], a[1]))
			a[1] = 4096 * (1 + below(4));
		if (in_mm(a[0], 1) && !in_mm(a[0], a[1]))
			a[1] = 4096;
		/* from 0 or the kernel half with a huge length, madvise(DONTNEED) and friends
		 * would wipe the fuzzer itself (as Linux does: a valid call); munmap gives EINVAL */
		if (strcmp(n, "munmap") && !in_mm(a[0], 1) && a[1] > (1u << 20))
			a[1] = 1u << 20;
		/* munmap from 0 of up to TASK_SIZE is valid: it would unmap the fuzzer itself */
		if (!strcmp(n, "munmap") && !in_mm(a[0], 1) && a[1] > (1u << 20) &&
		    a[1] <= 0x7ffffffff000ull)
			a[1] = 1u << 20;
		if (!strcmp(n, "madvise") && ((int)a[2] == MADV_HWPOISON || (int)a[2] == 101 /* MADV_SOFT_OFFLINE */))
			return 0;
		if (!strcmp(n, "mremap")) {
			if (a[2] > REGION_SIZE)
				a[2] = 4096;
			a[3] &= 7; /* MAYMOVE, FIXED, DONTUNMAP */
			if (a[3] & 2)
				a[4] = mm_page();
			if ((a[3] & 2) && !in_mm(a[4], a[2]))
				return 0;
			if (a[3] & 1)
				a[3] &= ~1ull; /* moved outside: it would leave the region unmapped */
		}
	} else if (!strcmp(n, "brk")) {
		a[0] = 0;
	} else if (!strcmp(n, "arch_prctl")) {
		static const uint64_t codes[] = {0x1003 /* GET_FS */, 0x1004 /* GET_GS */,
						 0x1011 /* GET_CPUID */, 0x1021, 0x2001, 0x9999};
		a[0] = codes[below(6)];
	} else if (!strcmp(n, "prctl")) {
		static const uint64_t opts[] = {3 /* GET_DUMPABLE */, 16 /* GET_NAME */, 37, 21, 23,
						 19, 40, 13, 9999};
		a[0] = opts[below(9)];
	} else if (!strcmp(n, "rt_sigaction")) {
		if ((int)a[0] == SIGALRM || (int)a[0] == SIGKILL || (int)a[0] == SIGSTOP)
			a[0] = SIGUSR1;
		if (a[1]) { /* SIG_DFL, SIG_IGN or a real handler, never a random address */
			uint64_t *sa = (uint64_t *)(REGION + 1024 + 32 * below(8));
			sa[0] = below(4) ? (uint64_t)on_other : 1 /* SIG_IGN */;
			sa[1] = (rnd() & (SA_RESTART | SA_NODEFER | SA_SIGINFO)) |
				0x04000000 /* SA_RESTORER */;
			sa[2] = restorer;
			sa[3] = rnd() & ~(1ull << (SIGALRM - 1));
			a[1] = (uint64_t)sa;
		}
		a[3] = below(8) ? 8 : gen_len();
	} else if (!strcmp(n, "rt_sigprocmask") || !strcmp(n, "rt_sigsuspend") ||
		   !strcmp(n, "rt_sigtimedwait") || !strcmp(n, "signalfd") ||
		   !strcmp(n, "signalfd4")) {
		int k = !strcmp(n, "rt_sigprocmask") ? 1 : !strcmp(n, "signalfd") ||
							   !strcmp(n, "signalfd4") ? 1 : 0;
		a[k] = gen_sigset();
		if (!strcmp(n, "rt_sigprocmask"))
			a[3] = below(8) ? 8 : gen_len();
		if (!strcmp(n, "rt_sigsuspend"))
			a[1] = 8;
	} else if (!strcmp(n, "ppoll") || !strcmp(n, "pselect6") || !strcmp(n, "epoll_pwait") ||
		   !strcmp(n, "epoll_pwait2")) {
		if (!strcmp(n, "pselect6")) {
			uint64_t *ss = (uint64_t *)(REGION + 2048);
			ss[0] = gen_sigset();
			ss[1] = 8;
			a[5] = below(4) ? (uint64_t)ss : gen_ptr();
		} else {
			a[!strcmp(n, "ppoll") ? 3 : 4] = gen_sigset();
		}
	} else if (!strcmp(n, "setitimer") || !strcmp(n, "getitimer")) {
		if ((int)a[0] == ITIMER_REAL && n[0] == 's') /* the kernel reads an int */
			a[0] = ITIMER_VIRTUAL;
	} else if (!strcmp(n, "timer_create")) {
		uint32_t *ev = (uint32_t *)(REGION + 3072);
		memset(ev, 0, 64);
		ev[2] = (uint32_t)handled_sig(); /* sigev_signo */
		ev[3] = (uint32_t)below(3);      /* SIGEV_SIGNAL, NONE, THREAD */
		if (ev[3] == 2)
			ev[3] = 4; /* SIGEV_THREAD_ID */
		ev[4] = (uint32_t)syscall(SYS_gettid);
		a[1] = below(8) ? (uint64_t)ev : gen_ptr();
	} else if (!strcmp(n, "futex") || !strcmp(n, "futex_wait") || !strcmp(n, "futex_wake") ||
		   !strcmp(n, "futex_requeue")) {
		if (!strcmp(n, "futex"))
			a[1] &= 0x1ff; /* no FUTEX_WAIT_BITSET with a huge absolute clock, mostly */
	} else if (!strcmp(n, "io_uring_setup")) {
		a[0] = below(8) + 1;
	} else if (!strcmp(n, "nanosleep") || !strcmp(n, "clock_nanosleep") ||
		   !strcmp(n, "select") || !strcmp(n, "poll") || !strcmp(n, "epoll_wait")) {
		/* blocking: fine, the timer interrupts them */
	} else if (!strcmp(n, "link") || !strcmp(n, "linkat") || !strcmp(n, "rename") ||
		   !strcmp(n, "renameat") || !strcmp(n, "renameat2")) {
		/* both names already scratch names (mutating) */
	} else if (!strcmp(n, "inotify_add_watch") || !strcmp(n, "name_to_handle_at")) {
	} else if (!strcmp(n, "utime") || !strcmp(n, "utimes") || !strcmp(n, "futimesat") ||
		   !strcmp(n, "utimensat")) {
	}
	/* mutating *at calls: the directory is the scratch one or the cwd (also scratch) */
	if (!ro && d->arity >= 2 && d->sig[0] == 'f' && d->sig[1] == 's' && below(4))
		a[0] = (uint64_t)-100;
	if (!ro && d->arity >= 4 && d->sig[2] == 'f' && d->sig[3] == 's' && below(4))
		a[2] = (uint64_t)-100;
	/* f-calls that change metadata of what an fd names: only fds the child made in its
	 * scratch dir (0-2 are scratch files too) */
	if (!strcmp(n, "fchmod") || !strcmp(n, "fchown") || !strcmp(n, "fsetxattr") ||
	    !strcmp(n, "fremovexattr") || !strcmp(n, "ftruncate") || !strcmp(n, "fallocate")) {
		if (below(2))
			a[0] = (uint64_t)fds[below((uint64_t)nfds)];
		if ((int)a[0] >= 0) { /* the kernel reads an int */
			int ok = 0;
			for (int i = 0; i < nfds; i++)
				ok |= fds[i] == (int)a[0];
			if (!ok)
				return 0; /* an fd the child did not open itself */
		}
	}
	return 1;
}

/* The errnos Linux returns to userspace: 1..133 (never ERESTART* 512..530). */
static int plausible(long r)
{
	if (r >= 0 || r < -4095)
		return 1; /* a value (addresses from mmap are large positive) */
	return -r >= 1 && -r <= 133;
}

static void child_setup(const char *dir, int k)
{
	char d[64];
	snprintf(d, sizeof(d), "c%d", k);
	mkdir(d, 0755);
	if (chdir(d) < 0)
		_exit(90);
	(void)dir;
	/* nothing inherited (a harness's fds name host files); stdio: scratch files (fchmod(1)
	 * of the real /dev/null would be the host's) */
	syscall(SYS_close_range, 3, ~0u, 0);
	int s = open("stdio", O_CREAT | O_RDWR | O_TRUNC, 0644);
	dup2(s, 0);
	dup2(s, 1);
	dup2(s, 2);
	close(s);
	mkdir("dir", 0755);
	mkdir("dir/sub", 0755);
	close(open("a", O_CREAT | O_RDWR, 0644));
	symlink("dir", "lnk");
	mkfifo("fifo", 0644);
	nfds = 0;
	fds[nfds++] = 0;
	fds[nfds++] = 1;
	fds[nfds++] = 2;
	fds[nfds++] = open("a", O_RDWR);
	fds[nfds++] = open("dir", O_RDONLY | O_DIRECTORY);
	fds[nfds++] = open(".", O_PATH);
	int p[2];
	if (pipe2(p, O_NONBLOCK) == 0) {
		fds[nfds++] = p[0];
		fds[nfds++] = p[1];
	}
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0) {
		fds[nfds++] = sp[0];
		fds[nfds++] = sp[1];
	}
	fds[nfds++] = (int)syscall(SYS_eventfd2, 0, 0);
	fds[nfds++] = (int)syscall(SYS_memfd_create, "fz", 0);
	fds[nfds++] = (int)syscall(SYS_epoll_create1, 0);
	fds[nfds++] = open("/proc/self/status", O_RDONLY);
	int closed = open("a", O_RDONLY);
	close(closed);
	fds[nfds++] = closed; /* closed */
	int recycled = open("a", O_RDONLY);
	close(recycled);
	recycled = open("dir", O_RDONLY);
	fds[nfds++] = recycled; /* closed and reused for something else */
	for (int i = 0; i < nfds; i++)
		if (fds[i] < 0)
			fds[i] = 1000 + i;

	/* the region, its guard, an unmapped and a read-only page */
	if (mmap(REGION, REGION_SIZE + 3 * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != REGION)
		_exit(91);
	mprotect(GUARD, 4096, PROT_NONE);
	munmap(UNMAPPED, 4096);
	mprotect(RO_PAGE, 4096, PROT_READ);
	if (mmap(MMREGION, MM_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != MMREGION)
		_exit(91);

	struct sigaction sa = {.sa_handler = on_alarm};
	restart_phase = k & 1;
	if (restart_phase)
		sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct sigaction so = {.sa_handler = on_other, .sa_flags = SA_RESTART};
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		if (handled[i] != SIGALRM)
			sigaction(handled[i], &so, NULL);
	uint64_t ksa[4];
	if (syscall(SYS_rt_sigaction, SIGUSR1, NULL, ksa, 8) == 0)
		restorer = ksa[2];
	struct itimerval it = {{0, 1000}, {0, 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void run_child(uint64_t seed, int k, long calls, const char *dir)
{
	rng = seed * 0x100000001b3ull + (uint64_t)k * 0x9e3779b97f4a7c15ull + 1;
	child_setup(dir, k);
	for (long i = 0; i < calls; i++) {
		const struct scdef *d;
		uint64_t a[6];
		int tries = 0;
		do {
			d = &defs[below(NDEFS)];
			if (only_nr >= 0)
				d = &defs[only_nr];
		} while ((is_refused[d->nr] || !make_args(d, a)) && ++tries < 1000);
		if (tries >= 1000)
			_exit(92);
		/* refill part of the region with random bytes: random structs */
		if (below(4) == 0) {
			uint64_t *w = (uint64_t *)(REGION + 4096 * (2 + below(REGION_SIZE / 4096 - 4)));
			for (int j = 0; j < 64; j++)
				w[j] = rnd();
		}
		sh->cur_nr = d->nr;
		for (int j = 0; j < 6; j++)
			sh->cur_args[j] = a[j];
		sh->cur = i;
		long r = syscall(d->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (r == -1)
			r = -errno;
		sh->res[2 * i] = d->nr;
		sh->res[2 * i + 1] = r;
		if (!plausible(r)) {
			if (!sh->bad++) {
				sh->bad_first_call = i;
				sh->bad_first_nr = d->nr;
				sh->bad_first_ret = r;
			}
		}
		sh->done = i + 1;
		if (restart_phase && same_call_ticks >= 3) { /* back to SA_RESTART */
			struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
			sigaction(SIGALRM, &sa, NULL);
			same_call_ticks = 0;
		}
	}
	_exit(0);
}

static const char *name_of(long nr)
{
	for (int i = 0; i < NDEFS; i++)
		if (defs[i].nr == nr)
			return defs[i].name;
	return "?";
}

static int level_of(long nr)
{
	for (int i = 0; i < NDEFS; i++)
		if (defs[i].nr == nr)
			return defs[i].level;
	return NONE;
}

static void usage(void)
{
	fprintf(stderr, "usage: sysfuzz --dir SCRATCH [--seed N] [--calls M] [--chunk C] [--log] "
			"[--only NAME] [--stuck SECONDS] [--confined] [--first-child K]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL);
	long calls = 10000, chunk = 2000;
	int log = 0, stuck_s = 5, first_child = 0;
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = atol(argv[++i]);
		else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
			chunk = atol(argv[++i]);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--stuck") && i + 1 < argc)
			stuck_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			int nr = nr_of(argv[++i]);
			for (int j = 0; j < NDEFS; j++)
				if (defs[j].nr == nr)
					only_nr = j;
			if (only_nr < 0) {
				fprintf(stderr, "sysfuzz: no syscall named %s\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--log"))
			log = 1;
		else if (!strcmp(argv[i], "--confined"))
			confined = 1;
		else if (!strcmp(argv[i], "--first-child") && i + 1 < argc)
			first_child = atoi(argv[++i]);
		else
			usage();
	}
	if (!dir || chunk <= 0 || calls <= 0)
		usage();
	if (confined && access("/.sysfuzz-root", F_OK) != 0) {
		/* its paths climb out of the scratch directory: only inside a root made for it */
		fprintf(stderr, "sysfuzz: --confined runs only under `lxrun --root DIR` with "
				"DIR/.sysfuzz-root (here: %s)\n", strerror(errno));
		return 2;
	}
	if (chdir(dir) < 0) {
		fprintf(stderr, "sysfuzz: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int nr = nr_of(refused[i]);
		if (nr >= 0 && nr < 512)
			is_refused[nr] = 1;
	}
	printf("sysfuzz: seed %llu, %ld calls in children of %ld\n", (unsigned long long)seed,
	       calls, chunk);
	fflush(stdout);
	size_t shsize = sizeof(struct shared) + 2 * (size_t)chunk * sizeof(long);
	sh = mmap(NULL, shsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	long total = 0, bad = 0, killed = 0, stuck = 0;
	int nchildren = (int)((calls + chunk - 1) / chunk);
	for (int k = first_child; k < first_child + nchildren; k++) {
		long n = calls - (long)(k - first_child) * chunk < chunk
				 ? calls - (long)(k - first_child) * chunk
				 : chunk;
		memset(sh, 0, shsize);
		sh->cur = -1;
		pid_t pid = fork();
		if (pid < 0) {
			perror("sysfuzz: fork");
			return 2;
		}
		if (pid == 0)
			run_child(seed, k, n, dir);
		/* watch it: no progress for stuck_s seconds is a stuck call */
		int st = 0;
		long last = -1;
		int still = 0;
		for (;;) {
			pid_t w = waitpid(pid, &st, WNOHANG);
			if (w == pid)
				break;
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
			if (sh->done != last) {
				last = sh->done;
				still = 0;
			} else if (++still > stuck_s * 100) {
				printf("child %d: stuck at call %ld (%s)\n", k, sh->cur,
				       name_of(sh->cur_nr));
				stuck++;
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				break;
			}
		}
		if (log)
			for (long i = 0; i < sh->done; i++) {
				long r = sh->res[2 * i + 1];
				const char *e = r < 0 && r >= -4095 ? strerrorname_np((int)-r) : NULL;
				printf("%d %ld %s %c %s\n", k, i, name_of(sh->res[2 * i]),
				       "NSPF"[level_of(sh->res[2 * i])],
				       r >= 0 || r < -4095 ? "ok" : e ? e : "E?");
			}
		if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL) {
			killed++;
			printf("child %d: killed by signal %d at call %ld (%s %#lx %#lx %#lx %#lx %#lx "
			       "%#lx)\n", k, WTERMSIG(st), sh->cur, name_of(sh->cur_nr),
			       (unsigned long)sh->cur_args[0], (unsigned long)sh->cur_args[1],
			       (unsigned long)sh->cur_args[2], (unsigned long)sh->cur_args[3],
			       (unsigned long)sh->cur_args[4], (unsigned long)sh->cur_args[5]);
		} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
			printf("child %d: exit %d at call %ld (%s)\n", k, WEXITSTATUS(st), sh->cur,
			       name_of(sh->cur_nr));
		}
		if (sh->bad) {
			printf("child %d: %ld impossible results, first at call %ld: %s = %ld\n", k,
			       (long)sh->bad, (long)sh->bad_first_call, name_of(sh->bad_first_nr),
			       (long)sh->bad_first_ret);
		}
		bad += sh->bad;
		total += sh->done;
		fflush(stdout);
	}
	printf("sysfuzz: %ld calls made, %ld impossible results, %ld children killed by a "
	       "signal, %ld stuck\n", total, bad, killed, stuck);
	return bad ? 1 : 0;
}
