/* SPDX-License-Identifier: MIT */
/* Network helper of tests/vm/vm_net.sh (python starts too slowly under TCG):
 *   nettool echo ADDR            a TCP server and client in one process over ADDR (127.0.0.1,
 *                                ::1): prints the echoed line
 *   nettool serve ADDR PORT FILE SECONDS
 *                                an HTTP/1.0 server answering every request with FILE (up to
 *                                1 MiB); prints
 *                                "listening" once it listens and stops after SECONDS
 *   nettool get HOST PORT        one HTTP/1.0 GET /, body to stdout (exit 1 on failure)
 *   nettool udpserve ADDR PORT SECONDS
 *                                a UDP server that answers every datagram with "echo: " and
 *                                the datagram; prints "listening", stops after SECONDS
 *   nettool udpsend HOST PORT TEXT
 *                                sends TEXT (again every 500 ms, up to 10 s, until answered)
 *                                and prints the answer (exit 1 without one) */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "nettool: %s: %s\n", what, strerror(errno));
	return 1;
}

static int addr_of(const char *host, const char *port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai;
	int r = getaddrinfo(host, port, &hints, &ai);

	if (r) {
		fprintf(stderr, "nettool: %s: %s\n", host, gai_strerror(r));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int do_echo(const char *host)
{
	static const char msg[] = "hello over loopback\n";
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];
	ssize_t n;
	int srv, cli, con;

	if (addr_of(host, "0", &ss, &len) < 0)
		return 1;
	srv = socket(ss.ss_family, SOCK_STREAM, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&ss, len) < 0 || listen(srv, 1) < 0)
		return fail("listen");
	if (getsockname(srv, (struct sockaddr *)&ss, &len) < 0)
		return fail("getsockname");
	cli = socket(ss.ss_family, SOCK_STREAM, 0);
	/* the backlog takes the connection before accept, so one thread is enough */
	if (cli < 0 || connect(cli, (struct sockaddr *)&ss, len) < 0)
		return fail("connect");
	con = accept(srv, NULL, NULL);
	if (con < 0)
		return fail("accept");
	if (write(cli, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		return fail("write");
	n = read(con, buf, sizeof(buf));
	if (n <= 0 || write(con, buf, (size_t)n) != n)
		return fail("echo");
	n = read(cli, buf, sizeof(buf));
	if (n <= 0)
		return fail("read");
	fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

static int do_serve(const char *host, const char *port, const char *file, int seconds)
{
	struct sockaddr_storage ss;
	socklen_t len;
	time_t end = time(NULL) + seconds;
	int srv, one = 1;
	FILE *f;
	static char body[1 << 20];
	size_t blen;

	f = fopen(file, "r");
	if (!f)
		return fail(file);
	blen = fread(body, 1, sizeof(body), f);
	fclose(f);
	if (addr_of(host, port, &ss, &len) < 0)
		return 1;
	srv = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (srv < 0 || bind(srv, (struct sockaddr *)&ss, len) < 0 || listen(srv, 8) < 0)
		return fail("listen");
	printf("listening\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = {.fd = srv, .events = POLLIN};
		char req[2048], head[128];
		int c;

		if (poll(&p, 1, 200) <= 0)
			continue;
		c = accept(srv, NULL, NULL);
		if (c < 0)
			continue;
		(void)!read(c, req, sizeof(req));
		snprintf(head, sizeof(head),
			 "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 blen);
		(void)!write(c, head, strlen(head));
		for (size_t off = 0; off < blen;) {
			ssize_t w = write(c, body + off, blen - off);

			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(c);
	}
	return 0;
}

static int do_get(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	static char buf[(1 << 20) + 4096];
	char *body;
	size_t have = 0;
	ssize_t n;
	int s;

	if (addr_of(host, port, &ss, &len) < 0)
		return 1;
	s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&ss, len) < 0)
		return fail("connect");
	dprintf(s, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", host);
	while (have < sizeof(buf) - 1 && (n = read(s, buf + have, sizeof(buf) - 1 - have)) > 0)
		have += (size_t)n;
	buf[have] = 0;
	body = strstr(buf, "\r\n\r\n");
	if (strncmp(buf, "HTTP/1.", 7) || !body) {
		fprintf(stderr, "nettool: no HTTP answer\n");
		return 1;
	}
	fwrite(body + 4, 1, have - (size_t)(body + 4 - buf), stdout);
	return 0;
}

static int do_udpserve(const char *host, const char *port, int seconds)
{
	struct sockaddr_storage ss, from;
	socklen_t len, flen;
	time_t end = time(NULL) + seconds;
	char buf[2048];
	int s;

	if (addr_of(host, port, &ss, &len) < 0)
		return 1;
	s = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&ss, len) < 0)
		return fail("bind");
	printf("listening\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		flen = sizeof(from);
		memcpy(buf, "echo: ", 6);
		n = recvfrom(s, buf + 6, sizeof(buf) - 6, 0, (struct sockaddr *)&from, &flen);
		if (n >= 0)
			sendto(s, buf, (size_t)n + 6, 0, (struct sockaddr *)&from, flen);
	}
	return 0;
}

static int do_udpsend(const char *host, const char *port, const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[2048];
	int s, i;

	if (addr_of(host, port, &ss, &len) < 0)
		return 1;
	s = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&ss, len) < 0)
		return fail("connect");
	for (i = 0; i < 20; i++) {
		struct pollfd p = {.fd = s, .events = POLLIN};
		ssize_t n;

		(void)!send(s, text, strlen(text), 0);
		if (poll(&p, 1, 500) <= 0)
			continue;
		n = recv(s, buf, sizeof(buf), 0);
		if (n > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			putchar('\n');
			return 0;
		}
	}
	fprintf(stderr, "nettool: no UDP answer from %s port %s\n", host, port);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "echo"))
		return do_echo(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "serve"))
		return do_serve(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (argc == 4 && !strcmp(argv[1], "get"))
		return do_get(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "udpserve"))
		return do_udpserve(argv[2], argv[3], atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "udpsend"))
		return do_udpsend(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: nettool echo ADDR | serve ADDR PORT FILE SECONDS | get HOST PORT\n");
	return 2;
}
