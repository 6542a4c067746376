/* SPDX-License-Identifier: MIT */
/* Host interop, host side: the VM service runs the host programs that guest programs ask for
 * with lxrun-host (VM_MSG_HOSTEXEC), and relays their stdio over the control channel. */
#ifndef LXRUN_VM_INTEROP_H
#define LXRUN_VM_INTEROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "vm/proto.h"

/* send: one frame onto the control channel; log: the service's diary. */
typedef void (*vm_interop_send_fn)(uint8_t type, uint32_t sid, const void *p, size_t n);
void vm_interop_init(uv_loop_t *loop, bool enabled, vm_interop_send_fn send,
		     void (*log)(const char *fmt, ...));
/* A client's EXEC went to the guest: remember its environment and its process (whose working
 * directory is the fallback) for the host programs its command asks for. */
void vm_interop_client_exec(uint32_t sid, int client_fd, const uint8_t *p, size_t n);
void vm_interop_client_gone(uint32_t sid);
/* A frame of a host session (VM_HOST_SID) from the agent. */
void vm_interop_frame(const struct vm_frame_hdr *h, const uint8_t *p);
/* The service reaped pid: true when it was a host program of ours. */
bool vm_interop_reaped(pid_t pid, int status);
/* The VM is gone: kill the host programs and close their pipes. */
void vm_interop_stop(void);
/* How many host programs run now. */
int vm_interop_running(void);

#endif
