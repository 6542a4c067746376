/* SPDX-License-Identifier: MIT */
/* lxrun: routes to the sub-commands (run in translate or vm mode, vm, syscalls, bench, coverage, diff). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("lxrun: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void usage(FILE *o)
{
	fputs("usage: lxrun [--mode translate|vm] [OPTIONS] [--] PROGRAM [ARGS...]\n"
	      "       lxrun vm start|stop|status|...   (lxrun vm --help)\n"
	      "       lxrun syscalls [--markdown]       the syscall compatibility table\n"
	      "       lxrun bench [FAMILY...]           the modes and their peers side by side\n"
	      "                                         (lxrun bench --help)\n"
	      "       lxrun coverage [SUITE...]         a test suite in every mode, as a matrix\n"
	      "       lxrun coverage --needs PROG ARGS  what PROG uses vs what lxrun supports\n"
	      "       lxrun diff [--modes ...] PROG     one program in each mode, what differs\n"
	      "       lxrun distro create|import|list|... the distro store (lxrun distro --help)\n"
	      "       lxrun -d NAME [--mode vm] PROG    run PROG inside distro NAME (translate\n"
	      "                                         mode: its tree; vm mode: its own VM,\n"
	      "                                         whose disk is a separate copy of the\n"
	      "                                         tree: changes made in one mode are not\n"
	      "                                         seen in the other)\n"
	      "\n"
	      "Runs an unmodified Linux x86-64 program. translate mode (default) runs its code\n"
	      "natively and serves every syscall in lxrun's userspace kernel; vm mode runs it on a\n"
	      "real Linux kernel in a QEMU VM. PROGRAM without a slash is looked up on PATH.\n"
	      "\n"
	      "Translate-mode options:\n"
	      "  --engine NAME      trap engine: auto (default: rewrite syscall sites, SUD for\n"
	      "                     the rest; emulate where SUD is unavailable), rewrite, sud\n"
	      "                     (Syscall User Dispatch only), emulate (guest code on a\n"
	      "                     Unicorn CPU: no SUD or FSGSBASE needed, slower)\n"
	      "  --stats            at exit, print syscall counts (by number, patched vs SUD)\n"
	      "  -d, --distro NAME  run inside distro NAME (lxrun distro --help); 'default' is\n"
	      "                     the default distro. Without -d the host's own programs run\n"
	      "  --root DIR         DIR is the guest's / (nothing outside it is reachable)\n"
	      "  --contain          the container model even as root: mount, loop devices,\n"
	      "                     /proc/sys writes... refused as in an unprivileged container\n"
	      "                     (the default as root without --root is the host-admin\n"
	      "                     model: the guest has root's administrative powers)\n"
	      "  --tmpfs PATH       an in-memory tmpfs at PATH, private to the first process\n"
	      "  --trace[=FILE]     print every syscall in strace's format (stderr or FILE)\n"
	      "  -v, --verbose      name each unimplemented syscall and unsupported flag once,\n"
	      "                     and auto's fallback to emulate\n"
	      "Vm-mode options: lxrun --mode vm --help\n"
	      "\n"
	      "  -h, --help         this text\n"
	      "  --version          lxrun's version\n"
	      "\n"
	      "Exit status: the program's; 128+N if it was killed by signal N; 126 if it could\n"
	      "not be executed; 127 if it was not found; 125 for lxrun's own usage errors.\n",
	      o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 125;
	}
	if (strcmp(argv[1], "vm") == 0)
		return cmd_vm(argc - 1, argv + 1);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(argc - 1, argv + 1);
	if (strcmp(argv[1], "coverage") == 0)
		return cmd_coverage(argc - 1, argv + 1);
	if (strcmp(argv[1], "diff") == 0)
		return cmd_diff(argc - 1, argv + 1);
	if (strcmp(argv[1], "syscalls") == 0)
		return cmd_syscalls(argc - 1, argv + 1);
	if (strcmp(argv[1], "distro") == 0)
		return cmd_distro(argc - 1, argv + 1);
	/* Find the mode among the leading options; everything after PROGRAM is the guest's. */
	int distro = 0;
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			int vm = 0;
			for (int j = 1; j < argc; j++)
				vm |= strcmp(argv[j], "--mode=vm") == 0 ||
				      (strcmp(argv[j], "--mode") == 0 && j + 1 < argc &&
				       strcmp(argv[j + 1], "vm") == 0);
			if (vm)
				return cmd_run_vm(argc, argv);
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			puts("lxrun " LXRUN_VERSION);
			return 0;
		}
		if ((strcmp(a, "-d") == 0 || strcmp(a, "--distro") == 0) && i + 1 < argc) {
			i++; /* the distro's name */
			distro = 1;
			continue;
		}
		distro |= strncmp(a, "--distro=", 9) == 0;
		const char *mode = NULL;
		if (strcmp(a, "--mode") == 0 && i + 1 < argc)
			mode = argv[i + 1];
		else if (strncmp(a, "--mode=", 7) == 0)
			mode = a + 7;
		if (mode && strcmp(mode, "vm") == 0) {
			for (int j = i + 1; !distro && j < argc && argv[j][0] == '-'; j++)
				distro = !strcmp(argv[j], "-d") || !strcmp(argv[j], "--distro") ||
					 !strncmp(argv[j], "--distro=", 9);
			return distro ? cli_distro_run_vm(argc, argv) : cmd_run_vm(argc, argv);
		}
		if (mode && strcmp(mode, "translate") != 0) {
			cli_err("unknown mode '%s' (translate or vm)", mode);
			return 125;
		}
	}
	return cmd_run_translate(argc, argv);
}
