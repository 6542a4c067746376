/* SPDX-License-Identifier: MIT */
/* harness: the few JSON writing primitives the reports need (strings escaped, numbers finite). */
#ifndef LXRUN_HARNESS_JSON_H
#define LXRUN_HARNESS_JSON_H

#include <stdio.h>

/* s as a JSON string literal: quotes, backslash and control characters escaped (\u00XX);
 * bytes >= 0x80 are copied (the input is taken to be UTF-8). NULL writes null. */
void hjson_str(FILE *f, const char *s);
/* v as a JSON number (%.15g: ns figures of long runs keep every digit);
 * NaN and infinities, which JSON cannot hold, as null. */
void hjson_num(FILE *f, double v);
/* "key": prefix with a leading comma unless first. */
void hjson_key(FILE *f, const char *key, int *first);

#endif
