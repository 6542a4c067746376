/* SPDX-License-Identifier: MIT */
/* The agent's request loop: frames from the control port, one child process per session. */
#include "vm/agent/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vm/proto.h"

#define MAX_SESSIONS 128
#define CTL_NAME     "lxrun.ctl"

struct session {
	uint32_t id;
	pid_t pid;
	int in_fd, out_fd, err_fd; /* -1 once closed */
	struct vm_buf inbuf;	   /* stdin bytes the child has not taken yet */
	bool in_eof;		   /* close in_fd once inbuf drains */
	uint32_t credit[3];	   /* stream bytes we may still send (stdout, stderr) */
	bool pty;
	bool exited;
	int status;
};

static struct session *sessions[MAX_SESSIONS];
static int chan = -1;
static bool host_seen; /* a host answered HELLO: the channel is read */

/* Listening TCP ports, as last told to the host (sorted). */
#define PORT_SCAN_MS  300  /* while a command runs */
#define PORT_IDLE_MS  2000 /* while none does (its background daemons may still listen) */
#define RELAY_FDS     (64 + 2 * 128) /* relay.c's listeners and pairs */
#define INTEROP_FDS   (1 + 64)	     /* interop.c's listener and lxrun-host connections */
static uint16_t ports_sent[AGENT_MAX_PORTS], udp_sent[AGENT_MAX_PORTS];
static int nports_sent = -1; /* -1: tell the host even an empty set */
static int nudp_sent = -1;
static size_t garbage_reported;

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			poll(&pfd, 1, 1000);
			continue;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_frame(uint8_t type, uint32_t sid, const void *p, size_t n)
{
	uint8_t hdr[VM_PROTO_HDR];
	int r;

	vm_proto_put_hdr(hdr, type, sid, (uint32_t)n);
	r = write_all(chan, hdr, sizeof(hdr));
	if (!r && n)
		r = write_all(chan, p, n);
	return r;
}

int agent_send_frame(uint8_t type, uint32_t sid, const void *p, size_t n)
{
	return chan >= 0 ? send_frame(type, sid, p, n) : -EPIPE;
}

static void send_error(uint32_t sid, int err, const char *msg)
{
	uint8_t buf[512];
	size_t n = strlen(msg);

	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	vm_put32(buf, (uint32_t)err);
	memcpy(buf + 4, msg, n);
	send_frame(VM_MSG_ERROR, sid, buf, n + 4);
}

static void send_exit(uint32_t sid, uint32_t kind, uint32_t value)
{
	uint8_t buf[8];

	vm_put32(buf, kind);
	vm_put32(buf + 4, value);
	send_frame(VM_MSG_EXIT, sid, buf, sizeof(buf));
}

static struct session *session_find(uint32_t id)
{
	int i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i] && sessions[i]->id == id)
			return sessions[i];
	return NULL;
}

/* The parent of pid from /proc/PID/stat (the command name may hold spaces and parentheses). */
static int parent_of(int pid)
{
	char path[64], buf[512], *p;
	int fd, ppid = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

uint32_t agent_session_of(int pid)
{
	int depth, i;

	for (depth = 0; pid > 1 && depth < 256; depth++, pid = parent_of(pid))
		for (i = 0; i < MAX_SESSIONS; i++)
			if (sessions[i] && sessions[i]->pid == pid)
				return sessions[i]->id;
	return 0;
}

static bool session_alive(const struct session *s)
{
	int i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i] == s)
			return true;
	return false;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void session_free(struct session *s)
{
	int i;

	close_fd(&s->in_fd);
	close_fd(&s->out_fd);
	close_fd(&s->err_fd);
	vm_buf_free(&s->inbuf);
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i] == s)
			sessions[i] = NULL;
	free(s);
}

/* What a shell would report: 127 not found, 126 found but not runnable. */
static int exec_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

static void child_exec(const struct vm_exec_msg *m, int slave, int in, int out, int err, int report,
		       bool private_bind)
{
	extern char **environ;
	int e;

	setsid();
	if (slave >= 0) {
		ioctl(slave, TIOCSCTTY, 0);
		in = out = err = slave;
	}
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	if (in > 2)
		close(in);
	if (out > 2 && out != in)
		close(out);
	if (err > 2 && err != in && err != out)
		close(err);
	signal(SIGPIPE, SIG_DFL);
	if ((private_bind && (e = -agent_bind_cwd_private(m->cwd, m->req.share)) != 0) ||
	    (chdir(m->cwd) < 0 && (e = errno))) {
		(void)!write(report, "C", 1);
		(void)!write(report, &e, sizeof(e));
		_exit(126);
	}
	environ = (char **)m->env;
	execvp(m->argv[0], (char *const *)m->argv);
	e = errno;
	(void)!write(report, "E", 1);
	(void)!write(report, &e, sizeof(e));
	_exit(exec_status(e));
}

static void session_start(uint32_t sid, const uint8_t *p, size_t n)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, rep[2];
	int master = -1, slave = -1, infile = -1, slot, e = 0, r;
	struct vm_exec_msg m;
	struct session *s;
	char what = 0, msg[600];
	bool private_bind = false;

	if (session_find(sid)) {
		send_error(sid, -EEXIST, "session id already in use");
		return;
	}
	for (slot = 0; slot < MAX_SESSIONS && sessions[slot]; slot++)
		;
	if (slot == MAX_SESSIONS) {
		send_error(sid, -EAGAIN, "too many sessions");
		send_exit(sid, 0, 125);
		return;
	}
	if (vm_exec_decode(p, n, &m) < 0) {
		send_error(sid, -EPROTO, "malformed exec request");
		send_exit(sid, 0, 125);
		return;
	}
	if (m.req.flags & VM_EXEC_BIND_CWD) {
		r = agent_bind_cwd(m.cwd, m.req.share);
		private_bind = r == 1;
		if (r < 0) {
			snprintf(msg, sizeof(msg), "cannot share %s into the VM: %s", m.cwd,
				 strerror(-r));
			send_error(sid, r, msg);
			send_exit(sid, 0, 125);
			goto out;
		}
	}
	if (m.req.flags & VM_EXEC_STDIN_FILE) {
		infile = agent_open_shared(m.stdin_path, m.req.share, m.req.stdin_off);
		if (infile < 0) {
			snprintf(msg, sizeof(msg), "cannot open stdin %s in the VM: %s",
				 m.stdin_path, strerror(-infile));
			send_error(sid, infile, msg);
			send_exit(sid, 0, 125);
			goto out;
		}
	}
	if (m.req.flags & VM_EXEC_PTY) {
		struct winsize ws = {.ws_row = m.req.rows, .ws_col = m.req.cols};

		if (openpty(&master, &slave, NULL, NULL, ws.ws_row ? &ws : NULL) < 0)
			goto fail;
		fcntl(master, F_SETFD, FD_CLOEXEC);
	} else if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 ||
		   pipe2(perr, O_CLOEXEC) < 0) {
		goto fail;
	}
	if (pipe2(rep, O_CLOEXEC) < 0)
		goto fail;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->id = sid;
	s->pid = fork();
	if (s->pid == 0) {
		sigset_t all;

		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		close(rep[0]);
		child_exec(&m, slave, infile >= 0 ? infile : pin[0], pout[1], perr[1], rep[1],
			   private_bind);
	}
	close(rep[1]);
	if (s->pid < 0) {
		close(rep[0]);
		free(s);
		goto fail;
	}
	/* The report pipe closes on a successful exec; otherwise it says what failed. */
	if (read(rep[0], &what, 1) == 1 && read(rep[0], &e, sizeof(e)) == sizeof(e)) {
		if (what == 'C')
			snprintf(msg, sizeof(msg), "%s: %s", m.cwd, strerror(e));
		else if (e == ENOENT)
			snprintf(msg, sizeof(msg), "%s: command not found", m.argv[0]);
		else
			snprintf(msg, sizeof(msg), "%s: %s", m.argv[0], strerror(e));
		send_error(sid, -e, msg);
	}
	close(rep[0]);
	if (master >= 0) {
		s->out_fd = master;
		s->in_fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
		s->err_fd = -1;
		s->pty = true;
		close(slave);
	} else {
		s->in_fd = pin[1];
		s->out_fd = pout[0];
		s->err_fd = perr[0];
		close(pin[0]);
		close(pout[1]);
		close(perr[1]);
		if (infile >= 0)
			close_fd(&s->in_fd);
	}
	close_fd(&infile);
	fcntl(s->in_fd, F_SETFL, O_NONBLOCK);
	fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
	if (s->err_fd >= 0)
		fcntl(s->err_fd, F_SETFL, O_NONBLOCK);
	s->credit[VM_STREAM_STDOUT] = s->credit[VM_STREAM_STDERR] = VM_PROTO_WINDOW;
	sessions[slot] = s;
	goto out;
fail:
	e = errno;
	snprintf(msg, sizeof(msg), "cannot start %s: %s", m.argv[0], strerror(e));
	send_error(sid, -e, msg);
	send_exit(sid, 0, 125);
	close_fd(&pin[0]);
	close_fd(&pin[1]);
	close_fd(&pout[0]);
	close_fd(&pout[1]);
	close_fd(&perr[0]);
	close_fd(&perr[1]);
	close_fd(&master);
	close_fd(&slave);
out:
	close_fd(&infile);
	free(m.argv);
	free(m.env);
}

/* Push buffered stdin into the child; the window is returned to the host as it drains. */
static void session_feed(struct session *s)
{
	uint8_t ack[8];
	ssize_t w;

	if (s->in_fd < 0) {
		s->inbuf.len = 0;
		return;
	}
	if (s->inbuf.len) {
		w = write(s->in_fd, s->inbuf.data, s->inbuf.len);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			/* the child closed its stdin: swallow the rest, as a pipe reader would */
			w = (ssize_t)s->inbuf.len;
			close_fd(&s->in_fd);
		}
		if (w > 0) {
			vm_buf_consume(&s->inbuf, (size_t)w);
			vm_put32(ack, VM_STREAM_STDIN);
			vm_put32(ack + 4, (uint32_t)w);
			send_frame(VM_MSG_ACK, s->id, ack, sizeof(ack));
		}
	}
	if (!s->inbuf.len && s->in_eof && s->in_fd >= 0 && !s->pty)
		close_fd(&s->in_fd);
}

/* Read one chunk of stdout/stderr; returns false when the stream has nothing more now. */
static bool session_pump(struct session *s, int stream)
{
	int *fd = stream == VM_STREAM_STDOUT ? &s->out_fd : &s->err_fd;
	uint8_t buf[VM_PROTO_CHUNK];
	size_t want = s->credit[stream] < sizeof(buf) ? s->credit[stream] : sizeof(buf);
	ssize_t n;

	if (*fd < 0 || !want)
		return false;
	n = read(*fd, buf, want);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n <= 0) { /* EOF, or EIO from a pty whose slave side is gone */
		close_fd(fd);
		if (s->pty)
			close_fd(&s->in_fd); /* pty: in_fd is a dup of the master */
		return false;
	}
	s->credit[stream] -= (uint32_t)n;
	send_frame(stream == VM_STREAM_STDOUT ? VM_MSG_STDOUT : VM_MSG_STDERR, s->id, buf,
		   (size_t)n);
	return true;
}

/* A session ends when its child is reaped and its output is drained (or can't be read now):
 * a background grandchild holding the pipe open must not keep the command alive. */
static void session_maybe_finish(struct session *s)
{
	if (!s->exited)
		return;
	while (session_pump(s, VM_STREAM_STDOUT))
		;
	while (session_pump(s, VM_STREAM_STDERR))
		;
	if ((s->out_fd >= 0 && !s->credit[VM_STREAM_STDOUT]) ||
	    (s->err_fd >= 0 && !s->credit[VM_STREAM_STDERR]))
		return; /* wait for the host to take what is buffered */
	if (WIFSIGNALED(s->status))
		send_exit(s->id, 1,
			  (uint32_t)WTERMSIG(s->status) | (WCOREDUMP(s->status) ? 0x80 : 0));
	else
		send_exit(s->id, 0, (uint32_t)WEXITSTATUS(s->status));
	session_free(s);
}

static void reap_children(void)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MAX_SESSIONS; i++) {
			if (sessions[i] && sessions[i]->pid == pid) {
				sessions[i]->exited = true;
				sessions[i]->status = status;
				session_maybe_finish(sessions[i]);
				break;
			}
		}
	}
}

static void handle_frame(const struct vm_frame_hdr *h, const uint8_t *p)
{
	struct session *s = h->session ? session_find(h->session) : NULL;

	if (h->session & VM_HOST_SID) { /* a guest program's host program (interop.c) */
		agent_interop_frame(h->type, h->session, p, h->len);
		return;
	}
	switch (h->type) {
	case VM_MSG_HELLO:
		send_frame(VM_MSG_HELLO, 0, "agent=1\n", 8);
		host_seen = true;
		nports_sent = nudp_sent = -1; /* a new service knows nothing of our ports */
		return;
	case VM_MSG_PING:
		send_frame(VM_MSG_PONG, h->session, p, h->len);
		return;
	case VM_MSG_EXEC:
		if (!h->session)
			send_error(0, -EINVAL, "exec on session 0");
		else
			session_start(h->session, p, h->len);
		return;
	case VM_MSG_X11:
		if (h->len >= 2 + AGENT_X11_TOKEN && h->len <= 2 + AGENT_X11_TOKEN + 256)
			agent_relay_x11((uint16_t)(p[0] | p[1] << 8), p + 2, p + 2 + AGENT_X11_TOKEN,
					(int)h->len - 2 - AGENT_X11_TOKEN);
		return;
	case VM_MSG_POWEROFF:
		agent_poweroff();
	default:
		break;
	}
	if (!s)
		return; /* a late frame for a finished session is normal */
	switch (h->type) {
	case VM_MSG_STDIN:
		if (h->len == 0)
			s->in_eof = true;
		else if (s->in_fd >= 0)
			vm_buf_append(&s->inbuf, p, h->len);
		else
			break;
		session_feed(s);
		break;
	case VM_MSG_ACK:
		if (h->len == 8 && vm_get32(p) >= 1 && vm_get32(p) <= 2) {
			s->credit[vm_get32(p)] += vm_get32(p + 4);
			if (s->credit[vm_get32(p)] > VM_PROTO_WINDOW)
				s->credit[vm_get32(p)] = VM_PROTO_WINDOW;
			session_maybe_finish(s);
		}
		break;
	case VM_MSG_SIGNAL:
		if (h->len == 4 && vm_get32(p) > 0 && vm_get32(p) < 65 &&
		    kill(-s->pid, (int)vm_get32(p)) < 0)
			kill(s->pid, (int)vm_get32(p));
		break;
	case VM_MSG_WINSIZE:
		if (h->len == 4 && s->pty && s->out_fd >= 0) {
			struct winsize ws = {.ws_row = p[0] | p[1] << 8,
					     .ws_col = p[2] | p[3] << 8};

			ioctl(s->out_fd, TIOCSWINSZ, &ws);
		}
		break;
	case VM_MSG_CLOSE:
		/* the host's reader went away: close ours so the child gets SIGPIPE, like natively
		 */
		if (h->len == 4 && vm_get32(p) == VM_STREAM_STDOUT && !s->pty)
			close_fd(&s->out_fd);
		else if (h->len == 4 && vm_get32(p) == VM_STREAM_STDERR)
			close_fd(&s->err_fd);
		session_maybe_finish(s);
		break;
	default:
		break;
	}
}

static int cmp_port(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void port_union(uint16_t *ports, bool *v6, int *n, const uint16_t *add, const bool *add6,
		       int nadd)
{
	int i, j;

	for (i = 0; i < nadd && *n < AGENT_MAX_PORTS; i++) {
		for (j = 0; j < *n && ports[j] != add[i]; j++)
			;
		if (j < *n)
			continue;
		if (v6)
			v6[*n] = add6 ? add6[i] : false;
		ports[(*n)++] = add[i];
	}
}

/* One sorted set of ports to the host, when it differs from the one sent last. */
static void ports_send(uint8_t type, const uint16_t *ports, int n, uint16_t *sent, int *nsent)
{
	uint8_t wire[2 * AGENT_MAX_PORTS];
	int i;

	if (n == *nsent && !memcmp(ports, sent, (size_t)n * sizeof(ports[0])))
		return;
	for (i = 0; i < n; i++) {
		wire[2 * i] = (uint8_t)ports[i];
		wire[2 * i + 1] = (uint8_t)(ports[i] >> 8);
	}
	if (send_frame(type, 0, wire, 2 * (size_t)n) == 0) {
		memcpy(sent, ports, (size_t)n * sizeof(ports[0]));
		*nsent = n;
	}
}

/* Tell the host the listening ports when they changed since the last report; loopback-only
 * listeners get a relay on the guest's address, which the host's forward reaches. A port
 * counts as gone only when two scans in a row miss it: /proc/net/tcp is read in pieces while
 * sockets come and go, and a listener can slip between two pieces. */
static void ports_report(void)
{
	static struct agent_ports now, prev;
	uint16_t ports[AGENT_MAX_PORTS], loop[AGENT_MAX_PORTS];
	bool loop6[AGENT_MAX_PORTS];
	int n = 0, nloop = 0;

	prev = now;
	agent_listen_ports(&now);
	port_union(loop, loop6, &nloop, now.loop, now.loop_v6, now.nloop);
	port_union(loop, loop6, &nloop, prev.loop, prev.loop_v6, prev.nloop);
	agent_relay_loopback(loop, loop6, nloop);
	port_union(ports, NULL, &n, now.reach, NULL, now.nreach);
	port_union(ports, NULL, &n, prev.reach, NULL, prev.nreach);
	port_union(ports, NULL, &n, loop, NULL, nloop);
	qsort(ports, (size_t)n, sizeof(ports[0]), cmp_port);
	ports_send(VM_MSG_PORTS, ports, n, ports_sent, &nports_sent);
	n = 0;
	port_union(ports, NULL, &n, now.udp, NULL, now.nudp);
	port_union(ports, NULL, &n, prev.udp, NULL, prev.nudp);
	qsort(ports, (size_t)n, sizeof(ports[0]), cmp_port);
	ports_send(VM_MSG_UDP_PORTS, ports, n, udp_sent, &nudp_sent);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Host disconnected: nobody can see these sessions any more. */
static void kill_all_sessions(void)
{
	int i;

	for (i = 0; i < MAX_SESSIONS; i++) {
		if (sessions[i]) {
			kill(-sessions[i]->pid, SIGKILL);
			kill(sessions[i]->pid, SIGKILL);
			sessions[i]->credit[1] = sessions[i]->credit[2] = VM_PROTO_WINDOW;
		}
	}
	agent_interop_reset();
}

static int open_channel(void)
{
	char path[300], name[64];
	struct dirent *d;
	DIR *dir;
	int i, fd;

	for (i = 0; i < 500; i++) {
		dir = opendir("/sys/class/virtio-ports");
		while (dir && (d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", d->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = read(fd, name, sizeof(name) - 1);

			close(fd);
			name[n > 0 ? n : 0] = 0;
			if (strncmp(name, CTL_NAME, strlen(CTL_NAME)))
				continue;
			snprintf(path, sizeof(path), "/dev/%s", d->d_name);
			closedir(dir);
			fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
			return fd >= 0 ? fd : -errno;
		}
		if (dir)
			closedir(dir);
		usleep(10000);
	}
	return -ENODEV;
}

int agent_serve(void)
{
	struct pollfd pfds[1 + 2 + 3 * MAX_SESSIONS + RELAY_FDS + INTEROP_FDS];
	struct session *owner[1 + 2 + 3 * MAX_SESSIONS];
	int nsess, nrelay, ninterop, timeout;
	struct vm_buf rx = {0};
	struct signalfd_siginfo si;
	sigset_t mask;
	size_t dropped = 0;
	int sfd, i, n;
	/* a scan of /proc/net/tcp{,6} and the wakeup cost ~7 ms of host CPU under TCG: every
	 * PORT_SCAN_MS while commands run, every PORT_IDLE_MS otherwise */
	bool watch_ports = agent_param("fwd") != NULL;
	uint64_t next_scan = 0;

	chan = open_channel();
	if (chan < 0)
		return chan;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	/* the host speaks first (HELLO); QEMU holds its bytes until this port is open */
	for (;;) {
		n = 0;
		pfds[n].fd = chan;
		pfds[n].events = POLLIN;
		owner[n++] = NULL;
		pfds[n].fd = sfd;
		pfds[n].events = POLLIN;
		owner[n++] = NULL;
		for (i = 0; i < MAX_SESSIONS; i++) {
			struct session *s = sessions[i];

			if (!s)
				continue;
			if (s->out_fd >= 0 && s->credit[VM_STREAM_STDOUT]) {
				pfds[n] = (struct pollfd){.fd = s->out_fd, .events = POLLIN};
				owner[n++] = s;
			}
			if (s->err_fd >= 0 && s->credit[VM_STREAM_STDERR]) {
				pfds[n] = (struct pollfd){.fd = s->err_fd, .events = POLLIN};
				owner[n++] = s;
			}
			if (s->in_fd >= 0 && s->inbuf.len) {
				pfds[n] = (struct pollfd){.fd = s->in_fd, .events = POLLOUT};
				owner[n++] = s;
			}
		}
		timeout = -1;
		if (watch_ports && host_seen) {
			uint64_t t = now_ms();
			bool busy = false;

			for (i = 0; i < MAX_SESSIONS; i++)
				busy |= sessions[i] != NULL;
			if (t >= next_scan) {
				ports_report();
				next_scan = t + (busy ? PORT_SCAN_MS : PORT_IDLE_MS);
			}
			/* a command that starts while idle shortens the wait */
			if (busy && next_scan > t + PORT_SCAN_MS)
				next_scan = t + PORT_SCAN_MS;
			timeout = next_scan > t ? (int)(next_scan - t) : 0;
		}
		nsess = n;
		nrelay = agent_relay_fill(pfds + n, RELAY_FDS);
		ninterop = agent_interop_fill(pfds + n + nrelay, INTEROP_FDS);
		if (poll(pfds, (nfds_t)(n + nrelay + ninterop), timeout) < 0)
			continue;
		agent_relay_run(pfds + nsess, nrelay);
		agent_interop_run(pfds + nsess + nrelay, ninterop);
		if (pfds[1].revents) {
			while (read(sfd, &si, sizeof(si)) > 0)
				;
			reap_children();
		}
		for (i = 2; i < n; i++) {
			struct session *s = owner[i];

			if (!pfds[i].revents || !session_alive(s))
				continue;
			if (pfds[i].fd == s->out_fd)
				session_pump(s, VM_STREAM_STDOUT);
			else if (pfds[i].fd == s->err_fd)
				session_pump(s, VM_STREAM_STDERR);
			else if (pfds[i].fd == s->in_fd)
				session_feed(s);
			session_maybe_finish(s);
		}
		if (pfds[0].revents & POLLIN) {
			uint8_t buf[65536];
			ssize_t r = read(chan, buf, sizeof(buf));

			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r > 0) {
				struct vm_frame_hdr h;
				uint8_t *payload;

				vm_buf_append(&rx, buf, (size_t)r);
				while (vm_buf_frame(&rx, &h, &payload, &dropped) == 1) {
					handle_frame(&h, payload);
					vm_buf_consume(&rx, VM_PROTO_HDR + h.len);
				}
				if (dropped != garbage_reported) {
					char m[80];

					snprintf(m, sizeof(m), "dropped %zu bytes of garbage",
						 dropped - garbage_reported);
					agent_log("%s", m);
					send_error(0, -EPROTO, m);
					garbage_reported = dropped;
				}
				continue;
			}
		}
		if (pfds[0].revents) {
			/* no host connected: poll would report HUP continuously */
			kill_all_sessions();
			host_seen = false;
			rx.len = 0;
			usleep(20000);
		}
	}
}
