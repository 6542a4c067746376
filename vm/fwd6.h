/* SPDX-License-Identifier: MIT */
/* Localhost forwarding on the host's ::1: a relay to the 127.0.0.1 forward of the same port. */
#ifndef LXRUN_VM_FWD6_H
#define LXRUN_VM_FWD6_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

void vm_fwd6_init(uv_loop_t *loop, void (*log)(const char *fmt, ...));
/* Listen on [::1]:port (TCP or UDP) and relay to 127.0.0.1:port; 0 or a libuv error (the
 * port is taken on ::1, or the host has no IPv6: logged, the IPv4 forward stands alone). */
int vm_fwd6_add(uint16_t port, bool udp);
void vm_fwd6_remove(uint16_t port, bool udp);

#endif
