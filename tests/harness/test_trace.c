/* SPDX-License-Identifier: MIT */
/* harness trace: strace and lxrun --trace lines normalised alike, and lined up at the right call. */
#include <criterion/criterion.h>
#include <string.h>

#include "harness/trace.h"

static const char *norm(const char *in)
{
	static char out[256];

	trace_normalise_arg(in, out, sizeof(out));
	return out;
}

Test(trace, pointers_structs_strings_comments)
{
	cr_assert_str_eq(norm("0x7ffde1247660 /* 37 vars */"), "PTR");
	cr_assert_str_eq(norm("{st_mode=S_IFREG|0644, st_ino=1234, ...}"), "PTR");
	cr_assert_str_eq(norm("[\"a\", \"b\"]"), "PTR");
	cr_assert_str_eq(norm("0x1"), "0x1");
	cr_assert_str_eq(norm("NULL"), "NULL");
	cr_assert_str_eq(norm("\"\\272A\""), norm("\"\\xbaA\""));
	cr_assert_str_eq(norm("\"hi\\n\""), "68690a");
}

Test(trace, flag_names_and_numbers_agree)
{
	cr_assert(trace_arg_eq("R_OK", "4"));
	cr_assert(trace_arg_eq("PTR", "NULL"));
	cr_assert_not(trace_arg_eq("3", "4"));
	cr_assert_not(trace_arg_eq("O_RDONLY", "O_WRONLY"));
}

Test(trace, pid_column_pid_results_addresses)
{
	struct trace t = {0};

	cr_assert_eq(trace_parse(&t, "4242 getpid()                = 4242\n"
				     "4242 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f5612ccf000\n"
				     "4242 read(3, 0x55, 5) = -1 EBADF (Bad file descriptor)\n"
				     "--- SIGCHLD {si_signo=SIGCHLD} ---\nlxrun: a note\n"
				     "4242 <... read resumed>) = 0\n"),
		     0);
	cr_assert_eq(t.n, 3);
	cr_assert_str_eq(t.c[0].name, "getpid");
	cr_assert_str_eq(t.c[0].result, "PID");
	cr_assert_str_eq(t.c[1].result, "ADDR");
	cr_assert_eq(t.c[1].nargs, 6);
	cr_assert_str_eq(t.c[2].result, "-1 EBADF");
	cr_assert_eq(t.c[2].lineno, 3);
	trace_free(&t);
}

static const char *native =
	"10 execve(\"./p\", [\"./p\"], 0x7ffd /* 3 vars */) = 0\n"
	"10 brk(NULL) = 0x5555deadb000\n"
	"10 access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)\n"
	"10 openat(AT_FDCWD, \"out\", O_WRONLY|O_CREAT, 0644) = 3\n"
	"10 write(3, \"x\", 1) = 1\n"
	"10 clock_adjtime(CLOCK_REALTIME, {modes=0}) = 5 (TIME_ERROR)\n"
	"10 exit_group(0) = ?\n";

Test(trace, aligns_past_startup_and_stops_at_the_differing_call)
{
	const char *xl = "brk(NULL) = 0x1dbe3a43a000\n"
			 "access(\"/etc/ld.so.preload\", 4) = -1 ENOENT (No such file or directory)\n"
			 "openat(AT_FDCWD, \"out\", O_WRONLY|O_CREAT, 0644) = 3\n"
			 "getuid() = 0\n"
			 "write(3, \"x\", 1) = 1\n"
			 "clock_adjtime(0, 0x6086fd9c4750) = -1 ENOSYS (Function not implemented)\n"
			 "exit_group(1) = ?\n";
	struct trace a = {0}, b = {0};
	struct trace_diff d;

	cr_assert_eq(trace_parse(&a, native), 0);
	cr_assert_eq(trace_parse(&b, xl), 0);
	trace_align(&a, &b, 64, &d);
	cr_assert(d.differs);
	cr_assert_str_eq(a.c[d.ia].name, "clock_adjtime");
	cr_assert_str_eq(b.c[d.ib].name, "clock_adjtime");
	cr_assert_eq(d.arg, -1);
	cr_assert_eq(d.skipped_a, 1); /* execve */
	cr_assert_eq(d.skipped_b, 1); /* getuid */
	cr_assert_eq(d.matched, 4);
	trace_free(&a);
	trace_free(&b);
}

Test(trace, an_argument_difference_is_named)
{
	struct trace a = {0}, b = {0};
	struct trace_diff d;

	trace_parse(&a, "write(1, \"a\", 1) = 1\nlseek(3, 10, SEEK_SET) = 10\n");
	trace_parse(&b, "write(1, \"a\", 1) = 1\nlseek(3, 12, SEEK_SET) = 12\n");
	trace_align(&a, &b, 64, &d);
	cr_assert(d.differs);
	cr_assert_eq(d.ia, 1);
	cr_assert_eq(d.arg, 1);
	trace_free(&a);
	trace_free(&b);
	trace_parse(&a, "write(1, \"a\", 1) = 1\n");
	trace_parse(&b, "write(1, \"a\", 1) = 1\n");
	trace_align(&a, &b, 64, &d);
	cr_assert_not(d.differs);
	trace_free(&a);
	trace_free(&b);
}
