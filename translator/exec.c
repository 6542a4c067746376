/* SPDX-License-Identifier: MIT */
/* execve by re-execution: the old address space goes away with the host execve, the new lxrun
 * gets the guest's fds, cwd, umask, signal state and trace settings on its command line. */
#include "translator/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_stat.h"
#include "loader/loader.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/meta.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/trace.h"
#include "translator/vfs/vfs.h"
#include "translator/signal_host.h"
#include "translator/engine/engine.h"
#include "translator/sys/hostadmin.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/ptrace.h"

#define ARG_MAX_TOTAL (6u << 20) /* the most any RLIMIT_STACK buys (the loader decides) */
#define ARG_MAX_STRLEN 131072

/* Copy a NULL-terminated guest string vector. Returns count or -errno; *vec is malloc'd. */
static long copy_vec(uint64_t uvec, char ***vec, size_t *total)
{
	size_t cap = 16, n = 0;
	char **v = malloc(cap * sizeof(*v));
	if (!v)
		return -LINUX_ENOMEM;
	for (; uvec; n++) {
		uint64_t p;
		if (guest_copy_in(&p, uvec + n * 8, 8) < 0)
			goto fault;
		if (!p)
			break;
		if (n + 2 >= cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		long len = lx_strnlen_user((const char *)p, ARG_MAX_STRLEN + 1);
		if (len < 0 || p >= LX_USER_END)
			goto fault;
		if (len > ARG_MAX_STRLEN)
			goto big;
		*total += (size_t)len + 1 + 8;
		if (*total > ARG_MAX_TOTAL)
			goto big;
		v[n] = malloc((size_t)len + 1);
		if (!v[n] || guest_copy_in(v[n], p, (size_t)len + 1) < 0) {
			free(v[n]);
			goto fault;
		}
	}
	v[n] = NULL;
	*vec = v;
	return (long)n;
big:
	v[n] = NULL;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -LINUX_E2BIG;
nomem:
fault:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -LINUX_EFAULT;
}

static void free_vec(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A mapper that maps nothing: loader_exec runs every check of execve without side effects. */
static int64_t dry_reserve(void *ctx, uint64_t hint, uint64_t len, int fixed)
{
	return hint ? (int64_t)hint : 0x100000000000ll;
}
static int64_t dry_map_file(void *c, uint64_t a, uint64_t l, int p, int fd, uint64_t o)
{
	return (int64_t)a;
}
static int64_t dry_map_anon(void *c, uint64_t a, uint64_t l, int p)
{
	return (int64_t)a;
}
static int64_t dry_protect(void *c, uint64_t a, uint64_t l, int p)
{
	return 0;
}
static int64_t dry_write(void *c, uint64_t a, const void *s, size_t l)
{
	return 0;
}
static int64_t dry_unmap(void *c, uint64_t a, uint64_t l)
{
	return 0;
}
static const struct loader_mapper dry_mapper = {
	.reserve = dry_reserve,
	.map_file = dry_map_file,
	.map_anon = dry_map_anon,
	.protect = dry_protect,
	.write = dry_write,
	.unmap = dry_unmap,
};

/* A file that only exists inside this lxrun (procfs text, tmpfs) cannot cross the host
 * execve: hand the new image a memfd copy of its content, at the same position. */
static int snapshot(struct lx_file *f)
{
	if (!f->ops->pread)
		return -1;
	int fd = memfd_create("lxrun-file", 0);
	if (fd < 0)
		return -1;
	char buf[65536];
	int64_t off = 0;
	long n;
	while ((n = f->ops->pread(f, (uint64_t)buf, sizeof(buf), off)) > 0) {
		if (write(fd, buf, (size_t)n) != n)
			break;
		off += n;
	}
	lseek(fd, f->pos, SEEK_SET);
	if (fd < 10) {
		int hi = fcntl(fd, F_DUPFD, 10);
		close(fd);
		fd = hi;
	}
	return fd;
}

/* Serialise the fd table into *out (malloc'd), moving every inherited host fd to a
 * non-CLOEXEC descriptor; the guest's 0, 1, 2 become lxrun's own 0, 1, 2 in the new image. */
static int pass_fds(char **out)
{
	struct lx_fdtable *t = lx_proc.fds;
	int size = t->size > 3 ? t->size : 3;
	int *keep = malloc((size_t)size * sizeof(*keep));
	size_t n = 0, cap = 64;
	*out = NULL;
	if (!keep)
		return -LINUX_ENOMEM;
	/* every inherited fd is duplicated for a moment: the host's soft limit goes up to its
	 * hard one (the new image sets it again from the guest's) */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int r = 0;
	for (int g = 0; g < size; g++) {
		keep[g] = -1;
		struct lx_file *f = g < t->size ? t->ents[g].file : NULL;
		if (!f || t->ents[g].cloexec)
			continue;
		cap += 32; /* "g:h:flags," */
		if (f->host_fd < 0) {
			keep[g] = snapshot(f);
			continue;
		}
		keep[g] = fcntl(f->host_fd, F_DUPFD, 10);
		if (keep[g] < 0) {
			r = (int)lx_errno(errno);
			goto out;
		}
	}
	for (int g = 0; g < 3; g++) {
		if (keep[g] >= 0) {
			if (dup2(keep[g], g) < 0) {
				r = (int)lx_errno(errno);
				goto out;
			}
			close(keep[g]);
			keep[g] = g;
		} else {
			close(g);
		}
	}
	char *state = *out = malloc(cap);
	if (!state) {
		r = -LINUX_ENOMEM;
		goto out;
	}
	state[0] = 0;
	for (int g = 0; g < size; g++) {
		if (keep[g] < 0)
			continue;
		int w = snprintf(state + n, cap - n, "%s%d:%d:%x", n ? "," : "", g, keep[g],
				 t->ents[g].file->flags);
		if (w < 0 || (size_t)w >= cap - n) {
			r = -LINUX_E2BIG;
			goto out;
		}
		n += (size_t)w;
	}
out:
	free(keep);
	return r;
}

/*
 * The guest's close-on-exec fds, as ";late=H,H..." (*out, malloc'd; "" when none): each host
 * fd is duplicated without CLOEXEC, so that it crosses the host execve and the new image
 * closes it only once the guest program is loaded (lx_exec_close_late). On Linux those fds
 * close at exec's point of no return, when the new program is in place: a parent that waits
 * for EOF on a close-on-exec pipe (Python's subprocess, daemons' readiness pipes) then finds
 * the child's /proc/PID/exe, comm and the rest already the new program's.
 */
static int late_fds(char **out)
{
	struct lx_fdtable *t = lx_proc.fds;
	size_t cap = 16, n = 0;
	char *s = malloc(cap);
	if (!s)
		return -LINUX_ENOMEM;
	s[0] = 0;
	lx_fdtable_lock(t);
	for (int g = 0; g < t->size; g++) {
		struct lx_file *f = t->ents[g].file;
		if (!f || !t->ents[g].cloexec || f->host_fd < 0)
			continue;
		int h = fcntl(f->host_fd, F_DUPFD, 10);
		if (h < 0)
			continue; /* no room: it closes at the host execve, as before */
		if (n + 24 > cap) {
			char *m = realloc(s, cap * 2 + 24);
			if (!m) {
				close(h);
				break;
			}
			s = m;
			cap = cap * 2 + 24;
		}
		n += (size_t)sprintf(s + n, "%s%d", n ? "," : ";late=", h);
	}
	lx_fdtable_unlock(t);
	*out = s;
	return 0;
}

static int *late_list, late_count;

void lx_exec_close_late(void)
{
	for (int i = 0; i < late_count; i++)
		close(late_list[i]);
	free(late_list);
	late_list = NULL;
	late_count = 0;
}

/*
 * lxrun -d host interop: a program under the host mount (/mnt/host/...) runs natively on the
 * host, outside translation, like a Windows program started from WSL. The guest's fds 0-2
 * become its stdio; the guest's ignored signals stay ignored, the others are reset; its exit
 * status is the process's.
 */
static long exec_native(const char *host, char **argv, char **envp)
{
	struct stat st;
	if (stat(host, &st) < 0)
		return lx_errno(errno);
	if (!S_ISREG(st.st_mode))
		return -LINUX_EACCES;
	if (faccessat(AT_FDCWD, host, X_OK, AT_EACCESS) < 0)
		return lx_errno(errno);
	char *fds;
	long r = pass_fds(&fds);
	free(fds); /* the native program inherits the fds themselves */
	if (r < 0)
		return r;
	struct lx_thread *t = lx_thread_self();
	lx_proc.engine->thread_disarm(t);
	for (int sig = 1; sig < 32; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		signal(sig, lx_proc.sigactions[sig - 1].handler == 1 ? SIG_IGN : SIG_DFL);
	}
	sigset_t mask;
	sigemptyset(&mask);
	for (int sig = 1; sig < 64; sig++)
		if ((t->sigmask >> (sig - 1)) & 1)
			sigaddset(&mask, sig);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	syscall(SYS_execve, host, argv, envp);
	r = lx_errno(errno);
	const char *why;
	lx_proc.engine->thread_arm(t, &why);
	return r;
}

/* The state past STATE_ARG_MAX goes in a memfd (Linux caps one argument at 128 KiB: many
 * inherited fds, or many seccomp filters). */
#define STATE_ARG_MAX (96u << 10)

/* A state too long for an argument ("--exec-state=...") is written to a memfd the new image
 * inherits and becomes "--exec-state=@FD" (state is rewritten in place). */
static int state_to_memfd(char *state)
{
	const size_t pre = strlen("--exec-state=");
	size_t len = strlen(state) - pre;
	if (len <= STATE_ARG_MAX)
		return 0;
	int fd = (int)syscall(SYS_memfd_create, "lxrun-exec-state", 0);
	if (fd < 0)
		return (int)lx_errno(errno);
	int hi = fcntl(fd, F_DUPFD, 10);
	close(fd);
	if (hi < 0)
		return (int)lx_errno(errno);
	for (size_t off = 0; off < len;) {
		ssize_t w = pwrite(hi, state + pre + off, len - off, (off_t)off);
		if (w <= 0) {
			close(hi);
			return w < 0 ? (int)lx_errno(errno) : -LINUX_EIO;
		}
		off += (size_t)w;
	}
	sprintf(state + pre, "@%d", hi);
	return 0;
}

/* "@FD" (state_to_memfd): the state read back from the memfd, which is closed; NULL on error.
 * Anything else is the state itself. */
const char *lx_exec_state_load(const char *arg)
{
	if (arg[0] != '@')
		return arg;
	int fd = atoi(arg + 1);
	struct stat st;
	char *s = NULL;
	if (fstat(fd, &st) == 0 && (s = malloc((size_t)st.st_size + 1))) {
		size_t off = 0;
		while (off < (size_t)st.st_size) {
			ssize_t n = pread(fd, s + off, (size_t)st.st_size - off, (off_t)off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		s[off] = 0;
	}
	close(fd);
	return s;
}

long lx_execveat(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, uint64_t flags)
{
	if (flags & ~(uint64_t)(LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW))
		return -LINUX_EINVAL;
	char path[LX_PATH_MAX];
	long r = guest_strncpy_in(path, upath, sizeof(path));
	if (r < 0)
		return r;
	if (r == 0) {
		if (!(flags & LINUX_AT_EMPTY_PATH))
			return -LINUX_ENOENT;
		struct lx_file *f = lx_fd_lookup(lx_proc.fds, dirfd);
		if (!f)
			return -LINUX_EBADF;
		r = vfs_file_path(f, path, sizeof(path));
		if (r < 0)
			return r;
		/* a file with no path (memfd, deleted): through its fd, which the new image
		 * inherits (not when close-on-exec: then ENOENT) */
		if (path[0] != '/' || (r > 10 && !strcmp(path + r - 10, " (deleted)")))
			snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	} else {
		/* the path's own errors come first, as do_open_execat's: a dirfd that is no
		 * directory (ENOTDIR), and with AT_SYMLINK_NOFOLLOW a symlink (ELOOP) */
		struct linux_stat st;
		long e = sys_stat_at(dirfd, upath, flags & LINUX_AT_SYMLINK_NOFOLLOW, &st);
		if (e < 0)
			return e;
		if ((flags & LINUX_AT_SYMLINK_NOFOLLOW) && LINUX_S_ISLNK(st.st_mode))
			return -LINUX_ELOOP;
		/* a magic link of lxrun's /proc (/proc/self/exe, /proc/PID/fd/N) means the file
		 * it leads to: the new lxrun has no guest of its own yet to read it from */
		if (!strncmp(path, "/proc/", 6)) {
			struct lx_file *f = NULL;
			char target[LX_PATH_MAX];
			if (vfs_openat(dirfd, path, LINUX_O_PATH, 0, &f) == 0) {
				long n = vfs_file_path(f, target, sizeof(target));
				if (n > 0 && target[0] == '/' && strncmp(target, "/proc/", 6) &&
				    !(n > 10 && !strcmp(target + n - 10, " (deleted)")))
					snprintf(path, sizeof(path), "%s", target);
				lx_file_put(f);
			}
		}
	}
	/* A path relative to a hostfs cwd stays relative: the new lxrun inherits the host cwd
	 * and resolves it there, as Linux does without search permission on the cwd's parents
	 * (a user's exec below a root-only directory, LTP prctl06/mount03). */
	int keep_relative = dirfd == LINUX_AT_FDCWD && vfs_cwd_is_host();
	if (path[0] != '/' && !keep_relative) { /* (a fd's path above is always absolute) */
		/* the new lxrun resolves from the cwd: make dirfd-relative paths absolute */
		char base[LX_PATH_MAX], abs[LX_PATH_MAX * 2];
		if (dirfd == LINUX_AT_FDCWD) {
			snprintf(base, sizeof(base), "%s", vfs_cwd());
		} else {
			struct lx_file *f = lx_fd_lookup(lx_proc.fds, dirfd);
			if (!f)
				return -LINUX_EBADF;
			if ((r = vfs_file_path(f, base, sizeof(base))) < 0)
				return r;
		}
		snprintf(abs, sizeof(abs), "%s/%s", base, path);
		if (strlen(abs) >= sizeof(path))
			return -LINUX_ENAMETOOLONG;
		strcpy(path, abs);
	}
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	long argc = copy_vec(uargv, &argv, &total);
	if (argc < 0)
		return argc;
	long envc = copy_vec(uenvp, &envp, &total);
	if (envc < 0) {
		free_vec(argv);
		return envc;
	}
	char host[LX_PATH_MAX];
	if (vfs_host_mount_path(path, host, sizeof(host))) {
		r = exec_native(host, argv, envp); /* returns only on failure */
		goto out;
	}
	/* Every check execve makes, before the old image is given up. */
	struct loader_options lo = {.open_path = vfs_loader_open,
				    .stack_size = lx_exec_stack_size()};
	static struct loader_result res;
	const char *why;
	r = loader_exec(&dry_mapper, &lo, path, argv, envp, &res, &why);
	if (r < 0 && res.no_return)
		lx_die_by_signal(SIGSEGV); /* Linux fails these after the point of no return */
	if (r < 0)
		goto out;

	char *fds = NULL, *late = NULL, *state = NULL, *filters = NULL, tracefd[32];
	char cwd[LX_PATH_MAX + 8];
	/* lxrun [--root R] [--engine E] [--trace-fd N] --exec-state S --exec-path P -- argv... */
	char **hv = calloc((size_t)argc + 24, sizeof(*hv));
	if (!hv) {
		r = -LINUX_ENOMEM;
		goto fail;
	}
	/* seccomp filters survive execve: they go in the state too */
	if ((r = lx_seccomp_export(lx_thread_self(), &filters)) < 0)
		goto fail;
	if ((r = pass_fds(&fds)) < 0)
		goto fail; /* nothing irreversible yet unless dup2 failed (then stdio is lost) */
	if ((r = late_fds(&late)) < 0)
		goto fail;
	state = malloc(strlen(fds) + strlen(late) + strlen(filters) + 256);
	if (!state) {
		r = -LINUX_ENOMEM;
		goto fail;
	}
	sprintf(state, "--exec-state=fds=%s;umask=%o;nofile=%d:%d;sigmask=%llx%s%s%s;comm=", fds,
		lx_proc.umask, lx_proc.fds->limit, lx_proc.fds->hard,
		(unsigned long long)lx_thread_self()->sigmask, filters, lx_ptrace_exec_state(), late);
	if ((r = state_to_memfd(state)) < 0)
		goto fail;
	snprintf(cwd, sizeof(cwd), "--exec-cwd=%s", vfs_cwd());
	int k = 0;
	hv[k++] = "lxrun";
	char hostmnt[300], rootarg[64];
	if (lx_proc.root[0]) {
		/* the root travels as an open directory: a guest that dropped root may not be
		 * able to walk to it by its path (a distro under /root/.local/state) */
		int rfd = fcntl(vfs_root_fd(), F_DUPFD, 10);
		if (rfd >= 0)
			snprintf(rootarg, sizeof(rootarg), "/proc/self/fd/%d", rfd);
		hv[k++] = "--root";
		hv[k++] = rfd >= 0 ? rootarg : lx_proc.root;
	}
	if (lx_proc.host_mount[0]) {
		snprintf(hostmnt, sizeof(hostmnt), "--exec-host-mount=%s", lx_proc.host_mount);
		hv[k++] = hostmnt;
	}
	hv[k++] = "--engine";
	hv[k++] = (char *)lx_proc.engine_name;
	if (lx_proc.trace) {
		lx_trace_flush();
		int tfd = fcntl(fileno(lx_proc.trace), F_DUPFD, 10);
		snprintf(tracefd, sizeof(tracefd), "--trace-fd=%d", tfd);
		hv[k++] = tracefd;
	}
	if (lx_proc.verbose)
		hv[k++] = "-v";
	if (lx_meta_on)
		hv[k++] = "--exec-meta";
	if (lx_contain)
		hv[k++] = "--contain";
	hv[k++] = state;
	hv[k++] = cwd;
	hv[k++] = "--exec-path";
	hv[k++] = path;
	hv[k++] = "--";
	for (long i = 0; i < argc; i++)
		hv[k++] = argv[i];
	if (!argc)
		hv[k++] = ""; /* argv[0] may be absent: keep a slot so PROGRAM is not taken as args */
	hv[k] = NULL;
	if (lx_exec_env_hide(envp) < 0) {
		r = -LINUX_ENOMEM;
		goto fail;
	}
	struct lx_thread *t = lx_thread_self();
	lx_vfork_release(true); /* a vfork parent runs on from here, with the child's stack stores */
	lx_proc.engine->thread_disarm(t);
	syscall(SYS_execve, "/proc/self/exe", hv, envp);
	r = lx_errno(errno); /* the host refused: the guest's fds 0-2 may already be moved */
	lx_ptrace_exec_failed();
	lx_proc.engine->thread_arm(t, &why);
fail:
	if (late) /* the host refused the execve: the duplicates are not needed */
		for (char *p = strchr(late, '='); p && *p; p = strchr(p, ','))
			close(atoi(++p));
	free(late);
	free(fds);
	free(filters);
	free(state);
	free(hv);
out:
	free_vec(argv);
	free_vec(envp);
	return r;
}

uint64_t lx_exec_stack_size(void)
{
	const uint64_t lo = 256ull << 10, hi = 4ull << 30;
	struct rlimit rl;
	if (getrlimit(RLIMIT_STACK, &rl) < 0)
		return 8ull << 20;
	uint64_t n = rl.rlim_cur == RLIM_INFINITY ? hi : ((uint64_t)rl.rlim_cur + 4095) & ~4095ull;
	return n < lo ? lo : n > hi ? hi : n;
}

uint64_t lx_exec_sigmask;
struct lx_seccomp *lx_exec_seccomp;

int lx_exec_restore(const char *state)
{
	const char *p = strstr(state, "fds=");
	if (p) {
		p += 4;
		while (*p && *p != ';') {
			int g, h;
			unsigned fl;
			int used = 0;
			if (sscanf(p, "%d:%d:%x%n", &g, &h, &fl, &used) != 3)
				return -LINUX_EINVAL;
			p += used;
			if (*p == ',')
				p++;
			if (fcntl(h, F_SETFD, FD_CLOEXEC) < 0)
				continue;
			struct lx_file *f = lx_host_file_new(h, fl, NULL);
			if (!f)
				return -LINUX_ENOMEM;
			lx_fsadmin_inherited(f);
			int r = lx_fd_install_at(lx_proc.fds, g, f, 0);
			lx_file_put(f);
			if (r < 0)
				return r;
		}
	}
	if ((p = strstr(state, "umask="))) {
		lx_proc.umask = (unsigned)strtoul(p + 6, NULL, 8);
		umask(lx_proc.umask);
	}
	int cur, max;
	if ((p = strstr(state, "nofile=")) && sscanf(p + 7, "%d:%d", &cur, &max) == 2 &&
	    cur >= 0 && cur <= max && max <= LX_FD_MAX)
		lx_fd_limit_init(lx_proc.fds, cur, max);
	if ((p = strstr(state, "sigmask=")))
		lx_exec_sigmask = strtoull(p + 8, NULL, 16);
	if ((p = strstr(state, ";late="))) {
		for (p += 6; *p >= '0' && *p <= '9'; p += *p == ',') {
			int h = (int)strtol(p, (char **)&p, 10);
			int *m = realloc(late_list, (size_t)(late_count + 1) * sizeof(int));
			if (!m) {
				close(h);
				continue;
			}
			late_list = m;
			late_list[late_count++] = h;
			fcntl(h, F_SETFD, FD_CLOEXEC); /* a failed start's own execve drops it too */
		}
	}
	lx_ptrace_exec_restore(state);
	return lx_seccomp_import(&lx_exec_seccomp, state);
}

#define ENV_HIDDEN "__LXRUN_GUEST_"

/* Renamed: what the host's ld.so or libc would act on, and anything already carrying the
 * prefix (so unhide is exact for every name). */
static int env_hidden_name(const char *e)
{
	return !strncmp(e, "LD_", 3) || !strncmp(e, "GLIBC_TUNABLES=", 15) ||
	       !strncmp(e, ENV_HIDDEN, strlen(ENV_HIDDEN));
}

int lx_exec_env_hide(char **envp)
{
	for (; *envp; envp++) {
		if (!env_hidden_name(*envp))
			continue;
		size_t n = strlen(*envp) + 1;
		char *h = malloc(strlen(ENV_HIDDEN) + n);
		if (!h)
			return -LINUX_ENOMEM;
		memcpy(h, ENV_HIDDEN, strlen(ENV_HIDDEN));
		memcpy(h + strlen(ENV_HIDDEN), *envp, n);
		free(*envp);
		*envp = h;
	}
	return 0;
}

char **lx_exec_env_unhide(char **envp)
{
	size_t n = 0, hidden = 0, pl = strlen(ENV_HIDDEN);
	for (; envp[n]; n++)
		hidden += !strncmp(envp[n], ENV_HIDDEN, pl);
	if (!hidden)
		return envp;
	char **v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		v[i] = envp[i] && !strncmp(envp[i], ENV_HIDDEN, pl) ? envp[i] + pl : envp[i];
	return v;
}
