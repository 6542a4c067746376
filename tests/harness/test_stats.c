/* SPDX-License-Identifier: MIT */
/* harness statistics: median of odd and even counts, min/max, ratios, human-readable figures. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>

#include "harness/stats.h"

Test(stats, odd_count_median_is_middle)
{
	double v[] = {5, 1, 9, 3, 7};
	struct hstats s;

	cr_assert_eq(hstats_compute(v, 5, &s), 0);
	cr_assert_eq(s.n, 5);
	cr_assert_float_eq(s.median, 5, 1e-12);
	cr_assert_float_eq(s.min, 1, 1e-12);
	cr_assert_float_eq(s.max, 9, 1e-12);
	cr_assert_float_eq(v[0], 5, 1e-12, "the input is left unsorted");
}

Test(stats, even_count_median_is_mean_of_middle_two)
{
	double v[] = {4, 1, 3, 10};
	struct hstats s;

	cr_assert_eq(hstats_compute(v, 4, &s), 0);
	cr_assert_float_eq(s.median, 3.5, 1e-12);
}

Test(stats, single_value)
{
	double v[] = {42};
	struct hstats s;

	cr_assert_eq(hstats_compute(v, 1, &s), 0);
	cr_assert_float_eq(s.median, 42, 1e-12);
	cr_assert_float_eq(s.min, 42, 1e-12);
	cr_assert_float_eq(s.max, 42, 1e-12);
}

Test(stats, empty_and_non_finite_are_rejected)
{
	double v[] = {1, NAN, 3};
	struct hstats s;

	cr_assert_eq(hstats_compute(v, 0, &s), -EINVAL);
	cr_assert_eq(hstats_compute(v, 3, &s), -EINVAL);
}

Test(stats, ratio_of_medians)
{
	cr_assert_float_eq(hstats_ratio(300, 100), 3.0, 1e-12);
	cr_assert_eq(hstats_ratio(300, 0), 0);
	cr_assert_eq(hstats_ratio(0, 100), 0);
	cr_assert_eq(hstats_ratio(NAN, 100), 0);
}

Test(stats, time_formatting_keeps_three_digits)
{
	char b[32];

	hstats_fmt_time(118, b, sizeof(b));
	cr_assert_str_eq(b, "118 ns");
	hstats_fmt_time(1250, b, sizeof(b));
	cr_assert_str_eq(b, "1.25 us");
	hstats_fmt_time(30.84e6, b, sizeof(b));
	cr_assert_str_eq(b, "30.8 ms");
	hstats_fmt_time(4.421e9, b, sizeof(b));
	cr_assert_str_eq(b, "4.42 s");
	hstats_fmt_time(999.7, b, sizeof(b));
	cr_assert_str_eq(b, "1.00 us", "rounding up crosses to the next unit");
	hstats_fmt_kib(2048, b, sizeof(b));
	cr_assert_str_eq(b, "2.00 MiB");
}
