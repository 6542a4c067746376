/* SPDX-License-Identifier: MIT */
/*
 * Root's administrative calls, run natively and under lxrun (tests/hostadmin/run.sh compares
 * the outputs). "loop": a tmpfs mount, then a file-backed loop device formatted by mkfs.ext2,
 * mounted, written and read, statfs'd, unmounted and detached; every path cleans up (no mount
 * or loop device is left behind). "eperm": mount and umount2 as the container model answers
 * them (run with --root or --contain); "fsapi-eperm": fanotify, the new mount API, statmount,
 * open_by_handle_at, perf_event_open and adjtimex as the container model answers them. Output: one line per step, no host-specific numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <unistd.h>

static char dir[64], img[96], mnt[96], file[128], devname[32];
static int mounted, loopfd = -1, attached;

static void cleanup(void)
{
	if (mounted && umount2(mnt, MNT_DETACH) == 0)
		mounted = 0;
	if (attached && ioctl(loopfd, LOOP_CLR_FD, 0) == 0)
		attached = 0;
	if (loopfd >= 0)
		close(loopfd);
	loopfd = -1;
	unlink(file);
	unlink(img);
	rmdir(mnt);
	rmdir(dir);
}

static const char *err(int r)
{
	static char buf[64];
	if (r >= 0)
		return "ok";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(errno));
	return buf;
}

static int fail(const char *what)
{
	printf("%s: %s\n", what, strerrorname_np(errno));
	cleanup();
	return 1;
}

static int write_read(const char *what)
{
	int fd = open(file, O_CREAT | O_RDWR | O_TRUNC, 0644);
	char buf[32] = "";
	if (fd < 0 || write(fd, "hello", 5) != 5 || pread(fd, buf, sizeof(buf) - 1, 0) != 5)
		return fail(what);
	close(fd);
	printf("%s: read back '%s'\n", what, buf);
	return 0;
}

/* Is the mount point in this mount table (either format)? */
static int listed(const char *table)
{
	FILE *f = fopen(table, "re");
	char line[4096], pat[112];
	int found = 0;
	snprintf(pat, sizeof(pat), " %s ", mnt);
	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, pat) != NULL;
	if (f)
		fclose(f);
	return found;
}

static int attach(void)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return fail("open /dev/loop-control");
	int ifd = open(img, O_RDWR | O_CLOEXEC);
	if (ifd < 0)
		return fail("open image");
	/* another program may take the free device between the two calls: try again */
	for (int tries = 0; tries < 20 && !attached; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0)
			return fail("LOOP_CTL_GET_FREE");
		char dev[32];
		snprintf(dev, sizeof(dev), "/dev/loop%d", n);
		loopfd = open(dev, O_RDWR | O_CLOEXEC);
		if (loopfd < 0)
			return fail("open loop device");
		if (ioctl(loopfd, LOOP_SET_FD, ifd) == 0) {
			attached = 1;
			struct loop_info64 li;
			if (ioctl(loopfd, LOOP_GET_STATUS64, &li) < 0)
				return fail("LOOP_GET_STATUS64");
			printf("LOOP_SET_FD: ok, lo_number matches: %d\n", (int)li.lo_number == n);
			snprintf(devname, sizeof(devname), "%s", dev);
		} else if (errno != EBUSY) {
			return fail("LOOP_SET_FD");
		} else {
			close(loopfd);
			loopfd = -1;
		}
	}
	close(ifd);
	close(ctl);
	if (!attached) {
		errno = EBUSY;
		return fail("LOOP_SET_FD");
	}
	return 0;
}

/* keyrings and the UTS name (set to what it is: nothing changes) */
static void keys_test(void)
{
	long id = syscall(SYS_add_key, "user", "lxrun:hostadmin", "payload", 7,
			  -2 /* KEY_SPEC_PROCESS_KEYRING */);
	printf("add_key: %s\n", err((int)id));
	char buf[32] = "";
	long n = syscall(SYS_keyctl, 11 /* KEYCTL_READ */, id, buf, sizeof(buf) - 1);
	printf("keyctl read: %s '%s'\n", err((int)n), n > 0 ? buf : "");
	printf("keyctl join session: %s\n", err((int)syscall(SYS_keyctl, 1, NULL)));
	printf("request_key: %s\n",
	       err((int)syscall(SYS_request_key, "user", "lxrun:hostadmin", NULL, 0)));
	printf("keyctl revoke: %s\n", err((int)syscall(SYS_keyctl, 3, id)));
	printf("syslog SIZE_BUFFER: %s\n", err(klogctl(10, NULL, 0)));
	char acct_file[128];
	snprintf(acct_file, sizeof(acct_file), "%s/acct", dir);
	close(open(acct_file, O_CREAT | O_WRONLY, 0600));
	printf("acct on: %s", err(acct(acct_file)));
	printf(", off: %s\n", err(acct(NULL)));
	unlink(acct_file);
	int ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	int userns = ioctl(ns, NS_GET_USERNS);
	printf("NS_GET_USERNS: %s, a user namespace: %d, close-on-exec: %d\n", err(userns),
	       ioctl(userns, NS_GET_NSTYPE) == CLONE_NEWUSER, fcntl(userns, F_GETFD) == FD_CLOEXEC);
	close(userns);
	close(ns);
	char name[256] = "";
	gethostname(name, sizeof(name) - 1);
	printf("sethostname (same name): %s\n", err(sethostname(name, strlen(name))));
}

static int loop_test(void)
{
	struct statfs sf;
	if (mount("lxrun-test", mnt, "tmpfs", 0, "size=1m") < 0)
		return fail("mount tmpfs");
	mounted = 1;
	printf("mount tmpfs: ok\n");
	if (statfs(mnt, &sf) < 0)
		return fail("statfs tmpfs");
	printf("statfs tmpfs: f_type %#lx\n", (unsigned long)sf.f_type);
	if (write_read("tmpfs file"))
		return 1;
	unlink(file);
	printf("umount tmpfs: %s\n", err(umount2(mnt, 0)));
	mounted = 0;

	int fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 8 << 20) < 0)
		return fail("image");
	close(fd);
	if (attach())
		return 1;
	const char *dev = devname;
	printf("access W_OK %s: %s\n", "loop device", err(access(dev, W_OK)));
	printf("access W_OK /proc/sys/fs/pipe-max-size: %s\n",
	       err(access("/proc/sys/fs/pipe-max-size", W_OK)));
	uint64_t size = 0;
	printf("BLKGETSIZE64: %s\n", err(ioctl(loopfd, BLKGETSIZE64, &size)));
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(nul, 2);
		execlp("mkfs.ext2", "mkfs.ext2", "-q", "-F", dev, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	printf("mkfs.ext2: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	if (mount(dev, mnt, "ext2", 0, NULL) < 0)
		return fail("mount ext2");
	mounted = 1;
	printf("mount ext2: ok\n");
	printf("in /proc/mounts: %d, in /proc/self/mountinfo: %d\n", listed("/proc/mounts"),
	       listed("/proc/self/mountinfo"));
	if (statfs(mnt, &sf) < 0)
		return fail("statfs ext2");
	printf("statfs ext2: f_type %#lx\n", (unsigned long)sf.f_type);
	if (write_read("ext2 file"))
		return 1;
	struct stat fst;
	if (stat(file, &fst) < 0)
		return fail("stat ext2 file");
	printf("ext2 file: on a loop device: %d\n", major(fst.st_dev) == 7);
	printf("umount2 MNT_EXPIRE: %s\n", err(umount2(mnt, MNT_EXPIRE))); /* marks it: EAGAIN */
	printf("umount ext2: %s\n", err(umount2(mnt, 0)));
	mounted = 0;
	printf("LOOP_CLR_FD: %s\n", err(ioctl(loopfd, LOOP_CLR_FD, 0)));
	attached = 0;
	printf("umount again: %s\n", err(umount2(mnt, 0)));
	keys_test();
	cleanup();
	return 0;
}

static int eperm_test(void)
{
	printf("mount tmpfs: %s\n", err(mount("lxrun-test", mnt, "tmpfs", 0, NULL)));
	printf("umount2: %s\n", err(umount2(mnt, 0)));
	int ctl = open("/dev/loop-control", O_RDWR);
	printf("open /dev/loop-control: %s\n", err(ctl));
	/* opened, never written: a container's /proc/sys is read-only */
	int fd = open("/proc/sys/kernel/core_pattern", O_WRONLY | O_APPEND);
	printf("open core_pattern for writing: %s\n", err(fd));
	if (fd >= 0)
		close(fd);
	/* namespaces: the container model makes none and enters none (the host-admin model's
	 * are in tests/syscalls/namespaces.c) */
	printf("unshare CLONE_NEWNS: %s\n", err(unshare(CLONE_NEWNS)));
	printf("unshare CLONE_NEWUTS|CLONE_NEWIPC: %s\n", err(unshare(CLONE_NEWUTS | CLONE_NEWIPC)));
	long pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	printf("clone CLONE_NEWPID: %s\n", err((int)pid));
	int ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	printf("setns mnt: %s\n", err((int)syscall(SYS_setns, ns, CLONE_NEWNS)));
	close(ns);
	printf("pivot_root: %s\n", err((int)syscall(SYS_pivot_root, mnt, mnt)));
	cleanup();
	return 0;
}

/* The calls of sys_fsadmin.c as the container model answers them: EPERM where Linux checks
 * CAP_SYS_ADMIN (or CAP_DAC_READ_SEARCH, CAP_SYS_TIME), open_tree without a clone as anyone's,
 * statmount/listmount ENOSYS (the guest's mount table is lxrun's). */
static int fsapi_eperm_test(void)
{
	struct {
		uint32_t size, spare;
		uint64_t mnt_id, param;
	} req = {24, 0, 0, 1};
	uint64_t attr[4] = {1 /* MOUNT_ATTR_RDONLY */, 0, 0, 0};
	char buf[1024];
	struct {
		struct file_handle h;
		unsigned char b[128];
	} fh = {.h.handle_bytes = 128};
	int mid;
	struct timex tx = {.modes = ADJ_MAXERROR};
	struct perf_event_attr pa = {.type = PERF_TYPE_SOFTWARE, .size = sizeof(pa),
				     .config = PERF_COUNT_SW_TASK_CLOCK};

	printf("fanotify_init: %s\n", err((int)syscall(SYS_fanotify_init, 0, O_RDONLY)));
	printf("fsopen: %s\n", err((int)syscall(SYS_fsopen, "tmpfs", 0)));
	printf("fsmount: %s\n", err((int)syscall(SYS_fsmount, 0, 0, 0)));
	printf("move_mount: %s\n", err((int)syscall(SYS_move_mount, AT_FDCWD, dir, AT_FDCWD, mnt, 0)));
	printf("open_tree clone: %s\n", err((int)syscall(SYS_open_tree, AT_FDCWD, dir, 1)));
	int t = (int)syscall(SYS_open_tree, AT_FDCWD, dir, 0);
	printf("open_tree: %s\n", err(t));
	if (t >= 0)
		close(t);
	printf("fspick: %s\n", err((int)syscall(SYS_fspick, AT_FDCWD, "/", 0)));
	printf("mount_setattr: %s\n",
	       err((int)syscall(SYS_mount_setattr, AT_FDCWD, dir, 0, attr, sizeof(attr))));
	printf("statmount: %s\n", err((int)syscall(457, &req, buf, sizeof(buf), 0)));
	printf("listmount: %s\n", err((int)syscall(458, &req, buf, 8, 0)));
	printf("name_to_handle_at: %s\n", err(name_to_handle_at(AT_FDCWD, dir, &fh.h, &mid, 0)));
	printf("open_by_handle_at: %s\n", err(open_by_handle_at(AT_FDCWD, &fh.h, O_RDONLY)));
	printf("perf_event_open: %s\n",
	       err((int)syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0)));
	printf("adjtimex set: %s\n", err(adjtimex(&tx)));
	cleanup();
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *mode = argc > 1 ? argv[1] : "loop";
	snprintf(dir, sizeof(dir), "%s/lxha.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return fail("mkdtemp");
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(file, sizeof(file), "%s/f", mnt);
	if (mkdir(mnt, 0755) < 0)
		return fail("mkdir");
	if (strcmp(mode, "fsapi-eperm") == 0)
		return fsapi_eperm_test();
	return strcmp(mode, "eperm") == 0 ? eperm_test() : loop_test();
}
