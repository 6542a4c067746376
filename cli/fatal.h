/* SPDX-License-Identifier: MIT */
/* Report of a guest killed by a signal (name, address, disassembled faulting instruction). */
#ifndef LXRUN_CLI_FATAL_H
#define LXRUN_CLI_FATAL_H

void cli_fatal_init(const char *program);

#endif
