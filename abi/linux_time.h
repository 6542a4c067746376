/* SPDX-License-Identifier: MIT */
/* Linux x86-64 time structures (64-bit time_t everywhere), clock ids and timer flags. */
#ifndef LXRUN_ABI_LINUX_TIME_H
#define LXRUN_ABI_LINUX_TIME_H

#include <stddef.h>
#include <stdint.h>

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};
_Static_assert(sizeof(struct linux_timespec) == 16, "struct timespec is 16 bytes");

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "struct timeval is 16 bytes");

struct linux_itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};
_Static_assert(sizeof(struct linux_itimerspec) == 32, "struct itimerspec is 32 bytes");
_Static_assert(offsetof(struct linux_itimerspec, it_value) == 16, "itimerspec.it_value");

struct linux_itimerval {
	struct linux_timeval it_interval;
	struct linux_timeval it_value;
};
_Static_assert(sizeof(struct linux_itimerval) == 32, "struct itimerval is 32 bytes");
_Static_assert(offsetof(struct linux_itimerval, it_value) == 16, "itimerval.it_value");

struct linux_timezone {
	int32_t tz_minuteswest;
	int32_t tz_dsttime;
};
_Static_assert(sizeof(struct linux_timezone) == 8, "struct timezone is 8 bytes");

/* times(2): clock_t is a long, in USER_HZ (100) ticks. */
struct linux_tms {
	int64_t tms_utime;
	int64_t tms_stime;
	int64_t tms_cutime;
	int64_t tms_cstime;
};
_Static_assert(sizeof(struct linux_tms) == 32, "struct tms is 32 bytes");

#define LINUX_USER_HZ 100

#define LINUX_CLOCK_REALTIME	       0
#define LINUX_CLOCK_MONOTONIC	       1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID  3
#define LINUX_CLOCK_MONOTONIC_RAW      4
#define LINUX_CLOCK_REALTIME_COARSE    5
#define LINUX_CLOCK_MONOTONIC_COARSE   6
#define LINUX_CLOCK_BOOTTIME	       7
#define LINUX_CLOCK_REALTIME_ALARM     8
#define LINUX_CLOCK_BOOTTIME_ALARM     9
#define LINUX_CLOCK_TAI		       11

#define LINUX_TIMER_ABSTIME 0x01

/* setitimer/getitimer */
#define LINUX_ITIMER_REAL    0
#define LINUX_ITIMER_VIRTUAL 1
#define LINUX_ITIMER_PROF    2

/* timerfd_create/timerfd_settime */
#define LINUX_TFD_TIMER_ABSTIME	      (1 << 0)
#define LINUX_TFD_TIMER_CANCEL_ON_SET (1 << 1)
#define LINUX_TFD_CLOEXEC	      02000000
#define LINUX_TFD_NONBLOCK	      00004000

#endif
