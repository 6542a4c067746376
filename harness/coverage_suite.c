/* SPDX-License-Identifier: MIT */
/* harness: coverage suites (a file of NAME COMMAND lines, a directory of programs) and TAP lines. */
#include "harness/coverage.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cov_suite_add(struct cov_suite *s, const char *name, char *const *argv)
{
	struct cov_test *t;
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->tests[i].name, name))
			return -EEXIST;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct cov_test *nt = realloc(s->tests, cap * sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		s->tests = nt;
		s->cap = cap;
	}
	while (argv[n])
		n++;
	t = &s->tests[s->n];
	t->name = strdup(name);
	t->argv = calloc(n + 1, sizeof(char *));
	if (!t->name || !t->argv)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		if (!(t->argv[i] = strdup(argv[i])))
			goto nomem;
	s->n++;
	return 0;
nomem:
	if (t->argv)
		for (size_t i = 0; i < n; i++)
			free(t->argv[i]);
	free(t->argv);
	free(t->name);
	return -ENOMEM;
}

/* Next word of a suite line at *pp: blanks separate words, '...' and "..." quote them, # starts
 * a comment. Returns the word (unquoted, in place) or NULL; -EINVAL in *err on an open quote. */
static char *next_word(char **pp, int *err)
{
	char *p = *pp, *w, *o;

	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (!*p || *p == '#')
		return NULL;
	w = o = p;
	while (*p && *p != ' ' && *p != '\t' && *p != '\r') {
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			while (*p && *p != q)
				*o++ = *p++;
			if (*p != q) {
				*err = -EINVAL;
				return NULL;
			}
			p++;
			continue;
		}
		*o++ = *p++;
	}
	if (*p)
		p++;
	*o = 0;
	*pp = p;
	return w;
}

static bool name_ok(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s == '#' || *s == 0x7f)
			return false;
	return true;
}

int cov_suite_parse(struct cov_suite *s, const char *path, const char *text, char *why,
		    size_t len)
{
	unsigned lineno = 0;
	const char *p = text;

	while (*p) {
		size_t ll = strcspn(p, "\n");
		char *line = strndup(p, ll), *cur = line, *w;
		char *argv[HCOL_ARGV_MAX];
		int n = 0, r = 0;

		lineno++;
		p += ll + (p[ll] == '\n');
		if (!line)
			return -ENOMEM;
		while ((w = next_word(&cur, &r))) {
			if (n == HCOL_ARGV_MAX - 1) {
				snprintf(why, len, "%s:%u: more than %d words", path, lineno,
					 HCOL_ARGV_MAX - 2);
				free(line);
				return -E2BIG;
			}
			argv[n++] = w;
		}
		argv[n] = NULL;
		if (r < 0) {
			snprintf(why, len, "%s:%u: unterminated quote", path, lineno);
			free(line);
			return r;
		}
		if (n == 1) {
			snprintf(why, len, "%s:%u: '%s' has no command (expected NAME COMMAND ARGS...)",
				 path, lineno, argv[0]);
			free(line);
			return -EINVAL;
		}
		r = 0;
		if (n >= 2 && !name_ok(argv[0]))
			r = -EINVAL;
		else if (n >= 2)
			r = cov_suite_add(s, argv[0], argv + 1);
		if (r == -EEXIST)
			snprintf(why, len, "%s:%u: test '%s' is named twice", path, lineno, argv[0]);
		else if (r == -EINVAL)
			snprintf(why, len, "%s:%u: bad test name '%s'", path, lineno, argv[0]);
		else if (r < 0)
			snprintf(why, len, "%s:%u: %s", path, lineno, strerror(-r));
		free(line);
		if (r < 0)
			return r;
	}
	if (!s->n) {
		snprintf(why, len, "%s: no tests in it", path);
		return -ENOENT;
	}
	return 0;
}

int cov_suite_load_file(struct cov_suite *s, const char *path, char *why, size_t len)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	int r;

	if (!f) {
		r = -errno;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return r;
	}
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		text = strdup("");
	}
	if (!text)
		return -ENOMEM;
	r = cov_suite_parse(s, path, text, why, len);
	free(text);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cov_suite_load_dir(struct cov_suite *s, const char *dir, const char *prefix, char *why,
		       size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, pl = prefix ? strlen(prefix) : 0;
	int r = 0;

	if (!d) {
		r = -errno;
		snprintf(why, len, "%s: %s", dir, strerror(errno));
		return r;
	}
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.' || (prefix && strncmp(e->d_name, prefix, pl)))
			continue;
		if (prefix && strchr(e->d_name + pl, '.'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode) || access(path, X_OK))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*nn));

			if (!nn) {
				r = -ENOMEM;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!r && !n) {
		snprintf(why, len, "%s: no %s%sexecutable programs in it", dir, prefix ? prefix : "",
			 prefix ? "* " : "");
		r = -ENOENT;
	}
	if (!r)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !r; i++) {
		char path[4096];
		char *argv[] = {path, NULL};

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		r = cov_suite_add(s, names[i] + pl, argv);
		if (r < 0)
			snprintf(why, len, "%s: %s", path, strerror(-r));
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

void cov_suite_free(struct cov_suite *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (char **a = s->tests[i].argv; *a; a++)
			free(*a);
		free(s->tests[i].argv);
		free(s->tests[i].name);
	}
	free(s->tests);
	memset(s, 0, sizeof(*s));
}
