/* SPDX-License-Identifier: MIT */
/*
 * The escape suite's guest: tries, in as many ways as we know, to read or write outside its
 * root. Each attempt prints one line, "name: outcome" (an errno name, "ok", or what was read),
 * so that a run under `lxrun --root ROOT` can be compared line by line with a run in a real
 * container root (tests/security/nsroot.c). Lines starting with "~" are attempts whose exact
 * result depends on the host's processes (pid 1, the parent): they print "no-leak" unless
 * something from outside was reached.
 * usage: escape-probe HOST   (HOST: the host directory that holds ROOT and outside/)
 *        escape-probe --child-read HOST   (run by the execve attempts)
 *        escape-probe --make-sock stream|dgram PATH   (the test's host sockets)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *host; /* HOST: exists outside the root only */
static int nattempts;

/* pre HOST post */
static char *hp(const char *pre, const char *post)
{
	static char b[4][4096];
	static int k;
	char *o = b[k++ & 3];
	snprintf(o, 4096, "%s%s%s", pre, host, post);
	return o;
}

static const char *err(void)
{
	return strerrorname_np(errno);
}

static void out(const char *name, const char *res)
{
	nattempts++;
	printf("%s: %s\n", name, res);
	fflush(stdout);
}

static void rc(const char *name, long r)
{
	out(name, r < 0 ? err() : "ok");
}

/* Reads the first line of an open fd. */
static void show_fd(const char *name, int fd)
{
	if (fd < 0) {
		out(name, err());
		return;
	}
	char buf[128] = {0}, line[160];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		out(name, err());
		return;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	snprintf(line, sizeof(line), "read \"%s\"", buf);
	out(name, line);
}

static void show_read(const char *name, int dirfd, const char *path)
{
	show_fd(name, openat(dirfd, path, O_RDONLY));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_list_fd(const char *name, int fd)
{
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		out(name, err());
		return;
	}
	char *names[256], line[4096];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		if (strncmp(e->d_name, "lxesc-", 6) != 0) /* made by this probe: order-dependent */
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	size_t l = 0;
	line[0] = 0;
	for (int i = 0; i < n; i++) {
		l += (size_t)snprintf(line + l, sizeof(line) - l, "%s%s", i ? " " : "", names[i]);
		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		free(names[i]);
	}
	out(name, line);
}

static void show_list(const char *name, int dirfd, const char *path)
{
	show_list_fd(name, openat(dirfd, path, O_RDONLY | O_DIRECTORY));
}

static void show_link(const char *name, const char *path)
{
	char buf[4096], line[4200];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0) {
		out(name, err());
		return;
	}
	buf[n] = 0;
	snprintf(line, sizeof(line), "\"%s\"", buf);
	out(name, line);
}

/* "~" attempts: did anything from outside come back? */
static void leak(const char *name, int leaked, const char *what)
{
	char n[128], line[256];
	snprintf(n, sizeof(n), "~%s", name);
	snprintf(line, sizeof(line), "LEAK %s", what);
	out(n, leaked ? line : "no-leak");
}

/* Does an open fd's content (or, for a directory, its listing) show the outside? */
static int fd_leaks(int fd)
{
	if (fd < 0)
		return 0;
	struct stat st;
	int leaked = 0;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* the host directory tree: HOST/outside reachable from it */
		char p[4200];
		snprintf(p, sizeof(p), "%s/outside/secret", host + 1);
		int s = openat(fd, p, O_RDONLY);
		leaked = s >= 0 || openat(fd, "outside/secret", O_RDONLY) >= 0;
		if (s >= 0)
			close(s);
	} else {
		char buf[65536];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = 0;
			leaked = memmem(buf, (size_t)n, "SECRET", 6) != NULL ||
				 memmem(buf, (size_t)n, host, strlen(host)) != NULL;
		}
	}
	close(fd);
	return leaked;
}

static void attempt_openat2(const char *name, int dirfd, const char *path, uint64_t resolve)
{
	struct open_how how = {.flags = O_RDONLY, .resolve = resolve};
	show_fd(name, (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

/* ---- symlink races: one thread flips, another opens ---- */
struct race {
	volatile int stop;
	const char *a, *b; /* exchanged again and again */
};

static void *flipper(void *arg)
{
	struct race *r = arg;
	while (!r->stop)
		syscall(SYS_renameat2, AT_FDCWD, r->a, AT_FDCWD, r->b, 2 /* RENAME_EXCHANGE */);
	return NULL;
}

static void race(const char *name, const char *link_target, int write)
{
	static int k;
	char dir[64], d[80], l[80], file[128];
	snprintf(dir, sizeof(dir), "/race%d", k++);
	snprintf(d, sizeof(d), "%s/d", dir);
	snprintf(l, sizeof(l), "%s/l", dir);
	snprintf(file, sizeof(file), "%s/d/outside/%s", dir, write ? "lxesc-race" : "secret");
	mkdir(dir, 0755);
	mkdir(d, 0755);
	snprintf(file, sizeof(file), "%s/d/outside", dir);
	mkdir(file, 0755);
	snprintf(file, sizeof(file), "%s/d/outside/%s", dir, write ? "lxesc-race" : "secret");
	if (symlink(link_target, l) < 0) {
		out(name, err());
		return;
	}
	struct race r = {0, d, l};
	pthread_t t;
	pthread_create(&t, NULL, flipper, &r);
	int leaked = 0;
	for (int i = 0; i < 3000; i++) {
		if (write) {
			int fd = open(file, O_CREAT | O_WRONLY, 0644);
			if (fd >= 0)
				close(fd);
			unlink(file);
		} else {
			leaked |= fd_leaks(open(file, O_RDONLY));
		}
	}
	r.stop = 1;
	pthread_join(t, NULL);
	out(name, leaked ? "LEAK" : "no secret read");
}

/* ---- unix sockets ---- */
static int usock(int type, const char *path, int do_bind)
{
	int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t n = strlen(path);
	if (n > sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(a.sun_path, path, n);
	if (path[0] == '@')
		a.sun_path[0] = 0; /* abstract */
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	int r = do_bind ? bind(s, (struct sockaddr *)&a, len) : connect(s, (struct sockaddr *)&a, len);
	if (r < 0) {
		int e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

static void sock_attempt(const char *name, int type, const char *path, int do_bind)
{
	int s = usock(type, path, do_bind);
	rc(name, s);
	if (s >= 0 && !do_bind)
		close(s);
	if (s >= 0 && do_bind && type == SOCK_STREAM)
		listen(s, 4); /* kept open: connected to below */
}

static void show_sockname(const char *name, int s)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	memset(&a, 0, sizeof(a));
	if (getsockname(s, (struct sockaddr *)&a, &len) < 0) {
		out(name, err());
		return;
	}
	char line[300];
	snprintf(line, sizeof(line), "len %u \"%.*s\"", (unsigned)len,
		 (int)(len > offsetof(struct sockaddr_un, sun_path)
			       ? len - offsetof(struct sockaddr_un, sun_path)
			       : 0),
		 a.sun_path);
	out(name, line);
}

static int send_fd(int s, int fd)
{
	char c = 'x';
	struct iovec io = {&c, 1};
	char ctl[CMSG_SPACE(sizeof(int))];
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl,
			   .msg_controllen = sizeof(ctl)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return (int)sendmsg(s, &m, 0);
}

static int recv_fd(int s)
{
	char c;
	struct iovec io = {&c, 1};
	char ctl[CMSG_SPACE(sizeof(int))];
	struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl,
			   .msg_controllen = sizeof(ctl)};
	if (recvmsg(s, &m, 0) < 0)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* ---- execve attempts run in a child; the outcome is its errno or exit status ---- */
static void exec_attempt(const char *name, const char *path, int memfd)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		out(name, err());
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"escape-probe", "--child-read", (char *)host, NULL};
		char *envp[] = {NULL};
		if (memfd >= 0)
			syscall(SYS_execveat, memfd, "", argv, envp, AT_EMPTY_PATH);
		else
			execve(path, argv, envp);
		int e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	int e = 0, st = 0;
	ssize_t n = read(pfd[0], &e, sizeof(e));
	close(pfd[0]);
	waitpid(pid, &st, 0);
	char line[64];
	if (n == sizeof(e))
		snprintf(line, sizeof(line), "%s", strerrorname_np(e));
	else
		snprintf(line, sizeof(line), "ran, exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	out(name, line);
}

static int child_read(void)
{
	/* exit 0: nothing outside was reached from the new image either */
	int a = open(hp("", "/outside/secret"), O_RDONLY);
	int b = open("/../../../outside/secret", O_RDONLY);
	int c = open("/inside/marker", O_RDONLY);
	return a >= 0 || b >= 0 ? 1 : c < 0 ? 2 : 0;
}

/* Is pid one of ours (this process)? Outcomes about other processes are leak-checked only. */
static void other_proc(const char *name, pid_t pid, const char *sub)
{
	char p[4300];
	if (pid <= 0 || pid == getpid()) {
		leak(name, 0, "");
		return;
	}
	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, sub);
	if (!strcmp(sub, "fd")) {
		int leaked = 0;
		for (int i = 0; i < 300; i++) {
			snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)pid, i);
			leaked |= fd_leaks(open(p, O_RDONLY));
		}
		leak(name, leaked, "through an fd of another process");
		return;
	}
	if (!strcmp(sub, "root") || !strcmp(sub, "cwd")) {
		char q[8600];
		snprintf(q, sizeof(q), "%s%s/outside/secret", p, host);
		int leaked = fd_leaks(open(q, O_RDONLY));
		snprintf(q, sizeof(q), "%s/etc/passwd", p);
		int fd = open(q, O_RDONLY);
		leaked |= fd >= 0 && access("/etc/passwd", F_OK) < 0;
		if (fd >= 0)
			close(fd);
		leak(name, leaked, p);
		return;
	}
	int fd = open(p, O_RDONLY);
	leak(name, fd >= 0, p);
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--make-sock")) {
		/* run on the host by the test: leaves a stale socket file (connect: ECONNREFUSED) */
		host = "";
		int s = usock(!strcmp(argv[2], "dgram") ? SOCK_DGRAM : SOCK_STREAM, argv[3], 1);
		return s < 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--child-read")) {
		host = argv[2];
		return child_read();
	}
	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: escape-probe HOST\n");
		return 2;
	}
	host = argv[1];
	char buf[4096], name[64];
	umask(022);
	if (chdir("/inside") < 0) {
		perror("chdir /inside");
		return 1;
	}

	/* ---- plain paths ---- */
	show_read("abs host path", AT_FDCWD, hp("", "/outside/secret"));
	show_read("abs dotdot", AT_FDCWD, "/../../../../outside/secret");
	show_read("rel dotdot", AT_FDCWD, "../../../../../outside/secret");
	show_read("dotdot then host path", AT_FDCWD, hp("/../../..", "/outside/secret"));
	show_read("sym abs", AT_FDCWD, "/links/abs");
	show_read("sym rel", AT_FDCWD, "/links/rel");
	show_read("sym chain", AT_FDCWD, "/links/chain1");
	show_read("sym loop", AT_FDCWD, "/links/loop1");
	show_read("sym updir", AT_FDCWD, "/links/updir/outside/secret");
	show_read("sym abs host dir", AT_FDCWD, "/links/abshostdir/secret");
	show_fd("nofollow sym abs", open("/links/abs", O_RDONLY | O_NOFOLLOW));
	show_read("inside marker", AT_FDCWD, "/inside/marker");
	show_read("inside via links dotdot", AT_FDCWD, "/links/../inside/marker");
	struct stat st;
	rc("stat host path", stat(hp("", "/outside/secret"), &st));
	rc("stat sym updir", stat("/links/updir/outside/secret", &st));
	rc("lstat sym abs", lstat("/links/abs", &st));
	rc("access dotdot", access("/../outside/secret", R_OK));
	struct statx sx;
	rc("statx sym abs", statx(AT_FDCWD, "/links/abs", 0, STATX_BASIC_STATS, &sx));
	show_list("list /..", AT_FDCWD, "/..");
	show_list("list sym updir", AT_FDCWD, "/links/updir");

	/* ---- directory fds and .. past the root ---- */
	int rootfd = open("/", O_RDONLY | O_DIRECTORY);
	int insidefd = open("/inside", O_RDONLY | O_DIRECTORY);
	show_read("dirfd dotdot", rootfd, "../outside/secret");
	show_read("dirfd deep dotdot", rootfd, "inside/../../../outside/secret");
	show_read("dirfd dotdot marker", rootfd, "../../inside/marker");
	int upfd = open("/links/updir", O_RDONLY | O_DIRECTORY);
	show_read("dirfd via sym updir", upfd, "outside/secret");
	show_list("dirfd via sym updir ..", upfd, "..");
	close(upfd);
	int opath = open("/..", O_PATH);
	struct stat a, b;
	fstat(opath, &a);
	stat("/", &b);
	out("O_PATH /.. is /", a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "yes" : "no");
	close(opath);
	rc("fchdir root", fchdir(rootfd));
	rc("chdir ../../..", chdir("../../.."));
	out("getcwd", getcwd(buf, sizeof(buf)) ? buf : err());
	show_read("after chdir up", AT_FDCWD, "outside/secret");
	chdir("/inside");

	/* ---- openat2 ---- */
	attempt_openat2("openat2 beneath dotdot", rootfd, "../outside/secret", RESOLVE_BENEATH);
	attempt_openat2("openat2 beneath abs", AT_FDCWD, "/inside/marker", RESOLVE_BENEATH);
	attempt_openat2("openat2 beneath inside", insidefd, "marker", RESOLVE_BENEATH);
	attempt_openat2("openat2 beneath up", insidefd, "../inside/marker", RESOLVE_BENEATH);
	attempt_openat2("openat2 beneath sym", rootfd, "links/abs", RESOLVE_BENEATH);
	attempt_openat2("openat2 in_root sym abs", rootfd, "links/abs", RESOLVE_IN_ROOT);
	attempt_openat2("openat2 in_root dotdot", insidefd, "../../marker", RESOLVE_IN_ROOT);
	attempt_openat2("openat2 in_root updir", rootfd, "links/updir/inside/marker",
			RESOLVE_IN_ROOT);
	attempt_openat2("openat2 plain dotdot", AT_FDCWD, "/../outside/secret", 0);

	/* ---- /proc links ---- */
	show_read("proc root dotdot", AT_FDCWD, "/proc/self/root/../../outside/secret");
	show_read("proc root marker", AT_FDCWD, "/proc/self/root/inside/marker");
	show_read("proc thread-self root", AT_FDCWD, "/proc/thread-self/root/../outside/secret");
	show_link("readlink proc root", "/proc/self/root");
	show_link("readlink proc cwd", "/proc/self/cwd");
	show_link("readlink proc exe", "/proc/self/exe");
	show_read("proc cwd dotdot", AT_FDCWD, "/proc/self/cwd/../../../outside/secret");
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d/../outside/secret", rootfd);
	show_read("proc fd dir dotdot", AT_FDCWD, buf);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", insidefd);
	show_link("readlink proc fd dir", buf);
	int pex = open("/proc/self/exe", O_RDONLY);
	fstat(pex, &a);
	stat("/probe", &b);
	out("proc exe is /probe", pex >= 0 && a.st_ino == b.st_ino ? "yes" : "no");
	close(pex);
	int sfd = open("/links/abs", O_PATH | O_NOFOLLOW);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", sfd);
	show_read("reopen O_PATH symlink", AT_FDCWD, buf);
	close(sfd);
	show_read("sym to proc root", AT_FDCWD, "/links/procroot/../outside/secret");
	int mt = open("/etc/mtab", O_RDONLY);
	if (mt < 0) {
		out("etc/mtab -> /proc/self/mounts", err());
	} else {
		ssize_t n = read(mt, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		close(mt);
		snprintf(name, sizeof(name), "readable, host path %s",
			 strstr(buf, host) ? "SHOWN" : "hidden");
		out("etc/mtab -> /proc/self/mounts", name);
	}
	{
		DIR *d = opendir("/proc/self/map_files");
		int leaked = 0;
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			int fd = openat(dirfd(d), e->d_name, O_RDONLY);
			if (fd >= 0 && fstat(fd, &a) == 0 && a.st_ino != b.st_ino)
				leaked = 1;
			if (fd >= 0)
				close(fd);
		}
		if (d)
			closedir(d);
		leak("proc map_files", leaked, "a mapped file outside the root");
	}
	other_proc("proc 1 root", 1, "root");
	other_proc("proc 1 cwd", 1, "cwd");
	other_proc("proc 1 fd", 1, "fd");
	other_proc("proc 1 mem", 1, "mem");
	other_proc("proc 1 environ", 1, "environ");
	other_proc("proc parent root", getppid(), "root");
	other_proc("proc parent fd", getppid(), "fd");
	{
		char q[4200];
		snprintf(q, sizeof(q), "/links/hostproc1%s/outside/secret", host);
		leak("sym to proc 1 root", getpid() != 1 && fd_leaks(open(q, O_RDONLY)), q);
	}
	{
		int leaked = 0;
		pid_t pp = getppid();
		int pfd = pp > 0 ? (int)syscall(SYS_pidfd_open, pp, 0) : -1;
		for (int i = 0; pfd >= 0 && i < 300; i++)
			leaked |= fd_leaks((int)syscall(SYS_pidfd_getfd, pfd, i, 0));
		leak("pidfd_getfd from parent", leaked, "an fd of the parent");
	}

	/* ---- writes through escaping names: land inside the root or fail ---- */
	int fd = open("/../../lxesc-created", O_CREAT | O_WRONLY, 0644);
	rc("create dotdot", fd);
	close(fd);
	fd = open("/links/newabs", O_CREAT | O_WRONLY, 0644);
	rc("create through dangling abs sym", fd);
	close(fd);
	fd = open("/proc/self/cwd/../../lxesc-pcwd", O_CREAT | O_WRONLY, 0644);
	rc("create via proc cwd", fd);
	close(fd);
	rc("rename out", rename("/inside/movable", "/../../lxesc-moved"));
	rc("renameat out from dirfd", renameat(rootfd, "lxesc-moved", rootfd, "../lxesc-moved2"));
	rc("rename exchange out", syscall(SYS_renameat2, AT_FDCWD, "/lxesc-moved2", AT_FDCWD,
					  hp("", "/outside/secret"), 2));
	rc("rename noreplace sym updir", syscall(SYS_renameat2, AT_FDCWD, "/lxesc-moved2",
						  AT_FDCWD, "/links/updir/outside/lxesc-m", 1));
	rc("link out", link("/inside/marker", "/../../lxesc-linked"));
	rc("link from host path", link(hp("", "/outside/secret"), "/lxesc-l2"));
	rc("linkat follow sym abs", linkat(AT_FDCWD, "/links/abs", AT_FDCWD, "/lxesc-l3",
					   AT_SYMLINK_FOLLOW));
	fd = open("/inside/marker", O_RDONLY);
	rc("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "/../lxesc-l4", AT_EMPTY_PATH));
	close(fd);
	rc("symlink then", symlink("/outside/secret", "/inside/lxesc-mylink"));
	show_read("read own symlink", AT_FDCWD, "/inside/lxesc-mylink");
	rc("mkdir dotdot", mkdir("/../../lxesc-dir", 0755));
	rc("mkdirat dirfd dotdot", mkdirat(rootfd, "../lxesc-dir2", 0755));
	rc("unlink through sym updir", unlink("/links/updir/outside/secret"));
	rc("rmdir through sym updir", rmdir("/links/updir/outside"));
	rc("chmod sym abs", chmod("/links/abs", 0600));
	rc("chown sym updir", chown("/links/updir/outside/secret", 1, 1));
	rc("fchownat dotdot", fchownat(rootfd, "../outside/secret", 1, 1, 0));
	rc("utimensat dotdot", utimensat(AT_FDCWD, "/../outside/secret", NULL, 0));
	rc("utimensat sym abs", utimensat(AT_FDCWD, "/links/abs", NULL, 0));
	rc("truncate sym abs", truncate("/links/abs", 0));
	rc("truncate sym updir", truncate("/links/updir/outside/secret", 0));
	rc("setxattr sym abs", setxattr("/links/abs", "user.lxesc", "x", 1, 0));
	rc("lsetxattr sym", lsetxattr("/links/abs", "user.lxesc", "x", 1, 0));
	rc("getxattr sym updir", getxattr("/links/updir/outside/secret", "user.x", buf, 16));
	rc("listxattr dotdot", listxattr("/../outside/secret", buf, sizeof(buf)));
	rc("mknod fifo dotdot", mknod("/../lxesc-fifo", S_IFIFO | 0644, 0));
	rc("mknod char dev", mknod("/lxesc-null", S_IFCHR | 0666, makedev(1, 3)));
	rc("mknod block dev", mknod("/lxesc-disk", S_IFBLK | 0600, makedev(8, 0)));
	fd = open("/..", O_TMPFILE | O_WRONLY, 0600);
	rc("O_TMPFILE in /..", fd);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	rc("link O_TMPFILE out", linkat(AT_FDCWD, buf, AT_FDCWD, "/../lxesc-tmpf", AT_SYMLINK_FOLLOW));
	close(fd);
	struct statfs sf1, sf2;
	statfs("/", &sf2);
	rc("statfs dotdot", statfs("/../..", &sf1));
	out("statfs dotdot is the root's fs", sf1.f_type == sf2.f_type ? "yes" : "no");
	rc("statfs sym updir", statfs("/links/updir/outside", &sf1));
	{
		int in = inotify_init1(IN_CLOEXEC);
		rc("inotify sym abs", inotify_add_watch(in, "/links/abs", IN_ALL_EVENTS));
		rc("inotify dotdot", inotify_add_watch(in, "/../../outside", IN_ALL_EVENTS));
		rc("inotify host path", inotify_add_watch(in, hp("", "/outside"), IN_ALL_EVENTS));
		rc("inotify /..", inotify_add_watch(in, "/..", IN_ALL_EVENTS) > 0 ? 0 : -1);
		close(in);
	}

	/* ---- unix sockets ---- */
	sock_attempt("bind /../escape.sock", SOCK_STREAM, "/../lxesc-escape.sock", 1);
	sock_attempt("connect /../escape.sock", SOCK_STREAM, "/../../lxesc-escape.sock", 0);
	sock_attempt("connect /lxesc-escape.sock", SOCK_STREAM, "/lxesc-escape.sock", 0);
	sock_attempt("bind host path", SOCK_STREAM, hp("", "/outside/lxesc.sock"), 1);
	sock_attempt("connect host socket", SOCK_STREAM, hp("", "/outside/host.sock"), 0);
	sock_attempt("connect sym to host socket", SOCK_STREAM, "/links/hostsock", 0);
	sock_attempt("connect sym updir host socket", SOCK_STREAM, "/links/updir/outside/host.sock",
		     0);
	sock_attempt("bind through sym updir", SOCK_DGRAM, "/links/updir/outside/lxesc-d.sock", 1);
	sock_attempt("bind dangling sym", SOCK_STREAM, "/links/newabs", 1);
	chdir("/inside");
	sock_attempt("bind relative dotdot", SOCK_STREAM, "../../lxesc-rel.sock", 1);
	{
		/* unique: the abstract namespace is the whole host's (parallel runs) */
		char ab[108];
		snprintf(ab, sizeof(ab), "@lxesc-%s", strrchr(host, '/') + 1);
		sock_attempt("bind abstract", SOCK_STREAM, ab, 1);
	}
	{
		/* 107 bytes: the longest a sun_path may be without its NUL */
		char lp[200];
		snprintf(lp, sizeof(lp), "/inside/lxesc-%s", "long-name-long-name-long-name-long-name-"
							      "long-name-long-name-long-name-long-name-xxxxx");
		lp[107] = 0;
		sock_attempt("bind 107-byte path", SOCK_STREAM, lp, 1);
		sock_attempt("connect 107-byte path", SOCK_STREAM, lp, 0);
		int s = usock(SOCK_STREAM, "/inside/../lxesc-named.sock", 1);
		show_sockname("getsockname of bound", s);
		if (s >= 0)
			close(s);
	}
	{
		int s = socket(AF_UNIX, SOCK_DGRAM, 0);
		struct sockaddr_un to = {.sun_family = AF_UNIX};
		snprintf(to.sun_path, sizeof(to.sun_path), "%s/outside/host.dgram", host);
		rc("sendto host dgram path", sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)));
		snprintf(to.sun_path, sizeof(to.sun_path), "/../../outside/host.dgram");
		rc("sendto dotdot dgram path", sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)));
		snprintf(to.sun_path, sizeof(to.sun_path), "/links/hostdgram");
		struct iovec io = {"x", 1};
		struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &io,
				   .msg_iovlen = 1};
		rc("sendmsg sym to host dgram", sendmsg(s, &m, 0));
		close(s);
	}
	{
		int sp[2];
		socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
		send_fd(sp[0], rootfd);
		int got = recv_fd(sp[1]);
		show_read("SCM_RIGHTS root fd dotdot", got, "../outside/secret");
		show_list("SCM_RIGHTS root fd list ..", got, "..");
		send_fd(sp[0], insidefd);
		int got2 = recv_fd(sp[1]);
		rc("SCM_RIGHTS fchdir", fchdir(got2));
		rc("SCM_RIGHTS chdir ../../..", chdir("../../.."));
		show_read("SCM_RIGHTS after chdir", AT_FDCWD, "outside/secret");
		show_read("SCM_RIGHTS marker", AT_FDCWD, "inside/marker");
		close(got);
		close(got2);
		close(sp[0]);
		close(sp[1]);
		chdir("/inside");
	}

	/* ---- mount-like: a container refuses them (EPERM); lxrun has none (ENOSYS) ---- */
#define REFUSED(name, call)                                                                    \
	do {                                                                                   \
		long r_ = (call);                                                              \
		out(name, r_ == 0 ? "ok"                                                       \
				  : (errno == EPERM || errno == ENOSYS) ? "refused" : err());  \
	} while (0)
	REFUSED("mount tmpfs", mount("none", "/inside", "tmpfs", 0, NULL));
	REFUSED("mount bind host", mount(hp("", "/outside"), "/inside", NULL, MS_BIND, NULL));
	REFUSED("umount proc", umount2("/proc", MNT_DETACH));
	REFUSED("pivot_root", syscall(SYS_pivot_root, "/", "/inside"));
	REFUSED("unshare mount ns", unshare(CLONE_NEWNS));
	REFUSED("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
	REFUSED("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/inside", 1 /* CLONE */));
	{
		/* the "shocker" escape: a handle guessed for the filesystem's root */
		struct {
			unsigned bytes;
			int type;
			unsigned char h[128];
		} fh = {8, 1, {2, 0, 0, 0, 0, 0, 0, 0}};
		REFUSED("open_by_handle_at guessed", syscall(SYS_open_by_handle_at, rootfd, &fh, O_RDONLY));
		int mid;
		fh.bytes = 128;
		long r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/inside/marker", &fh, &mid, 0);
		(void)r;
		leak("name_to_handle_at", 0, ""); /* allowed: a handle is useless without the above */
	}
	{
		long r = syscall(SYS_io_uring_setup, 4, buf);
		if (r >= 0)
			close((int)r);
		leak("io_uring_setup", 0, ""); /* its openat resolves like openat (none under lxrun) */
	}

	/* ---- /dev ---- */
	show_read("dev sda", AT_FDCWD, "/dev/sda");
	show_read("dev mem", AT_FDCWD, "/dev/mem");
	show_read("dev kmsg", AT_FDCWD, "/dev/kmsg");
	rc("dev null write", (fd = open("/dev/null", O_WRONLY)) < 0 ? -1 : write(fd, "x", 1) - 1);
	close(fd);
	show_read("dev dotdot", AT_FDCWD, "/dev/../../outside/secret");
	snprintf(buf, sizeof(buf), "/dev/fd/%d/../outside/secret", rootfd);
	show_read("dev fd dir dotdot", AT_FDCWD, buf);
	fd = open("/dev/shm/lxesc-shm", O_CREAT | O_RDWR, 0600);
	rc("dev shm create", fd);
	close(fd);
	show_read("dev shm dotdot", AT_FDCWD, "/dev/shm/../../outside/secret");

	/* ---- execve ---- */
	exec_attempt("execve host path", hp("", "/outside/hostbin"), -1);
	exec_attempt("execve dotdot", "/../../../../bin/sh", -1);
	exec_attempt("execve sym to host", "/links/hostbin", -1);
	exec_attempt("execve inside", "/probe", -1);
	exec_attempt("execve script with host interp", "/inside/script", -1);
	{
		int mfd = (int)syscall(SYS_memfd_create, "lxesc", 0);
		int src = open("/probe", O_RDONLY);
		ssize_t n;
		while (src >= 0 && (n = read(src, buf, sizeof(buf))) > 0)
			if (write(mfd, buf, (size_t)n) != n)
				break;
		close(src);
		exec_attempt("memfd execveat", NULL, mfd);
		close(mfd);
	}

	/* ---- symlink races ---- */
	race("race sym rel updir", "../../..", 0);
	snprintf(buf, sizeof(buf), "%s", host);
	race("race sym abs host", buf, 0);
	race("race sym write", "../../..", 1);

	/* ---- chroot tricks, last: they move the root ---- */
	int outer = open("/", O_PATH | O_DIRECTORY);
	rc("chdir /", chdir("/"));
	rc("chroot inside", chroot("/inside"));
	show_read("chroot marker", AT_FDCWD, "/marker");
	show_read("chroot abs dotdot", AT_FDCWD, "/../inside/marker");
	show_read("chroot sym rel", AT_FDCWD, "/../../links/rel");
	out("chroot getcwd", getcwd(buf, sizeof(buf)) ? buf : err());
	show_read("chroot cwd outside rel", AT_FDCWD, "inside/marker");
	rc("chroot chdir ../../..", chdir("../../.."));
	show_read("chroot cwd up secret", AT_FDCWD, "outside/secret");
	show_read("chroot outer fd dotdot", outer, "../../outside/secret");
	show_read("chroot outer fd marker", outer, "inside/marker");
	rc("chroot fchdir outer", fchdir(outer));
	rc("chroot . (the classic escape)", chroot("."));
	show_read("escaped to outer root marker", AT_FDCWD, "/inside/marker");
	show_read("escaped abs dotdot", AT_FDCWD, "/../../outside/secret");
	show_read("escaped host path", AT_FDCWD, hp("", "/outside/secret"));
	show_list("escaped list /", AT_FDCWD, "/");
	rc("chroot dotdot", chroot("/../../.."));
	show_list("chroot dotdot list /", AT_FDCWD, "/");

	printf("attempts: %d\n", nattempts);
	return 0;
}
