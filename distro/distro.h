/* SPDX-License-Identifier: MIT */
/* The distro store: named Linux root trees under lxrun's state directory (STATE/distros). */
#ifndef LXRUN_DISTRO_DISTRO_H
#define LXRUN_DISTRO_DISTRO_H

#include <limits.h>
#include <stdint.h>

#define DISTRO_WHY_LEN 512  /* size of every `why` buffer */
#define DISTRO_NAME_MAX 64  /* longest distro name */
#define DISTRO_HOST_MOUNT "/mnt/host" /* where the host's / appears inside a distro */

/*
 * Layout of STATE/distros:
 *   NAME/rootfs         the distro's / (translate mode's confined root)
 *   NAME/meta           key=value lines: source, suite, created
 *   NAME/lock           flock'd shared by every running command, exclusively by remove
 *   NAME/vm/            the state directory of the distro's own VM (vm mode)
 *   NAME/vm/disk.img    its disk: an ext4 copy of the tree, built on first use
 *   .NAME.partial/      an import or create in progress (renamed to NAME when complete)
 *   default             the default distro's name
 */

/* Is name a valid distro name ([A-Za-z0-9._-], no leading '.', at most DISTRO_NAME_MAX
 * bytes, not "default")? 0, or -EINVAL with the reason in why. */
int distro_name_check(const char *name, char *why);
/* STATE/distros (created when create is set). 0 or -errno with why. */
int distro_store_dir(char *out, int create, char *why);
/* STATE/distros/NAME[/sub] into out (PATH_MAX). */
int distro_path(const char *name, const char *sub, char *out);
/* Does distro NAME exist (0), or -ENOENT with why. */
int distro_exists(const char *name, char *why);
/* The default distro's name (0), or -ENOENT when none is set. */
int distro_get_default(char *name, char *why);
int distro_set_default(const char *name, char *why);

/* Mark NAME in use by this process (and every process it forks or executes): a shared lock
 * on NAME/lock held by an inherited descriptor. Returns the descriptor or -errno. */
int distro_use(const char *name, char *why);
/* Which process holds NAME's lock (0 when none is found). */
int distro_lock_holder(const char *name);

/* Progress and diagnostics go to stderr; quiet suppresses progress lines. */
struct distro_opts {
	const char *suite;   /* create: bookworm */
	const char *variant; /* create: minbase */
	const char *mirror;  /* create: http://deb.debian.org/debian */
	int quiet;
};

int distro_import(const char *name, const char *src, const struct distro_opts *o, char *why);
int distro_export(const char *name, const char *file, const struct distro_opts *o, char *why);
int distro_create(const char *name, const struct distro_opts *o, char *why);
int distro_remove(const char *name, char *why);

struct distro_info {
	char name[DISTRO_NAME_MAX + 1];
	uint64_t size;        /* bytes used by the tree (st_blocks) */
	int is_default;
	char vm_image[32];    /* "none", "built" */
	char source[256];     /* from meta */
	char created[32];
};
/* Every distro, sorted by name; *out is malloc'd. Returns the count or -errno. */
int distro_list(struct distro_info **out, int with_size, char *why);

/* Before a run: /etc/resolv.conf and /etc/hosts generated from the host's (unless the
 * distro keeps its own), /tmp and /dev/shm present with mode 1777, /mnt/host present. */
int distro_prepare_root(const char *rootfs, char *why);

/* Does the tree's /etc/wsl.conf say "enabled = false" under [interop] (WSL's switch for running
 * host programs)? The distro's VM then boots with --no-interop. */
int distro_interop_off(const char *rootfs);

/* STATE/distros/NAME/vm: the state directory of the distro's VM. */
int distro_vm_dir(const char *name, char *out);
/* Build NAME/vm/disk.img from the tree (mkfs.ext4 -d, with progress) unless it exists (or
 * rebuild is set). Root only. 0 or -errno with why. */
int distro_vm_image(const char *name, int rebuild, int quiet, char *why);

/* Remove a tree (also directories without write permission). 0 or -errno. */
int distro_rmtree(const char *path);

#endif
