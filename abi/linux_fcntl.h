/* SPDX-License-Identifier: MIT */
/* Linux x86-64 open/fcntl/AT_* flags, struct flock and struct open_how (openat2). */
#ifndef LXRUN_ABI_LINUX_FCNTL_H
#define LXRUN_ABI_LINUX_FCNTL_H

#include <stddef.h>
#include <stdint.h>

/* open(2) flags, octal like the kernel's table so the bit positions are easy to check. */
#define LINUX_O_ACCMODE	 00000003
#define LINUX_O_RDONLY	 00000000
#define LINUX_O_WRONLY	 00000001
#define LINUX_O_RDWR	 00000002
#define LINUX_O_CREAT	 00000100
#define LINUX_O_EXCL	 00000200
#define LINUX_O_NOCTTY	 00000400
#define LINUX_O_TRUNC	 00001000
#define LINUX_O_APPEND	 00002000
#define LINUX_O_NONBLOCK 00004000
#define LINUX_O_NDELAY	 LINUX_O_NONBLOCK
#define LINUX_O_DSYNC	 00010000
#define LINUX_FASYNC	 00020000
#define LINUX_O_ASYNC	 LINUX_FASYNC
#define LINUX_O_DIRECT	 00040000
/* The kernel sets O_LARGEFILE on every 64-bit open, so F_GETFL reports it. */
#define LINUX_O_LARGEFILE 00100000
#define LINUX_O_DIRECTORY 00200000
#define LINUX_O_NOFOLLOW  00400000
#define LINUX_O_NOATIME	  01000000
#define LINUX_O_CLOEXEC	  02000000
#define LINUX___O_SYNC	  04000000
#define LINUX_O_SYNC	  (LINUX___O_SYNC | LINUX_O_DSYNC)
#define LINUX_O_PATH	  010000000
#define LINUX___O_TMPFILE 020000000
/* O_TMPFILE carries O_DIRECTORY so old kernels fail it with EISDIR instead of creating a file. */
#define LINUX_O_TMPFILE (LINUX___O_TMPFILE | LINUX_O_DIRECTORY)

/* fcntl(2) commands. */
#define LINUX_F_DUPFD		    0
#define LINUX_F_GETFD		    1
#define LINUX_F_SETFD		    2
#define LINUX_F_GETFL		    3
#define LINUX_F_SETFL		    4
#define LINUX_F_GETLK		    5
#define LINUX_F_SETLK		    6
#define LINUX_F_SETLKW		    7
#define LINUX_F_SETOWN		    8
#define LINUX_F_GETOWN		    9
#define LINUX_F_SETSIG		    10
#define LINUX_F_GETSIG		    11
#define LINUX_F_SETOWN_EX	    15
#define LINUX_F_GETOWN_EX	    16
#define LINUX_F_GETOWNER_UIDS	    17
#define LINUX_F_OFD_GETLK	    36
#define LINUX_F_OFD_SETLK	    37
#define LINUX_F_OFD_SETLKW	    38
#define LINUX_F_LINUX_SPECIFIC_BASE 1024
#define LINUX_F_SETLEASE	    (LINUX_F_LINUX_SPECIFIC_BASE + 0)
#define LINUX_F_GETLEASE	    (LINUX_F_LINUX_SPECIFIC_BASE + 1)
#define LINUX_F_NOTIFY		    (LINUX_F_LINUX_SPECIFIC_BASE + 2)
#define LINUX_F_DUPFD_QUERY	    (LINUX_F_LINUX_SPECIFIC_BASE + 3)
#define LINUX_F_CREATED_QUERY	    (LINUX_F_LINUX_SPECIFIC_BASE + 4)
#define LINUX_F_CANCELLK	    (LINUX_F_LINUX_SPECIFIC_BASE + 5)
#define LINUX_F_DUPFD_CLOEXEC	    (LINUX_F_LINUX_SPECIFIC_BASE + 6)
#define LINUX_F_SETPIPE_SZ	    (LINUX_F_LINUX_SPECIFIC_BASE + 7)
#define LINUX_F_GETPIPE_SZ	    (LINUX_F_LINUX_SPECIFIC_BASE + 8)
#define LINUX_F_ADD_SEALS	    (LINUX_F_LINUX_SPECIFIC_BASE + 9)
#define LINUX_F_GET_SEALS	    (LINUX_F_LINUX_SPECIFIC_BASE + 10)
#define LINUX_F_GET_RW_HINT	    (LINUX_F_LINUX_SPECIFIC_BASE + 11)
#define LINUX_F_SET_RW_HINT	    (LINUX_F_LINUX_SPECIFIC_BASE + 12)
#define LINUX_F_GET_FILE_RW_HINT    (LINUX_F_LINUX_SPECIFIC_BASE + 13)
#define LINUX_F_SET_FILE_RW_HINT    (LINUX_F_LINUX_SPECIFIC_BASE + 14)

#define LINUX_FD_CLOEXEC 1

#define LINUX_F_OWNER_TID  0
#define LINUX_F_OWNER_PID  1
#define LINUX_F_OWNER_PGRP 2

#define LINUX_F_SEAL_SEAL	  0x0001
#define LINUX_F_SEAL_SHRINK	  0x0002
#define LINUX_F_SEAL_GROW	  0x0004
#define LINUX_F_SEAL_WRITE	  0x0008
#define LINUX_F_SEAL_FUTURE_WRITE 0x0010
#define LINUX_F_SEAL_EXEC	  0x0020

/* struct flock l_type */
#define LINUX_F_RDLCK 0
#define LINUX_F_WRLCK 1
#define LINUX_F_UNLCK 2

/* flock(2) */
#define LINUX_LOCK_SH 1
#define LINUX_LOCK_EX 2
#define LINUX_LOCK_NB 4
#define LINUX_LOCK_UN 8

/* *at() dirfd and flags.  AT_EACCESS and AT_REMOVEDIR share a bit: they belong to different calls.
 */
#define LINUX_AT_FDCWD		    (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW   0x100
#define LINUX_AT_EACCESS	    0x200
#define LINUX_AT_REMOVEDIR	    0x200
#define LINUX_AT_SYMLINK_FOLLOW	    0x400
#define LINUX_AT_NO_AUTOMOUNT	    0x800
#define LINUX_AT_EMPTY_PATH	    0x1000
#define LINUX_AT_STATX_SYNC_TYPE    0x6000
#define LINUX_AT_STATX_SYNC_AS_STAT 0x0000
#define LINUX_AT_STATX_FORCE_SYNC   0x2000
#define LINUX_AT_STATX_DONT_SYNC    0x4000
#define LINUX_AT_RECURSIVE	    0x8000

/* renameat2(2) */
#define LINUX_RENAME_NOREPLACE (1 << 0)
#define LINUX_RENAME_EXCHANGE  (1 << 1)
#define LINUX_RENAME_WHITEOUT  (1 << 2)

/* lseek(2) */
#define LINUX_SEEK_SET	0
#define LINUX_SEEK_CUR	1
#define LINUX_SEEK_END	2
#define LINUX_SEEK_DATA 3
#define LINUX_SEEK_HOLE 4

/* access(2) modes */
#define LINUX_F_OK 0
#define LINUX_X_OK 1
#define LINUX_W_OK 2
#define LINUX_R_OK 4

/* F_GETLK/F_SETLK argument; on x86-64 there is no separate flock64. */
struct linux_flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};
_Static_assert(sizeof(struct linux_flock) == 32, "struct flock is 32 bytes");
_Static_assert(offsetof(struct linux_flock, l_start) == 8, "flock.l_start");
_Static_assert(offsetof(struct linux_flock, l_len) == 16, "flock.l_len");
_Static_assert(offsetof(struct linux_flock, l_pid) == 24, "flock.l_pid");

/* openat2(2): extensible, the caller passes its sizeof; unknown trailing bytes must be zero. */
struct linux_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
_Static_assert(sizeof(struct linux_open_how) == 24, "struct open_how (OPEN_HOW_SIZE_VER0)");
_Static_assert(offsetof(struct linux_open_how, resolve) == 16, "open_how.resolve");

#define LINUX_RESOLVE_NO_XDEV	    0x01
#define LINUX_RESOLVE_NO_MAGICLINKS 0x02
#define LINUX_RESOLVE_NO_SYMLINKS   0x04
#define LINUX_RESOLVE_BENEATH	    0x08
#define LINUX_RESOLVE_IN_ROOT	    0x10
#define LINUX_RESOLVE_CACHED	    0x20

/* preadv2/pwritev2 flags */
#define LINUX_RWF_HIPRI	 0x01u
#define LINUX_RWF_DSYNC	 0x02u
#define LINUX_RWF_SYNC	 0x04u
#define LINUX_RWF_NOWAIT 0x08u
#define LINUX_RWF_APPEND 0x10u

/* close_range flags */
#define LINUX_CLOSE_RANGE_UNSHARE (1u << 1)
#define LINUX_CLOSE_RANGE_CLOEXEC (1u << 2)

/* sync_file_range flags */
#define LINUX_SYNC_FILE_RANGE_ALL 0x7u

#endif
