/* SPDX-License-Identifier: MIT */
/* file_io.c: syscall coverage for open/read/write/seek/dup/fcntl/truncate/copy on regular files. */
#include "check.h"

#include <linux/openat2.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

static int dfd;

static void test_openat(void)
{
	char name[300];
	int fd, fd2;
	struct stat st;

	fd = CHECK_SYS("openat.creat", openat(dfd, "a", O_CREAT | O_RDWR, 0644));
	CHECK_ERR("openat.excl_eexist", openat(dfd, "a", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
	CHECK_ERR("openat.enoent", openat(dfd, "nope", O_RDONLY), ENOENT);
	CHECK_ERR("openat.enoent_parent", openat(dfd, "nodir/x", O_CREAT | O_RDWR, 0644), ENOENT);
	CHECK_ERR("openat.enotdir", openat(dfd, "a/x", O_RDONLY), ENOTDIR);
	CHECK_ERR("openat.eisdir", openat(dfd, ".", O_WRONLY), EISDIR);
	CHECK_ERR("openat.directory_enotdir", openat(dfd, "a", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR("openat.ebadf", openat(check_closed_fd(), "a", O_RDONLY), EBADF);
	fd2 = CHECK_SYS("openat.abs_ignores_dirfd",
			openat(check_closed_fd(), "/dev/null", O_RDONLY));
	close(fd2);
	CHECK_ERR("openat.efault", syscall(SYS_openat, dfd, BADPTR, O_RDONLY), EFAULT);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK_ERR("openat.enametoolong", openat(dfd, name, O_RDONLY), ENAMETOOLONG);

	CHECK_EQ("openat.no_cloexec_default", fcntl(fd, F_GETFD), 0);
	fd2 = openat(dfd, "a", O_RDONLY | O_CLOEXEC);
	CHECK_EQ("openat.cloexec", fcntl(fd2, F_GETFD), FD_CLOEXEC);
	close(fd2);

	CHECK_EQ("openat.trunc_setup", write(fd, "0123456789", 10), 10);
	fd2 = openat(dfd, "a", O_WRONLY | O_TRUNC);
	CHECK("openat.trunc", fstat(fd2, &st) == 0 && st.st_size == 0, "size %lld",
	      (long long)st.st_size);
	close(fd2);
	close(fd);

	symlinkat("a", dfd, "lnk");
	CHECK_ERR("openat.nofollow_eloop", openat(dfd, "lnk", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = CHECK_SYS("openat.path_nofollow", openat(dfd, "lnk", O_PATH | O_NOFOLLOW));
	CHECK("openat.path_nofollow_is_link", fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
	      "mode 0%o", st.st_mode);
	close(fd);
	fd = openat(dfd, "a", O_PATH);
	CHECK_ERR("openat.path_read_ebadf", read(fd, name, 1), EBADF);
	CHECK_EQ("openat.path_getfl", fcntl(fd, F_GETFL) & O_PATH, O_PATH);
	close(fd);

	fd = openat(dfd, ".", O_TMPFILE | O_RDWR, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		check_skip("openat.tmpfile", "filesystem has no O_TMPFILE");
		return;
	}
	CHECK("openat.tmpfile",
	      fd >= 0 && fstat(fd, &st) == 0 && st.st_nlink == 0 && S_ISREG(st.st_mode),
	      "fd %d nlink %ld (%s)", fd, (long)st.st_nlink, check_errname(errno));
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	CHECK_SYS("openat.tmpfile_linkat",
		  linkat(AT_FDCWD, name, dfd, "tmpnamed", AT_SYMLINK_FOLLOW));
	CHECK("openat.tmpfile_linked", fstatat(dfd, "tmpnamed", &st, 0) == 0 && st.st_nlink == 1,
	      "nlink %ld", (long)st.st_nlink);
	close(fd);
	CHECK_ERR("openat.tmpfile_rdonly_einval", openat(dfd, ".", O_TMPFILE | O_RDONLY, 0600),
		  EINVAL);
}

static void test_read_write(void)
{
	char buf[64];
	struct iovec iov[3];
	int fd, ro, wo;

	fd = openat(dfd, "rw", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK_EQ("write.basic", write(fd, "hello world", 11), 11);
	lseek(fd, 6, SEEK_SET);
	memset(buf, 0, sizeof(buf));
	CHECK("read.partial_at_eof",
	      read(fd, buf, sizeof(buf)) == 5 && memcmp(buf, "world", 5) == 0, "got \"%s\"", buf);
	CHECK_EQ("read.eof_zero", read(fd, buf, sizeof(buf)), 0);
	CHECK_EQ("read.count_zero", read(fd, buf, 0), 0);

	memset(buf, 0, sizeof(buf));
	CHECK("pread64.offset", pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0,
	      "got \"%s\"", buf);
	CHECK_EQ("pread64.keeps_offset", lseek(fd, 0, SEEK_CUR), 11);
	CHECK_EQ("pwrite64.offset", pwrite(fd, "HELLO", 5, 0), 5);
	CHECK_EQ("pwrite64.keeps_offset", lseek(fd, 0, SEEK_CUR), 11);
	pread(fd, buf, 11, 0);
	CHECK("pwrite64.visible", memcmp(buf, "HELLO world", 11) == 0, "got \"%.11s\"", buf);
	CHECK_EQ("pread64.past_eof", pread(fd, buf, 5, 100), 0);
	CHECK_ERR("pread64.einval_negative", syscall(SYS_pread64, fd, buf, 5, -1L), EINVAL);

	lseek(fd, 0, SEEK_SET);
	CHECK_ERR("read.efault", syscall(SYS_read, fd, BADPTR, 5), EFAULT);
	CHECK_ERR("write.efault", syscall(SYS_write, fd, BADPTR, 5), EFAULT);
	CHECK_ERR("read.ebadf", read(check_closed_fd(), buf, 1), EBADF);
	ro = openat(dfd, "rw", O_RDONLY);
	wo = openat(dfd, "rw", O_WRONLY);
	CHECK_ERR("write.ebadf_rdonly", write(ro, "x", 1), EBADF);
	CHECK_ERR("read.ebadf_wronly", read(wo, buf, 1), EBADF);
	CHECK_ERR("read.eisdir", read(dfd, buf, 1), EISDIR);
	close(ro);

	/* writev is atomic per call: the three pieces land back to back. */
	ftruncate(fd, 0);
	lseek(fd, 0, SEEK_SET);
	iov[0] = (struct iovec){"abc", 3};
	iov[1] = (struct iovec){"", 0};
	iov[2] = (struct iovec){"defgh", 5};
	CHECK_EQ("writev.gather", writev(fd, iov, 3), 8);
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){buf, 2};
	iov[1] = (struct iovec){buf + 10, 10};
	CHECK("readv.scatter",
	      readv(fd, iov, 2) == 8 && memcmp(buf, "ab", 2) == 0 &&
		      memcmp(buf + 10, "cdefgh", 6) == 0,
	      "got \"%.2s\" \"%.6s\"", buf, buf + 10);
	CHECK_ERR("writev.einval_iovcnt", syscall(SYS_writev, fd, iov, -1), EINVAL);
	CHECK_ERR("readv.einval_iovmax", syscall(SYS_readv, fd, iov, 1025), EINVAL);
	CHECK_ERR("readv.efault", syscall(SYS_readv, fd, BADPTR, 1), EFAULT);
	iov[0] = (struct iovec){BADPTR, 4};
	lseek(fd, 0, SEEK_SET);
	CHECK_ERR("readv.efault_base", syscall(SYS_readv, fd, iov, 1), EFAULT);

	/* O_APPEND moves every write to the end, whatever the offset says; even pwrite on Linux. */
	close(wo);
	wo = openat(dfd, "rw", O_WRONLY | O_APPEND);
	lseek(wo, 0, SEEK_SET);
	CHECK_EQ("write.append_to_end", write(wo, "X", 1), 1);
	CHECK_EQ("write.append_offset", lseek(wo, 0, SEEK_CUR), 9);
	CHECK_EQ("pwrite64.append_ignores_offset", pwrite(wo, "Y", 1, 0), 1);
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, sizeof(buf), 0);
	CHECK_STR("write.append_content", buf, "abcdefghXY");
	close(wo);
	close(fd);
}

static void test_lseek(void)
{
	int fd, p[2];
	off_t hole;

	fd = openat(dfd, "seek", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	CHECK_EQ("lseek.set", lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ("lseek.cur", lseek(fd, 2, SEEK_CUR), 5);
	CHECK_EQ("lseek.end", lseek(fd, -4, SEEK_END), 6);
	CHECK_ERR("lseek.einval_negative", lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR("lseek.einval_cur_negative", lseek(fd, -100, SEEK_CUR), EINVAL);
	CHECK_ERR("lseek.einval_whence", lseek(fd, 0, 99), EINVAL);
	CHECK_EQ("lseek.beyond_end", lseek(fd, 1 << 20, SEEK_SET), 1 << 20);
	CHECK_EQ("lseek.beyond_end_write", write(fd, "Z", 1), 1);

	/* Data at [0,10) and at 1 MiB; holes may be reported coarsely, but only inside the file. */
	CHECK_EQ("lseek.data_at_0", lseek(fd, 0, SEEK_DATA), 0);
	hole = lseek(fd, 0, SEEK_HOLE);
	CHECK("lseek.hole", hole >= 10 && hole <= (1 << 20) + 1, "hole at %lld", (long long)hole);
	CHECK_ERR("lseek.data_enxio_at_eof", lseek(fd, (1 << 20) + 1, SEEK_DATA), ENXIO);
	CHECK_ERR("lseek.hole_enxio_past_eof", lseek(fd, (1 << 20) + 5, SEEK_HOLE), ENXIO);
	CHECK_ERR("lseek.ebadf", lseek(check_closed_fd(), 0, SEEK_SET), EBADF);
	close(fd);

	pipe(p);
	CHECK_ERR("lseek.espipe", lseek(p[0], 0, SEEK_CUR), ESPIPE);
	CHECK_ERR("pread64.espipe", pread(p[0], &hole, 1, 0), ESPIPE);
	CHECK_ERR("pwrite64.espipe", pwrite(p[1], "x", 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
}

static void test_close_dup(void)
{
	struct rlimit rl;
	int fd, a, b, c;

	fd = openat(dfd, "dup", O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0644);
	write(fd, "0123456789", 10);
	a = dup(fd);
	b = dup(fd);
	CHECK("dup.distinct", a >= 0 && b >= 0 && a != b && a != fd, "fd %d a %d b %d", fd, a, b);
	close(a);
	c = dup(fd);
	CHECK_EQ("dup.lowest_free", c, a);
	CHECK_EQ("dup.drops_cloexec", fcntl(c, F_GETFD), 0);
	lseek(fd, 4, SEEK_SET);
	CHECK_EQ("dup.shares_offset", lseek(c, 0, SEEK_CUR), 4);
	CHECK_EQ("close.ok", close(c), 0);
	CHECK_ERR("close.twice_ebadf", syscall(SYS_close, c), EBADF);
	CHECK_ERR("dup.ebadf", dup(c), EBADF);

	a = open("/dev/null", O_RDONLY);
	CHECK_EQ("dup2.replaces", dup2(fd, a), a);
	CHECK_EQ("dup2.replaced_is_file", lseek(a, 0, SEEK_CUR), 4);
	CHECK_EQ("dup2.same_fd", syscall(SYS_dup2, fd, fd), fd);
	c = check_closed_fd();
	CHECK_ERR("dup2.same_fd_ebadf", syscall(SYS_dup2, c, c), EBADF);
	CHECK_ERR("dup2.ebadf_old", dup2(c, a), EBADF);
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR("dup2.ebadf_new_range", syscall(SYS_dup2, fd, (long)rl.rlim_cur), EBADF);
	CHECK_ERR("dup3.same_fd_einval", dup3(fd, fd, 0), EINVAL);
	CHECK_ERR("dup3.bad_flags", dup3(fd, a, O_NONBLOCK), EINVAL);
	CHECK_EQ("dup3.cloexec", dup3(fd, a, O_CLOEXEC), a);
	CHECK_EQ("dup3.cloexec_set", fcntl(a, F_GETFD), FD_CLOEXEC);
	close(a);
	close(b);
	close(fd);
}

static void test_fcntl(void)
{
	struct rlimit rl;
	int fd, n;

	fd = openat(dfd, "fcntl", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK_EQ("fcntl.setfd", fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ("fcntl.getfd", fcntl(fd, F_GETFD), FD_CLOEXEC);
	fcntl(fd, F_SETFD, 0);
	CHECK_EQ("fcntl.getfl_accmode", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ("fcntl.setfl", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK), 0);
	CHECK_EQ("fcntl.getfl_flags", fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK),
		 O_APPEND | O_NONBLOCK);
	fcntl(fd, F_SETFL, O_WRONLY);
	CHECK_EQ("fcntl.setfl_keeps_accmode", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR);
	n = fcntl(fd, F_DUPFD, 100);
	CHECK("fcntl.dupfd_min", n >= 100, "got %d", n);
	CHECK_EQ("fcntl.dupfd_no_cloexec", fcntl(n, F_GETFD), 0);
	close(n);
	n = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	CHECK("fcntl.dupfd_cloexec_min", n >= 100, "got %d", n);
	CHECK_EQ("fcntl.dupfd_cloexec", fcntl(n, F_GETFD), FD_CLOEXEC);
	close(n);
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR("fcntl.dupfd_einval_range", fcntl(fd, F_DUPFD, (long)rl.rlim_cur), EINVAL);
	CHECK_ERR("fcntl.einval_cmd", syscall(SYS_fcntl, fd, 9999, 0), EINVAL);
	CHECK_ERR("fcntl.ebadf", fcntl(check_closed_fd(), F_GETFD), EBADF);
	close(fd);
}

static void test_truncate_sync(void)
{
	char buf[64], zero[64] = {0};
	struct stat st;
	int fd, ro, p[2];

	fd = openat(dfd, "trunc", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	CHECK_EQ("ftruncate.grow", ftruncate(fd, 10000), 0);
	fstat(fd, &st);
	CHECK_EQ("ftruncate.grow_size", st.st_size, 10000);
	CHECK("ftruncate.grow_zeros", pread(fd, buf, 64, 5000) == 64 && !memcmp(buf, zero, 64),
	      "nonzero bytes in extension");
	CHECK_EQ("ftruncate.shrink", ftruncate(fd, 4), 0);
	CHECK("ftruncate.shrink_content", pread(fd, buf, 64, 0) == 4 && !memcmp(buf, "0123", 4),
	      "content wrong");
	CHECK_ERR("ftruncate.einval_negative", ftruncate(fd, -1), EINVAL);
	ro = openat(dfd, "trunc", O_RDONLY);
	CHECK_ERR2("ftruncate.rdonly", ftruncate(ro, 0), EINVAL, EBADF);
	close(ro);
	pipe(p);
	CHECK_ERR("ftruncate.pipe_einval", ftruncate(p[1], 0), EINVAL);
	CHECK_ERR("ftruncate.ebadf", ftruncate(check_closed_fd(), 0), EBADF);
	CHECK_EQ("truncate.path", truncate(check_path("trunc"), 7), 0);
	fstat(fd, &st);
	CHECK_EQ("truncate.path_size", st.st_size, 7);
	CHECK_ERR("truncate.eisdir", truncate(check_path(""), 0), EISDIR);
	CHECK_ERR("truncate.enoent", truncate(check_path("nope"), 0), ENOENT);
	CHECK_ERR("truncate.einval_negative", truncate(check_path("trunc"), -1), EINVAL);

	CHECK_EQ("fsync.file", fsync(fd), 0);
	CHECK_EQ("fdatasync.file", fdatasync(fd), 0);
	CHECK_ERR("fsync.pipe_einval", fsync(p[0]), EINVAL);
	CHECK_ERR("fsync.ebadf", fsync(check_closed_fd()), EBADF);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void test_copy(void)
{
	char buf[32];
	loff_t in_off, out_off;
	off_t off;
	int src, dst, p[2];

	src = openat(dfd, "src", O_CREAT | O_RDWR | O_TRUNC, 0644);
	dst = openat(dfd, "dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
	write(src, "0123456789", 10);
	in_off = 2;
	out_off = 0;
	CHECK_EQ("copy_file_range.count", copy_file_range(src, &in_off, dst, &out_off, 5, 0), 5);
	CHECK("copy_file_range.offsets", in_off == 7 && out_off == 5, "in %lld out %lld",
	      (long long)in_off, (long long)out_off);
	CHECK_EQ("copy_file_range.file_offset_kept", lseek(dst, 0, SEEK_CUR), 0);
	memset(buf, 0, sizeof(buf));
	pread(dst, buf, sizeof(buf), 0);
	CHECK_STR("copy_file_range.content", buf, "23456");
	in_off = 10;
	CHECK_EQ("copy_file_range.eof", copy_file_range(src, &in_off, dst, NULL, 5, 0), 0);
	in_off = 0;
	CHECK_ERR("copy_file_range.bad_flags", copy_file_range(src, &in_off, dst, NULL, 5, 1),
		  EINVAL);
	in_off = 0;
	out_off = 2;
	CHECK_ERR("copy_file_range.overlap", copy_file_range(src, &in_off, src, &out_off, 5, 0),
		  EINVAL);
	pipe(p);
	CHECK_ERR("copy_file_range.pipe_einval", copy_file_range(p[0], NULL, dst, NULL, 5, 0),
		  EINVAL);
	{
		int dn = open("/dev/null", O_RDWR | O_CLOEXEC);

		CHECK_ERR("copy_file_range.chardev_einval",
			  copy_file_range(src, NULL, dn, NULL, 5, 0), EINVAL);
		close(dn);
	}
	CHECK_ERR("copy_file_range.ebadf",
		  copy_file_range(check_closed_fd(), NULL, dst, NULL, 5, 0), EBADF);

	lseek(src, 1, SEEK_SET);
	off = 3;
	CHECK_EQ("sendfile.to_pipe", sendfile(p[1], src, &off, 4), 4);
	CHECK_EQ("sendfile.offset_advanced", off, 7);
	CHECK_EQ("sendfile.file_offset_kept", lseek(src, 0, SEEK_CUR), 1);
	memset(buf, 0, sizeof(buf));
	read(p[0], buf, sizeof(buf));
	CHECK_STR("sendfile.content", buf, "3456");
	CHECK_EQ("sendfile.null_offset", sendfile(dst, src, NULL, 3), 3);
	CHECK_EQ("sendfile.null_offset_moves", lseek(src, 0, SEEK_CUR), 4);
	off = 10;
	CHECK_EQ("sendfile.eof", sendfile(dst, src, &off, 4), 0);
	CHECK_ERR("sendfile.ebadf", sendfile(dst, check_closed_fd(), NULL, 4), EBADF);
	close(p[0]);
	close(p[1]);
	close(src);
	close(dst);
}

/* O_CLOEXEC must hold across execve: re-run ourselves to ask whether two fds survived. */
static void test_exec_cloexec(const char *self)
{
	char a[16], b[16];
	pid_t pid;
	int kept, gone;

	kept = openat(dfd, "a", O_RDONLY);
	gone = openat(dfd, "a", O_RDONLY | O_CLOEXEC);
	snprintf(a, sizeof(a), "%d", kept);
	snprintf(b, sizeof(b), "%d", gone);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "--exec-child", a, b, (char *)NULL);
		_exit(3);
	}
	check_wait_child("execve.cloexec", pid, 0);
	close(kept);
	close(gone);
}

static int exec_child(char **argv)
{
	int kept = atoi(argv[2]), gone = atoi(argv[3]);

	return fcntl(kept, F_GETFD) == 0 && fcntl(gone, F_GETFD) == -1 && errno == EBADF ? 0 : 1;
}

static long k_openat2(int dirfd, const char *path, const struct open_how *how, size_t size)
{
	return syscall(SYS_openat2, dirfd, path, how, size);
}

/* openat2: struct size and field checks, and the RESOLVE_* walk restrictions (relative to a
 * directory fd, absolute into /proc, which is a mount of its own with symlinks and magic
 * links). */
static void test_openat2(void)
{
	struct open_how how = {.flags = O_RDONLY};
	struct {
		struct open_how h;
		uint64_t pad;
	} big = {{.flags = O_RDONLY}, 1};
	long fd;

	check_write_file(check_path("o2"), "x", 1);
	symlink("o2", check_path("o2link"));
	fd = k_openat2(dfd, "o2", &how, sizeof(how));
	CHECK("openat2.plain", fd >= 0, "%s", check_errname(errno));
	close((int)fd);
	CHECK_ERR("openat2.size_small", k_openat2(dfd, "o2", &how, sizeof(how) - 1), EINVAL);
	CHECK_ERR("openat2.size_huge", k_openat2(dfd, "o2", &how, 8192), E2BIG);
	CHECK_ERR("openat2.nonzero_tail", k_openat2(dfd, "o2", &big.h, sizeof(big)), E2BIG);
	big.pad = 0;
	fd = k_openat2(dfd, "o2", &big.h, sizeof(big));
	CHECK("openat2.zero_tail", fd >= 0, "%s", check_errname(errno));
	close((int)fd);
	how = (struct open_how){.flags = O_RDWR | O_CREAT, .mode = 0x10000};
	CHECK_ERR("openat2.mode_bits", k_openat2(dfd, "o2", &how, sizeof(how)), EINVAL);
	how = (struct open_how){.flags = O_RDONLY, .resolve = 0x1000};
	CHECK_ERR("openat2.unknown_resolve", k_openat2(dfd, "o2", &how, sizeof(how)), EINVAL);
	how.resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
	CHECK_ERR("openat2.both_scopes", k_openat2(dfd, "o2", &how, sizeof(how)), EINVAL);
	how.resolve = RESOLVE_NO_SYMLINKS;
	CHECK_ERR("openat2.no_symlinks", k_openat2(dfd, "o2link", &how, sizeof(how)), ELOOP);
	fd = k_openat2(dfd, "o2", &how, sizeof(how));
	CHECK("openat2.no_symlinks_plain_file", fd >= 0, "%s", check_errname(errno));
	close((int)fd);
	how.resolve = RESOLVE_NO_XDEV;
	CHECK_ERR("openat2.no_xdev_proc", k_openat2(AT_FDCWD, "/proc/version", &how, sizeof(how)),
		  EXDEV);
	how.resolve = RESOLVE_NO_MAGICLINKS;
	CHECK_ERR("openat2.no_magiclinks", k_openat2(AT_FDCWD, "/proc/self/exe", &how, sizeof(how)),
		  ELOOP);
	how.resolve = RESOLVE_BENEATH;
	CHECK_ERR("openat2.beneath_dotdot", k_openat2(dfd, "../x", &how, sizeof(how)), EXDEV);
}

/* An open that cannot wait, locks that are free, and the vectored reads and writes of a regular
 * file are never EINTR either (copy_file_range can be, natively: its splice loop looks for
 * pending signals). */
static void test_open_lock_storm(void)
{
	int lockfd = openat(dfd, "storm", O_RDWR | O_CREAT, 0600);
	if (lockfd < 0 || check_storm_start() < 0) {
		check_skip("openat.regular_signal_storm", "no file or no signal thread");
		return;
	}
	struct flock wr = {.l_type = F_WRLCK, .l_whence = SEEK_SET}, un = wr;
	un.l_type = F_UNLCK;
	int lbad[6] = {0}, lerr[6] = {0};
	char vb[64] = "v";
	struct iovec iv = {vb, sizeof(vb)};
	struct timespec t0;
	for (int i = 0; check_rounds_left(i, 50, 1000, 3000, &t0); i++) {
		long q[6];
		q[0] = openat(dfd, "storm", O_RDONLY | O_CLOEXEC);
		if (q[0] >= 0)
			close((int)q[0]);
		q[1] = syscall(SYS_flock, lockfd, LOCK_EX);
		if (q[1] == 0)
			q[1] = syscall(SYS_flock, lockfd, LOCK_UN);
		q[2] = fcntl(lockfd, F_SETLKW, &wr);
		if (q[2] == 0)
			q[2] = fcntl(lockfd, F_SETLKW, &un);
		q[3] = fcntl(lockfd, F_OFD_SETLKW, &wr);
		if (q[3] == 0)
			q[3] = fcntl(lockfd, F_OFD_SETLKW, &un);
		q[4] = pwritev(lockfd, &iv, 1, 4096) == sizeof(vb) ? 0 : -1;
		q[5] = preadv(lockfd, &iv, 1, 4096) == sizeof(vb) ? 0 : -1;
		for (int k = 0; k < 6; k++)
			if (q[k] < 0) {
				lbad[k]++;
				lerr[k] = errno;
			}
	}
	int n = check_storm_stop();
	close(lockfd);
	static const char *const names[6] = {
		"openat.regular_signal_storm",	      "flock.free_signal_storm",
		"fcntl.setlkw_free_signal_storm",     "fcntl.ofd_setlkw_free_signal_storm",
		"pwritev.regular_signal_storm",	      "preadv.regular_signal_storm"};
	check_storm_report(names, lbad, lerr, 6, n);
}

/* A regular file never blocks: Linux reads and writes it whatever signals are pending (a
 * non-fatal one never interrupts the call), and programs rely on that. */
static void test_rw_storm(void)
{
	char buf[512];
	int fd = openat(dfd, "storm", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int bad[4] = {0}, err[4] = {0};

	memset(buf, 'x', sizeof(buf));
	if (fd < 0 || check_storm_start() < 0) {
		check_skip("read.regular_signal_storm", "no file or no signal thread");
		return;
	}
	struct timespec t0;
	for (int i = 0; check_rounds_left(i, 100, 2000, 5000, &t0); i++) {
		long r[4];
		r[0] = syscall(SYS_pwrite64, fd, buf, sizeof(buf), 0);
		if (r[0] < 0)
			err[0] = errno;
		r[1] = syscall(SYS_pread64, fd, buf, sizeof(buf), 0);
		if (r[1] < 0)
			err[1] = errno;
		lseek(fd, 0, SEEK_SET);
		r[2] = syscall(SYS_write, fd, buf, sizeof(buf));
		if (r[2] < 0)
			err[2] = errno;
		lseek(fd, 0, SEEK_SET);
		r[3] = syscall(SYS_read, fd, buf, sizeof(buf));
		if (r[3] < 0)
			err[3] = errno;
		for (int k = 0; k < 4; k++)
			bad[k] += r[k] != (long)sizeof(buf);
	}
	int n = check_storm_stop();
	close(fd);
	static const char *const names[4] = {
		"pwrite64.regular_signal_storm", "pread64.regular_signal_storm",
		"write.regular_signal_storm", "read.regular_signal_storm"};
	check_storm_report(names, bad, err, 4, n);
}

/* A FIFO's open waits for its other end, and a signal ends the wait (EINTR, no SA_RESTART)
 * whenever it comes, even just before the call: 500 opens in a storm of them must each come
 * back. In a child, so that one that stays asleep is found (and killed) instead of hanging. */
static void test_fifo_open_storm(void)
{
	const char *path = check_path("storm-fifo");
	if (mkfifo(path, 0600) < 0) {
		check_skip("open.fifo_signal_storm", "mkfifo failed");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (check_storm_start() < 0)
			_exit(3);
		int bad = 0;
		for (int i = 0; i < 500; i++) {
			int fd = open(path, O_RDONLY);
			if (fd >= 0 || errno != EINTR)
				bad++;
			if (fd >= 0)
				close(fd);
		}
		check_storm_stop();
		_exit(bad ? 1 : 0);
	}
	int st = 0, ms = 0;
	while (pid > 0 && waitpid(pid, &st, WNOHANG) == 0 && ms < 30000) {
		usleep(10000);
		ms += 10;
	}
	if (ms >= 30000) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	CHECK("open.fifo_signal_storm", pid > 0 && ms < 30000 && WIFEXITED(st) && !WEXITSTATUS(st),
	      "%s (status %#x)", ms >= 30000 ? "an open slept on through the signals" : "not all EINTR",
	      st);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child(argv);
	check_init(argc, argv);
	dfd = open(check_tmpdir_make(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_openat();
	test_openat2();
	test_read_write();
	test_lseek();
	test_close_dup();
	test_fcntl();
	test_truncate_sync();
	test_copy();
	/* A bare name came from a PATH search that execl would not repeat. */
	test_exec_cloexec(strchr(argv[0], '/') ? argv[0] : "/proc/self/exe");
	test_fifo_open_storm();
	test_open_lock_storm();
	test_rw_storm(); /* last: slow under TCG (the vm column), it must not cost other cases */
	return check_done();
}
