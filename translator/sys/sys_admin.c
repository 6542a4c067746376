/* SPDX-License-Identifier: MIT */
/*
 * Calls that administer the machine, answered as a container answers them: translate mode's
 * guest is confined like a chroot plus a mount namespace, without CAP_SYS_ADMIN, CAP_SYS_TIME,
 * CAP_SYS_BOOT, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYSLOG, CAP_SYS_PACCT or
 * CAP_SYS_TTY_CONFIG, whatever its uid. Each checks its arguments in the order Linux does and
 * then says EPERM where Linux's capability check would. Read-only forms (adjtimex with no
 * modes, syslog's open and close, iopl(0), ioperm off) succeed as they do for anyone.
 * Beside them, a few calls that are plain pass-throughs or small rewrites of others: the old
 * time setters (utime, utimes, futimesat), restart_syscall, the NUMA and I/O priority calls,
 * process_vm_readv/writev, unshare's no-op flags and POSIX message queues.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_sched.h"
#include "abi/linux_stat.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/mm.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/hostadmin.h"
#include "translator/sys/ns.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/trace.h"

/* ---- the machine's administration: EPERM after Linux's own argument checks ---- */

LX_SYSCALL(vhangup)
{
	if (lx_host_admin) /* the controlling terminal is this process's, the guest's */
		return lx_host(syscall(SYS_vhangup));
	return -LINUX_EPERM; /* CAP_SYS_TTY_CONFIG */
}

LX_SYSCALL(pivot_root)
{
	if (lx_host_admin)
		return lx_ns_pivot_root(sc);
	return -LINUX_EPERM; /* may_mount(): CAP_SYS_ADMIN over the mount namespace */
}

LX_SYSCALL(mount)
{
	/* the strings are copied before the capability check: a bad pointer is EFAULT */
	char buf[LX_PATH_MAX];
	if (sc->a[2] && guest_strncpy_in(buf, sc->a[2], sizeof(buf)) == -LINUX_EFAULT)
		return -LINUX_EFAULT;
	if (lx_host_admin)
		return lx_hostadmin_mount(sc, sc->a[2] ? buf : NULL);
	if (sc->a[0] && guest_strncpy_in(buf, sc->a[0], sizeof(buf)) == -LINUX_EFAULT)
		return -LINUX_EFAULT;
	long r = sys_path_in(buf, sc->a[1]);
	if (r < 0)
		return r;
	return -LINUX_EPERM;
}

LX_SYSCALL(umount2)
{
	/* MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW */
	if (sc->a[1] & ~(uint64_t)(1 | 2 | 4 | 8))
		return -LINUX_EINVAL;
	if (lx_host_admin)
		return lx_hostadmin_umount2(sc);
	return -LINUX_EPERM;
}

LX_SYSCALL(swapon)
{
	/* SWAP_FLAG_PREFER | SWAP_FLAG_PRIO_MASK | SWAP_FLAG_DISCARD(_ONCE|_PAGES) */
	if (sc->a[1] & ~(uint64_t)(0x8000 | 0x7fff | 0x10000 | 0x20000 | 0x40000))
		return -LINUX_EINVAL;
	return -LINUX_EPERM;
}

LX_SYSCALL(swapoff)
{
	return -LINUX_EPERM;
}

LX_SYSCALL(reboot)
{
	return -LINUX_EPERM; /* CAP_SYS_BOOT is checked before the magic numbers */
}

LX_SYSCALL(sethostname)
{
	if (lx_host_admin) /* the host's UTS names, as /proc/sys/kernel/hostname */
		return lx_host(syscall(SYS_sethostname, sc->a[0], sc->a[1]));
	return -LINUX_EPERM; /* CAP_SYS_ADMIN over the UTS namespace, checked before len */
}

LX_SYSCALL(setdomainname)
{
	if (lx_host_admin) /* the host's UTS names, as /proc/sys/kernel/hostname */
		return lx_host(syscall(SYS_setdomainname, sc->a[0], sc->a[1]));
	return -LINUX_EPERM;
}

LX_SYSCALL(iopl)
{
	unsigned level = (unsigned)sc->a[0];
	if (level > 3)
		return -LINUX_EINVAL;
	return level ? -LINUX_EPERM : 0; /* raising it needs CAP_SYS_RAWIO */
}

LX_SYSCALL(ioperm)
{
	uint64_t from = sc->a[0], num = sc->a[1];
	if (from + num <= from || from + num > 65536)
		return -LINUX_EINVAL;
	return sc->a[2] ? -LINUX_EPERM : 0;
}

LX_SYSCALL(init_module)
{
	return -LINUX_EPERM; /* CAP_SYS_MODULE */
}

LX_SYSCALL(finit_module)
{
	return -LINUX_EPERM;
}

LX_SYSCALL(delete_module)
{
	return -LINUX_EPERM;
}

LX_SYSCALL(kexec_load)
{
	return -LINUX_EPERM; /* CAP_SYS_BOOT */
}

LX_SYSCALL(acct)
{
	if (lx_host_admin)
		return lx_hostadmin_acct(sc);
	return -LINUX_EPERM; /* CAP_SYS_PACCT */
}

LX_SYSCALL(setns)
{
	if (lx_host_admin)
		return lx_ns_setns(sc);
	if (!sys_file((long)(int)sc->a[0]))
		return -LINUX_EBADF;
	return -LINUX_EPERM; /* CAP_SYS_ADMIN over the target namespace */
}

LX_SYSCALL(syslog)
{
	int type = (int)sc->a[0];
	if (type < 0 || type > 10)
		return -LINUX_EINVAL;
	if (type == 0 || type == 1) /* SYSLOG_ACTION_CLOSE, _OPEN: nothing to do */
		return 0;
	if (lx_host_admin) /* the host's kernel log, as for a native root program */
		return lx_host(syscall(SYS_syslog, type, sc->a[1], sc->a[2]));
	return -LINUX_EPERM; /* CAP_SYSLOG (dmesg_restrict) */
}

/* ---- the clock: reading is anyone's, setting needs CAP_SYS_TIME ----
 * In the host-admin model the host sets it (root's CAP_SYS_TIME; a guest that dropped root
 * gets the host's EPERM); in the container model it is EPERM after the argument checks. */

static int clock_settable(long id)
{
	return id == CLOCK_REALTIME;
}

static int clock_known(long id)
{
	return id >= 0 && id <= CLOCK_TAI && id != 10 /* unused */;
}
/* CPU-time clocks (negative ids) and fd clocks are not served here: EINVAL as unknown. */

LX_SYSCALL(settimeofday)
{
	struct linux_timespec tv; /* struct timeval: seconds, microseconds */
	int tz[2];
	if (sc->a[0] && guest_copy_in(&tv, sc->a[0], sizeof(tv)) < 0)
		return -LINUX_EFAULT;
	if (sc->a[1] && guest_copy_in(tz, sc->a[1], sizeof(tz)) < 0)
		return -LINUX_EFAULT;
	if (sc->a[0] && (tv.tv_sec < 0 || tv.tv_nsec < 0 || tv.tv_nsec >= 1000000))
		return -LINUX_EINVAL;
	if (lx_host_admin) /* the host's clock, as for a native root program (as adjtimex) */
		return lx_host(syscall(SYS_settimeofday, (void *)(uintptr_t)sc->a[0],
				       (void *)(uintptr_t)sc->a[1]));
	return -LINUX_EPERM; /* before the time zone's own check, as in Linux */
}

LX_SYSCALL(clock_settime)
{
	long id = (long)(int)sc->a[0];
	struct linux_timespec ts;
	if (!clock_known(id) || !clock_settable(id))
		return -LINUX_EINVAL;
	if (guest_copy_in(&ts, sc->a[1], sizeof(ts)) < 0)
		return -LINUX_EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -LINUX_EINVAL;
	if (lx_host_admin) /* the host's clock, as for a native root program (as adjtimex) */
		return lx_host(syscall(SYS_clock_settime, id, &ts));
	return -LINUX_EPERM;
}

#define ADJ_OFFSET_SINGLESHOT_ 0x0001
#define ADJ_OFFSET_READONLY_ 0x2000
#define ADJ_ADJTIME_ 0x8000

/* Read-only forms pass through to the host's clock; any change is EPERM (the host-admin model:
 * every form is the host's). */
#define TIMEX_SIZE 208 /* struct timex, copied whole by Linux before anything is checked */

static long adjtime_common(long id, uint64_t utx)
{
	unsigned modes;
	char whole[TIMEX_SIZE];
	if (lx_host_admin) /* the host's clock, as for a native root program (sys_fsadmin.c) */
		return lx_host(syscall(SYS_clock_adjtime, id, (void *)(uintptr_t)utx));
	if (guest_copy_in(whole, utx, sizeof(whole)) < 0)
		return -LINUX_EFAULT;
	memcpy(&modes, whole, sizeof(modes));
	if (modes & ADJ_ADJTIME_) {
		if (!(modes & ADJ_OFFSET_SINGLESHOT_))
			return -LINUX_EINVAL;
		if (!(modes & ADJ_OFFSET_READONLY_))
			return -LINUX_EPERM;
	} else if (modes) {
		return -LINUX_EPERM;
	}
	return lx_host(syscall(SYS_clock_adjtime, id, (void *)(uintptr_t)utx));
}

LX_SYSCALL(adjtimex)
{
	return adjtime_common(CLOCK_REALTIME, sc->a[0]);
}

LX_SYSCALL(clock_adjtime)
{
	long id = (long)(int)sc->a[0];
	if (lx_host_admin) /* every clock the host's kernel knows, as it knows them */
		return lx_host(syscall(SYS_clock_adjtime, id, (void *)(uintptr_t)sc->a[1]));
	if (!clock_known(id))
		return -LINUX_EINVAL;
	if (id != CLOCK_REALTIME) {
		char whole[TIMEX_SIZE];
		if (guest_copy_in(whole, sc->a[1], sizeof(whole)) < 0)
			return -LINUX_EFAULT;
		return -LINUX_EOPNOTSUPP; /* clocks without an adjtime of their own */
	}
	return adjtime_common(id, sc->a[1]);
}

/* ---- old time setters, as utimensat ---- */

/* utimensat(dirfd, path, times in a host buffer, flags) through its own handler */
static long utimens_with(struct lx_syscall *sc, long dirfd, uint64_t upath,
			 const struct linux_timespec *ts, uint64_t flags)
{
	struct lx_syscall u = *sc;
	u.a[0] = (uint64_t)dirfd;
	u.a[1] = upath;
	u.a[2] = (uint64_t)(uintptr_t)ts;
	u.a[3] = flags;
	return sys_utimensat(&u);
}

/* struct timeval[2] at utv, or NULL (now) */
static long timevals_in(uint64_t utv, struct linux_timespec ts[2], const struct linux_timespec **out)
{
	*out = NULL;
	if (!utv)
		return 0;
	if (guest_copy_in(ts, utv, 2 * sizeof(*ts)) < 0)
		return -LINUX_EFAULT;
	for (int i = 0; i < 2; i++) {
		if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000)
			return -LINUX_EINVAL;
		ts[i].tv_nsec *= 1000;
	}
	*out = ts;
	return 0;
}

LX_SYSCALL(utimes)
{
	struct linux_timespec ts[2];
	const struct linux_timespec *t;
	long r = timevals_in(sc->a[1], ts, &t);
	return r < 0 ? r : utimens_with(sc, LINUX_AT_FDCWD, sc->a[0], t, 0);
}

LX_SYSCALL(futimesat)
{
	struct linux_timespec ts[2];
	const struct linux_timespec *t;
	long r = timevals_in(sc->a[2], ts, &t);
	return r < 0 ? r : utimens_with(sc, (long)(int)sc->a[0], sc->a[1], t, 0);
}

LX_SYSCALL(utime)
{
	int64_t tb[2]; /* struct utimbuf: actime, modtime */
	struct linux_timespec ts[2];
	if (!sc->a[1])
		return utimens_with(sc, LINUX_AT_FDCWD, sc->a[0], NULL, 0);
	if (guest_copy_in(tb, sc->a[1], sizeof(tb)) < 0)
		return -LINUX_EFAULT;
	ts[0] = (struct linux_timespec){tb[0], 0};
	ts[1] = (struct linux_timespec){tb[1], 0};
	return utimens_with(sc, LINUX_AT_FDCWD, sc->a[0], ts, 0);
}

/* ---- small pass-throughs ---- */

LX_SYSCALL(restart_syscall)
{
	return -LINUX_EINTR; /* no restart block is ever left for the guest to resume */
}

/* pids are the host's (lxrun's processes are host processes), memory is the guest's own */
LX_SYSCALL(ioprio_get)
{
	return lx_host(syscall(SYS_ioprio_get, (int)sc->a[0], (int)sc->a[1]));
}

LX_SYSCALL(ioprio_set)
{
	return lx_host(syscall(SYS_ioprio_set, (int)sc->a[0], (int)sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(get_mempolicy)
{
	return lx_host(syscall(SYS_get_mempolicy, sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4]));
}

LX_SYSCALL(set_mempolicy)
{
	return lx_host(syscall(SYS_set_mempolicy, sc->a[0], sc->a[1], sc->a[2]));
}

/* The policy key of the range at addr after an mbind: its mode and nodes as the kernel keeps
 * them (get_mempolicy with MPOL_F_ADDR), hashed (FNV-1a); 0 for MPOL_DEFAULT. */
static uint64_t policy_key(uint64_t addr)
{
	unsigned long nodes[16] = {0};
	int mode = 0;
	if (syscall(SYS_get_mempolicy, &mode, nodes, sizeof(nodes) * 8, addr, 2 /* MPOL_F_ADDR */) < 0 ||
	    mode == 0)
		return 0;
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *p = (const unsigned char *)&mode;
	for (size_t k = 0; k < sizeof(mode); k++)
		h = (h ^ p[k]) * 0x100000001b3ull;
	p = (const unsigned char *)nodes;
	for (size_t k = 0; k < sizeof(nodes); k++)
		h = (h ^ p[k]) * 0x100000001b3ull;
	return h ? h : 1;
}

LX_SYSCALL(mbind)
{
	long r = lx_host(syscall(SYS_mbind, sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4], sc->a[5]));
	/* the host split or merged its mappings by policy; /proc/self/maps must show the same */
	if (r == 0 && sc->a[1])
		mm_set_policy(sc->a[0], sc->a[1], policy_key(sc->a[0]));
	return r;
}

LX_SYSCALL(process_vm_readv)
{
	/* the remote process's guest memory is at the addresses its guest sees */
	return lx_host(syscall(SYS_process_vm_readv, (pid_t)sc->a[0], sc->a[1], sc->a[2], sc->a[3],
			       sc->a[4], sc->a[5]));
}

LX_SYSCALL(process_vm_writev)
{
	return lx_host(syscall(SYS_process_vm_writev, (pid_t)sc->a[0], sc->a[1], sc->a[2], sc->a[3],
			       sc->a[4], sc->a[5]));
}

LX_SYSCALL(unshare)
{
	uint64_t flags = sc->a[0];
	const uint64_t known = LINUX_CLONE_THREAD | LINUX_CLONE_FS | LINUX_CLONE_NEWNS |
			       LINUX_CLONE_SIGHAND | LINUX_CLONE_VM | LINUX_CLONE_FILES |
			       LINUX_CLONE_SYSVSEM | LINUX_CLONE_NEWUTS | LINUX_CLONE_NEWIPC |
			       LINUX_CLONE_NEWNET | LINUX_CLONE_NEWUSER | LINUX_CLONE_NEWPID |
			       LINUX_CLONE_NEWCGROUP | LINUX_CLONE_NEWTIME;
	if (flags & ~known)
		return -LINUX_EINVAL;
	/* sharing a thread group, signal handlers or memory cannot be undone: EINVAL when other
	 * threads share them, as Linux (CLONE_NEWUSER implies CLONE_THREAD and CLONE_FS, NEWNS
	 * implies FS: the host's unshare checks those against lxrun's threads, the guest's) */
	if ((flags & (LINUX_CLONE_THREAD | LINUX_CLONE_SIGHAND | LINUX_CLONE_VM)) &&
	    lx_nthreads > 1)
		return -LINUX_EINVAL;
	if (flags & LX_NS_FLAGS) {
		if (lx_host_admin) /* made by the host for this process (sys_ns.c) */
			return lx_ns_unshare(sc, flags & LX_NS_FLAGS);
		lx_report_unsupported(sc, "new namespaces (a container's CAP_SYS_ADMIN is missing)",
				      -LINUX_EPERM);
		return -LINUX_EPERM;
	}
	/* CLONE_FILES, CLONE_FS, CLONE_SYSVSEM: the fd table, cwd/root/umask and semaphore undo
	 * lists are the process's own already (lxrun keeps them per process) */
	return 0;
}

/* ---- POSIX message queues: the host's, in its IPC namespace ---- */

static int host_fd_of(long fd)
{
	struct lx_file *f = sys_file(fd);
	return f && f->host_fd >= 0 ? f->host_fd : -1;
}

LX_SYSCALL(mq_open)
{
	char name[256];
	long r = guest_strncpy_in(name, sc->a[0], sizeof(name));
	if (r < 0)
		return r == -LINUX_ENAMETOOLONG ? -LINUX_ENAMETOOLONG : r;
	unsigned flags = (unsigned)sc->a[1];
	long h = syscall(SYS_mq_open, name, (int)(flags | O_CLOEXEC), (mode_t)sc->a[2],
			 (void *)(uintptr_t)sc->a[3]);
	if (h < 0)
		return lx_errno(errno);
	return sys_install_host_fd((int)h, flags | LINUX_O_CLOEXEC); /* always, as Linux's */
}

LX_SYSCALL(mq_unlink)
{
	char name[256];
	long r = guest_strncpy_in(name, sc->a[0], sizeof(name));
	if (r < 0)
		return r;
	return lx_host(syscall(SYS_mq_unlink, name));
}

LX_SYSCALL(mq_timedsend)
{
	int h = host_fd_of((long)(int)sc->a[0]);
	if (h < 0)
		return -LINUX_EBADF;
	return lx_safe(SYS_mq_timedsend, h, sc->a[1], sc->a[2], sc->a[3], sc->a[4]);
}

LX_SYSCALL(mq_timedreceive)
{
	int h = host_fd_of((long)(int)sc->a[0]);
	if (h < 0)
		return -LINUX_EBADF;
	return lx_safe(SYS_mq_timedreceive, h, sc->a[1], sc->a[2], sc->a[3], sc->a[4]);
}

LX_SYSCALL(mq_notify)
{
	int h = host_fd_of((long)(int)sc->a[0]);
	if (h < 0)
		return -LINUX_EBADF;
	/* SIGEV_SIGNAL reaches lxrun's process and so the guest; SIGEV_THREAD is glibc's, over a
	 * netlink socket whose fd is a guest fd */
	struct sigevent ev;
	if (sc->a[1]) {
		if (guest_copy_in(&ev, sc->a[1], sizeof(ev)) < 0)
			return -LINUX_EFAULT;
		if (ev.sigev_notify == SIGEV_THREAD) {
			int nh = host_fd_of(ev.sigev_signo);
			if (nh < 0)
				return -LINUX_EBADF;
			ev.sigev_signo = nh;
		}
	}
	return lx_host(syscall(SYS_mq_notify, h, sc->a[1] ? &ev : NULL));
}

LX_SYSCALL(mq_getsetattr)
{
	int h = host_fd_of((long)(int)sc->a[0]);
	if (h < 0)
		return -LINUX_EBADF;
	return lx_host(syscall(SYS_mq_getsetattr, h, sc->a[1], sc->a[2]));
}

/* ---- more a container refuses (Docker's default profile, or a missing capability) ---- */

LX_SYSCALL(quotactl)
{
	return -LINUX_EPERM; /* CAP_SYS_ADMIN; Docker's profile refuses it outright */
}

LX_SYSCALL(add_key)
{
	if (lx_host_admin)
		return lx_hostadmin_keys(sc, SYS_add_key);
	return -LINUX_EPERM; /* the kernel keyring is the host's: Docker's profile refuses it */
}

LX_SYSCALL(request_key)
{
	if (lx_host_admin)
		return lx_hostadmin_keys(sc, SYS_request_key);
	return -LINUX_EPERM;
}

LX_SYSCALL(keyctl)
{
	if (lx_host_admin)
		return lx_hostadmin_keys(sc, SYS_keyctl);
	return -LINUX_EPERM;
}

LX_SYSCALL(bpf)
{
	return -LINUX_EPERM; /* CAP_BPF / CAP_SYS_ADMIN; Docker's profile refuses it */
}

/* ---- more pass-throughs: guest memory is ours, pids are the host's, pidfds are host fds ---- */

LX_SYSCALL(migrate_pages)
{
	return lx_host(syscall(SYS_migrate_pages, (pid_t)sc->a[0], sc->a[1], sc->a[2], sc->a[3]));
}

LX_SYSCALL(move_pages)
{
	return lx_host(syscall(SYS_move_pages, (pid_t)sc->a[0], sc->a[1], sc->a[2], sc->a[3],
			       sc->a[4], (int)sc->a[5]));
}

LX_SYSCALL(set_mempolicy_home_node)
{
	return lx_host(syscall(SYS_set_mempolicy_home_node, sc->a[0], sc->a[1], sc->a[2], sc->a[3]));
}

/* The futex calls on guest words: the host's, waiting interruptibly (lx_safe). */
LX_SYSCALL(futex_waitv)
{
	return lx_safe(SYS_futex_waitv, sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4]);
}

LX_SYSCALL(futex_wake)
{
	return lx_host(syscall(454 /* futex_wake */, sc->a[0], sc->a[1], sc->a[2], sc->a[3]));
}

LX_SYSCALL(futex_wait)
{
	return lx_safe(455 /* futex_wait */, sc->a[0], sc->a[1], sc->a[2], sc->a[3], sc->a[4],
		       sc->a[5]);
}

LX_SYSCALL(futex_requeue)
{
	return lx_host(syscall(456 /* futex_requeue */, sc->a[0], sc->a[1], sc->a[2], sc->a[3]));
}

LX_SYSCALL(process_madvise)
{
	int h = host_fd_of((long)(int)sc->a[0]);
	if (h < 0)
		return -LINUX_EBADF;
	return lx_host(syscall(SYS_process_madvise, h, sc->a[1], sc->a[2], (int)sc->a[3],
			       (unsigned)sc->a[4]));
}

LX_SYSCALL(process_mrelease)
{
	int h = host_fd_of((long)(int)sc->a[0]);
	if (h < 0)
		return -LINUX_EBADF;
	return lx_host(syscall(SYS_process_mrelease, h, (unsigned)sc->a[1]));
}

LX_SYSCALL(cachestat)
{
	int h = host_fd_of((long)(int)sc->a[0]);
	if (h < 0)
		return -LINUX_EBADF;
	return lx_host(syscall(451 /* cachestat */, h, sc->a[1], sc->a[2], (unsigned)sc->a[3]));
}

/* KCMP_FILE names fds: the calling process's are translated; another lxrun process's guest
 * fds are not known here, so its index is taken as a host fd number. */
LX_SYSCALL(kcmp)
{
	pid_t p1 = (pid_t)sc->a[0], p2 = (pid_t)sc->a[1], me = getpid();
	uint64_t i1 = sc->a[3], i2 = sc->a[4];
	if ((int)sc->a[2] == 0 /* KCMP_FILE */) {
		if (p1 == me && (int)(i1 = (uint64_t)host_fd_of((long)(int)i1)) < 0)
			return -LINUX_EBADF;
		if (p2 == me && (int)(i2 = (uint64_t)host_fd_of((long)(int)i2)) < 0)
			return -LINUX_EBADF;
	}
	return lx_host(syscall(SYS_kcmp, p1, p2, (int)sc->a[2], i1, i2));
}

/* ---- queries of the host's filesystems and security modules (guest memory is ours) ---- */

/* sysfs: the filesystem types the kernel knows, by name or index; ustat: a mounted device's
 * free space, by the host device numbers that stat reports */
LX_SYSCALL(sysfs)
{
	return lx_host(syscall(SYS_sysfs, (int)sc->a[0], sc->a[1], sc->a[2]));
}

LX_SYSCALL(ustat)
{
	return lx_host(syscall(SYS_ustat, (unsigned)sc->a[0], sc->a[1]));
}

/* the LSMs of the kernel and this process's own attributes: the host process's */
LX_SYSCALL(lsm_list_modules)
{
	return lx_host(syscall(461 /* lsm_list_modules */, sc->a[0], sc->a[1], (uint32_t)sc->a[2]));
}

LX_SYSCALL(lsm_get_self_attr)
{
	return lx_host(syscall(459 /* lsm_get_self_attr */, (unsigned)sc->a[0], sc->a[1], sc->a[2],
			       (uint32_t)sc->a[3]));
}
