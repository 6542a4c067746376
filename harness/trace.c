/* SPDX-License-Identifier: MIT */
/* harness: strace-format traces: parse each call, normalise what legitimately differs, line up. */
#include "harness/trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calls whose result is a pid or tid: the number differs on every run. */
static const char *const pid_calls[] = {"getpid", "gettid",	 "getppid", "clone", "clone3",
					"fork",	  "vfork",	 "wait4",   "set_tid_address",
					"getpgid", "getpgrp", "getsid",  "setsid", NULL};

static bool is_pid_call(const char *name)
{
	for (int i = 0; pid_calls[i]; i++)
		if (!strcmp(name, pid_calls[i]))
			return true;
	return false;
}

/* The end of the argument that starts at p: the next top-level ',' or ')'. */
static const char *arg_end(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return p;
		} else if (*p == '{' || *p == '[' || *p == '(') {
			depth++;
		} else if (*p == '}' || *p == ']' || (*p == ')' && depth)) {
			depth--;
		} else if ((*p == ',' || *p == ')') && !depth) {
			return p;
		}
	}
	return p;
}

static bool all_hex_addr(const char *s)
{
	size_t n = 0;

	if (strncmp(s, "0x", 2))
		return false;
	for (s += 2; isxdigit((unsigned char)*s); s++)
		n++;
	/* small hex values are flags and masks; pointers are long */
	return n >= 6 && (!*s || *s == ' ');
}

/* A string literal with every byte as \xHH, so "\272" and "\xba" compare equal. */
static void restring(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = in + 1; *p && *p != '"' && o + 5 < len; p++) {
		unsigned c = (unsigned char)*p;

		if (c == '\\' && p[1]) {
			p++;
			if (*p == 'x') {
				c = (unsigned)strtoul((char[]){p[1], p[2], 0}, NULL, 16);
				p += 2;
			} else if (*p >= '0' && *p <= '7') {
				c = 0;
				for (int k = 0; k < 3 && *p >= '0' && *p <= '7'; k++, p++)
					c = c * 8 + (unsigned)(*p - '0');
				p--;
			} else {
				c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' :
				    *p == 'v' ? '\v' : *p == 'f' ? '\f' : *p == '0' ? 0 : (unsigned char)*p;
			}
		}
		o += (size_t)snprintf(out + o, len - o, "%02x", c & 0xff);
	}
	out[o] = 0;
}

void trace_normalise_arg(const char *in, char *out, size_t len)
{
	char buf[512];
	size_t n;

	while (*in == ' ')
		in++;
	snprintf(buf, sizeof(buf), "%s", in);
	/* comments strace adds: the count of environment variables, entries */
	for (char *c; (c = strstr(buf, "/*"));) {
		char *e = strstr(c, "*/");

		memmove(c, e ? e + 2 : c + strlen(c), strlen(e ? e + 2 : c + strlen(c)) + 1);
	}
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = 0;
	if (buf[0] == '{' || buf[0] == '[' || all_hex_addr(buf) || !strcmp(buf, "NULL") ||
	    !strncmp(buf, "makedev(", 8))
		snprintf(out, len, "PTR");
	else if (buf[0] == '"')
		restring(buf, out, len);
	else
		snprintf(out, len, "%s", buf);
	if (!strcmp(buf, "NULL"))
		snprintf(out, len, "NULL");
}

static bool symbolic(const char *s)
{
	if (!isupper((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' &&
		    *s != '|')
			return false;
	return true;
}

static bool numeric(const char *s)
{
	char *end;

	if (!*s)
		return false;
	strtoll(s, &end, 0);
	return !*end;
}

bool trace_arg_eq(const char *a, const char *b)
{
	if (!strcmp(a, b) || !strcmp(a, "PTR") || !strcmp(b, "PTR"))
		return true;
	/* a pointer argument that is NULL on one side and printed as a structure on the other
	 * is a real difference; a flag printed by name against the same flag as a number is not
	 * something we can tell apart without the kernel's tables */
	return (symbolic(a) && numeric(b)) || (numeric(a) && symbolic(b));
}

bool trace_call_eq(const struct trace_call *a, const struct trace_call *b)
{
	int n = a->nargs < b->nargs ? a->nargs : b->nargs;

	/* lxrun prints the arguments the kernel reads (openat's mode always), strace those
	 * that mean something: compare the ones both print */
	if (strcmp(a->name, b->name))
		return false;
	for (int i = 0; i < n; i++)
		if (!trace_arg_eq(a->args[i], b->args[i]))
			return false;
	return !strcmp(a->result, b->result) || !*a->result || !*b->result;
}

/* "= 3", "= -1 ENOENT (No such file)", "= 0x5555 ", "= 5 (TIME_ERROR)", "= ?" */
static void norm_result(const char *r, const char *name, char *out, size_t len)
{
	char word[64] = "", err[64] = "";

	while (*r == ' ')
		r++;
	sscanf(r, "%63s %63s", word, err);
	if (!strcmp(word, "-1") && err[0] == 'E')
		snprintf(out, len, "-1 %s", err);
	else if (all_hex_addr(word))
		snprintf(out, len, "ADDR");
	else if (is_pid_call(name) && strtol(word, NULL, 0) > 0)
		snprintf(out, len, "PID");
	else
		snprintf(out, len, "%s", word);
}

static int parse_line(struct trace *t, const char *l, unsigned lineno)
{
	struct trace_call *c;
	const char *open, *p, *eq;
	char buf[512];

	while (isdigit((unsigned char)*l))
		l++;
	while (*l == ' ')
		l++;
	open = strchr(l, '(');
	if (!open || open == l)
		return 0;
	for (p = l; p < open; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
			return 0;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 256;
		struct trace_call *nn = realloc(t->c, nc * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		t->c = nn;
		t->cap = nc;
	}
	c = &t->c[t->n];
	memset(c, 0, sizeof(*c));
	c->lineno = lineno;
	c->line = strndup(l, strcspn(l, "\n"));
	c->name = strndup(l, (size_t)(open - l));
	for (p = open + 1; *p && *p != ')' && c->nargs < TRACE_MAX_ARGS;) {
		const char *e = arg_end(p);

		snprintf(buf, sizeof(buf), "%.*s", (int)(e - p), p);
		trace_normalise_arg(buf, buf, sizeof(buf));
		/* random bytes differ on every run */
		if (c->nargs == 0 && !strcmp(c->name, "getrandom"))
			snprintf(buf, sizeof(buf), "PTR");
		c->args[c->nargs++] = strdup(buf);
		p = *e == ',' ? e + 1 : e;
		while (*p == ' ')
			p++;
	}
	eq = strstr(p, ") ");
	eq = eq ? strchr(eq, '=') : NULL;
	buf[0] = 0;
	if (eq)
		norm_result(eq + 1, c->name, buf, sizeof(buf));
	c->result = strdup(buf);
	t->n++;
	return 0;
}

int trace_parse(struct trace *t, const char *text)
{
	unsigned lineno = 0;

	for (const char *p = text; *p;) {
		size_t ll = strcspn(p, "\n");
		char *line = strndup(p, ll);
		int r;

		lineno++;
		p += ll + (p[ll] == '\n');
		if (!line)
			return -ENOMEM;
		r = strstr(line, "resumed>") ? 0 : parse_line(t, line, lineno);
		free(line);
		if (r < 0)
			return r;
	}
	return 0;
}

void trace_free(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->c[i].line);
		free(t->c[i].name);
		for (int k = 0; k < t->c[i].nargs; k++)
			free(t->c[i].args[k]);
		free(t->c[i].result);
	}
	free(t->c);
	memset(t, 0, sizeof(*t));
}

static bool find_ahead(const struct trace *t, size_t from, size_t window,
		       const struct trace_call *want, size_t *at)
{
	for (size_t k = from; k < t->n && k < from + window; k++) {
		if (trace_call_eq(&t->c[k], want)) {
			*at = k;
			return true;
		}
	}
	return false;
}

void trace_align(const struct trace *a, const struct trace *b, size_t window,
		 struct trace_diff *d)
{
	size_t i = 0, j = 0;

	memset(d, 0, sizeof(*d));
	d->arg = -1;
	while (i < a->n && j < b->n) {
		const struct trace_call *x = &a->c[i], *y = &b->c[j];
		size_t ka = 0, kb = 0;
		bool fa, fb;

		if (trace_call_eq(x, y)) {
			i++, j++, d->matched++;
			continue;
		}
		/* the same call on both sides, differently: unless a's next calls realign
		 * with b's, this is the answer */
		fa = find_ahead(a, i + 1, window, y, &ka);
		fb = find_ahead(b, j + 1, window, x, &kb);
		if (!strcmp(x->name, y->name) && !(fa && ka - i <= 2) &&
		    !(fb && kb - j <= 2)) {
			d->differs = true;
			for (int k = 0; k < x->nargs && k < y->nargs; k++)
				if (!trace_arg_eq(x->args[k], y->args[k])) {
					d->arg = k;
					break;
				}
			break;
		}
		if (fa && (!fb || ka - i <= kb - j)) {
			d->skipped_a += ka - i;
			i = ka;
		} else if (fb) {
			d->skipped_b += kb - j;
			j = kb;
		} else {
			d->differs = true;
			break;
		}
	}
	if (!d->differs && (i < a->n) != (j < b->n)) {
		/* one trace goes on: the rest is extra calls; only a difference if it is not
		 * the other side's exit */
		d->differs = false;
	}
	d->ia = i;
	d->ib = j;
}
