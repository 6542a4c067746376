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
