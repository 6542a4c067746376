/* SPDX-License-Identifier: MIT */
/* procfs: the guest's /proc. Entries of the guest's own process (self, thread-self, its pid)
 * are made from translator state; everything else is the host's /proc, which describes the
 * same machine and the same (host) processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/mm.h"
#include "translator/process.h"
#include "translator/ptrace.h"
#include "translator/sys/hostadmin.h"
#include "translator/signal_guest.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"
#include "translator/vfs/synth.h"
#include "translator/vfs/vfs.h"

/* Entries made for the guest's own /proc/PID; the rest of /proc/PID is the host's. */
static const char *const own_files[] = {"maps", "cmdline", "environ", "status", "stat",
					 "comm", "auxv", "mounts", "mountinfo", "limits"};
static const char *const own_links[] = {"exe", "cwd", "root"};

struct own {
	int is_own;        /* the path is under the guest's own pid */
	const char *sub;   /* the part after /PID ("" for the pid dir itself) */
};

static int split_own(const char *p, struct own *o)
{
	o->is_own = 0;
	o->sub = "";
	const char *c = p + 1;
	char pidbuf[16];
	snprintf(pidbuf, sizeof(pidbuf), "%d", lx_proc.pid);
	size_t n = strlen(pidbuf);
	if (!strncmp(c, pidbuf, n) && (c[n] == '/' || !c[n])) {
		o->is_own = 1;
		o->sub = c + n;
	}
	return o->is_own;
}

/*
 * Another guest process's fds (fd.h, LX_PUB_NAME): its lxrun keeps the guest's fd -> host fd
 * map in a memfd, found among the host's /proc/PID/fd. foreign_map opens it: the fd, or -1
 * when pid is no lxrun process (a host process: the host's fd/ is its own) or the map cannot
 * be read.
 */
static int foreign_map(long pid)
{
	char dir[48], l[320], t[64];
	/* only a process of this very lxrun binary (one layout of the memfd): one readlink spares
	 * ps, which reads every process's status, a walk of each one's fds */
	static char self[PATH_MAX];
	char exe[PATH_MAX];
	if (!self[0] && readlink("/proc/self/exe", self, sizeof(self) - 1) <= 0)
		return -1;
	snprintf(dir, sizeof(dir), "/proc/%ld/exe", pid);
	ssize_t el = readlink(dir, exe, sizeof(exe) - 1);
	if (el <= 0 || (exe[el] = 0, strcmp(exe, self)))
		return -1;
	snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
	DIR *d = opendir(dir);
	struct dirent *de;
	int fd = -1;
	while (d && fd < 0 && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(l, sizeof(l), "%s/%s", dir, de->d_name);
		ssize_t n = readlink(l, t, sizeof(t) - 1);
		if (n <= 0)
			continue;
		t[n] = 0;
		if (strncmp(t, "/memfd:" LX_PUB_NAME " ", strlen("/memfd:" LX_PUB_NAME " ")))
			continue;
		fd = open(l, O_RDONLY | O_CLOEXEC);
		int32_t magic = 0;
		if (fd >= 0 && (pread(fd, &magic, sizeof(magic), 0) != sizeof(magic) ||
				magic != LX_PUB_MAGIC)) {
			close(fd);
			fd = -1;
		}
	}
	if (d)
		closedir(d);
	return fd;
}

/* p is "/PID/fd", "/PID/fdinfo" (*n = -1), or one of their entries (*n the fd; *rest what
 * follows it) of a process other than the guest's own: its pid, else 0. */
static long foreign_fd_path(const char *p, long *n, const char **rest, int *info)
{
	char *end;
	long pid = strtol(p + 1, &end, 10);
	struct own o;
	if (end == p + 1 || pid <= 0 || *end != '/' || split_own(p, &o))
		return 0;
	size_t k = !strncmp(end, "/fdinfo", 7) ? 7 : !strncmp(end, "/fd", 3) ? 3 : 0;
	if (!k || (end[k] && end[k] != '/'))
		return 0;
	*info = k == 7;
	*n = -1;
	*rest = "";
	if (!end[k] || !end[k + 1])
		return pid;
	long fd = strtol(end + k + 1, &end, 10);
	if (fd < 0 || fd >= LX_FD_MAX || (*end && *end != '/'))
		return 0;
	*n = fd;
	*rest = end;
	return pid;
}

/* Another guest process's published head (fd.h), or -1 when pid is none. */
static int foreign_head(long pid, struct lx_pub_head *h)
{
	int map = foreign_map(pid);
	if (map < 0)
		return -1;
	ssize_t n = pread(map, h, sizeof(*h), 0);
	close(map);
	if (n != (ssize_t)sizeof(*h))
		return -1;
	h->exe[sizeof(h->exe) - 1] = 0;
	return 0;
}

/* "/PID/NAME" of a process other than the guest's own (NAME: exe, status, limits): its pid,
 * else 0. */
static long foreign_file(const char *p, const char *name)
{
	char *end;
	long pid = strtol(p + 1, &end, 10);
	struct own o;
	if (end == p + 1 || pid <= 0 || *end != '/' || strcmp(end + 1, name) || split_own(p, &o))
		return 0;
	return pid;
}

/* Another guest's program (the host's /proc/PID/exe names its lxrun) into buf: 1, or 0 when
 * p is no other guest's exe. Without --root its path is the host's too. */
static int foreign_exe(const char *p, char *buf, size_t size)
{
	long pid = foreign_file(p, "exe");
	struct lx_pub_head *h = pid && !vfs_confined() ? malloc(sizeof(*h)) : NULL;
	int ok = h && foreign_head(pid, h) == 0 && h->exe[0] == '/';
	if (ok)
		snprintf(buf, size, "%s", h->exe);
	free(h);
	return ok;
}

/* The word for guest fd fd (fd.h: 0 when closed) */
static int32_t foreign_word(int map, long fd)
{
	int32_t w = 0;
	if (pread(map, &w, sizeof(w), (off_t)((LX_PUB_FDS + fd) * sizeof(w))) != sizeof(w))
		return 0;
	return w;
}

/* The host's path of guest /proc path p. The guest's own pid is the host's /proc/self: in a
 * pid namespace the guest made (the host-admin model), lx_proc.pid is its pid there, while
 * the host's /proc is the host's pid namespace's. */
static void host_proc(char *buf, size_t size, const char *p)
{
	struct own o;
	long fd, pid;
	const char *rest;
	int info, map;
	if (split_own(p, &o)) {
		snprintf(buf, size, "/proc/self%s", o.sub);
	} else if ((pid = foreign_fd_path(p, &fd, &rest, &info)) && fd >= 0 &&
		   (map = foreign_map(pid)) >= 0) {
		/* another guest's fd N: its host fd's entry; a closed one is none ("-") */
		int32_t w = foreign_word(map, fd) & ~LX_PUB_CLOEXEC;
		close(map);
		if (w > 0 && w != LX_PUB_NOHOST)
			snprintf(buf, size, "/proc/%ld/%s/%d%s", pid, info ? "fdinfo" : "fd", w - 1,
				 rest);
		else
			snprintf(buf, size, "/proc/%ld/%s/-", pid, info ? "fdinfo" : "fd");
	} else {
		snprintf(buf, size, "/proc%s", strcmp(p, "/") ? p : "");
	}
}

static int name_in(const char *name, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && !strncmp(name, list[i], n))
			return (int)i;
	return -1;
}

/* Target of own_links[i]. */
static long link_target(int i, char *buf, size_t size)
{
	const char *t = i == 0 ? lx_proc.exe : i == 1 ? vfs_cwd() : "/";
	return snprintf(buf, size, "%s", t);
}

/* "fd/N" -> the file, or NULL. */
static long fd_num(const char *sub)
{
	size_t k = !strncmp(sub, "/fd/", 4) ? 4 : !strncmp(sub, "/fdinfo/", 8) ? 8 : 0;
	if (!k)
		return -1;
	char *end;
	long fd = strtol(sub + k, &end, 10);
	if (end == sub + k || (*end && *end != '/') || fd < 0 || fd >= LX_FD_MAX)
		return -1;
	return fd;
}

/* The guest file of /fd/N or /fdinfo/N, or NULL. */
static struct lx_file *fd_of(const char *sub)
{
	long fd = fd_num(sub);
	return fd < 0 ? NULL : lx_fd_lookup(lx_proc.fds, (int)fd);
}

static char *host_with_line(const char *file, const char *key, const char *line, size_t *len);

/* /proc/self/fdinfo/N of a guest fd: the host's text for its host fd (a fanotify or inotify
 * fd's marks, a pidfd's Pid:, an eventfd's count...) with the guest's flags (close-on-exec is
 * the guest fd's); a file without a host fd shows its position and flags. */
static char *render_fdinfo(const char *sub, size_t *len)
{
	long fd = fd_num(sub);
	struct lx_file *f = fd_of(sub);
	int *ce = f ? lx_fd_cloexec(lx_proc.fds, (int)fd) : NULL;
	unsigned fl = f->flags | (ce && *ce ? LINUX_O_CLOEXEC : 0);
	char line[64], file[32];
	snprintf(line, sizeof(line), "flags:\t0%o\n", fl);
	if (f->host_fd >= 0) {
		snprintf(file, sizeof(file), "fdinfo/%d", f->host_fd);
		char *d = host_with_line(file, "flags:", line, len);
		if (d)
			return d;
	}
	char *d = malloc(128);
	if (d)
		*len = (size_t)snprintf(d, 128, "pos:\t%lld\n%smnt_id:\t0\nino:\t0\n",
					(long long)f->pos, line);
	return d;
}

static long fd_link(struct lx_file *f, char *buf, size_t size)
{
	if (f->host_fd >= 0 && !f->path) {
		char l[64];
		snprintf(l, sizeof(l), "/proc/self/fd/%d", f->host_fd);
		ssize_t r = readlink(l, buf, size - 1);
		if (r < 0)
			return lx_errno(errno);
		buf[r] = 0;
		return r;
	}
	return vfs_file_path(f, buf, size);
}

/*
 * Under --root, /proc/PID of every other process is the host's, and its links (root, cwd,
 * exe, fd/N, map_files) and memory lead to the host's files: a real container would not even
 * see those processes. They are refused as Linux refuses them to a process that may not
 * ptrace the target (EACCES); the rest of /proc/PID (stat, status, cmdline...) stays.
 */
static int foreign_denied(const char *p)
{
	static const char *const denied[] = {"root", "cwd", "exe", "fd", "fdinfo", "map_files",
					     "mem", "environ", "auxv", "pagemap", "syscall", "stack",
					     "ns", "task"};
	if (!vfs_confined())
		return 0;
	const char *c = p + 1;
	while (*c >= '0' && *c <= '9')
		c++;
	if (c == p + 1 || *c != '/')
		return 0;
	c++;
	if (!strncmp(c, "task/", 5)) { /* task/TID/x: x decides */
		const char *t = c + 5;
		while (*t >= '0' && *t <= '9')
			t++;
		if (*t != '/')
			return 0;
		c = t + 1;
	}
	size_t n = strcspn(c, "/");
	return name_in(c, n, denied, sizeof(denied) / sizeof(denied[0])) >= 0;
}

/* The calling thread's tid; the pid before the threads are set up (a re-executed lxrun's
 * loader opening /proc/self/fd/N), when the thread block at GS is not there yet. */
static int current_tid(void)
{
	unsigned long gs = 0;
	if (syscall(SYS_arch_prctl, ARCH_GET_GS, &gs) < 0 || !gs)
		return lx_proc.pid;
	struct lx_thread *t = lx_thread_self();
	return t ? t->tid : lx_proc.pid;
}

static int proc_resolve(struct lx_mount *m, const char *p, int follow, char *out, size_t outlen)
{
	const char *c = p + 1;
	if (!strncmp(c, "self", 4) && (c[4] == '/' || !c[4])) {
		if (!c[4] && !follow)
			return 0;
		snprintf(out, outlen, "/proc/%d%s", lx_proc.pid, c + 4);
		return 1;
	}
	if (!strncmp(c, "thread-self", 11) && (c[11] == '/' || !c[11])) {
		if (!c[11] && !follow)
			return 0;
		snprintf(out, outlen, "/proc/%d/task/%d%s", lx_proc.pid, current_tid(), c + 11);
		return 1;
	}
	struct own o;
	if (!split_own(p, &o))
		return foreign_denied(p) ? -LINUX_EACCES : 0;
	if (!*o.sub)
		return 0;
	const char *name = o.sub + 1;
	/* map_files/: lxrun's own mappings are there too (its binary, the host's libraries):
	 * refused as to a process without CAP_SYS_ADMIN */
	if (!strncmp(name, "map_files/", 10) && name[10])
		return -LINUX_EPERM;
	const char *slash = strchr(name, '/');
	size_t n = slash ? (size_t)(slash - name) : strlen(name);
	int li = name_in(name, n, own_links, 3);
	if (li >= 0 && (slash || follow)) {
		char t[LX_PATH_MAX];
		link_target(li, t, sizeof(t));
		snprintf(out, outlen, "%s%s", t, slash ? slash : "");
		return 1;
	}
	if (n == 4 && !strncmp(name, "task", 4) && slash && slash[1]) {
		/* task/TID/... is the process itself for every guest thread (the host's threads
		 * of this process): a thread that is gone is ENOENT */
		const char *after = strchr(slash + 1, '/');
		char host[64];
		long tid = strtol(slash + 1, NULL, 10);
		snprintf(host, sizeof(host), "/proc/self/task/%ld", tid);
		if (tid <= 0 || access(host, F_OK) != 0)
			return -LINUX_ENOENT;
		/* the thread's directory itself is the host's (the entries of a thread: no task/
		 * in it, as Linux's has none) */
		if (!after || !after[1])
			return 0;
		size_t an = strcspn(after + 1, "/");
		if (an == 4 && !strncmp(after + 1, "task", 4))
			return -LINUX_ENOENT;
		/* what lxrun makes for the process (maps, fd/, exe...) is the same for its threads;
		 * anything else is the host thread's own file (children, sched, io...) */
		if (name_in(after + 1, an, own_files, sizeof(own_files) / sizeof(own_files[0])) < 0 &&
		    name_in(after + 1, an, own_links, 3) < 0 && !(an == 2 && !strncmp(after + 1, "fd", 2)) &&
		    !(an == 6 && !strncmp(after + 1, "fdinfo", 6)))
			return 0;
		snprintf(out, outlen, "/proc/%d%s", lx_proc.pid, after);
		return 1;
	}
	if (n == 2 && !strncmp(name, "fd", 2) && slash) {
		struct lx_file *f = fd_of(o.sub);
		if (!f)
			return -LINUX_ENOENT;
		const char *more = strchr(slash + 1, '/');
		if (more || follow) {
			/* The magic link leads to the file itself. Files with a path are reached
			 * through it (so chmod, stat, ... act on them); pipes, sockets and deleted
			 * files stay magic and are handled by open/stat here. */
			char t[LX_PATH_MAX];
			long r = fd_link(f, t, sizeof(t));
			if (r < 0)
				return (int)r;
			size_t tl = strlen(t);
			struct stat hst;
			/* an O_PATH fd of a symlink stays magic too: opening it gives ELOOP */
			int is_link = f->host_fd >= 0 && (f->flags & LINUX_O_PATH) &&
				      fstat(f->host_fd, &hst) == 0 && S_ISLNK(hst.st_mode);
			if (t[0] != '/' || is_link || (tl > 10 && !strcmp(t + tl - 10, " (deleted)")))
				return more ? -LINUX_ENOTDIR : 0;
			snprintf(out, outlen, "%s%s", t, more ? more : "");
			return 1;
		}
	}
	return 0;
}

static int own_stat(struct lx_mount *m, struct own *o, struct linux_stat *st)
{
	const char *name = o->sub + 1;
	uint64_t ino = 0x10000 + (uint64_t)lx_proc.pid * 64;
	if (!*o->sub) {
		synth_stat(st, m, LINUX_S_IFDIR | 0555, ino, 0);
		return 0;
	}
	if (!strcmp(name, "fd") || !strcmp(name, "task")) {
		synth_stat(st, m, LINUX_S_IFDIR | 0500, ino + 1, 0);
		return 0;
	}
	if (name_in(name, strlen(name), own_links, 3) >= 0) {
		synth_stat(st, m, LINUX_S_IFLNK | 0777, ino + 2, 0);
		return 0;
	}
	if (!strcmp(name, "fdinfo")) {
		synth_stat(st, m, LINUX_S_IFDIR | 0500, ino + 4, 0);
		return 0;
	}
	if (!strncmp(name, "fdinfo/", 7)) {
		if (!fd_of(o->sub))
			return -LINUX_ENOENT;
		synth_stat(st, m, LINUX_S_IFREG | 0444, ino + 5, 0);
		return 0;
	}
	if (!strncmp(name, "fd/", 3)) {
		struct lx_file *f = fd_of(o->sub);
		if (!f)
			return -LINUX_ENOENT;
		/* as Linux: r-x for a file open for reading, -wx for writing, none for O_PATH */
		unsigned acc = f->flags & LINUX_O_ACCMODE, mode = 0;
		if (!(f->flags & LINUX_O_PATH) && acc != LINUX_O_WRONLY)
			mode |= 0500;
		if (!(f->flags & LINUX_O_PATH) && acc != LINUX_O_RDONLY)
			mode |= 0300;
		synth_stat(st, m, LINUX_S_IFLNK | mode, ino + 3, 64);
		return 0;
	}
	int i = name_in(name, strlen(name), own_files, sizeof(own_files) / sizeof(own_files[0]));
	if (i >= 0) {
		synth_stat(st, m, LINUX_S_IFREG | (i == 6 ? 0400 : 0444), ino + 8 + (uint64_t)i, 0);
		return 0;
	}
	return 1; /* not ours: the host's */
}

static int proc_stat(struct lx_mount *m, const char *p, struct linux_stat *st)
{
	struct own o;
	if (split_own(p, &o)) {
		int r = own_stat(m, &o, st);
		if (r <= 0)
			return r;
	}
	if (!strcmp(p, "/self") || !strcmp(p, "/thread-self")) {
		synth_stat(st, m, LINUX_S_IFLNK | 0777, 0xfff0 + (p[1] == 't'), 0);
		return 0;
	}
	char host[LX_PATH_MAX];
	host_proc(host, sizeof(host), p);
	return lstat(host, (struct stat *)st) < 0 ? (int)lx_errno(errno) : 0;
}

static long proc_readlink(struct lx_mount *m, const char *p, char *buf, size_t size)
{
	char t[LX_PATH_MAX];
	long r;
	struct own o;
	if (!strcmp(p, "/self"))
		r = snprintf(t, sizeof(t), "%d", lx_proc.pid);
	else if (!strcmp(p, "/thread-self"))
		r = snprintf(t, sizeof(t), "%d/task/%d", lx_proc.pid, current_tid());
	else if (split_own(p, &o) && *o.sub) {
		const char *name = o.sub + 1;
		int li = name_in(name, strlen(name), own_links, 3);
		if (li >= 0)
			r = link_target(li, t, sizeof(t));
		else if (!strncmp(name, "fd/", 3) && fd_of(o.sub))
			r = fd_link(fd_of(o.sub), t, sizeof(t));
		else if (!strncmp(name, "ns/", 3) && !strchr(name + 3, '/')) {
			/* translate mode makes no namespaces: the guest's are lxrun's, the host's */
			char host[LX_PATH_MAX];
			snprintf(host, sizeof(host), "/proc/self/%s", name);
			r = readlink(host, t, sizeof(t));
			if (r < 0)
				return lx_errno(errno);
		} else
			return -LINUX_EINVAL;
	} else {
		char host[LX_PATH_MAX];
		host_proc(host, sizeof(host), p);
		if (foreign_exe(p, t, sizeof(t)))
			r = (long)strlen(t);
		else
			r = readlink(host, t, sizeof(t));
		if (r < 0)
			return lx_errno(errno);
	}
	if (r < 0)
		return r;
	if ((size_t)r > size)
		r = (long)size;
	memcpy(buf, t, (size_t)r);
	return r;
}

/* Copy a range of live guest memory (argv, environ, auxv) into a buffer. */
static char *guest_range(uint64_t start, uint64_t end, size_t *len)
{
	*len = end > start ? (size_t)(end - start) : 0;
	char *d = malloc(*len + 1);
	if (d && *len && guest_copy_in(d, start, *len) < 0)
		*len = 0;
	return d;
}

/* d (len bytes, NUL-terminated) with the line starting with key replaced by line: the new
 * buffer (d freed), or d unchanged when key is absent or memory runs out. */
static char *replace_line(char *d, size_t *len, const char *key, const char *line)
{
	char *at = strstr(d, key);
	if (!at)
		return d;
	char *eol = strchr(at, '\n');
	size_t before = (size_t)(at - d), after = eol ? *len - (size_t)(eol + 1 - d) : 0;
	size_t ll = strlen(line);
	char *n = malloc(before + ll + after + 1);
	if (!n)
		return d;
	memcpy(n, d, before);
	memcpy(n + before, line, ll);
	memcpy(n + before + ll, eol ? eol + 1 : "", after);
	*len = before + ll + after;
	n[*len] = 0;
	free(d);
	return n;
}

/* Host /proc/self/FILE with the line starting with key replaced. */
static char *host_with_line(const char *file, const char *key, const char *line, size_t *len)
{
	char *d;
	char host[64];
	snprintf(host, sizeof(host), "/proc/self/%s", file);
	if (synth_slurp(host, &d, len) < 0)
		return NULL;
	d[*len] = 0; /* synth_slurp leaves room: cap is a power of two > n */
	return replace_line(d, len, key, line);
}

/* /proc/PID/limits (host file `host`) with the guest's RLIMIT_NOFILE (lxrun's own fds are
 * the host's limit's difference), in Linux's columns. */
static char *render_limits(const char *host, unsigned long cur, unsigned long max, size_t *len)
{
	char *d, line[128];
	if (synth_slurp(host, &d, len) < 0)
		return NULL;
	d[*len] = 0;
	snprintf(line, sizeof(line), "%-25s %-20lu %-20lu %-10s\n", "Max open files", cur, max,
		 "files");
	return replace_line(d, len, "Max open files", line);
}

/* /proc/self/status: the host's, with the guest's name, signal state and seccomp mode (the
 * host's show lxrun's own handlers, and SIGSYS blocked while lxrun serves the read). */
/* d's status line key ("SigBlk:") with the mask v. */
static char *mask_line(char *d, size_t *len, const char *key, uint64_t v)
{
	char line[48];
	snprintf(line, sizeof(line), "%s\t%016llx\n", key, (unsigned long long)v);
	return replace_line(d, len, key, line);
}

static char *render_status(size_t *len)
{
	struct lx_thread *t = lx_thread_self();
	uint64_t ign, cgt;
	lx_signal_dispositions(&ign, &cgt);
	char line[96];
	snprintf(line, sizeof(line), "Name:\t%s\n", lx_proc.comm);
	char *d = host_with_line("status", "Name:", line, len);
	if (!d || !t)
		return d;
	unsigned long long pnd = 0;
	char *p = strstr(d, "\nSigPnd:\t");
	if (p)
		pnd = strtoull(p + 9, NULL, 16);
	d = mask_line(d, len, "SigPnd:", pnd | t->pending);
	d = mask_line(d, len, "SigBlk:", t->sigmask);
	d = mask_line(d, len, "SigIgn:", ign);
	d = mask_line(d, len, "SigCgt:", cgt);
	int mode, filters;
	lx_seccomp_status(t->seccomp, &mode, &filters);
	snprintf(line, sizeof(line), "Seccomp:\t%d\n", mode);
	d = replace_line(d, len, "Seccomp:", line);
	snprintf(line, sizeof(line), "Seccomp_filters:\t%d\n", filters);
	return replace_line(d, len, "Seccomp_filters:", line);
}

/* Host-admin model: the guest's mounts are the host's (its / is the host's, and its mount and
 * umount2 calls reach the host), so the table is the host's own, in either format; lxrun's
 * --tmpfs, which the host does not know, is added in /proc/mounts' format. */
static char *host_mounts(const char *file, size_t *len)
{
	char *d;
	if (synth_slurp(file, &d, len) < 0)
		return NULL;
	size_t count;
	struct lx_mount *ms = vfs_mounts(&count);
	for (size_t i = 0; i < count && strstr(file, "/mounts"); i++) {
		if (ms[i].ops != &lx_tmpfs_ops)
			continue;
		char line[320];
		int k = snprintf(line, sizeof(line), "tmpfs %s tmpfs rw,relatime 0 0\n", ms[i].path);
		char *nd = realloc(d, *len + (size_t)k + 1);
		if (!nd)
			break;
		d = nd;
		memcpy(d + *len, line, (size_t)k + 1);
		*len += (size_t)k;
	}
	return d;
}

static char *render_mounts(size_t *len, int info)
{
	if (lx_host_admin)
		return host_mounts(info ? "/proc/self/mountinfo" : "/proc/self/mounts", len);
	size_t count;
	struct lx_mount *ms = vfs_mounts(&count);
	char *d = malloc(4096);
	if (!d)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < count; i++) {
		const char *type = ms[i].ops ? ms[i].ops->type : "lxrun-hostfs";
		const char *src = ms[i].ops ? ms[i].ops->type : "hostfs";
		n += (size_t)snprintf(d + n, 4096 - n, "%s %s %s rw,relatime 0 0\n", src,
				      ms[i].path, type);
	}
	*len = n;
	return d;
}

/* /proc/PID/stat with the host's fields but the guest's comm. */
static char *render_stat(size_t *len)
{
	char *d;
	if (synth_slurp("/proc/self/stat", &d, len) < 0)
		return NULL;
	d[*len] = 0;
	char *open = strchr(d, '('), *close = strrchr(d, ')');
	if (!open || !close)
		return d;
	char *n = malloc(*len + 32);
	if (!n)
		return d;
	size_t k = (size_t)(open - d) + 1;
	memcpy(n, d, k);
	k += (size_t)sprintf(n + k, "%s", lx_proc.comm);
	size_t rest = *len - (size_t)(close - d);
	memcpy(n + k, close, rest);
	*len = k + rest;
	free(d);
	return n;
}

/* /proc/self/fd (arg 0) or fdinfo (arg 1): the guest's open fds, read when listed. */
static struct synth_dirent *fd_entries(int info, size_t *n)
{
	struct lx_fdtable *t = lx_proc.fds;
	int size = __atomic_load_n(&t->size, __ATOMIC_RELAXED), count = 0;
	for (int fd = 0; fd < size; fd++)
		count += lx_fd_lookup(t, fd) != NULL;
	/* a thread may open more meanwhile: those are left out, as a later open would be */
	struct synth_dirent *e = calloc((size_t)count + 1, sizeof(*e));
	*n = 0;
	if (!e)
		return NULL;
	for (int fd = 0; fd < size && *n < (size_t)count; fd++) {
		if (!lx_fd_lookup(t, fd))
			continue;
		snprintf(e[*n].name, sizeof(e[*n].name), "%d", fd);
		e[*n].type = info ? LINUX_DT_REG : LINUX_DT_LNK;
		e[*n].ino = 0x20000 + (uint64_t)fd;
		(*n)++;
	}
	return e;
}

/* e (holding *n of *cap entries) with room for one more, entry *n zeroed; NULL (e freed)
 * when memory runs out. */
static struct synth_dirent *dirent_room(struct synth_dirent *e, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		struct synth_dirent *m = realloc(e, 2 * *cap * sizeof(*e));
		if (!m) {
			free(e);
			return NULL;
		}
		e = m;
		*cap *= 2;
	}
	memset(&e[*n], 0, sizeof(*e));
	return e;
}

/* Another guest process's fd/ (arg: pid * 2) or fdinfo/ (pid * 2 + 1), from its map. */
static struct synth_dirent *foreign_fd_entries(int arg, size_t *n)
{
	int map = foreign_map(arg / 2);
	size_t cap = 64;
	struct synth_dirent *e = calloc(cap, sizeof(*e));
	int32_t w[1024];
	uint32_t top = 0;
	*n = 0;
	if (map >= 0 && pread(map, &top, sizeof(top), offsetof(struct lx_pub_head, top)) != sizeof(top))
		top = 0;
	for (long base = 0; e && map >= 0 && base < (long)top && base < LX_FD_MAX; base += 1024) {
		ssize_t got = pread(map, w, sizeof(w), (off_t)((LX_PUB_FDS + base) * sizeof(int32_t)));
		if (got <= 0)
			break;
		for (long i = 0; i < got / (ssize_t)sizeof(int32_t); i++) {
			if (!w[i])
				continue;
			if (!(e = dirent_room(e, n, &cap)))
				break;
			snprintf(e[*n].name, sizeof(e[*n].name), "%ld", base + i);
			e[*n].type = arg % 2 ? LINUX_DT_REG : LINUX_DT_LNK;
			e[*n].ino = 0x20000 + (uint64_t)(base + i);
			(*n)++;
		}
	}
	if (map >= 0)
		close(map);
	return e;
}

/* task/: every thread of the process (guest threads are the host's threads of lxrun), read
 * when listed. */
static struct synth_dirent *task_entries(int unused, size_t *n)
{
	(void)unused;
	size_t cap = 16;
	struct synth_dirent *e = calloc(cap, sizeof(*e));
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	*n = 0;
	while (e && d && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (!(e = dirent_room(e, n, &cap)))
			break;
		snprintf(e[*n].name, sizeof(e[*n].name), "%s", de->d_name);
		e[*n].type = LINUX_DT_DIR;
		e[*n].ino = 0x30000 + *n;
		(*n)++;
	}
	if (d)
		closedir(d);
	if (e && *n == 0) { /* no host /proc: the process itself */
		snprintf(e[0].name, sizeof(e[0].name), "%d", lx_proc.pid);
		e[0].type = LINUX_DT_DIR;
		*n = 1;
	}
	return e;
}

/* The host's [vsyscall] line, "" if it has none: the page is the kernel's, at the same place
 * in every process (lxrun's, so the guest's), and Linux lists it last. Read once. */
static const char *vsyscall_line(void)
{
	static char line[160];
	static int done;
	if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
		return line;
	FILE *f = fopen("/proc/self/maps", "re");
	char buf[512];
	while (f && fgets(buf, sizeof(buf), f)) {
		size_t n = strlen(buf);
		if (n < sizeof(line) && n > 11 && !strcmp(buf + n - 11, "[vsyscall]\n")) {
			memcpy(line, buf, n + 1); /* racing threads write the same bytes */
			break;
		}
	}
	if (f)
		fclose(f);
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	return line;
}

/* The guest's maps (mm's list), then the host's [vsyscall] line. */
static char *render_maps(size_t *len)
{
	const char *vsys = vsyscall_line();
	size_t n = strlen(vsys);
	char *d = mm_render_maps(len), *r;
	if (!d || !n)
		return d;
	r = realloc(d, *len + n + 1);
	if (!r) {
		free(d);
		return NULL;
	}
	memcpy(r + *len, vsys, n + 1);
	*len += n;
	return r;
}

static int own_open(struct lx_mount *m, struct own *o, unsigned flags, struct lx_file **out)
{
	const char *name = *o->sub ? o->sub + 1 : "";
	struct linux_stat st;
	if (!strcmp(name, "fd") || !strcmp(name, "fdinfo") || !strcmp(name, "task")) {
		if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
			return -LINUX_EISDIR;
		own_stat(m, o, &st);
		*out = name[0] == 't' ? synth_dir_live(task_entries, 0, &st)
				      : synth_dir_live(fd_entries, name[2] != 0, &st);
		return *out ? 0 : -LINUX_ENOMEM;
	}
	if (!*o->sub) {
		if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
			return -LINUX_EISDIR;
		struct synth_dirent *ents = calloc(24, sizeof(*ents));
		size_t n = 0;
		if (!ents)
			return -LINUX_ENOMEM;
		for (size_t i = 0; i < sizeof(own_files) / sizeof(own_files[0]); i++) {
			snprintf(ents[n].name, 256, "%s", own_files[i]);
			ents[n++].type = LINUX_DT_REG;
		}
		for (size_t i = 0; i < 3; i++) {
			snprintf(ents[n].name, 256, "%s", own_links[i]);
			ents[n++].type = LINUX_DT_LNK;
		}
		strcpy(ents[n].name, "fd");
		ents[n++].type = LINUX_DT_DIR;
		strcpy(ents[n].name, "fdinfo");
		ents[n++].type = LINUX_DT_DIR;
		strcpy(ents[n].name, "task");
		ents[n++].type = LINUX_DT_DIR;
		for (size_t i = 0; i < n; i++)
			ents[i].ino = 0x20000 + i;
		own_stat(m, o, &st);
		*out = synth_dir_new(ents, n, &st);
		free(ents);
		return *out ? 0 : -LINUX_ENOMEM;
	}
	if (!strncmp(name, "fd/", 3)) {
		struct lx_file *f = fd_of(o->sub);
		if (!f)
			return -LINUX_ENOENT;
		if ((flags & LINUX_O_NOFOLLOW) && (flags & LINUX_O_PATH) && f->host_fd >= 0) {
			/* O_PATH | O_NOFOLLOW: the magic link itself, as the host's link of the
			 * same host fd (following it later reaches the same object) */
			char l[64];
			snprintf(l, sizeof(l), "/proc/self/fd/%d", f->host_fd);
			return lx_host_file_wrap(open(l, O_PATH | O_NOFOLLOW | O_CLOEXEC), flags,
						 NULL, out);
		}
		if (flags & LINUX_O_NOFOLLOW)
			return -LINUX_ELOOP;
		if (f->host_fd >= 0) { /* a real reopen, as Linux does through the magic link */
			char l[64];
			snprintf(l, sizeof(l), "/proc/self/fd/%d", f->host_fd);
			/* (a FIFO's reopen waits for its other end: lx_host_open) */
			long hfd = lx_host_open(SYS_openat, AT_FDCWD, l,
						(long)((flags & ~(unsigned)LINUX_O_CREAT) | O_CLOEXEC), 0);
			if (hfd < 0)
				return (int)hfd;
			int r = lx_host_file_wrap((int)hfd, flags, f->path, out);
			if (r < 0)
				return r;
			(*out)->mnt = f->mnt;
			(*out)->reopened = 1;
			return 0;
		}
		*out = lx_file_get(f);
		return 0;
	}
	if (!strncmp(name, "fdinfo/", 7)) {
		if (!fd_of(o->sub))
			return -LINUX_ENOENT;
		if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
			return -LINUX_EACCES;
		size_t len = 0;
		char *d = render_fdinfo(o->sub, &len);
		if (!d)
			return -LINUX_ENOMEM;
		own_stat(m, o, &st);
		*out = synth_file_new(d, len, &st);
		return *out ? 0 : -LINUX_ENOMEM;
	}
	if (name_in(name, strlen(name), own_links, 3) >= 0)
		return -LINUX_ELOOP; /* O_NOFOLLOW on a link; resolve follows otherwise */
	int i = name_in(name, strlen(name), own_files, sizeof(own_files) / sizeof(own_files[0]));
	if (i < 0)
		return 1;
	if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
		return -LINUX_EACCES;
	size_t len = 0;
	char *d = NULL;
	switch (i) {
	case 0:
		d = render_maps(&len);
		break;
	case 1:
		d = guest_range(lx_proc.argv_start, lx_proc.argv_end, &len);
		break;
	case 2:
		d = guest_range(lx_proc.env_start, lx_proc.env_end, &len);
		break;
	case 3:
		d = render_status(&len);
		break;
	case 4:
		d = render_stat(&len);
		break;
	case 5:
		d = malloc(32);
		if (d)
			len = (size_t)sprintf(d, "%s\n", lx_proc.comm);
		break;
	case 6:
		d = guest_range(lx_proc.auxv, lx_proc.auxv + lx_proc.auxv_len, &len);
		break;
	case 9:
		d = render_limits("/proc/self/limits", (unsigned long)lx_proc.fds->limit,
				  (unsigned long)lx_proc.fds->hard, &len);
		break;
	default:
		d = render_mounts(&len, i == 8);
		break;
	}
	if (!d)
		return -LINUX_ENOMEM;
	own_stat(m, o, &st);
	*out = synth_file_new(d, len, &st);
	return *out ? 0 : -LINUX_ENOMEM;
}

static int proc_open(struct lx_mount *m, const char *p, unsigned flags, unsigned mode,
		     struct lx_file **out)
{
	struct own o;
	if ((flags & LINUX_O_CREAT) && (flags & LINUX_O_EXCL))
		return -LINUX_EEXIST;
	if (split_own(p, &o)) {
		int r = own_open(m, &o, flags, out);
		if (r <= 0)
			return r;
	}
	size_t tlen;
	char *td = lx_ptrace_proc_file(p, &tlen);
	if (td) { /* a stopped tracee's auxv (a debugger relocating a PIE) */
		struct linux_stat st;
		synth_stat(&st, m, LINUX_S_IFREG | 0400, 0xfff3, 0);
		*out = synth_file_new(td, tlen, &st);
		return *out ? 0 : -LINUX_ENOMEM;
	}
	if (!strcmp(p, "/mounts")) {
		size_t len;
		char *d = render_mounts(&len, 0);
		struct linux_stat st;
		synth_stat(&st, m, LINUX_S_IFREG | 0444, 0xfff2, 0);
		*out = d ? synth_file_new(d, len, &st) : NULL;
		return *out ? 0 : -LINUX_ENOMEM;
	}
	/* The kernel's settings (/proc/sys, sysrq-trigger) are written only in the host-admin
	 * model; the container model's are read-only, as access(2) says (a container's
	 * /proc/sys is a read-only mount: kernel/core_pattern would run a program as host root) */
	if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY && !lx_host_admin &&
	    (!strncmp(p, "/sys/", 5) || !strcmp(p, "/sysrq-trigger")))
		return -LINUX_EACCES;
	long fd, pid;
	const char *rest;
	int info;
	if ((pid = foreign_fd_path(p, &fd, &rest, &info)) && fd >= 0 && info && !*rest) {
		int map = foreign_map(pid);
		if (map >= 0) { /* another guest's fdinfo/N: the host fd's, its close-on-exec the
				 * guest fd's */
			int32_t w = foreign_word(map, fd);
			close(map);
			int hfd = (w & ~LX_PUB_CLOEXEC) - 1;
			if (hfd < 0 || hfd + 1 == LX_PUB_NOHOST)
				return -LINUX_ENOENT;
			char host[64], *d, line[64];
			size_t len;
			snprintf(host, sizeof(host), "/proc/%ld/fdinfo/%d", pid, hfd);
			if (synth_slurp(host, &d, &len) < 0)
				return -LINUX_ENOENT;
			d[len] = 0;
			char *at = strstr(d, "flags:");
			unsigned long fl = at ? strtoul(at + 6, NULL, 8) : 0;
			fl = (fl & ~(unsigned long)LINUX_O_CLOEXEC) | (w & LX_PUB_CLOEXEC ? LINUX_O_CLOEXEC : 0);
			snprintf(line, sizeof(line), "flags:\t0%lo\n", fl);
			d = replace_line(d, &len, "flags:", line);
			struct linux_stat st;
			synth_stat(&st, m, LINUX_S_IFREG | 0444, 0x20000 + (uint64_t)fd, 0);
			*out = synth_file_new(d, len, &st);
			return *out ? 0 : -LINUX_ENOMEM;
		}
	}
	char prog[LX_PATH_MAX];
	if (!(flags & LINUX_O_NOFOLLOW) && foreign_exe(p, prog, sizeof(prog)))
		return lx_host_file_open(prog, flags, out);
	long lpid = foreign_file(p, "limits");
	struct lx_pub_head *lh = lpid ? malloc(sizeof(*lh)) : NULL;
	if (lh && foreign_head(lpid, lh) == 0) { /* another guest's: its RLIMIT_NOFILE */
		char host[64];
		size_t len;
		snprintf(host, sizeof(host), "/proc/%ld/limits", lpid);
		char *d = render_limits(host, lh->nofile[0], lh->nofile[1], &len);
		free(lh);
		if (!d)
			return -LINUX_ENOENT;
		struct linux_stat st;
		synth_stat(&st, m, LINUX_S_IFREG | 0444, 0xfff5, 0);
		*out = synth_file_new(d, len, &st);
		return *out ? 0 : -LINUX_ENOMEM;
	}
	free(lh);
	long spid = foreign_file(p, "status");
	if (spid) {
		struct lx_pub_head *h = malloc(sizeof(*h));
		char host[64], *d = NULL;
		size_t len;
		snprintf(host, sizeof(host), "/proc/%ld/status", spid);
		if (h && foreign_head(spid, h) == 0 && synth_slurp(host, &d, &len) == 0) {
			/* another guest's: its handlers, not its lxrun's; lxrun's SIGSYS is not in
			 * the guest's mask */
			d[len] = 0;
			char *at = strstr(d, "\nSigBlk:\t");
			uint64_t blk = at ? strtoull(at + 9, NULL, 16) : 0;
			d = mask_line(d, &len, "SigBlk:", blk & ~(1ull << (SIGSYS - 1)));
			d = mask_line(d, &len, "SigIgn:", h->sig_ign);
			d = mask_line(d, &len, "SigCgt:", h->sig_cgt);
			free(h);
			struct linux_stat st;
			synth_stat(&st, m, LINUX_S_IFREG | 0444, 0xfff4, 0);
			*out = synth_file_new(d, len, &st);
			return *out ? 0 : -LINUX_ENOMEM;
		}
		free(h);
		free(d);
	}
	if (pid && fd < 0 && pid < (1L << 29)) {
		int map = foreign_map(pid);
		if (map >= 0) { /* another guest's fd/ or fdinfo/: its guest fds */
			close(map);
			struct linux_stat st;
			int r = proc_stat(m, p, &st);
			if (r < 0)
				return r;
			*out = synth_dir_live(foreign_fd_entries, (int)(pid * 2 + info), &st);
			return *out ? 0 : -LINUX_ENOMEM;
		}
	}
	char host[LX_PATH_MAX];
	host_proc(host, sizeof(host), p);
	return lx_host_file_open(host, flags, out);
}

static int proc_statfs(struct lx_mount *m, const char *p, struct linux_statfs *st)
{
	synth_statfs(st, 0x9fa0); /* PROC_SUPER_MAGIC */
	return 0;
}

/* chmod of a /proc/PID/fd/N that stays magic (a pipe, a socket, a deleted file, an O_PATH
 * fd of a symlink): the host's magic link to the same host fd reaches the same inode, and a
 * symlink's mode cannot change (EOPNOTSUPP). lxrun's own files have no modes to change. */
static int proc_chmod(struct lx_mount *m, const char *p, unsigned mode)
{
	struct own o;
	struct lx_file *f = split_own(p, &o) ? fd_of(o.sub) : NULL;
	if (!f || f->host_fd < 0)
		return -LINUX_EPERM;
	char l[64];
	snprintf(l, sizeof(l), "/proc/self/fd/%d", f->host_fd);
	return chmod(l, mode) < 0 ? (int)lx_errno(errno) : 0;
}

const struct lx_fs_ops lx_procfs_ops = {
	.type = "proc",
	.resolve = proc_resolve,
	.open = proc_open,
	.stat = proc_stat,
	.readlink = proc_readlink,
	.chmod = proc_chmod,
	.statfs = proc_statfs,
};

/* The open file behind /proc/PID/fd/N (for stat with follow), or NULL. */
struct lx_file *procfs_fd_file(const char *rel)
{
	struct own o;
	if (!split_own(rel, &o))
		return NULL;
	return fd_of(o.sub);
}

/* A followed stat of a namespace link (/PID/ns/NAME, /PID/task/TID/ns/NAME): the namespace's
 * own inode, as Linux's stat gives (its link names no path lxrun could resolve). 1 when rel is
 * no such link, else 0 or -errno. */
long procfs_stat_follow(const char *rel, struct linux_stat *st)
{
	const char *ns = strstr(rel, "/ns/");
	struct own o;
	if (rel[1] < '0' || rel[1] > '9')
		return 1;
	/* another process's links (fd/N, cwd, exe...): the host follows them, as it would
	 * for that process (its fd/N mapped to the host fd by host_proc) */
	if (!split_own(rel, &o) && !foreign_denied(rel)) {
		char host[LX_PATH_MAX];
		if (!foreign_exe(rel, host, sizeof(host)))
			host_proc(host, sizeof(host), rel);
		return stat(host, (struct stat *)st) < 0 ? lx_errno(errno) : 0;
	}
	if (!ns || !ns[4] || strchr(ns + 4, '/'))
		return 1;
	char host[LX_PATH_MAX];
	host_proc(host, sizeof(host), rel);
	return stat(host, (struct stat *)st) < 0 ? lx_errno(errno) : 0;
}

int procfs_foreign_nofile(long pid, unsigned long *cur, unsigned long *max)
{
	struct lx_pub_head *h = malloc(sizeof(*h));
	int r = h && foreign_head(pid, h) == 0 && h->nofile[1] ? 0 : -1;
	if (r == 0) {
		*cur = h->nofile[0];
		*max = h->nofile[1];
	}
	free(h);
	return r;
}
