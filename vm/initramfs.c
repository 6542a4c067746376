/* SPDX-License-Identifier: MIT */
/* Builds the guest initramfs: a newc cpio with the agent as /init and the needed modules. */
#include "vm/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_errno.h"

#define OBJCOPY "/usr/bin/objcopy"

/* What the agent needs: the virtio-mmio transport, the console port, block, both shares,
 * overlayfs for the writable root, ext4 for the disk and virtio_net (with net_failover and
 * failover) for the user-mode network. */
static const char *const wanted[] = {
	"virtio_mmio", "virtio_console", "virtio_blk", "9pnet_virtio", "9p",
	"virtiofs",    "overlay",	 "ext4",       "virtio_net",
};

struct modlist {
	char paths[64][256]; /* relative to the modules directory, in load order */
	int n;
};

/* Module name from a path: basename without .ko, with '-' folded into '_' as the kernel does. */
static void mod_name(const char *path, char *out, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t i;

	snprintf(out, len, "%s", b ? b + 1 : path);
	if (strlen(out) > 3 && !strcmp(out + strlen(out) - 3, ".ko"))
		out[strlen(out) - 3] = 0;
	for (i = 0; out[i]; i++)
		if (out[i] == '-')
			out[i] = '_';
}

static char *read_text(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	char *buf;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return NULL;
	}
	buf[st.st_size] = 0;
	close(fd);
	return buf;
}

/* The modules.dep line for a module name, or NULL. */
static const char *dep_line(const char *dep, const char *name)
{
	const char *line = dep;
	char n[128], path[256];

	while (line && *line) {
		size_t l = strcspn(line, ":");

		if (l < sizeof(path)) {
			memcpy(path, line, l);
			path[l] = 0;
			mod_name(path, n, sizeof(n));
			if (!strcmp(n, name))
				return line;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

static bool is_builtin(const char *builtin, const char *name)
{
	const char *line = builtin;
	char n[128], path[256];

	while (builtin && line && *line) {
		size_t l = strcspn(line, "\n");

		if (l < sizeof(path)) {
			memcpy(path, line, l);
			path[l] = 0;
			mod_name(path, n, sizeof(n));
			if (!strcmp(n, name))
				return true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

struct moddb {
	char *dep, *softdep, *alias, *builtin;
};

static int add_module(const struct moddb *db, const char *name, struct modlist *out, int depth,
		      char *why);

/* "softdep NAME pre: a b post: c": the pre modules load first; names may be aliases. */
static int add_softdeps(const struct moddb *db, const char *name, struct modlist *out, int depth,
			char *why)
{
	const char *line = db->softdep;
	char key[160];

	snprintf(key, sizeof(key), "softdep %s pre:", name);
	while (line && *line) {
		if (!strncmp(line, key, strlen(key))) {
			const char *p = line + strlen(key);

			for (;;) {
				char tok[128];
				size_t l;

				p += strspn(p, " \t");
				l = strcspn(p, " \t\n");
				if (!l || l >= sizeof(tok) || !strncmp(p, "post:", 5))
					break;
				memcpy(tok, p, l);
				tok[l] = 0;
				p += l;
				/* an alias: every module it names (crc32c_generic, crc32c_intel) */
				const char *a = db->alias;
				char akey[160];
				bool found = false;

				snprintf(akey, sizeof(akey), "alias %s ", tok);
				while (a && *a) {
					if (!strncmp(a, akey, strlen(akey))) {
						char mod[128];
						size_t ml = strcspn(a + strlen(akey), "\n");

						if (ml < sizeof(mod)) {
							memcpy(mod, a + strlen(akey), ml);
							mod[ml] = 0;
							if (add_module(db, mod, out, depth + 1,
								       why) < 0)
								return -LINUX_ENOENT;
							found = true;
						}
					}
					a = strchr(a, '\n');
					if (a)
						a++;
				}
				if (!found && add_module(db, tok, out, depth + 1, why) < 0)
					return -LINUX_ENOENT;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

static int add_module(const struct moddb *db, const char *name, struct modlist *out, int depth,
		      char *why)
{
	char n[128], path[256];
	const char *line, *p;
	size_t l;
	int i, r;

	mod_name(name, n, sizeof(n));
	if (depth > 16)
		return -LINUX_ELOOP;
	for (i = 0; i < out->n; i++) {
		char have[128];

		mod_name(out->paths[i], have, sizeof(have));
		if (!strcmp(have, n))
			return 0;
	}
	line = dep_line(db->dep, n);
	if (!line) {
		if (is_builtin(db->builtin, n))
			return 0;
		snprintf(why, VM_WHY_LEN, "kernel module %s is neither in modules.dep nor built in",
			 n);
		return -LINUX_ENOENT;
	}
	r = add_softdeps(db, n, out, depth, why);
	if (r < 0)
		return r;
	/* hard dependencies first (modprobe loads them deepest-last in the listed order) */
	p = line + strcspn(line, ":") + 1;
	for (;;) {
		p += strspn(p, " \t");
		l = strcspn(p, " \t\n");
		if (!l)
			break;
		if (l < sizeof(path)) {
			memcpy(path, p, l);
			path[l] = 0;
			r = add_module(db, path, out, depth + 1, why);
			if (r < 0)
				return r;
		}
		p += l;
	}
	if (out->n == (int)(sizeof(out->paths) / sizeof(out->paths[0])))
		return -LINUX_E2BIG;
	l = strcspn(line, ":");
	if (l >= sizeof(out->paths[0]))
		return -LINUX_ENAMETOOLONG;
	memcpy(out->paths[out->n], line, l);
	out->paths[out->n][l] = 0;
	out->n++;
	return 0;
}

/* newc: "070701", 13 eight-digit hex fields, the name, padding to 4, the data, padding. */
static int cpio_entry(FILE *f, const char *name, unsigned int mode, unsigned int rmaj,
		      unsigned int rmin, const void *data, size_t len)
{
	static unsigned int ino = 1;
	static const char zero[4];
	size_t nl = strlen(name) + 1;

	fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino++, mode, 0,
		0, 1, 0, len, 0, 0, rmaj, rmin, nl, 0);
	fwrite(name, 1, nl, f);
	fwrite(zero, 1, (4 - (110 + nl) % 4) % 4, f);
	if (len)
		fwrite(data, 1, len, f);
	fwrite(zero, 1, (4 - len % 4) % 4, f);
	return ferror(f) ? -LINUX_EIO : 0;
}

int vm_initramfs_build(const char *out_path, const char *moddir, char *why)
{
	static const char *const dirs[] = {"dev",     "proc",	 "sys", "run", "run/lxrun",
					   "newroot", "modules", "mnt", "tmp"};
	struct moddb db = {0};
	struct modlist *mods = calloc(1, sizeof(*mods));
	const uint8_t *agent;
	size_t agent_len, i;
	int r = 0;
	FILE *f = NULL;

	if (!mods)
		return -LINUX_ENOMEM;
	if (!moddir || !*moddir)
		goto write; /* a kernel with everything built in */
	db.dep = read_text(moddir, "modules.dep");
	db.softdep = read_text(moddir, "modules.softdep");
	db.alias = read_text(moddir, "modules.alias");
	db.builtin = read_text(moddir, "modules.builtin");
	if (!db.dep) {
		snprintf(why, VM_WHY_LEN, "cannot read %s/modules.dep: %s", moddir,
			 strerror(errno));
		r = -LINUX_ENOENT;
		goto out;
	}
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]) && !r; i++)
		r = add_module(&db, wanted[i], mods, 0, why);
	if (r < 0)
		goto out;
write:
	f = fopen(out_path, "we");
	if (!f) {
		r = -errno;
		snprintf(why, VM_WHY_LEN, "cannot write %s: %s", out_path, strerror(errno));
		goto out;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cpio_entry(f, dirs[i], 040755, 0, 0, NULL, 0);
	/* the kernel opens /dev/console for init's stdio; without root we cannot mknod it on
	 * the host, but the archive can carry the node */
	cpio_entry(f, "dev/console", 020600, 5, 1, NULL, 0);
	agent = vm_agent_blob(&agent_len);
	cpio_entry(f, "init", 0100755, 0, 0, agent, agent_len);
	for (i = 0; i < (size_t)mods->n; i++) {
		char src[PATH_MAX], name[160], mn[128], stripped[PATH_MAX + 8];
		struct stat st;
		void *data;
		int fd;

		snprintf(src, sizeof(src), "%s/%s", moddir, mods->paths[i]);
		snprintf(stripped, sizeof(stripped), "%s.ko.tmp", out_path);
		/* BTF parsing and the signature check cost more boot time than loading the code
		 * under TCG; objcopy drops both (the appended signature goes with the rewrite) */
		if (!access(OBJCOPY, X_OK)) {
			char *const argv[] = {OBJCOPY, "--remove-section=.BTF", src, stripped,
					      NULL};

			if (vm_run_tool(argv, NULL, NULL) == 0)
				snprintf(src, sizeof(src), "%s", stripped);
		}
		fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			r = -errno;
			snprintf(why, VM_WHY_LEN, "cannot read %s: %s", src, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		data = malloc((size_t)st.st_size);
		if (!data || read(fd, data, (size_t)st.st_size) != st.st_size) {
			free(data);
			close(fd);
			r = -LINUX_EIO;
			snprintf(why, VM_WHY_LEN, "cannot read %s", src);
			goto out;
		}
		close(fd);
		unlink(stripped);
		mod_name(mods->paths[i], mn, sizeof(mn));
		snprintf(name, sizeof(name), "modules/%02zu-%s.ko", i, mn);
		r = cpio_entry(f, name, 0100644, 0, 0, data, (size_t)st.st_size);
		free(data);
		if (r < 0)
			goto out;
	}
	r = cpio_entry(f, "TRAILER!!!", 0, 0, 0, NULL, 0);
out:
	if (f && fclose(f) != 0 && !r) {
		r = -LINUX_EIO;
		snprintf(why, VM_WHY_LEN, "cannot write %s (disk full?)", out_path);
	}
	free(db.dep);
	free(db.softdep);
	free(db.alias);
	free(db.builtin);
	free(mods);
	return r;
}
