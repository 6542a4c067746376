/* SPDX-License-Identifier: MIT */
/* Translate mode's loader mapper (host mmap + guest VMA list). */
#ifndef LXRUN_TRANSLATOR_MAPPER_H
#define LXRUN_TRANSLATOR_MAPPER_H

#include <stddef.h>

#include "loader/loader.h"

const struct loader_mapper *lx_translate_mapper(void);
/* Record the host's vDSO and vvar pages as guest mappings. */
void mapper_record_vdso(void);
/* Guest path of a host fd, for /proc/self/maps names ("" if unknown). */
void mapper_fd_name(int fd, char *buf, size_t size);

#endif
