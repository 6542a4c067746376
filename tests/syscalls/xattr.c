/* SPDX-License-Identifier: MIT */
/* xattr.c: syscall coverage for the *xattr family on a file in the temporary directory. */
#include "check.h"

#include <linux/fs.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/xattr.h>

/* listed: whether a NUL-separated listxattr result contains name. */
static int listed(const char *list, ssize_t len, const char *name)
{
	for (ssize_t off = 0; off < len; off += strlen(list + off) + 1)
		if (!strcmp(list + off, name))
			return 1;
	return 0;
}

static void test_unsupported(const char *f)
{
	char buf[64];

	/* Without user.* support the whole namespace answers EOPNOTSUPP, reads included. */
	CHECK_ERR("setxattr.unsupported", setxattr(f, "user.test", "v", 1, 0), EOPNOTSUPP);
	CHECK_ERR("getxattr.unsupported", getxattr(f, "user.test", buf, sizeof(buf)), EOPNOTSUPP);
	CHECK("listxattr.unsupported", listxattr(f, buf, sizeof(buf)) >= 0 || errno == EOPNOTSUPP,
	      "%s", check_errname(errno));
}

static void test_roundtrip(const char *f, const char *lnk)
{
	char buf[256], list[1024], name[300];
	static char big[65537];
	ssize_t n;
	int fd;

	CHECK_ERR("getxattr.enodata", getxattr(f, "user.missing", buf, sizeof(buf)), ENODATA);
	CHECK_EQ("getxattr.size_query", getxattr(f, "user.test", NULL, 0), 5);
	memset(buf, 0, sizeof(buf));
	CHECK("getxattr.value",
	      getxattr(f, "user.test", buf, sizeof(buf)) == 5 && !memcmp(buf, "value", 5),
	      "got \"%s\"", buf);
	CHECK_ERR("getxattr.erange", getxattr(f, "user.test", buf, 2), ERANGE);
	CHECK("getxattr.follows_link", getxattr(lnk, "user.test", buf, sizeof(buf)) == 5, "%s",
	      check_errname(errno));
	CHECK_ERR("lgetxattr.link_enodata", lgetxattr(lnk, "user.test", buf, sizeof(buf)), ENODATA);
	/* user.* is reserved for regular files and directories. */
	CHECK_ERR("lsetxattr.link_eperm", lsetxattr(lnk, "user.test", "v", 1, 0), EPERM);

	CHECK_ERR("setxattr.create_eexist", setxattr(f, "user.test", "x", 1, XATTR_CREATE), EEXIST);
	CHECK_ERR("setxattr.replace_enodata", setxattr(f, "user.new", "x", 1, XATTR_REPLACE),
		  ENODATA);
	CHECK_EQ("setxattr.replace", setxattr(f, "user.test", "longer value", 12, XATTR_REPLACE),
		 0);
	CHECK_EQ("getxattr.replaced", getxattr(f, "user.test", buf, sizeof(buf)), 12);
	CHECK_EQ("setxattr.empty_value", setxattr(f, "user.empty", "", 0, 0), 0);
	CHECK_EQ("getxattr.empty_value", getxattr(f, "user.empty", buf, sizeof(buf)), 0);
	CHECK_ERR("setxattr.bad_flags", setxattr(f, "user.x", "x", 1, 4), EINVAL);
	CHECK_ERR("setxattr.bad_namespace", setxattr(f, "foo.bar", "x", 1, 0), EOPNOTSUPP);
	CHECK_ERR("setxattr.empty_name", setxattr(f, "", "x", 1, 0), ERANGE);
	memcpy(name, "user.", 5);
	memset(name + 5, 'n', 260);
	name[265] = '\0';
	CHECK_ERR("setxattr.name_too_long", setxattr(f, name, "x", 1, 0), ERANGE);
	CHECK_ERR("setxattr.e2big", setxattr(f, "user.big", big, sizeof(big), 0), E2BIG);
	CHECK_ERR("setxattr.enoent", setxattr(check_path("none"), "user.x", "x", 1, 0), ENOENT);
	CHECK_ERR("setxattr.efault_value", syscall(SYS_setxattr, f, "user.x", BADPTR, 4, 0),
		  EFAULT);
	CHECK_ERR("getxattr.efault_value",
		  syscall(SYS_getxattr, f, "user.test", BADPTR, sizeof(buf)), EFAULT);
	CHECK_ERR("getxattr.efault_name", syscall(SYS_getxattr, f, BADPTR, buf, sizeof(buf)),
		  EFAULT);
	CHECK_ERR("getxattr.enoent", getxattr(check_path("none"), "user.x", buf, sizeof(buf)),
		  ENOENT);

	n = listxattr(f, list, sizeof(list));
	CHECK("listxattr.names",
	      n > 0 && listed(list, n, "user.test") && listed(list, n, "user.empty"), "n %zd", n);
	CHECK_EQ("listxattr.size_query", listxattr(f, NULL, 0), n);
	CHECK_ERR("listxattr.erange", listxattr(f, list, 3), ERANGE);
	CHECK_ERR("listxattr.efault", syscall(SYS_listxattr, f, BADPTR, sizeof(list)), EFAULT);
	n = llistxattr(lnk, list, sizeof(list));
	CHECK("llistxattr.link", n >= 0 && !listed(list, n, "user.test"), "n %zd", n);

	fd = open(f, O_RDONLY);
	CHECK_EQ("fsetxattr.ok", fsetxattr(fd, "user.fd", "fdv", 3, 0), 0);
	CHECK("fgetxattr.ok",
	      fgetxattr(fd, "user.fd", buf, sizeof(buf)) == 3 && !memcmp(buf, "fdv", 3), "%s",
	      check_errname(errno));
	n = flistxattr(fd, list, sizeof(list));
	CHECK("flistxattr.ok", n > 0 && listed(list, n, "user.fd"), "n %zd", n);
	CHECK_EQ("fremovexattr.ok", fremovexattr(fd, "user.fd"), 0);
	CHECK_ERR("fgetxattr.removed", fgetxattr(fd, "user.fd", buf, sizeof(buf)), ENODATA);
	CHECK_ERR("fgetxattr.ebadf", fgetxattr(check_closed_fd(), "user.fd", buf, sizeof(buf)),
		  EBADF);
	close(fd);
	CHECK_EQ("removexattr.ok", removexattr(f, "user.test"), 0);
	CHECK_ERR("removexattr.enodata", removexattr(f, "user.test"), ENODATA);
	CHECK_ERR("lremovexattr.link_eperm", lremovexattr(lnk, "user.test"), EPERM);
}

/* Inode flags (FS_IOC_GETFLAGS/SETFLAGS, the lsattr/chattr calls) and FS_IOC_FSGETXATTR on
 * filesystems known to have them (ext2/3/4, tmpfs, xfs, btrfs); ENOTTY on a pipe, EBADF on an
 * O_PATH fd. */
static void test_inode_flags(const char *f)
{
	struct statfs sfs;
	int fd = open(f, O_RDONLY | O_CLOEXEC), flags = -1, p[2];
	unsigned char fsx[28];

	statfs(f, &sfs);
	if (sfs.f_type != 0xEF53 && sfs.f_type != 0x01021994 && sfs.f_type != 0x58465342 &&
	    sfs.f_type != 0x9123683E) {
		check_skip("ioctl.fs_getflags", "filesystem not known to have inode flags");
		close(fd);
		return;
	}
	CHECK_SYS("ioctl.fs_getflags", ioctl(fd, FS_IOC_GETFLAGS, &flags));
	CHECK_SYS("ioctl.fs_setflags_same", ioctl(fd, FS_IOC_SETFLAGS, &flags));
	CHECK_SYS("ioctl.fs_fsgetxattr", ioctl(fd, FS_IOC_FSGETXATTR, fsx));
	pipe(p);
	CHECK_ERR("ioctl.fs_getflags_pipe_enotty", ioctl(p[0], FS_IOC_GETFLAGS, &flags), ENOTTY);
	close(p[0]);
	close(p[1]);
	close(fd);
	fd = open(f, O_PATH | O_CLOEXEC);
	CHECK_ERR("ioctl.fs_getflags_o_path_ebadf", ioctl(fd, FS_IOC_GETFLAGS, &flags), EBADF);
	close(fd);
}

#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#define SYS_getxattrat 464
#define SYS_listxattrat 465
#define SYS_removexattrat 466
#endif

struct xattr_args_v0 {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

/* The *xattrat calls (Linux 6.13): dirfd + path + at_flags, values in struct xattr_args. */
static void test_xattrat(const char *f)
{
	char buf[256], list[1024], big[32] = {0};
	struct xattr_args_v0 a = {.value = (uintptr_t) "atval", .size = 5};
	const char *base = strrchr(f, '/') + 1;
	char dir[512];
	int dfd, fd;
	long n;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - f - 1), f);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (syscall(SYS_setxattrat, dfd, base, 0, "user.at", &a, sizeof(a)) < 0 && errno == ENOSYS) {
		check_skip("setxattrat.set", "the kernel has no *xattrat calls (before 6.13)");
		close(dfd);
		return;
	}
	CHECK("setxattrat.set", getxattr(f, "user.at", buf, sizeof(buf)) == 5 &&
	      !memcmp(buf, "atval", 5), "%s", "value not there");
	struct xattr_args_v0 g = {.value = (uintptr_t)buf, .size = sizeof(buf)};
	memset(buf, 0, sizeof(buf));
	n = syscall(SYS_getxattrat, dfd, base, 0, "user.at", &g, sizeof(g));
	CHECK("getxattrat.get", n == 5 && !memcmp(buf, "atval", 5), "got %ld", n);
	g.size = 2;
	CHECK_ERR("getxattrat.erange", syscall(SYS_getxattrat, dfd, base, 0, "user.at", &g,
					       sizeof(g)), ERANGE);
	g.size = sizeof(buf);
	g.flags = XATTR_CREATE;
	CHECK_ERR("getxattrat.flags_einval", syscall(SYS_getxattrat, dfd, base, 0, "user.at", &g,
						     sizeof(g)), EINVAL);
	g.flags = 0;
	CHECK_ERR("getxattrat.small_args_einval", syscall(SYS_getxattrat, dfd, base, 0, "user.at",
							  &g, 8), EINVAL);
	memcpy(big, &g, sizeof(g));
	CHECK_EQ("getxattrat.long_zero_tail", syscall(SYS_getxattrat, dfd, base, 0, "user.at", big,
						     sizeof(big)), 5);
	big[20] = 1;
	CHECK_ERR("getxattrat.nonzero_tail_e2big", syscall(SYS_getxattrat, dfd, base, 0, "user.at",
							   big, sizeof(big)), E2BIG);
	CHECK_ERR("getxattrat.bad_at_flags", syscall(SYS_getxattrat, dfd, base, 0x8000, "user.at",
						     &g, sizeof(g)), EINVAL);
	a.flags = XATTR_CREATE;
	CHECK_ERR("setxattrat.create_eexist", syscall(SYS_setxattrat, dfd, base, 0, "user.at", &a,
						      sizeof(a)), EEXIST);
	n = syscall(SYS_listxattrat, dfd, base, 0, list, sizeof(list));
	CHECK("listxattrat.lists", n > 0 && listed(list, n, "user.at"), "got %ld", n);
	/* AT_EMPTY_PATH: the fd itself */
	fd = open(f, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	n = syscall(SYS_getxattrat, fd, "", AT_EMPTY_PATH, "user.at", &g, sizeof(g));
	CHECK("getxattrat.empty_path_fd", n == 5 && !memcmp(buf, "atval", 5), "got %ld", n);
	CHECK_ERR("getxattrat.empty_path_enoent", syscall(SYS_getxattrat, fd, "", 0, "user.at", &g,
							  sizeof(g)), ENOENT);
	close(fd);
	CHECK_EQ("removexattrat.remove", syscall(SYS_removexattrat, dfd, base, 0, "user.at"), 0);
	CHECK_ERR("removexattrat.gone_enodata", syscall(SYS_getxattrat, dfd, base, 0, "user.at", &g,
							sizeof(g)), ENODATA);
	CHECK_ERR("getxattrat.missing_file", syscall(SYS_getxattrat, dfd, "nosuch", 0, "user.at",
						     &g, sizeof(g)), ENOENT);
	close(dfd);
}

/* file_getattr/file_setattr (Linux 6.17): the struct fsxattr fields by path. The answer must
 * match FS_IOC_FSGETXATTR on the same file (which some filesystems lack: EOPNOTSUPP for both);
 * flags, sizes and the lookup are checked in Linux's order. */
static void test_file_attr(const char *f, const char *lnk)
{
	uint64_t fa[4] = {0}, big[1024] = {0}; /* xflags, extsize, nextents, projid, cowextsize */
	unsigned char fsx[28];
	int fd = open(f, O_RDONLY | O_CLOEXEC), pfd, ioc;
	long r;

	ioc = ioctl(fd, FS_IOC_FSGETXATTR, fsx) == 0 ? 0 : errno;
	r = syscall(468, AT_FDCWD, f, fa, 24, 0);
	if (r < 0 && errno == ENOSYS) {
		check_skip("file_getattr.path", "no file_getattr in this kernel");
		close(fd);
		return;
	}
	if (ioc) {
		CHECK("file_getattr.path", r < 0 && (errno == EOPNOTSUPP || errno == ENOTTY),
		      "%ld %s (ioctl: %s)", r, check_errname(errno), check_errname(ioc));
	} else {
		uint32_t xflags;

		memcpy(&xflags, fsx, 4);
		CHECK("file_getattr.path", r == 0 && (uint32_t)fa[0] == xflags,
		      "%ld %s xflags %x vs %x", r, check_errname(errno), (unsigned)fa[0], xflags);
		CHECK_EQ("file_getattr.empty_path_fd", syscall(468, fd, "", fa, 24, AT_EMPTY_PATH), 0);
		pfd = open(f, O_PATH | O_CLOEXEC);
		CHECK_ERR("file_getattr.o_path_fd", syscall(468, pfd, "", fa, 24, AT_EMPTY_PATH), EBADF);
		close(pfd);
		CHECK_EQ("file_getattr.follow_link", syscall(468, AT_FDCWD, lnk, fa, 24, 0), 0);
		CHECK_EQ("file_getattr.large_zeroed_size", syscall(468, AT_FDCWD, f, big, 4096, 0), 0);
		CHECK_EQ("file_setattr.same", syscall(469, AT_FDCWD, f, fa, 24, 0), 0);
	}
	CHECK_ERR("file_getattr.bad_flags", syscall(468, AT_FDCWD, f, fa, 24, 0x2), EINVAL);
	CHECK_ERR("file_getattr.small_size", syscall(468, AT_FDCWD, f, fa, 16, 0), EINVAL);
	CHECK_ERR("file_getattr.huge_size", syscall(468, AT_FDCWD, f, fa, 8192, 0), E2BIG);
	CHECK_ERR("file_getattr.missing", syscall(468, AT_FDCWD, check_path("nope"), fa, 24, 0),
		  ENOENT);
	CHECK_ERR("file_getattr.through_file", syscall(468, fd, "x", fa, 24, 0), ENOTDIR);
	CHECK_ERR("file_getattr.proc_file_enotdir",
		  syscall(468, AT_FDCWD, "/proc/self/maps/x", fa, 24, 0), ENOTDIR);
	CHECK_ERR("file_setattr.bad_flags", syscall(469, AT_FDCWD, f, fa, 24, 0x2), EINVAL);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *f, *lnk;

	check_init(argc, argv);
	f = check_path("f");
	lnk = check_path("lnk");
	check_write_file(f, "data", 4);
	symlink(f, lnk);
	if (setxattr(f, "user.test", "value", 5, 0) == 0) {
		check_report("setxattr.user", 1, "%s", "");
		test_roundtrip(f, lnk);
		test_xattrat(f);
	} else if (errno == EOPNOTSUPP) {
		check_skip("setxattr.user", "filesystem has no user.* xattrs");
		test_unsupported(f);
	} else {
		CHECK("setxattr.user", 0, "%s", check_errname(errno));
	}
	test_inode_flags(f);
	test_file_attr(f, lnk);
	return check_done();
}
