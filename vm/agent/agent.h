/* SPDX-License-Identifier: MIT */
/* Internal interface of the in-guest agent (PID 1): boot steps and the session server. */
#ifndef LXRUN_VM_AGENT_AGENT_H
#define LXRUN_VM_AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Logging goes to /dev/console, which QEMU writes to the console log on the host. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Value of lxrun.KEY= on the kernel command line (static storage), or NULL. */
const char *agent_param(const char *key);

/* Mount everything and switch into the guest root; 0 or a negative errno. */
int agent_boot(void);

/* Make the host directory `path` visible read-write at the same guest path, taken from the
 * share `share` (enum vm_share); a no-op when it already is. 1 when another share is bound
 * there already: the command's child then calls agent_bind_cwd_private. */
int agent_bind_cwd(const char *path, unsigned int share);
int agent_bind_cwd_private(const char *path, unsigned int share);

/* Open the host file `path` read-only through the share `share` at `off`; fd or -errno. */
int agent_open_shared(const char *path, unsigned int share, uint64_t off);

/* Serve the control channel until power-off is asked; never returns on success. */
int agent_serve(void);

/* Bring lo up; with lxrun.net= also the user-mode network's interface, default route and
 * ROOT/etc/resolv.conf. Problems are logged, never fatal. */
void agent_net_setup(const char *root);

/* Listening TCP ports: where the host can forward to (wildcard or the guest's address), and
 * those on a loopback address only; UDP servers on the wildcard or the guest's address. */
#define AGENT_MAX_PORTS 256
struct agent_ports {
	uint16_t reach[AGENT_MAX_PORTS], loop[AGENT_MAX_PORTS], udp[AGENT_MAX_PORTS];
	bool loop_v6[AGENT_MAX_PORTS];
	int nreach, nloop, nudp;
};
void agent_listen_ports(struct agent_ports *p);

/* Relays (relay.c): 10.0.2.15:P -> loopback:P for the loopback-only listeners `ports`, and
 * the abstract X11 sockets of `displays` -> the host's X11 relay `port` (0: none), each
 * connection opened with `token` and the display number. */
struct pollfd;
void agent_relay_loopback(const uint16_t *ports, const bool *v6, int n);
#define AGENT_X11_TOKEN 16 /* the host relay wants these bytes first (VM_MSG_X11) */
void agent_relay_x11(uint16_t port, const uint8_t *token, const uint8_t *displays, int n);
/* Poll entries of the relays into pfds (at most max); then agent_relay_run with the same. */
int agent_relay_fill(struct pollfd *pfds, int max);
void agent_relay_run(const struct pollfd *pfds, int n);

/* The control channel (session.c): one frame out (0 or -errno), and the guest command whose
 * session a process belongs to (its own or an ancestor's; 0: none, e.g. an orphaned daemon). */
int agent_send_frame(uint8_t type, uint32_t sid, const void *p, size_t n);
uint32_t agent_session_of(int pid);

/* Host interop (interop.c): ROOT/usr/local/bin/lxrun-host is this binary (a bind mount of
 * /init, made before the switch to ROOT); guest programs that run it connect to the agent's
 * abstract socket, and their requests go to the host as host sessions (VM_HOST_SID). */
#define AGENT_INTEROP_SOCK "lxrun/interop" /* abstract: sun_path[0] is NUL */
#define AGENT_HOSTCMD	   "/usr/local/bin/lxrun-host"
void agent_interop_install(const char *root);
int agent_interop_fill(struct pollfd *pfds, int max);
void agent_interop_run(const struct pollfd *pfds, int n);
void agent_interop_frame(uint8_t type, uint32_t sid, const uint8_t *p, size_t n);
void agent_interop_reset(void); /* the host went away */
/* lxrun-host itself (hostcmd.c): main when the binary is run under that name. */
int agent_hostcmd(int argc, char **argv);

/* Sync the disks and power the VM off. */
void agent_poweroff(void) __attribute__((noreturn));

#endif
