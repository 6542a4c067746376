/* SPDX-License-Identifier: MIT */
/* Helpers shared by the syscall handler files, and the handler prototypes. */
#ifndef LXRUN_TRANSLATOR_SYS_SYS_H
#define LXRUN_TRANSLATOR_SYS_SYS_H

#include <stdint.h>

#include "translator/syscall.h"

#include "translator/vfs/vfs.h"

struct lx_file;

/* The file at guest fd, or NULL. */
struct lx_file *sys_file(long fd);
/* Wrap a new host fd (-1: errno) as a read-write guest file at the lowest free fd; flags:
 * the O_CLOEXEC / O_NONBLOCK the guest asked for. Returns the fd or -errno. */
long sys_install_host_fd(int hfd, unsigned flags);
/* Copy a guest path: length, -EFAULT, -ENAMETOOLONG, or -ENOENT for "". */
long sys_path_in(char *buf, uint64_t guest_path);
/* Copy a guest path and resolve it (vfs_resolve). */
long sys_resolve_user(long dirfd, uint64_t upath, int how, struct lx_path *p);
/* A host path naming p's object for calls without an *at variant. */
const char *sys_host_abs(const struct lx_path *p, char *buf, size_t size);
/* stat with AT_* flags (fstatat semantics) into st. */
long sys_stat_at(long dirfd, uint64_t upath, uint64_t flags, struct linux_stat *st);


/* seccomp (sys_seccomp.c): the filters' verdict on a call of a filtered thread (1: not to be
 * run, *result is its return value; it may not return at all), prctl's PR_GET/SET_SECCOMP, and
 * the filters in the exec state ("seccomp=...", into *chain). */
struct lx_seccomp;
int lx_seccomp_check(struct lx_syscall *sc, long *result);
long lx_seccomp_prctl(struct lx_syscall *sc);
/* The chain as the exec state carries it (";seccomp=..." or ""), in *out, malloc'd to its
 * size: 0 or -ENOMEM. */
int lx_seccomp_export(const struct lx_thread *t, char **out);
int lx_seccomp_import(struct lx_seccomp **chain, const char *state);
/* What /proc/self/status shows of a chain: mode 0 none, 1 strict, 2 filters; their count. */
void lx_seccomp_status(const struct lx_seccomp *s, int *mode, int *filters);

/* Guest SIG_IGN/SIG_DFL mirrored to the host; inherited ignores read back at start. */
void sig_mirror(int sig, uint64_t handler);
void sig_inherit(void);

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
	X(getpgrp) X(rt_sigreturn) X(sigaltstack) X(getresuid) X(getresgid) X(sched_getaffinity)     \
	X(creat) X(openat2) X(getdents64) X(getdents) X(statx) X(chdir) X(fchdir) X(statfs) X(fstatfs)          \
	X(getxattr) X(lgetxattr) X(fgetxattr) X(listxattr) X(llistxattr) X(flistxattr)              \
	X(setxattr) X(lsetxattr) X(fsetxattr) X(removexattr) X(lremovexattr) X(fremovexattr) X(setxattrat) X(getxattrat) X(listxattrat) X(removexattrat) \
	X(mkdir) X(mkdirat) X(mknod) X(mknodat) X(unlink) X(rmdir) X(unlinkat) X(rename)            \
	X(renameat) X(renameat2) X(link) X(linkat) X(symlink) X(symlinkat) X(chmod) X(fchmodat)     \
	X(fchmodat2) X(fchmod) X(chown) X(lchown) X(fchownat) X(fchown) X(utimensat) X(truncate)     \
	X(ftruncate) X(fsync) X(fdatasync) X(sync) X(pipe) X(pipe2) X(poll) X(ppoll) X(select)       \
	X(pselect6) X(sendfile) X(copy_file_range) X(readahead) X(fadvise64) X(fallocate)         \
	X(fork) X(vfork) X(clone) X(clone3) X(execve) X(execveat) X(wait4) X(waitid) X(kill)        \
	X(setpgid) X(getpgid) X(setsid) X(getsid) X(getrusage) X(times) X(prctl) X(seccomp) X(msync)      \
	X(mincore) X(mlock) X(munlock) X(getgroups) X(setgroups) X(setrlimit) X(tgkill) X(tkill) X(setuid) X(setgid)   \
	X(setreuid) X(setregid) X(setresuid) X(setresgid) X(setfsuid) X(setfsgid) X(capget) X(capset) X(rt_sigpending)   \
	X(rt_sigsuspend) X(pause) X(rt_sigtimedwait) X(alarm) X(setitimer) X(getitimer)  \
	X(epoll_create1) X(epoll_create) X(epoll_ctl) X(epoll_wait) X(epoll_pwait) X(epoll_pwait2)  \
	X(eventfd2) X(eventfd) X(timerfd_create) X(timerfd_settime) X(timerfd_gettime) X(signalfd4)  \
	X(signalfd) X(socket) X(socketpair) X(bind) X(connect) X(listen) X(accept4) X(accept)       \
	X(shutdown) X(getsockname) X(getpeername) X(setsockopt) X(getsockopt) X(sendto) X(recvfrom)  \
	X(sendmsg) X(recvmsg) X(sendmmsg) X(recvmmsg)                                               \
	X(shmget) X(shmat) X(shmdt) X(shmctl) X(semget) X(semop) X(semtimedop) X(semctl) X(msgget)  \
	X(msgsnd) X(msgrcv) X(msgctl) X(flock) X(close_range) X(preadv) X(pwritev) X(preadv2)      \
	X(pwritev2) X(sync_file_range) X(syncfs) X(memfd_create) X(splice) X(tee) X(vmsplice)         \
	X(inotify_init) X(inotify_init1) X(inotify_add_watch) X(inotify_rm_watch)      \
	X(timer_create) X(timer_settime) X(timer_gettime) X(timer_getoverrun) X(timer_delete)    \
	X(sched_setscheduler) X(sched_getscheduler) X(sched_setparam) X(sched_getparam)            \
	X(sched_get_priority_max) X(sched_get_priority_min) X(sched_rr_get_interval)                \
	X(sched_setaffinity) X(sched_setattr) X(sched_getattr) X(getpriority) X(setpriority)        \
	X(getcpu) X(personality) X(mlock2) X(mlockall) X(munlockall) X(membarrier) X(pidfd_open)    \
	X(ptrace) X(pidfd_send_signal) X(pidfd_getfd) X(rt_sigqueueinfo) X(rt_tgsigqueueinfo)          \
	X(get_robust_list) X(chroot)                                                                \
	X(vhangup) X(pivot_root) X(mount) X(umount2) X(swapon) X(swapoff) X(reboot)                  \
	X(sethostname) X(setdomainname) X(iopl) X(ioperm) X(init_module) X(finit_module)           \
	X(delete_module) X(kexec_load) X(acct) X(setns) X(syslog) X(settimeofday) X(clock_settime) \
	X(adjtimex) X(clock_adjtime) X(utimes) X(futimesat) X(utime) X(restart_syscall)            \
	X(ioprio_get) X(ioprio_set) X(get_mempolicy) X(set_mempolicy) X(mbind)                      \
	X(process_vm_readv) X(process_vm_writev) X(unshare) X(mq_open) X(mq_unlink)                 \
	X(mq_timedsend) X(mq_timedreceive) X(mq_notify) X(mq_getsetattr) X(quotactl) X(add_key)   \
	X(request_key) X(keyctl) X(perf_event_open) X(fanotify_init) X(bpf) X(open_by_handle_at)    \
	X(migrate_pages) X(move_pages) X(set_mempolicy_home_node) X(futex_waitv) X(futex_wake)      \
	X(futex_wait) X(futex_requeue) X(process_madvise) X(process_mrelease) X(cachestat) X(kcmp)     \
	X(io_setup) X(io_destroy) X(io_submit) X(io_getevents) X(io_pgetevents) X(io_cancel)     \
	X(name_to_handle_at) X(sysfs) X(ustat) X(lsm_list_modules) X(lsm_get_self_attr) X(userfaultfd) \
	X(fanotify_mark) X(fsopen) X(fsconfig) X(fsmount) X(move_mount) X(open_tree)          \
	X(open_tree_attr) X(fspick) X(mount_setattr) X(statmount) X(listmount)                \
	X(mseal) X(remap_file_pages) X(file_getattr) X(file_setattr) X(pkey_mprotect) X(pkey_alloc) \
	X(pkey_free)

#define X(name) LX_SYSCALL(name);
LX_HANDLER_LIST(X)
#undef X

#endif
