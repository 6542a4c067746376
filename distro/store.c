/* SPDX-License-Identifier: MIT */
/* The distro store: names, paths, the default, in-use locks, listing, removal. */
#include "distro/distro.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/vm.h"

int distro_name_check(const char *name, char *why)
{
	size_t n = strlen(name);

	if (n == 0 || n > DISTRO_NAME_MAX) {
		snprintf(why, DISTRO_WHY_LEN, "distro name '%s': must be 1 to %d characters", name,
			 DISTRO_NAME_MAX);
		return -EINVAL;
	}
	if (name[0] == '.' || name[0] == '-') {
		snprintf(why, DISTRO_WHY_LEN, "distro name '%s': may not start with '%c'", name,
			 name[0]);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			snprintf(why, DISTRO_WHY_LEN,
				 "distro name '%s': character '%c' not allowed (only A-Z a-z 0-9 . _ -)",
				 name, c);
			return -EINVAL;
		}
	}
	if (strcmp(name, "default") == 0) {
		snprintf(why, DISTRO_WHY_LEN,
			 "distro name 'default' is reserved (-d default runs the default distro)");
		return -EINVAL;
	}
	return 0;
}

static int mkdirs(const char *path, char *why)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
			int e = errno;
			snprintf(why, DISTRO_WHY_LEN, "cannot create %s: %s", tmp, strerror(e));
			return -e;
		}
		tmp[i] = i < n ? '/' : 0;
	}
	return 0;
}

int distro_store_dir(char *out, int create, char *why)
{
	struct vm_config cfg;

	vm_config_init(&cfg); /* the state directory vm mode uses: one place for lxrun's state */
	if (snprintf(out, PATH_MAX, "%s/distros", cfg.state_dir) >= PATH_MAX) {
		snprintf(why, DISTRO_WHY_LEN, "state directory path too long");
		return -ENAMETOOLONG;
	}
	return create ? mkdirs(out, why) : 0;
}

int distro_path(const char *name, const char *sub, char *out)
{
	char dir[PATH_MAX], why[DISTRO_WHY_LEN];
	int r = distro_store_dir(dir, 0, why);

	if (r < 0)
		return r;
	if (snprintf(out, PATH_MAX, "%s/%s%s%s", dir, name, sub ? "/" : "", sub ? sub : "") >=
	    PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int distro_exists(const char *name, char *why)
{
	char p[PATH_MAX];
	struct stat st;
	int r = distro_name_check(name, why);

	if (r < 0)
		return r;
	if ((r = distro_path(name, "rootfs", p)) < 0) {
		snprintf(why, DISTRO_WHY_LEN, "distro %s: path too long", name);
		return r;
	}
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, DISTRO_WHY_LEN, "no distro named '%s' (lxrun distro list)", name);
		return -ENOENT;
	}
	return 0;
}

int distro_get_default(char *name, char *why)
{
	char p[PATH_MAX], dir[PATH_MAX];
	int r = distro_store_dir(dir, 0, why);

	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "%s/default", dir);
	FILE *f = fopen(p, "re");
	if (!f) {
		snprintf(why, DISTRO_WHY_LEN, "no default distro is set (lxrun distro set-default NAME)");
		return -ENOENT;
	}
	char buf[DISTRO_NAME_MAX + 2] = "";
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	if (distro_name_check(buf, why) < 0 || distro_exists(buf, why) < 0) {
		snprintf(why, DISTRO_WHY_LEN,
			 "the default distro '%s' (in %s) does not exist any more "
			 "(lxrun distro set-default NAME)",
			 buf, p);
		return -ENOENT;
	}
	memcpy(name, buf, strlen(buf) + 1);
	return 0;
}

int distro_set_default(const char *name, char *why)
{
	char dir[PATH_MAX], p[PATH_MAX + 16], tmp[PATH_MAX + 32];
	int r = distro_exists(name, why);

	if (r < 0 || (r = distro_store_dir(dir, 1, why)) < 0)
		return r;
	snprintf(p, sizeof(p), "%s/default", dir);
	snprintf(tmp, sizeof(tmp), "%s/.default.%d", dir, (int)getpid());
	FILE *f = fopen(tmp, "we");
	if (!f || fprintf(f, "%s\n", name) < 0 || fclose(f) != 0 || rename(tmp, p) < 0) {
		int e = errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot write %s: %s", p, strerror(e));
		unlink(tmp);
		return -e;
	}
	return 0;
}

int distro_use(const char *name, char *why)
{
	char p[PATH_MAX];
	int r = distro_exists(name, why);

	if (r < 0 || (r = distro_path(name, "lock", p)) < 0)
		return r;
	/* no O_CLOEXEC: the lock lives as long as any process started from this one */
	int fd = open(p, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		fd = open(p, O_RDONLY);
	if (fd < 0) {
		int e = errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot open %s: %s", p, strerror(e));
		return -e;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		snprintf(why, DISTRO_WHY_LEN, "distro '%s' is being removed", name);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	/* above the guest's usual descriptors, so it does not take a number a program expects */
	int hi = fcntl(fd, F_DUPFD, 100);
	if (hi >= 0) {
		close(fd);
		fd = hi;
	}
	return fd;
}

/* /proc/locks: "1: FLOCK  ADVISORY  READ 1234 fd:01:5678 0 EOF" */
int distro_lock_holder(const char *name)
{
	char p[PATH_MAX], line[256];
	struct stat st;

	if (distro_path(name, "lock", p) < 0 || stat(p, &st) < 0)
		return 0;
	FILE *f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	int pid = 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		int id, lp;
		unsigned maj, min;
		unsigned long ino;
		char kind[16], adv[16], mode[16];
		if (strstr(line, "->"))
			continue; /* a waiter */
		if (sscanf(line, "%d: %15s %15s %15s %d %x:%x:%lu", &id, kind, adv, mode, &lp, &maj,
			   &min, &ino) == 8 &&
		    ino == (unsigned long)st.st_ino && lp != getpid())
			pid = lp;
	}
	fclose(f);
	return pid;
}

/* Remove what is inside the directory fd, then nothing else (the caller removes it). */
static int rm_contents(int dfd)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	int r = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			r = r ? r : -errno;
			continue;
		}
		/* a directory; it may lack rwx for us (tar keeps 0555 directories) */
		fchmodat(dirfd(d), e->d_name, 0700, 0);
		int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			r = r ? r : -errno;
			continue;
		}
		int rr = rm_contents(sub);
		if (rr < 0 && !r)
			r = rr;
		if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0 && !r)
			r = -errno;
	}
	closedir(d);
	return r;
}

int distro_rmtree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	chmod(path, 0700);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = rm_contents(fd);
	if (rmdir(path) < 0 && !r)
		r = -errno;
	return r;
}

int distro_remove(const char *name, char *why)
{
	char dir[PATH_MAX], lock[PATH_MAX], gone[PATH_MAX + 32], def[DISTRO_NAME_MAX + 1];
	int r = distro_exists(name, why);

	if (r < 0 || (r = distro_path(name, NULL, dir)) < 0 || (r = distro_path(name, "lock", lock)) < 0)
		return r;
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot open %s: %s", lock, strerror(e));
		return -e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int pid = distro_lock_holder(name);
		close(fd);
		if (pid)
			snprintf(why, DISTRO_WHY_LEN,
				 "distro '%s' is in use by a running command (pid %d); nothing removed",
				 name, pid);
		else
			snprintf(why, DISTRO_WHY_LEN,
				 "distro '%s' is in use by a running command; nothing removed", name);
		return -EBUSY;
	}
	int was_default = distro_get_default(def, why) == 0 && strcmp(def, name) == 0;
	/* out of the namespace in one step; then the slow part */
	char store[PATH_MAX];
	if ((r = distro_store_dir(store, 0, why)) < 0) {
		close(fd);
		return r;
	}
	snprintf(gone, sizeof(gone), "%s/.%s.removing.%d", store, name, (int)getpid());
	if (rename(dir, gone) < 0) {
		int e = errno;
		close(fd);
		snprintf(why, DISTRO_WHY_LEN, "cannot remove %s: %s", dir, strerror(e));
		return -e;
	}
	close(fd);
	if (was_default) {
		char p[PATH_MAX + 16];
		snprintf(p, sizeof(p), "%s/default", store);
		unlink(p);
	}
	r = distro_rmtree(gone);
	if (r < 0) {
		snprintf(why, DISTRO_WHY_LEN, "distro '%s' removed from the list, but %s is left: %s",
			 name, gone, strerror(-r));
		return r;
	}
	return 0;
}

/* st_blocks of a tree (hard links counted each time: an upper bound, as du -l). */
static uint64_t tree_size(int dfd)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	uint64_t sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				sum += tree_size(sub);
		}
		sum += (uint64_t)st.st_blocks * 512;
	}
	closedir(d);
	return sum;
}

static void read_meta(const char *name, struct distro_info *di)
{
	char p[PATH_MAX], line[512];

	if (distro_path(name, "meta", p) < 0)
		return;
	FILE *f = fopen(p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "source=", 7))
			snprintf(di->source, sizeof(di->source), "%s", line + 7);
		else if (!strncmp(line, "created=", 8))
			snprintf(di->created, sizeof(di->created), "%s", line + 8);
	}
	fclose(f);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct distro_info *)a)->name, ((const struct distro_info *)b)->name);
}

int distro_list(struct distro_info **out, int with_size, char *why)
{
	char dir[PATH_MAX], def[DISTRO_NAME_MAX + 1] = "", w2[DISTRO_WHY_LEN];
	int r = distro_store_dir(dir, 0, why);

	*out = NULL;
	if (r < 0)
		return r;
	distro_get_default(def, w2);
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	size_t n = 0, cap = 0;
	struct distro_info *v = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (distro_name_check(e->d_name, w2) < 0 || distro_exists(e->d_name, w2) < 0)
			continue;
		if (n == cap) {
			struct distro_info *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		struct distro_info *di = &v[n++];
		memset(di, 0, sizeof(*di));
		snprintf(di->name, sizeof(di->name), "%s", e->d_name);
		di->is_default = strcmp(def, di->name) == 0;
		char p[PATH_MAX];
		struct stat st;
		snprintf(di->vm_image, sizeof(di->vm_image), "none");
		if (distro_path(di->name, "vm/disk.img", p) == 0 && stat(p, &st) == 0)
			snprintf(di->vm_image, sizeof(di->vm_image), "built");
		if (with_size && distro_path(di->name, "rootfs", p) == 0) {
			int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0 && fstat(fd, &st) == 0)
				di->size = tree_size(fd) + (uint64_t)st.st_blocks * 512;
			else if (fd >= 0)
				close(fd);
		}
		read_meta(di->name, di);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), by_name);
	*out = v;
	return (int)n;
}
