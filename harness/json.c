/* SPDX-License-Identifier: MIT */
/* harness: the few JSON writing primitives the reports need (strings escaped, numbers finite). */
#include "harness/json.h"

#include <math.h>

void hjson_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void hjson_num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else
		fprintf(f, "%.15g", v);
}

void hjson_key(FILE *f, const char *key, int *first)
{
	if (!*first)
		fputc(',', f);
	*first = 0;
	hjson_str(f, key);
	fputc(':', f);
}
