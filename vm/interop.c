/* SPDX-License-Identifier: MIT */
/* Host interop, host side (see vm/agent/interop.c for the guest side). A HOSTEXEC names the
 * guest command it runs under; the program runs with that command's lxrun environment, in the
 * host directory the agent mapped (or the lxrun's own working directory), in a session of its
 * own, as the user the service runs as. Its stdio goes over the channel with the same flow
 * control as a guest command's; its exit comes back as EXIT once its output is drained.
 * The handles' data pointers stay NULL (the service's close-all walk reads them as its own):
 * a process is found from its handle by address. */
#include "vm/interop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abi/linux_errno.h"

#define DRAIN_MS 1000 /* after the exit, how long a background child may hold the output open */

extern char **environ;

/* What a client's command gave: its environment and its lxrun's process. */
struct crec {
	uint32_t sid;
	pid_t pid;
	uint8_t *payload; /* the EXEC payload, which msg points into */
	struct vm_exec_msg msg;
	struct crec *next;
};

struct hproc {
	uint32_t hid;
	pid_t pid;
	uv_pipe_t pipe[3]; /* 0: its stdin (we write), 1 and 2: its stdout and stderr */
	bool open[3];	   /* initialised and not closing */
	bool paused[3];	   /* reading stopped: the guest's window is used up */
	uint32_t credit[3];
	int in_pending; /* stdin writes in flight */
	bool in_eof;	/* close stdin once they are written */
	bool exited, exit_sent, drain_on;
	int status;
	uv_timer_t drain;
	int handles; /* initialised, not yet closed */
	struct hproc *next;
};

struct wreq {
	uv_write_t req;
	struct hproc *hp;
	size_t n;
	char data[];
};

static struct {
	uv_loop_t *loop;
	bool enabled;
	vm_interop_send_fn send;
	void (*log)(const char *fmt, ...);
	struct crec *clients;
	struct hproc *procs;
	struct hproc *dead; /* waiting for their handles to close */
} ix;

void vm_interop_init(uv_loop_t *loop, bool enabled, vm_interop_send_fn send,
		     void (*log)(const char *fmt, ...))
{
	ix.loop = loop;
	ix.enabled = enabled;
	ix.send = send;
	ix.log = log;
}

static void send_error(uint32_t hid, int err, const char *msg)
{
	uint8_t buf[600];
	size_t n = strlen(msg);

	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	vm_put32(buf, (uint32_t)err);
	memcpy(buf + 4, msg, n);
	ix.send(VM_MSG_ERROR, hid, buf, n + 4);
}

static void send_exit(uint32_t hid, uint32_t kind, uint32_t value)
{
	uint8_t buf[8];

	vm_put32(buf, kind);
	vm_put32(buf + 4, value);
	ix.send(VM_MSG_EXIT, hid, buf, 8);
}

void vm_interop_client_exec(uint32_t sid, int client_fd, const uint8_t *p, size_t n)
{
	struct crec *c = calloc(1, sizeof(*c));
	struct ucred cred;
	socklen_t cl = sizeof(cred);

	if (!c || !(c->payload = malloc(n ? n : 1))) {
		free(c);
		return;
	}
	memcpy(c->payload, p, n);
	if (vm_exec_decode(c->payload, n, &c->msg) < 0) {
		free(c->payload);
		free(c);
		return;
	}
	c->sid = sid;
	if (getsockopt(client_fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		c->pid = cred.pid;
	vm_interop_client_gone(sid); /* one command per connection: a stale record goes */
	c->next = ix.clients;
	ix.clients = c;
}

void vm_interop_client_gone(uint32_t sid)
{
	struct crec **pp, *c;

	for (pp = &ix.clients; (c = *pp); pp = &c->next) {
		if (c->sid == sid) {
			*pp = c->next;
			free(c->msg.argv);
			free(c->msg.env);
			free(c->payload);
			free(c);
			return;
		}
	}
}

static struct crec *client_find(uint32_t sid)
{
	struct crec *c;

	for (c = ix.clients; c && sid; c = c->next)
		if (c->sid == sid)
			return c;
	return NULL;
}

static struct hproc *proc_find(uint32_t hid)
{
	struct hproc *hp;

	for (hp = ix.procs; hp; hp = hp->next)
		if (hp->hid == hid)
			return hp;
	return NULL;
}

/* The process and stream index of a pipe handle. */
static struct hproc *proc_of(const uv_handle_t *h, int *idx)
{
	struct hproc *lists[2] = {ix.procs, ix.dead}, *hp;
	int l, i;

	for (l = 0; l < 2; l++)
		for (hp = lists[l]; hp; hp = hp->next)
			for (i = 0; i < 3; i++)
				if ((const uv_handle_t *)&hp->pipe[i] == h) {
					*idx = i;
					return hp;
				}
	return NULL;
}

static struct hproc *proc_of_timer(const uv_timer_t *t)
{
	struct hproc *lists[2] = {ix.procs, ix.dead}, *hp;
	int l;

	for (l = 0; l < 2; l++)
		for (hp = lists[l]; hp; hp = hp->next)
			if (&hp->drain == t)
				return hp;
	return NULL;
}

static void unlink_from(struct hproc **list, struct hproc *hp)
{
	struct hproc **pp;

	for (pp = list; *pp; pp = &(*pp)->next) {
		if (*pp == hp) {
			*pp = hp->next;
			return;
		}
	}
}

static void on_closed(uv_handle_t *h)
{
	struct hproc *hp;
	int idx = -1;

	hp = h->type == UV_TIMER ? proc_of_timer((uv_timer_t *)h) : proc_of(h, &idx);
	if (!hp || --hp->handles > 0)
		return;
	unlink_from(&ix.dead, hp);
	free(hp);
}

static void stream_close(struct hproc *hp, int i)
{
	if (!hp->open[i])
		return;
	hp->open[i] = false;
	if (!uv_is_closing((uv_handle_t *)&hp->pipe[i]))
		uv_close((uv_handle_t *)&hp->pipe[i], on_closed);
	else
		hp->handles--; /* closed by the service's walk, which calls no callback */
}

/* EXIT has gone (or nobody wants it): close everything, free once libuv let go. */
static void proc_end(struct hproc *hp)
{
	int i;

	for (i = 0; i < 3; i++)
		stream_close(hp, i);
	unlink_from(&ix.procs, hp);
	hp->next = ix.dead;
	ix.dead = hp;
	if (!uv_is_closing((uv_handle_t *)&hp->drain))
		uv_close((uv_handle_t *)&hp->drain, on_closed);
}

static void exit_now(struct hproc *hp)
{
	if (hp->exit_sent)
		return;
	hp->exit_sent = true;
	if (WIFSIGNALED(hp->status))
		send_exit(hp->hid, 1, (uint32_t)WTERMSIG(hp->status));
	else
		send_exit(hp->hid, 0, (uint32_t)WEXITSTATUS(hp->status));
	proc_end(hp);
}

static void on_drain(uv_timer_t *t)
{
	struct hproc *hp = proc_of_timer(t);

	if (!hp || hp->exit_sent)
		return;
	/* output that waits for the guest's window is not a background child's */
	if ((hp->open[1] && hp->paused[1]) || (hp->open[2] && hp->paused[2])) {
		uv_timer_start(&hp->drain, on_drain, DRAIN_MS, 0);
		return;
	}
	exit_now(hp);
}

/* The program ended and its output is drained: EXIT. A background child of it that keeps the
 * pipes open must not keep the guest's lxrun-host waiting: DRAIN_MS at most. */
static void maybe_finish(struct hproc *hp)
{
	if (!hp->exited || hp->exit_sent)
		return;
	if (!hp->open[1] && !hp->open[2]) {
		exit_now(hp);
		return;
	}
	if (!hp->drain_on) {
		hp->drain_on = true;
		uv_timer_start(&hp->drain, on_drain, DRAIN_MS, 0);
	}
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	int idx = 0;
	struct hproc *hp = proc_of(h, &idx);
	size_t n = hp ? hp->credit[idx] : 0;

	if (n > VM_PROTO_CHUNK)
		n = VM_PROTO_CHUNK;
	buf->base = n ? malloc(n) : NULL;
	buf->len = buf->base ? n : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	int idx = 0;
	struct hproc *hp = proc_of((uv_handle_t *)s, &idx);

	if (hp && n > 0) {
		hp->credit[idx] -= (uint32_t)n;
		ix.send(idx == 1 ? VM_MSG_STDOUT : VM_MSG_STDERR, hp->hid, buf->base, (size_t)n);
		if (!hp->credit[idx]) {
			uv_read_stop(s);
			hp->paused[idx] = true;
		}
	} else if (hp && n < 0 && n != UV_ENOBUFS) {
		stream_close(hp, idx); /* end of file, or the program closed it */
		maybe_finish(hp);
	}
	free(buf->base);
}

static void on_written(uv_write_t *w, int status)
{
	struct wreq *r = (struct wreq *)w;
	struct hproc *hp = r->hp;
	uint8_t ack[8];

	hp->in_pending--;
	/* written or not (the program closed its stdin), the guest may send more */
	if (!hp->exit_sent) {
		vm_put32(ack, VM_STREAM_STDIN);
		vm_put32(ack + 4, (uint32_t)r->n);
		ix.send(VM_MSG_ACK, hp->hid, ack, 8);
	}
	if (status < 0)
		stream_close(hp, 0);
	else if (hp->in_eof && !hp->in_pending)
		stream_close(hp, 0);
	free(r);
}

static void proc_stdin(struct hproc *hp, const uint8_t *p, size_t n)
{
	struct wreq *r;
	uv_buf_t b;
	uint8_t ack[8];

	if (!n) {
		hp->in_eof = true;
		if (!hp->in_pending)
			stream_close(hp, 0);
		return;
	}
	if (!hp->open[0] || !(r = malloc(sizeof(*r) + n))) {
		/* swallowed, as a pipe reader that closed would */
		vm_put32(ack, VM_STREAM_STDIN);
		vm_put32(ack + 4, (uint32_t)n);
		ix.send(VM_MSG_ACK, hp->hid, ack, 8);
		return;
	}
	r->hp = hp;
	r->n = n;
	memcpy(r->data, p, n);
	b = uv_buf_init(r->data, (unsigned int)n);
	if (uv_write(&r->req, (uv_stream_t *)&hp->pipe[0], &b, 1, on_written) < 0) {
		free(r);
		stream_close(hp, 0);
		return;
	}
	hp->in_pending++;
}

/* In the child: stdio, a session of its own, default signals, the directory, the program. */
static void __attribute__((noreturn))
child(char *const *argv, char **env, const char *cwd, const int *fds, int report)
{
	sigset_t none;
	int e, sig;

	setsid();
	/* it goes with the VM: the service's end (killed, crashed) ends it too */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	dup2(fds[0], 0);
	dup2(fds[1], 1);
	dup2(fds[2], 2);
	for (sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (chdir(cwd) < 0) {
		e = errno;
		(void)!write(report, "C", 1);
		(void)!write(report, &e, sizeof(e));
		_exit(126);
	}
	environ = env; /* execvp looks PROGRAM up on this PATH */
	execvp(argv[0], argv);
	e = errno;
	(void)!write(report, "E", 1);
	(void)!write(report, &e, sizeof(e));
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

/* Where the program runs: the agent's mapping of the guest directory, else the directory of
 * the lxrun whose command asked, else /. */
static void pick_cwd(const char *mapped, const struct crec *c, char *out, size_t len)
{
	struct stat st;
	char link[64];
	ssize_t n;

	if (mapped[0] == '/' && stat(mapped, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(out, len, "%s", mapped);
		return;
	}
	snprintf(out, len, "/");
	if (!c || c->pid <= 0)
		return;
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)c->pid);
	n = readlink(link, out, len - 1);
	out[n > 0 ? n : 0] = 0;
	if (n <= 0 || out[0] != '/')
		snprintf(out, len, "/");
}

static void hostexec(uint32_t hid, const uint8_t *p, size_t n)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, rep[2] = {-1, -1};
	char cwd[4096], msg[700], what = 0;
	struct vm_exec_msg m;
	struct crec *c;
	struct hproc *hp;
	int e = 0, i;

	if (!ix.enabled) {
		send_error(hid, -LINUX_EACCES,
			   "running host programs is turned off for this VM (lxrun --no-interop, "
			   "LXRUN_VM_INTEROP=0, or [interop] enabled=false in a distro's "
			   "/etc/wsl.conf)");
		send_exit(hid, 0, 126);
		return;
	}
	if (proc_find(hid) || n < 4 || vm_exec_decode(p + 4, n - 4, &m) < 0) {
		send_error(hid, -LINUX_EPROTO, "malformed host exec request");
		send_exit(hid, 0, 125);
		return;
	}
	c = client_find(vm_get32(p));
	pick_cwd(m.cwd, c, cwd, sizeof(cwd));
	hp = calloc(1, sizeof(*hp));
	if (!hp || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0)
		goto fail;
	hp->pid = fork();
	if (hp->pid == 0) {
		int fds[3] = {in[0], out[1], err[1]};

		child((char *const *)m.argv, c ? (char **)c->msg.env : environ, cwd, fds, rep[1]);
	}
	if (hp->pid < 0)
		goto fail;
	close(rep[1]);
	rep[1] = -1;
	/* the report pipe closes on a successful exec; otherwise it says what failed */
	if (read(rep[0], &what, 1) == 1 && read(rep[0], &e, sizeof(e)) == sizeof(e)) {
		if (what == 'C')
			snprintf(msg, sizeof(msg), "%s: %s (on the host)", cwd, strerror(e));
		else if (e == ENOENT)
			snprintf(msg, sizeof(msg), "%s: command not found on the host", m.argv[0]);
		else
			snprintf(msg, sizeof(msg), "%s: %s (on the host)", m.argv[0], strerror(e));
		send_error(hid, -e, msg);
	}
	close(rep[0]);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	hp->hid = hid;
	hp->credit[1] = hp->credit[2] = VM_PROTO_WINDOW;
	uv_timer_init(ix.loop, &hp->drain);
	hp->handles = 4;
	uv_pipe_init(ix.loop, &hp->pipe[0], 0);
	uv_pipe_open(&hp->pipe[0], in[1]);
	uv_pipe_init(ix.loop, &hp->pipe[1], 0);
	uv_pipe_open(&hp->pipe[1], out[0]);
	uv_pipe_init(ix.loop, &hp->pipe[2], 0);
	uv_pipe_open(&hp->pipe[2], err[0]);
	for (i = 0; i < 3; i++)
		hp->open[i] = true;
	uv_read_start((uv_stream_t *)&hp->pipe[1], on_alloc, on_read);
	uv_read_start((uv_stream_t *)&hp->pipe[2], on_alloc, on_read);
	hp->next = ix.procs;
	ix.procs = hp;
	if (ix.log)
		ix.log("interop: %s (pid %d) for guest command %u in %s", m.argv[0], (int)hp->pid,
		       vm_get32(p), cwd);
	free(m.argv);
	free(m.env);
	return;
fail:
	e = errno;
	snprintf(msg, sizeof(msg), "cannot start %s on the host: %s", m.argv[0], strerror(e));
	send_error(hid, -e, msg);
	send_exit(hid, 0, 125);
	for (i = 0; i < 2; i++) {
		int *fds[] = {in, out, err, rep};

		for (int k = 0; k < 4; k++)
			if (fds[k][i] >= 0)
				close(fds[k][i]);
	}
	free(hp);
	free(m.argv);
	free(m.env);
}

void vm_interop_frame(const struct vm_frame_hdr *h, const uint8_t *p)
{
	struct hproc *hp;
	uint32_t v;

	if (h->type == VM_MSG_HOSTEXEC) {
		hostexec(h->session, p, h->len);
		return;
	}
	hp = proc_find(h->session);
	if (!hp || hp->exit_sent)
		return; /* a late frame for a finished program is normal */
	switch (h->type) {
	case VM_MSG_STDIN:
		proc_stdin(hp, p, h->len);
		break;
	case VM_MSG_ACK:
		if (h->len != 8 || (v = vm_get32(p)) < 1 || v > 2)
			break;
		hp->credit[v] += vm_get32(p + 4);
		if (hp->credit[v] > VM_PROTO_WINDOW)
			hp->credit[v] = VM_PROTO_WINDOW;
		if (hp->paused[v] && hp->credit[v] && hp->open[v]) {
			hp->paused[v] = false;
			uv_read_start((uv_stream_t *)&hp->pipe[v], on_alloc, on_read);
		}
		break;
	case VM_MSG_SIGNAL:
		v = h->len == 4 ? vm_get32(p) : 0;
		if (v > 0 && v < 65 && !hp->exited && kill(-hp->pid, (int)v) < 0)
			kill(hp->pid, (int)v);
		break;
	case VM_MSG_CLOSE:
		/* the guest's reader went away: the program gets SIGPIPE, as natively */
		v = h->len == 4 ? vm_get32(p) : 0;
		if (v == VM_STREAM_STDOUT || v == VM_STREAM_STDERR) {
			stream_close(hp, (int)v);
			maybe_finish(hp);
		}
		break;
	default:
		break;
	}
}

bool vm_interop_reaped(pid_t pid, int status)
{
	struct hproc *hp;

	for (hp = ix.procs; hp; hp = hp->next) {
		if (hp->pid == pid && !hp->exited) {
			hp->exited = true;
			hp->status = status;
			maybe_finish(hp);
			return true;
		}
	}
	return false;
}

void vm_interop_stop(void)
{
	while (ix.procs) {
		struct hproc *hp = ix.procs;

		if (!hp->exited)
			kill(-hp->pid, SIGKILL);
		hp->exit_sent = true;
		proc_end(hp);
	}
	ix.enabled = false;
}

int vm_interop_running(void)
{
	struct hproc *hp;
	int n = 0;

	for (hp = ix.procs; hp; hp = hp->next)
		n++;
	return n;
}
