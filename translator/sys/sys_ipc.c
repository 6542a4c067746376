/* SPDX-License-Identifier: MIT */
/* SysV IPC: shared memory, semaphores and message queues, served by the host kernel. */
/*
 * Guest processes are host processes, so the host's IPC namespace already is the key space
 * Linux shares between them: every call goes to the host as it is (the x86-64 structures are
 * the host's, asserted below; the kernel checks the guest's pointers). What lxrun adds: shmat
 * and shmdt keep the guest's VMA list in step, an attach address may never cover lxrun's own
 * memory, and the blocking calls go through lx_safe so that guest signals interrupt them
 * (Linux never restarts them: signal_guest.c's restartable()).
 */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_ipc.h"
#include "abi/linux_mman.h"
#include "translator/mm.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"

_Static_assert(sizeof(struct shmid_ds) == sizeof(struct linux_shmid64_ds), "shmid_ds layout");
_Static_assert(offsetof(struct shmid_ds, shm_segsz) == offsetof(struct linux_shmid64_ds, shm_segsz),
	       "shmid_ds.shm_segsz");
_Static_assert(offsetof(struct shmid_ds, shm_nattch) == offsetof(struct linux_shmid64_ds, shm_nattch),
	       "shmid_ds.shm_nattch");
_Static_assert(sizeof(struct semid_ds) == sizeof(struct linux_semid64_ds), "semid_ds layout");
_Static_assert(offsetof(struct semid_ds, sem_nsems) == offsetof(struct linux_semid64_ds, sem_nsems),
	       "semid_ds.sem_nsems");
_Static_assert(sizeof(struct msqid_ds) == sizeof(struct linux_msqid64_ds), "msqid_ds layout");
_Static_assert(offsetof(struct msqid_ds, msg_qbytes) == offsetof(struct linux_msqid64_ds, msg_qbytes),
	       "msqid_ds.msg_qbytes");
_Static_assert(sizeof(struct sembuf) == sizeof(struct linux_sembuf), "sembuf layout");
_Static_assert(IPC_STAT == LINUX_IPC_STAT && SHM_RDONLY == LINUX_SHM_RDONLY &&
		       SHM_RND == LINUX_SHM_RND && SHM_REMAP == LINUX_SHM_REMAP &&
		       SHM_EXEC == LINUX_SHM_EXEC,
	       "SysV IPC flags are the host's");

#define PAGE 4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

/* How Linux shows an attached segment in /proc/PID/maps: device 00:01 of the internal shm
 * mount, the shmid as inode, and the name of its unlinked file. */
#define SHM_DEV 1
#define SHM_NAME_PREFIX "/SYSV"

LX_SYSCALL(shmget)
{
	return lx_host(syscall(SYS_shmget, (key_t)sc->a[0], (size_t)sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(shmctl)
{
	return lx_host(syscall(SYS_shmctl, (int)sc->a[0], (int)sc->a[1], sc->a[2]));
}

LX_SYSCALL(shmat)
{
	int id = (int)sc->a[0], flg = (int)sc->a[2];
	uint64_t addr = sc->a[1];
	struct linux_shmid64_ds ds;
	/* The segment's size, for the VMA list and the address check. Reading it needs the
	 * read permission every attach needs too, so its errors are shmat's own. */
	long r = lx_host(syscall(SYS_shmctl, id, IPC_STAT, &ds));
	if (r < 0)
		return r;
	uint64_t len = PAGE_UP(ds.shm_segsz);
	uint64_t at = addr;
	if (at & (LINUX_SHMLBA - 1)) {
		if (!(flg & LINUX_SHM_RND))
			return -LINUX_EINVAL;
		at &= ~(uint64_t)(LINUX_SHMLBA - 1);
	}
	mm_lock();
	if (at && (at + len < at || mm_fixed_allowed(at, len) != 1)) {
		/* lxrun's own memory is there: for the guest the range is in use. */
		mm_unlock();
		return -LINUX_EINVAL;
	}
	r = lx_host(syscall(SYS_shmat, id, addr, flg));
	if (r >= 0) {
		unsigned prot = LINUX_PROT_READ;
		if (!(flg & LINUX_SHM_RDONLY))
			prot |= LINUX_PROT_WRITE;
		if (flg & LINUX_SHM_EXEC)
			prot |= LINUX_PROT_EXEC;
		char name[64];
		snprintf(name, sizeof(name), SHM_NAME_PREFIX "%08x (deleted)", (unsigned)ds.shm_perm.key);
		mm_map((uint64_t)r, len, prot, LX_VMA_SHARED, 0, SHM_DEV, (uint64_t)(unsigned)id, name);
	}
	mm_unlock();
	return r;
}

static int is_shm_vma(const struct lx_vma *v)
{
	return v->dev == SHM_DEV && v->name && !strncmp(v->name, SHM_NAME_PREFIX, 5);
}

/* Linux detaches the segment whose attachment starts exactly at addr; anything else (and
 * memory that is not the guest's) is EINVAL. */
LX_SYSCALL(shmdt)
{
	uint64_t addr = sc->a[0];
	if (addr & (PAGE - 1))
		return -LINUX_EINVAL;
	mm_lock();
	const struct lx_vma *v = mm_find(addr);
	if (!v || v->start != addr || !is_shm_vma(v)) {
		mm_unlock();
		return -LINUX_EINVAL;
	}
	long r = lx_host(syscall(SYS_shmdt, addr));
	if (r == 0) {
		/* The attachment may have been split (mprotect): forget every piece of it, that
		 * is the pieces whose offsets continue it (another attachment of the same
		 * segment right above starts again at offset 0). */
		uint64_t ino = v->ino, end = v->end;
		size_t n;
		const struct lx_vma *all = mm_list(&n);
		for (size_t i = 0; i < n; i++)
			if (all[i].start == end && is_shm_vma(&all[i]) && all[i].ino == ino &&
			    all[i].offset == end - addr)
				end = all[i].end;
		mm_unmap(addr, end - addr);
	}
	mm_unlock();
	return r;
}

LX_SYSCALL(semget)
{
	return lx_host(syscall(SYS_semget, (key_t)sc->a[0], (int)sc->a[1], (int)sc->a[2]));
}

LX_SYSCALL(semctl)
{
	/* The fourth argument is union semun passed by value: a number or a pointer. */
	return lx_host(syscall(SYS_semctl, (int)sc->a[0], (int)sc->a[1], (int)sc->a[2], sc->a[3]));
}

LX_SYSCALL(semop)
{
	return lx_safe(SYS_semop, (int)sc->a[0], sc->a[1], (size_t)sc->a[2]);
}

LX_SYSCALL(semtimedop)
{
	return lx_safe(SYS_semtimedop, (int)sc->a[0], sc->a[1], (size_t)sc->a[2], sc->a[3]);
}

LX_SYSCALL(msgget)
{
	return lx_host(syscall(SYS_msgget, (key_t)sc->a[0], (int)sc->a[1]));
}

LX_SYSCALL(msgctl)
{
	return lx_host(syscall(SYS_msgctl, (int)sc->a[0], (int)sc->a[1], sc->a[2]));
}

LX_SYSCALL(msgsnd)
{
	return lx_safe(SYS_msgsnd, (int)sc->a[0], sc->a[1], sc->a[2], (int)sc->a[3]);
}

LX_SYSCALL(msgrcv)
{
	return lx_safe(SYS_msgrcv, (int)sc->a[0], sc->a[1], sc->a[2], (long)sc->a[3], (int)sc->a[4]);
}
