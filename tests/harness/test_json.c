/* SPDX-License-Identifier: MIT */
/* harness JSON: strings escaped so that any reason or command line stays valid JSON. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness/json.h"

static char *with(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, s);
	fclose(f);
	return buf;
}

static char *num(double v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	hjson_num(f, v);
	fclose(f);
	return buf;
}

Test(json, plain_string_is_quoted)
{
	char *s = with(hjson_str, "grep -c (50 MiB)");

	cr_assert_str_eq(s, "\"grep -c (50 MiB)\"");
	free(s);
}

Test(json, quotes_backslashes_and_controls_are_escaped)
{
	char *s = with(hjson_str, "a\"b\\c\nd\te\001f\x7f");

	cr_assert_str_eq(s, "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\"");
	free(s);
}

Test(json, utf8_passes_through)
{
	char *s = with(hjson_str, "1 \xc2\xb5s");

	cr_assert_str_eq(s, "\"1 \xc2\xb5s\"");
	free(s);
}

Test(json, null_string)
{
	char *s = with(hjson_str, NULL);

	cr_assert_str_eq(s, "null");
	free(s);
}

Test(json, numbers_finite_or_null)
{
	char *a = num(1234.5), *b = num(NAN), *c = num(INFINITY), *d = num(123456789012.0);

	cr_assert_str_eq(a, "1234.5");
	cr_assert_str_eq(b, "null");
	cr_assert_str_eq(c, "null");
	cr_assert_str_eq(d, "123456789012", "ns figures keep their digits");
	free(a);
	free(b);
	free(c);
	free(d);
}

Test(json, keys_are_comma_separated)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int first = 1;

	hjson_key(f, "a", &first);
	fputs("1", f);
	hjson_key(f, "b", &first);
	fputs("2", f);
	fclose(f);
	cr_assert_str_eq(buf, "\"a\":1,\"b\":2");
	free(buf);
}
