/* SPDX-License-Identifier: MIT */
/* File objects backed by a host file descriptor (regular files, dirs, pipes, ttys). */
#ifndef LXRUN_TRANSLATOR_FILE_HOST_H
#define LXRUN_TRANSLATOR_FILE_HOST_H

#include "translator/fd.h"

extern const struct lx_file_ops lx_host_file_ops;

/* Wrap host_fd (ownership passes to the file). NULL on ENOMEM. */
struct lx_file *lx_host_file_new(int host_fd, unsigned flags, const char *path);

#endif
