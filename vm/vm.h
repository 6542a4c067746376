/* SPDX-License-Identifier: MIT */
/* VM mode's public interface for the lxrun front end: configuration, images, service, client. */
#ifndef LXRUN_VM_VM_H
#define LXRUN_VM_VM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/proto.h"

#define VM_WHY_LEN 512 /* size of every `why` buffer: a human-readable reason for an error */

/* Everything that shapes a VM; options given to a command only matter when it boots the VM. */
struct vm_config {
	char state_dir[PATH_MAX];
	char kernel[PATH_MAX];	 /* bzImage; empty: newest /boot/vmlinuz-* with modules */
	char accel[8];		 /* auto, kvm, tcg */
	unsigned int root_share; /* enum vm_share serving the guest's / */
	char opts_9p[256];	 /* guest mount options of the 9p share */
	char vfs_cache[32];	 /* virtiofsd cache mode: auto, always, none */
	bool virtiofs;		 /* attach virtio-fs at all */
	unsigned int mem_mb, cpus;
	unsigned int tcg_cache_mb; /* TCG translation cache; 0: QEMU's default */
	unsigned int idle_s;	   /* stop the VM after this long without clients; 0 never */
	unsigned int disk_mb;	   /* size of the ext4 disk when it is created */
	bool unsafe_fast;	   /* mitigations=off rodata=off in the guest */
	bool net;		   /* QEMU user-mode network (eth0, DNS); lo is always up */
	bool forward;		   /* guest TCP/UDP listeners appear on the host's localhost */
	bool interop;		   /* guest programs may run host programs (lxrun-host) */
};

/* Defaults, then $LXRUN_STATE_DIR / $XDG_STATE_HOME / ~/.local/state for the state dir,
 * $LXRUN_VM_KERNEL, and $LXRUN_VM_NET=0 / $LXRUN_VM_FORWARD=0 / $LXRUN_VM_INTEROP=0 to switch
 * those off. */
void vm_config_init(struct vm_config *cfg);
/* Apply "key=value,key=value" share options (msize, cache for 9p; cache for virtio-fs). */
int vm_config_share_opts(struct vm_config *cfg, unsigned int share, const char *opts, char *why);
/* STATE/name into out (PATH_MAX); -LINUX_ENAMETOOLONG when it does not fit. */
int vm_path(const struct vm_config *cfg, const char *name, char *out);
/* Create the state directory (mode 0700) and its parents. */
int vm_state_prepare(const struct vm_config *cfg, char *why);

/* Accelerator choice and the reason for it. */
struct vm_probe {
	char accel[8];
	char why[VM_WHY_LEN];
};
int vm_probe_accel(const struct vm_config *cfg, struct vm_probe *p);

/* Kernel, modules and agent from which the boot files are built. */
struct vm_kernel {
	char image[PATH_MAX];
	char release[128];   /* uname -r of the kernel, from its boot header */
	char version[256];   /* the header's whole version string (release, builder, date) */
	char modules[PATH_MAX]; /* /lib/modules/RELEASE; empty when it has none (all built in) */
};
/* cfg->kernel (--kernel, $LXRUN_VM_KERNEL) or the newest /boot/vmlinuz-* with modules; checks
 * that it is an x86 bzImage and reads its version from the boot header. */
int vm_kernel_find(const struct vm_config *cfg, struct vm_kernel *k, char *why);

/* Called before a (slow) rebuild so the front end can tell the user. */
typedef void (*vm_progress_fn)(const char *what, void *ctx);
/* Build STATE/vmlinux and STATE/initramfs.cpio unless the stamp says they are current. */
int vm_image_ensure(const struct vm_config *cfg, vm_progress_fn progress, void *ctx, char *why);
/* Create STATE/disk.img (ext4) when missing. */
int vm_disk_ensure(const struct vm_config *cfg, vm_progress_fn progress, void *ctx, char *why);

/* The embedded agent binary (PID 1 of the guest). */
const uint8_t *vm_agent_blob(size_t *len);

/* Run the VM service in this process until the VM stops. `lock_fd` holds STATE/vm.lock for
 * the service's lifetime; "ok\n" or "error: ...\n" is written to `ready_fd` once; `log`
 * (may be NULL) receives one line per event worth keeping (QEMU's end, agent complaints). */
typedef void (*vm_log_fn)(const char *line);
int vm_service_run(const struct vm_config *cfg, int lock_fd, int ready_fd, vm_log_fn log);

/* Client side. */
int vm_client_connect(const struct vm_config *cfg);
/* Ask the service for its status text (key=value lines) into out. */
int vm_client_request(int fd, uint8_t type, char *out, size_t outlen);

struct vm_exec {
	char *const *argv;
	char *const *env;
	const char *cwd;
	const char *stdin_path; /* with VM_EXEC_STDIN_FILE */
	uint64_t stdin_off;
	uint32_t flags; /* VM_EXEC_* */
	unsigned int share;
	int sig_fd; /* readable end of a pipe carrying signal numbers (one byte each) */
	void (*on_error)(const char *msg, void *ctx);
	void *ctx;
};
struct vm_exit {
	bool signaled;
	int code; /* exit status, or the signal number when signaled */
};
/* Run one command over a connected client socket, relaying fds 0, 1 and 2 until it ends.
 * Returns 0 with *ex filled, or a negative errno with `why` (the VM died, the link broke). */
int vm_client_exec(int fd, const struct vm_exec *req, struct vm_exit *ex, char *why);

#endif
