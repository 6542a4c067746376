/* SPDX-License-Identifier: MIT */
/* harness: lxrun bench's reports: terminal table, JSON, markdown, gnuplot charts. */
#ifndef LXRUN_HARNESS_REPORT_H
#define LXRUN_HARNESS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "harness/bench.h"

/* The run's description: host, VM, version, sizes, columns and their state. */
void report_header(FILE *f, const struct bench_result *r, bool markdown);
/* Per family, the median and ratio to native of each cell, its range on a second line. */
void report_table(FILE *f, const struct bench_result *r);
/* {"host": {...}, "columns": [...], "cells": [{one object per cell}, ...]} */
void report_json(FILE *f, const struct bench_result *r);
void report_markdown(FILE *f, const struct bench_result *r);
/* DIR/FAMILY.png for every family with a measured ratio (gnuplot), DIR/FAMILY.dat and .gp
 * beside. Returns how many charts were drawn, or a negative errno with why. */
int report_plot(const struct bench_result *r, const char *dir, char *why, size_t len);

#endif
