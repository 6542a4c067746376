/* SPDX-License-Identifier: MIT */
/* The VM backend interface: one struct of operations per hypervisor (qemu is the first). */
#ifndef LXRUN_VM_BACKEND_H
#define LXRUN_VM_BACKEND_H

#include <sys/types.h>

#include "vm/vm.h"

/* A running VM as its backend sees it. */
struct vm_instance {
	pid_t pid;	  /* the hypervisor process */
	pid_t helper_pid; /* virtiofsd, or 0 */
	char accel[8];
	int chan_fd; /* byte stream to the agent's control port; the service owns it */
};

/*
 * probe: can this backend run here, and with which accelerator (why says why).
 * start: boot a VM from the built images; returns with chan_fd connected (the agent may still
 *        be booting: it answers HELLO once ready).
 * exec:  commands run over the channel with the framed protocol (vm/proto.h), which is the
 *        same for every backend; a backend only has to deliver the byte stream. Here: open a
 *        fresh channel to a running instance (after the service lost its connection).
 * stop:  end the VM hard (a clean stop is the agent's POWEROFF, sent over the channel).
 * Every operation returns 0 or a negative Linux errno and fills `why` on failure.
 */
struct vm_backend {
	const char *name;
	int (*probe)(const struct vm_config *cfg, struct vm_probe *p);
	int (*start)(const struct vm_config *cfg, const char *accel, struct vm_instance *vm,
		     char *why);
	int (*exec)(const struct vm_config *cfg, struct vm_instance *vm, char *why);
	int (*stop)(struct vm_instance *vm);
};

extern const struct vm_backend vm_backend_qemu;

#endif
