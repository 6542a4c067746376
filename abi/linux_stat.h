/* SPDX-License-Identifier: MIT */
/* Linux x86-64 file metadata layouts: struct stat, statx, statfs, dirent64, and the mode bits. */
#ifndef LXRUN_ABI_LINUX_STAT_H
#define LXRUN_ABI_LINUX_STAT_H

#include <stddef.h>
#include <stdint.h>

/* st_mode file type and permission bits (octal, as in the kernel). */
#define LINUX_S_IFMT   0170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFLNK  0120000
#define LINUX_S_IFREG  0100000
#define LINUX_S_IFBLK  0060000
#define LINUX_S_IFDIR  0040000
#define LINUX_S_IFCHR  0020000
#define LINUX_S_IFIFO  0010000
#define LINUX_S_ISUID  0004000
#define LINUX_S_ISGID  0002000
#define LINUX_S_ISVTX  0001000
#define LINUX_S_IRWXU  00700
#define LINUX_S_IRUSR  00400
#define LINUX_S_IWUSR  00200
#define LINUX_S_IXUSR  00100
#define LINUX_S_IRWXG  00070
#define LINUX_S_IRGRP  00040
#define LINUX_S_IWGRP  00020
#define LINUX_S_IXGRP  00010
#define LINUX_S_IRWXO  00007
#define LINUX_S_IROTH  00004
#define LINUX_S_IWOTH  00002
#define LINUX_S_IXOTH  00001

#define LINUX_S_ISTYPE(m, t) (((m)&LINUX_S_IFMT) == (t))
#define LINUX_S_ISREG(m)     LINUX_S_ISTYPE(m, LINUX_S_IFREG)
#define LINUX_S_ISDIR(m)     LINUX_S_ISTYPE(m, LINUX_S_IFDIR)
#define LINUX_S_ISLNK(m)     LINUX_S_ISTYPE(m, LINUX_S_IFLNK)
#define LINUX_S_ISCHR(m)     LINUX_S_ISTYPE(m, LINUX_S_IFCHR)
#define LINUX_S_ISBLK(m)     LINUX_S_ISTYPE(m, LINUX_S_IFBLK)
#define LINUX_S_ISFIFO(m)    LINUX_S_ISTYPE(m, LINUX_S_IFIFO)
#define LINUX_S_ISSOCK(m)    LINUX_S_ISTYPE(m, LINUX_S_IFSOCK)

/* stat/fstat/lstat/newfstatat.  x86-64 keeps the old layout: st_nlink before st_mode. */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks; /* 512-byte units, whatever st_blksize says */
	uint64_t st_atime_sec;
	uint64_t st_atime_nsec;
	uint64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "x86-64 struct stat is 144 bytes");
_Static_assert(offsetof(struct linux_stat, st_nlink) == 16, "stat.st_nlink");
_Static_assert(offsetof(struct linux_stat, st_mode) == 24, "stat.st_mode");
_Static_assert(offsetof(struct linux_stat, st_uid) == 28, "stat.st_uid");
_Static_assert(offsetof(struct linux_stat, st_rdev) == 40, "stat.st_rdev");
_Static_assert(offsetof(struct linux_stat, st_size) == 48, "stat.st_size");
_Static_assert(offsetof(struct linux_stat, st_blocks) == 64, "stat.st_blocks");
_Static_assert(offsetof(struct linux_stat, st_atime_sec) == 72, "stat.st_atime");
_Static_assert(offsetof(struct linux_stat, st_mtime_sec) == 88, "stat.st_mtime");
_Static_assert(offsetof(struct linux_stat, st_ctime_sec) == 104, "stat.st_ctime");

/* statx(2) */
struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
_Static_assert(sizeof(struct linux_statx_timestamp) == 16, "statx_timestamp is 16 bytes");

struct linux_statx {
	uint32_t stx_mask; /* STATX_* the kernel filled in */
	uint32_t stx_blksize;
	uint64_t stx_attributes; /* STATX_ATTR_* */
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0[1];
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime;
	struct linux_statx_timestamp stx_btime;
	struct linux_statx_timestamp stx_ctime;
	struct linux_statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t stx_subvol;
	uint32_t stx_atomic_write_unit_min;
	uint32_t stx_atomic_write_unit_max;
	uint32_t stx_atomic_write_segments_max;
	uint32_t stx_dio_read_offset_align;
	uint32_t stx_atomic_write_unit_max_opt;
	uint32_t spare2[1];
	uint64_t spare3[8];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");
_Static_assert(offsetof(struct linux_statx, stx_nlink) == 16, "statx.stx_nlink");
_Static_assert(offsetof(struct linux_statx, stx_mode) == 28, "statx.stx_mode");
_Static_assert(offsetof(struct linux_statx, stx_ino) == 32, "statx.stx_ino");
_Static_assert(offsetof(struct linux_statx, stx_atime) == 64, "statx.stx_atime");
_Static_assert(offsetof(struct linux_statx, stx_mtime) == 112, "statx.stx_mtime");
_Static_assert(offsetof(struct linux_statx, stx_rdev_major) == 128, "statx.stx_rdev_major");
_Static_assert(offsetof(struct linux_statx, stx_mnt_id) == 144, "statx.stx_mnt_id");
_Static_assert(offsetof(struct linux_statx, stx_subvol) == 160, "statx.stx_subvol");
_Static_assert(offsetof(struct linux_statx, spare3) == 192, "statx.spare3");

#define LINUX_STATX_TYPE	   0x00000001U
#define LINUX_STATX_MODE	   0x00000002U
#define LINUX_STATX_NLINK	   0x00000004U
#define LINUX_STATX_UID		   0x00000008U
#define LINUX_STATX_GID		   0x00000010U
#define LINUX_STATX_ATIME	   0x00000020U
#define LINUX_STATX_MTIME	   0x00000040U
#define LINUX_STATX_CTIME	   0x00000080U
#define LINUX_STATX_INO		   0x00000100U
#define LINUX_STATX_SIZE	   0x00000200U
#define LINUX_STATX_BLOCKS	   0x00000400U
#define LINUX_STATX_BASIC_STATS	   0x000007ffU
#define LINUX_STATX_BTIME	   0x00000800U
#define LINUX_STATX_MNT_ID	   0x00001000U
#define LINUX_STATX_DIOALIGN	   0x00002000U
#define LINUX_STATX_MNT_ID_UNIQUE  0x00004000U
#define LINUX_STATX_SUBVOL	   0x00008000U
#define LINUX_STATX_WRITE_ATOMIC   0x00010000U
#define LINUX_STATX_DIO_READ_ALIGN 0x00020000U
#define LINUX_STATX__RESERVED	   0x80000000U
#define LINUX_STATX_ALL		   0x00000fffU

#define LINUX_STATX_ATTR_COMPRESSED   0x00000004
#define LINUX_STATX_ATTR_IMMUTABLE    0x00000010
#define LINUX_STATX_ATTR_APPEND	      0x00000020
#define LINUX_STATX_ATTR_NODUMP	      0x00000040
#define LINUX_STATX_ATTR_ENCRYPTED    0x00000800
#define LINUX_STATX_ATTR_AUTOMOUNT    0x00001000
#define LINUX_STATX_ATTR_MOUNT_ROOT   0x00002000
#define LINUX_STATX_ATTR_VERITY	      0x00100000
#define LINUX_STATX_ATTR_DAX	      0x00200000
#define LINUX_STATX_ATTR_WRITE_ATOMIC 0x00400000

/* statfs/fstatfs: every word is a long on x86-64. */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "x86-64 struct statfs is 120 bytes");
_Static_assert(offsetof(struct linux_statfs, f_fsid) == 56, "statfs.f_fsid");
_Static_assert(offsetof(struct linux_statfs, f_namelen) == 64, "statfs.f_namelen");
_Static_assert(offsetof(struct linux_statfs, f_flags) == 80, "statfs.f_flags");

/* getdents64 record header; d_name follows and d_reclen pads each record to 8 bytes. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
_Static_assert(offsetof(struct linux_dirent64, d_reclen) == 16, "dirent64.d_reclen");
_Static_assert(offsetof(struct linux_dirent64, d_type) == 18, "dirent64.d_type");
_Static_assert(offsetof(struct linux_dirent64, d_name) == 19, "dirent64.d_name");

#define LINUX_DT_UNKNOWN 0
#define LINUX_DT_FIFO	 1
#define LINUX_DT_CHR	 2
#define LINUX_DT_DIR	 4
#define LINUX_DT_BLK	 6
#define LINUX_DT_REG	 8
#define LINUX_DT_LNK	 10
#define LINUX_DT_SOCK	 12
#define LINUX_DT_WHT	 14

#endif
