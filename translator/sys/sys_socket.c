/* SPDX-License-Identifier: MIT */
/* Sockets are host sockets: lxrun translates fd numbers, including those passed in
 * SCM_RIGHTS messages; options go to the host kernel unchanged (it checks them). Addresses
 * too, except a unix socket's path under --root: it is a guest path, resolved inside the root
 * by the VFS as open's are (see unix_addr_in). */
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/vfs/vfs.h"

#define SOCK_FLAGS (LINUX_O_NONBLOCK | LINUX_O_CLOEXEC)

static long install(int hfd, unsigned flags)
{
	return sys_install_host_fd(hfd, flags);
}

static int sock_fd(long fd)
{
	struct lx_file *f = sys_file(fd);
	if (!f)
		return -LINUX_EBADF;
	return f->host_fd >= 0 ? f->host_fd : -LINUX_ENOTSOCK;
}

/*
 * Unix socket paths under --root. The guest's address is copied in (the host never reads it
 * from guest memory, which another thread could change after the check) and its path resolved
 * inside the root: for bind the parent directory (the socket is created there, a symlink as
 * the last name gives EADDRINUSE as in Linux), for connect and sendto the socket itself
 * (following symlinks inside the root). The host then gets /proc/self/fd/N[/NAME] of the
 * O_PATH fd the VFS opened, so a rename racing with the call cannot move it outside. A
 * /proc/self/fd/N/NAME that does not fit in sun_path is bound from a short-lived clone of
 * this process that shares its memory and fds but not its cwd: fchdir(N), bind(NAME).
 */
struct host_addr {
	struct sockaddr_storage a; /* what the host gets */
	socklen_t len;
	int in_dir;                /* bind NAME relative to path.hdir (from a clone) */
	char guest_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1]; /* as the guest gave it */
	struct lx_path path;
	int resolved;
};

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

/* entry.S, in the SUD-allowed range: the kernel's result (-errno), errno untouched. */
long lx_raw_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* 0: pass the guest's pointer as it is (no --root); 1: h holds the host address; -errno. */
static long unix_addr_in(uint64_t uaddr, uint64_t ulen, int bind, struct host_addr *h)
{
	h->resolved = 0;
	h->in_dir = 0;
	if (!vfs_confined() || !uaddr)
		return 0;
	if (ulen > sizeof(h->a))
		return -LINUX_EINVAL;
	memset(&h->a, 0, sizeof(h->a));
	h->len = (socklen_t)ulen;
	if (guest_copy_in(&h->a, uaddr, ulen) < 0)
		return -LINUX_EFAULT;
	struct sockaddr_un *sun = (struct sockaddr_un *)&h->a;
	if (ulen <= SUN_OFF || sun->sun_family != AF_UNIX || ulen > sizeof(*sun) ||
	    !sun->sun_path[0])
		return 1; /* not a path (abstract, autobind, another family): the host checks it */
	char *path = h->guest_path;
	size_t n = strnlen(sun->sun_path, ulen - SUN_OFF);
	memcpy(path, sun->sun_path, n);
	path[n] = 0;
	long r = vfs_resolve(LINUX_AT_FDCWD, path, bind ? VFS_PARENT : VFS_FOLLOW, &h->path);
	if (r < 0)
		return r;
	h->resolved = 1;
	if (h->path.mnt->ops) {
		/* lxrun's own /proc and /dev hold no sockets and cannot take one */
		struct linux_stat st;
		if (bind)
			return -LINUX_EACCES;
		r = h->path.mnt->ops->stat(h->path.mnt, h->path.rel, &st);
		return r < 0 ? r : -LINUX_ECONNREFUSED;
	}
	int k;
	if (h->path.hdir == AT_FDCWD) /* VFS_FOLLOW: hname is /proc/self/fd/N */
		k = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", h->path.hname);
	else
		k = snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d/%s",
			     h->path.hdir, h->path.hname);
	if (k < 0 || (size_t)k >= sizeof(sun->sun_path)) {
		if (!bind || strlen(h->path.hname) >= sizeof(sun->sun_path))
			return -LINUX_ENAMETOOLONG;
		k = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", h->path.hname);
		h->in_dir = 1;
	}
	h->len = (socklen_t)(SUN_OFF + (size_t)k + 1);
	return 1;
}

static void host_addr_put(struct host_addr *h)
{
	if (h->resolved)
		vfs_path_put(&h->path);
	h->resolved = 0;
}

struct in_dir_call {
	int dirfd, sock;
	const struct sockaddr *a;
	socklen_t len;
	long ret;
};

/* Runs in the clone: only raw syscalls (it shares lxrun's memory, errno included). */
static int in_dir_child(void *arg)
{
	struct in_dir_call *c = arg;
	long r = lx_raw_syscall(SYS_fchdir, c->dirfd, 0, 0, 0, 0, 0);
	if (r == 0)
		r = lx_raw_syscall(SYS_bind, c->sock, (long)c->a, c->len, 0, 0, 0);
	c->ret = r;
	return 0;
}

static long bind_in_dir(int s, struct host_addr *h)
{
	struct in_dir_call c = {h->path.hdir, s, (const struct sockaddr *)&h->a, h->len, -LINUX_EIO};
	size_t stack_size = 64 * 1024;
	char *stack = malloc(stack_size);
	if (!stack)
		return -LINUX_ENOMEM;
	/* CLONE_VFORK: this thread waits until the clone is done; no CLONE_FS: its fchdir is
	 * its own; no exit signal: nothing for the guest's wait() to see. */
	int pid = clone(in_dir_child, stack + stack_size, CLONE_VM | CLONE_FILES | CLONE_VFORK, &c);
	long r = pid < 0 ? lx_errno(errno) : c.ret;
	if (pid > 0)
		waitpid(pid, NULL, __WCLONE);
	free(stack);
	return r;
}

/* The guest address each bound socket was given (by host socket inode), for getsockname. */
static struct bound_name {
	uint64_t ino;
	socklen_t len;
	struct sockaddr_un a;
} bound_names[64];
static unsigned bound_next;

static void bound_remember(int s, const struct host_addr *h)
{
	struct stat st;
	if (fstat(s, &st) < 0)
		return;
	struct bound_name *b = NULL;
	for (unsigned i = 0; i < 64 && !b; i++)
		if (bound_names[i].ino == st.st_ino)
			b = &bound_names[i];
	if (!b)
		b = &bound_names[bound_next++ % 64];
	b->ino = st.st_ino;
	memset(&b->a, 0, sizeof(b->a));
	b->a.sun_family = AF_UNIX;
	size_t n = strlen(h->guest_path);
	memcpy(b->a.sun_path, h->guest_path, n < sizeof(b->a.sun_path) ? n : sizeof(b->a.sun_path));
	b->len = (socklen_t)(SUN_OFF + n + 1);
}

/* getsockname/getpeername under --root: the guest's path where the host shows its own. */
static long sock_name(long nr, int s, uint64_t uaddr, uint64_t ulen)
{
	if (!vfs_confined())
		return lx_host(syscall(nr, s, uaddr, ulen));
	int glen;
	if (guest_copy_in(&glen, ulen, sizeof(glen)) < 0)
		return -LINUX_EFAULT;
	if (glen < 0)
		return -LINUX_EINVAL;
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	if (syscall(nr, s, &a, &len) < 0)
		return lx_errno(errno);
	struct stat st;
	struct sockaddr_un *sun = (struct sockaddr_un *)&a;
	if (a.ss_family == AF_UNIX && len > SUN_OFF && sun->sun_path[0] &&
	    (nr == SYS_getsockname ? fstat(s, &st) : -1) == 0) {
		for (unsigned i = 0; i < 64; i++)
			if (bound_names[i].ino == st.st_ino) {
				memcpy(&a, &bound_names[i].a, sizeof(bound_names[i].a));
				len = bound_names[i].len;
				break;
			}
	}
	if (guest_copy_out(uaddr, &a, (size_t)glen < len ? (size_t)glen : len) < 0)
		return -LINUX_EFAULT;
	int out = (int)len;
	return guest_copy_out(ulen, &out, sizeof(out)) < 0 ? -LINUX_EFAULT : 0;
}

#define SOCK_OR_RETURN(var, fd)                                                                \
	int var = sock_fd((long)(int)(fd));                                                    \
	if (var < 0)                                                                           \
		return var

LX_SYSCALL(socket)
{
	unsigned type = (unsigned)sc->a[1];
	return install((int)syscall(SYS_socket, (int)sc->a[0], (int)(type | SOCK_CLOEXEC), (int)sc->a[2]),
		       type & SOCK_FLAGS);
}

LX_SYSCALL(socketpair)
{
	unsigned type = (unsigned)sc->a[1];
	int h[2];
	if (syscall(SYS_socketpair, (int)sc->a[0], (int)(type | SOCK_CLOEXEC), (int)sc->a[2], h) < 0)
		return lx_errno(errno);
	int g[2];
	g[0] = (int)install(h[0], type & SOCK_FLAGS);
	g[1] = g[0] < 0 ? (close(h[1]), g[0]) : (int)install(h[1], type & SOCK_FLAGS);
	if (g[1] < 0) {
		if (g[0] >= 0)
			lx_fd_close(lx_proc.fds, g[0]);
		return g[1];
	}
	if (guest_copy_out(sc->a[3], g, sizeof(g)) < 0) {
		lx_fd_close(lx_proc.fds, g[0]);
		lx_fd_close(lx_proc.fds, g[1]);
		return -LINUX_EFAULT;
	}
	return 0;
}

LX_SYSCALL(bind)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	struct host_addr h;
	long r = unix_addr_in(sc->a[1], (socklen_t)sc->a[2], 1, &h);
	if (r == 0)
		return lx_host(syscall(SYS_bind, s, sc->a[1], (socklen_t)sc->a[2]));
	if (r > 0) {
		r = h.in_dir ? bind_in_dir(s, &h) : lx_host(syscall(SYS_bind, s, &h.a, h.len));
		if (r == 0 && h.resolved)
			bound_remember(s, &h);
	}
	host_addr_put(&h);
	return r;
}

LX_SYSCALL(connect)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	struct host_addr h;
	long r = unix_addr_in(sc->a[1], (socklen_t)sc->a[2], 0, &h);
	if (r == 0)
		return lx_safe(SYS_connect, s, sc->a[1], (socklen_t)sc->a[2]);
	if (r > 0)
		r = lx_safe(SYS_connect, s, &h.a, h.len);
	host_addr_put(&h);
	return r;
}

LX_SYSCALL(listen)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_host(syscall(SYS_listen, s, (int)sc->a[1]));
}

LX_SYSCALL(accept4)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	unsigned flags = (unsigned)sc->a[3];
	if (flags & ~(unsigned)SOCK_FLAGS)
		return -LINUX_EINVAL;
	long h = lx_safe(SYS_accept4, s, sc->a[1], sc->a[2], (int)(flags | SOCK_CLOEXEC));
	return h < 0 ? h : install((int)h, flags);
}

LX_SYSCALL(accept)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	long h = lx_safe(SYS_accept4, s, sc->a[1], sc->a[2], SOCK_CLOEXEC);
	return h < 0 ? h : install((int)h, 0);
}

LX_SYSCALL(shutdown)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_host(syscall(SYS_shutdown, s, (int)sc->a[1]));
}

LX_SYSCALL(getsockname)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return sock_name(SYS_getsockname, s, sc->a[1], sc->a[2]);
}

LX_SYSCALL(getpeername)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return sock_name(SYS_getpeername, s, sc->a[1], sc->a[2]);
}

LX_SYSCALL(setsockopt)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_host(syscall(SYS_setsockopt, s, (int)sc->a[1], (int)sc->a[2], sc->a[3], (socklen_t)sc->a[4]));
}

LX_SYSCALL(getsockopt)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_host(syscall(SYS_getsockopt, s, (int)sc->a[1], (int)sc->a[2], sc->a[3], sc->a[4]));
}

/* sendto, recvfrom (flags in a3), sendmsg, recvmsg (flags in a2) through lx_safe. When that
 * gives EINTR, a signal is pending (or came while the call waited): Linux still sends what
 * has room and receives what is there, so the call is tried once more with MSG_DONTWAIT, and
 * only one that would wait is EINTR. */
static long sock_io(long nr, int s, long a1, long a2, long a3, long a4, long a5)
{
	long r = lx_safe(nr, s, a1, a2, a3, a4, a5);
	if (r != -LINUX_EINTR)
		return r;
	bool msg = nr == SYS_sendmsg || nr == SYS_recvmsg;
	long flags = msg ? a2 : a3;
	if (msg)
		a2 |= MSG_DONTWAIT;
	else
		a3 |= MSG_DONTWAIT;
	return lx_host_ready_or_eintr(s, lx_host(syscall(nr, s, a1, a2, a3, a4, a5)),
				      flags & MSG_DONTWAIT);
}

LX_SYSCALL(sendto)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	struct host_addr h;
	long r = unix_addr_in(sc->a[4], (socklen_t)sc->a[5], 0, &h);
	if (r == 0)
		return sock_io(SYS_sendto, s, sc->a[1], sc->a[2], (int)sc->a[3], sc->a[4],
			       (socklen_t)sc->a[5]);
	if (r > 0)
		r = sock_io(SYS_sendto, s, sc->a[1], sc->a[2], (int)sc->a[3], (long)&h.a, h.len);
	host_addr_put(&h);
	return r;
}

LX_SYSCALL(recvfrom)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return sock_io(SYS_recvfrom, s, sc->a[1], sc->a[2], (int)sc->a[3], sc->a[4], sc->a[5]);
}

/* Copy a guest msghdr with its control data into host memory, mapping SCM_RIGHTS fds. */
static long msg_in(uint64_t umsg, struct msghdr *m, char *ctl, size_t ctlmax, int to_host)
{
	if (guest_copy_in(m, umsg, sizeof(*m)) < 0)
		return -LINUX_EFAULT;
	if (!m->msg_control || !m->msg_controllen)
		return 0;
	if (m->msg_controllen > ctlmax)
		return -LINUX_ENOBUFS;
	if (guest_copy_in(ctl, (uint64_t)m->msg_control, m->msg_controllen) < 0)
		return -LINUX_EFAULT;
	if (to_host) {
		m->msg_control = ctl;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			int *fds = (int *)CMSG_DATA(c);
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < n; i++) {
				int h = sock_fd(fds[i]);
				if (h == -LINUX_ENOTSOCK)
					return -LINUX_EBADF; /* a file with no host object cannot travel */
				if (h < 0)
					return h;
				fds[i] = h;
			}
		}
	}
	return 0;
}

LX_SYSCALL(sendmsg)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	struct msghdr m;
	char ctl[4096];
	long r = msg_in(sc->a[1], &m, ctl, sizeof(ctl), 1);
	if (r < 0)
		return r;
	struct host_addr h;
	r = unix_addr_in((uint64_t)m.msg_name, m.msg_namelen, 0, &h);
	if (r > 0) {
		m.msg_name = &h.a;
		m.msg_namelen = h.len;
	}
	if (r >= 0)
		r = sock_io(SYS_sendmsg, s, (long)&m, (int)sc->a[2], 0, 0, 0);
	host_addr_put(&h);
	return r;
}

LX_SYSCALL(recvmsg)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	struct msghdr m;
	char ctl[4096];
	if (guest_copy_in(&m, sc->a[1], sizeof(m)) < 0)
		return -LINUX_EFAULT;
	uint64_t uctl = (uint64_t)m.msg_control;
	size_t ulen = m.msg_controllen;
	if (ulen > sizeof(ctl))
		ulen = sizeof(ctl);
	m.msg_control = ulen ? ctl : NULL;
	m.msg_controllen = ulen;
	/* Received fds arrive close-on-exec in lxrun's process; the guest's flag decides theirs. */
	int flags = (int)sc->a[2] | MSG_CMSG_CLOEXEC;
	long r = sock_io(SYS_recvmsg, s, (long)&m, flags, 0, 0, 0);
	if (r < 0)
		return r;
	/* Linux echoes the call's MSG_CMSG_CLOEXEC in msg_flags: only the guest's own */
	if (!(sc->a[2] & MSG_CMSG_CLOEXEC))
		m.msg_flags &= ~MSG_CMSG_CLOEXEC;
	/* Received host fds become guest fds. */
	for (struct cmsghdr *c = ulen ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int *fds = (int *)CMSG_DATA(c);
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			long g = install(fds[i], (sc->a[2] & MSG_CMSG_CLOEXEC) ? LINUX_O_CLOEXEC : 0);
			fds[i] = g < 0 ? -1 : (int)g;
		}
	}
	if (ulen && guest_copy_out(uctl, ctl, m.msg_controllen) < 0)
		return -LINUX_EFAULT;
	m.msg_control = (void *)uctl;
	if (guest_copy_out(sc->a[1], &m, sizeof(m)) < 0)
		return -LINUX_EFAULT;
	return r;
}

/* struct mmsghdr: a msghdr and the byte count the kernel fills in. */
struct lx_mmsghdr {
	struct msghdr hdr;
	unsigned int len;
};

/* sendmmsg: one sendmsg per message (glibc's resolver sends its A and AAAA queries so). As
 * Linux: the count sent, or the first message's error when none was sent. */
LX_SYSCALL(sendmmsg)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	unsigned vlen = (unsigned)sc->a[2];
	if (vlen > 1024)
		vlen = 1024; /* UIO_MAXIOV */
	unsigned i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		uint64_t u = sc->a[1] + (uint64_t)i * sizeof(struct lx_mmsghdr);
		struct msghdr m;
		char ctl[4096];
		r = msg_in(u, &m, ctl, sizeof(ctl), 1);
		if (r >= 0)
			r = sock_io(SYS_sendmsg, s, (long)&m, (int)sc->a[3], 0, 0, 0);
		if (r < 0)
			break;
		unsigned len = (unsigned)r;
		if (guest_copy_out(u + offsetof(struct lx_mmsghdr, len), &len, sizeof(len)) < 0) {
			r = -LINUX_EFAULT;
			break;
		}
	}
	return i ? (long)i : r;
}

/* recvmmsg: one recvmsg per message; MSG_WAITFORONE makes the ones after the first
 * non-blocking. The timeout is checked after each datagram, as Linux's. */
LX_SYSCALL(recvmmsg)
{
	/* the timeout first (EFAULT, then EINVAL), as __sys_recvmmsg and do_recvmmsg: it is
	 * looked at after each datagram, and what is left of it is written back */
	struct timespec ts, end = {0, 0}, now;
	if (sc->a[4]) {
		if (guest_copy_in(&ts, sc->a[4], sizeof(ts)) < 0)
			return -LINUX_EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -LINUX_EINVAL;
		clock_gettime(CLOCK_MONOTONIC, &now);
		end.tv_sec = now.tv_sec + ts.tv_sec + (now.tv_nsec + ts.tv_nsec) / 1000000000;
		end.tv_nsec = (now.tv_nsec + ts.tv_nsec) % 1000000000;
	}
	SOCK_OR_RETURN(s, sc->a[0]);
	unsigned vlen = (unsigned)sc->a[2];
	int flags = (int)sc->a[3];
	if (vlen > 1024)
		vlen = 1024;
	unsigned i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		uint64_t u = sc->a[1] + (uint64_t)i * sizeof(struct lx_mmsghdr);
		int f = flags & ~MSG_WAITFORONE;
		if (i && (flags & MSG_WAITFORONE))
			f |= MSG_DONTWAIT;
		struct lx_syscall one = *sc;
		one.a[1] = u;
		one.a[2] = (uint64_t)(unsigned)f;
		r = sys_recvmsg(&one);
		if (r < 0)
			break;
		unsigned len = (unsigned)r;
		if (guest_copy_out(u + offsetof(struct lx_mmsghdr, len), &len, sizeof(len)) < 0) {
			r = -LINUX_EFAULT;
			break;
		}
		if (sc->a[4]) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > end.tv_sec ||
			    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)) {
				i++;
				break;
			}
		}
	}
	if (sc->a[4] && (i || r >= 0)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t left = (int64_t)(end.tv_sec - now.tv_sec) * 1000000000 + (end.tv_nsec - now.tv_nsec);
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
		guest_copy_out(sc->a[4], &ts, sizeof(ts));
	}
	return i ? (long)i : r;
}
