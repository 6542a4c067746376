/* SPDX-License-Identifier: MIT */
/* Helpers shared by the syscall handler files, and the handler prototypes. */
#ifndef LXRUN_TRANSLATOR_SYS_SYS_H
#define LXRUN_TRANSLATOR_SYS_SYS_H

#include <stdint.h>

#include "translator/syscall.h"

#define LX_PATH_MAX 4096

struct lx_file;

/* The file at guest fd, or NULL. */
struct lx_file *sys_file(long fd);
/* Copy a guest path: length, -EFAULT, -ENAMETOOLONG, or -ENOENT for "". */
long sys_path_in(char *buf, uint64_t guest_path);
/* Host directory fd for a guest dirfd (AT_FDCWD passes through). */
long sys_host_dirfd(long dirfd, int *out);

/* Prototypes of every handler: X(name) for each implemented syscall. */
#define LX_HANDLER_LIST(X)                                                                          \
	X(read) X(write) X(open) X(close) X(stat) X(fstat) X(lstat) X(lseek) X(mmap) X(mprotect)    \
	X(munmap) X(brk) X(rt_sigaction) X(rt_sigprocmask) X(ioctl) X(pread64) X(pwrite64)          \
	X(readv) X(writev) X(access) X(mremap) X(madvise) X(dup) X(dup2) X(nanosleep) X(getpid)    \
	X(exit) X(uname) X(fcntl) X(getcwd) X(readlink) X(gettimeofday) X(getrlimit) X(sysinfo)    \
	X(getuid) X(getgid) X(geteuid) X(getegid) X(getppid) X(arch_prctl) X(gettid) X(time)       \
	X(futex) X(set_tid_address) X(clock_gettime) X(clock_getres) X(clock_nanosleep)           \
	X(exit_group) X(openat) X(newfstatat) X(readlinkat) X(faccessat) X(set_robust_list)       \
	X(dup3) X(prlimit64) X(getrandom) X(rseq) X(faccessat2) X(sched_yield) X(umask)            \
	X(getpgrp) X(rt_sigreturn) X(sigaltstack) X(getresuid) X(getresgid) X(sched_getaffinity)

#define X(name) LX_SYSCALL(name);
LX_HANDLER_LIST(X)
#undef X

#endif
