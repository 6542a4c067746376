/* SPDX-License-Identifier: MIT */
/* Tries to reach outside its root in every way the confinement tests know; prints one line per
 * attempt with what came back (an errno name or the content read), so that a run under
 * `lxrun --root` can be compared with a real chroot. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static void show_read(const char *what, int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY);
	if (fd < 0) {
		printf("%s: %s\n", what, strerrorname_np(errno));
		return;
	}
	char buf[128] = {0};
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("%s: read \"%s\"\n", what, buf);
}

static void show_list(const char *what, const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		printf("%s: %s\n", what, strerrorname_np(errno));
		return;
	}
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	printf("%s:", what);
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	printf("\n");
}

static void show_rc(const char *what, int rc)
{
	printf("%s: %s\n", what, rc < 0 ? strerrorname_np(errno) : "ok");
}

int main(void)
{
	char cwd[4096];
	show_read("absolute", AT_FDCWD, "/outside/secret");
	show_read("dotdot", AT_FDCWD, "/../../../../outside/secret");
	show_read("relative dotdot", AT_FDCWD, "../../../../../outside/secret");
	show_read("symlink absolute", AT_FDCWD, "/links/abs");
	show_read("symlink relative", AT_FDCWD, "/links/rel");
	show_read("symlink chain", AT_FDCWD, "/links/chain1");
	show_read("symlink loop", AT_FDCWD, "/links/loop1");
	show_read("symlink dir escape", AT_FDCWD, "/links/updir/outside/secret");
	show_read("inside marker", AT_FDCWD, "/inside/marker");
	show_read("inside via dotdot", AT_FDCWD, "/links/../inside/marker");
	show_read("proc root", AT_FDCWD, "/proc/self/root/../../outside/secret");
	show_read("proc root marker", AT_FDCWD, "/proc/self/root/inside/marker");
	show_read("proc cwd", AT_FDCWD, "/proc/self/cwd/../../../outside/secret");
	int root = open("/", O_RDONLY | O_DIRECTORY);
	show_read("dirfd dotdot", root, "../../outside/secret");
	show_read("dirfd marker", root, "../inside/marker");
	show_list("list /", "/");
	show_list("list /..", "/..");
	show_list("list /links/updir", "/links/updir");
	show_rc("chdir ..", chdir("/../.."));
	printf("getcwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerrorname_np(errno));
	show_read("after chdir", AT_FDCWD, "outside/secret");
	show_rc("chdir inside", chdir("/inside"));
	show_rc("chdir ../..", chdir("../.."));
	printf("getcwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerrorname_np(errno));
	/* writes through escaping names must land inside the root (or fail) */
	int fd = open("/../../created-by-probe", O_CREAT | O_WRONLY, 0644);
	show_rc("create dotdot", fd);
	if (fd >= 0)
		close(fd);
	fd = open("/links/newabs", O_CREAT | O_WRONLY, 0644); /* dangling abs symlink */
	show_rc("create through dangling symlink", fd);
	if (fd >= 0)
		close(fd);
	show_rc("rename out", rename("/inside/movable", "/../../moved-by-probe"));
	show_rc("link out", link("/inside/marker", "/../../linked-by-probe"));
	show_rc("symlink then read", symlink("/outside/secret", "/inside/mylink"));
	show_read("read own symlink", AT_FDCWD, "/inside/mylink");
	show_rc("mkdir dotdot", mkdir("/../../dir-by-probe", 0755));
	show_rc("unlink through symlink dir", unlink("/links/updir/outside/secret"));
	show_list("list / after", "/");
	/* inotify watches resolve their path inside the root too */
	int in = inotify_init1(IN_CLOEXEC);
	show_rc("inotify absolute symlink", inotify_add_watch(in, "/links/abs", IN_ALL_EVENTS));
	show_rc("inotify dotdot", inotify_add_watch(in, "/../../outside", IN_ALL_EVENTS));
	show_rc("inotify updir", inotify_add_watch(in, "/links/updir/outside", IN_ALL_EVENTS));
	show_rc("inotify inside", inotify_add_watch(in, "/inside", IN_ALL_EVENTS) > 0 ? 0 : -1);
	close(in);
	/* a chroot inside the root only narrows it */
	show_rc("chroot inside", chroot("/inside"));
	show_rc("chroot chdir", chdir("/"));
	show_read("chroot marker", AT_FDCWD, "/marker");
	show_read("chroot dotdot", AT_FDCWD, "/../inside/marker");
	show_read("chroot relative", AT_FDCWD, "../../links/rel");
	show_list("chroot list /..", "/..");
	return 0;
}
