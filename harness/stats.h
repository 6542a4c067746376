/* SPDX-License-Identifier: MIT */
/* harness: summary statistics of repeated measurements (median, min, max, ratio of medians). */
#ifndef LXRUN_HARNESS_STATS_H
#define LXRUN_HARNESS_STATS_H

#include <stddef.h>

struct hstats {
	size_t n;
	double median, min, max;
};

/* Summarise v[0..n) (left unchanged). The median of an even count is the mean of the middle
 * two. Returns -EINVAL when n is 0 or a value is not finite. */
int hstats_compute(const double *v, size_t n, struct hstats *out);

/* a / b as a ratio of medians; 0 when either is missing (not positive). */
double hstats_ratio(double a, double b);

/* A duration in ns as a short human figure with its unit: "118 ns", "1.25 us", "30.8 ms",
 * "4.42 s" (three significant digits). */
void hstats_fmt_time(double ns, char *out, size_t len);

/* Sizes in KiB as "12.3 MiB" / "1.20 GiB". */
void hstats_fmt_kib(double kib, char *out, size_t len);

#endif
