/* SPDX-License-Identifier: MIT */
/* Linux x86-64 resource limits and usage: struct rlimit, struct rusage, RLIMIT_*, RUSAGE_*. */
#ifndef LXRUN_ABI_LINUX_RESOURCE_H
#define LXRUN_ABI_LINUX_RESOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "abi/linux_time.h"

#define LINUX_RLIMIT_CPU	0
#define LINUX_RLIMIT_FSIZE	1
#define LINUX_RLIMIT_DATA	2
#define LINUX_RLIMIT_STACK	3
#define LINUX_RLIMIT_CORE	4
#define LINUX_RLIMIT_RSS	5
#define LINUX_RLIMIT_NPROC	6
#define LINUX_RLIMIT_NOFILE	7
#define LINUX_RLIMIT_MEMLOCK	8
#define LINUX_RLIMIT_AS		9
#define LINUX_RLIMIT_LOCKS	10
#define LINUX_RLIMIT_SIGPENDING 11
#define LINUX_RLIMIT_MSGQUEUE	12
#define LINUX_RLIMIT_NICE	13
#define LINUX_RLIMIT_RTPRIO	14
#define LINUX_RLIMIT_RTTIME	15
#define LINUX_RLIM_NLIMITS	16

#define LINUX_RLIM_INFINITY (~(uint64_t)0)

/* getrlimit/setrlimit and prlimit64 share this layout on x86-64. */
struct linux_rlimit {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};
_Static_assert(sizeof(struct linux_rlimit) == 16, "struct rlimit is 16 bytes");
_Static_assert(offsetof(struct linux_rlimit, rlim_max) == 8, "rlimit.rlim_max");

#define LINUX_RUSAGE_SELF     0
#define LINUX_RUSAGE_CHILDREN (-1)
#define LINUX_RUSAGE_THREAD   1

struct linux_rusage {
	struct linux_timeval ru_utime;
	struct linux_timeval ru_stime;
	int64_t ru_maxrss; /* KiB */
	int64_t ru_ixrss;
	int64_t ru_idrss;
	int64_t ru_isrss;
	int64_t ru_minflt;
	int64_t ru_majflt;
	int64_t ru_nswap;
	int64_t ru_inblock;
	int64_t ru_oublock;
	int64_t ru_msgsnd;
	int64_t ru_msgrcv;
	int64_t ru_nsignals;
	int64_t ru_nvcsw;
	int64_t ru_nivcsw;
};
_Static_assert(sizeof(struct linux_rusage) == 144, "struct rusage is 144 bytes");
_Static_assert(offsetof(struct linux_rusage, ru_stime) == 16, "rusage.ru_stime");
_Static_assert(offsetof(struct linux_rusage, ru_maxrss) == 32, "rusage.ru_maxrss");
_Static_assert(offsetof(struct linux_rusage, ru_minflt) == 64, "rusage.ru_minflt");
_Static_assert(offsetof(struct linux_rusage, ru_nivcsw) == 136, "rusage.ru_nivcsw");

/* getpriority/setpriority */
#define LINUX_PRIO_PROCESS 0
#define LINUX_PRIO_PGRP	   1
#define LINUX_PRIO_USER	   2

#endif
