/* SPDX-License-Identifier: MIT */
/* Sockets are host sockets: lxrun translates fd numbers, including those passed in
 * SCM_RIGHTS messages; addresses and options go to the host kernel unchanged (it checks
 * them). Unix socket paths are host paths (not confined by --root: see the note). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"

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
	return lx_host(syscall(SYS_bind, s, sc->a[1], (socklen_t)sc->a[2]));
}

LX_SYSCALL(connect)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_safe(SYS_connect, s, sc->a[1], (socklen_t)sc->a[2]);
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
	return lx_host(syscall(SYS_getsockname, s, sc->a[1], sc->a[2]));
}

LX_SYSCALL(getpeername)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_host(syscall(SYS_getpeername, s, sc->a[1], sc->a[2]));
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

LX_SYSCALL(sendto)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_safe(SYS_sendto, s, sc->a[1], sc->a[2], (int)sc->a[3], sc->a[4], (socklen_t)sc->a[5]);
}

LX_SYSCALL(recvfrom)
{
	SOCK_OR_RETURN(s, sc->a[0]);
	return lx_safe(SYS_recvfrom, s, sc->a[1], sc->a[2], (int)sc->a[3], sc->a[4], sc->a[5]);
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
	return lx_safe(SYS_sendmsg, s, &m, (int)sc->a[2]);
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
	int flags = (int)sc->a[2] | MSG_CMSG_CLOEXEC;
	long r = lx_safe(SYS_recvmsg, s, &m, flags);
	if (r < 0)
		return r;
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
			r = lx_safe(SYS_sendmsg, s, &m, (int)sc->a[3]);
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
 * non-blocking. The timeout is not applied (levels.txt). */
LX_SYSCALL(recvmmsg)
{
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
	}
	return i ? (long)i : r;
}
