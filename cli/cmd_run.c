/* SPDX-License-Identifier: MIT */
/* lxrun [--mode translate] ...: option parsing, PATH lookup, start of translate mode. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "cli/cli.h"
#include "cli/fatal.h"
#include "distro/distro.h"
#include "translator/exec.h"
#include "translator/engine/engine.h"
#include "translator/stats.h"
#include "translator/translator.h"

extern char **environ;

/* An O_PATH fd of path (absolute, inside root) resolved as the guest would: symlinks (an
 * /etc/alternatives link) stay inside root. -1 when it does not resolve. */
static int open_in_root(const char *root, const char *path)
{
	int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -1;
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	while (*path == '/')
		path++;
	long fd = syscall(SYS_openat2, rfd, *path ? path : ".", &how, sizeof(how));
	close(rfd);
	return fd < 0 ? -1 : (int)fd;
}

/* execvp's rule: PROGRAM with a slash is a path; otherwise the first PATH entry that has an
 * executable regular file of that name (or, failing that, the first that has the name). */
static int find_program(const char *root, const char *name, char *out, size_t len)
{
	if (!*name)
		return -LINUX_ENOENT;
	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int found_noexec = 0;
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		char cand[4096];
		snprintf(cand, sizeof(cand), "%.*s%s%s", (int)n, n ? path : ".", "/", name);
		struct stat st;
		char host[8192];
		int fd = -1;
		snprintf(host, sizeof(host), "%s%s", root ? root : "", cand);
		if (root && (fd = open_in_root(root, cand)) >= 0) /* links resolve inside ROOT */
			snprintf(host, sizeof(host), "/proc/self/fd/%d", fd);
		int found = stat(host, &st) == 0 && S_ISREG(st.st_mode);
		int exec = found && access(host, X_OK) == 0;
		if (fd >= 0)
			close(fd);
		if (found) {
			if (exec) {
				snprintf(out, len, "%s", cand);
				return 0;
			}
			if (!found_noexec) {
				snprintf(out, len, "%s", cand);
				found_noexec = 1;
			}
		}
		path = end ? end + 1 : path + n;
	}
	return found_noexec ? 0 : -LINUX_ENOENT;
}

/* fds 0-2 closed by lxrun's parent stay closed for the guest; a /dev/null holds each number
 * meanwhile so that nothing lxrun opens lands there (and looks inherited). */
static unsigned hold_closed_stdio(void)
{
	unsigned closed = 0;
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int h = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (h == fd)
			closed |= 1u << fd;
		else if (h >= 0)
			close(h);
	}
	return closed;
}

int cmd_run_translate(int argc, char **argv)
{
	struct lx_run_opts o = {.engine = "auto", .envp = environ};
	o.stdio_closed = hold_closed_stdio();
	const char *exec_path = NULL, *distro = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--mode") == 0 && i + 1 < argc) {
			i++;
		} else if (strcmp(a, "--mode=translate") == 0) {
		} else if (strcmp(a, "--engine") == 0 && i + 1 < argc) {
			o.engine = argv[++i];
		} else if (strncmp(a, "--engine=", 9) == 0) {
			o.engine = a + 9;
		} else if (strcmp(a, "--trace") == 0) {
			o.trace = stderr;
		} else if (strncmp(a, "--trace=", 8) == 0) {
			o.trace = fopen(a + 8, "we");
			if (!o.trace) {
				cli_err("%s: %s", a + 8, strerror(errno));
				return 125;
			}
		} else if (strcmp(a, "--root") == 0 && i + 1 < argc) {
			o.root = argv[++i];
		} else if (strncmp(a, "--root=", 7) == 0) {
			o.root = a + 7;
		} else if (strncmp(a, "--trace-fd=", 11) == 0) {
			/* internal: a re-executed lxrun (guest execve) keeps tracing to the same fd */
			o.trace = fdopen(atoi(a + 11), "a");
			if (o.trace)
				fcntl(fileno(o.trace), F_SETFD, FD_CLOEXEC);
		} else if (strncmp(a, "--exec-state=", 13) == 0) {
			o.exec_state = lx_exec_state_load(a + 13);
			if (!o.exec_state) {
				cli_err("--exec-state: %s", strerror(errno));
				return 125;
			}
		} else if (strcmp(a, "--exec-meta") == 0) {
			o.meta = 1; /* internal: distro import/export as a normal user */
		} else if (strncmp(a, "--exec-host-mount=", 18) == 0) {
			o.host_mount = a + 18;
		} else if ((strcmp(a, "-d") == 0 || strcmp(a, "--distro") == 0) && i + 1 < argc) {
			distro = argv[++i];
		} else if (strncmp(a, "--distro=", 9) == 0) {
			distro = a + 9;
		} else if (strncmp(a, "--exec-cwd=", 11) == 0) {
			o.exec_cwd = a + 11;
		} else if (strcmp(a, "--exec-path") == 0 && i + 1 < argc) {
			exec_path = argv[++i];
		} else if (strcmp(a, "--tmpfs") == 0 && i + 1 < argc) {
			o.tmpfs = argv[++i];
		} else if (strncmp(a, "--tmpfs=", 8) == 0) {
			o.tmpfs = a + 8;
		} else if (strcmp(a, "--contain") == 0) {
			o.contain = 1;
		} else if (strcmp(a, "--stats") == 0) {
			o.stats = 1;
			lx_stats_enable();
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o.verbose = 1;
		} else if (i + 1 == argc && (!strcmp(a, "--mode") || !strcmp(a, "--engine") ||
					     !strcmp(a, "--root") || !strcmp(a, "-d") ||
					     !strcmp(a, "--distro") || !strcmp(a, "--tmpfs"))) {
			cli_err("option '%s' needs a value (lxrun --help)", a);
			return 125;
		} else {
			cli_err("unknown option '%s' (lxrun --help)", a);
			return 125;
		}
	}
	if (!lx_engine_find(o.engine)) {
		char names[128] = "";
		for (const char *const *n = lx_engine_names; *n; n++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 n == lx_engine_names ? "" : ", ", *n);
		cli_err("unknown engine '%s' (available: %s)", o.engine, names);
		return 125;
	}
	if (i >= argc) {
		cli_err("no program given (lxrun --help)");
		return 125;
	}
	if (o.exec_state && !(o.envp = lx_exec_env_unhide(environ))) {
		cli_err("out of memory");
		return 125;
	}
	static char path[4096], droot[4096];
	if (distro) {
		if (o.root) {
			cli_err("-d and --root exclude each other (a distro is its own root)");
			return 125;
		}
		int r = cli_distro_enter(distro, droot);
		if (r)
			return r;
		o.root = droot;
		o.host_mount = DISTRO_HOST_MOUNT;
	}
	if (o.root) {
		struct stat st;
		if (stat(o.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
			cli_err("--root %s: %s", o.root, stat(o.root, &st) < 0 ? strerror(errno) : "Not a directory");
			return 125;
		}
	}
	if (exec_path) {
		snprintf(path, sizeof(path), "%s", exec_path);
	} else if (find_program(o.root, argv[i], path, sizeof(path)) < 0) {
		cli_err("%s: command not found", argv[i]);
		return 127;
	}
	o.path = path;
	cli_fatal_init(argv[i]);
	o.argv = argv + i;
	const char *why = NULL;
	int r = lx_run(&o, &why);
	/* Only failures come back: the errno as a shell would word it, and the reason. */
	if (why && strcmp(why, strerror(-r)) != 0)
		cli_err("%s: %s (%s)", path, strerror(-r), why);
	else
		cli_err("%s: %s", path, strerror(-r));
	return r == -LINUX_ENOENT ? 127 : 126;
}
