/* SPDX-License-Identifier: MIT */
/* file_locks.c: coverage for flock, fcntl record and OFD locks, fallocate, preadv2/pwritev2, close_range, syncs, mknodat. */
#include "check.h"

#include <linux/falloc.h>
#include <sys/file.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Runs fn in a child process and returns its exit status (a second, independent lock owner). */
static int in_child(int (*fn)(const char *), const char *arg)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* Child side: try an exclusive flock without blocking; exit 0 if refused with EWOULDBLOCK. */
static int child_flock_refused(const char *path)
{
	int fd = open(path, O_RDWR);

	return flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK ? 0 : 1;
}

static int child_flock_shared_ok(const char *path)
{
	int fd = open(path, O_RDWR);

	return flock(fd, LOCK_SH | LOCK_NB) == 0 ? 0 : 1;
}

/* Child side: F_SETLK write lock on bytes 0..9; exit 0 if refused (EAGAIN or EACCES). */
static int child_setlk_refused(const char *path)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	int fd = open(path, O_RDWR);

	return fcntl(fd, F_SETLK, &fl) == -1 && (errno == EAGAIN || errno == EACCES) ? 0 : 1;
}

static int child_setlk_far_ok(const char *path)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 10};
	int fd = open(path, O_RDWR);

	return fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1;
}

static int child_getlk_pid(const char *path)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
	int fd = open(path, O_RDWR);

	if (fcntl(fd, F_GETLK, &fl))
		return 2;
	return fl.l_type == F_WRLCK && fl.l_pid == getppid() ? 0 : 1;
}

static void flock_alarm(int sig)
{
	(void)sig;
}

static void test_flock(void)
{
	const char *path = check_path("flock");
	int fd, fd2;

	check_write_file(path, "data", 4);
	fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK_SYS("flock.exclusive", flock(fd, LOCK_EX));
	CHECK_EQ("flock.other_process_refused", in_child(child_flock_refused, path), 0);
	/* A second open file description in the same process is a different owner. */
	fd2 = open(path, O_RDWR | O_CLOEXEC);
	CHECK_ERR("flock.second_ofd_refused", flock(fd2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	CHECK_SYS("flock.relock_same_fd", flock(fd, LOCK_EX | LOCK_NB));
	CHECK_SYS("flock.downgrade", flock(fd, LOCK_SH));
	CHECK_EQ("flock.shared_coexist", in_child(child_flock_shared_ok, path), 0);
	CHECK_SYS("flock.unlock", flock(fd, LOCK_UN));
	CHECK_SYS("flock.after_unlock", flock(fd2, LOCK_EX | LOCK_NB));
	close(fd2); /* closing the last fd of the description drops its lock */
	CHECK_SYS("flock.dropped_on_close", flock(fd, LOCK_EX | LOCK_NB));
	CHECK_ERR("flock.bad_op", flock(fd, 0x40), EINVAL);
	CHECK_ERR("flock.ebadf", flock(check_closed_fd(), LOCK_EX), EBADF);
	{
		/* A blocked flock is interrupted by a handled signal (no SA_RESTART: EINTR). */
		struct sigaction sa = {.sa_handler = flock_alarm};
		int o = open(path, O_RDWR);

		sigaction(SIGALRM, &sa, NULL);
		CHECK_SYS("flock.hold_for_eintr", flock(fd, LOCK_EX | LOCK_NB));
		ualarm(50000, 0);
		CHECK_ERR("flock.blocked_eintr", flock(o, LOCK_EX), EINTR);
		signal(SIGALRM, SIG_DFL);
		flock(fd, LOCK_UN);
		close(o);
	}
	close(fd);
}

static void test_fcntl_locks(void)
{
	const char *path = check_path("posix");
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	int fd, fd2, ro;

	check_write_file(path, "0123456789", 10);
	fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK_SYS("fcntl.setlk_write", fcntl(fd, F_SETLK, &fl));
	CHECK_EQ("fcntl.setlk_other_refused", in_child(child_setlk_refused, path), 0);
	CHECK_EQ("fcntl.setlk_disjoint_ok", in_child(child_setlk_far_ok, path), 0);
	CHECK_EQ("fcntl.getlk_reports_owner", in_child(child_getlk_pid, path), 0);
	fl.l_type = F_WRLCK;
	CHECK_SYS("fcntl.getlk_own_lock", fcntl(fd, F_GETLK, &fl));
	CHECK_EQ("fcntl.getlk_own_unlocked", fl.l_type, F_UNLCK);
	/* POSIX locks belong to the process: closing ANY fd of the file drops them. */
	fd2 = open(path, O_RDONLY | O_CLOEXEC);
	close(fd2);
	CHECK_EQ("fcntl.setlk_dropped_by_other_close", in_child(child_setlk_refused, path), 1);
	/* ... a dup of the locking fd included */
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	fcntl(fd, F_SETLK, &fl);
	CHECK_EQ("fcntl.setlk_held_again", in_child(child_setlk_refused, path), 0);
	close(dup(fd));
	CHECK_EQ("fcntl.setlk_dropped_by_dup_close", in_child(child_setlk_refused, path), 1);
	fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	ro = open(path, O_WRONLY | O_CLOEXEC);
	CHECK_ERR("fcntl.setlk_read_on_wronly", fcntl(ro, F_SETLK, &fl), EBADF);
	close(ro);
	fl.l_type = 99;
	CHECK_ERR("fcntl.setlk_bad_type", fcntl(fd, F_SETLK, &fl), EINVAL);
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = -5, .l_len = 1};
	CHECK_ERR("fcntl.setlk_negative_start", fcntl(fd, F_SETLK, &fl), EINVAL);
	fl.l_whence = 42;
	fl.l_start = 0;
	CHECK_ERR("fcntl.setlk_bad_whence", fcntl(fd, F_SETLK, &fl), EINVAL);
	CHECK_ERR("fcntl.setlk_efault", syscall(SYS_fcntl, fd, F_SETLK, BADPTR), EFAULT);
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	CHECK_SYS("fcntl.setlkw_uncontended", fcntl(fd, F_SETLKW, &fl));
	fl.l_type = F_UNLCK;
	CHECK_SYS("fcntl.setlk_unlock", fcntl(fd, F_SETLK, &fl));
	CHECK_EQ("fcntl.unlocked_other_ok", in_child(child_setlk_refused, path), 1);

	/* OFD locks belong to the open file description, so two opens conflict. */
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	CHECK_SYS("fcntl.ofd_setlk", fcntl(fd, F_OFD_SETLK, &fl));
	fd2 = open(path, O_RDWR | O_CLOEXEC);
	CHECK_ERR("fcntl.ofd_second_open_refused", fcntl(fd2, F_OFD_SETLK, &fl), EAGAIN);
	fl.l_type = F_WRLCK;
	CHECK_SYS("fcntl.ofd_getlk", fcntl(fd2, F_OFD_GETLK, &fl));
	CHECK("fcntl.ofd_getlk_pid", fl.l_type == F_WRLCK && fl.l_pid == -1, "type %d pid %d",
	      fl.l_type, fl.l_pid);
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10,
			    .l_pid = 1};
	CHECK_ERR("fcntl.ofd_nonzero_pid", fcntl(fd2, F_OFD_SETLK, &fl), EINVAL);
	CHECK_EQ("fcntl.ofd_conflicts_posix", in_child(child_setlk_refused, path), 0);
	fl.l_pid = 0;
	fl.l_type = F_UNLCK;
	fcntl(fd, F_OFD_SETLK, &fl);
	fl.l_type = F_WRLCK;
	CHECK_SYS("fcntl.ofd_after_unlock", fcntl(fd2, F_OFD_SETLKW, &fl));
	close(fd2);
	CHECK_SYS("fcntl.ofd_dropped_on_close", fcntl(fd, F_OFD_SETLK, &fl));
	close(fd);
}

static void test_fallocate(void)
{
	struct stat st;
	char buf[8192];
	int fd = open(check_path("falloc"), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	int r;

	CHECK_SYS("fallocate.extend", fallocate(fd, 0, 0, 8192));
	fstat(fd, &st);
	CHECK_EQ("fallocate.size", st.st_size, 8192);
	CHECK("fallocate.blocks", st.st_blocks * 512 >= 8192, "blocks %lld",
	      (long long)st.st_blocks);
	CHECK_SYS("fallocate.keep_size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
	fstat(fd, &st);
	CHECK_EQ("fallocate.keep_size_unchanged", st.st_size, 8192);
	memset(buf, 'x', sizeof(buf));
	pwrite(fd, buf, 8192, 0);
	r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096);
	if (r == 0) {
		CHECK("fallocate.punch_hole_zeros",
		      pread(fd, buf, 4096, 0) == 4096 && buf[0] == 0 && buf[4095] == 0,
		      "byte 0x%x", buf[0]);
		fstat(fd, &st);
		CHECK_EQ("fallocate.punch_hole_size", st.st_size, 8192);
	} else {
		check_skip("fallocate.punch_hole_zeros", "filesystem cannot punch holes");
		check_skip("fallocate.punch_hole_size", "filesystem cannot punch holes");
	}
	CHECK_ERR("fallocate.punch_without_keep", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096),
		  EOPNOTSUPP);
	CHECK_ERR("fallocate.zero_len", fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR("fallocate.negative_offset", fallocate(fd, 0, -1, 10), EINVAL);
	CHECK_ERR("fallocate.bad_mode", fallocate(fd, 0x4000, 0, 10), EOPNOTSUPP);
	CHECK_ERR("fallocate.ebadf", fallocate(check_closed_fd(), 0, 0, 10), EBADF);
	close(fd);
	fd = open(check_path("falloc"), O_RDONLY | O_CLOEXEC);
	CHECK_ERR("fallocate.read_only", fallocate(fd, 0, 0, 10), EBADF);
	close(fd);
	fd = open(check_path(""), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK_ERR2("fallocate.directory", fallocate(fd, 0, 0, 10), EISDIR, EBADF);
	close(fd);
	{
		int p[2];

		pipe(p);
		CHECK_ERR("fallocate.pipe", fallocate(p[1], 0, 0, 10), ESPIPE);
		close(p[0]);
		close(p[1]);
	}
}

static void test_vectored(void)
{
	char a[4] = "", b[8] = "";
	struct iovec w[2] = {{(void *)"abcd", 4}, {(void *)"efghijkl", 8}};
	struct iovec r[2] = {{a, 4}, {b, 8}};
	int fd = open(check_path("vec"), O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	int p[2];

	CHECK_EQ("pwritev.ok", pwritev(fd, w, 2, 10), 12);
	CHECK_EQ("pwritev.offset_kept", lseek(fd, 0, SEEK_CUR), 0);
	CHECK_EQ("preadv.ok", preadv(fd, r, 2, 10), 12);
	CHECK("preadv.data", !memcmp(a, "abcd", 4) && !memcmp(b, "efghijkl", 8), "bad data");
	CHECK_EQ("preadv.at_eof", preadv(fd, r, 2, 100), 0);
	CHECK_ERR("preadv.negative_offset", preadv(fd, r, 2, -1), EINVAL);
	/* preadv2/pwritev2 with offset -1 use and move the file position. */
	lseek(fd, 10, SEEK_SET);
	CHECK_EQ("preadv2.current_offset", preadv2(fd, r, 1, -1, 0), 4);
	CHECK_EQ("preadv2.offset_moved", lseek(fd, 0, SEEK_CUR), 14);
	CHECK_EQ("pwritev2.current_offset", pwritev2(fd, w, 1, -1, 0), 4);
	CHECK_EQ("pwritev2.offset_moved", lseek(fd, 0, SEEK_CUR), 18);
	CHECK_EQ("preadv2.explicit_offset", preadv2(fd, r, 2, 10, RWF_HIPRI), 12);
	CHECK_EQ("pwritev2.dsync", pwritev2(fd, w, 1, 0, RWF_DSYNC), 4);
	CHECK_ERR("preadv2.bad_flags", preadv2(fd, r, 1, 0, 0x1000000), EOPNOTSUPP);
	CHECK_ERR("pwritev2.bad_flags", pwritev2(fd, w, 1, 0, 0x1000000), EOPNOTSUPP);
	close(fd);
	fd = open(check_path("vec"), O_WRONLY | O_APPEND | O_CLOEXEC);
	CHECK_EQ("pwritev2.append_flag", pwritev2(fd, w, 1, 0, RWF_APPEND), 4);
	CHECK_EQ("pwritev2.append_at_end", lseek(fd, 0, SEEK_END), 26);
	close(fd);
	pipe2(p, O_NONBLOCK);
	CHECK_ERR("preadv2.nowait_empty_pipe", preadv2(p[0], r, 1, -1, RWF_NOWAIT), EAGAIN);
	CHECK_ERR("preadv.pipe_espipe", preadv(p[0], r, 1, 0), ESPIPE);
	CHECK_ERR("pwritev.pipe_espipe", pwritev(p[1], w, 1, 0), ESPIPE);
	/* a positioned call on a pipe is ESPIPE before the end's access mode is looked at */
	CHECK_ERR("pwritev2.pipe_read_end_espipe", pwritev2(p[0], w, 1, 0, 0), ESPIPE);
	CHECK_ERR("preadv.pipe_write_end_espipe", preadv(p[1], r, 1, 0), ESPIPE);
	CHECK_ERR("pwritev.ebadf", pwritev(check_closed_fd(), w, 1, 0), EBADF);
	close(p[0]);
	p[0] = open(check_path("vec"), O_RDONLY | O_CLOEXEC);
	CHECK_ERR("preadv.efault", syscall(SYS_preadv, p[0], BADPTR, 1, 0, 0), EFAULT);
	CHECK_ERR("preadv.negative_iovcnt", syscall(SYS_preadv, p[0], r, -1, 0, 0), EINVAL);
	CHECK_ERR("pwritev.read_only_ebadf", pwritev(p[0], w, 1, 0), EBADF);
	close(p[0]);
	close(p[1]);
}

static void test_close_range(void)
{
	int fd = open("/dev/null", O_RDONLY), base = fcntl(fd, F_DUPFD, 400);

	/* Four plain (not close-on-exec) descriptors at base..base+3. */
	close(base);
	for (int i = 0; i < 4; i++)
		dup2(fd, base + i);
	close(fd);
	CHECK_SYS("close_range.cloexec", syscall(SYS_close_range, base, base + 1,
						 CLOSE_RANGE_CLOEXEC));
	CHECK_EQ("close_range.cloexec_set", fcntl(base, F_GETFD) + fcntl(base + 1, F_GETFD),
		 2 * FD_CLOEXEC);
	CHECK_EQ("close_range.cloexec_outside", fcntl(base + 2, F_GETFD), 0);
	CHECK_SYS("close_range.close", syscall(SYS_close_range, base, base + 2, 0));
	CHECK("close_range.closed", fcntl(base, F_GETFD) == -1 && fcntl(base + 2, F_GETFD) == -1,
	      "still open");
	CHECK_EQ("close_range.beyond_kept", fcntl(base + 3, F_GETFD), 0);
	CHECK_SYS("close_range.to_max", syscall(SYS_close_range, base + 3, ~0U, 0));
	CHECK_ERR("close_range.beyond_closed", fcntl(base + 3, F_GETFD), EBADF);
	CHECK_SYS("close_range.nothing_open", syscall(SYS_close_range, base, base + 10, 0));
	CHECK_ERR("close_range.reversed", syscall(SYS_close_range, 10, 5, 0), EINVAL);
	CHECK_ERR("close_range.bad_flags", syscall(SYS_close_range, base, base, 0x80), EINVAL);
	dup2(1, base);
	CHECK_SYS("close_range.unshare", syscall(SYS_close_range, base, base, CLOSE_RANGE_UNSHARE));
	CHECK_ERR("close_range.unshare_closed", fcntl(base, F_GETFD), EBADF);
}

static void test_sync_mknod(void)
{
	int fd = open(check_path("sync"), O_CREAT | O_RDWR | O_CLOEXEC, 0600), p[2];
	struct stat st;

	write(fd, "sync me", 7);
	CHECK_SYS("sync_file_range.write", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	CHECK_SYS("sync_file_range.wait_all",
		  sync_file_range(fd, 0, 7, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
						    SYNC_FILE_RANGE_WAIT_AFTER));
	CHECK_ERR("sync_file_range.bad_flags", sync_file_range(fd, 0, 0, 0x10), EINVAL);
	CHECK_ERR("sync_file_range.negative", sync_file_range(fd, -1, 0, 0), EINVAL);
	CHECK_ERR("sync_file_range.ebadf", sync_file_range(check_closed_fd(), 0, 0, 0), EBADF);
	pipe(p);
	CHECK_ERR("sync_file_range.pipe", sync_file_range(p[0], 0, 0, SYNC_FILE_RANGE_WRITE),
		  ESPIPE);
	close(p[0]);
	close(p[1]);
	CHECK_SYS("syncfs.ok", syncfs(fd));
	CHECK_ERR("syncfs.ebadf", syncfs(check_closed_fd()), EBADF);
	sync();
	CHECK("sync.returns", 1, "unreachable");
	close(fd);

	CHECK_SYS("mknodat.fifo", mknodat(AT_FDCWD, check_path("fifo"), S_IFIFO | 0600, 0));
	CHECK("mknodat.fifo_type", stat(check_path("fifo"), &st) == 0 && S_ISFIFO(st.st_mode) &&
					   (st.st_mode & 0777) == 0600,
	      "mode %o", st.st_mode);
	CHECK_ERR("mknodat.eexist", mknodat(AT_FDCWD, check_path("fifo"), S_IFIFO | 0600, 0),
		  EEXIST);
	CHECK_SYS("mknodat.regular", mknodat(AT_FDCWD, check_path("regnode"), S_IFREG | 0600, 0));
	CHECK("mknodat.regular_type", stat(check_path("regnode"), &st) == 0 && S_ISREG(st.st_mode),
	      "mode %o", st.st_mode);
	CHECK_ERR("mknodat.bad_type", mknodat(AT_FDCWD, check_path("bad"), 0170000 | 0600, 0),
		  EINVAL);
	CHECK_ERR("mknodat.enoent", mknodat(AT_FDCWD, check_path("no/fifo"), S_IFIFO | 0600, 0),
		  ENOENT);
	CHECK_ERR("mknodat.ebadf", mknodat(check_closed_fd(), "fifo", S_IFIFO | 0600, 0), EBADF);
	CHECK_ERR("mknod.raw_eexist", syscall(SYS_mknod, check_path("fifo"), S_IFIFO | 0600, 0),
		  EEXIST);
	CHECK_SYS("mknod.fifo", syscall(SYS_mknod, check_path("fifo2"), S_IFIFO | 0644, 0));
	if (geteuid() != 0)
		CHECK_ERR("mknodat.chardev_eperm", mknodat(AT_FDCWD, check_path("null"),
							   S_IFCHR | 0600, makedev(1, 3)), EPERM);
	else
		check_skip("mknodat.chardev_eperm", "root may create device nodes");
	/* A FIFO opened non-blocking for writing with no reader: ENXIO. */
	CHECK_ERR("openat.fifo_no_reader", open(check_path("fifo"), O_WRONLY | O_NONBLOCK), ENXIO);
	fd = open(check_path("fifo"), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	CHECK("openat.fifo_reader_nonblock", fd >= 0, "%s", check_errname(errno));
	p[1] = open(check_path("fifo"), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	CHECK("openat.fifo_writer_with_reader", p[1] >= 0 && write(p[1], "f", 1) == 1, "%s",
	      check_errname(errno));
	close(p[1]);
	close(fd);

	/* Permission to create in a directory: EACCES for a user without write permission. */
	{
		pid_t pid;

		mkdir(check_path("ro"), 0555);
		chmod(check_tmpdir, 0755);
		chmod(check_path("sync"), 0);
		pid = check_fork_unprivileged();
		if (pid == 0) {
			CHECK_ERR("mknodat.eacces", mknodat(AT_FDCWD, check_path("ro/fifo"),
							    S_IFIFO | 0600, 0), EACCES);
			CHECK_ERR("openat.eacces_mode", open(check_path("sync"), O_RDWR), EACCES);
			check_child_exit();
		}
		check_wait_child("mknodat.eacces_child", pid, 0);
	}
}

static volatile sig_atomic_t sigio_fd = -2, sigio_code;

/* The F_SETSIG signal of a lease break or a dnotify event: remember si_fd and, for a lease,
 * give it up so the breaking open goes on. */
static void sigio_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigio_fd = si->si_fd;
	sigio_code = si->si_code;
	fcntl(si->si_fd, F_SETLEASE, F_UNLCK);
}

static int child_open_write(const char *path)
{
	alarm(20); /* a lease never broken holds the open for lease-break-time (45 s) */
	return open(path, O_WRONLY) >= 0 ? 0 : 1;
}

/* F_SETSIG/F_SETOWN_EX, leases and dnotify: what they report, and the signal they raise
 * carries the process's own fd number in si_fd. */
static void test_fcntl_signals(void)
{
	const char *path = check_path("lease"), *dir = check_path("dnotify");
	struct f_owner_ex own = {F_OWNER_TID, (pid_t)syscall(SYS_gettid)}, got = {0, 0};
	struct sigaction sa = {.sa_sigaction = sigio_handler, .sa_flags = SA_SIGINFO};
	int sig = SIGRTMIN + 1, fd, rw, dfd, st;
	pid_t pid;

	check_write_file(path, "x", 1);
	sigaction(sig, &sa, NULL);
	/* fd numbers of their own (40, 41), so that si_fd naming another number shows */
	fd = dup2(rw = open(path, O_RDONLY), 40);
	close(rw);
	CHECK_SYS("fcntl.setsig", fcntl(fd, F_SETSIG, sig));
	CHECK_EQ("fcntl.getsig", fcntl(fd, F_GETSIG), sig);
	CHECK_ERR("fcntl.setsig_invalid", fcntl(fd, F_SETSIG, 65), EINVAL);
	CHECK_SYS("fcntl.setown_ex_tid", fcntl(fd, F_SETOWN_EX, &own));
	CHECK("fcntl.getown_ex", fcntl(fd, F_GETOWN_EX, &got) == 0 && got.type == F_OWNER_TID &&
	      got.pid == own.pid, "type %d pid %d", got.type, got.pid);
	own = (struct f_owner_ex){F_OWNER_PID, getpid()};
	fcntl(fd, F_SETOWN_EX, &own);
	CHECK_ERR("fcntl.setown_ex_bad_type", fcntl(fd, F_SETOWN_EX,
						  &(struct f_owner_ex){7, getpid()}), EINVAL);

	/* A read lease needs the file open for writing nowhere (EAGAIN otherwise). */
	rw = open(path, O_RDWR);
	CHECK_ERR("fcntl.setlease_writer_eagain", fcntl(rw, F_SETLEASE, F_RDLCK), EAGAIN);
	close(rw);
	CHECK_SYS("fcntl.setlease_read", fcntl(fd, F_SETLEASE, F_RDLCK));
	CHECK_EQ("fcntl.getlease_read", fcntl(fd, F_GETLEASE), F_RDLCK);
	sigio_fd = -2;
	pid = fork();
	if (pid == 0)
		_exit(child_open_write(path));
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	CHECK("fcntl.lease_break_open", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	CHECK_EQ("fcntl.lease_break_si_fd", sigio_fd, fd);
	CHECK_EQ("fcntl.getlease_after_break", fcntl(fd, F_GETLEASE), F_UNLCK);
	CHECK_ERR("fcntl.notify_not_dir", fcntl(fd, F_NOTIFY, DN_CREATE), ENOTDIR);
	close(fd);

	/* dnotify: a file created in the watched directory raises the F_SETSIG signal. */
	mkdir(dir, 0700);
	dfd = dup2(rw = open(dir, O_RDONLY | O_DIRECTORY), 41);
	close(rw);
	sigio_fd = -2;
	fcntl(dfd, F_SETSIG, sig);
	CHECK_SYS("fcntl.notify_create", fcntl(dfd, F_NOTIFY, DN_CREATE));
	/* made by another process: the signal comes from the kernel, not from our own call */
	pid = fork();
	if (pid == 0)
		_exit(close(open(check_path("dnotify/new"), O_CREAT | O_WRONLY, 0600)) ? 1 : 0);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	for (int i = 0; i < 200 && sigio_fd == -2; i++)
		usleep(5000);
	CHECK("fcntl.notify_si_fd", sigio_fd == dfd && sigio_code == POLL_MSG, "si_fd %d code %d",
	      (int)sigio_fd, (int)sigio_code);
	close(dfd);
	signal(sig, SIG_DFL);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	test_flock();
	test_fcntl_locks();
	test_fcntl_signals();
	test_fallocate();
	test_vectored();
	test_close_range();
	test_sync_mknod();
	return check_done();
}
