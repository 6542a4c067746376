/* SPDX-License-Identifier: MIT */
/* sock_unix.c: coverage for AF_UNIX sockets: pairs, bind/listen/accept4/connect, messages, cmsgs. */
#include "check.h"

#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

static socklen_t un_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void test_socketpair(void)
{
	int sv[2], r;
	char buf[16];

	CHECK_SYS("socketpair.stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ("socketpair.no_cloexec", fcntl(sv[0], F_GETFD) | fcntl(sv[1], F_GETFD), 0);
	CHECK_EQ("write.socketpair", write(sv[0], "ping", 4), 4);
	CHECK("read.socketpair", read(sv[1], buf, sizeof(buf)) == 4 && !memcmp(buf, "ping", 4),
	      "bad data");
	CHECK_EQ("write.socketpair_reverse", write(sv[1], "pong", 4), 4);
	CHECK_EQ("read.socketpair_reverse", read(sv[0], buf, sizeof(buf)), 4);
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv);
	CHECK_EQ("socketpair.cloexec", fcntl(sv[0], F_GETFD) & fcntl(sv[1], F_GETFD), FD_CLOEXEC);
	CHECK_EQ("socketpair.nonblock", fcntl(sv[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_ERR("socketpair.nonblock_eagain", read(sv[0], buf, 1), EAGAIN);
	close(sv[0]);
	close(sv[1]);
	CHECK_ERR("socketpair.inet", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	CHECK_ERR("socketpair.bad_type", socketpair(AF_UNIX, 99, 0, sv), EINVAL);
	CHECK_ERR("socketpair.bad_protocol", socketpair(AF_UNIX, SOCK_STREAM, 5, sv),
		  EPROTONOSUPPORT);
	CHECK_ERR("socketpair.efault", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BADPTR),
		  EFAULT);

	/* Datagram and seqpacket pairs keep message boundaries. */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	send(sv[0], "abc", 3, 0);
	send(sv[0], "defgh", 5, 0);
	CHECK_EQ("recvfrom.dgram_boundary", recv(sv[1], buf, sizeof(buf), 0), 3);
	CHECK_EQ("recvfrom.dgram_trunc", recv(sv[1], buf, 2, MSG_TRUNC), 5);
	CHECK_ERR("recvfrom.dontwait_eagain", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	send(sv[0], "", 0, 0);
	CHECK_EQ("recvfrom.dgram_empty", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	send(sv[0], "12345", 5, 0);
	r = recv(sv[1], buf, 3, 0);
	CHECK_EQ("recvfrom.seqpacket_truncates", r, 3);
	CHECK_ERR("recvfrom.seqpacket_rest_dropped", recv(sv[1], buf, 3, MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	CHECK_EQ("recvfrom.seqpacket_eof", recv(sv[1], buf, 3, 0), 0);
	close(sv[1]);
}

/* readv and writev move one message: a datagram is gathered from every buffer and scattered into
 * every buffer, never split into one message per buffer. */
static void test_vec_messages(void)
{
	static const int types[] = {SOCK_DGRAM, SOCK_SEQPACKET};
	static const char *names[] = {"dgram", "seqpacket"};
	char a[8], b[8], buf[16], name[64];
	int sv[2];

	for (int i = 0; i < 2; i++) {
		struct iovec out[2] = {{"abc", 3}, {"def", 3}}, in[2] = {{a, 2}, {b, 4}};

		snprintf(name, sizeof(name), "writev.%s_one_message", names[i]);
		if (socketpair(AF_UNIX, types[i] | SOCK_NONBLOCK, 0, sv)) {
			CHECK(name, 0, "socketpair: %s", check_errname(errno));
			continue;
		}
		CHECK(name, writev(sv[0], out, 2) == 6 && read(sv[1], buf, sizeof(buf)) == 6 &&
				    !memcmp(buf, "abcdef", 6),
		      "the two buffers did not arrive as one message");
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		write(sv[0], "abcdef", 6);
		snprintf(name, sizeof(name), "readv.%s_one_message", names[i]);
		CHECK(name, readv(sv[1], in, 2) == 6 && !memcmp(a, "ab", 2) && !memcmp(b, "cdef", 4),
		      "got '%.2s' '%.4s'", a, b);
		snprintf(name, sizeof(name), "readv.%s_nothing_left", names[i]);
		CHECK_ERR(name, read(sv[1], buf, sizeof(buf)), EAGAIN);
		/* Buffers shorter than the message truncate it; the rest is dropped, not read next. */
		write(sv[0], "abcdef", 6);
		in[1].iov_len = 2;
		snprintf(name, sizeof(name), "readv.%s_truncates", names[i]);
		CHECK_EQ(name, readv(sv[1], in, 2), 4);
		snprintf(name, sizeof(name), "readv.%s_truncated_dropped", names[i]);
		CHECK_ERR(name, read(sv[1], buf, sizeof(buf)), EAGAIN);
		close(sv[0]);
		close(sv[1]);
	}
}

static void test_stream_server(void)
{
	struct sockaddr_un a, got;
	socklen_t len, alen;
	int srv, cli, acc, dg, r;
	char buf[16];
	pid_t pid;

	CHECK_ERR("socket.bad_domain", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR("socket.bad_type", socket(AF_UNIX, 77, 0), EINVAL);
	CHECK_ERR("socket.bad_flags", socket(AF_UNIX, SOCK_STREAM | 0x40000000, 0), EINVAL);
	srv = CHECK_SYS("socket.unix_stream", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CHECK_EQ("socket.cloexec", fcntl(srv, F_GETFD), FD_CLOEXEC);
	alen = un_addr(&a, check_path("srv.sock"));
	CHECK_SYS("bind.unix_path", bind(srv, (struct sockaddr *)&a, alen));
	alen = un_addr(&got, check_path("other.sock"));
	CHECK_ERR("bind.twice", bind(srv, (struct sockaddr *)&got, alen), EINVAL);
	alen = un_addr(&a, check_path("srv.sock"));
	cli = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR("bind.eaddrinuse", bind(cli, (struct sockaddr *)&a, alen), EADDRINUSE);
	CHECK_ERR("connect.not_listening", connect(cli, (struct sockaddr *)&a, alen), ECONNREFUSED);
	len = sizeof(got);
	CHECK_SYS("getsockname.unix", getsockname(srv, (struct sockaddr *)&got, &len));
	CHECK("getsockname.unix_path", len == alen && strcmp(got.sun_path, a.sun_path) == 0,
	      "len %u path %s", len, got.sun_path);
	CHECK_ERR("getpeername.enotconn", getpeername(srv, (struct sockaddr *)&got, &len), ENOTCONN);
	CHECK_SYS("listen.ok", listen(srv, 4));
	CHECK_SYS("listen.again", listen(srv, 8));
	r = 0;
	len = sizeof(r);
	getsockopt(srv, SOL_SOCKET, SO_ACCEPTCONN, &r, &len);
	CHECK_EQ("getsockopt.acceptconn", r, 1);
	CHECK_SYS("connect.unix", connect(cli, (struct sockaddr *)&a, alen));
	CHECK_ERR("connect.eisconn", connect(cli, (struct sockaddr *)&a, alen), EISCONN);
	CHECK_ERR("accept4.bad_flags", accept4(srv, NULL, NULL, 0x1), EINVAL);
	len = sizeof(got);
	acc = CHECK_SYS("accept4.ok", accept4(srv, (struct sockaddr *)&got, &len,
					       SOCK_CLOEXEC | SOCK_NONBLOCK));
	CHECK_EQ("accept4.unnamed_peer", len, sizeof(sa_family_t));
	CHECK_EQ("accept4.cloexec", fcntl(acc, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("accept4.nonblock", fcntl(acc, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	len = sizeof(got);
	getpeername(cli, (struct sockaddr *)&got, &len);
	CHECK_STR("getpeername.unix_path", got.sun_path, a.sun_path);
	fcntl(srv, F_SETFL, O_NONBLOCK);
	CHECK_ERR("accept.nonblock_eagain", accept(srv, NULL, NULL), EAGAIN);
	CHECK_ERR("accept.not_listening", accept(cli, NULL, NULL), EINVAL);
	CHECK_ERR("openat.socket_file", dg = open(check_path("srv.sock"), O_RDONLY), ENXIO);
	r = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_ERR("accept.enotsock", accept(r, NULL, NULL), ENOTSOCK);
	CHECK_ERR("getsockname.enotsock", getsockname(r, (struct sockaddr *)&got, &len), ENOTSOCK);
	close(r);

	/* Data, MSG_PEEK, MSG_DONTWAIT, and shutdown in each direction. */
	CHECK_EQ("sendto.stream", sendto(cli, "hello", 5, 0, NULL, 0), 5);
	CHECK_EQ("recvfrom.peek", recv(acc, buf, sizeof(buf), MSG_PEEK), 5);
	CHECK("recvfrom.after_peek", recv(acc, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5),
	      "bad data");
	CHECK_ERR("recvfrom.nonblock_eagain", recv(acc, buf, 1, 0), EAGAIN);
	CHECK_ERR("recvfrom.waitall_dontwait", recv(cli, buf, 4, MSG_DONTWAIT | MSG_WAITALL),
		  EAGAIN);
	CHECK_ERR("shutdown.bad_how", shutdown(cli, 7), EINVAL);
	CHECK_SYS("shutdown.wr", shutdown(cli, SHUT_WR));
	CHECK_EQ("shutdown.peer_sees_eof", recv(acc, buf, 1, 0), 0);
	CHECK_ERR("shutdown.send_epipe", send(cli, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_EQ("shutdown.other_way_open", send(acc, "y", 1, 0), 1);
	CHECK_EQ("shutdown.other_way_data", recv(cli, buf, 1, 0), 1);
	close(acc);
	CHECK_EQ("recvfrom.peer_closed_eof", recv(cli, buf, 1, 0), 0);
	close(cli);

	/* Connecting to nothing, to a non-socket, and past a missing directory. */
	cli = socket(AF_UNIX, SOCK_STREAM, 0);
	alen = un_addr(&got, check_path("nosuch.sock"));
	CHECK_ERR("connect.enoent", connect(cli, (struct sockaddr *)&got, alen), ENOENT);
	check_write_file(check_path("plain"), "x", 1);
	alen = un_addr(&got, check_path("plain"));
	CHECK_ERR("connect.not_socket", connect(cli, (struct sockaddr *)&got, alen), ECONNREFUSED);
	alen = un_addr(&got, check_path("plain/sub.sock"));
	CHECK_ERR("connect.enotdir", connect(cli, (struct sockaddr *)&got, alen), ENOTDIR);
	alen = un_addr(&got, check_path("missing/x.sock"));
	CHECK_ERR("bind.enoent", bind(cli, (struct sockaddr *)&got, alen), ENOENT);
	CHECK_ERR("bind.long_addrlen", bind(cli, (struct sockaddr *)&got, sizeof(got) + 1), EINVAL);
	CHECK_ERR("bind.efault", syscall(SYS_bind, cli, BADPTR, alen), EFAULT);
	CHECK_ERR("connect.efault", syscall(SYS_connect, cli, BADPTR, alen), EFAULT);
	got.sun_family = AF_INET;
	CHECK_ERR("connect.wrong_family", connect(cli, (struct sockaddr *)&got, alen), EINVAL);
	close(cli);

	/* Connecting needs write permission on the socket file. */
	chmod(check_tmpdir, 0755);
	chmod(a.sun_path, 0);
	alen = un_addr(&a, check_path("srv.sock"));
	pid = check_fork_unprivileged();
	if (pid == 0) {
		cli = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK_ERR("connect.eacces", connect(cli, (struct sockaddr *)&a, alen), EACCES);
		check_child_exit();
	}
	check_wait_child("connect.eacces_child", pid, 0);
	close(srv);
	if (dg >= 0)
		close(dg);
}

static void test_dgram_abstract(void)
{
	struct sockaddr_un a, b, from;
	socklen_t alen, blen, flen;
	int s1, s2;
	char buf[16];
	struct timeval tv = {0, 30000};
	long long t0;

	s1 = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s2 = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	alen = un_addr(&a, check_path("d1.sock"));
	bind(s1, (struct sockaddr *)&a, alen);
	/* Autobind: an abstract name of five hex digits. */
	memset(&b, 0, sizeof(b));
	b.sun_family = AF_UNIX;
	CHECK_SYS("bind.autobind", bind(s2, (struct sockaddr *)&b, sizeof(sa_family_t)));
	blen = sizeof(b);
	getsockname(s2, (struct sockaddr *)&b, &blen);
	CHECK("bind.autobind_name", blen == sizeof(sa_family_t) + 6 && b.sun_path[0] == '\0',
	      "len %u", blen);
	CHECK_EQ("sendto.dgram_path", sendto(s2, "msg", 3, 0, (struct sockaddr *)&a, alen), 3);
	flen = sizeof(from);
	CHECK_EQ("recvfrom.dgram", recvfrom(s1, buf, sizeof(buf), 0, (struct sockaddr *)&from,
					    &flen), 3);
	CHECK("recvfrom.sender_address", flen == blen && !memcmp(&from, &b, blen), "len %u", flen);
	CHECK_EQ("sendto.reply_to_abstract", sendto(s1, "re", 2, 0, (struct sockaddr *)&from, flen),
		 2);
	CHECK_EQ("recvfrom.abstract", recv(s2, buf, sizeof(buf), 0), 2);
	CHECK_ERR("sendto.no_address", send(s1, "x", 1, 0), ENOTCONN);
	alen = un_addr(&from, check_path("gone.sock"));
	CHECK_ERR("sendto.enoent", sendto(s1, "x", 1, 0, (struct sockaddr *)&from, alen), ENOENT);
	CHECK_ERR("listen.dgram", listen(s1, 1), EOPNOTSUPP);

	/* SO_RCVTIMEO: a blocking receive gives up with EAGAIN after the timeout. */
	CHECK_SYS("setsockopt.rcvtimeo", setsockopt(s1, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	t0 = now_ns();
	CHECK_ERR("recvfrom.rcvtimeo", recv(s1, buf, 1, 0), EAGAIN);
	CHECK("recvfrom.rcvtimeo_duration", now_ns() - t0 >= 25000000, "after %lld ns",
	      now_ns() - t0);
	close(s1);
	close(s2);
}

static void test_sockopts(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0), sv[2], v = 0, fd;
	socklen_t len = sizeof(v);
	struct ucred cr;

	getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len);
	CHECK_EQ("getsockopt.so_type", v, SOCK_STREAM);
	len = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len);
	CHECK_EQ("getsockopt.so_domain", v, AF_UNIX);
	len = sizeof(v);
	v = -1;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len);
	CHECK_EQ("getsockopt.so_error", v, 0);
	v = 65536;
	CHECK_SYS("setsockopt.sndbuf", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	len = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len);
	CHECK_EQ("getsockopt.sndbuf_doubled", v, 131072);
	v = 1;
	len = 2;
	CHECK_ERR("setsockopt.short_optlen", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
	CHECK_ERR("getsockopt.bad_option", getsockopt(s, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
	CHECK_ERR("setsockopt.bad_level", setsockopt(s, 9999, 1, &v, sizeof(v)), EOPNOTSUPP);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_ERR("setsockopt.enotsock", setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)),
		  ENOTSOCK);
	close(fd);
	CHECK_ERR("getsockopt.efault", syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, BADPTR, &len),
		  EFAULT);
	CHECK_ERR("getsockopt.ebadf", getsockopt(check_closed_fd(), SOL_SOCKET, SO_TYPE, &v, &len),
		  EBADF);
	close(s);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	len = sizeof(cr);
	CHECK_SYS("getsockopt.peercred", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len));
	CHECK("getsockopt.peercred_ids", cr.pid == getpid() && cr.uid == getuid() &&
						 cr.gid == getgid(),
	      "pid %d uid %u", cr.pid, cr.uid);
	close(sv[0]);
	close(sv[1]);
}

/* mh's control buffer: one SCM_RIGHTS message carrying fd. */
static struct cmsghdr *put_rights(struct msghdr *mh, char *cbuf, int fd)
{
	mh->msg_control = cbuf;
	mh->msg_controllen = CMSG_SPACE(sizeof(int));
	struct cmsghdr *cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return cm;
}

static void test_cmsg(void)
{
	char data[4] = "abc", cbuf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct mmsghdr mm[3];
	struct iovec iovs[3];
	char bufs[3][8];
	struct cmsghdr *cm;
	struct ucred cr;
	int sv[2], p[2], got = -1, one = 1;
	char c = 0;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	memset(cbuf, 0, sizeof(cbuf));
	cm = put_rights(&mh, cbuf, p[1]);
	CHECK_EQ("sendmsg.scm_rights", sendmsg(sv[0], &mh, 0), 4);
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_controllen = sizeof(cbuf);
	CHECK_EQ("recvmsg.scm_rights", recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 4);
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(cm), sizeof(int));
	CHECK("recvmsg.fd_received", got >= 0 && got != p[1], "fd %d", got);
	CHECK_EQ("recvmsg.cmsg_cloexec", fcntl(got, F_GETFD), FD_CLOEXEC);
	/* msg_flags echoes the call's MSG_CMSG_CLOEXEC (____sys_recvmsg), and only it */
	CHECK_EQ("recvmsg.msg_flags_cloexec_echoed", mh.msg_flags, MSG_CMSG_CLOEXEC);
	write(got, "z", 1);
	CHECK("recvmsg.fd_works", read(p[0], &c, 1) == 1 && c == 'z', "c %c", c);
	close(got);

	/* the same without the flag: an fd without close-on-exec, and msg_flags 0 */
	cm = put_rights(&mh, cbuf, p[1]);
	sendmsg(sv[0], &mh, 0);
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_controllen = sizeof(cbuf);
	got = -1;
	recvmsg(sv[1], &mh, 0);
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(cm), sizeof(int));
	CHECK_EQ("recvmsg.msg_flags_zero", mh.msg_flags, 0);
	CHECK_EQ("recvmsg.fd_without_cloexec", got >= 0 ? fcntl(got, F_GETFD) : -1, 0);
	if (got >= 0)
		close(got);

	/* A control buffer too small for the descriptor: MSG_CTRUNC, and no fd leaks in. */
	cm = put_rights(&mh, cbuf, p[1]);
	sendmsg(sv[0], &mh, 0);
	mh.msg_controllen = 4;
	recvmsg(sv[1], &mh, 0);
	CHECK("recvmsg.ctrunc", mh.msg_flags & MSG_CTRUNC, "flags 0x%x", mh.msg_flags);

	mh.msg_control = cbuf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	got = check_closed_fd();
	memcpy(CMSG_DATA(cm), &got, sizeof(int));
	CHECK_ERR("sendmsg.scm_rights_ebadf", sendmsg(sv[0], &mh, 0), EBADF);
	cm->cmsg_level = 9999;
	/* Control messages of other levels are ignored on AF_UNIX (the data still goes). */
	CHECK_EQ("sendmsg.other_level_ignored", sendmsg(sv[0], &mh, 0), 4);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = 9999;
	CHECK_ERR("sendmsg.bad_cmsg_type", sendmsg(sv[0], &mh, 0), EINVAL);
	CHECK_ERR("sendmsg.efault", syscall(SYS_sendmsg, sv[0], BADPTR, 0), EFAULT);
	CHECK_ERR("recvmsg.efault", syscall(SYS_recvmsg, sv[1], BADPTR, 0), EFAULT);

	/* SCM_CREDENTIALS: the kernel attaches our ids once SO_PASSCRED is on. */
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	while (recv(sv[1], data, sizeof(data), MSG_DONTWAIT) > 0)
		;
	send(sv[0], "cr", 2, 0);
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	recvmsg(sv[1], &mh, 0);
	memset(&cr, 0, sizeof(cr));
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cr, CMSG_DATA(cm), sizeof(cr));
	CHECK("recvmsg.scm_credentials", cr.pid == getpid() && cr.uid == getuid() &&
						 cr.gid == getgid(),
	      "pid %d uid %u gid %u", cr.pid, cr.uid, cr.gid);
	/* Explicit credentials: our own are accepted. */
	mh.msg_controllen = CMSG_SPACE(sizeof(cr));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(cr));
	cr = (struct ucred){getpid(), getuid(), getgid()};
	memcpy(CMSG_DATA(cm), &cr, sizeof(cr));
	CHECK_EQ("sendmsg.scm_credentials_own", sendmsg(sv[0], &mh, 0), 4);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);

	/* sendmmsg / recvmmsg move several datagrams in one call. */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "m%d", i);
		iovs[i] = (struct iovec){bufs[i], 2 + i};
		mm[i].msg_hdr.msg_iov = &iovs[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	CHECK_EQ("sendmmsg.three", sendmmsg(sv[0], mm, 3, 0), 3);
	CHECK_EQ("sendmmsg.msg_len", mm[2].msg_len, 4);
	memset(bufs, 0, sizeof(bufs));
	for (int i = 0; i < 3; i++) {
		iovs[i] = (struct iovec){bufs[i], sizeof(bufs[i])};
		mm[i].msg_len = 0;
	}
	CHECK_EQ("recvmmsg.three", recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), 3);
	CHECK("recvmmsg.lengths", mm[0].msg_len == 2 && mm[1].msg_len == 3 && mm[2].msg_len == 4,
	      "%u %u %u", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	CHECK_ERR("recvmmsg.empty_eagain", recvmmsg(sv[1], mm, 3, MSG_DONTWAIT, NULL), EAGAIN);
	CHECK_ERR("recvmmsg.efault", syscall(SYS_recvmmsg, sv[1], BADPTR, 1, MSG_DONTWAIT, NULL),
		  EFAULT);
	{
		/* The timeout: checked before anything else (a bad one fails even on a bad fd),
		 * and what is left of it is written back. */
		struct timespec bad = {-1, 0}, t = {5, 0};

		CHECK_ERR("recvmmsg.timeout_negative", recvmmsg(sv[1], mm, 1, MSG_DONTWAIT, &bad),
			  EINVAL);
		CHECK_ERR("recvmmsg.timeout_before_fd", recvmmsg(check_closed_fd(), mm, 1, 0, &bad),
			  EINVAL);
		CHECK_ERR("recvmmsg.timeout_efault",
			  syscall(SYS_recvmmsg, sv[1], mm, 1, MSG_DONTWAIT, BADPTR), EFAULT);
		send(sv[0], "x", 1, 0);
		CHECK_EQ("recvmmsg.with_timeout", recvmmsg(sv[1], mm, 1, 0, &t), 1);
		CHECK("recvmmsg.timeout_left", t.tv_sec <= 5 && (t.tv_sec > 0 || t.tv_nsec > 0) &&
		      !(t.tv_sec == 5 && t.tv_nsec > 0), "%lld.%09ld", (long long)t.tv_sec, t.tv_nsec);
	}
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	test_vec_messages();
	check_tmpdir_make();
	signal(SIGPIPE, SIG_IGN);
	test_socketpair();
	test_stream_server();
	test_dgram_abstract();
	test_sockopts();
	test_cmsg();
	return check_done();
}
