/* SPDX-License-Identifier: MIT */
/* Linux x86-64 SysV IPC structures (the 64-bit ipc64 layouts) and flags. */
#ifndef LXRUN_ABI_LINUX_IPC_H
#define LXRUN_ABI_LINUX_IPC_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_IPC_RMID 0
#define LINUX_IPC_SET  1
#define LINUX_IPC_STAT 2
#define LINUX_IPC_64   0x0100

#define LINUX_SHM_RDONLY 010000
#define LINUX_SHM_RND	 020000
#define LINUX_SHM_REMAP	 040000
#define LINUX_SHM_EXEC	 0100000
#define LINUX_SHMLBA	 4096

struct linux_ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint16_t mode;
	uint8_t pad1[2];
	uint16_t seq;
	uint16_t pad2;
	uint64_t unused1, unused2;
};
_Static_assert(sizeof(struct linux_ipc64_perm) == 48, "struct ipc64_perm is 48 bytes");
_Static_assert(offsetof(struct linux_ipc64_perm, mode) == 20, "ipc64_perm.mode");
_Static_assert(offsetof(struct linux_ipc64_perm, seq) == 24, "ipc64_perm.seq");

struct linux_shmid64_ds {
	struct linux_ipc64_perm shm_perm;
	uint64_t shm_segsz;
	int64_t shm_atime, shm_dtime, shm_ctime;
	int32_t shm_cpid, shm_lpid;
	uint64_t shm_nattch;
	uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct linux_shmid64_ds) == 112, "struct shmid64_ds is 112 bytes");
_Static_assert(offsetof(struct linux_shmid64_ds, shm_segsz) == 48, "shmid64_ds.shm_segsz");
_Static_assert(offsetof(struct linux_shmid64_ds, shm_nattch) == 88, "shmid64_ds.shm_nattch");

struct linux_semid64_ds {
	struct linux_ipc64_perm sem_perm;
	int64_t sem_otime;
	uint64_t unused1;
	int64_t sem_ctime;
	uint64_t unused2;
	uint64_t sem_nsems;
	uint64_t unused3, unused4;
};
_Static_assert(sizeof(struct linux_semid64_ds) == 104, "struct semid64_ds is 104 bytes");
_Static_assert(offsetof(struct linux_semid64_ds, sem_nsems) == 80, "semid64_ds.sem_nsems");

struct linux_msqid64_ds {
	struct linux_ipc64_perm msg_perm;
	int64_t msg_stime, msg_rtime, msg_ctime;
	uint64_t msg_cbytes, msg_qnum, msg_qbytes;
	int32_t msg_lspid, msg_lrpid;
	uint64_t unused4, unused5;
};
_Static_assert(sizeof(struct linux_msqid64_ds) == 120, "struct msqid64_ds is 120 bytes");
_Static_assert(offsetof(struct linux_msqid64_ds, msg_qbytes) == 88, "msqid64_ds.msg_qbytes");

struct linux_sembuf {
	uint16_t sem_num;
	int16_t sem_op;
	int16_t sem_flg;
};
_Static_assert(sizeof(struct linux_sembuf) == 6, "struct sembuf is 6 bytes");

#endif
