/* SPDX-License-Identifier: MIT */
/*
 * Namespaces in the host-admin model (docs/design.md). A guest process is one host process,
 * lxrun's, so a namespace the guest makes or enters is made or entered by the host for that
 * process: unshare and setns are the host's calls, and a clone with CLONE_NEW* flags is a host
 * clone3 with them, so that the child runs in its namespaces from its first instruction (a
 * CLONE_NEWPID child is pid 1 there; getpid, getppid and the parent's wait are the host's).
 * What lxrun serves itself follows: SysV IPC and POSIX message queues are the host's calls, so
 * CLONE_NEWIPC holds for them; sockets are host sockets (CLONE_NEWNET); uname and the host
 * names are the host's (CLONE_NEWUTS); clocks, timers and the vDSO are the host's, so a time
 * namespace's offsets apply to the children as on Linux (CLONE_NEWTIME); mounts are host
 * mounts (CLONE_NEWNS), while lxrun's own /proc, /dev and --tmpfs stay lxrun's in every mount
 * namespace. The guest's threads are host threads, so the host's rules on them are Linux's
 * (CLONE_NEWUSER or CLONE_NEWNS in a multi-threaded process: EINVAL).
 * In the container model every new namespace is EPERM (sys_admin.c, sys_process.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/syscall.h"
#include "translator/sys/ns.h"
#include "translator/sys/sys.h"
#include "translator/vfs/vfs.h"

long lx_ns_unshare(struct lx_syscall *sc, uint64_t ns)
{
	(void)sc;
	/* only the namespace flags reach the host: lxrun's own threads share its host fd table
	 * and files whatever the guest unshares (CLONE_FILES, CLONE_FS: sys_admin.c) */
	return lx_host(unshare((int)ns));
}

pid_t lx_ns_fork(int exit_signal, uint64_t ns, uint64_t set_tid, uint64_t set_tid_size)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
		uint64_t set_tid, set_tid_size;
	} a;
	memset(&a, 0, sizeof(a));
	a.flags = ns;
	a.exit_signal = (uint64_t)exit_signal;
	a.set_tid = set_tid; /* the guest's array, at the same host address */
	a.set_tid_size = set_tid_size;
	return (pid_t)syscall(SYS_clone3, &a, sizeof(a));
}

long lx_ns_setns(struct lx_syscall *sc)
{
	struct lx_file *f = sys_file((long)(int)sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return -LINUX_EINVAL; /* neither a namespace file nor a pidfd */
	int nstype = (int)sc->a[1];
	long r = lx_host(syscall(SYS_setns, f->host_fd, nstype));
	/* entering a mount namespace moves root and cwd to its root */
	if (r == 0 && (nstype == 0 || (nstype & CLONE_NEWNS)))
		vfs_host_root_changed();
	return r;
}

/* A guest path for pivot_root as the host's path, or -errno: what lxrun serves itself (its
 * /proc, /dev, a --tmpfs) is no host mount. */
static long pivot_path(uint64_t upath, struct lx_path *p, char *buf, size_t size,
		       const char **host)
{
	long r = sys_resolve_user(LINUX_AT_FDCWD, upath, VFS_FOLLOW, p);
	if (r < 0)
		return r;
	if (p->mnt->ops) {
		vfs_path_put(p);
		return -LINUX_EINVAL;
	}
	*host = sys_host_abs(p, buf, size);
	return 0;
}

/*
 * lxrun reads the host's /proc for itself (its fds' paths, /proc/self/exe for an execve, the
 * host's half of the guest's /proc), through the process's root. A new root without a proc
 * mount would take that away, though the guest never sees it (its /proc is lxrun's): the
 * old root's proc is attached at the new root's /proc directory, when there is one and
 * nothing is mounted there (a new root without a /proc directory is left as it is).
 */
static void host_proc_again(int procfd)
{
	if (procfd < 0 || access("/proc/self/fd", F_OK) == 0)
		return;
	int t = (int)syscall(SYS_open_tree, procfd, "",
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (t < 0)
		return;
	syscall(SYS_move_mount, t, "", AT_FDCWD, "/proc", MOVE_MOUNT_F_EMPTY_PATH);
	close(t);
}

/* The mount id of a host path (dirfd, name), or 0. */
static uint64_t mnt_id(int dirfd, const char *name, int flags)
{
	struct statx x;
	if (statx(dirfd, name, flags, STATX_MNT_ID, &x) < 0 || !(x.stx_mask & STATX_MNT_ID))
		return 0;
	return x.stx_mnt_id;
}

/*
 * After the guest's own chroot (lxrun's VFS: the host process's root stays), Linux's first
 * check on the paths: new_root or put_old on the root's own mount is EBUSY. Only for a caller
 * with CAP_SYS_ADMIN: the host's EPERM comes before it.
 */
static int busy_in_chroot(const char *hn, const char *ho)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (!vfs_confined() || syscall(SYS_capget, &h, d) < 0 ||
	    !(d[0].effective & (1u << CAP_SYS_ADMIN)))
		return 0;
	uint64_t root = mnt_id(vfs_root_fd(), "", AT_EMPTY_PATH);
	return root && (mnt_id(AT_FDCWD, hn, 0) == root || mnt_id(AT_FDCWD, ho, 0) == root);
}

long lx_ns_pivot_root(struct lx_syscall *sc)
{
	struct lx_path pn, po;
	char bn[LX_PATH_MAX + 32], bo[LX_PATH_MAX + 32];
	const char *hn, *ho;
	long r = pivot_path(sc->a[0], &pn, bn, sizeof(bn), &hn);
	if (r < 0)
		return r;
	r = pivot_path(sc->a[1], &po, bo, sizeof(bo), &ho);
	if (r < 0) {
		vfs_path_put(&pn);
		return r;
	}
	if (busy_in_chroot(hn, ho)) {
		vfs_path_put(&po);
		vfs_path_put(&pn);
		return -LINUX_EBUSY;
	}
	int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = lx_host(syscall(SYS_pivot_root, hn, ho));
	vfs_path_put(&po);
	vfs_path_put(&pn);
	/* the host moved the root, and a cwd that was at the old root, to the new root */
	if (r == 0) {
		host_proc_again(procfd);
		vfs_host_root_changed();
	}
	if (procfd >= 0)
		close(procfd);
	return r;
}
