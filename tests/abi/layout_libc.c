/* SPDX-License-Identifier: MIT */
/* abi/ layouts that glibc exposes unchanged from the kernel, checked against the glibc headers. */
#include "tests/abi/layout_check.h"

#include "abi/linux_fcntl.h"
#include "abi/linux_misc.h"
#include "abi/linux_poll.h"
#include "abi/linux_resource.h"
#include "abi/linux_signal.h"
#include "abi/linux_stat.h"
#include "abi/linux_utsname.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static const struct layout_check checks[] = {
	CHECK_VAL(LINUX_S_IFMT, S_IFMT),
	CHECK_VAL(LINUX_S_IFSOCK, S_IFSOCK),
	CHECK_VAL(LINUX_S_IFLNK, S_IFLNK),
	CHECK_VAL(LINUX_S_IFREG, S_IFREG),
	CHECK_VAL(LINUX_S_IFBLK, S_IFBLK),
	CHECK_VAL(LINUX_S_IFDIR, S_IFDIR),
	CHECK_VAL(LINUX_S_IFCHR, S_IFCHR),
	CHECK_VAL(LINUX_S_IFIFO, S_IFIFO),
	CHECK_VAL(LINUX_S_ISUID, S_ISUID),
	CHECK_VAL(LINUX_S_ISGID, S_ISGID),
	CHECK_VAL(LINUX_S_ISVTX, S_ISVTX),
	CHECK_VAL(LINUX_S_IRWXU, S_IRWXU),
	CHECK_VAL(LINUX_S_IRUSR, S_IRUSR),
	CHECK_VAL(LINUX_S_IWUSR, S_IWUSR),
	CHECK_VAL(LINUX_S_IXUSR, S_IXUSR),
	CHECK_VAL(LINUX_S_IRWXG, S_IRWXG),
	CHECK_VAL(LINUX_S_IRGRP, S_IRGRP),
	CHECK_VAL(LINUX_S_IWGRP, S_IWGRP),
	CHECK_VAL(LINUX_S_IXGRP, S_IXGRP),
	CHECK_VAL(LINUX_S_IRWXO, S_IRWXO),
	CHECK_VAL(LINUX_S_IROTH, S_IROTH),
	CHECK_VAL(LINUX_S_IWOTH, S_IWOTH),
	CHECK_VAL(LINUX_S_IXOTH, S_IXOTH),

	/* glibc's SIGRTMIN/SIGRTMAX are functions; these are the kernel's numbers. */
	CHECK_VAL(LINUX_SIGRTMIN, __SIGRTMIN),
	CHECK_VAL(LINUX_SIGRTMAX, __SIGRTMAX),

	CHECK_SIZE(struct linux_stat, struct stat),
	CHECK_FIELD(struct linux_stat, st_dev, struct stat, st_dev),
	CHECK_FIELD(struct linux_stat, st_ino, struct stat, st_ino),
	CHECK_FIELD(struct linux_stat, st_nlink, struct stat, st_nlink),
	CHECK_FIELD(struct linux_stat, st_mode, struct stat, st_mode),
	CHECK_FIELD(struct linux_stat, st_uid, struct stat, st_uid),
	CHECK_FIELD(struct linux_stat, st_gid, struct stat, st_gid),
	CHECK_FIELD(struct linux_stat, st_rdev, struct stat, st_rdev),
	CHECK_FIELD(struct linux_stat, st_size, struct stat, st_size),
	CHECK_FIELD(struct linux_stat, st_blksize, struct stat, st_blksize),
	CHECK_FIELD(struct linux_stat, st_blocks, struct stat, st_blocks),
	CHECK_OFF(struct linux_stat, st_atime_sec, struct stat, st_atim.tv_sec),
	CHECK_OFF(struct linux_stat, st_atime_nsec, struct stat, st_atim.tv_nsec),
	CHECK_OFF(struct linux_stat, st_mtime_sec, struct stat, st_mtim.tv_sec),
	CHECK_OFF(struct linux_stat, st_ctime_nsec, struct stat, st_ctim.tv_nsec),

	CHECK_SIZE(struct linux_statx, struct statx),
	CHECK_FIELD(struct linux_statx, stx_mask, struct statx, stx_mask),
	CHECK_FIELD(struct linux_statx, stx_mode, struct statx, stx_mode),
	CHECK_FIELD(struct linux_statx, stx_ino, struct statx, stx_ino),
	CHECK_FIELD(struct linux_statx, stx_btime, struct statx, stx_btime),
	CHECK_FIELD(struct linux_statx, stx_dev_minor, struct statx, stx_dev_minor),

	CHECK_SIZE(struct linux_statfs, struct statfs),
	CHECK_FIELD(struct linux_statfs, f_type, struct statfs, f_type),
	CHECK_FIELD(struct linux_statfs, f_fsid, struct statfs, f_fsid),
	CHECK_FIELD(struct linux_statfs, f_namelen, struct statfs, f_namelen),
	CHECK_FIELD(struct linux_statfs, f_flags, struct statfs, f_flags),

	CHECK_FIELD(struct linux_dirent64, d_ino, struct dirent64, d_ino),
	CHECK_FIELD(struct linux_dirent64, d_off, struct dirent64, d_off),
	CHECK_FIELD(struct linux_dirent64, d_reclen, struct dirent64, d_reclen),
	CHECK_FIELD(struct linux_dirent64, d_type, struct dirent64, d_type),
	CHECK_OFF(struct linux_dirent64, d_name, struct dirent64, d_name),
	CHECK_VAL(LINUX_DT_UNKNOWN, DT_UNKNOWN),
	CHECK_VAL(LINUX_DT_FIFO, DT_FIFO),
	CHECK_VAL(LINUX_DT_CHR, DT_CHR),
	CHECK_VAL(LINUX_DT_DIR, DT_DIR),
	CHECK_VAL(LINUX_DT_BLK, DT_BLK),
	CHECK_VAL(LINUX_DT_REG, DT_REG),
	CHECK_VAL(LINUX_DT_LNK, DT_LNK),
	CHECK_VAL(LINUX_DT_SOCK, DT_SOCK),
	CHECK_VAL(LINUX_DT_WHT, DT_WHT),

	CHECK_SIZE(struct linux_flock, struct flock),
	CHECK_FIELD(struct linux_flock, l_start, struct flock, l_start),
	CHECK_FIELD(struct linux_flock, l_pid, struct flock, l_pid),
	CHECK_VAL(LINUX_F_OK, F_OK),
	CHECK_VAL(LINUX_X_OK, X_OK),
	CHECK_VAL(LINUX_W_OK, W_OK),
	CHECK_VAL(LINUX_R_OK, R_OK),

	CHECK_SIZE(struct linux_utsname, struct utsname),
	CHECK_FIELD(struct linux_utsname, sysname, struct utsname, sysname),
	CHECK_FIELD(struct linux_utsname, nodename, struct utsname, nodename),
	CHECK_FIELD(struct linux_utsname, release, struct utsname, release),
	CHECK_FIELD(struct linux_utsname, version, struct utsname, version),
	CHECK_FIELD(struct linux_utsname, machine, struct utsname, machine),
	CHECK_FIELD(struct linux_utsname, domainname, struct utsname, domainname),
	CHECK_SIZE(struct linux_sysinfo, struct sysinfo),
	CHECK_FIELD(struct linux_sysinfo, uptime, struct sysinfo, uptime),
	CHECK_FIELD(struct linux_sysinfo, loads, struct sysinfo, loads),
	CHECK_FIELD(struct linux_sysinfo, totalram, struct sysinfo, totalram),
	CHECK_FIELD(struct linux_sysinfo, procs, struct sysinfo, procs),
	CHECK_FIELD(struct linux_sysinfo, totalhigh, struct sysinfo, totalhigh),
	CHECK_FIELD(struct linux_sysinfo, mem_unit, struct sysinfo, mem_unit),
	CHECK_SIZE(struct linux_sched_param, struct sched_param),
	CHECK_FIELD(struct linux_sched_param, sched_priority, struct sched_param, sched_priority),
	CHECK_SIZE(struct linux_rusage, struct rusage),
	CHECK_FIELD(struct linux_rusage, ru_utime, struct rusage, ru_utime),
	CHECK_FIELD(struct linux_rusage, ru_stime, struct rusage, ru_stime),
	CHECK_FIELD(struct linux_rusage, ru_maxrss, struct rusage, ru_maxrss),
	CHECK_FIELD(struct linux_rusage, ru_minflt, struct rusage, ru_minflt),
	CHECK_FIELD(struct linux_rusage, ru_nivcsw, struct rusage, ru_nivcsw),
	CHECK_SIZE(struct linux_epoll_event, struct epoll_event),
	CHECK_FIELD(struct linux_epoll_event, events, struct epoll_event, events),
	CHECK_FIELD(struct linux_epoll_event, data, struct epoll_event, data),
};

LAYOUT_TABLE(layout_libc, checks)
