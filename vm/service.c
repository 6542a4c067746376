/* SPDX-License-Identifier: MIT */
/* The VM service: owns the VM, routes client sessions onto the one control channel (libuv). */
#include "vm/backend.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "abi/linux_errno.h"
#include "vm/fwd6.h"
#include "vm/interop.h"
#include "vm/x11relay.h"

#define BOOT_TIMEOUT_MS (180 * 1000) /* TCG on a busy 2-core host can be slow */
#define KVM_TIMEOUT_MS	(30 * 1000)
#define STOP_TIMEOUT_MS (10 * 1000)
#define QMP_TIMEOUT_MS	(5 * 1000)
#define MAX_FWD		256
#define X11_SCAN_MS	2000 /* how often the host's /tmp/.X11-unix is looked at */

struct client {
	uv_pipe_t pipe;
	struct vm_buf rx;
	size_t dropped;
	uint32_t sid;  /* this connection's session id on the channel */
	bool running;  /* an EXEC was forwarded and no EXIT came back yet */
	bool flushing; /* closing once the queued frames are written */
	uv_shutdown_t shut;
	struct client *next;
};

static struct service {
	const struct vm_config *cfg;
	const struct vm_backend *be;
	struct vm_instance vm;
	uv_loop_t *loop;
	uv_pipe_t chan, listener;
	uv_signal_t sigchld, sigterm, sigint;
	uv_timer_t idle, boot, last, helper_lost;
	struct vm_buf rx;
	size_t dropped;
	struct client *clients;
	int nclients;
	uint32_t next_sid;
	int ready_fd;
	bool ready, stopping, listening, chan_open;
	bool faults; /* honour VM_MSG_INJECT */
	bool fallback_done, restart_pending, chan_dead;
	uint64_t start_ms, ready_ms;
	char accel_why[VM_WHY_LEN];
	char sock_path[PATH_MAX];
	char died[VM_WHY_LEN];
	char helper_died[VM_WHY_LEN]; /* how virtiofsd ended, reported if QEMU did not */
	vm_log_fn log;
	struct vm_kernel kernel; /* what the VM boots, for the status */
	int qmp_fd; /* QEMU's monitor, connected on first use; -1 before */
	struct fwd {
		uint16_t port;
		bool udp;
		bool busy; /* the host port could not be taken: reported once, not forwarded */
	} fwd[MAX_FWD];
	int nfwd;
	uv_tcp_t x11;		/* the X11 relay's listener */
	uv_timer_t x11_scan;
	uint16_t x11_port;	/* 0: no X11 forwarding */
	uint8_t x11_token[VM_X11_TOKEN];
	uint8_t x11_disp[64];	/* the displays last told to the agent */
	int nx11;		/* how many; -1: tell the agent even an empty set */
} svc;

/* The service's diary goes to the front end's logger (STATE/service.log), never to a user. */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	char msg[VM_WHY_LEN * 2];
	va_list ap;

	if (!svc.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	svc.log(msg);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	static char space[65536];

	*buf = uv_buf_init(space, sizeof(space));
}

static void on_written(uv_write_t *w, int status)
{
	free(w);
}

/* Queue one frame; libuv keeps the bytes until written (freed with the request). */
static void send_to(uv_stream_t *s, uint8_t type, uint32_t sid, const void *p, size_t n)
{
	uv_write_t *w = malloc(sizeof(*w) + VM_PROTO_HDR + n);
	uint8_t *b;
	uv_buf_t buf;

	if (!w)
		return;
	b = (uint8_t *)(w + 1);
	vm_proto_put_hdr(b, type, sid, (uint32_t)n);
	if (n)
		memcpy(b + VM_PROTO_HDR, p, n);
	buf = uv_buf_init((char *)b, (unsigned int)(VM_PROTO_HDR + n));
	if (uv_write(w, s, &buf, 1, on_written) < 0)
		free(w);
}

/* A frame onto the control channel, for the host programs of vm/interop.c. */
static void chan_send(uint8_t type, uint32_t sid, const void *p, size_t n)
{
	if (svc.chan_open)
		send_to((uv_stream_t *)&svc.chan, type, sid, p, n);
}

static void send_error_to(uv_stream_t *s, uint32_t sid, int err, const char *msg)
{
	uint8_t buf[VM_WHY_LEN + 4];
	size_t n = strlen(msg);

	if (n > VM_WHY_LEN)
		n = VM_WHY_LEN;
	vm_put32(buf, (uint32_t)err);
	memcpy(buf + 4, msg, n);
	send_to(s, VM_MSG_ERROR, sid, buf, n + 4);
}

static void ready_report(const char *msg)
{
	if (svc.ready_fd < 0)
		return;
	(void)!write(svc.ready_fd, msg, strlen(msg));
	close(svc.ready_fd);
	svc.ready_fd = -1;
}

static void fwd_list(char *out, size_t len, bool busy);
static void x11_start(void);

static void status_text(char *out, size_t len)
{
	uint64_t now = uv_now(svc.loop);
	struct client *c;
	int running = 0;
	char fwd[512], busy[512], x11[400];

	for (c = svc.clients; c; c = c->next)
		running += c->running;
	fwd_list(fwd, sizeof(fwd), false);
	fwd_list(busy, sizeof(busy), true);
	x11[0] = 0;
	for (int i = 0; i < svc.nx11 && svc.x11_port; i++)
		snprintf(x11 + strlen(x11), sizeof(x11) - strlen(x11), "%s:%u", i ? "," : "",
			 svc.x11_disp[i]);

	snprintf(out, len,
		 "state=%s\npid=%d\nqemu_pid=%d\nvirtiofsd_pid=%d\naccel=%s\naccel_why=%s\n"
		 "boot_ms=%llu\nuptime_s=%llu\nclients=%d\ncommands=%d\nroot=%s\nshare_9p=%s\n"
		 "virtiofs=%s\nmem_mb=%u\ncpus=%u\nidle_timeout_s=%u\nstate_dir=%s\nnet=%s\n"
		 "forward=%s\nforwarded=%s\nbusy=%s\nkernel=%s\nkernel_image=%s\nx11=%s\n"
		 "interop=%s\ninterop_running=%d\n",
		 svc.stopping ? "stopping"
		 : svc.ready  ? "running"
			      : "booting",
		 getpid(), svc.vm.pid, svc.vm.helper_pid, svc.vm.accel, svc.accel_why,
		 (unsigned long long)(svc.ready ? svc.ready_ms - svc.start_ms : 0),
		 (unsigned long long)((now - svc.start_ms) / 1000), svc.nclients, running,
		 svc.cfg->root_share == VM_SHARE_VIRTIOFS && svc.cfg->virtiofs ? "virtiofs" : "9p",
		 svc.cfg->opts_9p, svc.cfg->virtiofs ? svc.cfg->vfs_cache : "off", svc.cfg->mem_mb,
		 svc.cfg->cpus, svc.cfg->idle_s, svc.cfg->state_dir, svc.cfg->net ? "user" : "off",
		 svc.cfg->forward ? "on" : "off", fwd, busy, svc.kernel.version, svc.kernel.image,
		 x11, svc.cfg->interop ? "on" : "off", vm_interop_running());
}

static void on_closed_free(uv_handle_t *h)
{
	struct client *c = h->data;

	vm_buf_free(&c->rx);
	free(c);
}

static void on_idle(uv_timer_t *t);

static void idle_update(void)
{
	if (!svc.ready || svc.stopping || !svc.cfg->idle_s)
		return;
	if (svc.nclients == 0)
		uv_timer_start(&svc.idle, on_idle, (uint64_t)svc.cfg->idle_s * 1000, 0);
	else
		uv_timer_stop(&svc.idle);
}

static void on_client_shut(uv_shutdown_t *req, int status)
{
	struct client *c = req->data;

	uv_close((uv_handle_t *)&c->pipe, on_closed_free);
}

/* flush: let the frames already queued (an error message) reach the client first */
static void client_drop(struct client *c, bool flush)
{
	struct client **pp;

	for (pp = &svc.clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	/* the user's lxrun went away (killed, terminal closed): its command goes with it */
	if (c->running && svc.chan_open) {
		uint8_t sig[4];

		vm_put32(sig, SIGKILL);
		send_to((uv_stream_t *)&svc.chan, VM_MSG_SIGNAL, c->sid, sig, 4);
	}
	svc.nclients--;
	vm_interop_client_gone(c->sid);
	uv_read_stop((uv_stream_t *)&c->pipe);
	c->shut.data = c;
	if (flush && uv_shutdown(&c->shut, (uv_stream_t *)&c->pipe, on_client_shut) == 0)
		c->flushing = true;
	else
		uv_close((uv_handle_t *)&c->pipe, on_closed_free);
	idle_update();
}

static void on_close_noop(uv_handle_t *h)
{
}

static void shutdown_begin(const char *why);

static void client_frame(struct client *c, const struct vm_frame_hdr *h, const uint8_t *p)
{
	char text[4096];

	switch (h->type) {
	case VM_MSG_HELLO:
	case VM_MSG_STATUS:
		status_text(text, sizeof(text));
		send_to((uv_stream_t *)&c->pipe, h->type, 0, text, strlen(text));
		return;
	case VM_MSG_STOP:
		shutdown_begin("lxrun vm stop");
		return;
	case VM_MSG_INJECT:
		if (svc.faults && svc.chan_open) {
			uv_write_t *w = malloc(sizeof(*w) + h->len);
			uv_buf_t buf;

			if (!w)
				return;
			memcpy(w + 1, p, h->len);
			buf = uv_buf_init((char *)(w + 1), h->len);
			if (uv_write(w, (uv_stream_t *)&svc.chan, &buf, 1, on_written) < 0)
				free(w);
		}
		return;
	case VM_MSG_EXEC:
		if (c->running) {
			send_error_to((uv_stream_t *)&c->pipe, 0, -LINUX_EBUSY,
				      "one command per connection");
			return;
		}
		c->running = true;
		{
			/* its environment and directory serve the host programs it asks for */
			uv_os_fd_t fd;

			if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0)
				vm_interop_client_exec(c->sid, fd, p, h->len);
		}
		break;
	case VM_MSG_STDIN:
	case VM_MSG_ACK:
	case VM_MSG_SIGNAL:
	case VM_MSG_WINSIZE:
	case VM_MSG_CLOSE:
	case VM_MSG_PING:
		break;
	default:
		return; /* POWEROFF and agent-side types are not a client's to send */
	}
	if (svc.chan_open)
		send_to((uv_stream_t *)&svc.chan, h->type, c->sid, p, h->len);
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct client *c = s->data;
	struct vm_frame_hdr h;
	uint8_t *payload;

	if (n < 0 || vm_buf_append(&c->rx, buf->base, (size_t)n) < 0) {
		client_drop(c, false);
		return;
	}
	while (vm_buf_frame(&c->rx, &h, &payload, &c->dropped) == 1) {
		client_frame(c, &h, payload);
		vm_buf_consume(&c->rx, VM_PROTO_HDR + h.len);
	}
}

static void on_connection(uv_stream_t *server, int status)
{
	struct client *c;

	if (status < 0 || !(c = calloc(1, sizeof(*c))))
		return;
	uv_pipe_init(svc.loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0) {
		uv_close((uv_handle_t *)&c->pipe, on_closed_free);
		return;
	}
	if (svc.stopping) {
		uv_close((uv_handle_t *)&c->pipe, on_closed_free);
		return;
	}
	c->sid = svc.next_sid++;
	if (!svc.next_sid || svc.next_sid >= VM_HOST_SID) /* those are the agent's */
		svc.next_sid = 1;
	svc.faults = getenv("LXRUN_VM_FAULTS") && !strcmp(getenv("LXRUN_VM_FAULTS"), "1");
	c->next = svc.clients;
	svc.clients = c;
	svc.nclients++;
	idle_update();
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_client_read);
}

static int listen_start(void)
{
	int r;

	unlink(svc.sock_path);
	uv_pipe_init(svc.loop, &svc.listener, 0);
	r = uv_pipe_bind(&svc.listener, svc.sock_path);
	if (!r)
		r = uv_listen((uv_stream_t *)&svc.listener, 64, on_connection);
	if (r < 0)
		return r;
	chmod(svc.sock_path, 0600);
	svc.listening = true;
	return 0;
}

static struct client *client_by_sid(uint32_t sid)
{
	struct client *c;

	for (c = svc.clients; c; c = c->next)
		if (c->sid == sid)
			return c;
	return NULL;
}

/* One line (up to \n) from the monitor into out; false on timeout, error or end. */
static bool qmp_line(char *out, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = {.fd = svc.qmp_fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, QMP_TIMEOUT_MS) <= 0)
			return false;
		r = read(svc.qmp_fd, out + n, 1);
		if (r <= 0)
			return false;
		if (out[n++] == '\n')
			break;
	}
	out[n] = 0;
	return true;
}

/* Send one QMP command and wait for its answer (events that come first are skipped). */
static bool qmp_call(const char *json, char *out, size_t len)
{
	size_t n = strlen(json);

	if (write(svc.qmp_fd, json, n) != (ssize_t)n)
		return false;
	while (qmp_line(out, len))
		if (strstr(out, "\"return\"") || strstr(out, "\"error\""))
			return !strstr(out, "\"error\"");
	return false;
}

static bool qmp_open(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[PATH_MAX], line[1024];
	int fd;

	if (svc.qmp_fd >= 0)
		return true;
	if (vm_path(svc.cfg, "qmp.sock", path) || strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		say("cannot connect to QEMU's monitor %s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	svc.qmp_fd = fd;
	/* the greeting, then capabilities negotiation leaves command mode on */
	if (!qmp_line(line, sizeof(line)) ||
	    !qmp_call("{\"execute\":\"qmp_capabilities\"}\n", line, sizeof(line))) {
		say("QEMU's monitor did not answer");
		close(fd);
		svc.qmp_fd = -1;
		return false;
	}
	return true;
}

/* Only the monitor's socket: the forward table is left alone (ports_update walks it while
 * talking to the monitor, and a monitor that stopped answering must not shrink it under it). */
static void qmp_close(void)
{
	if (svc.qmp_fd >= 0)
		close(svc.qmp_fd);
	svc.qmp_fd = -1;
}

/* A new QEMU has none of the old one's forwards. */
static void fwd_forget(void)
{
	for (int i = 0; i < svc.nfwd; i++)
		if (!svc.fwd[i].busy)
			vm_fwd6_remove(svc.fwd[i].port, svc.fwd[i].udp);
	svc.nfwd = 0;
}

/* A human-monitor command; true when it printed nothing (hostfwd_* print only errors). */
static bool hmp(const char *cmd, char *err, size_t errlen)
{
	char json[256], line[1024], *p, *q;

	snprintf(err, errlen, "QEMU's monitor is not reachable");
	if (!qmp_open())
		return false;
	snprintf(json, sizeof(json),
		 "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":"
		 "\"%s\"}}\n",
		 cmd);
	if (!qmp_call(json, line, sizeof(line))) {
		snprintf(err, errlen, "no answer from QEMU's monitor");
		qmp_close();
		return false;
	}
	p = strstr(line, "\"return\": \"");
	if (!p || p[11] == '"')
		return true;
	p += 11;
	q = strstr(p, "\\r\\n");
	snprintf(err, errlen, "%.*s", q ? (int)(q - p) : (int)strcspn(p, "\""), p);
	return false;
}

static void fwd_tell_clients(const char *msg)
{
	struct client *c;

	for (c = svc.clients; c; c = c->next)
		if (c->running)
			send_error_to((uv_stream_t *)&c->pipe, c->sid, -LINUX_EADDRINUSE, msg);
}

/* The agent's listening ports (TCP, or UDP servers): forward the new ones on the host's
 * 127.0.0.1 (QEMU) and ::1 (vm/fwd6.c), drop the forwards of the gone ones. */
static void ports_update(const uint8_t *p, size_t len, bool udp)
{
	const char *proto = udp ? "udp" : "tcp";
	uint16_t now[MAX_FWD];
	char cmd[96], err[256];
	int i, j, n = 0;

	for (i = 0; i + 1 < (int)len && n < MAX_FWD; i += 2)
		now[n++] = (uint16_t)(p[i] | p[i + 1] << 8);
	for (i = 0; i < svc.nfwd; i++) {
		bool still = svc.fwd[i].udp != udp;

		for (j = 0; j < n; j++)
			still |= now[j] == svc.fwd[i].port;
		if (still)
			continue;
		if (!svc.fwd[i].busy) {
			vm_fwd6_remove(svc.fwd[i].port, udp);
			snprintf(cmd, sizeof(cmd), "hostfwd_remove n0 %s:127.0.0.1:%u", proto,
				 svc.fwd[i].port);
			/* it answers "host forwarding rule for ... removed" */
			if (hmp(cmd, err, sizeof(err)) || strstr(err, " removed"))
				say("port %u/%s: forward removed", svc.fwd[i].port, proto);
			else
				say("port %u/%s: %s: %s", svc.fwd[i].port, proto, cmd, err);
		}
		svc.fwd[i--] = svc.fwd[--svc.nfwd];
	}
	for (j = 0; j < n; j++) {
		bool known = false;

		for (i = 0; i < svc.nfwd; i++)
			known |= svc.fwd[i].port == now[j] && svc.fwd[i].udp == udp;
		if (known || svc.nfwd == MAX_FWD)
			continue;
		svc.fwd[svc.nfwd].port = now[j];
		svc.fwd[svc.nfwd].udp = udp;
		snprintf(cmd, sizeof(cmd), "hostfwd_add n0 %s:127.0.0.1:%u-:%u", proto, now[j],
			 now[j]);
		svc.fwd[svc.nfwd].busy = !hmp(cmd, err, sizeof(err));
		if (svc.fwd[svc.nfwd].busy) {
			char msg[VM_WHY_LEN];

			snprintf(msg, sizeof(msg),
				 "the guest listens on %s port %u, but 127.0.0.1:%u on the host is "
				 "in use or not allowed: not forwarded (%s)",
				 udp ? "UDP" : "TCP", now[j], now[j], err);
			say("%s", msg);
			fwd_tell_clients(msg);
		} else {
			say("port %u/%s: forwarded from the host's 127.0.0.1%s", now[j], proto,
			    vm_fwd6_add(now[j], udp) ? "" : " and ::1");
		}
		svc.nfwd++;
	}
}

/* "8000,8080" of the forwarded (busy false) or refused (busy true) ports. */
static void fwd_list(char *out, size_t len, bool busy)
{
	size_t n = 0;
	int i;

	out[0] = 0;
	for (i = 0; i < svc.nfwd && n + 12 < len; i++)
		if (svc.fwd[i].busy == busy)
			n += (size_t)snprintf(out + n, len - n, "%s%u%s", n ? "," : "",
					      svc.fwd[i].port, svc.fwd[i].udp ? "/udp" : "");
}

/* Tell the agent the host's X displays when they changed (and once after it is ready). */
static void on_x11_scan(uv_timer_t *t)
{
	uint8_t d[64], msg[2 + VM_X11_TOKEN + 64];
	int n;

	if (!svc.chan_open || !svc.ready || svc.stopping)
		return;
	n = vm_x11_displays(d, (int)sizeof(d));
	if (n == svc.nx11 && !memcmp(d, svc.x11_disp, (size_t)n))
		return;
	msg[0] = (uint8_t)svc.x11_port;
	msg[1] = (uint8_t)(svc.x11_port >> 8);
	memcpy(msg + 2, svc.x11_token, VM_X11_TOKEN);
	memcpy(msg + 2 + VM_X11_TOKEN, d, (size_t)n);
	send_to((uv_stream_t *)&svc.chan, VM_MSG_X11, 0, msg, 2 + VM_X11_TOKEN + (size_t)n);
	memcpy(svc.x11_disp, d, (size_t)n);
	svc.nx11 = n;
}

/* X11 forwarding rides on the user-mode network and is switched with port forwarding. */
static void x11_start(void)
{
	int r;

	if (!svc.cfg->net || !svc.cfg->forward || svc.x11_port)
		return;
	if (getrandom(svc.x11_token, sizeof(svc.x11_token), 0) != (ssize_t)sizeof(svc.x11_token)) {
		say("X11 forwarding is off: no random token: %s", strerror(errno));
		return;
	}
	r = vm_x11_listen(svc.loop, &svc.x11, &svc.x11_port, svc.x11_token, say);
	if (r < 0) {
		say("X11 forwarding is off: cannot listen on 127.0.0.1: %s", uv_strerror(r));
		svc.x11_port = 0;
		return;
	}
	svc.nx11 = -1;
	uv_timer_start(&svc.x11_scan, on_x11_scan, 0, X11_SCAN_MS);
}

static void chan_frame(const struct vm_frame_hdr *h, const uint8_t *p)
{
	struct client *c;

	if (h->type == VM_MSG_HELLO && !svc.ready) {
		svc.ready = true;
		svc.ready_ms = uv_now(svc.loop);
		uv_timer_stop(&svc.boot);
		if (listen_start() < 0) {
			ready_report("error: cannot listen on the service socket\n");
			shutdown_begin("cannot listen");
			return;
		}
		ready_report("ok\n");
		x11_start();
		say("ready after %llu ms (%s: %s)",
		    (unsigned long long)(svc.ready_ms - svc.start_ms), svc.vm.accel, svc.accel_why);
		idle_update();
		return;
	}
	if (h->session & VM_HOST_SID) { /* a host program a guest program asked for */
		vm_interop_frame(h, p);
		return;
	}
	if (!h->session) {
		if ((h->type == VM_MSG_PORTS || h->type == VM_MSG_UDP_PORTS) && svc.cfg->forward &&
		    svc.cfg->net)
			ports_update(p, h->len, h->type == VM_MSG_UDP_PORTS);
		if (h->type == VM_MSG_ERROR && h->len >= 4)
			say("agent: %.*s", (int)h->len - 4, (const char *)p + 4);
		return;
	}
	c = client_by_sid(h->session);
	if (!c) {
		/* nobody reads this session any more: keep its window open so it can finish */
		if ((h->type == VM_MSG_STDOUT || h->type == VM_MSG_STDERR) && svc.chan_open) {
			uint8_t ack[8];

			vm_put32(ack,
				 h->type == VM_MSG_STDOUT ? VM_STREAM_STDOUT : VM_STREAM_STDERR);
			vm_put32(ack + 4, h->len);
			send_to((uv_stream_t *)&svc.chan, VM_MSG_ACK, h->session, ack, 8);
		}
		return;
	}
	if (h->type == VM_MSG_EXIT)
		c->running = false;
	send_to((uv_stream_t *)&c->pipe, h->type, h->session, p, h->len);
}

static void vm_lost(const char *why);

static void chan_close(void);

static bool kvm_fallback(const char *what);
static void restart_maybe(void);

static void on_chan_lost(uv_timer_t *t)
{
	if (!kvm_fallback("the control channel closed"))
		vm_lost("the VM's control channel closed");
}

static void on_chan_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct vm_frame_hdr h;
	uint8_t *payload;

	if (n < 0) {
		/* usually QEMU died: give SIGCHLD a moment so the message can say how */
		chan_close();
		uv_timer_start(&svc.boot, on_chan_lost, 500, 0);
		return;
	}
	vm_buf_append(&svc.rx, buf->base, (size_t)n);
	while (vm_buf_frame(&svc.rx, &h, &payload, &svc.dropped) == 1) {
		chan_frame(&h, payload);
		vm_buf_consume(&svc.rx, VM_PROTO_HDR + h.len);
	}
}

static void on_last(uv_timer_t *t)
{
	uv_stop(svc.loop); /* a client that does not read its last frames can't hold us */
}

static void close_handle(uv_handle_t *h, void *arg)
{
	struct client *c = h->data;

	if (uv_is_closing(h) || h == (uv_handle_t *)&svc.last || (c && c->flushing))
		return;
	uv_close(h, NULL);
}

static void finish(void)
{
	char path[PATH_MAX];
	static bool done;

	if (done)
		return;
	done = true;

	vm_interop_stop();
	if (svc.vm.helper_pid > 0)
		kill(svc.vm.helper_pid, SIGTERM);
	if (!vm_path(svc.cfg, "ctl.sock", path))
		unlink(path);
	if (!vm_path(svc.cfg, "vfs.sock", path))
		unlink(path);
	if (!vm_path(svc.cfg, "vm.pid", path))
		unlink(path);
	/* the loop ends when the last client has been told */
	uv_walk(svc.loop, close_handle, NULL);
	uv_timer_start(&svc.last, on_last, 2000, 0);
	uv_unref((uv_handle_t *)&svc.last);
}

/* Tell every client, close everything; the loop ends once QEMU is reaped. */
static void clients_close_all(const char *why)
{
	struct client *c;

	for (c = svc.clients; c; c = c->next)
		if (c->running && why)
			send_error_to((uv_stream_t *)&c->pipe, c->sid, -LINUX_EPIPE, why);
	while (svc.clients) {
		c = svc.clients;
		c->running = false;
		client_drop(c, true);
	}
	if (svc.listening) {
		uv_close((uv_handle_t *)&svc.listener, on_close_noop);
		unlink(svc.sock_path);
		svc.listening = false;
	}
}

static void on_chan_closed(uv_handle_t *h);

static void chan_close(void)
{
	if (svc.chan_open) {
		svc.chan_open = false;
		uv_close((uv_handle_t *)&svc.chan, on_chan_closed);
	}
}

static void vm_lost(const char *why)
{
	if (svc.stopping && !svc.vm.pid) {
		finish();
		return;
	}
	if (!svc.died[0])
		snprintf(svc.died, sizeof(svc.died), "%s", why);
	if (!svc.ready) {
		char msg[VM_WHY_LEN + 32];

		snprintf(msg, sizeof(msg), "error: the VM did not boot: %s\n", why);
		ready_report(msg);
	}
	svc.stopping = true;
	clients_close_all(svc.died);
	chan_close();
	if (svc.vm.pid > 0)
		kill(svc.vm.pid, SIGKILL);
	else
		finish();
}

static void on_stop_timeout(uv_timer_t *t)
{
	if (svc.vm.pid > 0)
		kill(svc.vm.pid, SIGKILL);
}

static void shutdown_begin(const char *why)
{
	char msg[VM_WHY_LEN];

	if (svc.stopping)
		return;
	svc.stopping = true;
	uv_timer_stop(&svc.idle);
	say("stopping: %s", why);
	snprintf(msg, sizeof(msg), "the VM was stopped (%s)", why);
	clients_close_all(msg);
	if (svc.chan_open && svc.ready) {
		send_to((uv_stream_t *)&svc.chan, VM_MSG_POWEROFF, 0, NULL, 0);
		uv_timer_start(&svc.boot, on_stop_timeout, STOP_TIMEOUT_MS, 0);
	} else if (svc.vm.pid > 0) {
		kill(svc.vm.pid, SIGKILL);
	} else {
		finish(); /* no QEMU to wait for (between a failed KVM boot and the TCG one) */
	}
}

static void on_idle(uv_timer_t *t)
{
	if (svc.nclients == 0)
		shutdown_begin("idle timeout");
}

/* The guest's virtio-fs mounts hang without virtiofsd and QEMU cannot reconnect a
 * vhost-user-fs device: only a new VM serves again. */
static void on_helper_lost(uv_timer_t *t)
{
	if (svc.stopping || svc.vm.pid <= 0)
		return;
	say("%s", svc.helper_died);
	vm_lost(svc.helper_died);
}

/* "was killed by signal 9" or "exited with status 1" */
static const char *child_how(int status, char *out, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(out, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
	return out;
}

static void on_sigchld(uv_signal_t *s, int sig)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		char why[VM_WHY_LEN], msg0[64];

		if (pid == svc.vm.helper_pid) {
			svc.vm.helper_pid = 0;
			/* Killed for the TCG boot, or gone by itself because a KVM QEMU that
			 * could not run the guest dropped it (reaped before that QEMU): its pid
			 * file is free now. */
			if (svc.restart_pending || kvm_fallback("virtiofsd lost its QEMU")) {
				restart_maybe();
			} else if (!svc.stopping) {
				/* virtiofsd also ends when QEMU dies: give QEMU's exit a moment to
				 * be seen first, so the message names the cause */
				snprintf(svc.helper_died, sizeof(svc.helper_died),
					 "virtiofsd, the VM's virtio-fs server, %s (see "
					 "%s/virtiofsd.log): the VM was stopped; the next command "
					 "starts a new one",
					 child_how(status, why, sizeof(why)), svc.cfg->state_dir);
				uv_timer_start(&svc.helper_lost, on_helper_lost, 500, 0);
			}
			continue;
		}
		if (pid != svc.vm.pid) {
			vm_interop_reaped(pid, status);
			continue;
		}
		svc.vm.pid = 0;
		snprintf(why, sizeof(why), "QEMU %s", child_how(status, msg0, sizeof(msg0)));
		if (svc.restart_pending || kvm_fallback(why)) {
			chan_close();
			restart_maybe();
			continue;
		}
		if (!svc.stopping || !svc.ready) {
			char msg[VM_WHY_LEN * 2];

			snprintf(msg, sizeof(msg),
				 "the VM stopped unexpectedly (%s; see %s/console.log); the next "
				 "command starts a new one",
				 why, svc.cfg->state_dir);
			vm_lost(msg);
		}
		say("%s", why);
		clients_close_all(NULL);
		chan_close();
		finish();
	}
}

static void on_sigterm(uv_signal_t *s, int sig)
{
	shutdown_begin("the VM service got a signal");
}

/* The agent answers HELLO once it serves; QEMU holds our bytes until the port opens, but a
 * repeated HELLO costs nothing and covers a port that was reopened. */
static void on_boot_tick(uv_timer_t *t)
{
	if (svc.restart_pending)
		return;
	if (svc.ready)
		return;
	if (uv_now(svc.loop) - svc.start_ms >
	    (uint64_t)(strcmp(svc.vm.accel, "kvm") ? BOOT_TIMEOUT_MS : KVM_TIMEOUT_MS)) {
		if (!kvm_fallback("no answer from the agent"))
			vm_lost("timed out waiting for the agent");
		return;
	}
	send_to((uv_stream_t *)&svc.chan, VM_MSG_HELLO, 0, "host=1\n", 7);
}

/* Boot with `accel` and connect the channel; on failure the reason goes to the starter. */
static int vm_boot(const char *accel)
{
	char why[VM_WHY_LEN] = "", path[PATH_MAX], pid[32];
	int r, fd;

	svc.start_ms = uv_now(svc.loop);
	qmp_close(); /* a new QEMU (the TCG boot after a failed KVM one) */
	fwd_forget();
	r = svc.be->start(svc.cfg, accel, &svc.vm, why);
	if (r < 0 && !strcmp(accel, "kvm") && !svc.fallback_done) {
		svc.fallback_done = true;
		snprintf(svc.accel_why, sizeof(svc.accel_why),
			 "KVM failed to start the VM (%s): fell back to TCG", why);
		say("%s", svc.accel_why);
		r = svc.be->start(svc.cfg, "tcg", &svc.vm, why);
	}
	if (r < 0) {
		char msg[VM_WHY_LEN + 16];

		snprintf(msg, sizeof(msg), "error: %s\n", why);
		ready_report(msg);
		return r;
	}
	if (!vm_path(svc.cfg, "vm.pid", path)) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		snprintf(pid, sizeof(pid), "%d %d\n", getpid(), svc.vm.pid);
		if (fd >= 0) {
			(void)!write(fd, pid, strlen(pid));
			close(fd);
		}
	}
	uv_pipe_init(svc.loop, &svc.chan, 0);
	uv_pipe_open(&svc.chan, svc.vm.chan_fd);
	svc.chan_open = true;
	svc.chan_dead = false;
	uv_read_start((uv_stream_t *)&svc.chan, on_alloc, on_chan_read);
	uv_timer_start(&svc.boot, on_boot_tick, 0, 1000);
	return 0;
}

/* A KVM that exposes /dev/kvm but cannot run this kernel (QEMU aborts, or the guest never
 * answers): boot again under TCG, once, and say why in the status. */
static bool kvm_fallback(const char *what)
{
	if (svc.ready || svc.stopping || svc.fallback_done || strcmp(svc.vm.accel, "kvm"))
		return false;
	svc.fallback_done = true;
	snprintf(svc.accel_why, sizeof(svc.accel_why),
		 "KVM could not boot the guest (%s): fell back to TCG", what);
	say("%s", svc.accel_why);
	if (svc.vm.pid > 0)
		kill(svc.vm.pid, SIGKILL);
	if (svc.vm.helper_pid > 0)
		kill(svc.vm.helper_pid, SIGKILL); /* reaped in on_sigchld before the TCG boot */
	svc.restart_pending = true;
	return true;
}

/* The TCG boot waits for the old QEMU and virtiofsd to be reaped (a new virtiofsd cannot take
 * the old one's pid file lock before) and the channel handle to be closed. */
static void restart_maybe(void)
{
	if (!svc.restart_pending || svc.vm.pid > 0 || svc.vm.helper_pid > 0 || !svc.chan_dead)
		return;
	svc.restart_pending = false;
	if (vm_boot("tcg") < 0)
		finish();
}

static void on_chan_closed(uv_handle_t *h)
{
	svc.chan_dead = true;
	restart_maybe();
}

int vm_service_run(const struct vm_config *cfg, int lock_fd, int ready_fd, vm_log_fn log)
{
	struct vm_probe probe;

	memset(&svc, 0, sizeof(svc));
	svc.cfg = cfg;
	svc.be = &vm_backend_qemu;
	svc.ready_fd = ready_fd;
	svc.log = log;
	svc.next_sid = 1;
	svc.qmp_fd = -1;
	svc.faults = getenv("LXRUN_VM_FAULTS") && !strcmp(getenv("LXRUN_VM_FAULTS"), "1");
	svc.loop = uv_default_loop();
	vm_interop_init(svc.loop, cfg->interop, chan_send, say);
	vm_fwd6_init(svc.loop, say);
	if (vm_path(cfg, "vm.sock", svc.sock_path))
		return -LINUX_ENAMETOOLONG;
	{
		char why[VM_WHY_LEN];

		if (vm_kernel_find(cfg, &svc.kernel, why) < 0)
			say("%s", why);
	}
	svc.be->probe(cfg, &probe);
	snprintf(svc.accel_why, sizeof(svc.accel_why), "%s", probe.why);
	/* catch SIGCHLD before the children exist so no exit goes unseen */
	uv_signal_init(svc.loop, &svc.sigchld);
	uv_signal_start(&svc.sigchld, on_sigchld, SIGCHLD);
	uv_signal_init(svc.loop, &svc.sigterm);
	uv_signal_start(&svc.sigterm, on_sigterm, SIGTERM);
	uv_signal_init(svc.loop, &svc.sigint);
	uv_signal_start(&svc.sigint, on_sigterm, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	uv_timer_init(svc.loop, &svc.idle);
	uv_timer_init(svc.loop, &svc.boot);
	uv_timer_init(svc.loop, &svc.last);
	uv_timer_init(svc.loop, &svc.helper_lost);
	uv_timer_init(svc.loop, &svc.x11_scan);
	if (vm_boot(probe.accel) < 0)
		return -LINUX_EIO;
	uv_run(svc.loop, UV_RUN_DEFAULT);
	close(lock_fd);
	return svc.died[0] ? -LINUX_EPIPE : 0;
}
