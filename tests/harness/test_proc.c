/* SPDX-License-Identifier: MIT */
/* harness process runs: exit status, signals, timeouts, redirections, missing programs. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/proc.h"

Test(proc, exit_status_and_wall_time)
{
	char *argv[] = {"/bin/sh", "-c", "exit 3", NULL};
	struct hproc_spec s = {.argv = argv};
	struct hproc_result r;

	cr_assert_eq(hproc_run(&s, &r), 0);
	cr_assert_not(r.signaled);
	cr_assert_eq(r.status, 3);
	cr_assert_gt(r.wall_ns, 0);
}

Test(proc, killed_by_signal)
{
	char *argv[] = {"/bin/sh", "-c", "kill -TERM $$", NULL};
	struct hproc_spec s = {.argv = argv};
	struct hproc_result r;

	cr_assert_eq(hproc_run(&s, &r), 0);
	cr_assert(r.signaled);
	cr_assert_eq(r.status, 15);
}

Test(proc, timeout_kills_the_whole_group)
{
	char *argv[] = {"/bin/sh", "-c", "sleep 30 & sleep 30", NULL};
	struct hproc_spec s = {.argv = argv, .timeout_ms = 200};
	struct hproc_result r;

	cr_assert_eq(hproc_run(&s, &r), 0);
	cr_assert(r.timed_out);
	cr_assert(r.signaled);
	cr_assert_lt(r.wall_ns, 5000000000ull);
}

Test(proc, missing_program)
{
	char *argv[] = {"/nonexistent/prog", NULL};
	struct hproc_spec s = {.argv = argv};
	struct hproc_result r;

	cr_assert_eq(hproc_run(&s, &r), -ENOENT);
}

Test(proc, stdout_to_file_and_cwd)
{
	char dir[] = "/tmp/hproc.XXXXXX", out[64], buf[256] = "";
	char *argv[] = {"/bin/pwd", NULL};
	struct hproc_spec s = {.argv = argv, .cwd = dir, .stdout_path = out};
	struct hproc_result r;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	cr_assert_eq(hproc_run(&s, &r), 0);
	cr_assert_eq(r.status, 0);
	f = fopen(out, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	cr_assert_str_eq(buf, dir);
	unlink(out);
	rmdir(dir);
}

Test(proc, capture_and_memory_of_the_tree)
{
	char *argv[] = {"/bin/sh", "-c", "echo hello; echo oops >&2", NULL};
	char out[64];

	cr_assert_eq(hproc_capture(argv, NULL, 5000, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "hello\noops\n");

	/* a grandchild that holds 64 MiB for a while is seen by the sampler */
	char *big[] = {"/bin/sh", "-c",
		       "python3 -c 'import time; b = bytearray(64 << 20); time.sleep(0.3)'; true",
		       NULL};
	struct hproc_spec s = {.argv = big, .sample_ms = 10};
	struct hproc_result r;

	cr_assert_eq(hproc_run(&s, &r), 0);
	cr_assert_eq(r.status, 0);
	cr_assert_gt(r.peak_kib, 64 * 1024, "peak %llu KiB", (unsigned long long)r.peak_kib);
}
