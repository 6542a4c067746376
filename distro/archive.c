/* SPDX-License-Identifier: MIT */
/* Filling and dumping distro trees: import (tar + a decompressor, or a copy of a directory),
 * export (tar + a compressor chosen by the file name), create (Debian's mmdebstrap). A new
 * distro is built in STATE/distros/.NAME.partial and renamed to NAME only when complete. */
#include "distro/distro.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Start argv with fds 0/1/2 from in/out/err (-1: inherit). Returns the pid or -errno. */
static pid_t spawn(char *const argv[], int in, int out, int err)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	if (err >= 0)
		posix_spawn_file_actions_adddup2(&fa, err, 2);
	int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return r ? -r : pid;
}

/* Exit status as a shell shows it, 128+N for a signal. */
static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 255;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int have_program(const char *name)
{
	const char *path = getenv("PATH");
	char p[PATH_MAX];

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(p, sizeof(p), "%.*s/%s", (int)n, path, name);
		if (access(p, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

/* Collected stderr of a tool: its last line names the problem. */
struct errbuf {
	int fd; /* read end, or -1 */
	char text[4096];
	size_t len;
};

static void err_drain(struct errbuf *e)
{
	char tmp[1024];
	ssize_t n;

	if (e->fd < 0)
		return;
	while ((n = read(e->fd, tmp, sizeof(tmp))) > 0) {
		/* keep the end: the last lines are the relevant ones (tmp < text) */
		if (e->len + (size_t)n >= sizeof(e->text)) {
			size_t drop = e->len + (size_t)n - (sizeof(e->text) - 1);
			memmove(e->text, e->text + drop, e->len - drop);
			e->len -= drop;
		}
		memcpy(e->text + e->len, tmp, (size_t)n);
		e->len += (size_t)n;
		e->text[e->len] = 0;
	}
	close(e->fd);
	e->fd = -1;
}

/* The most telling line of a tool's stderr (the first "tar:" error that is not the final
 * "Exiting with failure status" summary), or "". */
static const char *err_line(struct errbuf *e)
{
	static char line[512];
	char *save, *tok, tmp[sizeof(e->text)];

	line[0] = 0;
	memcpy(tmp, e->text, e->len + 1);
	for (tok = strtok_r(tmp, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		if (strstr(tok, "Exiting with failure status") || strstr(tok, "Error is not recoverable"))
			continue;
		snprintf(line, sizeof(line), "%s", tok);
		if (strstr(tok, "No space left"))
			break;
	}
	return line;
}

static void progress(const struct distro_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const struct distro_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (o && o->quiet)
		return;
	va_start(ap, fmt);
	fputs("lxrun distro: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

enum comp { C_NONE, C_GZIP, C_XZ, C_ZSTD, C_BZIP2 };
static const char *const comp_prog[] = {NULL, "gzip", "xz", "zstd", "bzip2"};
static const char *const comp_name[] = {"tar", "gzip", "xz", "zstd", "bzip2"};

/* From the first bytes: a compressed stream, a tar archive, or neither (-1). */
static int sniff(const unsigned char *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return C_GZIP;
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return C_XZ;
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return C_ZSTD;
	if (n >= 3 && !memcmp(b, "BZh", 3))
		return C_BZIP2;
	if (n >= 262 && !memcmp(b + 257, "ustar", 5))
		return C_NONE;
	return -1;
}

/* From the file name, for export. */
static int comp_of_name(const char *f)
{
	static const struct {
		const char *ext;
		int c;
	} t[] = {{".tar", C_NONE},     {".tar.gz", C_GZIP}, {".tgz", C_GZIP},
		 {".tar.xz", C_XZ},    {".txz", C_XZ},      {".tar.zst", C_ZSTD},
		 {".tzst", C_ZSTD},    {".tar.bz2", C_BZIP2}};
	size_t n = strlen(f);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t e = strlen(t[i].ext);
		if (n > e && !strcmp(f + n - e, t[i].ext))
			return t[i].c;
	}
	return -1;
}

/* STATE/distros/.NAME.partial, claimed: a stale one (no live lock) is removed first. Returns
 * the lock fd (held until the distro is complete) or -errno. */
static int partial_claim(const char *name, char *partial, char *why)
{
	char store[PATH_MAX], lock[PATH_MAX + 16];
	int r = distro_store_dir(store, 1, why);

	if (r < 0)
		return r;
	if (snprintf(partial, PATH_MAX, "%s/.%s.partial", store, name) >= PATH_MAX)
		return -ENAMETOOLONG;
	snprintf(lock, sizeof(lock), "%s/lock", partial);
	for (int tries = 0; tries < 2; tries++) {
		if (mkdir(partial, 0700) == 0) {
			int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
			if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
				int e = errno;
				snprintf(why, DISTRO_WHY_LEN, "cannot lock %s: %s", lock, strerror(e));
				if (fd >= 0)
					close(fd);
				distro_rmtree(partial);
				return -e;
			}
			return fd;
		}
		if (errno != EEXIST) {
			int e = errno;
			snprintf(why, DISTRO_WHY_LEN, "cannot create %s: %s", partial, strerror(e));
			return -e;
		}
		int fd = open(lock, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			snprintf(why, DISTRO_WHY_LEN,
				 "another import or create of '%s' is in progress (%s)", name, partial);
			return -EBUSY;
		}
		if (fd >= 0)
			close(fd);
		distro_rmtree(partial); /* left by an interrupted run */
	}
	snprintf(why, DISTRO_WHY_LEN, "cannot claim %s", partial);
	return -EBUSY;
}

static int write_meta(const char *partial, const char *source, char *why)
{
	char p[PATH_MAX + 16], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(p, sizeof(p), "%s/meta", partial);
	FILE *f = fopen(p, "we");
	if (!f || fprintf(f, "source=%s\ncreated=%s\n", source, stamp) < 0 || fclose(f) != 0) {
		int e = errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot write %s: %s", p, strerror(e));
		return -e;
	}
	return 0;
}

/* Rename the finished .NAME.partial to NAME. */
static int partial_commit(const char *name, const char *partial, char *why)
{
	char final[PATH_MAX];
	int r = distro_path(name, NULL, final);

	if (r < 0)
		return r;
	if (rename(partial, final) < 0) {
		int e = errno;
		if (e == EEXIST || e == ENOTEMPTY)
			snprintf(why, DISTRO_WHY_LEN, "distro '%s' already exists (created meanwhile)",
				 name);
		else
			snprintf(why, DISTRO_WHY_LEN, "cannot rename %s to %s: %s", partial, final,
				 strerror(e));
		return -(e == ENOTEMPTY ? EEXIST : e);
	}
	return 0;
}

static int check_new(const char *name, char *why)
{
	char w2[DISTRO_WHY_LEN];
	int r = distro_name_check(name, why);

	if (r < 0)
		return r;
	if (distro_exists(name, w2) == 0) {
		snprintf(why, DISTRO_WHY_LEN,
			 "distro '%s' already exists (lxrun distro remove %s first)", name, name);
		return -EEXIST;
	}
	return 0;
}

static void human(uint64_t b, char *out, size_t n)
{
	if (b >= 10ull << 30)
		snprintf(out, n, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= 10ull << 20)
		snprintf(out, n, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 10ull << 10)
		snprintf(out, n, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(out, n, "%llu bytes", (unsigned long long)b);
}

/* Copy in -> out, showing progress against total (0: unknown). Returns 0, or -errno of the
 * failed write/read (EPIPE when the consumer died). */
static int pump(int in, int out, uint64_t total, const char *what, const struct distro_opts *o)
{
	static char buf[1 << 16];
	uint64_t done = 0;
	int last = -1, tty = isatty(2) && !(o && o->quiet);
	time_t t0 = time(NULL), shown = t0;

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			off += w;
		}
		done += (uint64_t)n;
		int pct = total ? (int)(done * 100 / total) : -1;
		time_t now = time(NULL);
		if (pct > 100)
			pct = 100;
		if (tty && (pct != last || now != shown)) {
			char h[32];
			human(done, h, sizeof(h));
			if (pct >= 0)
				fprintf(stderr, "\rlxrun distro: %s %3d%% (%s)", what, pct, h);
			else
				fprintf(stderr, "\rlxrun distro: %s %s", what, h);
			last = pct;
			shown = now;
		} else if (!tty && !(o && o->quiet) && total && pct / 25 != last / 25 && pct < 100) {
			fprintf(stderr, "lxrun distro: %s %d%%\n", what, pct);
			last = pct;
		}
	}
	if (tty)
		fputc('\n', stderr);
	return 0;
}

/* A normal user's tar runs under lxrun itself (translate mode, --exec-meta): its chown and
 * mknod become user.lxrun.* xattrs (translator/meta.c), its stat reads them back, so owners,
 * modes and device nodes survive import and export without privileges. */
static int meta_wrap(char **argv, int *k, char *self)
{
	ssize_t n = readlink("/proc/self/exe", self, PATH_MAX - 1);
	if (n <= 0)
		return -ENOENT;
	self[n] = 0;
	argv[(*k)++] = self;
	argv[(*k)++] = "--exec-meta";
	argv[(*k)++] = "--";
	return 0;
}

static int extract(int in, uint64_t total, int c, const char *src, const char *dir,
		   const struct distro_opts *o, char *why);

/* tar -x of src (a file; its compression sniffed) into dir. */
static int untar(const char *src, const char *dir, const struct distro_opts *o, char *why)
{
	unsigned char head[512];
	struct stat st;
	int in = open(src, O_RDONLY | O_CLOEXEC);

	if (in < 0 || fstat(in, &st) < 0) {
		int e = errno;
		snprintf(why, DISTRO_WHY_LEN, "%s: %s", src, strerror(e));
		if (in >= 0)
			close(in);
		return -e;
	}
	ssize_t n = pread(in, head, sizeof(head), 0);
	int c = sniff(head, n > 0 ? (size_t)n : 0);
	if (c < 0) {
		close(in);
		snprintf(why, DISTRO_WHY_LEN,
			 "%s: not a tar archive (plain, gzip, xz, zstd or bzip2 compressed)%s", src,
			 n < 262 && n >= 0 ? ": too short" : "");
		return -EINVAL;
	}
	if (comp_prog[c] && !have_program(comp_prog[c])) {
		close(in);
		snprintf(why, DISTRO_WHY_LEN, "%s is %s compressed, but %s is not installed", src,
			 comp_name[c], comp_prog[c]);
		return -ENOENT;
	}
	return extract(in, (uint64_t)st.st_size, c, src, dir, o, why);
}

/* tar -x into dir of the stream on in (compression c), which is closed. */
static int extract(int in, uint64_t total, int c, const char *src, const char *dir,
		   const struct distro_opts *o, char *why)
{
	int data[2], errp[2];
	if (pipe2(data, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		int e = errno;
		close(in);
		snprintf(why, DISTRO_WHY_LEN, "pipe: %s", strerror(e));
		return -e;
	}
	int root = geteuid() == 0;
	char *argv[32], self[PATH_MAX];
	int k = 0;
	char dec[32];
	if (!root && meta_wrap(argv, &k, self) < 0) {
		close(in);
		snprintf(why, DISTRO_WHY_LEN, "cannot find lxrun itself (/proc/self/exe)");
		return -ENOENT;
	}
	argv[k++] = "tar";
	argv[k++] = "-x";
	argv[k++] = "-f";
	argv[k++] = "-";
	argv[k++] = "-C";
	argv[k++] = (char *)dir;
	argv[k++] = "--numeric-owner";
	argv[k++] = "-p";
	if (root) {
		argv[k++] = "--same-owner";
		argv[k++] = "--xattrs";
		argv[k++] = "--xattrs-include=*";
		argv[k++] = "--acls";
	} else {
		/* tar runs under lxrun with owners, modes and devices kept in xattrs */
		argv[k++] = "--same-owner";
		argv[k++] = "--xattrs";
		argv[k++] = "--xattrs-include=user.*";
		argv[k++] = "--xattrs-exclude=user.lxrun.*";
	}
	if (comp_prog[c]) {
		snprintf(dec, sizeof(dec), "%s", comp_prog[c]);
		argv[k++] = "-I";
		argv[k++] = dec;
	}
	argv[k] = NULL;
	signal(SIGPIPE, SIG_IGN);
	pid_t pid = spawn(argv, data[0], -1, errp[1]);
	close(data[0]);
	close(errp[1]);
	if (pid < 0) {
		close(in);
		close(data[1]);
		close(errp[0]);
		snprintf(why, DISTRO_WHY_LEN, "cannot run tar: %s", strerror((int)-pid));
		return (int)pid;
	}
	struct errbuf eb = {.fd = errp[0]};
	char what[64];
	snprintf(what, sizeof(what), "importing (%s)", comp_name[c]);
	int pr = pump(in, data[1], total, what, o);
	close(in);
	close(data[1]);
	err_drain(&eb);
	int status = wait_status(pid);
	if (status == 0 && pr == 0)
		return 0;
	const char *line = err_line(&eb);
	if (strstr(eb.text, "No space left on device")) {
		snprintf(why, DISTRO_WHY_LEN, "disk full while importing %s into %s (%s)", src, dir,
			 line);
		return -ENOSPC;
	}
	snprintf(why, DISTRO_WHY_LEN, "%s: corrupt or truncated archive (tar exit %d: %s)", src,
		 status, *line ? line : pr < 0 ? strerror(-pr) : "no message");
	return -EIO;
}

/* A directory: tar -c of it piped into the same extraction as a tarball (ownership, modes,
 * links, device nodes and xattrs as the importer may keep them). */
static int copytree(const char *src, const char *dir, const struct distro_opts *o, char *why)
{
	int data[2], errp[2];

	if (pipe2(data, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(data[0]);
		close(data[1]);
		return -errno;
	}
	char *argv[] = {"tar", "-c", "-f", "-", "-C", (char *)src, "--numeric-owner", "--xattrs",
			"--xattrs-include=*", "--xattrs-exclude=user.lxrun.*", ".", NULL};
	pid_t pid = spawn(argv, -1, data[1], errp[1]);
	close(data[1]);
	close(errp[1]);
	if (pid < 0) {
		close(data[0]);
		close(errp[0]);
		snprintf(why, DISTRO_WHY_LEN, "cannot run tar: %s", strerror((int)-pid));
		return (int)pid;
	}
	int r = extract(data[0], 0, C_NONE, src, dir, o, why);
	struct errbuf eb = {.fd = errp[0]};
	err_drain(&eb);
	int status = wait_status(pid);
	if (r == 0 && status != 0) {
		snprintf(why, DISTRO_WHY_LEN, "cannot read the directory %s (tar exit %d: %s)", src,
			 status, err_line(&eb));
		r = -EIO;
	}
	return r;
}

int distro_import(const char *name, const char *src, const struct distro_opts *o, char *why)
{
	char partial[PATH_MAX], rootfs[PATH_MAX + 16], source[PATH_MAX + 16], real[PATH_MAX];
	struct stat st;
	int r = check_new(name, why);

	if (r < 0)
		return r;
	if (stat(src, &st) < 0) {
		int e = errno;
		snprintf(why, DISTRO_WHY_LEN, "%s: %s", src, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		snprintf(why, DISTRO_WHY_LEN, "%s: not a tarball or a directory", src);
		return -EINVAL;
	}
	int lock = partial_claim(name, partial, why);
	if (lock < 0)
		return lock;
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", partial);
	if (mkdir(rootfs, 0755) < 0) {
		r = -errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot create %s: %s", rootfs, strerror(-r));
		goto fail;
	}
	progress(o, "importing %s as '%s'", src, name);
	r = S_ISDIR(st.st_mode) ? copytree(src, rootfs, o, why) : untar(src, rootfs, o, why);
	if (r < 0)
		goto fail;
	snprintf(source, sizeof(source), "import %s", realpath(src, real) ? real : src);
	if ((r = write_meta(partial, source, why)) < 0 || (r = partial_commit(name, partial, why)) < 0)
		goto fail;
	close(lock);
	char sh[PATH_MAX + 16], final[PATH_MAX];
	distro_path(name, "rootfs/bin/sh", sh);
	distro_path(name, "rootfs", final);
	if (lstat(sh, &st) < 0)
		progress(o, "warning: '%s' has no /bin/sh: is %s a root file system?", name, src);
	progress(o, "imported '%s' (%s)", name, final);
	return 0;
fail:
	distro_rmtree(partial);
	close(lock);
	return r;
}

int distro_export(const char *name, const char *file, const struct distro_opts *o, char *why)
{
	char rootfs[PATH_MAX], tmp[PATH_MAX + 32];
	int r = distro_exists(name, why);

	if (r < 0)
		return r;
	int c = comp_of_name(file);
	if (c < 0) {
		snprintf(why, DISTRO_WHY_LEN,
			 "%s: unknown format; name it .tar, .tar.gz, .tar.xz, .tar.zst or .tar.bz2",
			 file);
		return -EINVAL;
	}
	if (comp_prog[c] && !have_program(comp_prog[c])) {
		snprintf(why, DISTRO_WHY_LEN, "%s needs %s, which is not installed", file,
			 comp_prog[c]);
		return -ENOENT;
	}
	int lock = distro_use(name, why); /* a remove cannot pull the tree away meanwhile */
	if (lock < 0)
		return lock;
	fcntl(lock, F_SETFD, FD_CLOEXEC);
	distro_path(name, "rootfs", rootfs);
	snprintf(tmp, sizeof(tmp), "%s.partial.%d", file, (int)getpid());
	int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		r = -errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot create %s: %s", tmp, strerror(-r));
		close(lock);
		return r;
	}
	/* total for the progress: the tree's size */
	struct distro_info *list = NULL;
	uint64_t total = 0;
	int n = distro_list(&list, 1, why);
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			total = list[i].size;
	free(list);

	/* deterministic: sorted names, numeric owners, no atime/ctime, gzip without a name or time */
	char *tar_argv[32], self[PATH_MAX];
	int k = 0;
	if (geteuid() != 0 && meta_wrap(tar_argv, &k, self) < 0) {
		r = -ENOENT;
		snprintf(why, DISTRO_WHY_LEN, "cannot find lxrun itself (/proc/self/exe)");
		close(out);
		unlink(tmp);
		close(lock);
		return r;
	}
	static char *const tar_args[] = {
		"tar", "-c", "-f", "-", "--numeric-owner", "--sort=name", "--format=posix",
		"--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime", "--xattrs",
		"--xattrs-include=*", "--xattrs-exclude=user.lxrun.*", "--acls", "-C", NULL};
	for (int i = 0; tar_args[i]; i++)
		tar_argv[k++] = tar_args[i];
	tar_argv[k++] = rootfs;
	tar_argv[k++] = ".";
	tar_argv[k] = NULL;
	char *comp_argv[] = {(char *)comp_prog[c], c == C_GZIP ? "-n" : "-c", "-c", NULL};
	if (c == C_ZSTD)
		comp_argv[1] = "-q";
	int tpipe[2], cpipe[2] = {-1, -1}, errp[2];
	if (pipe2(tpipe, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (comp_prog[c] && pipe2(cpipe, O_CLOEXEC) < 0)) {
		r = -errno;
		snprintf(why, DISTRO_WHY_LEN, "pipe: %s", strerror(-r));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	progress(o, "exporting '%s' to %s (%s)", name, file, comp_name[c]);
	pid_t tp = spawn(tar_argv, -1, tpipe[1], errp[1]), cp = 0;
	close(tpipe[1]);
	if (comp_prog[c]) {
		cp = spawn(comp_argv, cpipe[0], out, errp[1]);
		close(cpipe[0]);
	}
	close(errp[1]);
	struct errbuf eb = {.fd = errp[0]};
	int pr = tp > 0 && cp >= 0 ? pump(tpipe[0], comp_prog[c] ? cpipe[1] : out, total, "exporting", o)
				   : -ECHILD;
	close(tpipe[0]);
	if (cpipe[1] >= 0)
		close(cpipe[1]);
	err_drain(&eb);
	int ts = tp > 0 ? wait_status(tp) : 127, cs = cp > 0 ? wait_status(cp) : cp < 0 ? 127 : 0;
	if (fsync(out) < 0 && !pr)
		pr = -errno;
	if (close(out) < 0 && !pr)
		pr = -errno;
	out = -1;
	if (ts || cs || pr) {
		const char *line = err_line(&eb);
		r = pr == -ENOSPC || strstr(eb.text, "No space left") ? -ENOSPC : -EIO;
		snprintf(why, DISTRO_WHY_LEN, "cannot export '%s' to %s: %s", name, file,
			 r == -ENOSPC ? "disk full" : *line ? line : pr ? strerror(-pr) : "tar failed");
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, file) < 0) {
		r = -errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot rename %s to %s: %s", tmp, file, strerror(-r));
		unlink(tmp);
		goto out;
	}
	progress(o, "exported '%s' to %s", name, file);
	r = 0;
out:
	if (out >= 0) {
		close(out);
		unlink(tmp);
	}
	close(lock);
	return r;
}

int distro_create(const char *name, const struct distro_opts *o, char *why)
{
	char partial[PATH_MAX], target[PATH_MAX + 16], source[512];
	const char *suite = o->suite ? o->suite : "bookworm";
	const char *variant = o->variant ? o->variant : "minbase";
	const char *mirror = o->mirror ? o->mirror : "http://deb.debian.org/debian";
	int r = check_new(name, why);

	if (r < 0)
		return r;
	if (!have_program("mmdebstrap")) {
		snprintf(why, DISTRO_WHY_LEN,
			 "mmdebstrap is not installed (apt-get install mmdebstrap), or import a "
			 "tarball: lxrun distro import %s FILE.tar",
			 name);
		return -ENOENT;
	}
	int lock = partial_claim(name, partial, why);
	if (lock < 0)
		return lock;
	int root = geteuid() == 0;
	/* as root, straight into the tree; as a normal user, mmdebstrap works in a user
	 * namespace (unshare mode) and hands over a tarball, which import unpacks as the user */
	snprintf(target, sizeof(target), "%s/%s", partial, root ? "rootfs" : "rootfs.tar");
	char mode[32], var[64];
	snprintf(mode, sizeof(mode), "--mode=%s", root ? "root" : "unshare");
	snprintf(var, sizeof(var), "--variant=%s", variant);
	char *argv[] = {"mmdebstrap", mode, var, (char *)suite, target, (char *)mirror, NULL};
	progress(o, "creating '%s': mmdebstrap %s %s %s %s %s", name, mode, var, suite, target,
		 mirror);
	pid_t pid = spawn(argv, -1, o->quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1, -1);
	int status = pid > 0 ? wait_status(pid) : 127;
	if (status) {
		snprintf(why, DISTRO_WHY_LEN,
			 "mmdebstrap failed (exit %d; its messages are above)%s", status,
			 root ? "" : "; as a normal user it needs unprivileged user namespaces and "
				     "subuids (/etc/subuid)");
		r = -EIO;
		goto fail;
	}
	if (!root) {
		char rootfs[PATH_MAX + 16];
		snprintf(rootfs, sizeof(rootfs), "%s/rootfs", partial);
		if (mkdir(rootfs, 0755) < 0) {
			r = -errno;
			snprintf(why, DISTRO_WHY_LEN, "cannot create %s: %s", rootfs, strerror(-r));
			goto fail;
		}
		if ((r = untar(target, rootfs, o, why)) < 0)
			goto fail;
		unlink(target);
	}
	snprintf(source, sizeof(source), "mmdebstrap %s %s %s", suite, variant, mirror);
	if ((r = write_meta(partial, source, why)) < 0 || (r = partial_commit(name, partial, why)) < 0)
		goto fail;
	close(lock);
	progress(o, "created '%s'", name);
	return 0;
fail:
	distro_rmtree(partial);
	close(lock);
	return r;
}
