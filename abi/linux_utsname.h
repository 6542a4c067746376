/* SPDX-License-Identifier: MIT */
/* Linux struct utsname as uname(2) fills it (the "new" utsname: six 65-byte fields). */
#ifndef LXRUN_ABI_LINUX_UTSNAME_H
#define LXRUN_ABI_LINUX_UTSNAME_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_UTS_LEN 64 /* without the NUL */

struct linux_utsname {
	char sysname[LINUX_UTS_LEN + 1];
	char nodename[LINUX_UTS_LEN + 1];
	char release[LINUX_UTS_LEN + 1];
	char version[LINUX_UTS_LEN + 1];
	char machine[LINUX_UTS_LEN + 1];
	char domainname[LINUX_UTS_LEN + 1];
};
_Static_assert(sizeof(struct linux_utsname) == 390, "struct new_utsname is 390 bytes");
_Static_assert(offsetof(struct linux_utsname, machine) == 260, "utsname.machine");
_Static_assert(offsetof(struct linux_utsname, domainname) == 325, "utsname.domainname");

#endif
