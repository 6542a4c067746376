/* SPDX-License-Identifier: MIT */
/* VM boot files: kernel discovery, vmlinux extraction, the rebuild stamp, and the ext4 disk. */
#include "vm/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abi/linux_errno.h"

#define STAMP_FORMAT 5 /* bump when the image layout changes */

extern char **environ;

int vm_run_tool(char *const argv[], const char *in, const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int r, status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in ? in : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null",
					 out ? O_WRONLY | O_CREAT | O_TRUNC : O_WRONLY, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return -r;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The x86 boot protocol: "HdrS" at 0x202; the u16 at 0x20e plus 0x200 is the offset of the
 * NUL-terminated version string ("6.1.0-57-amd64 (debian-kernel@...) #1 SMP ..."). */
static int kernel_header(const char *path, struct vm_kernel *k, char *why)
{
	uint8_t hdr[0x210];
	char ver[sizeof(k->version)];
	ssize_t n;
	size_t l;
	off_t off;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, VM_WHY_LEN, "kernel %s: %s", path, strerror(errno));
		return -LINUX_ENOENT;
	}
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr + 0x202, "HdrS", 4)) {
		close(fd);
		snprintf(why, VM_WHY_LEN,
			 "kernel %s is not a Linux x86 kernel image (a bzImage such as "
			 "/boot/vmlinuz-*: no boot header)",
			 path);
		return -LINUX_ENOEXEC;
	}
	off = 0x200 + (hdr[0x20e] | hdr[0x20f] << 8);
	n = pread(fd, ver, sizeof(ver) - 1, off);
	close(fd);
	ver[n > 0 ? n : 0] = 0;
	l = strcspn(ver, " ");
	if (n <= 0 || !l || l >= sizeof(k->release) || strlen(ver) == sizeof(ver) - 1) {
		snprintf(why, VM_WHY_LEN, "kernel %s has no readable version string", path);
		return -LINUX_ENOEXEC;
	}
	snprintf(k->version, sizeof(k->version), "%s", ver);
	memcpy(k->release, ver, l);
	k->release[l] = 0;
	return 0;
}

/* Newest /boot/vmlinuz-RELEASE whose /lib/modules/RELEASE exists, or the configured one. */
int vm_kernel_find(const struct vm_config *cfg, struct vm_kernel *k, char *why)
{
	struct stat st;
	int r;

	memset(k, 0, sizeof(*k));
	if (cfg->kernel[0]) {
		snprintf(k->image, sizeof(k->image), "%s", cfg->kernel);
	} else {
		struct dirent **names;
		int i, n = scandir("/boot", &names, NULL, versionsort);

		for (i = n - 1; i >= 0; i--) {
			char mod[PATH_MAX];

			if (!k->image[0] && !strncmp(names[i]->d_name, "vmlinuz-", 8)) {
				snprintf(mod, sizeof(mod), "/lib/modules/%s/modules.dep",
					 names[i]->d_name + 8);
				if (!access(mod, R_OK))
					snprintf(k->image, sizeof(k->image), "/boot/%s",
						 names[i]->d_name);
			}
			free(names[i]);
		}
		if (n >= 0)
			free(names);
		if (!k->image[0]) {
			snprintf(why, VM_WHY_LEN,
				 "no kernel found: vm mode needs /boot/vmlinuz-RELEASE with "
				 "/lib/modules/RELEASE (apt-get install linux-image-amd64), or "
				 "--kernel PATH");
			return -LINUX_ENOENT;
		}
	}
	if (stat(k->image, &st) < 0) {
		snprintf(why, VM_WHY_LEN, "kernel %s: %s%s", k->image, strerror(errno),
			 cfg->kernel[0] ? " (given with --kernel or LXRUN_VM_KERNEL)"
					: " (apt-get install linux-image-amd64)");
		return -LINUX_ENOENT;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, VM_WHY_LEN, "kernel %s is not a regular file", k->image);
		return -LINUX_EINVAL;
	}
	r = kernel_header(k->image, k, why);
	if (r < 0)
		return r;
	/* a kernel without a module tree must have its drivers built in */
	snprintf(k->modules, sizeof(k->modules), "/lib/modules/%s", k->release);
	if (stat(k->modules, &st) < 0 || !S_ISDIR(st.st_mode))
		k->modules[0] = 0;
	return 0;
}

/* The PVH entry lives in the ELF vmlinux, which the bzImage carries xz-compressed: find the xz
 * stream and let xz decompress it (--single-stream ignores the trailer behind it). */
static int extract_vmlinux(const char *bzimage, const char *out, const char *tmpdir, char *why)
{
	static const uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	char payload[PATH_MAX], tmp[PATH_MAX];
	uint8_t *data, *p, elf[4];
	struct stat st;
	int fd, r;

	fd = open(bzimage, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !(data = malloc((size_t)st.st_size))) {
		snprintf(why, VM_WHY_LEN, "cannot read kernel %s: %s", bzimage, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -LINUX_EIO;
	}
	if (read(fd, data, (size_t)st.st_size) != st.st_size) {
		snprintf(why, VM_WHY_LEN, "cannot read kernel %s", bzimage);
		free(data);
		close(fd);
		return -LINUX_EIO;
	}
	close(fd);
	p = memmem(data, (size_t)st.st_size, magic, sizeof(magic));
	if (!p) {
		snprintf(why, VM_WHY_LEN,
			 "kernel %s has no xz payload (only xz-compressed bzImages are supported)",
			 bzimage);
		free(data);
		return -LINUX_ENOEXEC;
	}
	snprintf(payload, sizeof(payload), "%s/vmlinux.xz.tmp", tmpdir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	fd = open(payload, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	r = fd < 0 ? -errno : 0;
	if (fd >= 0 && write(fd, p, (size_t)(data + st.st_size - p)) != data + st.st_size - p)
		r = -LINUX_ENOSPC;
	if (fd >= 0)
		close(fd);
	free(data);
	if (r < 0) {
		snprintf(why, VM_WHY_LEN, "cannot write %s: %s", payload, strerror(-r));
		unlink(payload);
		return r;
	}
	char *const argv[] = {"/usr/bin/xz", "-dc", "--single-stream", NULL};

	r = vm_run_tool(argv, payload, tmp);
	unlink(payload);
	if (r != 0) {
		snprintf(why, VM_WHY_LEN, "xz could not decompress the kernel %s (%s)", bzimage,
			 r < 0 ? strerror(-r) : "bad data or disk full");
		unlink(tmp);
		return r < 0 ? r : -LINUX_EIO;
	}
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	r = fd >= 0 && read(fd, elf, 4) == 4 && !memcmp(elf, "\177ELF", 4);
	if (fd >= 0)
		close(fd);
	if (!r) {
		snprintf(why, VM_WHY_LEN, "the payload of %s is not an ELF vmlinux", bzimage);
		unlink(tmp);
		return -LINUX_ENOEXEC;
	}
	return rename(tmp, out) < 0 ? -errno : 0;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	while (n--)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

static void stamp_file(char *out, size_t len, const char *key, const char *path)
{
	struct stat st;
	size_t l = strlen(out);

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	snprintf(out + l, len - l, "%s=%s %lld %lld.%09ld\n", key, path, (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* Everything the boot files are made from: kernel, module index and directory, agent. */
static void stamp_make(const struct vm_kernel *k, char *out, size_t len)
{
	char path[PATH_MAX + 32];
	const uint8_t *agent;
	size_t alen;

	agent = vm_agent_blob(&alen);
	snprintf(out, len, "format=%d\nagent=%zu %016llx\n", STAMP_FORMAT, alen,
		 (unsigned long long)fnv1a(agent, alen));
	stamp_file(out, len, "kernel", k->image);
	if (!k->modules[0])
		return;
	snprintf(path, sizeof(path), "%s/modules.dep", k->modules);
	stamp_file(out, len, "modules.dep", path);
	snprintf(path, sizeof(path), "%s/kernel", k->modules);
	stamp_file(out, len, "modules", path);
}

static bool stamp_matches(const char *path, const char *want)
{
	char have[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, have, sizeof(have) - 1);
	close(fd);
	if (n < 0)
		return false;
	have[n] = 0;
	return !strcmp(have, want);
}

int vm_image_ensure(const struct vm_config *cfg, vm_progress_fn progress, void *ctx, char *why)
{
	char stamp[4096], spath[PATH_MAX], lpath[PATH_MAX], kpath[PATH_MAX], ipath[PATH_MAX];
	char itmp[PATH_MAX + 8], msg[256];
	struct vm_kernel k;
	int r, lock;

	r = vm_kernel_find(cfg, &k, why);
	if (r < 0)
		return r;
	stamp_make(&k, stamp, sizeof(stamp));
	if (vm_path(cfg, "image.stamp", spath) || vm_path(cfg, "image.lock", lpath) ||
	    vm_path(cfg, "vmlinux", kpath) || vm_path(cfg, "initramfs.cpio", ipath))
		return -LINUX_ENAMETOOLONG;
	if (stamp_matches(spath, stamp) && !access(kpath, R_OK) && !access(ipath, R_OK))
		return 0;
	/* two lxrun processes may get here at once: one builds, the other waits and re-checks */
	lock = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		snprintf(why, VM_WHY_LEN, "cannot lock %s: %s", lpath, strerror(errno));
		if (lock >= 0)
			close(lock);
		return -LINUX_EIO;
	}
	if (stamp_matches(spath, stamp) && !access(kpath, R_OK) && !access(ipath, R_OK))
		goto out;
	snprintf(msg, sizeof(msg), "building VM image (kernel %s%s)...", k.release,
		 k.modules[0] ? "" : ", no /lib/modules for it: its drivers must be built in");
	if (progress)
		progress(msg, ctx);
	unlink(spath);
	r = extract_vmlinux(k.image, kpath, cfg->state_dir, why);
	if (r < 0)
		goto out;
	snprintf(itmp, sizeof(itmp), "%s.tmp", ipath);
	r = vm_initramfs_build(itmp, k.modules, why);
	if (r < 0) {
		unlink(itmp);
		goto out;
	}
	if (rename(itmp, ipath) < 0) {
		r = -errno;
		goto out;
	}
	int fd = open(spath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, stamp, strlen(stamp)) != (ssize_t)strlen(stamp)) {
		r = -LINUX_EIO;
		snprintf(why, VM_WHY_LEN, "cannot write %s", spath);
		if (fd >= 0)
			unlink(spath);
	}
	if (fd >= 0)
		close(fd);
out:
	close(lock);
	return r;
}

/*
 * Give every block of the disk image host space now: a sparse image would need host space
 * when the guest writes, and on a full host file system QEMU then pauses the VM (its ENOSPC
 * policy) and every command hangs. Allocated up front, the guest's writes never fail for the
 * host's lack of room; a disk that cannot get its space fails here, before the boot, with the
 * reason. File systems without fallocate keep the image sparse.
 */
static int disk_allocate(const struct vm_config *cfg, const char *path, char *why)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC), r = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(why, VM_WHY_LEN, "cannot open the VM's disk %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	if ((off_t)st.st_blocks * 512 < st.st_size && fallocate(fd, 0, 0, st.st_size) < 0 &&
	    errno != EOPNOTSUPP) {
		r = -errno;
		snprintf(why, VM_WHY_LEN,
			 "no room for the VM's %lld MiB ext4 disk %s on the host: %s (free space "
			 "in %s, or 'lxrun vm reset-disk' and a smaller --disk-size)",
			 (long long)(st.st_size >> 20), path, strerror(errno), cfg->state_dir);
	}
	close(fd);
	return r;
}

int vm_disk_ensure(const struct vm_config *cfg, vm_progress_fn progress, void *ctx, char *why)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], empty[PATH_MAX], size[32], msg[128];
	int r;

	if (vm_path(cfg, "disk.img", path) || vm_path(cfg, "disk.empty", empty))
		return -LINUX_ENAMETOOLONG;
	if (!access(path, R_OK))
		return disk_allocate(cfg, path, why);
	snprintf(msg, sizeof(msg), "creating the VM's ext4 disk (%u MiB)...", cfg->disk_mb);
	if (progress)
		progress(msg, ctx);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(size, sizeof(size), "%uM", cfg->disk_mb);
	mkdir(empty, 0755);
	unlink(tmp);
	/* its space first: on a full host this fails with the reason, not inside mkfs.ext4 */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || ftruncate(fd, (off_t)cfg->disk_mb << 20) < 0) {
		r = -errno;
		snprintf(why, VM_WHY_LEN, "cannot create the VM's disk %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		rmdir(empty);
		unlink(tmp);
		return r;
	}
	close(fd);
	r = disk_allocate(cfg, tmp, why);
	if (r < 0) {
		rmdir(empty);
		unlink(tmp);
		return r;
	}
	/* -d makes the image without root; eager inode/journal init keeps the first
	 * measurements free of background work; nodiscard: a discard would punch holes into
	 * the space just allocated */
	char *const argv[] = {"/sbin/mkfs.ext4",
			      "-q",
			      "-F",
			      "-L",
			      "lxrun-disk",
			      "-E",
			      "lazy_itable_init=0,lazy_journal_init=0,nodiscard",
			      "-d",
			      empty,
			      tmp,
			      size,
			      NULL};

	r = vm_run_tool(argv, NULL, NULL);
	rmdir(empty);
	if (r != 0) {
		snprintf(why, VM_WHY_LEN, "mkfs.ext4 failed for %s (%s)", tmp,
			 r < 0 ? strerror(-r) : "see mkfs.ext4; is the disk full?");
		unlink(tmp);
		return r < 0 ? r : -LINUX_EIO;
	}
	return rename(tmp, path) < 0 ? -errno : 0;
}
