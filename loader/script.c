/* SPDX-License-Identifier: MIT */
/* The argument vector with execve(2)'s size limits, and #! script parsing as Linux's binfmt_script. */
#include "loader/internal.h"

#include <stdlib.h>
#include <string.h>

#include "abi/linux_errno.h"

/* Linux's _STK_LIM (8 MiB) / 4 * 3: the most argument space any stack rlimit buys. */
#define LOADER_ARG_SPACE_MAX (6ull << 20)

static int args_charge(struct loader_args *a, const char *s)
{
	size_t len = strnlen(s, LOADER_ARG_STRLEN) + 1;

	if (len > LOADER_ARG_STRLEN || len > a->limit - a->used)
		return -LINUX_E2BIG;
	a->used += len;
	return 0;
}

static int args_insert(struct loader_args *a, int at, const char *s)
{
	char *copy;
	int err = args_charge(a, s);

	if (err)
		return err;
	if (a->n + 1 >= a->cap) {
		int cap = a->cap * 2 + 8;
		char **v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -LINUX_ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return -LINUX_ENOMEM;
	memmove(a->v + at + 1, a->v + at, (a->n - at) * sizeof(*a->v));
	a->v[at] = copy;
	a->n++;
	a->v[a->n] = NULL;
	return 0;
}

void args_free(struct loader_args *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* do_execveat_common() + bprm_stack_limits(): the same E2BIG decisions, in the same order. */
int args_init(struct loader_args *a, const char *path, char *const argv[], char *const envp[],
	      uint64_t stack_size)
{
	uint64_t argc = 0, envc = 0, ptrs;
	int err;

	memset(a, 0, sizeof(*a));
	while (argv && argv[argc])
		if (++argc > 0x7fffffff)
			return -LINUX_E2BIG;
	while (envp && envp[envc])
		if (++envc > 0x7fffffff)
			return -LINUX_E2BIG;
	a->limit = stack_size / 4;
	if (a->limit > LOADER_ARG_SPACE_MAX)
		a->limit = LOADER_ARG_SPACE_MAX;
	if (a->limit < LOADER_ARG_MAX)
		a->limit = LOADER_ARG_MAX;
	ptrs = ((argc ? argc : 1) + envc) * sizeof(void *);
	if (a->limit <= ptrs)
		return -LINUX_E2BIG;
	a->limit -= ptrs;
	err = args_charge(a, path);
	for (uint64_t i = 0; i < envc && !err; i++)
		err = args_charge(a, envp[i]);
	for (uint64_t i = 0; i < argc && !err; i++)
		err = args_insert(a, a->n, argv[i]);
	/* An empty argv gets "" as argv[0] (Linux 5.18+). */
	if (!err && a->n == 0)
		err = args_insert(a, 0, "");
	if (err)
		args_free(a);
	return err;
}

static int spacetab(char c)
{
	return c == ' ' || c == '\t';
}

static const char *next_non_spacetab(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

static const char *next_terminator(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/*
 * Split a "#!" line into interpreter and optional argument exactly as load_script() does
 * (Linux 5.1+): the line must end within the 256-byte buffer unless the interpreter path is
 * followed by a blank or NUL there (so it is certainly not truncated); the argument is the rest
 * of the line with blanks trimmed at both ends, as one string. Returns -ENOEXEC if not a script.
 */
int script_parse(const uint8_t raw[LOADER_BUF_SIZE], char **name, char **arg)
{
	char buf[LOADER_BUF_SIZE];
	const char *buf_end = buf + sizeof(buf) - 1, *i_name, *i_sep, *i_arg = NULL;
	char *i_end;

	*name = *arg = NULL;
	memcpy(buf, raw, sizeof(buf));
	if (buf[0] != '#' || buf[1] != '!')
		return -LINUX_ENOEXEC;
	i_end = memchr(buf, '\n', sizeof(buf));
	if (!i_end) {
		const char *p = next_non_spacetab(buf + 2, buf_end);

		if (!p || !next_terminator(p, buf_end))
			return -LINUX_ENOEXEC;
		i_end = (char *)buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	i_name = next_non_spacetab(buf + 2, i_end);
	if (!i_name || i_name == i_end)
		return -LINUX_ENOEXEC;
	i_sep = next_terminator(i_name, i_end);
	if (i_sep && *i_sep != '\0')
		i_arg = next_non_spacetab(i_sep, i_end);
	*i_end = '\0';
	if (i_arg) {
		*(char *)i_sep = '\0';
		*arg = strdup(i_arg);
		if (!*arg)
			return -LINUX_ENOMEM;
	}
	*name = strdup(i_name);
	if (!*name) {
		free(*arg);
		*arg = NULL;
		return -LINUX_ENOMEM;
	}
	return 0;
}

/* argv becomes [interpreter, argument?, script, argv[1:]...], charged against the limit. */
int script_rewrite(struct loader_args *a, const char *name, const char *arg, const char *script)
{
	int err;

	if (a->n > 0) {
		a->used -= strlen(a->v[0]) + 1;
		free(a->v[0]);
		memmove(a->v, a->v + 1, a->n * sizeof(*a->v));
		a->n--;
	}
	err = args_insert(a, 0, script);
	if (!err && arg)
		err = args_insert(a, 0, arg);
	if (!err)
		err = args_insert(a, 0, name);
	return err;
}
