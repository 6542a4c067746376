/* SPDX-License-Identifier: MIT */
/* X11 forwarding, host side (used by the VM service). */
#ifndef LXRUN_VM_X11RELAY_H
#define LXRUN_VM_X11RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define VM_X11_TOKEN 16 /* bytes of the secret a relay connection starts with */

/* Listen on 127.0.0.1:PORT (any free port, into *port) for the agent's X11 relay connections:
 * they start with `token` (VM_X11_TOKEN bytes, kept by the caller) and the display number N;
 * the rest is piped to /tmp/.X11-unix/XN. Connections without the token are closed.
 * server->data is the relay's. */
int vm_x11_listen(uv_loop_t *loop, uv_tcp_t *server, uint16_t *port, const uint8_t *token,
		  void (*log)(const char *fmt, ...));

/* The host's X displays (sockets /tmp/.X11-unix/XN, N < 256) into out; returns how many. */
int vm_x11_displays(uint8_t *out, int max);

#endif
