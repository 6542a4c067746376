/* SPDX-License-Identifier: MIT */
/* Mount table and path resolution. hostfs paths are resolved by the host kernel: directly when
 * the guest's root is the host's, through openat2(RESOLVE_IN_ROOT) when it is confined. */
#include "translator/vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/process.h"
#include "translator/syscall.h"

enum { M_HOST, M_PROC, M_DEV, M_SHM, M_MAX = 8 };

/* snprintf(dst, size, "%s", src) without the formatting machinery (path resolution is on
 * every path syscall's way): copies what fits, always terminates, returns strlen(src). */
static size_t str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	size_t k = n < size ? n : size - 1;
	memcpy(dst, src, k);
	dst[k] = 0;
	return n;
}

static int nmounts;

static struct lx_mount mounts[M_MAX];
static int root_fd = -1;
static int confined;
static char root_host[LX_PATH_MAX]; /* realpath of the root, "" when not confined */
static size_t root_host_len;
static char cwd[LX_PATH_MAX] = "/";
static struct lx_mount *cwd_mnt;
/*
 * The jail: --root as given at start (or the host's /), which nothing can leave. A chroot
 * inside it moves the root (root_fd, root_host) but, as in Linux, not the cwd or open
 * directories: those may then lie outside the new root (cwd_out: cwd is then a path from the
 * jail), and ".." from them climbs to the jail's top, never above it: the classic chroot
 * escape ends at the jail, as it does in a container whose root is a mount namespace's.
 */
static int jail_fd = -1;
static char jail_host[LX_PATH_MAX];
static size_t jail_len;
static int cwd_out;

static char start_cwd[LX_PATH_MAX]; /* the host's cwd at vfs_init */

/*
 * The host mount (lxrun -d only, never with a plain --root): a hostfs mount whose paths are
 * the HOST's own paths, resolved by the host kernel outside the confined root, on purpose
 * (WSL's /mnt/c). It is the only place where a confined guest reaches outside its root; the
 * hooks below are marked "host mount".
 */
static struct lx_mount *host_mnt;

static void update_fast(void);

static int is_host_mnt(const struct lx_mount *m)
{
	return host_mnt && m == host_mnt;
}

size_t vfs_normalize(char *path)
{
	/* In place works because the output never gets ahead of the input, which holds only
	 * for an absolute path: a relative one (a caller's bug) is made absolute first, or it
	 * would grow past its buffer (it did, from an fd that is not a directory). */
	if (path[0] != '/') {
		size_t l = strlen(path);
		if (l + 2 > LX_PATH_MAX)
			l = LX_PATH_MAX - 2;
		memmove(path + 1, path, l);
		path[0] = '/';
		path[l + 1] = 0;
	}
	char *out = path, *p = path;
	/* out always ends without a slash except for the root itself */
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *seg = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - seg);
		if (n == 1 && seg[0] == '.')
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, n);
		out += n;
	}
	if (out == path)
		*out++ = '/';
	*out = 0;
	return (size_t)(out - path);
}

static void set_mount(int i, const char *path, const struct lx_fs_ops *ops, void *priv, uint64_t dev)
{
	str_copy(mounts[i].path, sizeof(mounts[i].path), path);
	mounts[i].len = strcmp(path, "/") == 0 ? 0 : strlen(path);
	mounts[i].ops = ops;
	mounts[i].priv = priv;
	mounts[i].dev = dev;
}

int vfs_init(const char *root)
{
	if (!root || !*root)
		root = "/";
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return lx_errno(errno);
	/* the fd's own path: no walk from / that a guest which dropped root could not make */
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", root_fd);
	ssize_t rl = readlink(link, root_host, sizeof(root_host) - 1);
	if (rl < 0)
		return lx_errno(errno);
	root_host[rl] = 0;
	confined = strcmp(root_host, "/") != 0;
	root_host_len = confined ? strlen(root_host) : 0;
	jail_fd = confined ? root_fd : -1; /* shared until a chroot; -1: the host's / */
	str_copy(jail_host, sizeof(jail_host), root_host);
	jail_len = root_host_len;
	set_mount(M_HOST, "/", NULL, NULL, 0);
	set_mount(M_PROC, "/proc", &lx_procfs_ops, NULL, 0x16);
	set_mount(M_DEV, "/dev", &lx_devfs_ops, NULL, 0x05);
	/* /dev/shm must be shared by every guest process (they are separate host processes),
	 * so it is the host's /dev/shm (or ROOT/dev/shm), not lxrun's in-memory tmpfs. */
	set_mount(M_SHM, "/dev/shm", NULL, NULL, 0);
	nmounts = M_SHM + 1;

	cwd_mnt = &mounts[M_HOST];
	host_mnt = NULL;
	char host_cwd[LX_PATH_MAX];
	if (!getcwd(host_cwd, sizeof(host_cwd)))
		strcpy(host_cwd, "/");
	str_copy(start_cwd, sizeof(start_cwd), host_cwd);
	if (!confined) {
		str_copy(cwd, sizeof(cwd), host_cwd);
	} else if (strncmp(host_cwd, root_host, root_host_len) == 0 &&
		   (host_cwd[root_host_len] == '/' || !host_cwd[root_host_len])) {
		snprintf(cwd, sizeof(cwd), "/%s", host_cwd + root_host_len);
		vfs_normalize(cwd);
	} else {
		strcpy(cwd, "/"); /* like chroot(1): a cwd outside the root becomes the root */
		if (fchdir(root_fd) < 0)
			return lx_errno(errno);
	}
	update_fast();
	return 0;
}

int vfs_confined(void)
{
	return confined;
}

int vfs_root_fd(void)
{
	return root_fd;
}

const char *vfs_cwd(void)
{
	/* outside the root: Linux's getcwd(2) says so, and glibc's getcwd gives ENOENT */
	static char unreachable[LX_PATH_MAX + 16];
	if (!cwd_out)
		return cwd;
	snprintf(unreachable, sizeof(unreachable), "(unreachable)%s", cwd);
	return unreachable;
}

int vfs_cwd_is_host(void)
{
	return cwd_mnt && !cwd_mnt->ops;
}

struct lx_mount *vfs_mounts(size_t *count)
{
	*count = (size_t)nmounts;
	return mounts;
}

int vfs_mount_tmpfs(const char *guest_path)
{
	if (nmounts >= M_MAX)
		return -LINUX_ENOSPC;
	if (guest_path[0] != '/' || strlen(guest_path) >= sizeof(mounts[0].path))
		return -LINUX_EINVAL;
	void *priv = tmpfs_new();
	if (!priv)
		return -LINUX_ENOMEM;
	char p[256];
	str_copy(p, sizeof(p), guest_path);
	vfs_normalize(p);
	set_mount(nmounts, p, &lx_tmpfs_ops, priv, 0x18 + (uint64_t)nmounts);
	nmounts++;
	update_fast();
	return 0;
}

int vfs_mount_host(const char *guest_path)
{
	if (nmounts >= M_MAX || !confined)
		return -LINUX_EINVAL;
	if (guest_path[0] != '/' || strlen(guest_path) >= sizeof(mounts[0].path))
		return -LINUX_EINVAL;
	char p[256];
	str_copy(p, sizeof(p), guest_path);
	vfs_normalize(p);
	set_mount(nmounts, p, NULL, NULL, 0);
	host_mnt = &mounts[nmounts++];
	/* a start outside the root (vfs_init moved the cwd to /) continues under the mount */
	size_t pl = strlen(p), sl = strcmp(start_cwd, "/") ? strlen(start_cwd) : 0;
	if (!strcmp(cwd, "/") && strncmp(start_cwd, root_host, root_host_len) != 0 &&
	    pl + sl < sizeof(cwd) && chdir(start_cwd) == 0) {
		memcpy(cwd, p, pl);
		memcpy(cwd + pl, start_cwd, sl);
		cwd[pl + sl] = 0;
	}
	update_fast();
	return 0;
}

int vfs_host_mount_path(const char *guest_abs, char *host, size_t size)
{
	if (!host_mnt || guest_abs[0] != '/')
		return 0;
	char norm[LX_PATH_MAX];
	if (strlen(guest_abs) >= sizeof(norm))
		return 0;
	strcpy(norm, guest_abs);
	vfs_normalize(norm);
	size_t n = host_mnt->len;
	if (strncmp(norm, host_mnt->path, n) || (norm[n] && norm[n] != '/'))
		return 0;
	return str_copy(host, size, norm[n] ? norm + n : "/") < size ? 1 : 0;
}

static struct lx_mount *find_mount(const char *norm)
{
	struct lx_mount *best = &mounts[M_HOST];
	for (int i = 1; i < nmounts; i++) {
		size_t n = mounts[i].len;
		if (strncmp(norm, mounts[i].path, n) == 0 && (norm[n] == '/' || !norm[n]) &&
		    n > best->len)
			best = &mounts[i];
	}
	return best;
}

static int under(const char *path, const char *dir, size_t len)
{
	return strncmp(path, dir, len) == 0 && (path[len] == '/' || !path[len]);
}

uint8_t lx_vfs_cwd_direct;

/*
 * May the TLS-free fast path (fastpath.c) give a relative path from the cwd to the host as
 * written? That is what vfs_resolve does (direct_ok) when the guest's root is the host's, the
 * cwd is a host directory other than "/", and the path has no ".." (the fast path checks
 * that): provided none of lxrun's own mounts (/proc, /dev, a tmpfs) is the cwd, above it or
 * below it, so that no such path can be one of theirs. Recomputed whenever any of it changes.
 */
static void update_fast(void)
{
	int ok = !confined && !host_mnt && !cwd_out && cwd_mnt == &mounts[M_HOST] &&
		 strcmp(cwd, "/") != 0;
	size_t cl = strlen(cwd);
	for (int i = 1; ok && i < nmounts; i++)
		if (mounts[i].ops && (under(mounts[i].path, cwd, cl) ||
				      under(cwd, mounts[i].path, mounts[i].len)))
			ok = 0;
	__atomic_store_n(&lx_vfs_cwd_direct, (uint8_t)ok, __ATOMIC_RELEASE);
}

/* Host path (minus the root) of a host fd, as the guest sees it. *out_of_root (if given) is
 * set when it lies outside the root but inside the jail: buf is then a path from the jail. */
static long host_fd_path_ex(int hfd, char *buf, size_t size, int *out_of_root)
{
	char link[64], tmp[LX_PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", hfd);
	ssize_t n = readlink(link, tmp, sizeof(tmp) - 1);
	if (n < 0)
		return lx_errno(errno);
	tmp[n] = 0;
	const char *p = tmp;
	if (out_of_root)
		*out_of_root = 0;
	char mapped[LX_PATH_MAX];
	if (confined && tmp[0] == '/') {
		if (under(tmp, root_host, root_host_len)) {
			p = tmp[root_host_len] ? tmp + root_host_len : "/";
		} else if (out_of_root && under(tmp, jail_host, jail_len)) {
			p = tmp[jail_len] ? tmp + jail_len : "/";
			*out_of_root = 1;
		} else if (host_mnt) { /* host mount: a host path outside the root */
			size_t ml = host_mnt->len, tl = strcmp(tmp, "/") ? strlen(tmp) : 0;
			if (ml + tl >= sizeof(mapped))
				return -LINUX_ENAMETOOLONG;
			memcpy(mapped, host_mnt->path, ml);
			memcpy(mapped + ml, tmp, tl);
			mapped[ml + tl] = 0;
			p = mapped;
		}
	}
	size_t len = strlen(p);
	if (len >= size)
		return -LINUX_ENAMETOOLONG;
	memcpy(buf, p, len + 1);
	return (long)len;
}

static long host_fd_path(int hfd, char *buf, size_t size)
{
	return host_fd_path_ex(hfd, buf, size, NULL);
}

long vfs_file_path(struct lx_file *f, char *buf, size_t size)
{
	if (!f->mnt && f->host_fd >= 0)
		return host_fd_path(f->host_fd, buf, size);
	const char *p = f->path ? f->path : "";
	size_t len = strlen(p);
	if (len >= size)
		return -LINUX_ENAMETOOLONG;
	memcpy(buf, p, len + 1);
	return (long)len;
}

static int has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return 1;
	return 0;
}

static int hostfs_open_at(int base, const char *norm, unsigned flags, unsigned mode)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode & 07777 : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = norm[1] ? norm + 1 : ".";
	if (base < 0) { /* the jail is the host's /: nothing above it to keep out */
		how.resolve = RESOLVE_NO_MAGICLINKS;
		rel = norm;
		base = AT_FDCWD;
	}
	long r;
	do
		r = lx_host_open(SYS_openat2, base, rel, (long)&how, sizeof(how));
	while (r == -LINUX_EAGAIN);
	return (int)r;
}

static int hostfs_open_in_root(const char *norm, unsigned flags, unsigned mode)
{
	return hostfs_open_at(root_fd, norm, flags, mode);
}

/*
 * A hostfs path failed to resolve inside the root (ENOENT, ENOTDIR): does a symlink on its way
 * lead into one of lxrun's own mounts (/proc, /dev, a tmpfs), which the host's walk cannot
 * see? (etc/mtab -> /proc/self/mounts.) Walks it a component at a time, links replaced by
 * their targets; 1 with the guest path that enters such a mount in out, else 0. Only failed
 * lookups pay for it.
 */
static int link_into_mount(const char *norm, int follow_last, char *out, size_t outlen)
{
	char path[LX_PATH_MAX], cur[LX_PATH_MAX], t[LX_PATH_MAX], name[NAME_MAX + 1];
	/* the common case first, in one syscall: no symlink on the way (the walk without them
	 * fails the same way, not with ELOOP), so none can lead into a mount */
	struct open_how nosym = {.flags = O_PATH | O_CLOEXEC,
				 .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS};
	long fd = syscall(SYS_openat2, root_fd, norm[1] ? norm + 1 : ".", &nosym, sizeof(nosym));
	if (fd >= 0)
		close((int)fd);
	if (fd >= 0 || errno != ELOOP)
		return 0;
	str_copy(path, sizeof(path), norm);
	for (int loops = 0; loops < LX_SYMLOOP_MAX; loops++) {
		const char *p = path;
		int found = 0;
		cur[0] = 0;
		while (*p) {
			while (*p == '/')
				p++;
			size_t n = strcspn(p, "/");
			if (!n || n > NAME_MAX)
				return 0;
			memcpy(name, p, n);
			name[n] = 0;
			const char *rest = p + n;
			if (!rest[strspn(rest, "/")] && !follow_last)
				return 0;
			int dfd = hostfs_open_in_root(cur[0] ? cur : "/", O_PATH | O_DIRECTORY, 0);
			if (dfd < 0)
				return 0;
			ssize_t k = readlinkat(dfd, name, t, sizeof(t) - 1);
			close(dfd);
			if (k < 0) {
				if (errno != EINVAL)
					return 0;
				size_t cl = strlen(cur);
				if (cl + 1 + n >= sizeof(cur))
					return 0;
				cur[cl] = '/';
				memcpy(cur + cl + 1, name, n + 1);
				p = rest;
				continue;
			}
			t[k] = 0;
			if ((size_t)snprintf(out, outlen, "%s/%s%s", t[0] == '/' ? "" : cur, t, rest) >=
			    outlen)
				return 0;
			vfs_normalize(out);
			if (find_mount(out)->ops)
				return 1;
			str_copy(path, sizeof(path), out);
			found = 1;
			break;
		}
		if (!found)
			return 0;
	}
	return 0;
}

/*
 * ".." right after one of lxrun's own links (/proc/self/cwd/.., /dev/fd/3/..) climbs from the
 * link's target, as in Linux, not lexically back into /proc or /dev: rewrite raw so those
 * links are replaced by their targets before it is normalised.
 */
static void dotdot_after_links(char *raw, size_t size)
{
	char acc[LX_PATH_MAX] = "/", next[LX_PATH_MAX];
	const char *p = raw;
	int changed = 0;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		for (int hops = 0; n == 2 && p[0] == '.' && p[1] == '.' && hops < LX_SYMLOOP_MAX;
		     hops++) {
			struct lx_mount *m = find_mount(acc);
			const char *rel = acc[m->len] ? acc + m->len : "/";
			if (!m->ops || !m->ops->resolve ||
			    m->ops->resolve(m, rel, 1, next, sizeof(next)) != 1 || next[0] != '/')
				break;
			str_copy(acc, sizeof(acc), next);
			vfs_normalize(acc);
			changed = 1;
		}
		size_t al = strlen(acc);
		if (al + 1 + n >= sizeof(acc))
			return;
		if (al > 1)
			acc[al++] = '/';
		memcpy(acc + al, p, n);
		acc[al + n] = 0;
		vfs_normalize(acc);
		p += n;
	}
	if (changed && strlen(acc) < size) {
		size_t rl = strlen(raw);
		int trailing = rl > 1 && raw[rl - 1] == '/';
		str_copy(raw, size, acc);
		if (trailing && strlen(raw) + 1 < size && strcmp(raw, "/"))
			strcat(raw, "/");
	}
}

/* Is host fd hfd, whose path reads "/", the root of a detached mount (open_tree's clone,
 * fsmount's mount: the host-admin model), not the root itself? The host then walks paths from
 * it: lxrun's VFS has no path for it. */
static int detached_mount(int hfd)
{
	struct stat a, b;
	return !confined && fstat(hfd, &a) == 0 && stat("/", &b) == 0 &&
	       (a.st_dev != b.st_dev || a.st_ino != b.st_ino);
}

int vfs_resolve(int dirfd, const char *path, int how, struct lx_path *out)
{
	out->tmpfd = -1;
	out->target_fd = -1;
	out->mnt = NULL;
	if (!*path)
		return -LINUX_ENOENT;
	char base[LX_PATH_MAX];
	struct lx_file *df = NULL;
	int direct_ok = 0; /* root-/ mode: may the host resolve path as given? */
	int in_jail = 0;   /* from a directory outside the root: the path is the jail's */
	out->in_jail = 0;
	if (path[0] == '/') {
		base[0] = 0;
		direct_ok = 1;
	} else if (dirfd == LINUX_AT_FDCWD) {
		str_copy(base, sizeof(base), cwd);
		direct_ok = cwd_mnt == &mounts[M_HOST] && strcmp(cwd, "/") != 0;
		in_jail = cwd_out;
	} else {
		df = lx_fd_lookup(lx_proc.fds, dirfd);
		if (!df)
			return -LINUX_EBADF;
		long r = !df->mnt && df->host_fd >= 0
				 ? host_fd_path_ex(df->host_fd, base, sizeof(base), &in_jail)
				 : vfs_file_path(df, base, sizeof(base));
		if (r < 0)
			return (int)r;
		if (base[0] != '/')
			return -LINUX_ENOTDIR; /* a pipe, socket, anon inode, deleted file... */
		direct_ok = !df->mnt && df->host_fd >= 0 &&
			    (strcmp(base, "/") != 0 || detached_mount(df->host_fd));
	}
	if (has_dotdot(path))
		direct_ok = 0; /* ".." may climb into /proc or /dev: find the mount lexically */

	/* raw: the joined path as the kernel would walk it ("..", trailing "/" kept);
	 * norm: lexically normalised, used to find the mount. */
	char raw[LX_PATH_MAX], norm[LX_PATH_MAX];
	if (path[0] == '/') {
		if (strlen(path) >= sizeof(raw))
			return -LINUX_ENAMETOOLONG;
		strcpy(raw, path);
	} else {
		/* base "/" path, without snprintf: this is on every relative lookup's way */
		size_t bl = strlen(base), pl = strlen(path);
		if (bl + 1 + pl >= sizeof(raw))
			return -LINUX_ENAMETOOLONG;
		memcpy(raw, base, bl);
		raw[bl] = '/';
		memcpy(raw + bl + 1, path, pl + 1);
	}
	if (!in_jail && has_dotdot(raw))
		dotdot_after_links(raw, sizeof(raw));
	strcpy(norm, raw);
	size_t nlen = vfs_normalize(norm);
	/* a trailing "/" or "/." asks for a directory: the last name's link is followed */
	size_t rawl = strlen(raw);
	int trailing = nlen > 1 && (raw[rawl - 1] == '/' ||
				    (rawl >= 2 && raw[rawl - 1] == '.' && raw[rawl - 2] == '/'));

	for (int hops = 0;; hops++) {
		if (hops > LX_SYMLOOP_MAX)
			return -LINUX_ELOOP;
		/* outside the root, lxrun's mounts (the root's /proc...) are not on the way */
		struct lx_mount *m = in_jail ? &mounts[M_HOST] : find_mount(norm);
		out->mnt = m;
		if (m->ops) {
			const char *rel = norm[m->len] ? norm + m->len : "/";
			char next[LX_PATH_MAX];
			/* a trailing slash follows the last name's link whatever the call */
			int r = m->ops->resolve ? m->ops->resolve(m, rel, how == VFS_FOLLOW || trailing,
								  next, sizeof(next))
						: 0;
			if (r < 0)
				return r;
			if (r == 1 && next[0] != '/')
				return -LINUX_ENOENT; /* "(unreachable)/..." from a cwd outside the root */
			if (r == 1) {
				str_copy(norm, sizeof(norm), next);
				vfs_normalize(norm);
				direct_ok = 0;
				continue;
			}
			/* and names a directory: anything else there is ENOTDIR */
			struct linux_stat st;
			if (trailing && m->ops->stat && m->ops->stat(m, rel, &st) == 0 &&
			    !LINUX_S_ISDIR(st.st_mode))
				return -LINUX_ENOTDIR;
			str_copy(out->rel, sizeof(out->rel), rel);
			return 0;
		}
		str_copy(out->rel, sizeof(out->rel), norm);
		if (is_host_mnt(m)) { /* host mount: the host resolves the host path */
			const char *hp = norm[m->len] ? norm + m->len : "/";
			out->hdir = AT_FDCWD;
			if ((size_t)snprintf(out->hbuf, sizeof(out->hbuf), "%s%s", hp,
					     trailing && norm[m->len] ? "/" : "") >=
			    sizeof(out->hbuf))
				return -LINUX_ENAMETOOLONG;
			out->hname = out->hbuf;
			return 0;
		}
		if (!confined) {
			out->hdir = AT_FDCWD;
			if (direct_ok && hops == 0 && path[0] != '/') {
				/* copied: callers resolve from buffers that do not outlive them */
				out->hdir = df ? df->host_fd : AT_FDCWD;
				str_copy(out->hbuf, sizeof(out->hbuf), path);
				out->hname = out->hbuf;
			} else {
				/* after a link, the trailing slash still asks for a directory */
				if ((size_t)snprintf(out->hbuf, sizeof(out->hbuf), "%s%s",
						     hops == 0 ? raw : norm,
						     hops && trailing && norm[1] ? "/" : "") >=
				    sizeof(out->hbuf))
					return -LINUX_ENAMETOOLONG;
				out->hname = out->hbuf;
			}
			return 0;
		}
		if (trailing && norm[1] && strlen(norm) + 1 < sizeof(norm))
			strcat(norm, "/");
		out->in_jail = in_jail;
		int base_fd = in_jail ? jail_fd : root_fd;
		if (how == VFS_FOLLOW) {
			int fd = hostfs_open_at(base_fd, norm, O_PATH, 0);
			if (fd < 0 && (fd == -LINUX_ENOENT || fd == -LINUX_ENOTDIR) && !in_jail &&
			    link_into_mount(norm, 1, raw, sizeof(raw))) {
				str_copy(norm, sizeof(norm), raw);
				trailing = 0;
				continue;
			}
			if (fd < 0)
				return fd;
			out->tmpfd = fd;
			out->target_fd = fd;
			snprintf(out->hbuf, sizeof(out->hbuf), "/proc/self/fd/%d", fd);
			out->hdir = AT_FDCWD;
			out->hname = out->hbuf;
			return 0;
		}
		/* NOFOLLOW / PARENT: the parent resolved inside the root, the last name as is
		 * (with the trailing slash the guest wrote, so the kernel checks it). */
		size_t nl = strlen(norm);
		if (nl > 1 && norm[nl - 1] == '/')
			norm[nl - 1] = 0;
		char *slash = strrchr(norm, '/');
		char parent[LX_PATH_MAX];
		if (!norm[1]) {
			strcpy(parent, "/");
			strcpy(out->hbuf, ".");
		} else {
			size_t plen = (size_t)(slash - norm);
			memcpy(parent, norm, plen ? plen : 1);
			parent[plen ? plen : 1] = 0;
			snprintf(out->hbuf, sizeof(out->hbuf), "%s%s", slash + 1, trailing ? "/" : "");
		}
		int fd = hostfs_open_at(base_fd, parent, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 && (fd == -LINUX_ENOENT || fd == -LINUX_ENOTDIR) && !in_jail &&
		    link_into_mount(parent, 1, raw, sizeof(raw))) {
			char last[NAME_MAX + 2];
			str_copy(last, sizeof(last), slash + 1);
			size_t rl = strlen(raw);
			if (rl + 1 + strlen(last) < sizeof(norm)) {
				memcpy(norm, raw, rl);
				norm[rl] = '/';
				strcpy(norm + rl + 1, last);
				vfs_normalize(norm);
				trailing = 0;
				continue;
			}
		}
		if (fd < 0)
			return fd;
		out->tmpfd = fd;
		out->hdir = fd;
		out->hname = out->hbuf;
		return 0;
	}
}

void vfs_path_put(struct lx_path *p)
{
	if (p->tmpfd >= 0)
		close(p->tmpfd);
	p->tmpfd = -1;
}

/* The guest path of rel inside mount m (malloc'd). */
static char *mount_path(const struct lx_mount *m, const char *rel)
{
	char *full = malloc(strlen(m->path) + strlen(rel) + 1);
	if (full) {
		strcpy(full, m->path);
		if (strcmp(rel, "/") != 0)
			strcat(full, rel);
	}
	return full;
}

int vfs_openat(int dirfd, const char *path, unsigned flags, unsigned mode, struct lx_file **out)
{
	struct lx_path p;
	int r = vfs_resolve(dirfd, path, (flags & LINUX_O_NOFOLLOW) ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0 && !(r == -LINUX_ENOENT && (flags & LINUX_O_CREAT) && confined))
		return r;
	if (r == 0 && p.mnt->ops) {
		vfs_path_put(&p);
		if (!p.mnt->ops->open)
			return -LINUX_EACCES;
		unsigned um = lx_proc.umask;
		r = p.mnt->ops->open(p.mnt, p.rel, flags, mode & ~um, out);
		if (r == 0 && !(*out)->reopened) {
			(*out)->mnt = p.mnt;
			if (!(*out)->path)
				(*out)->path = mount_path(p.mnt, p.rel);
		}
		return r;
	}
	int hfd;
	if (confined && !is_host_mnt(p.mnt)) {
		/* openat2 resolves (and creates) inside the root; its errors are the kernel's. */
		vfs_path_put(&p);
		char norm[LX_PATH_MAX];
		str_copy(norm, sizeof(norm), p.rel);
		hfd = hostfs_open_at(p.in_jail ? jail_fd : root_fd, norm, flags & ~LINUX_O_CLOEXEC, mode);
		if (hfd < 0)
			return hfd;
	} else {
		hfd = (int)lx_host_open(SYS_openat, p.hdir, p.hname, (long)(flags | O_CLOEXEC),
					(long)(mode & 07777));
		if (hfd < 0)
			return hfd;
	}
	struct lx_file *f = lx_host_file_new(hfd, flags & ~LINUX_O_CLOEXEC, p.rel);
	if (!f) {
		close(hfd);
		return -LINUX_ENOMEM;
	}
	*out = f;
	return 0;
}

/* The loader opens the program, its interpreter and #! interpreters through the guest's VFS
 * (so --root confines them too). O_NONBLOCK: a FIFO must fail the checks, not hang. */
/*
 * Linux refuses to execute a file that is open for writing (ETXTBSY: exec denies writes, and
 * a writer denies exec). The loader maps the program itself, so the host kernel does not
 * check: a read lease does, since it cannot be taken while anyone has the file open for
 * writing (EAGAIN). It is given back at once. Where leases are not allowed (another user's
 * file without CAP_LEASE, a filesystem without them) nothing is known and nothing refused.
 */
static int open_for_writing(int hfd)
{
	struct stat st;
	if (fstat(hfd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	/* Linux checks execute permission (and a noexec mount) first: EACCES wins */
	if (faccessat(hfd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
		return 0;
	if (fcntl(hfd, F_SETLEASE, F_RDLCK) < 0)
		return errno == EAGAIN;
	fcntl(hfd, F_SETLEASE, F_UNLCK);
	return 0;
}

int vfs_loader_open(void *ctx, const char *path)
{
	struct lx_file *f;
	int r = vfs_openat(LINUX_AT_FDCWD, path, LINUX_O_RDONLY | LINUX_O_NONBLOCK, 0, &f);
	if (r < 0)
		return r;
	int h = f->host_fd >= 0 ? fcntl(f->host_fd, F_DUPFD_CLOEXEC, 3) : -1;
	r = f->host_fd < 0 ? -LINUX_EACCES : h < 0 ? (int)lx_errno(errno) : h;
	lx_file_put(f);
	if (h >= 0 && open_for_writing(h)) {
		close(h);
		return -LINUX_ETXTBSY;
	}
	return r;
}

static int set_cwd_host(int hfd)
{
	if (fchdir(hfd) < 0)
		return (int)lx_errno(errno);
	long r = host_fd_path_ex(hfd, cwd, sizeof(cwd), &cwd_out);
	cwd_mnt = &mounts[M_HOST];
	update_fast();
	return r < 0 ? (int)r : 0;
}

/* The host moved this process's root and cwd under lxrun (pivot_root, setns into a mount
 * namespace: the host-admin model, never confined): take the host's "/" and, for a cwd on
 * hostfs, its path from the host again (a cwd the new root cannot reach keeps its string). */
void vfs_host_root_changed(void)
{
	if (confined)
		return;
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		close(root_fd);
		root_fd = fd;
	}
	char buf[LX_PATH_MAX];
	if (cwd_mnt == &mounts[M_HOST] && getcwd(buf, sizeof(buf)) && buf[0] == '/') {
		str_copy(cwd, sizeof(cwd), buf);
		cwd_out = 0;
	}
	update_fast();
}

int vfs_chdir(int dirfd, const char *path)
{
	struct lx_path p;
	int r = vfs_resolve(dirfd, path, VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops) {
		struct linux_stat st;
		r = p.mnt->ops->stat(p.mnt, p.rel, &st);
		if (r == 0 && !LINUX_S_ISDIR(st.st_mode))
			r = -LINUX_ENOTDIR;
		char *full = r == 0 ? mount_path(p.mnt, p.rel) : NULL;
		if (r == 0 && (!full || strlen(full) >= sizeof(cwd)))
			r = full ? -LINUX_ENAMETOOLONG : -LINUX_ENOMEM;
		if (r == 0) {
			strcpy(cwd, full);
			cwd_mnt = p.mnt;
			cwd_out = 0;
			update_fast();
		}
		free(full);
		return r;
	}
	int hfd = openat(p.hdir, p.hname, O_PATH | O_DIRECTORY | O_CLOEXEC);
	vfs_path_put(&p);
	if (hfd < 0)
		return (int)lx_errno(errno);
	/* chdir needs search permission, which O_PATH does not check. */
	if (faccessat(hfd, ".", X_OK, AT_EACCESS) < 0) {
		int e = errno;
		close(hfd);
		return (int)lx_errno(e);
	}
	r = set_cwd_host(hfd);
	close(hfd);
	return r;
}

int vfs_fchdir(struct lx_file *dir)
{
	if (dir->mnt && dir->mnt->ops) {
		if (!dir->path)
			return -LINUX_ENOTDIR;
		return vfs_chdir(LINUX_AT_FDCWD, dir->path);
	}
	if (dir->host_fd < 0)
		return -LINUX_ENOTDIR;
	return set_cwd_host(dir->host_fd);
}

/*
 * chroot: the directory becomes the root later absolute lookups start from. It is resolved
 * inside the current root (or, from a cwd outside it, inside the jail), so it never leaves the
 * jail. As in Linux the cwd stays where it is, possibly outside the new root (cwd_out): the
 * classic chroot escape from there (chdir(".."), chroot(".")) climbs back to the jail's top,
 * as in a container, and no further.
 */
int vfs_chroot(const char *path)
{
	struct lx_path p;
	int r = vfs_resolve(LINUX_AT_FDCWD, path, VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	if (p.mnt->ops) {
		vfs_path_put(&p);
		return -LINUX_EINVAL; /* lxrun's synthetic filesystems cannot be a root */
	}
	int hfd = openat(p.hdir, p.hname, O_PATH | O_DIRECTORY | O_CLOEXEC);
	vfs_path_put(&p);
	if (hfd < 0)
		return (int)lx_errno(errno);
	char real[LX_PATH_MAX], link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", hfd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	/* Linux's order: lookup, search permission, then CAP_SYS_CHROOT, which the host kernel
	 * checks for us: chroot("/") is a no-op that needs the capability as the real one does. */
	if (n < 0 || faccessat(hfd, ".", X_OK, AT_EACCESS) < 0 || chroot("/") < 0) {
		int e = errno;
		close(hfd);
		return (int)lx_errno(e);
	}
	real[n] = 0;
	/* The guest's cwd as a host path, before the root changes under it. */
	char host_cwd[LX_PATH_MAX] = "";
	if (vfs_cwd_is_host() && !getcwd(host_cwd, sizeof(host_cwd)))
		host_cwd[0] = 0;
	if (root_fd != jail_fd)
		close(root_fd);
	root_fd = hfd;
	host_mnt = NULL; /* host mount: a chroot inside the distro leaves /mnt/host behind */
	lx_proc.host_mount[0] = 0;
	str_copy(root_host, sizeof(root_host), real);
	confined = strcmp(root_host, "/") != 0;
	root_host_len = confined ? strlen(root_host) : 0;
	str_copy(lx_proc.root, sizeof(lx_proc.root), confined ? root_host : "");
	str_copy(lx_proc.root_host, sizeof(lx_proc.root_host), confined ? root_host : "");
	if (host_cwd[0] && (!confined || under(host_cwd, root_host, root_host_len))) {
		snprintf(cwd, sizeof(cwd), "/%s", host_cwd + root_host_len);
		vfs_normalize(cwd);
		cwd_out = 0;
	} else if (host_cwd[0] && under(host_cwd, jail_host, jail_len) && jail_len < root_host_len) {
		snprintf(cwd, sizeof(cwd), "/%s", host_cwd + jail_len);
		vfs_normalize(cwd);
		cwd_out = 1;
	} else if (host_cwd[0] || cwd_mnt == &mounts[M_HOST]) {
		if (fchdir(root_fd) < 0) {
			int e = errno;
			update_fast();
			return (int)lx_errno(e);
		}
		strcpy(cwd, "/");
		cwd_mnt = &mounts[M_HOST];
		cwd_out = 0;
	}
	update_fast();
	return 0;
}
