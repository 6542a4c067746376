/* SPDX-License-Identifier: MIT */
/* A distro's vm-mode image: an ext4 file system made from its tree (mkfs.ext4 -d), kept in
 * STATE/distros/NAME/vm/disk.img, the disk of the distro's own VM (STATE/distros/NAME/vm is
 * that VM's state directory). It is a copy: vm mode and translate mode do not share changes. */
#include "distro/distro.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int distro_vm_dir(const char *name, char *out)
{
	return distro_path(name, "vm", out);
}

int distro_vm_image(const char *name, int rebuild, int quiet, char *why)
{
	char dir[PATH_MAX], img[PATH_MAX + 16], tmp[PATH_MAX + 32], rootfs[PATH_MAX];
	int r = distro_exists(name, why);

	if (r < 0)
		return r;
	if (distro_vm_dir(name, dir) < 0 || distro_path(name, "rootfs", rootfs) < 0)
		return -ENAMETOOLONG;
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	if (!rebuild && access(img, R_OK) == 0)
		return 0;
	if (geteuid() != 0) {
		snprintf(why, DISTRO_WHY_LEN,
			 "the vm image of '%s' is built as root only (mkfs.ext4 -d copies the host "
			 "owners, which a normal user's tree does not have)",
			 name);
		return -EPERM;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(why, DISTRO_WHY_LEN, "cannot create %s: %s", dir, strerror(-r));
		return r;
	}
	if ((r = distro_prepare_root(rootfs, why)) < 0)
		return r;
	struct distro_info *v = NULL;
	uint64_t tree = 0;
	int n = distro_list(&v, 1, why);
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			tree = v[i].size;
	free(v);
	/* room for the packages installed in vm mode: half the tree again, at least 1 GiB */
	uint64_t mb = tree / (1 << 20) * 3 / 2 + 1024;
	char size[32];
	snprintf(size, sizeof(size), "%lluM", (unsigned long long)mb);
	snprintf(tmp, sizeof(tmp), "%s.partial", img);
	unlink(tmp);
	if (!quiet)
		fprintf(stderr, "lxrun distro: building the vm image of '%s' from its tree (%llu MiB "
				"of files, a %llu MiB ext4 file system)\n",
			name, (unsigned long long)(tree >> 20), (unsigned long long)mb);
	char *const argv[] = {"mkfs.ext4", "-q", "-F", "-L", (char *)name, "-d", rootfs, tmp, size,
			      NULL};
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	int e = posix_spawnp(&pid, "mkfs.ext4", &fa, NULL, argv, environ);
	if (e)
		e = posix_spawn(&pid, "/sbin/mkfs.ext4", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e) {
		snprintf(why, DISTRO_WHY_LEN, "cannot run mkfs.ext4: %s (apt-get install e2fsprogs)",
			 strerror(e));
		return -e;
	}
	/* progress: the image's allocated bytes against the tree's */
	int status, last = -1;
	time_t t0 = time(NULL);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = 255 << 8;
			break;
		}
		struct stat st;
		if (!quiet && tree && stat(tmp, &st) == 0) {
			int pct = (int)((uint64_t)st.st_blocks * 512 * 100 / tree);
			pct = pct > 99 ? 99 : pct;
			if (isatty(2))
				fprintf(stderr, "\rlxrun distro: vm image %3d%% (%ld s)", pct,
					(long)(time(NULL) - t0));
			else if (pct / 25 != last / 25)
				fprintf(stderr, "lxrun distro: vm image %d%%\n", pct);
			last = pct;
		}
		usleep(200 * 1000);
	}
	if (!quiet && isatty(2))
		fputc('\n', stderr);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		unlink(tmp);
		snprintf(why, DISTRO_WHY_LEN, "mkfs.ext4 -d %s failed (exit %d; is the disk full?)",
			 rootfs, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -EIO;
	}
	if (rename(tmp, img) < 0) {
		r = -errno;
		unlink(tmp);
		snprintf(why, DISTRO_WHY_LEN, "cannot rename %s: %s", tmp, strerror(-r));
		return r;
	}
	if (!quiet)
		fprintf(stderr, "lxrun distro: vm image of '%s' ready (%s)\n", name, img);
	return 0;
}
