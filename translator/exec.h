/* SPDX-License-Identifier: MIT */
/* execve: validate the new image, then re-execute lxrun on it, carrying the guest's state. */
#ifndef LXRUN_TRANSLATOR_EXEC_H
#define LXRUN_TRANSLATOR_EXEC_H

#include <stdint.h>

/* execveat(2) for the guest. Returns a negative errno when the image cannot be run (the old
 * image keeps running, as with Linux); never returns on success. */
long lx_execveat(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, uint64_t flags);

/* The state string given to the re-executed lxrun (--exec-state): rebuild the fd table
 * from it. Returns 0 or a negative errno. */
int lx_exec_restore(const char *state);
/* Close the host fds that stood for the guest's close-on-exec ones across the execve: called
 * once the new program is loaded, just before it runs (exec.c: late_fds). */
void lx_exec_close_late(void);
/* The main stack a new image gets, from RLIMIT_STACK as Linux's stack may grow to it: the
 * limit rounded to pages, at least 256 KiB, at most 4 GiB (an unlimited stack), reserved
 * without commitment. The loader derives the argument space from it as Linux does. */
uint64_t lx_exec_stack_size(void);
/* --exec-state's argument: the state itself, or "@FD" for one too long for an argument (read
 * from the memfd FD, then closed). NULL when it cannot be read. */
const char *lx_exec_state_load(const char *arg);
/* The guest's signal mask carried across its execve (applied to the first thread). */
extern uint64_t lx_exec_sigmask;
/* The seccomp filters the state carried (NULL: none). */
extern struct lx_seccomp *lx_exec_seccomp;

/* The guest's environment on the re-executed lxrun: variables the host's ld.so and libc act
 * on (LD_*, GLIBC_TUNABLES) travel renamed, so that LD_PRELOAD, LD_LIBRARY_PATH or ldd's
 * LD_TRACE_LOADED_OBJECTS reach the guest's loader and not lxrun's. Hide renames envp's
 * entries in place (0 or -ENOMEM); unhide gives the guest's vector back (envp itself when
 * nothing was renamed; NULL on ENOMEM). */
int lx_exec_env_hide(char **envp);
char **lx_exec_env_unhide(char **envp);

#endif
