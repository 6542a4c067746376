/* SPDX-License-Identifier: MIT */
/* Guest networking: loopback up, eth0 on QEMU's user-mode network, and the listening TCP ports
 * that the host forwards to its own 127.0.0.1. */
#include "vm/agent/agent.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* QEMU's user-mode network (slirp) defaults: guest, gateway (the host), DNS relay. */
#define GUEST_ADDR "10.0.2.15"
#define GUEST_MASK "255.255.255.0"
#define GATEWAY	   "10.0.2.2"
#define NAMESERVER "10.0.2.3"

static int set_addr(int fd, const char *ifname, unsigned long req, const char *addr)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	return ioctl(fd, req, &ifr) < 0 ? -errno : 0;
}

static int link_up(int fd, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* The kernel gives lo 127.0.0.1/8 (and ::1) when it comes up; add the IPv4 one if not. */
static void loopback_up(int fd)
{
	struct ifreq ifr;
	int r = link_up(fd, "lo");

	if (r < 0) {
		agent_log("loopback: cannot bring lo up: %s", strerror(-r));
		return;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFADDR, &ifr) < 0 &&
	    (set_addr(fd, "lo", SIOCSIFADDR, "127.0.0.1") < 0 ||
	     set_addr(fd, "lo", SIOCSIFNETMASK, "255.0.0.0") < 0))
		agent_log("loopback: cannot set 127.0.0.1/8: %s", strerror(errno));
}

/* The first interface besides lo: virtio_net probes asynchronously, so wait a little. */
static int find_ether(char *name, size_t len)
{
	int i;

	for (i = 0; i < 200; i++) {
		DIR *d = opendir("/sys/class/net");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "lo"))
				continue;
			snprintf(name, len, "%s", e->d_name);
			closedir(d);
			return 0;
		}
		if (d)
			closedir(d);
		usleep(10000);
	}
	return -ENODEV;
}

static int default_route(int fd, const char *ifname)
{
	struct rtentry rt;
	struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
	struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst;
	struct sockaddr_in *mask = (struct sockaddr_in *)&rt.rt_genmask;
	char dev[IFNAMSIZ];

	memset(&rt, 0, sizeof(rt));
	snprintf(dev, sizeof(dev), "%s", ifname);
	dst->sin_family = mask->sin_family = gw->sin_family = AF_INET;
	inet_pton(AF_INET, GATEWAY, &gw->sin_addr);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = dev;
	return ioctl(fd, SIOCADDRT, &rt) < 0 && errno != EEXIST ? -errno : 0;
}

/* The guest's own /etc/resolv.conf in the root's writable layer (the host's may name a
 * resolver on the host's loopback, which the guest cannot reach). */
static void write_resolv_conf(const char *root)
{
	static const char text[] = "# written by lxrun's VM agent: QEMU's user-mode DNS relay\n"
				   "nameserver " NAMESERVER "\n";
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/etc/resolv.conf", root);
	unlink(path); /* may be a symlink into /run (systemd-resolved) */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1)
		agent_log("cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

void agent_net_setup(const char *root)
{
	char eth[IFNAMSIZ];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0) {
		agent_log("network: no AF_INET socket: %s", strerror(errno));
		return;
	}
	loopback_up(fd);
	if (!agent_param("net")) {
		close(fd);
		return;
	}
	r = find_ether(eth, sizeof(eth));
	if (!r)
		r = set_addr(fd, eth, SIOCSIFADDR, GUEST_ADDR);
	if (!r)
		r = set_addr(fd, eth, SIOCSIFNETMASK, GUEST_MASK);
	if (!r)
		r = link_up(fd, eth);
	if (!r)
		r = default_route(fd, eth);
	if (r < 0)
		agent_log("network: cannot configure %s: %s", r == -ENODEV ? "any interface" : eth,
			  strerror(-r));
	else
		write_resolv_conf(root);
	close(fd);
}

static void add_port(uint16_t *ports, bool *v6s, int *n, int max, unsigned int port, bool v6)
{
	int i;

	for (i = 0; i < *n; i++)
		if (ports[i] == port)
			return;
	if (*n < max) {
		if (v6s)
			v6s[*n] = v6;
		ports[(*n)++] = (uint16_t)port;
	}
}

/* The guest's ephemeral port range: a UDP socket bound there is a client's, not a server's. */
static void ephemeral_range(unsigned int *lo, unsigned int *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	*lo = 32768;
	*hi = 60999;
	if (f && fscanf(f, "%u %u", lo, hi) != 2) {
		*lo = 32768;
		*hi = 60999;
	}
	if (f)
		fclose(f);
}

/* One /proc/net/udp{,6} file: unconnected sockets (state 07) bound to the wildcard address or
 * the guest's own, outside the ephemeral range: UDP servers the host can reach. */
static void scan_udp(const char *path, bool v6, struct agent_ports *p)
{
	char line[512], addr[64];
	unsigned int port, state, lo, hi;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	ephemeral_range(&lo, &hi);
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", addr, &port,
			   &state) != 3 ||
		    state != 0x07 || !port || port > 65535 || (port >= lo && port <= hi))
			continue;
		if (v6 ? !strcmp(addr, "00000000000000000000000000000000") ||
			     !strcmp(addr, "0000000000000000FFFF000000000000") ||
			     !strcmp(addr, "0000000000000000FFFF00000F02000A")
		       : !strcmp(addr, "00000000") || !strcmp(addr, "0F02000A"))
			add_port(p->udp, NULL, &p->nudp, AGENT_MAX_PORTS, port, v6);
	}
	fclose(f);
}

/* One /proc/net/tcp{,6} file: LISTEN sockets that the host can reach through the user-mode
 * network (bound to the wildcard address or to the guest's own address) into reach, and those
 * bound to a loopback address only into loop. */
static void scan_listeners(const char *path, bool v6, struct agent_ports *p)
{
	char line[512], addr[64];
	unsigned int port, state;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) { /* the header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", addr, &port,
			   &state) != 3 ||
		    state != 0x0A || !port || port > 65535)
			continue;
		/* :: or ::ffff:0.0.0.0 or ::ffff:10.0.2.15; ::1 or ::ffff:127.0.0.1 */
		if (v6 ? !strcmp(addr, "00000000000000000000000000000000") ||
			     !strcmp(addr, "0000000000000000FFFF000000000000") ||
			     !strcmp(addr, "0000000000000000FFFF00000F02000A")
		       : !strcmp(addr, "00000000") || !strcmp(addr, "0F02000A"))
			add_port(p->reach, NULL, &p->nreach, AGENT_MAX_PORTS, port, v6);
		else if (v6 ? !strcmp(addr, "00000000000000000000000001000000") ||
				      !strcmp(addr, "0000000000000000FFFF00000100007F")
				: !strcmp(addr, "0100007F"))
			add_port(p->loop, p->loop_v6, &p->nloop, AGENT_MAX_PORTS, port, v6);
	}
	fclose(f);
}

void agent_listen_ports(struct agent_ports *p)
{
	p->nreach = p->nloop = p->nudp = 0;
	scan_listeners("/proc/net/tcp", false, p);
	scan_listeners("/proc/net/tcp6", true, p);
	scan_udp("/proc/net/udp", false, p);
	scan_udp("/proc/net/udp6", true, p);
}
