/* SPDX-License-Identifier: MIT */
/* harness: summary statistics of repeated measurements (median, min, max, ratio of medians). */
#include "harness/stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int hstats_compute(const double *v, size_t n, struct hstats *out)
{
	double *s;

	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return 0;
}

double hstats_ratio(double a, double b)
{
	if (!(a > 0) || !(b > 0))
		return 0;
	return a / b;
}

/* three significant digits: 1.23, 12.3, 123 */
static void fmt3(double v, const char *unit, char *out, size_t len)
{
	int prec = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;

	snprintf(out, len, "%.*f %s", prec, v, unit);
}

void hstats_fmt_time(double ns, char *out, size_t len)
{
	if (ns < 999.5)
		fmt3(ns, "ns", out, len);
	else if (ns < 999.5e3)
		fmt3(ns / 1e3, "us", out, len);
	else if (ns < 999.5e6)
		fmt3(ns / 1e6, "ms", out, len);
	else
		fmt3(ns / 1e9, "s", out, len);
}

void hstats_fmt_kib(double kib, char *out, size_t len)
{
	if (kib < 1024 * 999.5)
		fmt3(kib / 1024, "MiB", out, len);
	else
		fmt3(kib / (1024 * 1024), "GiB", out, len);
}
