/* SPDX-License-Identifier: MIT */
/* harness columns: the catalogue, selection by name or prefix, and each column's argv. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "harness/column.h"

static struct hcol cols[HCOL_MAX];
static size_t ncols;

static void setup(void)
{
	ncols = hcol_catalog(cols, HCOL_MAX);
}

static struct hcol *find(const char *name)
{
	for (size_t i = 0; i < ncols; i++)
		if (!strcmp(cols[i].name, name))
			return &cols[i];
	return NULL;
}

TestSuite(column, .init = setup);

Test(column, catalogue_has_every_column_of_bench_md)
{
	static const char *const want[] = {"native",	    "translate/rewrite",
					   "translate/sud", "translate/emulate",
					   "vm/ext4",	    "vm/9p",
					   "vm/virtiofs",   "qemu-user",
					   "proot",	    "gvisor"};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct hcol *c = find(want[i]);

		cr_assert_not_null(c, "%s missing", want[i]);
		cr_assert(c->selected);
		cr_assert_eq(c->state, HCOL_UNPROBED);
		cr_assert(c->what && *c->what);
	}
}

Test(column, select_by_name_and_prefix)
{
	char why[128];

	cr_assert_eq(hcol_select(cols, ncols, "vm/,proot", why, sizeof(why)), 0);
	for (size_t i = 0; i < ncols; i++)
		cr_assert_eq(cols[i].selected,
			     !strncmp(cols[i].name, "vm/", 3) || !strcmp(cols[i].name, "proot"),
			     "%s", cols[i].name);
}

Test(column, select_unknown_names_it)
{
	char why[128];

	cr_assert_eq(hcol_select(cols, ncols, "native,vm/9P", why, sizeof(why)), -EINVAL);
	cr_assert_str_eq(why, "unknown column 'vm/9P'");
}

static void check_argv(const char *name, const char *const *want)
{
	struct hcol_env env = {.lxrun = "/b/lxrun", .state_dir = "/w/vm", .guest_dir = "/mnt/d/x"};
	char *cmd[] = {"/usr/bin/grep", "-c", "x", NULL}, *out[HCOL_ARGV_MAX];
	int n = hcol_argv(find(name), &env, cmd, out, HCOL_ARGV_MAX);
	int i;

	for (i = 0; want[i]; i++)
		cr_assert_str_eq(out[i], want[i], "%s: argument %d", name, i);
	cr_assert_eq(n, i, "%s", name);
	cr_assert_null(out[n]);
}

Test(column, argv_per_kind)
{
	check_argv("native", (const char *const[]){"/usr/bin/grep", "-c", "x", NULL});
	check_argv("translate/sud", (const char *const[]){"/b/lxrun", "--engine", "sud", "--",
							  "/usr/bin/grep", "-c", "x", NULL});
	check_argv("vm/virtiofs", (const char *const[]){"/b/lxrun", "--mode", "vm", "--state-dir",
							"/w/vm", "--no-tty", "--share", "virtiofs",
							"--", "/usr/bin/grep", "-c", "x", NULL});
	check_argv("vm/ext4", (const char *const[]){"/b/lxrun", "--mode", "vm", "--state-dir",
						    "/w/vm", "--no-tty", "--workdir", "/mnt/d/x",
						    "--", "/usr/bin/grep", "-c", "x", NULL});
	check_argv("gvisor", (const char *const[]){"runsc", "--platform=ptrace", "--network=none",
						   "do", "-force-overlay=false", "-quiet",
						   "/usr/bin/grep", "-c", "x", NULL});
	cr_assert(hcol_in_guest_dir(find("vm/ext4")));
	cr_assert_not(hcol_in_guest_dir(find("vm/9p")));
}

Test(column, argv_too_long)
{
	struct hcol_env env = {.lxrun = "/b/lxrun"};
	char *cmd[] = {"/bin/true", NULL}, *out[4];

	cr_assert_eq(hcol_argv(find("translate/rewrite"), &env, cmd, out, 4), -E2BIG);
}
