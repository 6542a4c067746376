/* SPDX-License-Identifier: MIT */
/* Linux x86-64 odds and ends: sysinfo, getrandom, iovec, xattr flags, rseq, sched_param. */
#ifndef LXRUN_ABI_LINUX_MISC_H
#define LXRUN_ABI_LINUX_MISC_H

#include <stddef.h>
#include <stdint.h>

struct linux_sysinfo {
	int64_t uptime;	   /* seconds since boot */
	uint64_t loads[3]; /* 1, 5, 15 minute load averages, scaled by 1 << 16 */
	uint64_t totalram; /* sizes are in mem_unit bytes */
	uint64_t freeram;
	uint64_t sharedram;
	uint64_t bufferram;
	uint64_t totalswap;
	uint64_t freeswap;
	uint16_t procs;
	uint16_t pad;
	uint64_t totalhigh;
	uint64_t freehigh;
	uint32_t mem_unit;
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "x86-64 struct sysinfo is 112 bytes");
_Static_assert(offsetof(struct linux_sysinfo, procs) == 80, "sysinfo.procs");
_Static_assert(offsetof(struct linux_sysinfo, totalhigh) == 88, "sysinfo.totalhigh");
_Static_assert(offsetof(struct linux_sysinfo, mem_unit) == 104, "sysinfo.mem_unit");

#define LINUX_SI_LOAD_SHIFT 16

/* getrandom(2) */
#define LINUX_GRND_NONBLOCK 0x0001
#define LINUX_GRND_RANDOM   0x0002
#define LINUX_GRND_INSECURE 0x0004

struct linux_iovec {
	uint64_t iov_base; /* guest address */
	uint64_t iov_len;
};
_Static_assert(sizeof(struct linux_iovec) == 16, "struct iovec is 16 bytes");

#define LINUX_UIO_MAXIOV 1024
/* The most any single read/write transfers: INT_MAX rounded down to a page. */
#define LINUX_MAX_RW_COUNT 0x7ffff000l

/* setxattr(2) flags and limits */
#define LINUX_XATTR_CREATE   0x1
#define LINUX_XATTR_REPLACE  0x2
#define LINUX_XATTR_NAME_MAX 255
#define LINUX_XATTR_SIZE_MAX 65536
#define LINUX_XATTR_LIST_MAX 65536

/* rseq(2): the area is registered by the C library at thread start; 32 bytes, 32-aligned. */
struct linux_rseq {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs; /* guest address of the current critical section descriptor, or 0 */
	uint32_t flags;
	uint32_t node_id;
	uint32_t mm_cid;
	uint32_t end[1]; /* first byte past the 6.x feature set (AT_RSEQ_FEATURE_SIZE = 28) */
} __attribute__((aligned(32)));
_Static_assert(sizeof(struct linux_rseq) == 32, "struct rseq is 32 bytes");
_Static_assert(offsetof(struct linux_rseq, rseq_cs) == 8, "rseq.rseq_cs");
_Static_assert(offsetof(struct linux_rseq, mm_cid) == 24, "rseq.mm_cid");
_Static_assert(offsetof(struct linux_rseq, end) == 28, "rseq feature size");

#define LINUX_RSEQ_FLAG_UNREGISTER	      1
#define LINUX_RSEQ_CPU_ID_UNINITIALIZED	      (-1)
#define LINUX_RSEQ_CPU_ID_REGISTRATION_FAILED (-2)
#define LINUX_RSEQ_ORIG_SIZE		      32

struct linux_sched_param {
	int32_t sched_priority;
};
_Static_assert(sizeof(struct linux_sched_param) == 4, "struct sched_param is 4 bytes");

#endif
