/* SPDX-License-Identifier: MIT */
/* X11 forwarding, host side (used by the VM service). */
#ifndef LXRUN_VM_X11RELAY_H
#define LXRUN_VM_X11RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

/* Listen on 127.0.0.1:PORT (any free port, into *port) for the agent's X11 relay connections:
 * the first byte names the display N, the rest is piped to /tmp/.X11-unix/XN. */
int vm_x11_listen(uv_loop_t *loop, uv_tcp_t *server, uint16_t *port);

/* The host's X displays (sockets /tmp/.X11-unix/XN, N < 256) into out; returns how many. */
int vm_x11_displays(uint8_t *out, int max);

#endif
