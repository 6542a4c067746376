/* SPDX-License-Identifier: MIT */
/* The guest's filesystem view: mount table, path resolution, filesystem ops. */
#ifndef LXRUN_TRANSLATOR_VFS_VFS_H
#define LXRUN_TRANSLATOR_VFS_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "abi/linux_stat.h"
#include "abi/linux_time.h"

struct lx_file;
struct lx_mount;

#define LX_PATH_MAX 4096
#define LX_SYMLOOP_MAX 40

/*
 * Operations of a synthetic filesystem (procfs, devfs, tmpfs). hostfs is handled by the VFS
 * itself because the host kernel resolves its paths.
 *
 * Every path argument is the path INSIDE the mount: absolute ("/" is the mount's root),
 * lexically normalised (no "", "." or ".." components, no trailing slash). Every op returns 0
 * (or a length/fd as stated) or a negative Linux errno. A NULL op means the operation is not
 * supported on this filesystem; the VFS then returns -EROFS for modifications and -EINVAL for
 * readlink.
 *
 * Symlinks: resolve() is called first for every lookup. If some component of p (the last one
 * only when follow is set) is a symlink, it writes the new GUEST absolute path (mount prefix
 * included, the remaining components appended) into out and returns 1; the VFS restarts the
 * walk with it (at most LX_SYMLOOP_MAX times, then -ELOOP). It returns 0 when p needs no
 * rewriting, or a negative errno (-ENOENT, -ENOTDIR) when an intermediate component is
 * missing or not a directory.
 */
struct lx_fs_ops {
	const char *type; /* as /proc/mounts shows it: "proc", "devtmpfs", "tmpfs" */
	int (*resolve)(struct lx_mount *m, const char *p, int follow, char *out, size_t outlen);
	/* flags: Linux O_* (O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_ACCMODE...). *out gets a
	 * new file with one reference; its ops implement read/write/lseek/fstat/getdents64. */
	int (*open)(struct lx_mount *m, const char *p, unsigned flags, unsigned mode,
		    struct lx_file **out);
	int (*stat)(struct lx_mount *m, const char *p, struct linux_stat *st); /* no follow */
	long (*readlink)(struct lx_mount *m, const char *p, char *buf, size_t size);
	int (*mkdir)(struct lx_mount *m, const char *p, unsigned mode);
	int (*rmdir)(struct lx_mount *m, const char *p);
	int (*unlink)(struct lx_mount *m, const char *p);
	int (*rename)(struct lx_mount *m, const char *from, const char *to, unsigned flags);
	int (*link)(struct lx_mount *m, const char *from, const char *to);
	int (*symlink)(struct lx_mount *m, const char *target, const char *p);
	int (*chmod)(struct lx_mount *m, const char *p, unsigned mode);
	int (*chown)(struct lx_mount *m, const char *p, uint32_t uid, uint32_t gid);
	/* ts as utimensat(2): NULL = now; tv_nsec may be UTIME_NOW / UTIME_OMIT. */
	int (*utimens)(struct lx_mount *m, const char *p, const struct linux_timespec ts[2]);
	int (*truncate)(struct lx_mount *m, const char *p, int64_t len);
	int (*statfs)(struct lx_mount *m, const char *p, struct linux_statfs *st);
};

struct lx_mount {
	char path[256];    /* guest mount point, "/" or "/proc" ... (no trailing slash) */
	size_t len;        /* strlen(path); 0 for "/" */
	const struct lx_fs_ops *ops; /* NULL: hostfs */
	void *priv;
	uint64_t dev;      /* st_dev reported for synthetic filesystems */
};

/* Set up the mount table. root: host directory that is the guest's "/" (NULL or "/": the
 * host's root, no confinement). Returns 0 or a negative errno (root missing...). */
int vfs_init(const char *root);
/* Mount a new in-memory tmpfs at guest_path (--tmpfs). Its content lives in this lxrun
 * process: children started by fork or execve do not see it. */
int vfs_mount_tmpfs(const char *guest_path);
/* lxrun -d: the host's own / at guest_path inside a confined root (after vfs_init; not for a
 * plain --root). A start-up cwd outside the root continues under it. 0 or -errno. */
int vfs_mount_host(const char *guest_path);
/* Is the absolute guest path under the host mount? 1 with the host path in host, else 0. */
int vfs_host_mount_path(const char *guest_abs, char *host, size_t size);
/* Is the guest confined to a directory (--root)? */
int vfs_confined(void);
/* 1 while a relative path without ".." from the cwd reaches the host as written (the guest's
 * root is the host's, the cwd a host directory other than "/" with none of lxrun's mounts at,
 * above or below it): read by the TLS-free fast path (translator/fastpath.c). */
extern uint8_t lx_vfs_cwd_direct;
/* Host fd (O_PATH|O_DIRECTORY) of the guest root. */
int vfs_root_fd(void);

/*
 * A resolved guest path. For hostfs, the host operation is op(hdir, hname, ...): hdir is a
 * host dirfd or AT_FDCWD. With VFS_NOFOLLOW the final component is not followed (hname is
 * then relative to its parent directory); with VFS_FOLLOW it is, and hname names the final
 * object (in confined mode through /proc/self/fd/N of an O_PATH fd resolved in the root).
 * For a synthetic mount, mnt->ops is set and rel is the path inside the mount.
 */
struct lx_path {
	struct lx_mount *mnt;
	char rel[LX_PATH_MAX];  /* synthetic: path inside the mount */
	int hdir;
	const char *hname;
	char hbuf[LX_PATH_MAX];
	int tmpfd;              /* fd to close in vfs_path_put, or -1 */
	int target_fd;          /* hostfs, confined, VFS_FOLLOW: tmpfd is an O_PATH fd of the
				 * object itself (hname is its /proc/self/fd link), which
				 * fstatat(AT_EMPTY_PATH) reaches without a walk through /proc;
				 * else -1 */
	int in_jail;            /* hostfs, confined: rel is a path from the jail (--root), not
				 * from the root (a cwd or dirfd outside a chroot) */
	int missing_ok;
};

#define VFS_FOLLOW 0
#define VFS_NOFOLLOW 1
#define VFS_PARENT 2 /* like NOFOLLOW, and the final component may not exist yet (create) */

/* Resolve path relative to the guest dirfd (LINUX_AT_FDCWD: the cwd). Returns 0 or -errno. */
int vfs_resolve(int dirfd, const char *path, int how, struct lx_path *out);
void vfs_path_put(struct lx_path *p);

/* Open a guest path as openat(2) does; returns a new file (one reference) in *out. */
int vfs_openat(int dirfd, const char *path, unsigned flags, unsigned mode, struct lx_file **out);

/* loader_options.open_path: open a guest path for the loader, returning a host fd. */
int vfs_loader_open(void *ctx, const char *path);

/* After a pivot_root or a setns into a mount namespace (host-admin model): the host's root
 * and cwd are taken again. */
void vfs_host_root_changed(void);
/* The guest's current directory as a string (getcwd). */
const char *vfs_cwd(void);
/* Is the cwd on hostfs (so the host's own cwd is the guest's)? */
int vfs_cwd_is_host(void);
/* chdir/fchdir. */
int vfs_chdir(int dirfd, const char *path);
/* chroot inside the current root (the path is resolved there). */
int vfs_chroot(const char *path);
int vfs_fchdir(struct lx_file *dir);

/* Canonical guest path of an open file (for /proc/self/fd, dirfds); length or -errno. */
long vfs_file_path(struct lx_file *f, char *buf, size_t size);

/* The mount table, for /proc/mounts. */
struct lx_mount *vfs_mounts(size_t *count);

/* Lexically normalise an absolute path in place ("//", ".", ".." removed; ".." at "/" stays
 * "/"). Returns the new length. */
size_t vfs_normalize(char *path);

/* Synthetic filesystems. */
extern const struct lx_fs_ops lx_procfs_ops;
extern const struct lx_fs_ops lx_devfs_ops;
extern const struct lx_fs_ops lx_tmpfs_ops;
/* procfs: the open file behind /PID/fd/N (rel: path inside /proc), or NULL. */
struct lx_file *procfs_fd_file(const char *rel);
/* A followed stat of /PID/ns/NAME, or of another process's /PID/...: 0 or -errno into st, 1
 * when rel is neither. */
long procfs_stat_follow(const char *rel, struct linux_stat *st);
/* Another guest process's RLIMIT_NOFILE as it sees it (its lxrun-proc memfd): 0, or -1 when
 * pid is no guest of this lxrun. */
int procfs_foreign_nofile(long pid, unsigned long *cur, unsigned long *max);
/* tmpfs instance data for a mount (allocated by tmpfs itself). */
void *tmpfs_new(void);

#endif
