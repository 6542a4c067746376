/* SPDX-License-Identifier: MIT */
/* lxrun bench's arguments: families, sizes, --quick, and the usage errors for bad input. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "harness/bench.h"

static int parse(struct bench_opts *o, char *why, int argc, char **argv)
{
	return bench_opts_parse(argc, argv, o, why, 256);
}

#define ARGS(...) ((char *[]){"bench", __VA_ARGS__, NULL})
#define N(...)	  ((int)(sizeof((char *[]){"bench", __VA_ARGS__}) / sizeof(char *)))

Test(bench_opts, no_family_means_all)
{
	struct bench_opts o;
	char why[256];
	char *argv[] = {"bench", NULL};

	cr_assert_eq(parse(&o, why, 1, argv), 0);
	cr_assert_eq(o.families, (1u << BF_COUNT) - 1);
	cr_assert_eq(o.sz.text_mb, 50);
	cr_assert(o.sz.warmup);
}

Test(bench_opts, families_are_picked)
{
	struct bench_opts o;
	char why[256];

	cr_assert_eq(parse(&o, why, N("text", "fs"), ARGS("text", "fs")), 0);
	cr_assert_eq(o.families, (1u << BF_TEXT) | (1u << BF_FS));
}

Test(bench_opts, options_after_families)
{
	struct bench_opts o;
	char why[256];

	cr_assert_eq(parse(&o, why, N("fs", "--repeats", "3", "--json", "x.json"),
			   ARGS("fs", "--repeats", "3", "--json", "x.json")),
		     0);
	cr_assert_eq(o.families, 1u << BF_FS);
	cr_assert_eq(o.sz.repeats, 3);
	cr_assert_eq(o.sz.repeats_short, 3);
	cr_assert_str_eq(o.json, "x.json");
}

Test(bench_opts, quick_sizes_and_explicit_size_wins)
{
	struct bench_opts o;
	char why[256];

	cr_assert_eq(
		parse(&o, why, N("--text-mb", "2", "--quick"), ARGS("--text-mb", "2", "--quick")),
		0);
	cr_assert(o.quick);
	cr_assert_eq(o.sz.text_mb, 2, "a size given explicitly wins over --quick's");
	cr_assert_eq(o.sz.repeats, 1);
	cr_assert_not(o.sz.warmup);
}

Test(bench_opts, unknown_family_lists_the_valid_ones)
{
	struct bench_opts o;
	char why[256];

	cr_assert_eq(parse(&o, why, N("texts"), ARGS("texts")), -EINVAL);
	cr_assert(strstr(why, "unknown family 'texts'"), "%s", why);
	cr_assert(strstr(why, "syscall, startup, text, fs, build, vm, all"), "%s", why);
}

Test(bench_opts, bad_numbers_are_refused)
{
	struct bench_opts o;
	char why[256];

	cr_assert_eq(parse(&o, why, N("--repeats", "0"), ARGS("--repeats", "0")), -EINVAL);
	cr_assert(strstr(why, "--repeats"), "%s", why);
	cr_assert_eq(parse(&o, why, N("--files", "-3"), ARGS("--files", "-3")), -EINVAL);
	cr_assert_eq(parse(&o, why, N("--seq-mb=12x"), ARGS("--seq-mb=12x")), -EINVAL);
}

Test(bench_opts, unknown_option_and_missing_value)
{
	struct bench_opts o;
	char why[256];

	cr_assert_eq(parse(&o, why, N("--fast"), ARGS("--fast")), -EINVAL);
	cr_assert(strstr(why, "unknown option '--fast'"), "%s", why);
	cr_assert_eq(parse(&o, why, N("--json"), ARGS("--json")), -EINVAL);
	cr_assert(strstr(why, "needs a value"), "%s", why);
}

Test(bench_opts, help)
{
	struct bench_opts o;
	char why[256];

	cr_assert_eq(parse(&o, why, N("text", "--help"), ARGS("text", "--help")), 1);
}
