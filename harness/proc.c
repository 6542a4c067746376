/* SPDX-License-Identifier: MIT */
/* harness: run one command (libuv) and measure it: wall time, exit status, peak memory of its tree.
 */
#include "harness/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define TREE_MAX 512

struct run {
	uv_loop_t loop;
	uv_process_t proc;
	uv_timer_t tick;
	const struct hproc_spec *spec;
	struct hproc_result *res;
	uint64_t t0;
	bool exited;
	/* every process of the tree seen so far, with the last VmHWM read from it */
	int pid[TREE_MAX];
	uint64_t hwm[TREE_MAX];
	int npid;
	uint64_t watch_peak;
	/* memory is sampled on its own thread: a /proc scan on the loop's thread would delay
	 * the exit callback, and so the wall time */
	uv_thread_t sampler;
	uv_mutex_t lock;
	uv_cond_t cond;
	bool stop;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t hproc_mem_kib(int pid, const char *field)
{
	char path[64], buf[4096];
	size_t fl = strlen(field);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, field, fl) && p[fl] == ':')
			return strtoull(p + fl + 1, NULL, 10);
	return 0;
}

/* The parent of `pid` from /proc/PID/stat (the field after the parenthesised command). */
static int ppid_of(int pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static int tree_index(struct run *r, int pid)
{
	for (int i = 0; i < r->npid; i++)
		if (r->pid[i] == pid)
			return i;
	return -1;
}

/* Find the command's descendants (no /proc/PID/task/TID/children on every kernel: scan /proc
 * for processes whose parent is already in the tree) and keep each one's VmHWM. */
static void sample(struct run *r)
{
	struct dirent *e;
	uint64_t w = 0;
	DIR *d;

	if (r->npid == 0) {
		r->pid[0] = r->proc.pid;
		r->npid = 1;
	}
	d = opendir("/proc");
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name), pp;

		if (pid <= 0 || tree_index(r, pid) >= 0)
			continue;
		pp = ppid_of(pid);
		if (pp > 0 && tree_index(r, pp) >= 0 && r->npid < TREE_MAX)
			r->pid[r->npid++] = pid;
	}
	if (d)
		closedir(d);
	for (int i = 0; i < r->npid; i++) {
		uint64_t h = hproc_mem_kib(r->pid[i], "VmHWM");

		if (h > r->hwm[i])
			r->hwm[i] = h;
	}
	for (int i = 0; i < r->spec->nwatch; i++)
		w += hproc_mem_kib(r->spec->watch[i], "VmRSS");
	if (w > r->watch_peak)
		r->watch_peak = w;
}

static void sampler_main(void *arg)
{
	struct run *r = arg;
	uint64_t period = (uint64_t)r->spec->sample_ms * 1000000ull;

	uv_mutex_lock(&r->lock);
	while (!r->stop) {
		/* the first look is early, so that most commands are seen at least once */
		if (uv_cond_timedwait(&r->cond, &r->lock, r->npid ? period : 2000000ull) == 0)
			continue;
		if (!r->stop)
			sample(r);
	}
	uv_mutex_unlock(&r->lock);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
	struct run *r = p->data;

	r->res->wall_ns = now_ns() - r->t0;
	r->res->signaled = sig != 0;
	r->res->status = sig ? sig : (int)status;
	r->exited = true;
	uv_close((uv_handle_t *)p, NULL);
	uv_close((uv_handle_t *)&r->tick, NULL);
}

static void on_tick(uv_timer_t *t)
{
	struct run *r = t->data;
	const struct hproc_spec *s = r->spec;
	uint64_t ms = (now_ns() - r->t0) / 1000000;

	if (r->exited)
		return;
	if (s->timeout_ms && ms >= s->timeout_ms && !r->res->timed_out) {
		r->res->timed_out = true;
		kill(-r->proc.pid, SIGKILL);
	}
	if (s->cancel && *s->cancel && !r->res->cancelled) {
		r->res->cancelled = true;
		kill(-r->proc.pid, SIGKILL);
	}
}

static int open_io(const char *path, bool out)
{
	int fd = open(path ? path : "/dev/null",
		      out ? O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);

	return fd < 0 ? -errno : fd;
}

static int run_fds(const struct hproc_spec *spec, int fds[3], struct hproc_result *res)
{
	uv_stdio_container_t io[3];
	uv_process_options_t o = {0};
	struct run *r = calloc(1, sizeof(*r));
	bool sampling = false;
	int err;

	if (!r)
		return -ENOMEM;
	memset(res, 0, sizeof(*res));
	r->spec = spec;
	r->res = res;
	for (int i = 0; i < 3; i++) {
		io[i].flags = UV_INHERIT_FD;
		io[i].data.fd = fds[i];
	}
	o.file = spec->argv[0];
	o.args = (char **)spec->argv;
	o.env = (char **)spec->env;
	o.cwd = spec->cwd;
	o.stdio = io;
	o.stdio_count = 3;
	/* its own process group, so that a timeout takes the whole tree down */
	o.flags = UV_PROCESS_DETACHED;
	o.exit_cb = on_exit_cb;
	err = uv_loop_init(&r->loop);
	if (err < 0) {
		free(r);
		return err;
	}
	r->proc.data = r;
	r->tick.data = r;
	uv_timer_init(&r->loop, &r->tick);
	r->t0 = now_ns();
	err = uv_spawn(&r->loop, &r->proc, &o);
	if (err < 0) {
		uv_close((uv_handle_t *)&r->tick, NULL);
		uv_close((uv_handle_t *)&r->proc, NULL);
	} else {
		uv_timer_start(&r->tick, on_tick, 10, 10);
	}
	if (err == 0 && spec->sample_ms && uv_mutex_init(&r->lock) == 0) {
		uv_cond_init(&r->cond);
		sampling = uv_thread_create(&r->sampler, sampler_main, r) == 0;
		if (!sampling) {
			uv_cond_destroy(&r->cond);
			uv_mutex_destroy(&r->lock);
		}
	}
	uv_run(&r->loop, UV_RUN_DEFAULT);
	uv_loop_close(&r->loop);
	if (sampling) {
		uv_mutex_lock(&r->lock);
		r->stop = true;
		uv_cond_signal(&r->cond);
		uv_mutex_unlock(&r->lock);
		uv_thread_join(&r->sampler);
		uv_cond_destroy(&r->cond);
		uv_mutex_destroy(&r->lock);
	}
	if (err == 0) {
		for (int i = 0; i < r->npid; i++)
			res->peak_kib += r->hwm[i];
		res->peak_kib += r->watch_peak;
	}
	free(r);
	return err;
}

/* The fds lxrun itself inherited (a shell's, a CI runner's) would reach every command, natively
 * but not in vm mode: runs would differ for no reason of their own. They are made close-on-exec
 * once, so every command starts with fds 0-2 only. */
static void cloexec_inherited(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int fl;

		if (*end || fd < 3 || fd == dirfd(d) || (fl = fcntl((int)fd, F_GETFD)) < 0)
			continue;
		fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
	}
	closedir(d);
}

int hproc_run(const struct hproc_spec *spec, struct hproc_result *res)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int fds[3] = {-1, -1, -1}, err = 0;

	pthread_once(&once, cloexec_inherited);

	fds[0] = open_io(spec->stdin_path, false);
	fds[1] = open_io(spec->stdout_path, true);
	fds[2] = open_io(spec->stderr_path, true);
	for (int i = 0; i < 3; i++)
		if (fds[i] < 0 && !err)
			err = fds[i];
	if (!err)
		err = run_fds(spec, fds, res);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err;
}

int hproc_capture(char *const *argv, const char *cwd, uint64_t timeout_ms, char *out, size_t len)
{
	struct hproc_spec s = {.argv = argv, .cwd = cwd, .timeout_ms = timeout_ms};
	struct hproc_result res;
	int fds[3], mfd, err;
	ssize_t n;

	mfd = memfd_create("hproc", MFD_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fds[0] = open_io(NULL, false);
	fds[1] = fds[2] = mfd;
	err = fds[0] < 0 ? fds[0] : run_fds(&s, fds, &res);
	if (fds[0] >= 0)
		close(fds[0]);
	n = err ? 0 : pread(mfd, out, len - 1, 0);
	close(mfd);
	out[n > 0 ? n : 0] = 0;
	if (err)
		return err;
	return res.signaled ? 128 + res.status : res.status;
}
