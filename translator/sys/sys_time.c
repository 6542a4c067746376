/* SPDX-License-Identifier: MIT */
/* Clocks and sleeps: the host kernel's clocks are the guest's. */
#include <sys/syscall.h>
#include <unistd.h>

#include "translator/syscall.h"
#include "translator/sys/sys.h"

/* These take and fill plain structs whose layout is the host's: the kernel checks pointers. */
LX_SYSCALL(clock_gettime)
{
	return lx_host(syscall(SYS_clock_gettime, sc->a[0], sc->a[1]));
}

LX_SYSCALL(clock_getres)
{
	return lx_host(syscall(SYS_clock_getres, sc->a[0], sc->a[1]));
}

LX_SYSCALL(gettimeofday)
{
	return lx_host(syscall(SYS_gettimeofday, sc->a[0], sc->a[1]));
}

LX_SYSCALL(time)
{
	return lx_host(syscall(SYS_time, sc->a[0]));
}

LX_SYSCALL(nanosleep)
{
	return lx_safe(SYS_nanosleep, sc->a[0], sc->a[1]);
}

LX_SYSCALL(clock_nanosleep)
{
	/* The raw syscall (unlike glibc's clock_nanosleep) reports errors as -errno. */
	return lx_safe(SYS_clock_nanosleep, sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}

/*
 * POSIX timers are the host kernel's: guest tids are host tids (SIGEV_THREAD_ID), struct
 * sigevent and itimerspec have the host layout, and the kernel checks the pointers. A timer's
 * signal reaches lxrun's host handler like any other and is queued as the guest's with the
 * kernel's siginfo (SI_TIMER, si_value, si_overrun); SIG_DFL/SIG_IGN act in the kernel.
 * Timers are per process, as on Linux: not inherited by fork, gone at execve.
 */
LX_SYSCALL(timer_create)
{
	return lx_host(syscall(SYS_timer_create, (int)sc->a[0], sc->a[1], sc->a[2]));
}

LX_SYSCALL(timer_settime)
{
	return lx_host(syscall(SYS_timer_settime, (int)sc->a[0], (int)sc->a[1], sc->a[2], sc->a[3]));
}

LX_SYSCALL(timer_gettime)
{
	return lx_host(syscall(SYS_timer_gettime, (int)sc->a[0], sc->a[1]));
}

LX_SYSCALL(timer_getoverrun)
{
	return lx_host(syscall(SYS_timer_getoverrun, (int)sc->a[0]));
}

LX_SYSCALL(timer_delete)
{
	return lx_host(syscall(SYS_timer_delete, (int)sc->a[0]));
}
