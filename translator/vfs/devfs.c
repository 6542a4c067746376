/* SPDX-License-Identifier: MIT */
/* devfs: the guest's /dev. A fixed set of nodes; device nodes are the host's own (their
 * semantics are the kernel's), the fd/stdio links point into lxrun's procfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/sys/hostadmin.h"
#include "translator/syscall.h"
#include "translator/vfs/synth.h"
#include "translator/vfs/vfs.h"

static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty", "ptmx"};
static const struct {
	const char *name, *target;
} links[] = {
	{"fd", "/proc/self/fd"},
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
};

enum kind { K_NONE, K_ROOT, K_DEV, K_LINK, K_PTS, K_SHM };

/* Host-admin model only (sys/hostadmin.h): the host's block devices and /dev/loop-control,
 * by their host names (a root guest that sees the host's / may use them natively too). */
static int host_admin_node(const char *name, size_t n)
{
	char host[300];
	struct stat st;
	if (!lx_host_admin || n == 0 || n > 255 || memchr(name, '.', n) == name)
		return 0;
	snprintf(host, sizeof(host), "/dev/%.*s", (int)n, name);
	if (lstat(host, &st) < 0)
		return 0;
	return S_ISBLK(st.st_mode) || (S_ISCHR(st.st_mode) && !strcmp(host, "/dev/loop-control"));
}

/* Classify the first component of p; *rest points after it. */
static enum kind classify(const char *p, const char **rest, int *idx)
{
	if (!strcmp(p, "/"))
		return K_ROOT;
	const char *c = p + 1;
	const char *slash = strchr(c, '/');
	size_t n = slash ? (size_t)(slash - c) : strlen(c);
	*rest = c + n;
	for (int i = 0; i < (int)(sizeof(devices) / sizeof(devices[0])); i++)
		if (strlen(devices[i]) == n && !strncmp(c, devices[i], n)) {
			*idx = i;
			return K_DEV;
		}
	for (int i = 0; i < (int)(sizeof(links) / sizeof(links[0])); i++)
		if (strlen(links[i].name) == n && !strncmp(c, links[i].name, n)) {
			*idx = i;
			return K_LINK;
		}
	/* /dev/userfaultfd (Linux 6.1), where the host has it: the host's node */
	if (n == 11 && !strncmp(c, "userfaultfd", 11) && access("/dev/userfaultfd", F_OK) == 0)
		return K_DEV;
	if (n == 3 && !strncmp(c, "pts", 3))
		return K_PTS;
	if (n == 3 && !strncmp(c, "shm", 3))
		return K_SHM;
	if (host_admin_node(c, n))
		return K_DEV;
	return K_NONE;
}

static int dev_resolve(struct lx_mount *m, const char *p, int follow, char *out, size_t outlen)
{
	const char *rest = "";
	int idx = 0;
	switch (classify(p, &rest, &idx)) {
	case K_NONE:
		return -LINUX_ENOENT;
	case K_DEV:
		return *rest ? -LINUX_ENOTDIR : 0;
	case K_LINK:
		if (!*rest && !follow)
			return 0;
		if ((size_t)snprintf(out, outlen, "%s%s", links[idx].target, rest) >= outlen)
			return -LINUX_ENAMETOOLONG;
		return 1;
	default:
		return 0;
	}
}

static int dev_stat(struct lx_mount *m, const char *p, struct linux_stat *st)
{
	const char *rest = "";
	int idx = 0;
	char host[LX_PATH_MAX];
	switch (classify(p, &rest, &idx)) {
	case K_ROOT:
		synth_stat(st, m, LINUX_S_IFDIR | 0755, 1, 0);
		return 0;
	case K_SHM:
		synth_stat(st, m, LINUX_S_IFDIR | 01777, 2, 0);
		return 0;
	case K_LINK:
		synth_stat(st, m, LINUX_S_IFLNK | 0777, 10 + (uint64_t)idx,
			   (int64_t)strlen(links[idx].target));
		return 0;
	case K_DEV:
	case K_PTS:
		snprintf(host, sizeof(host), "/dev%s", p);
		return lstat(host, (struct stat *)st) < 0 ? (int)lx_errno(errno) : 0;
	default:
		return -LINUX_ENOENT;
	}
}

static long dev_readlink(struct lx_mount *m, const char *p, char *buf, size_t size)
{
	const char *rest = "";
	int idx = 0;
	if (classify(p, &rest, &idx) != K_LINK || *rest)
		return -LINUX_EINVAL;
	size_t n = strlen(links[idx].target);
	if (n > size)
		n = size;
	memcpy(buf, links[idx].target, n);
	return (long)n;
}

static int dev_open(struct lx_mount *m, const char *p, unsigned flags, unsigned mode,
		    struct lx_file **out)
{
	const char *rest = "";
	int idx = 0;
	struct linux_stat st;
	switch (classify(p, &rest, &idx)) {
	case K_ROOT: {
		if ((flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
			return -LINUX_EISDIR;
		enum { MAXENTS = 16 + 128 };
		struct synth_dirent *ents = calloc(MAXENTS, sizeof(*ents));
		size_t n = 0;
		if (!ents)
			return -LINUX_ENOMEM;
		for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
			snprintf(ents[n].name, sizeof(ents[n].name), "%s", devices[i]);
			ents[n].type = LINUX_DT_CHR;
			ents[n++].ino = 100 + i;
		}
		for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
			snprintf(ents[n].name, sizeof(ents[n].name), "%s", links[i].name);
			ents[n].type = LINUX_DT_LNK;
			ents[n++].ino = 10 + i;
		}
		if (access("/dev/userfaultfd", F_OK) == 0) {
			strcpy(ents[n].name, "userfaultfd");
			ents[n].type = LINUX_DT_CHR;
			ents[n++].ino = 99;
		}
		strcpy(ents[n].name, "pts");
		ents[n].type = LINUX_DT_DIR;
		ents[n++].ino = 3;
		strcpy(ents[n].name, "shm");
		ents[n].type = LINUX_DT_DIR;
		ents[n++].ino = 2;
		DIR *hd = lx_host_admin ? opendir("/dev") : NULL;
		for (struct dirent *de; hd && n < MAXENTS && (de = readdir(hd));) {
			if (!host_admin_node(de->d_name, strlen(de->d_name)))
				continue;
			snprintf(ents[n].name, sizeof(ents[n].name), "%s", de->d_name);
			ents[n].type = de->d_type == DT_BLK ? LINUX_DT_BLK : LINUX_DT_CHR;
			ents[n++].ino = 1000 + de->d_ino;
		}
		if (hd)
			closedir(hd);
		synth_stat(&st, m, LINUX_S_IFDIR | 0755, 1, 0);
		*out = synth_dir_new(ents, n, &st);
		free(ents);
		return *out ? 0 : -LINUX_ENOMEM;
	}
	case K_LINK:
		/* Only reached with O_NOFOLLOW (resolve follows otherwise). */
		return (flags & LINUX_O_PATH) ? -LINUX_EOPNOTSUPP : -LINUX_ELOOP;
	case K_DEV:
	case K_PTS: {
		if (flags & LINUX_O_CREAT && flags & LINUX_O_EXCL)
			return -LINUX_EEXIST;
		char host[LX_PATH_MAX];
		snprintf(host, sizeof(host), "/dev%s", p);
		return lx_host_file_open(host, flags, out);
	}
	default:
		return (flags & LINUX_O_CREAT) ? -LINUX_EACCES : -LINUX_ENOENT;
	}
}

static int dev_statfs(struct lx_mount *m, const char *p, struct linux_statfs *st)
{
	synth_statfs(st, 0x01021994); /* devtmpfs reports TMPFS_MAGIC */
	return 0;
}

const struct lx_fs_ops lx_devfs_ops = {
	.type = "devtmpfs",
	.resolve = dev_resolve,
	.open = dev_open,
	.stat = dev_stat,
	.readlink = dev_readlink,
	.statfs = dev_statfs,
};
