/* SPDX-License-Identifier: MIT */
/* Files and directories whose content lxrun makes up (procfs, devfs listings). */
#ifndef LXRUN_TRANSLATOR_VFS_SYNTH_H
#define LXRUN_TRANSLATOR_VFS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "abi/linux_stat.h"

struct lx_file;
struct lx_mount;

/* A read-only file over data (ownership of the malloc'd data passes to the file). */
struct lx_file *synth_file_new(char *data, size_t len, const struct linux_stat *st);

struct synth_dirent {
	char name[256];
	uint8_t type; /* LINUX_DT_* */
	uint64_t ino;
};
/* A directory listing (entries copied; "." and ".." are added). */
struct lx_file *synth_dir_new(const struct synth_dirent *ents, size_t n, const struct linux_stat *st);
/* A directory whose entries fill(arg, &n) makes (a malloc'd array, NULL on ENOMEM) each time
 * it is read from its start, as /proc/self/fd lists the fds open when it is read (its own
 * included). */
struct lx_file *synth_dir_live(struct synth_dirent *(*fill)(int arg, size_t *n), int arg,
			      const struct linux_stat *st);

/* A stat for a synthetic object on mount m. */
void synth_stat(struct linux_stat *st, const struct lx_mount *m, unsigned mode, uint64_t ino,
		int64_t size);

/* statfs of a synthetic filesystem with the given f_type (no blocks, no inodes counted). */
void synth_statfs(struct linux_statfs *st, int64_t type);

/* Read a whole host file into a malloc'd buffer (for /proc passthrough edits). */
int synth_slurp(const char *host_path, char **data, size_t *len);

#endif
