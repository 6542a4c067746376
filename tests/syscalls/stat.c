/* SPDX-License-Identifier: MIT */
/* stat.c: syscall coverage for fstat/newfstatat/statx/statfs/access/readlink/umask. */
#include "check.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

static int dfd;

static void test_fstat(void)
{
	char buf[123] = {0}, name[300];
	struct stat st, st2;
	int fd;

	fd = openat(dfd, "f", O_CREAT | O_RDWR | O_TRUNC, 0640);
	write(fd, buf, sizeof(buf));
	CHECK_EQ("fstat.ok", fstat(fd, &st), 0);
	CHECK("fstat.reg", S_ISREG(st.st_mode), "mode 0%o", st.st_mode);
	CHECK_EQ("fstat.size", st.st_size, 123);
	CHECK_EQ("fstat.perm", st.st_mode & 07777, 0640);
	CHECK_EQ("fstat.nlink", st.st_nlink, 1);
	CHECK_EQ("fstat.uid", st.st_uid, geteuid());
	CHECK("fstat.blksize", st.st_blksize > 0, "blksize %ld", (long)st.st_blksize);
	CHECK_ERR("fstat.ebadf", fstat(check_closed_fd(), &st2), EBADF);
	CHECK_ERR("fstat.efault", syscall(SYS_fstat, fd, BADPTR), EFAULT);

	CHECK("stat.same_inode",
	      stat(check_path("f"), &st2) == 0 && st2.st_ino == st.st_ino &&
		      st2.st_dev == st.st_dev,
	      "ino %lu vs %lu", (unsigned long)st2.st_ino, (unsigned long)st.st_ino);
	CHECK_ERR("stat.enoent", stat(check_path("nope"), &st2), ENOENT);
	CHECK_ERR("stat.enotdir", stat(check_path("f/x"), &st2), ENOTDIR);
	CHECK_ERR("stat.enoent_empty", stat("", &st2), ENOENT);
	CHECK_ERR("stat.efault_path", syscall(SYS_stat, BADPTR, &st2), EFAULT);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK_ERR("stat.enametoolong", fstatat(dfd, name, &st2, 0), ENAMETOOLONG);

	symlinkat("f", dfd, "lnk");
	symlinkat("loop2", dfd, "loop1");
	symlinkat("loop1", dfd, "loop2");
	symlinkat("missing", dfd, "dangling");
	CHECK_ERR("stat.eloop", fstatat(dfd, "loop1", &st2, 0), ELOOP);
	CHECK("lstat.symlink",
	      lstat(check_path("lnk"), &st2) == 0 && S_ISLNK(st2.st_mode) && st2.st_size == 1,
	      "mode 0%o size %lld", st2.st_mode, (long long)st2.st_size);
	CHECK("stat.follows", stat(check_path("lnk"), &st2) == 0 && st2.st_ino == st.st_ino,
	      "ino %lu", (unsigned long)st2.st_ino);
	CHECK_EQ("lstat.dangling", lstat(check_path("dangling"), &st2), 0);
	CHECK_ERR("stat.dangling_enoent", stat(check_path("dangling"), &st2), ENOENT);

	CHECK("newfstatat.nofollow",
	      fstatat(dfd, "lnk", &st2, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st2.st_mode),
	      "mode 0%o", st2.st_mode);
	CHECK("newfstatat.follow", fstatat(dfd, "lnk", &st2, 0) == 0 && S_ISREG(st2.st_mode),
	      "mode 0%o", st2.st_mode);
	CHECK("newfstatat.empty_path",
	      syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH) == 0 && st2.st_ino == st.st_ino,
	      "ino %lu", (unsigned long)st2.st_ino);
	CHECK_ERR("newfstatat.empty_no_flag", syscall(SYS_newfstatat, fd, "", &st2, 0), ENOENT);
	CHECK_ERR("newfstatat.bad_flags", syscall(SYS_newfstatat, dfd, "f", &st2, 0x4), EINVAL);
	CHECK_ERR("newfstatat.ebadf", fstatat(check_closed_fd(), "f", &st2, 0), EBADF);
	CHECK_ERR("newfstatat.enotdir_dirfd", fstatat(fd, "x", &st2, 0), ENOTDIR);
	close(fd);
}

static void test_statx(void)
{
	struct statx stx;
	struct stat st;
	int fd;

	fd = openat(dfd, "f", O_RDONLY);
	fstat(fd, &st);
	memset(&stx, 0xee, sizeof(stx));
	CHECK_EQ("statx.ok", statx(dfd, "f", 0, STATX_BASIC_STATS, &stx), 0);
	CHECK_EQ("statx.mask", stx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_NLINK),
		 STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_NLINK);
	CHECK_EQ("statx.mode", stx.stx_mode, st.st_mode);
	CHECK_EQ("statx.size", stx.stx_size, st.st_size);
	CHECK_EQ("statx.nlink", stx.stx_nlink, st.st_nlink);
	CHECK_EQ("statx.ino", stx.stx_ino, st.st_ino);
	CHECK_EQ("statx.uid", stx.stx_uid, st.st_uid);
	CHECK_EQ("statx.blksize", stx.stx_blksize, st.st_blksize);
	CHECK("statx.dev", makedev(stx.stx_dev_major, stx.stx_dev_minor) == st.st_dev, "%u:%u",
	      stx.stx_dev_major, stx.stx_dev_minor);
	CHECK_EQ("statx.mtime", stx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	CHECK("statx.empty_path",
	      statx(fd, "", AT_EMPTY_PATH, STATX_INO, &stx) == 0 && stx.stx_ino == st.st_ino,
	      "ino %llu", (unsigned long long)stx.stx_ino);
	CHECK("statx.nofollow",
	      statx(dfd, "lnk", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) == 0 &&
		      S_ISLNK(stx.stx_mode),
	      "mode 0%o", stx.stx_mode);
	/* a device node: the node's own statx, mount id included (Linux 5.8) */
	{
		struct stat dn;

		stat("/dev/null", &dn);
		CHECK("statx.dev_node",
		      statx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS | 0x1000u, &stx) == 0 &&
			      (stx.stx_mask & 0x1000u) &&
			      makedev(stx.stx_rdev_major, stx.stx_rdev_minor) == dn.st_rdev,
		      "mask %x rdev %u:%u", stx.stx_mask, stx.stx_rdev_major, stx.stx_rdev_minor);
	}
	CHECK_ERR("statx.bad_flags", syscall(SYS_statx, dfd, "f", 0x4, STATX_BASIC_STATS, &stx),
		  EINVAL);
	CHECK_ERR("statx.reserved_mask", syscall(SYS_statx, dfd, "f", 0, 0x80000000u, &stx),
		  EINVAL);
	CHECK_ERR("statx.efault", syscall(SYS_statx, dfd, "f", 0, STATX_BASIC_STATS, BADPTR),
		  EFAULT);
	CHECK_ERR("statx.enoent", statx(dfd, "nope", 0, STATX_BASIC_STATS, &stx), ENOENT);
	close(fd);
}

static void test_statfs(void)
{
	struct statfs sf, sf2;
	int fd;

	CHECK_EQ("statfs.ok", statfs(check_path(""), &sf), 0);
	CHECK("statfs.bsize", sf.f_bsize > 0, "bsize %ld", (long)sf.f_bsize);
	CHECK("statfs.type", sf.f_type != 0, "type 0x%lx", (long)sf.f_type);
	CHECK("statfs.blocks", sf.f_bfree <= sf.f_blocks && sf.f_bavail <= sf.f_blocks,
	      "blocks %llu free %llu avail %llu", (unsigned long long)sf.f_blocks,
	      (unsigned long long)sf.f_bfree, (unsigned long long)sf.f_bavail);
	CHECK("statfs.namelen", sf.f_namelen > 0, "namelen %ld", (long)sf.f_namelen);
	fd = openat(dfd, "f", O_RDONLY);
	CHECK("fstatfs.same_type",
	      fstatfs(fd, &sf2) == 0 && sf2.f_type == sf.f_type && sf2.f_bsize == sf.f_bsize,
	      "type 0x%lx", (long)sf2.f_type);
	close(fd);
	CHECK("statfs.proc_magic",
	      statfs("/proc/self", &sf2) == 0 && sf2.f_type == PROC_SUPER_MAGIC, "type 0x%lx",
	      (long)sf2.f_type);
	CHECK_ERR("statfs.enoent", statfs(check_path("nope"), &sf2), ENOENT);
	CHECK_ERR("statfs.efault", syscall(SYS_statfs, check_path(""), BADPTR), EFAULT);
	CHECK_ERR("fstatfs.ebadf", fstatfs(check_closed_fd(), &sf2), EBADF);
}

static void test_access(void)
{
	int fd;

	fd = openat(dfd, "ro", O_CREAT | O_RDWR, 0444);
	close(fd);
	CHECK_EQ("access.f_ok", access(check_path("f"), F_OK), 0);
	CHECK_EQ("access.rw_own", access(check_path("f"), R_OK | W_OK), 0);
	CHECK_ERR("access.enoent", access(check_path("nope"), F_OK), ENOENT);
	CHECK_ERR("access.enotdir", access(check_path("f/x"), F_OK), ENOTDIR);
	CHECK_ERR("access.bad_mode", syscall(SYS_access, check_path("f"), 8), EINVAL);
	/* Even root needs an x bit somewhere to pass X_OK on a regular file. */
	CHECK_ERR("access.x_ok_no_x_bits", access(check_path("f"), X_OK), EACCES);
	if (geteuid() == 0)
		CHECK_EQ("access.w_ok_readonly", access(check_path("ro"), W_OK), 0);
	else
		CHECK_ERR("access.w_ok_readonly", access(check_path("ro"), W_OK), EACCES);
	CHECK_EQ("faccessat.ok", faccessat(dfd, "f", R_OK, 0), 0);
	CHECK_ERR("faccessat.enoent", syscall(SYS_faccessat, dfd, "nope", F_OK), ENOENT);
	CHECK_ERR("faccessat.ebadf", syscall(SYS_faccessat, check_closed_fd(), "f", F_OK), EBADF);

	errno = 0;
	if (syscall(SYS_faccessat2, dfd, "f", F_OK, 0) < 0 && errno == ENOSYS) {
		check_skip("faccessat2.f_ok", "kernel older than 5.8");
		return;
	}
	CHECK_EQ("faccessat2.f_ok", syscall(SYS_faccessat2, dfd, "f", F_OK, 0), 0);
	CHECK_EQ("faccessat2.eaccess", syscall(SYS_faccessat2, dfd, "f", R_OK, AT_EACCESS), 0);
	CHECK_EQ("faccessat2.nofollow_dangling",
		 syscall(SYS_faccessat2, dfd, "dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	CHECK_ERR("faccessat2.follow_dangling", syscall(SYS_faccessat2, dfd, "dangling", F_OK, 0),
		  ENOENT);
	CHECK_EQ("faccessat2.empty_path", syscall(SYS_faccessat2, dfd, "", F_OK, AT_EMPTY_PATH), 0);
	CHECK_ERR("faccessat2.bad_flags", syscall(SYS_faccessat2, dfd, "f", F_OK, 0x4), EINVAL);
	CHECK_ERR("faccessat2.bad_mode", syscall(SYS_faccessat2, dfd, "f", 8, 0), EINVAL);
}

static void test_readlink(void)
{
	char buf[64];
	ssize_t n;
	int fd;

	symlinkat("target_name_xyz", dfd, "rl");
	memset(buf, 'Z', sizeof(buf));
	n = readlink(check_path("rl"), buf, sizeof(buf));
	CHECK_EQ("readlink.len", n, 15);
	CHECK("readlink.no_nul", memcmp(buf, "target_name_xyz", 15) == 0 && buf[15] == 'Z',
	      "buf \"%.16s\"", buf);
	memset(buf, 'Z', sizeof(buf));
	n = readlink(check_path("rl"), buf, 4);
	CHECK("readlink.truncates", n == 4 && memcmp(buf, "targZ", 5) == 0, "n %zd buf \"%.5s\"", n,
	      buf);
	memset(buf, 'Z', sizeof(buf));
	n = readlinkat(dfd, "rl", buf, sizeof(buf));
	CHECK("readlinkat.ok", n == 15 && memcmp(buf, "target_name_xyz", 15) == 0, "n %zd", n);
	fd = openat(dfd, "rl", O_PATH | O_NOFOLLOW);
	n = readlinkat(fd, "", buf, sizeof(buf));
	CHECK("readlinkat.empty_path", n == 15 && memcmp(buf, "target_name_xyz", 15) == 0,
	      "n %zd (%s)", n, check_errname(errno));
	close(fd);
	CHECK_ERR("readlink.not_link", readlink(check_path("f"), buf, sizeof(buf)), EINVAL);
	CHECK_ERR("readlink.bufsiz_zero", syscall(SYS_readlink, check_path("rl"), buf, 0), EINVAL);
	CHECK_ERR("readlink.enoent", readlink(check_path("nope"), buf, sizeof(buf)), ENOENT);
	CHECK_ERR("readlink.efault", syscall(SYS_readlink, check_path("rl"), BADPTR, 64), EFAULT);
	CHECK_ERR("readlinkat.ebadf", readlinkat(check_closed_fd(), "rl", buf, sizeof(buf)), EBADF);
}

static void test_umask(void)
{
	struct stat st;
	mode_t old;
	int fd;

	old = umask(027);
	CHECK_EQ("umask.returns_old", umask(027), 027);
	CHECK_EQ("umask.masks_bits", umask(0777 | 0100000) & 0777, 027);
	CHECK_EQ("umask.only_perm_bits", umask(027), 0777);
	fd = openat(dfd, "masked", O_CREAT | O_RDWR, 0666);
	CHECK("umask.applies_to_open", fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0640,
	      "mode 0%o", st.st_mode & 0777);
	close(fd);
	mkdirat(dfd, "maskdir", 0777);
	CHECK("umask.applies_to_mkdir",
	      fstatat(dfd, "maskdir", &st, 0) == 0 && (st.st_mode & 0777) == 0750, "mode 0%o",
	      st.st_mode & 0777);
	umask(old);
}

/* The umask is kept across execve (a process attribute, as the cwd): a child sets 053 and
 * re-executes this program, which exits with the umask it found (after vfork too, as
 * posix_spawn and Python's subprocess do it). */
static void test_umask_exec(void)
{
	char *argv[] = {(char *)"stat", (char *)"--print-umask", NULL};
	int st = 0;
	pid_t pid = fork();

	if (pid == 0) {
		umask(053);
		execv("/proc/self/exe", argv);
		_exit(100);
	}
	waitpid(pid, &st, 0);
	CHECK("umask.kept_across_execve", WIFEXITED(st) && WEXITSTATUS(st) == 053, "status 0x%x", st);
	umask(027);
	pid = vfork();
	if (pid == 0) {
		umask(061);
		execv("/proc/self/exe", argv);
		_exit(100);
	}
	st = 0;
	waitpid(pid, &st, 0);
	CHECK("umask.kept_across_vfork_execve", WIFEXITED(st) && WEXITSTATUS(st) == 061,
	      "status 0x%x", st);
	CHECK_EQ("umask.parent_after_vfork_child", umask(022), 027);
}

/* name_to_handle_at: a handle for a file by path or by fd (AT_EMPTY_PATH), EOVERFLOW with the
 * size needed for a short buffer, and the path's own errors. */
static void test_handles(void)
{
	struct {
		unsigned int bytes;
		int type;
		unsigned char h[128];
	} fh, fh2;
	const char *path = check_path("handle");
	int mnt = -1, fd;

	check_write_file(path, "h", 1);
	fh.bytes = sizeof(fh.h);
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, path, &fh, &mnt, 0) < 0 && errno == EOPNOTSUPP) {
		check_skip("name_to_handle_at.path", "the filesystem has no file handles");
		return;
	}
	CHECK("name_to_handle_at.path", fh.bytes > 0 && fh.bytes <= sizeof(fh.h) && mnt >= 0,
	      "bytes %u mnt %d", fh.bytes, mnt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	fh2.bytes = sizeof(fh2.h);
	CHECK("name_to_handle_at.empty_path_same",
	      syscall(SYS_name_to_handle_at, fd, "", &fh2, &mnt, AT_EMPTY_PATH) == 0 &&
		      fh2.bytes == fh.bytes && fh2.type == fh.type && !memcmp(fh.h, fh2.h, fh.bytes),
	      "%s", check_errname(errno));
	close(fd);
	fh2.bytes = 0;
	CHECK_ERR("name_to_handle_at.eoverflow",
		  syscall(SYS_name_to_handle_at, AT_FDCWD, path, &fh2, &mnt, 0), EOVERFLOW);
	CHECK_EQ("name_to_handle_at.size_reported", fh2.bytes, fh.bytes);
	CHECK_ERR("name_to_handle_at.bad_flags",
		  syscall(SYS_name_to_handle_at, AT_FDCWD, path, &fh, &mnt, 0x8000), EINVAL);
	CHECK_ERR("name_to_handle_at.ebadf",
		  syscall(SYS_name_to_handle_at, check_closed_fd(), "x", &fh, &mnt, 0), EBADF);
	CHECK_ERR("name_to_handle_at.enoent",
		  syscall(SYS_name_to_handle_at, AT_FDCWD, check_path("none"), &fh, &mnt, 0), ENOENT);
	/* AT_HANDLE_FID (Linux 6.5): an identifier even where files cannot be exported */
	fh.bytes = sizeof(fh.h);
	if (syscall(SYS_name_to_handle_at, AT_FDCWD, path, &fh, &mnt, 0x200) < 0 && errno == EINVAL) {
		check_skip("name_to_handle_at.fid_proc", "no AT_HANDLE_FID in this kernel");
	} else {
		fh.bytes = sizeof(fh.h);
		CHECK_EQ("name_to_handle_at.fid_proc",
			 syscall(SYS_name_to_handle_at, AT_FDCWD, "/proc/filesystems", &fh, &mnt,
				 0x200), 0);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--print-umask") == 0)
		return (int)umask(0);
	check_init(argc, argv);
	umask(022);
	dfd = open(check_tmpdir_make(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_fstat();
	test_statx();
	test_statfs();
	test_access();
	test_readlink();
	test_umask();
	test_umask_exec();
	test_handles();
	return check_done();
}
