/* SPDX-License-Identifier: MIT */
/* File objects backed by a host file descriptor (regular files, dirs, pipes, ttys). */
#ifndef LXRUN_TRANSLATOR_FILE_HOST_H
#define LXRUN_TRANSLATOR_FILE_HOST_H

#include "translator/fd.h"

extern const struct lx_file_ops lx_host_file_ops;

/* Wrap host_fd (ownership passes to the file). NULL on ENOMEM. */
struct lx_file *lx_host_file_new(int host_fd, unsigned flags, const char *path);
/* Open the host path (host open flags: the guest's without O_CREAT, with O_CLOEXEC) and wrap
 * the fd with the guest's flags (without O_CLOEXEC, which is the fd table's): 0 or -errno. */
int lx_host_file_open(const char *host, unsigned flags, struct lx_file **out);
/* Wrap a host fd just opened (a negative one is the host's errno) with the guest's flags
 * (without O_CLOEXEC) and path: 0 or -errno; the fd is closed on failure. */
int lx_host_file_wrap(int hfd, unsigned flags, const char *path, struct lx_file **out);

#endif
