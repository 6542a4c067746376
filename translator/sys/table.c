/* SPDX-License-Identifier: MIT */
/* The dispatch table: syscall number -> handler, built from LX_HANDLER_LIST. */
#include "abi/syscalls.h"
#include "translator/sys/sys.h"

const lx_handler lx_handlers[] = {
#define X(name) [LINUX_SYS_##name] = sys_##name,
	LX_HANDLER_LIST(X)
#undef X
};

const unsigned lx_handlers_len = sizeof(lx_handlers) / sizeof(lx_handlers[0]);
