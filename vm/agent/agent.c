/* SPDX-License-Identifier: MIT */
/* lxrun's in-guest init: mounts the guest root from the host share and serves exec requests. */
#include "vm/agent/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "vm/proto.h"

#define MODULE_DIR "/modules"
#define SHARE_9P   "/run/lxrun/9p"
#define SHARE_VFS  "/run/lxrun/vfs"
#define DISK_DIR   "/mnt/lxrun-disk"

static char cmdline[4096];

/* Seconds since the kernel started, for the boot-phase log lines in console.log. */
static double uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void agent_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("lxrun-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

const char *agent_param(const char *key)
{
	static char val[1024];
	size_t kl = strlen(key);
	char *p = cmdline;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, "lxrun.", 6) && !strncmp(p + 6, key, kl) && p[6 + kl] == '=') {
			size_t n = strcspn(p + 7 + kl, " \n");

			if (n >= sizeof(val))
				n = sizeof(val) - 1;
			memcpy(val, p + 7 + kl, n);
			val[n] = 0;
			return val;
		}
		p = strchr(p, ' ');
	}
	return NULL;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		tmp[i] = i < n ? '/' : 0;
	}
	return 0;
}

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		    const char *opts)
{
	int r = mkdir_p(dst, 0755);

	if (r < 0)
		return r;
	if (mount(src, dst, type, flags, opts) < 0) {
		r = -errno;
		agent_log("mount %s on %s (%s, %s): %s", src, dst, type ? type : "-",
			  opts ? opts : "", strerror(errno));
		return r;
	}
	return 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The image builder numbered the modules in dependency order; failures are logged, not fatal,
 * because an alias can name modules this CPU cannot run (crc32c-intel without SSE4.2). */
static void load_modules(void)
{
	struct dirent **names;
	int i, n = scandir(MODULE_DIR, &names, NULL, cmp_names);

	for (i = 0; i < n; i++) {
		char path[512];
		int fd;

		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), MODULE_DIR "/%s", names[i]->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0 && syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
				agent_log("module %s: %s", names[i]->d_name, strerror(errno));
			if (fd >= 0)
				close(fd);
			/* the file is no longer needed: give its memory back */
			unlink(path);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* virtio devices probe asynchronously after their driver loads: retry for a while. */
static int mount_retry(const char *src, const char *dst, const char *type, unsigned long flags,
		       const char *opts)
{
	int i, r = 0;

	for (i = 0; i < 200; i++) {
		r = mkdir_p(dst, 0755);
		if (r < 0)
			return r;
		if (mount(src, dst, type, flags, opts) == 0)
			return 0;
		r = -errno;
		if (r != -ENOENT && r != -ENODEV && r != -ENXIO && r != -EINVAL)
			break;
		usleep(10000);
	}
	agent_log("mount %s on %s (%s, %s): %s", src, dst, type, opts ? opts : "", strerror(-r));
	return r;
}

static int mount_shares(void)
{
	const char *opts9p = agent_param("9p");
	char o[1200];
	int r;

	snprintf(o, sizeof(o), "trans=virtio,version=9p2000.L%s%s", opts9p ? "," : "",
		 opts9p ? opts9p : "");
	r = mount_retry("host9p", SHARE_9P, "9p", 0, o);
	if (r < 0)
		return r;
	if (agent_param("vfs")) {
		const char *v = agent_param("vfs");

		r = mount_retry("hostfs", SHARE_VFS, "virtiofs", 0,
				strcmp(v, "default") ? v : NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The new root: host / (read-only lower) under a tmpfs upper layer, so the guest can write
 * anywhere without touching the host outside the directories bound read-write per command. */
static int build_root(void)
{
	const char *root = agent_param("root");
	const char *lower = root && !strcmp(root, "virtiofs") ? SHARE_VFS : SHARE_9P;
	char o[512];
	int r;

	r = do_mount("tmpfs", "/run/lxrun/rw", "tmpfs", 0, "mode=0755");
	if (r < 0)
		return r;
	mkdir("/run/lxrun/rw/upper", 0755);
	mkdir("/run/lxrun/rw/work", 0755);
	snprintf(o, sizeof(o),
		 "lowerdir=%s,upperdir=/run/lxrun/rw/upper,workdir=/run/lxrun/rw/work", lower);
	r = do_mount("overlay", "/newroot", "overlay", 0, o);
	if (r < 0)
		return r;
	r = do_mount("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (!r)
		r = do_mount("sysfs", "/newroot/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     NULL);
	if (!r)
		r = do_mount("devtmpfs", "/newroot/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	if (!r)
		r = do_mount("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			     "newinstance,ptmxmode=0666,mode=0620,gid=5");
	if (!r)
		r = do_mount("tmpfs", "/newroot/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
			     "mode=1777");
	if (!r)
		r = do_mount("tmpfs", "/newroot/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	if (r < 0)
		return r;
	/* /dev/ptmx must be the devpts instance's, or openpt finds no slave */
	unlink("/newroot/dev/ptmx");
	symlink("pts/ptmx", "/newroot/dev/ptmx");
	if (do_mount(SHARE_9P, "/newroot" SHARE_9P, NULL, MS_MOVE, NULL) < 0)
		return -EIO;
	if (agent_param("vfs") &&
	    do_mount(SHARE_VFS, "/newroot" SHARE_VFS, NULL, MS_MOVE, NULL) < 0)
		return -EIO;
	if (agent_param("disk")) {
		r = mount_retry("/dev/vda", "/newroot" DISK_DIR, "ext4", 0, NULL);
		if (r < 0)
			agent_log("the lxrun disk is not available");
	}
	return 0;
}

int agent_boot(void)
{
	int fd, r;
	const char *host;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, "mode=0755");
	do_mount("proc", "/proc", "proc", 0, NULL);
	do_mount("sysfs", "/sys", "sysfs", 0, NULL);
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, cmdline, sizeof(cmdline) - 1);

		cmdline[n > 0 ? n : 0] = 0;
		close(fd);
	}
	host = agent_param("hostname");
	if (host)
		sethostname(host, strlen(host));
	agent_log("init at %.3f s", uptime());
	load_modules();
	agent_log("modules loaded at %.3f s", uptime());
	r = mount_shares();
	if (r < 0)
		return r;
	r = build_root();
	if (r < 0)
		return r;
	agent_net_setup("/newroot");
	agent_interop_install("/newroot");
	agent_log("root ready at %.3f s", uptime());
	if (chdir("/newroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0) {
		r = -errno;
		agent_log("switching to the new root: %s", strerror(errno));
		return r;
	}
	return 0;
}

/* Bind the share's view of PATH over PATH in the current mount namespace. */
static int bind_share(const char *path, unsigned int share)
{
	const char *base = share == VM_SHARE_VIRTIOFS ? SHARE_VFS : SHARE_9P;
	char src[4200];
	struct stat st;

	if (share == VM_SHARE_VIRTIOFS && !agent_param("vfs"))
		return -ENODEV;
	snprintf(src, sizeof(src), "%s%s", base, path);
	if (stat(src, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (stat(path, &st) < 0 && mkdir_p(path, 0755) < 0)
		return -errno;
	if (mount(src, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

/*
 * The first command to work in a directory binds its share there for every later command.
 * A command that asks for another share where one is already bound gets its own bind in a
 * mount namespace of its own (1 is returned: agent_bind_cwd_private in the child), so that
 * two commands running at once in one directory over different shares each see their own:
 * stacking the second bind on the first would move the first command's absolute paths onto
 * the other share under its feet.
 */
int agent_bind_cwd(const char *path, unsigned int share)
{
	static char bound[64][2][512]; /* path, share */
	static int nbound;
	int i, r;

	if (path[0] != '/' || strlen(path) >= 512)
		return -EINVAL;
	/* the root already shows the host's / (read-only), and the guest's own kernel file
	 * systems must not be covered by the host's through the share */
	static const char *const own[] = {"/proc", "/sys", "/dev", "/run"};
	if (!strcmp(path, "/"))
		return 0;
	for (i = 0; i < 4; i++) {
		size_t l = strlen(own[i]);

		if (!strncmp(path, own[i], l) && (path[l] == 0 || path[l] == '/'))
			return 0;
	}
	for (i = nbound - 1; i >= 0; i--) {
		size_t l = strlen(bound[i][0]);

		if (!strncmp(path, bound[i][0], l) && (path[l] == '/' || path[l] == 0 || l == 1)) {
			if (bound[i][1][0] == '0' + (int)share)
				return 0;
			if (share == VM_SHARE_VIRTIOFS && !agent_param("vfs"))
				return -ENODEV;
			return 1;
		}
	}
	r = bind_share(path, share);
	if (r < 0)
		return r;
	if (nbound < 64) {
		snprintf(bound[nbound][0], 512, "%s", path);
		bound[nbound][1][0] = '0' + share;
		bound[nbound][1][1] = 0;
		nbound++;
	}
	return 0;
}

/* In a command's child, before chdir: its own mount namespace (mounts made by the agent
 * still reach it; its own stay with it) with SHARE's view of PATH bound there. */
int agent_bind_cwd_private(const char *path, unsigned int share)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return -errno;
	return bind_share(path, share);
}

int agent_open_shared(const char *path, unsigned int share, uint64_t off)
{
	char src[4200];
	int fd;

	if (path[0] != '/')
		return -EINVAL;
	snprintf(src, sizeof(src), "%s%s",
		 share == VM_SHARE_VIRTIOFS && agent_param("vfs") ? SHARE_VFS : SHARE_9P, path);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (off && lseek(fd, (off_t)off, SEEK_SET) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

void agent_poweroff(void)
{
	sync();
	umount2(DISK_DIR, MNT_DETACH);
	sync();
	/* -no-reboot turns the reset into QEMU's exit */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *base = argc ? strrchr(argv[0], '/') : NULL;
	int r;

	/* the same binary is the guest's lxrun-host (a bind mount of /init) */
	if (argc && !strcmp(base ? base + 1 : argv[0], "lxrun-host"))
		return agent_hostcmd(argc, argv);
	if (getpid() != 1) {
		fprintf(stderr, "lxrun-agent: runs as init inside the lxrun VM only\n");
		return 2;
	}
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	r = agent_boot();
	if (r < 0)
		agent_log("boot failed: %s", strerror(-r));
	else
		r = agent_serve();
	agent_log("stopping: %s", strerror(-r));
	agent_poweroff();
}
