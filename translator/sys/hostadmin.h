/* SPDX-License-Identifier: MIT */
/* The host-admin model (sys_hostadmin.c): root's administrative calls passed to the host when
 * lxrun runs as host root without --root or --contain. */
#ifndef LXRUN_TRANSLATOR_SYS_HOSTADMIN_H
#define LXRUN_TRANSLATOR_SYS_HOSTADMIN_H

#include <stddef.h>
#include <stdint.h>

struct lx_syscall;
struct lx_file;

/* 1 in the host-admin model, 0 in the container model; set once by lx_hostadmin_init. */
extern int lx_host_admin;
/* --contain was given (re-executions for a guest execve pass it on). */
extern int lx_contain;
/* Decide the model (after vfs_init): host-admin when euid is 0, the guest's / is the host's
 * and contain (--contain) is not set. */
void lx_hostadmin_init(int contain);

/* mount(2) with the type string already read (NULL for none), umount2(2) after its flags
 * were checked: host-admin mode only. */
long lx_hostadmin_mount(struct lx_syscall *sc, const char *type);
long lx_hostadmin_umount2(struct lx_syscall *sc);

/* acct(2) on the translated path (NULL: off): host-admin mode only. */
long lx_hostadmin_acct(struct lx_syscall *sc);

/* add_key, request_key, keyctl (nr: the host's SYS_ number): host-admin mode only. */
long lx_hostadmin_keys(struct lx_syscall *sc, long nr);

/* Host-admin mode: does synthetic path p (procfs's /sys/..., a devfs device node) stand for
 * a host object whose permissions are the host's? 1 with its host path in buf, else 0. */
struct lx_path;
int lx_hostadmin_host_node(const struct lx_path *p, char *buf, size_t size);

/* ioctl requests outside the groups sys_file.c serves itself. Returns 1 with the result in
 * *ret when it handled cmd, 0 when it did not (the caller's ENOTTY then stands). */
int lx_hostadmin_ioctl(struct lx_file *f, unsigned cmd, uint64_t arg, long *ret);

/* A host fd inherited across execve, wrapped as a guest file (exec.c): a fanotify fd gets its
 * event translation back (sys_fsadmin.c). */
void lx_fsadmin_inherited(struct lx_file *f);

#endif
