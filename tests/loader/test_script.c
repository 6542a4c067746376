/* SPDX-License-Identifier: MIT */
/* #! scripts and argument limits: loader_exec() against native execve(2), including the argv seen. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "abi/linux_errno.h"
#include "loader/loader.h"
#include "tests/loader/differential.h"

#define LOADER_ARG_STRLEN_TEST 131072 /* MAX_ARG_STRLEN: longest string, NUL included */

/* A script file made of pre, arg and post. */
static char *script(const char *name, const char *pre, const char *arg, const char *post)
{
	char text[1024];
	int n = snprintf(text, sizeof(text), "%s%s%s", pre, arg, post);

	return test_file(name, text, n, 0755);
}

/* Run natively and loaded; the program prints argv/envp/auxv facts, which must agree. */
static void expect_same_run(const char *path, char *const argv[], char *const envp[])
{
	static char nat[1 << 16], lod[1 << 16];
	int ns = native_run(path, argv, envp, nat, sizeof(nat));
	int ls = loaded_run(path, argv, envp, lod, sizeof(lod));

	cr_expect_eq(ls, ns, "%s: wait status native %#x, loaded %#x", path, ns, ls);
	cr_expect_str_eq(lod, nat, "%s: output differs\n--- native\n%s--- loaded\n%s", path, nat, lod);
}

Test(script, runs_like_native)
{
	const char *tiny = tiny_path("static");
	char *argv[] = { "name-ignored", "x", "y z", NULL };
	char *envp[] = { "A=1", "B=two", NULL };
	char *p;

	p = script("plain", "#!", tiny, "\n");
	cr_expect_eq(expect_same(p, argv, envp), 0);
	expect_same_run(p, argv, envp);
	p = script("onearg", "#!", tiny, "  one  two\t three \t\n");
	expect_same_run(p, argv, envp);
	p = script("tabs", "#!\t ", tiny, "\targ\n");
	expect_same_run(p, argv, envp);
	p = script("noeol", "#!", tiny, "");
	expect_same_run(p, argv, envp);
	p = script("trailing", "#!", tiny, "   \nrest of script\n");
	expect_same_run(p, argv, envp);
}

Test(script, nul_inside_line)
{
	char text[256];
	int n = snprintf(text, sizeof(text), "#!%s", tiny_path("static"));
	char *argv[] = { "s", NULL };
	char *p;

	memcpy(text + n, "\0junk x\n", 8);
	p = test_file("nul", text, n + 8, 0755);
	expect_same(p, argv, (char *[]){ NULL });
	expect_same_run(p, argv, (char *[]){ NULL });
}

/* Linux 5.1+: a line without newline in the first 256 bytes is fine unless the path itself
 * may be cut; then ENOEXEC. */
Test(script, long_lines)
{
	char line[600], *p;
	int n;

	n = snprintf(line, sizeof(line), "#!%s ", tiny_path("static"));
	memset(line + n, 'a', 400);
	line[n + 400] = '\n';
	p = test_file("longarg", line, n + 401, 0755);
	cr_expect_eq(expect_same1(p), 0);
	expect_same_run(p, (char *[]){ p, NULL }, (char *[]){ NULL });

	n = snprintf(line, sizeof(line), "#!%s", tiny_path("static"));
	memset(line + n, '/', 400);
	line[n + 400] = '\n';
	cr_expect_eq(expect_same1(test_file("longpath", line, n + 401, 0755)), -LINUX_ENOEXEC);

	memset(line, ' ', 300);
	memcpy(line, "#!", 2);
	cr_expect_eq(expect_same1(test_file("allblank", line, 300, 0755)), -LINUX_ENOEXEC);
}

Test(script, empty_interpreter)
{
	cr_expect_eq(expect_same1(test_file("e1", "#!\n", 3, 0755)), -LINUX_ENOEXEC);
	cr_expect_eq(expect_same1(test_file("e2", "#!   \t \n", 8, 0755)), -LINUX_ENOEXEC);
	/* No newline: the NUL padding after "#!" counts as an interpreter name "", which the
	 * kernel resolves to the current directory: EACCES. */
	cr_expect_eq(expect_same1(test_file("e3", "#!", 2, 0755)), -LINUX_EACCES);
	cr_expect_eq(expect_same1(test_file("e4", "#", 1, 0755)), -LINUX_ENOEXEC);
}

Test(script, bad_interpreters)
{
	struct blob b = blob_tiny("static");
	char *nox = test_file("nox", b.d, b.n, 0644);
	char *text = test_file("txt", "just text\n", 10, 0755);

	cr_expect_eq(expect_same1(script("missing", "#!", "/nonexistent/sh", "\n")), -LINUX_ENOENT);
	cr_expect_eq(expect_same1(script("crlf", "#!", tiny_path("static"), "\r\n")), -LINUX_ENOENT);
	cr_expect_eq(expect_same1(script("dir", "#!", test_dir(), "\n")), -LINUX_EACCES);
	cr_expect_eq(expect_same1(script("nox_i", "#!", nox, "\n")), -LINUX_EACCES);
	cr_expect_eq(expect_same1(script("text_i", "#!", text, "\n")), -LINUX_ENOEXEC);
	/* The script itself must be executable too. */
	cr_expect_eq(expect_same1(test_file("noxscript", "#!/bin/true\n", 12, 0644)), -LINUX_EACCES);
	free(b.d);
}

Test(script, loops)
{
	char a[256], bpath[256];

	snprintf(a, sizeof(a), "%s/loopA", test_dir());
	snprintf(bpath, sizeof(bpath), "%s/loopB", test_dir());
	script("loopA", "#!", bpath, "\n");
	script("loopB", "#!", a, "\n");
	cr_expect_eq(expect_same1(a), -LINUX_ELOOP);
	snprintf(a, sizeof(a), "%s/self", test_dir());
	cr_expect_eq(expect_same1(script("self", "#!", a, "\n")), -LINUX_ELOOP);
}

/* Linux allows a chain of 5 scripts in front of the ELF; the 6th is ELOOP. */
Test(script, nesting_depth)
{
	const char *prev = tiny_path("static");
	char name[16], *p = NULL;

	for (int depth = 1; depth <= 7; depth++) {
		snprintf(name, sizeof(name), "chain%d", depth);
		p = script(name, "#!", prev, " arg\n");
		cr_expect_eq(expect_same1(p), depth <= 5 ? 0 : -LINUX_ELOOP, "depth %d", depth);
		prev = p;
	}
	p = script("chain3run", "#!", tiny_path("static"), "\n");
	p = script("chain3run2", "#!", p, " x\n");
	expect_same_run(p, (char *[]){ "argv0", "last", NULL }, (char *[]){ "K=V", NULL });
}

Test(script, script_with_dynamic_interpreter)
{
	char *p = script("dynint", "#!", tiny_path("dyn"), " --flag\n");

	expect_same_run(p, (char *[]){ p, "1", NULL }, (char *[]){ "PATH=/bin", NULL });
}

Test(args, empty_argv)
{
	expect_same_run(tiny_path("static"), (char *[]){ NULL }, (char *[]){ NULL });
	expect_same_run(tiny_path("static"), NULL, NULL);
}

Test(args, string_length_limit)
{
	char *s = malloc(LOADER_ARG_STRLEN_TEST + 1);

	memset(s, 'x', LOADER_ARG_STRLEN_TEST);
	s[LOADER_ARG_STRLEN_TEST] = '\0';
	/* 131072 bytes with the NUL is the most one string may have. */
	cr_expect_eq(expect_same(tiny_path("static"), (char *[]){ "t", s + 1, NULL }, (char *[]){ NULL }), 0);
	cr_expect_eq(expect_same(tiny_path("static"), (char *[]){ "t", s, NULL }, (char *[]){ NULL }),
		     -LINUX_E2BIG);
	cr_expect_eq(expect_same(tiny_path("static"), (char *[]){ "t", NULL }, (char *[]){ s, NULL }),
		     -LINUX_E2BIG);
	free(s);
}

/* With an 8 MiB stack the strings and pointers may take a quarter of it. */
Test(args, total_limit)
{
	char *s = malloc(100001), *envp[40];

	memset(s, 'e', 100000);
	s[100000] = '\0';
	for (int n = 18; n <= 24; n += 3) {
		for (int i = 0; i < n; i++)
			envp[i] = s;
		envp[n] = NULL;
		expect_same(tiny_path("static"), (char *[]){ "t", NULL }, envp);
	}
	for (int i = 0; i < 20; i++)
		envp[i] = s;
	envp[20] = NULL;
	cr_expect_eq(expect_same(tiny_path("static"), (char *[]){ "t", NULL }, envp), 0);
	for (int i = 0; i < 22; i++)
		envp[i] = s;
	envp[22] = NULL;
	cr_expect_eq(expect_same(tiny_path("static"), (char *[]){ "t", NULL }, envp), -LINUX_E2BIG);
	free(s);
}
