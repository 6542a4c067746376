/* SPDX-License-Identifier: MIT */
/* splice_memfd.c: coverage for splice/tee/vmsplice, memfd_create with seals, and inotify. */
#include "check.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/uio.h>

/* A read that gives up (ETIMEDOUT) rather than block when the data is not there. */
static ssize_t read_ready(int fd, void *buf, size_t n)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (poll(&pfd, 1, 1000) != 1) { /* the data was written before: no waiting needed */
		errno = ETIMEDOUT;
		return -1;
	}
	return read(fd, buf, n);
}

static void test_splice(void)
{
	int p[2], q[2], fd, out;
	char buf[32] = "";
	loff_t off;
	struct iovec iov = {(void *)"vmspliced", 9};

	pipe(p);
	pipe(q);
	fd = open(check_path("src"), O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	write(fd, "0123456789", 10);
	off = 2;
	CHECK_EQ("splice.file_to_pipe", splice(fd, &off, p[1], NULL, 5, 0), 5);
	CHECK_EQ("splice.offset_advanced", off, 7);
	CHECK_EQ("splice.file_pos_unchanged", lseek(fd, 0, SEEK_CUR), 10);
	CHECK("splice.data", read_ready(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "23456", 5),
	      "got %s", buf);
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ("splice.file_pos_used", splice(fd, NULL, p[1], NULL, 3, 0), 3);
	CHECK_EQ("splice.file_pos_moved", lseek(fd, 0, SEEK_CUR), 3);
	out = open(check_path("dst"), O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	off = 4;
	CHECK_EQ("splice.pipe_to_file", splice(p[0], NULL, out, &off, 3, 0), 3);
	memset(buf, 0, sizeof(buf));
	CHECK("splice.pipe_to_file_data", pread(out, buf, 16, 0) == 7 && !memcmp(buf + 4, "012", 3),
	      "bad file data");
	CHECK_ERR("splice.empty_nonblock", splice(p[0], NULL, out, NULL, 3, SPLICE_F_NONBLOCK),
		  EAGAIN);
	CHECK_ERR("splice.no_pipe", splice(fd, NULL, out, NULL, 3, 0), EINVAL);
	CHECK_ERR("splice.offset_on_pipe", splice(p[0], &off, out, NULL, 3, 0), ESPIPE);
	CHECK_ERR("splice.ebadf", splice(check_closed_fd(), NULL, p[1], NULL, 3, 0), EBADF);
	CHECK_ERR("splice.bad_flags", splice(fd, NULL, p[1], NULL, 3, 0x80), EINVAL);
	CHECK_ERR("splice.wronly_source", splice(p[1], NULL, q[1], NULL, 3, 0), EBADF);
	CHECK_EQ("splice.zero_len", splice(fd, NULL, p[1], NULL, 0, 0), 0);
	CHECK_ERR("splice.efault_offset", syscall(SYS_splice, fd, BADPTR, p[1], NULL, 3, 0), EFAULT);
	off = 0;
	CHECK_EQ("splice.at_eof", splice(fd, &(loff_t){100}, p[1], NULL, 3, 0), 0);

	/* tee duplicates pipe data without consuming it. */
	write(p[1], "teedata", 7);
	CHECK_EQ("tee.copies", tee(p[0], q[1], 100, 0), 7);
	memset(buf, 0, sizeof(buf));
	CHECK("tee.target_data", read_ready(q[0], buf, sizeof(buf)) == 7 && !memcmp(buf, "teedata", 7),
	      "got %s", buf);
	CHECK("tee.source_kept", read_ready(p[0], buf, sizeof(buf)) == 7, "source consumed");
	CHECK_ERR("tee.empty_nonblock", tee(p[0], q[1], 10, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("tee.same_pipe", tee(p[0], p[1], 10, 0), EINVAL);
	CHECK_ERR("tee.not_pipe", tee(fd, q[1], 10, 0), EINVAL);
	CHECK_ERR("tee.ebadf", tee(check_closed_fd(), q[1], 10, 0), EBADF);

	CHECK_EQ("vmsplice.to_pipe", vmsplice(p[1], &iov, 1, 0), 9);
	memset(buf, 0, sizeof(buf));
	CHECK("vmsplice.data", read_ready(p[0], buf, sizeof(buf)) == 9 && !memcmp(buf, "vmspliced", 9),
	      "got %s", buf);
	CHECK_ERR("vmsplice.not_pipe", vmsplice(fd, &iov, 1, 0), EBADF);
	CHECK_ERR("vmsplice.bad_flags", vmsplice(p[1], &iov, 1, 0x80), EINVAL);
	CHECK_ERR("vmsplice.efault", syscall(SYS_vmsplice, p[1], BADPTR, 1, 0), EFAULT);
	write(p[1], "out", 3);
	{
		char got[8] = "";
		struct iovec r = {got, sizeof(got)};

		CHECK("vmsplice.from_pipe", vmsplice(p[0], &r, 1, 0) == 3 && !memcmp(got, "out", 3),
		      "got %s", got);
	}
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(fd);
	close(out);
}

static void test_memfd(void)
{
	struct stat st;
	char path[64], buf[16] = "";
	int fd, fd2, seals;
	void *m;

	fd = CHECK_SYS("memfd_create.ok", memfd_create("lxrun-test", 0));
	CHECK_EQ("memfd_create.no_cloexec", fcntl(fd, F_GETFD), 0);
	fstat(fd, &st);
	CHECK("memfd_create.empty_regular", S_ISREG(st.st_mode) && st.st_size == 0, "mode %o size %lld",
	      st.st_mode, (long long)st.st_size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(buf, 0, sizeof(buf));
	readlink(path, buf, sizeof(buf) - 1);
	CHECK("memfd_create.name", strncmp(buf, "/memfd:lxrun-test", 15) == 0, "link %s", buf);
	CHECK_EQ("memfd_create.write", write(fd, "memory", 6), 6);
	CHECK("memfd_create.read", pread(fd, buf, 6, 0) == 6 && !memcmp(buf, "memory", 6), "data");
	CHECK_EQ("memfd_create.no_seals_allowed", fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
	CHECK_ERR("memfd_create.add_seal_refused", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(fd);

	fd = memfd_create("sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	CHECK_EQ("memfd_create.cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("fcntl.get_seals_none", fcntl(fd, F_GET_SEALS), 0);
	ftruncate(fd, 4096);
	CHECK_SYS("fcntl.add_seal_shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	CHECK_ERR("ftruncate.sealed_shrink", ftruncate(fd, 100), EPERM);
	CHECK_SYS("ftruncate.sealed_grow_ok", ftruncate(fd, 8192));
	CHECK_SYS("fcntl.add_seal_grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	CHECK_ERR("ftruncate.sealed_grow", ftruncate(fd, 16384), EPERM);
	CHECK_ERR("write.sealed_grow_past_end", pwrite(fd, "x", 1, 8192), EPERM);
	CHECK_EQ("write.sealed_grow_inside", pwrite(fd, "x", 1, 0), 1);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK_ERR("fcntl.seal_write_while_mapped", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	munmap(m, 4096);
	CHECK_SYS("fcntl.add_seal_write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK_ERR("write.sealed_write", pwrite(fd, "y", 1, 0), EPERM);
	CHECK("mmap.sealed_write_shared",
	      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
		      errno == EPERM,
	      "%s", check_errname(errno));
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("mmap.sealed_read_ok", m != MAP_FAILED, "%s", check_errname(errno));
	if (m != MAP_FAILED)
		munmap(m, 4096);
	CHECK_SYS("fcntl.add_seal_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	seals = fcntl(fd, F_GET_SEALS);
	CHECK_EQ("fcntl.get_seals_all", seals, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
						       F_SEAL_SEAL);
	CHECK_ERR("fcntl.add_seal_after_seal", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	fd2 = open(check_path("plain"), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	/* EINVAL where the filesystem has no seals; tmpfs files are born with F_SEAL_SEAL. */
	CHECK_ERR2("fcntl.add_seals_not_memfd", fcntl(fd2, F_ADD_SEALS, F_SEAL_WRITE), EINVAL,
		   EPERM);
	close(fd2);
	close(fd);
	CHECK_ERR("memfd_create.bad_flags", memfd_create("x", 0x1000), EINVAL);
	{
		char longname[300];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		CHECK_ERR("memfd_create.name_too_long", memfd_create(longname, 0), EINVAL);
	}
	CHECK_ERR("memfd_create.efault", syscall(SYS_memfd_create, BADPTR, 0), EFAULT);
}

static void test_inotify(void)
{
	char buf[4096] __attribute__((aligned(8)));
	struct inotify_event *ev;
	struct pollfd pfd;
	int in, wd, wd2, fd;
	ssize_t n;
	uint32_t seen = 0;

	in = CHECK_SYS("inotify_init1.ok", inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	CHECK_EQ("inotify_init1.cloexec", fcntl(in, F_GETFD), FD_CLOEXEC);
	CHECK_EQ("inotify_init1.nonblock", fcntl(in, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_ERR("inotify_init1.bad_flags", inotify_init1(0x1), EINVAL);
	fd = syscall(SYS_inotify_init);
	CHECK("inotify_init.legacy", fd >= 0 && fcntl(fd, F_GETFD) == 0, "fd %d", fd);
	close(fd);
	CHECK_ERR("read.inotify_empty_eagain", read(in, buf, sizeof(buf)), EAGAIN);
	wd = CHECK_SYS("inotify_add_watch.dir", inotify_add_watch(in, check_path(""),
								   IN_CREATE | IN_DELETE |
									   IN_MODIFY | IN_MOVED_TO));
	wd2 = inotify_add_watch(in, check_path(""), IN_CREATE);
	CHECK_EQ("inotify_add_watch.same_wd", wd2, wd);
	CHECK_ERR("inotify_add_watch.mask_create_exclusive",
		  inotify_add_watch(in, check_path(""), IN_CREATE | IN_MASK_CREATE), EEXIST);
	inotify_add_watch(in, check_path(""), IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_TO);
	/* /proc/self/fdinfo/N of the inotify fd: its flags (close-on-exec, non-blocking) and
	 * one line per watch with the mask */
	{
		char path[64], info[4096] = "";
		unsigned mask = 0, fl = 0;
		char *w;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", in);
		check_read_file(path, info, sizeof(info));
		w = strstr(info, "inotify wd:");
		CHECK("inotify.fdinfo_mask",
		      w && sscanf(w, "inotify wd:%*d ino:%*x sdev:%*x mask:%x", &mask) == 1 &&
			      mask == (IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_TO),
		      "mask %x in \"%.80s\"", mask, info);
		w = strstr(info, "flags:");
		CHECK("inotify.fdinfo_flags", w && sscanf(w, "flags: %o", &fl) == 1 &&
			      (fl & O_CLOEXEC) && (fl & O_NONBLOCK), "flags 0%o", fl);
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", check_closed_fd());
		CHECK_ERR("open.fdinfo_closed_fd", open(path, O_RDONLY), ENOENT);
	}
	fd = open(check_path("watched"), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	write(fd, "m", 1);
	close(fd);
	rename(check_path("watched"), check_path("moved"));
	unlink(check_path("moved"));
	pfd = (struct pollfd){.fd = in, .events = POLLIN};
	CHECK_EQ("inotify_add_watch.poll_ready", poll(&pfd, 1, 5000), 1);
	n = read(in, buf, sizeof(buf));
	for (char *p = buf; n > 0 && p < buf + n; p += sizeof(*ev) + ev->len) {
		ev = (struct inotify_event *)p;
		if (ev->wd == wd)
			seen |= ev->mask;
		if ((ev->mask & IN_CREATE) && strcmp(ev->name, "watched") != 0)
			seen |= 0x80000000u;
	}
	CHECK_EQ("inotify_add_watch.create", !!(seen & IN_CREATE), 1);
	CHECK_EQ("inotify_add_watch.modify", !!(seen & IN_MODIFY), 1);
	CHECK_EQ("inotify_add_watch.moved_to", !!(seen & IN_MOVED_TO), 1);
	CHECK_EQ("inotify_add_watch.delete", !!(seen & IN_DELETE), 1);
	CHECK_EQ("inotify_add_watch.names", seen & 0x80000000u, 0);
	check_write_file(check_path("again"), "", 0); /* queues IN_CREATE (and IN_MODIFY) */
	CHECK_ERR("read.inotify_short_buffer", read(in, buf, sizeof(*ev) - 1), EINVAL);
	CHECK_ERR("inotify_add_watch.enoent", inotify_add_watch(in, check_path("nope"), IN_ALL_EVENTS),
		  ENOENT);
	CHECK_ERR("inotify_add_watch.zero_mask", inotify_add_watch(in, check_path(""), 0), EINVAL);
	CHECK_ERR("inotify_add_watch.onlydir_file",
		  inotify_add_watch(in, check_path("again"), IN_ONLYDIR | IN_OPEN), ENOTDIR);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_ERR("inotify_add_watch.not_inotify", inotify_add_watch(fd, check_path(""), IN_OPEN),
		  EINVAL);
	close(fd);
	CHECK_ERR("inotify_add_watch.ebadf", inotify_add_watch(check_closed_fd(), check_path(""),
							       IN_OPEN), EBADF);
	CHECK_ERR("inotify_add_watch.efault", syscall(SYS_inotify_add_watch, in, BADPTR, IN_OPEN),
		  EFAULT);
	CHECK_SYS("inotify_rm_watch.ok", inotify_rm_watch(in, wd));
	CHECK_ERR("inotify_rm_watch.twice", inotify_rm_watch(in, wd), EINVAL);
	CHECK_ERR("inotify_rm_watch.bad_wd", inotify_rm_watch(in, 12345), EINVAL);
	/* Removing a watch queues IN_IGNORED for it. */
	seen = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (struct inotify_event *)p;
			seen |= ev->mask;
		}
	CHECK_EQ("inotify_rm_watch.in_ignored", !!(seen & IN_IGNORED), 1);

	/* Watching needs read permission on the target. */
	{
		pid_t pid;

		mkdir(check_path("private"), 0700);
		chmod(check_path("private"), 0);
		chmod(check_tmpdir, 0755);
		pid = check_fork_unprivileged();
		if (pid == 0) {
			int i2 = inotify_init1(IN_CLOEXEC);

			CHECK_ERR("inotify_add_watch.eacces",
				  inotify_add_watch(i2, check_path("private"), IN_CREATE), EACCES);
			check_child_exit();
		}
		check_wait_child("inotify_add_watch.eacces_child", pid, 0);
		chmod(check_path("private"), 0700);
	}
	close(in);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_watchdog(30);
	check_tmpdir_make();
	test_splice();
	test_memfd();
	test_inotify();
	return check_done();
}
