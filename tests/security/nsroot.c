/* SPDX-License-Identifier: MIT */
/*
 * The native reference for the escape suite: runs a program in a real container root, the
 * way a container runtime would. New mount and pid namespaces; ROOT bind-mounted on itself
 * and made the namespace's root with pivot_root (so ".." can never climb above it, even after
 * a chroot escape); a fresh /proc (this pid namespace's) and a tmpfs /dev with the devices
 * lxrun's devfs has; CAP_SYS_ADMIN, CAP_MKNOD and CAP_DAC_READ_SEARCH dropped, as container
 * runtimes do (no mount, no device nodes, no open_by_handle_at). The rest of root's
 * capabilities stay, as lxrun's guest keeps them.
 * usage: nsroot ROOT CWD PROGRAM [ARG...]    (exit 77: namespaces unavailable here)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "nsroot: %s %s: %s\n", what, arg, strerror(errno));
	exit(77);
}

static void drop_cap(int cap)
{
	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
		die("cannot drop capability", "");
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		die("capget", "");
	for (int i = 0; i < 2; i++) {
		unsigned bit = cap / 32 == i ? 1u << (cap % 32) : 0;
		d[i].effective &= ~bit;
		d[i].permitted &= ~bit;
		d[i].inheritable &= ~bit;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		die("capset", "");
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: nsroot ROOT CWD PROGRAM [ARG...]\n");
		return 2;
	}
	const char *root = argv[1];
	if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
		die("unshare", "");
	pid_t pid = fork();
	if (pid < 0)
		die("fork", "");
	if (pid > 0) {
		int st;
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid", "");
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	char p[4096];
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("mount --make-rprivate", "/");
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind mount", root);
	snprintf(p, sizeof(p), "%s/proc", root);
	if (mount("proc", p, "proc", 0, NULL) < 0)
		die("mount proc on", p);
	snprintf(p, sizeof(p), "%s/dev", root);
	if (mount("tmpfs", p, "tmpfs", 0, "mode=755") < 0)
		die("mount tmpfs on", p);
	static const struct { const char *name; int maj, min; } devs[] = {
		{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8},
		{"urandom", 1, 9}, {"tty", 5, 0}, {"ptmx", 5, 2}};
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		snprintf(p, sizeof(p), "%s/dev/%s", root, devs[i].name);
		if (mknod(p, S_IFCHR | 0666, makedev(devs[i].maj, devs[i].min)) < 0)
			die("mknod", p);
	}
	static const char *const links[][2] = {{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"},
		{"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/dev/%s", root, links[i][0]);
		if (symlink(links[i][1], p) < 0)
			die("symlink", p);
	}
	snprintf(p, sizeof(p), "%s/dev/shm", root);
	if (mkdir(p, 01777) < 0 || chmod(p, 01777) < 0)
		die("mkdir", p);
	snprintf(p, sizeof(p), "%s/dev/pts", root);
	if (mkdir(p, 0755) < 0)
		die("mkdir", p);
	if (chdir(root) < 0)
		die("chdir", root);
	if (mkdir(".nsroot-old", 0700) < 0)
		die("mkdir", ".nsroot-old");
	if (syscall(SYS_pivot_root, ".", ".nsroot-old") < 0)
		die("pivot_root", root);
	if (umount2("/.nsroot-old", MNT_DETACH) < 0)
		die("umount", "/.nsroot-old");
	if (rmdir("/.nsroot-old") < 0)
		die("rmdir", "/.nsroot-old");
	if (chdir(argv[2]) < 0)
		die("chdir", argv[2]);
	drop_cap(CAP_SYS_ADMIN);
	drop_cap(CAP_MKNOD);
	drop_cap(CAP_DAC_READ_SEARCH);
	execv(argv[3], argv + 3);
	die("execv", argv[3]);
}
