/* SPDX-License-Identifier: MIT */
/* Linux file metadata kept in extended attributes (WSL1's way) when lxrun runs a distro as a
 * normal user: owner, mode and device numbers the host would refuse to set are recorded as
 * user.lxrun.{uid,gid,mode,rdev} on the host file and reported by stat. */
#ifndef LXRUN_TRANSLATOR_META_H
#define LXRUN_TRANSLATOR_META_H

#include <stdint.h>

#include "abi/linux_stat.h"

/* On in a distro (lxrun -d) when lxrun's euid is not 0; run.c decides. */
extern int lx_meta_on;

/* Overlay the recorded metadata on a host stat of (hdir, hname) / of an fd. */
void meta_stat_at(int hdir, const char *hname, int nofollow, struct linux_stat *st);
void meta_stat_fd(int fd, struct linux_stat *st);
/* The same for a statx result. */
void meta_statx_at(int hdir, const char *hname, int nofollow, struct linux_statx *x);
void meta_statx_fd(int fd, struct linux_statx *x);

/* chown: record the owner ((uint32_t)-1 leaves one unchanged). 0 or -errno. */
long meta_chown_at(int hdir, const char *hname, int nofollow, uint32_t uid, uint32_t gid);
long meta_chown_fd(int fd, uint32_t uid, uint32_t gid);
/* After a successful host chmod: keep a recorded mode's permission bits in step. */
void meta_chmod_at(int hdir, const char *hname, int nofollow, unsigned mode);
void meta_chmod_fd(int fd, unsigned mode);
/* mknod of a character or block device: a regular file that stat reports as the device. */
long meta_mknod_at(int hdir, const char *hname, unsigned mode, uint64_t dev);

#endif
