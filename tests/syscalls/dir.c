/* SPDX-License-Identifier: MIT */
/* dir.c: syscall coverage for directories and names: mkdir, getdents64, cwd, rename, links. */
#include "check.h"

#include <dirent.h>
#include <linux/fs.h>
#include <stddef.h>
#include <time.h>

static int dfd;

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int mkfile(const char *name, const char *content)
{
	int fd = openat(dfd, name, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	write(fd, content, strlen(content));
	close(fd);
	return 0;
}

static ino_t ino_of(const char *name)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ? 0 : st.st_ino;
}

static void test_mkdir_rmdir(void)
{
	struct stat st;

	CHECK_EQ("mkdir.ok", mkdir(check_path("d"), 0777), 0);
	CHECK("mkdir.mode_umask",
	      stat(check_path("d"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755,
	      "mode 0%o", st.st_mode);
	CHECK_EQ("mkdir.nlink", st.st_nlink, 2);
	CHECK_ERR("mkdir.eexist", mkdir(check_path("d"), 0755), EEXIST);
	CHECK_EQ("mkdirat.ok", mkdirat(dfd, "d/sub", 0755), 0);
	CHECK("mkdir.parent_nlink", stat(check_path("d"), &st) == 0 && st.st_nlink == 3,
	      "nlink %ld", (long)st.st_nlink);
	CHECK_ERR("mkdirat.eexist", mkdirat(dfd, "d/sub", 0755), EEXIST);
	CHECK_ERR("mkdir.enoent", mkdir(check_path("none/x"), 0755), ENOENT);
	mkfile("file", "data");
	CHECK_ERR("mkdir.enotdir", mkdir(check_path("file/x"), 0755), ENOTDIR);
	CHECK_ERR("mkdir.eexist_file", mkdir(check_path("file"), 0755), EEXIST);
	CHECK_ERR("mkdirat.ebadf", mkdirat(check_closed_fd(), "x", 0755), EBADF);
	CHECK_ERR("mkdir.efault", syscall(SYS_mkdir, BADPTR, 0755), EFAULT);

	CHECK_ERR("rmdir.enotempty", rmdir(check_path("d")), ENOTEMPTY);
	CHECK_ERR("rmdir.enotdir", rmdir(check_path("file")), ENOTDIR);
	CHECK_ERR("rmdir.einval_dot", rmdir(check_path("d/sub/.")), EINVAL);
	CHECK_ERR("rmdir.enoent", rmdir(check_path("none")), ENOENT);
	CHECK_EQ("rmdir.ok", rmdir(check_path("d/sub")), 0);
	CHECK_ERR("rmdir.gone", stat(check_path("d/sub"), &st), ENOENT);
}

/* Reads a whole directory with raw getdents64; returns entries found or -1. */
static int dents_scan(int fd, char names[][32], unsigned char *types, int max, int *bad_reclen)
{
	char buf[4096] __attribute__((aligned(8)));
	int count = 0;
	long n;

	*bad_reclen = 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (d->d_reclen % 8 ||
			    d->d_reclen < offsetof(struct dirent64, d_name) + strlen(d->d_name) + 1)
				(*bad_reclen)++;
			if (count < max) {
				snprintf(names[count], 32, "%.31s", d->d_name);
				types[count] = d->d_type;
			}
			count++;
			off += d->d_reclen;
		}
	}
	return n < 0 ? -1 : count;
}

static void test_getdents(void)
{
	char names[64][32], name[32], buf[4096] __attribute__((aligned(8)));
	unsigned char types[64];
	int fd, n, n2, bad, found = 0, dots = 0, types_ok = 0, fd2;
	struct dirent64 *d;
	off_t second_off;

	mkdirat(dfd, "g", 0755);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "g/f%02d", i);
		mkfile(name, "x");
	}
	mkdirat(dfd, "g/sub", 0755);
	symlinkat("f00", dfd, "g/sl");

	fd = openat(dfd, "g", O_RDONLY | O_DIRECTORY);
	n = dents_scan(fd, names, types, 64, &bad);
	CHECK_EQ("getdents64.count", n, 24);
	CHECK_EQ("getdents64.reclen", bad, 0);
	for (int i = 0; i < n && i < 64; i++) {
		unsigned char want = DT_REG;

		if (!strcmp(names[i], ".") || !strcmp(names[i], "..")) {
			dots++;
			want = DT_DIR;
		} else if (names[i][0] == 'f') {
			found++;
		} else if (!strcmp(names[i], "sub")) {
			found++;
			want = DT_DIR;
		} else if (!strcmp(names[i], "sl")) {
			found++;
			want = DT_LNK;
		}
		/* DT_UNKNOWN is allowed by the ABI for filesystems that do not store the type. */
		if (types[i] == want || types[i] == DT_UNKNOWN)
			types_ok++;
	}
	CHECK_EQ("getdents64.all_names", found, 22);
	CHECK_EQ("getdents64.dot_dotdot", dots, 2);
	CHECK_EQ("getdents64.d_type", types_ok, n);
	CHECK_EQ("getdents64.end_is_zero", syscall(SYS_getdents64, fd, buf, sizeof(buf)), 0);
	/* the old getdents: d_name at offset 18, d_type in the record's last byte */
	{
		int cnt = 0, sub_dir = 0, sl_lnk = 0, aligned = 1;
		long m;

		lseek(fd, 0, SEEK_SET);
		while ((m = syscall(SYS_getdents, fd, buf, sizeof(buf))) > 0)
			for (long off = 0; off < m;) {
				unsigned short rl;
				const char *nm = buf + off + 18;

				memcpy(&rl, buf + off + 16, sizeof(rl));
				aligned &= rl % 8 == 0 && rl >= 18 + strlen(nm) + 2;
				sub_dir |= !strcmp(nm, "sub") && buf[off + rl - 1] == DT_DIR;
				sl_lnk |= !strcmp(nm, "sl") && buf[off + rl - 1] == DT_LNK;
				cnt++;
				off += rl;
			}
		CHECK_EQ("getdents.count", cnt, n);
		CHECK("getdents.reclen", aligned, "a record too short or not aligned");
		CHECK("getdents.d_type_last_byte", sub_dir && sl_lnk, "sub %d sl %d", sub_dir, sl_lnk);
		CHECK_ERR("getdents.ebadf", syscall(SYS_getdents, 999, buf, sizeof(buf)), EBADF);
		fd2 = openat(dfd, "g/f00", O_RDONLY);
		CHECK_ERR("getdents.enotdir", syscall(SYS_getdents, fd2, buf, sizeof(buf)), ENOTDIR);
		close(fd2);
		lseek(fd, 0, SEEK_SET);
		CHECK_ERR("getdents.einval_small", syscall(SYS_getdents, fd, buf, 8), EINVAL);
	}
	CHECK_EQ("getdents64.rewind", lseek(fd, 0, SEEK_SET), 0);
	n2 = dents_scan(fd, names, types, 64, &bad);
	CHECK_EQ("getdents64.rewind_rereads", n2, n);

	/* d_off is a cookie: seeking to it resumes right after that entry. */
	lseek(fd, 0, SEEK_SET);
	n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	d = (struct dirent64 *)buf;
	snprintf(name, sizeof(name), "%.31s", ((struct dirent64 *)(buf + d->d_reclen))->d_name);
	second_off = d->d_off;
	lseek(fd, second_off, SEEK_SET);
	n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	CHECK("getdents64.seek_d_off", n > 0 && !strcmp(((struct dirent64 *)buf)->d_name, name),
	      "got \"%s\", want \"%s\"", n > 0 ? ((struct dirent64 *)buf)->d_name : "", name);

	lseek(fd, 0, SEEK_SET);
	CHECK_ERR("getdents64.einval_small", syscall(SYS_getdents64, fd, buf, 10), EINVAL);
	CHECK_ERR("getdents64.efault", syscall(SYS_getdents64, fd, BADPTR, 4096), EFAULT);
	CHECK_ERR("getdents64.ebadf", syscall(SYS_getdents64, check_closed_fd(), buf, 4096), EBADF);
	fd2 = openat(dfd, "g/f00", O_RDONLY);
	CHECK_ERR("getdents64.enotdir", syscall(SYS_getdents64, fd2, buf, 4096), ENOTDIR);
	close(fd2);
	close(fd);
}

static void test_cwd(void)
{
	char saved[PATH_MAX], buf[PATH_MAX], real[PATH_MAX], want[PATH_MAX + 8];
	int fd;

	getcwd(saved, sizeof(saved));
	realpath(check_path(""), real);
	CHECK_EQ("chdir.ok", chdir(check_path("")), 0);
	CHECK_STR("getcwd.after_chdir", getcwd(buf, sizeof(buf)), real);
	CHECK_EQ("getcwd.raw_len", syscall(SYS_getcwd, buf, sizeof(buf)), strlen(real) + 1);
	CHECK_ERR("getcwd.erange", syscall(SYS_getcwd, buf, 1), ERANGE);
	CHECK_ERR("getcwd.efault", syscall(SYS_getcwd, BADPTR, sizeof(buf)), EFAULT);
	fd = openat(dfd, "g/sub", O_RDONLY | O_DIRECTORY);
	CHECK_EQ("fchdir.ok", fchdir(fd), 0);
	close(fd);
	snprintf(want, sizeof(want), "%s/g/sub", real);
	CHECK_STR("getcwd.after_fchdir", getcwd(buf, sizeof(buf)), want);
	CHECK_EQ("chdir.relative_dotdot", chdir("../.."), 0);
	CHECK_STR("getcwd.after_dotdot", getcwd(buf, sizeof(buf)), real);
	fd = openat(dfd, "file", O_RDONLY);
	CHECK_ERR("fchdir.enotdir", fchdir(fd), ENOTDIR);
	close(fd);
	CHECK_ERR("fchdir.ebadf", fchdir(check_closed_fd()), EBADF);
	CHECK_ERR("chdir.enoent", chdir("nope"), ENOENT);
	CHECK_ERR("chdir.enotdir", chdir("file"), ENOTDIR);
	mkdir("gone", 0755);
	chdir("gone");
	rmdir(check_path("gone"));
	CHECK_ERR("getcwd.enoent_removed", syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
	chdir(saved);
}

static void test_rename(void)
{
	struct stat st;
	ino_t a, b;

	mkfile("ra", "A");
	CHECK_EQ("rename.ok", rename(check_path("ra"), check_path("rb")), 0);
	CHECK("rename.moved", ino_of("ra") == 0 && ino_of("rb") != 0, "source still present");
	mkfile("rc", "C");
	b = ino_of("rb");
	CHECK_EQ("rename.replace", renameat(dfd, "rb", dfd, "rc"), 0);
	CHECK_EQ("rename.replace_ino", ino_of("rc"), b);
	mkfile("rd", "D");
	CHECK_ERR("renameat2.noreplace_eexist",
		  syscall(SYS_renameat2, dfd, "rc", dfd, "rd", RENAME_NOREPLACE), EEXIST);
	CHECK_EQ("renameat2.noreplace_ok",
		 syscall(SYS_renameat2, dfd, "rd", dfd, "re", RENAME_NOREPLACE), 0);
	a = ino_of("rc");
	b = ino_of("re");
	CHECK_EQ("renameat2.exchange",
		 syscall(SYS_renameat2, dfd, "rc", dfd, "re", RENAME_EXCHANGE), 0);
	CHECK("renameat2.exchange_swapped", ino_of("rc") == b && ino_of("re") == a,
	      "inodes not swapped");
	CHECK_ERR("renameat2.exchange_enoent",
		  syscall(SYS_renameat2, dfd, "rc", dfd, "none", RENAME_EXCHANGE), ENOENT);
	CHECK_ERR("renameat2.both_flags",
		  syscall(SYS_renameat2, dfd, "rc", dfd, "re", RENAME_EXCHANGE | RENAME_NOREPLACE),
		  EINVAL);
	CHECK_ERR("renameat2.bad_flags", syscall(SYS_renameat2, dfd, "rc", dfd, "rz", 1 << 5),
		  EINVAL);

	mkdirat(dfd, "rd1", 0755);
	mkdirat(dfd, "rd2", 0755);
	mkdirat(dfd, "rd3", 0755);
	mkfile("rd2/x", "x");
	CHECK_ERR2("rename.dir_over_nonempty", renameat(dfd, "rd1", dfd, "rd2"), ENOTEMPTY, EEXIST);
	CHECK_EQ("rename.dir_over_empty", renameat(dfd, "rd1", dfd, "rd3"), 0);
	CHECK_ERR("rename.file_over_dir", renameat(dfd, "rc", dfd, "rd3"), EISDIR);
	CHECK_ERR("rename.dir_over_file", renameat(dfd, "rd3", dfd, "rc"), ENOTDIR);
	CHECK_ERR("rename.into_own_subdir", renameat(dfd, "rd2", dfd, "rd2/in"), EINVAL);
	CHECK_ERR("rename.enoent", renameat(dfd, "none", dfd, "none2"), ENOENT);
	linkat(dfd, "rc", dfd, "rc_link", 0);
	CHECK_EQ("rename.same_inode_noop", renameat(dfd, "rc", dfd, "rc_link"), 0);
	CHECK("rename.same_inode_both_stay", fstatat(dfd, "rc", &st, 0) == 0 && st.st_nlink == 2,
	      "nlink %ld", (long)st.st_nlink);
	CHECK_ERR("rename.efault", syscall(SYS_rename, BADPTR, check_path("x")), EFAULT);
}

static void test_unlink_link(void)
{
	struct stat st;
	int fd;

	mkfile("u", "u");
	CHECK_EQ("unlink.ok", unlink(check_path("u")), 0);
	CHECK_ERR("unlink.enoent", unlink(check_path("u")), ENOENT);
	CHECK_ERR("unlink.eisdir", unlink(check_path("rd2")), EISDIR);
	CHECK_ERR("unlinkat.removedir_enotdir", unlinkat(dfd, "rc", AT_REMOVEDIR), ENOTDIR);
	CHECK_EQ("unlinkat.removedir", unlinkat(dfd, "rd3", AT_REMOVEDIR), 0);
	CHECK_ERR("unlinkat.bad_flags", unlinkat(dfd, "rc", 0x1), EINVAL);
	CHECK_ERR("unlink.enotdir", unlink(check_path("rc/x")), ENOTDIR);

	mkfile("tgt", "target");
	CHECK_EQ("symlink.ok", symlink("tgt", check_path("sl")), 0);
	CHECK_ERR("symlink.eexist", symlink("tgt", check_path("sl")), EEXIST);
	CHECK_EQ("symlinkat.ok", symlinkat("does/not/exist", dfd, "sl2"), 0);
	CHECK_ERR("symlink.empty_target", symlink("", check_path("sl3")), ENOENT);
	CHECK_ERR("symlinkat.enoent_dir", symlinkat("tgt", dfd, "none/sl"), ENOENT);
	CHECK("unlink.symlink_only",
	      unlinkat(dfd, "sl2", 0) == 0 && ino_of("sl2") == 0 && ino_of("tgt") != 0,
	      "link or target wrong");

	CHECK_EQ("link.ok", link(check_path("tgt"), check_path("hl")), 0);
	CHECK("link.same_inode",
	      ino_of("hl") == ino_of("tgt") && fstatat(dfd, "tgt", &st, 0) == 0 && st.st_nlink == 2,
	      "nlink %ld", (long)st.st_nlink);
	CHECK_ERR("link.eexist", link(check_path("tgt"), check_path("hl")), EEXIST);
	CHECK_ERR("link.dir_eperm", link(check_path("rd2"), check_path("dl")), EPERM);
	CHECK_ERR("link.enoent", link(check_path("none"), check_path("nl")), ENOENT);
	CHECK_EQ("linkat.symlink_follow", linkat(dfd, "sl", dfd, "hl2", AT_SYMLINK_FOLLOW), 0);
	CHECK_EQ("linkat.follow_is_target", ino_of("hl2"), ino_of("tgt"));
	CHECK_EQ("linkat.nofollow", linkat(dfd, "sl", dfd, "hl3", 0), 0);
	CHECK("linkat.nofollow_is_link",
	      ino_of("hl3") == ino_of("sl") && fstatat(dfd, "hl3", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISLNK(st.st_mode),
	      "not the symlink inode");
	CHECK_ERR("linkat.bad_flags", linkat(dfd, "tgt", dfd, "hl4", 0x1), EINVAL);
	fd = openat(dfd, "tgt", O_RDONLY);
	CHECK_EQ("unlink.open_file_survives",
		 unlink(check_path("hl")) == 0 && unlink(check_path("hl2")) == 0 &&
			 unlink(check_path("tgt")) == 0 && fstat(fd, &st) == 0 && st.st_nlink == 0,
		 1);
	close(fd);
}

/* A symlink's mode cannot change (EOPNOTSUPP since Linux 6.6), reached through an O_PATH fd:
 * fchmodat2's AT_EMPTY_PATH and chmod of /proc/self/fd/N (the magic link is the symlink
 * itself). The same on an O_PATH fd of a file changes the file. */
static void test_chmod_o_path(void)
{
	struct stat st;
	char proc[64];
	int lfd, ffd;

	mkfile("om", "m");
	symlinkat("om", dfd, "osl");
	lfd = openat(dfd, "osl", O_PATH | O_NOFOLLOW);
	ffd = openat(dfd, "om", O_PATH);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", lfd);
	if (syscall(SYS_fchmodat2, ffd, "", 0600, AT_EMPTY_PATH) < 0 && errno == ENOSYS) {
		check_skip("fchmodat2.empty_path_o_path", "no fchmodat2 in this kernel");
	} else {
		CHECK("fchmodat2.empty_path_o_path", fstatat(dfd, "om", &st, 0) == 0 &&
			      (st.st_mode & 07777) == 0600, "mode 0%o", st.st_mode);
		CHECK_ERR("fchmodat2.empty_path_symlink",
			  syscall(SYS_fchmodat2, lfd, "", 0600, AT_EMPTY_PATH), EOPNOTSUPP);
		CHECK_ERR("fchmodat2.nofollow_symlink",
			  syscall(SYS_fchmodat2, dfd, "osl", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
		CHECK_ERR("fchmodat2.empty_path_without_flag",
			  syscall(SYS_fchmodat2, ffd, "", 0600, 0), ENOENT);
	}
	CHECK_ERR("chmod.proc_fd_of_symlink", chmod(proc, 0600), EOPNOTSUPP);
	CHECK("chmod.proc_fd_target_kept", fstatat(dfd, "om", &st, 0) == 0 &&
		      (st.st_mode & 07777) == 0600, "mode 0%o", st.st_mode);
	close(lfd);
	close(ffd);
}

static void test_chmod_chown(void)
{
	struct stat st;
	int fd;

	mkfile("m", "m");
	CHECK_EQ("chmod.ok", chmod(check_path("m"), 0600), 0);
	CHECK("chmod.mode",
	      stat(check_path("m"), &st) == 0 && (st.st_mode & 07777) == 0600 &&
		      S_ISREG(st.st_mode),
	      "mode 0%o", st.st_mode);
	fd = openat(dfd, "m", O_RDONLY);
	CHECK_EQ("fchmod.ok", fchmod(fd, 0640), 0);
	CHECK("fchmod.mode", fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640, "mode 0%o",
	      st.st_mode);
	CHECK_EQ("fchmodat.ok", fchmodat(dfd, "m", 0604, 0), 0);
	CHECK("fchmodat.mode", fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0604, "mode 0%o",
	      st.st_mode);
	CHECK_EQ("chmod.sticky_dir",
		 chmod(check_path("rd2"), 01777) == 0 && stat(check_path("rd2"), &st) == 0
			 ? (long)(st.st_mode & 07777)
			 : -1L,
		 01777);
	CHECK_ERR("chmod.enoent", chmod(check_path("none"), 0600), ENOENT);
	CHECK_ERR("fchmod.ebadf", fchmod(check_closed_fd(), 0600), EBADF);
	CHECK_ERR("fchmodat.efault", syscall(SYS_fchmodat, dfd, BADPTR, 0600), EFAULT);
	test_chmod_o_path();

	CHECK_EQ("chown.noop", chown(check_path("m"), -1, -1), 0);
	CHECK_EQ("chown.own_ids", chown(check_path("m"), geteuid(), getegid()), 0);
	CHECK_EQ("fchown.own_ids", fchown(fd, geteuid(), getegid()), 0);
	CHECK_EQ("lchown.symlink", lchown(check_path("sl"), geteuid(), getegid()), 0);
	CHECK_EQ("fchownat.nofollow",
		 fchownat(dfd, "sl", geteuid(), getegid(), AT_SYMLINK_NOFOLLOW), 0);
	CHECK_EQ("fchownat.empty_path", fchownat(fd, "", -1, -1, AT_EMPTY_PATH), 0);
	CHECK("chown.ids_kept",
	      fstat(fd, &st) == 0 && st.st_uid == geteuid() && st.st_gid == getegid(),
	      "uid %u gid %u", st.st_uid, st.st_gid);
	CHECK_ERR("fchownat.bad_flags", fchownat(dfd, "m", -1, -1, 0x1), EINVAL);
	CHECK_ERR("chown.enoent", chown(check_path("none"), -1, -1), ENOENT);
	CHECK_ERR("fchown.ebadf", fchown(check_closed_fd(), -1, -1), EBADF);
	close(fd);
}

static void test_utimensat(void)
{
	struct timespec ts[2], before, after;
	struct stat st;
	int fd;

	ts[0] = (struct timespec){1000000000, 123456789};
	ts[1] = (struct timespec){1200000000, 987654321};
	CHECK_EQ("utimensat.set", utimensat(dfd, "m", ts, 0), 0);
	stat(check_path("m"), &st);
	CHECK("utimensat.atime_exact",
	      st.st_atim.tv_sec == ts[0].tv_sec && st.st_atim.tv_nsec == ts[0].tv_nsec,
	      "atime %lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	CHECK("utimensat.mtime_exact",
	      st.st_mtim.tv_sec == ts[1].tv_sec && st.st_mtim.tv_nsec == ts[1].tv_nsec,
	      "mtime %lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

	/* File times come from a coarse clock, so allow a little slack around the call. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	clock_gettime(CLOCK_REALTIME, &before);
	CHECK_EQ("utimensat.omit_now", utimensat(dfd, "m", ts, 0), 0);
	clock_gettime(CLOCK_REALTIME, &after);
	stat(check_path("m"), &st);
	CHECK("utimensat.omit_keeps",
	      st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789, "atime %lld",
	      (long long)st.st_atim.tv_sec);
	CHECK("utimensat.now",
	      st.st_mtim.tv_sec >= before.tv_sec - 1 && st.st_mtim.tv_sec <= after.tv_sec + 1,
	      "mtime %lld, now %lld", (long long)st.st_mtim.tv_sec, (long long)before.tv_sec);
	fd = openat(dfd, "m", O_RDONLY);
	ts[0] = (struct timespec){5, 0};
	ts[1] = (struct timespec){6, 0};
	CHECK("utimensat.fd_null_path",
	      syscall(SYS_utimensat, fd, NULL, ts, 0) == 0 && fstat(fd, &st) == 0 &&
		      st.st_mtim.tv_sec == 6,
	      "mtime %lld", (long long)st.st_mtim.tv_sec);
	CHECK("utimensat.null_times",
	      utimensat(dfd, "m", NULL, 0) == 0 && fstat(fd, &st) == 0 &&
		      st.st_atim.tv_sec >= before.tv_sec - 1,
	      "atime %lld", (long long)st.st_atim.tv_sec);
	close(fd);
	ts[0] = (struct timespec){7, 0};
	ts[1] = (struct timespec){8, 0};
	symlinkat("m", dfd, "msl");
	CHECK_EQ("utimensat.nofollow", utimensat(dfd, "msl", ts, AT_SYMLINK_NOFOLLOW), 0);
	CHECK("utimensat.nofollow_link_only",
	      fstatat(dfd, "msl", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtim.tv_sec == 8 &&
		      stat(check_path("m"), &st) == 0 && st.st_mtim.tv_sec != 8,
	      "mtime %lld", (long long)st.st_mtim.tv_sec);
	ts[1].tv_nsec = 1000000000;
	CHECK_ERR("utimensat.einval_nsec", utimensat(dfd, "m", ts, 0), EINVAL);
	ts[1].tv_nsec = 0;
	CHECK_ERR("utimensat.bad_flags", utimensat(dfd, "m", ts, 0x1), EINVAL);
	CHECK_ERR("utimensat.null_path_nofollow",
		  syscall(SYS_utimensat, dfd, NULL, ts, AT_SYMLINK_NOFOLLOW), EINVAL);
	CHECK_ERR("utimensat.enoent", utimensat(dfd, "none", ts, 0), ENOENT);
	CHECK_ERR("utimensat.efault", syscall(SYS_utimensat, dfd, "m", BADPTR, 0), EFAULT);
}

static void test_path_errors(void)
{
	char *longname, chain[16], prev[16];
	struct stat st;

	symlinkat("loop2", dfd, "loop1");
	symlinkat("loop1", dfd, "loop2");
	CHECK_ERR("path.eloop_open", openat(dfd, "loop1", O_RDONLY), ELOOP);
	CHECK_ERR("path.eloop_stat", fstatat(dfd, "loop1", &st, 0), ELOOP);
	CHECK_ERR("path.eloop_middle", fstatat(dfd, "loop1/x", &st, 0), ELOOP);
	CHECK_ERR("path.eloop_mkdir", mkdirat(dfd, "loop1/x", 0755), ELOOP);

	/* Linux follows at most 40 links per lookup: 10 resolve, 45 do not. */
	mkfile("c0", "end");
	for (int i = 1; i <= 45; i++) {
		snprintf(chain, sizeof(chain), "c%d", i);
		snprintf(prev, sizeof(prev), "c%d", i - 1);
		symlinkat(prev, dfd, chain);
	}
	CHECK_EQ("path.chain_10", fstatat(dfd, "c10", &st, 0), 0);
	CHECK_ERR("path.chain_45_eloop", fstatat(dfd, "c45", &st, 0), ELOOP);

	longname = malloc(5001);
	memset(longname, 'a', 5000);
	longname[5000] = '\0';
	CHECK_ERR("path.enametoolong_5000", openat(dfd, longname, O_RDONLY), ENAMETOOLONG);
	CHECK_ERR("path.enametoolong_mkdir", mkdirat(dfd, longname, 0755), ENAMETOOLONG);
	longname[256] = '\0';
	CHECK_ERR("path.enametoolong_256", fstatat(dfd, longname, &st, 0), ENAMETOOLONG);
	longname[255] = '\0';
	CHECK_EQ("path.name_255_ok", mkdirat(dfd, longname, 0755), 0);
	free(longname);
	CHECK_ERR("path.enotdir_open", openat(dfd, "file/x", O_RDONLY), ENOTDIR);
	CHECK_ERR("path.enotdir_stat", fstatat(dfd, "file/x", &st, 0), ENOTDIR);
	CHECK_ERR("path.enotdir_trailing_slash", fstatat(dfd, "file/", &st, 0), ENOTDIR);
	CHECK_ERR("path.eisdir_create_trailing_slash", openat(dfd, "newf/", O_CREAT | O_RDWR, 0644),
		  EISDIR);
}

/* A trailing slash asks for a directory: it follows the last name's link even where the call
 * does not (lstat, unlink, rmdir), and a non-directory there is ENOTDIR; so too for the links
 * of /proc and /dev. */
static void test_trailing_slash(void)
{
	struct stat st;
	char p[64];

	mkdirat(dfd, "ts_dir", 0755);
	mkfile("ts_file", "x");
	symlinkat("ts_dir", dfd, "ts_dlink");
	symlinkat("ts_file", dfd, "ts_flink");
	CHECK("trailing.lstat_dir_link_follows",
	      fstatat(dfd, "ts_dlink/", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode),
	      "mode 0%o", st.st_mode);
	CHECK_ERR("trailing.lstat_file_link_enotdir",
		  fstatat(dfd, "ts_flink/", &st, AT_SYMLINK_NOFOLLOW), ENOTDIR);
	CHECK_ERR("trailing.open_file_link_enotdir", openat(dfd, "ts_flink/", O_RDONLY), ENOTDIR);
	CHECK_ERR("trailing.unlink_file_enotdir", unlinkat(dfd, "ts_file/", 0), ENOTDIR);
	CHECK_ERR("trailing.rmdir_dir_link_enotdir", unlinkat(dfd, "ts_dlink/", AT_REMOVEDIR),
		  ENOTDIR);
	CHECK_EQ("trailing.mkdir_ok", mkdirat(dfd, "ts_new/", 0755), 0);
	CHECK_EQ("trailing.rename_dir_ok", renameat(dfd, "ts_new/", dfd, "ts_new2/"), 0);
	CHECK_EQ("trailing.rmdir_ok", unlinkat(dfd, "ts_new2/", AT_REMOVEDIR), 0);

	static const struct { const char *path; int dir; } proc[] = {
		{"/proc/self/", 1},	 {"/proc/thread-self/", 1}, {"/proc/self/cwd/", 1},
		{"/proc/self/root/", 1}, {"/dev/fd/", 1},	     {"/proc/self/exe/", 0},
		{"/proc/self/fd/0/", 0}, {"/proc/version/", 0},     {"/dev/null/", 0},
		{"/proc/self/.", 1},	 {"/dev/fd/.", 1},	     {"/proc/version/.", 0},
	};
	for (size_t i = 0; i < sizeof(proc) / sizeof(proc[0]); i++) {
		snprintf(p, sizeof(p), "trailing.lstat%s", proc[i].path);
		for (char *c = p + 14; *c; c++)
			if (*c == '/')
				*c = '_';
		char bare[64];
		snprintf(bare, sizeof(bare), "%s", proc[i].path);
		size_t bl = strlen(bare);
		if (bare[bl - 1] == '.')
			bare[--bl] = 0;
		bare[bl - 1] = 0; /* the path without its trailing "/" or "/." */
		if (lstat(bare, &st) < 0) { /* a system without /dev/fd (a bare devtmpfs) */
			check_skip(p, "no such file without the slash");
			continue;
		}
		int r = lstat(proc[i].path, &st);
		if (proc[i].dir)
			CHECK(p, r == 0 && S_ISDIR(st.st_mode), "%d/%s, mode 0%o", r,
			      check_errname(errno), r == 0 ? st.st_mode : 0);
		else
			CHECK_ERR(p, lstat(proc[i].path, &st), ENOTDIR);
	}
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	umask(022);
	dfd = open(check_tmpdir_make(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_mkdir_rmdir();
	test_getdents();
	test_cwd();
	test_rename();
	test_unlink_link();
	test_chmod_chown();
	test_utimensat();
	test_path_errors();
	test_trailing_slash();
	return check_done();
}
