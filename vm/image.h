/* SPDX-License-Identifier: MIT */
/* Internal pieces of the VM image builder shared between its files. */
#ifndef LXRUN_VM_IMAGE_H
#define LXRUN_VM_IMAGE_H

#include "vm/vm.h"

/* Write a newc cpio with the agent as /init and the modules the agent loads, resolved with
 * their dependencies from moddir's modules.dep, modules.softdep and modules.alias. */
int vm_initramfs_build(const char *out_path, const char *moddir, char *why);

/* Run argv (argv[0] is a path) with stdin/stdout redirected to files (NULL: /dev/null);
 * returns its exit status or a negative errno. */
int vm_run_tool(char *const argv[], const char *in, const char *out);

#endif
