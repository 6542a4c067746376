/* SPDX-License-Identifier: MIT */
/* Entry points of the lxrun command's sub-commands; main.c only routes to them. */
#ifndef LXRUN_CLI_CLI_H
#define LXRUN_CLI_CLI_H

/* lxrun [--mode translate] ... PROGRAM ARGS: run in translate mode. argv[0] is "lxrun". */
int cmd_run_translate(int argc, char **argv);

/* lxrun --mode vm [vm options] [--] PROGRAM ARGS: the whole argv (argv[0] is "lxrun") is
 * handed over; the function parses every option itself and returns the exit status. */
int cmd_run_vm(int argc, char **argv);

/* lxrun vm start|stop|status|...: argv[0] is "vm". Returns the exit status. */
int cmd_vm(int argc, char **argv);

/* lxrun syscalls: the compatibility table. argv[0] is "syscalls". */
int cmd_syscalls(int argc, char **argv);

/* lxrun bench: the modes and peers compared. argv[0] is "bench". */
int cmd_bench(int argc, char **argv);

/* lxrun coverage: a test suite x columns matrix, baselines; --needs (cmd_needs.c). */
int cmd_coverage(int argc, char **argv);
int cmd_coverage_needs(int argc, char **argv);

/* lxrun diff: one program in several modes, outputs and syscall traces compared. */
int cmd_diff(int argc, char **argv);

/* lxrun distro create|import|export|list|remove|set-default. argv[0] is "distro". */
int cmd_distro(int argc, char **argv);
/* lxrun -d NAME: resolve NAME ("default": the default distro), mark it in use for this
 * process and its children, prepare its tree; root gets the tree (4096 bytes). 0, or the exit
 * status to return after an error message. */
int cli_distro_enter(const char *name, char *root);
/* lxrun -d NAME --mode vm ...: the program in the distro's own VM, whose disk is an ext4 copy
 * of the tree (built on first use). argv as cmd_run_vm's. Returns the exit status. */
int cli_distro_run_vm(int argc, char **argv);

/* Print "lxrun: " + message to stderr (printf format). */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
