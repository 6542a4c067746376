/* SPDX-License-Identifier: MIT */
/* File objects backed by a host file descriptor (regular files, dirs, pipes, ttys). */
#ifndef LXRUN_TRANSLATOR_FILE_HOST_H
#define LXRUN_TRANSLATOR_FILE_HOST_H

#include <stdbool.h>

#include "translator/fd.h"

extern const struct lx_file_ops lx_host_file_ops;

/* Wrap host_fd (ownership passes to the file). NULL on ENOMEM. */
struct lx_file *lx_host_file_new(int host_fd, unsigned flags, const char *path);
/* Open the host path (host open flags: the guest's without O_CREAT, with O_CLOEXEC) and wrap
 * the fd with the guest's flags (without O_CLOEXEC, which is the fd table's): 0 or -errno. */
int lx_host_file_open(const char *host, unsigned flags, struct lx_file **out);
/* Open a host path for the guest: nr SYS_openat (a3 host flags, a4 mode) or SYS_openat2 (a3 a
 * struct open_how, a4 its size); the fd or -errno. An open that may wait (a FIFO for its other
 * end) is made with lx_safe, so that a guest signal interrupts it even when it arrives just
 * before the call; one that cannot wait is made even with a signal pending, as on Linux. */
long lx_host_open(long nr, int dirfd, const char *path, long a3, long a4);
/* A host read or write (nr, with fd and then a1..a5) that may wait on a pipe, socket or tty:
 * made with lx_safe (a guest signal interrupts the wait); where what it moves is a regular file
 * or block device (fd, and fd2 unless it is -1), which never waits, it is made even with a
 * signal pending, as on Linux; a pipe or socket with data or room is read or written then too
 * (a second try with RWF_NOWAIT), and a tty with input ready is read. The result or -errno. */
long lx_host_io(long nr, int fd, int fd2, long a1, long a2, long a3, long a4, long a5);
/* Whether the host fd is O_NONBLOCK. */
bool lx_host_nonblocking(int fd);
/* For the second try of a call that lx_safe refused with a signal pending, made so that it
 * cannot wait (RWF_NOWAIT, MSG_DONTWAIT): its result r, or EINTR when it would have waited
 * (EAGAIN) and neither the guest's call (nowait) nor the host fd (O_NONBLOCK) asked not to. */
long lx_host_ready_or_eintr(int fd, long r, bool nowait);
/* Wrap a host fd just opened (a negative one is the host's errno) with the guest's flags
 * (without O_CLOEXEC) and path: 0 or -errno; the fd is closed on failure. */
int lx_host_file_wrap(int hfd, unsigned flags, const char *path, struct lx_file **out);

#endif
