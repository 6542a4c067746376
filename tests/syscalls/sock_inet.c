/* SPDX-License-Identifier: MIT */
/* sock_inet.c: coverage for loopback AF_INET/AF_INET6 TCP and UDP sockets and their options. */
#include "check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct sockaddr_in lo4(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void test_tcp4(void)
{
	struct sockaddr_in a = lo4(0), peer;
	socklen_t len;
	int srv, cli, acc, v, busy;
	uint16_t port;
	char buf[64];

	srv = CHECK_SYS("socket.tcp4", socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CHECK_ERR("socket.bad_protocol", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_SYS("bind.tcp4_port0", bind(srv, (struct sockaddr *)&a, sizeof(a)));
	port = port_of(srv);
	CHECK("getsockname.tcp4_port_assigned", port != 0, "port %u", port);
	CHECK_SYS("listen.tcp4", listen(srv, 8));
	busy = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a = lo4(port);
	CHECK_ERR("bind.tcp4_eaddrinuse", bind(busy, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
	a.sin_addr.s_addr = inet_addr("192.0.2.1");
	CHECK_ERR("bind.eaddrnotavail", bind(busy, (struct sockaddr *)&a, sizeof(a)),
		  EADDRNOTAVAIL);
	a = lo4(0);
	CHECK_ERR("bind.short_addrlen", bind(busy, (struct sockaddr *)&a, 8), EINVAL);
	a.sin_family = AF_INET6;
	CHECK_ERR("bind.wrong_family", bind(busy, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	CHECK_ERR("shutdown.enotconn", shutdown(busy, SHUT_RDWR), ENOTCONN);
	CHECK_ERR("getpeername.tcp_enotconn", getpeername(busy, (struct sockaddr *)&peer, &len),
		  ENOTCONN);
	close(busy);

	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a = lo4(port);
	CHECK_SYS("connect.tcp4", connect(cli, (struct sockaddr *)&a, sizeof(a)));
	len = sizeof(peer);
	acc = CHECK_SYS("accept4.tcp4", accept4(srv, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC));
	CHECK("accept4.peer_address", len == sizeof(peer) && peer.sin_family == AF_INET &&
					      peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
					      ntohs(peer.sin_port) == port_of(cli),
	      "len %u port %u", len, ntohs(peer.sin_port));
	len = sizeof(peer);
	getpeername(cli, (struct sockaddr *)&peer, &len);
	CHECK_EQ("getpeername.tcp4_port", ntohs(peer.sin_port), port);
	CHECK_EQ("sendto.tcp4", send(cli, "0123456789", 10, 0), 10);
	CHECK_EQ("recvfrom.tcp4_waitall", recv(acc, buf, 10, MSG_WAITALL), 10);
	CHECK_EQ("sendto.tcp4_reply", send(acc, "ab", 2, 0), 2);
	CHECK_EQ("recvfrom.tcp4_peek", recv(cli, buf, sizeof(buf), MSG_PEEK), 2);
	CHECK_EQ("recvfrom.tcp4_after_peek", recv(cli, buf, sizeof(buf), 0), 2);
	CHECK_ERR("recvfrom.tcp4_dontwait", recv(cli, buf, 1, MSG_DONTWAIT), EAGAIN);
	CHECK_ERR("connect.tcp4_eisconn", connect(cli, (struct sockaddr *)&a, sizeof(a)), EISCONN);

	v = 1;
	CHECK_SYS("setsockopt.tcp_nodelay", setsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &v,
						       sizeof(v)));
	v = 0;
	len = sizeof(v);
	getsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &v, &len);
	CHECK_EQ("getsockopt.tcp_nodelay", !!v, 1);
	len = sizeof(v);
	getsockopt(cli, SOL_SOCKET, SO_PROTOCOL, &v, &len);
	CHECK_EQ("getsockopt.so_protocol", v, IPPROTO_TCP);
	len = sizeof(v);
	getsockopt(cli, IPPROTO_TCP, TCP_MAXSEG, &v, &len);
	CHECK("getsockopt.tcp_maxseg", v > 0 && v <= 65535, "mss %d", v);
	{
		struct linger l = {1, 0}, g;

		CHECK_SYS("setsockopt.linger", setsockopt(acc, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
		len = sizeof(g);
		getsockopt(acc, SOL_SOCKET, SO_LINGER, &g, &len);
		CHECK("getsockopt.linger", g.l_onoff && g.l_linger == 0, "onoff %d", g.l_onoff);
	}

	/* Shut down the writer: the peer reads EOF; then an abortive close resets. */
	CHECK_SYS("shutdown.tcp4_wr", shutdown(cli, SHUT_WR));
	CHECK_EQ("shutdown.tcp4_eof", recv(acc, buf, 1, 0), 0);
	CHECK_ERR("shutdown.tcp4_send_epipe", send(cli, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(acc); /* linger 0: RST */
	{
		struct pollfd pfd = {.fd = cli, .events = POLLIN};

		poll(&pfd, 1, 10000);
	}
	CHECK_ERR("recvfrom.tcp4_reset", recv(cli, buf, 1, 0), ECONNRESET);
	close(cli);

	/* A closed port refuses; non-blocking connects report through SO_ERROR. */
	close(srv);
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_ERR("connect.econnrefused", connect(cli, (struct sockaddr *)&a, sizeof(a)),
		  ECONNREFUSED);
	close(cli);
	cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	errno = 0;
	v = connect(cli, (struct sockaddr *)&a, sizeof(a));
	busy = errno;
	CHECK("connect.nonblock_refused", v == -1 && (busy == EINPROGRESS || busy == ECONNREFUSED),
	      "r %d %s", v, check_errname(busy));
	{
		struct pollfd pfd = {.fd = cli, .events = POLLOUT};

		poll(&pfd, 1, 10000);
	}
	len = sizeof(v);
	v = 0;
	getsockopt(cli, SOL_SOCKET, SO_ERROR, &v, &len);
	/* Pending (EINPROGRESS) the refusal lands in SO_ERROR; reported at once, it does not. */
	CHECK_EQ("getsockopt.so_error_refused", v, busy == EINPROGRESS ? ECONNREFUSED : 0);
	close(cli);
}

static void test_udp4(void)
{
	struct sockaddr_in a = lo4(0), from;
	socklen_t len;
	int s1, s2, v;
	char buf[16];

	s1 = CHECK_SYS("socket.udp4", socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	s2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bind(s1, (struct sockaddr *)&a, sizeof(a));
	a = lo4(port_of(s1));
	CHECK_EQ("sendto.udp4", sendto(s2, "dgram", 5, 0, (struct sockaddr *)&a, sizeof(a)), 5);
	CHECK("sendto.udp4_autobind", port_of(s2) != 0, "no port");
	len = sizeof(from);
	CHECK_EQ("recvfrom.udp4", recvfrom(s1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len),
		 5);
	CHECK("recvfrom.udp4_from", ntohs(from.sin_port) == port_of(s2) &&
					    from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "port %u", ntohs(from.sin_port));
	sendto(s2, "0123456789", 10, 0, (struct sockaddr *)&a, sizeof(a));
	CHECK_EQ("recvfrom.udp4_trunc", recv(s1, buf, 4, MSG_TRUNC), 10);
	CHECK_ERR("recvfrom.udp4_dontwait", recv(s1, buf, 4, MSG_DONTWAIT), EAGAIN);
	CHECK_ERR("sendto.udp4_no_dest", send(s2, "x", 1, 0), EDESTADDRREQ);
	CHECK_SYS("connect.udp4", connect(s2, (struct sockaddr *)&a, sizeof(a)));
	CHECK_EQ("sendto.udp4_connected", send(s2, "y", 1, 0), 1);
	CHECK_EQ("recvfrom.udp4_connected", recv(s1, buf, sizeof(buf), 0), 1);
	CHECK_ERR("listen.udp4", listen(s1, 1), EOPNOTSUPP);
	CHECK_ERR("accept.udp4", accept(s1, NULL, NULL), EOPNOTSUPP);
	v = 1;
	CHECK_SYS("setsockopt.reuseaddr", setsockopt(s1, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	v = 0;
	len = sizeof(v);
	getsockopt(s1, SOL_SOCKET, SO_REUSEADDR, &v, &len);
	CHECK_EQ("getsockopt.reuseaddr", v, 1);
	v = 0;
	len = sizeof(v);
	getsockopt(s1, SOL_SOCKET, SO_TYPE, &v, &len);
	CHECK_EQ("getsockopt.udp_type", v, SOCK_DGRAM);
	/* A datagram to a closed port comes back as ECONNREFUSED on a connected socket. */
	close(s1);
	send(s2, "z", 1, 0);
	{
		struct pollfd pfd = {.fd = s2, .events = POLLIN};

		poll(&pfd, 1, 5000);
	}
	CHECK_ERR("recvfrom.udp4_refused", recv(s2, buf, 1, MSG_DONTWAIT), ECONNREFUSED);
	close(s2);
}

static void test_inet6(void)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT}, peer;
	socklen_t len = sizeof(peer);
	int srv, cli, acc, v;
	char buf[8];

	srv = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a))) {
		check_skip("socket.tcp6", "no IPv6 loopback");
		if (srv >= 0)
			close(srv);
		return;
	}
	CHECK_SYS("socket.tcp6", srv);
	listen(srv, 4);
	a.sin6_port = htons(port_of(srv));
	cli = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_SYS("connect.tcp6", connect(cli, (struct sockaddr *)&a, sizeof(a)));
	acc = accept4(srv, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	CHECK("accept4.tcp6_peer", acc >= 0 && peer.sin6_family == AF_INET6 &&
					   IN6_IS_ADDR_LOOPBACK(&peer.sin6_addr),
	      "acc %d", acc);
	send(cli, "six", 3, 0);
	CHECK_EQ("recvfrom.tcp6", recv(acc, buf, sizeof(buf), 0), 3);
	v = 0;
	len = sizeof(v);
	getsockopt(srv, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len);
	CHECK("getsockopt.v6only", v == 0 || v == 1, "v %d", v);
	len = sizeof(v);
	getsockopt(cli, SOL_SOCKET, SO_DOMAIN, &v, &len);
	CHECK_EQ("getsockopt.domain6", v, AF_INET6);
	close(acc);
	close(cli);
	close(srv);
	srv = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	a.sin6_port = 0;
	bind(srv, (struct sockaddr *)&a, sizeof(a));
	a.sin6_port = htons(port_of(srv));
	cli = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK_EQ("sendto.udp6", sendto(cli, "u6", 2, 0, (struct sockaddr *)&a, sizeof(a)), 2);
	CHECK_EQ("recvfrom.udp6", recv(srv, buf, sizeof(buf), 0), 2);
	CHECK_ERR("bind.udp6_short", bind(cli, (struct sockaddr *)&a, 8), EINVAL);
	close(cli);
	close(srv);
}

static void test_privileged_port(void)
{
	char buf[32] = "";
	int start = 1024;
	pid_t pid;

	if (check_read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", buf, sizeof(buf)) > 0)
		start = atoi(buf);
	if (start <= 1) {
		check_skip("bind.eacces_low_port", "every port is unprivileged here");
		return;
	}
	pid = check_fork_unprivileged();
	if (pid == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = lo4(start - 1);

		CHECK_ERR("bind.eacces_low_port", bind(s, (struct sockaddr *)&a, sizeof(a)), EACCES);
		check_child_exit();
	}
	check_wait_child("bind.eacces_child", pid, 0);
}

/* The interface queries (SIOCGIF*) that daemons make on any socket, on the loopback interface
 * every network namespace has. */
static void test_ifreq(void)
{
	struct ifreq ifrs[32], ifr;
	struct ifconf ifc = {.ifc_len = sizeof(ifrs), .ifc_req = ifrs};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), p[2], i, found = 0, index;

	if (CHECK_SYS("ioctl.siocgifconf", ioctl(s, SIOCGIFCONF, &ifc)) == 0) {
		CHECK("ioctl.siocgifconf_len", ifc.ifc_len > 0 && ifc.ifc_len % sizeof(ifr) == 0,
		      "ifc_len %d", ifc.ifc_len);
		for (i = 0; i < ifc.ifc_len / (int)sizeof(ifr); i++)
			if (strcmp(ifrs[i].ifr_name, "lo") == 0 &&
			    ((struct sockaddr_in *)&ifrs[i].ifr_addr)->sin_addr.s_addr ==
				    htonl(INADDR_LOOPBACK))
				found = 1;
		CHECK("ioctl.siocgifconf_lo", found, "no lo with 127.0.0.1 in %d entries",
		      ifc.ifc_len / (int)sizeof(ifr));
	}
	/* A NULL buffer asks for the length needed. */
	ifc.ifc_len = 0;
	ifc.ifc_buf = NULL;
	CHECK_SYS("ioctl.siocgifconf_null", ioctl(s, SIOCGIFCONF, &ifc));
	CHECK("ioctl.siocgifconf_null_len", ifc.ifc_len > 0 && ifc.ifc_len % sizeof(ifr) == 0,
	      "ifc_len %d", ifc.ifc_len);
	ifc.ifc_len = sizeof(ifr);
	ifc.ifc_buf = BADPTR;
	CHECK_ERR("ioctl.siocgifconf_efault", ioctl(s, SIOCGIFCONF, &ifc), EFAULT);
	CHECK_ERR("ioctl.siocgifconf_efault_arg", ioctl(s, SIOCGIFCONF, BADPTR), EFAULT);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	CHECK_SYS("ioctl.siocgifindex", ioctl(s, SIOCGIFINDEX, &ifr));
	index = ifr.ifr_ifindex;
	CHECK("ioctl.siocgifindex_value", index > 0, "index %d", index);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = index;
	CHECK_SYS("ioctl.siocgifname", ioctl(s, SIOCGIFNAME, &ifr));
	CHECK_STR("ioctl.siocgifname_lo", ifr.ifr_name, "lo");
	CHECK_SYS("ioctl.siocgifflags", ioctl(s, SIOCGIFFLAGS, &ifr));
	CHECK("ioctl.siocgifflags_loopback",
	      (ifr.ifr_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK), "flags %#x",
	      ifr.ifr_flags);
	CHECK_SYS("ioctl.siocgifhwaddr", ioctl(s, SIOCGIFHWADDR, &ifr));
	CHECK_EQ("ioctl.siocgifhwaddr_family", ifr.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);
	CHECK_SYS("ioctl.siocgifmtu", ioctl(s, SIOCGIFMTU, &ifr));
	CHECK("ioctl.siocgifmtu_value", ifr.ifr_mtu >= 1280, "mtu %d", ifr.ifr_mtu);
	CHECK_SYS("ioctl.siocgifaddr", ioctl(s, SIOCGIFADDR, &ifr));
	CHECK_EQ("ioctl.siocgifaddr_value", ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr,
		 htonl(INADDR_LOOPBACK));
	strcpy(ifr.ifr_name, "nosuchif0");
	CHECK_ERR("ioctl.siocgifindex_enodev", ioctl(s, SIOCGIFINDEX, &ifr), ENODEV);
	CHECK_ERR("ioctl.siocgifflags_efault", ioctl(s, SIOCGIFFLAGS, BADPTR), EFAULT);
	close(s);
	/* Not a socket: the request means nothing there. */
	pipe(p);
	strcpy(ifr.ifr_name, "lo");
	CHECK_ERR("ioctl.siocgifindex_pipe", ioctl(p[0], SIOCGIFINDEX, &ifr), ENOTTY);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	test_tcp4();
	test_udp4();
	test_inet6();
	test_privileged_port();
	test_ifreq();
	return check_done();
}
