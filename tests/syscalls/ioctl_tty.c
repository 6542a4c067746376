/* SPDX-License-Identifier: MIT */
/* ioctl_tty.c: syscall coverage for ioctl on files, pipes, /dev/null, and tty ioctls on a pty. */
#include "check.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static void test_non_tty(void)
{
	struct termios t;
	struct winsize ws;
	int fd, null, p[2], n = -1, fl;

	fd = open(check_path("f"), O_CREAT | O_RDWR, 0644);
	null = open("/dev/null", O_RDWR);
	pipe(p);
	CHECK_ERR("ioctl.tcgets_file", ioctl(fd, TCGETS, &t), ENOTTY);
	CHECK_ERR("ioctl.tcgets_devnull", ioctl(null, TCGETS, &t), ENOTTY);
	CHECK_ERR("ioctl.tcgets_pipe", ioctl(p[0], TCGETS, &t), ENOTTY);
	CHECK_ERR("ioctl.tiocgwinsz_file", ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	CHECK_ERR("ioctl.tiocgwinsz_pipe", ioctl(p[1], TIOCGWINSZ, &ws), ENOTTY);
	CHECK_ERR("ioctl.unknown_cmd_pipe", ioctl(p[0], 0x5499, &n), ENOTTY);
	CHECK_ERR("ioctl.ebadf", ioctl(check_closed_fd(), FIONREAD, &n), EBADF);

	CHECK("ioctl.fionread_pipe_empty", ioctl(p[0], FIONREAD, &n) == 0 && n == 0, "n %d", n);
	write(p[1], "hello", 5);
	CHECK("ioctl.fionread_pipe", ioctl(p[0], FIONREAD, &n) == 0 && n == 5, "n %d", n);
	CHECK_ERR("ioctl.fionread_efault", syscall(SYS_ioctl, p[0], FIONREAD, BADPTR), EFAULT);
	/* On a regular file FIONREAD is the distance from the offset to the end. */
	write(fd, "0123456789", 10);
	lseek(fd, 3, SEEK_SET);
	CHECK("ioctl.fionread_file", ioctl(fd, FIONREAD, &n) == 0 && n == 7, "n %d", n);

	n = 1;
	CHECK_EQ("ioctl.fionbio_set", ioctl(p[0], FIONBIO, &n), 0);
	fl = fcntl(p[0], F_GETFL);
	CHECK_EQ("ioctl.fionbio_flag", fl & O_NONBLOCK, O_NONBLOCK);
	n = 0;
	ioctl(p[0], FIONBIO, &n);
	CHECK_EQ("ioctl.fionbio_clear", fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ("ioctl.fioclex", ioctl(fd, FIOCLEX) == 0 ? fcntl(fd, F_GETFD) : -1, FD_CLOEXEC);
	CHECK_EQ("ioctl.fionclex", ioctl(fd, FIONCLEX) == 0 ? fcntl(fd, F_GETFD) : -1, 0);

	errno = 0;
	CHECK("isatty.pipe", !isatty(p[0]) && errno == ENOTTY, "errno %s", check_errname(errno));
	errno = 0;
	CHECK("isatty.file", !isatty(fd) && errno == ENOTTY, "errno %s", check_errname(errno));
	errno = 0;
	CHECK("isatty.devnull", !isatty(null), "errno %s", check_errname(errno));
	close(fd);
	close(null);
	close(p[0]);
	close(p[1]);
}

/* read_want: read exactly want bytes unless 2 s pass without any; returns the count read. */
static ssize_t read_want(int fd, char *buf, size_t want)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t got = 0;
	ssize_t n;

	/*
	 * Output crosses the line discipline asynchronously and may arrive in pieces (the
	 * "\r\n" of ONLCR separately from the text), so wait for all of it rather than race.
	 */
	while (got < want && poll(&pfd, 1, 2000) == 1) {
		n = read(fd, buf + got, want - got);
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	return got;
}

static void test_pty(void)
{
	struct termios t, t2;
	struct winsize ws = {.ws_row = 24, .ws_col = 80}, ws2;
	char name[64], path[64], buf[64];
	struct pollfd pfd;
	unsigned int ptn = 0;
	int master, slave, n = -1;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    ptsname_r(master, name, sizeof(name))) {
		check_skip("pty.open", "no pseudo-terminals here");
		return;
	}
	slave = open(name, O_RDWR | O_NOCTTY);
	CHECK("pty.open", slave >= 0, "%s: %s", name, check_errname(errno));
	if (slave < 0)
		return;
	CHECK_EQ("pty.tiocgptn", ioctl(master, TIOCGPTN, &ptn), 0);
	snprintf(path, sizeof(path), "/dev/pts/%u", ptn);
	CHECK_STR("pty.ptsname", name, path);
	CHECK("isatty.pty_slave", isatty(slave) == 1, "not a tty");
	CHECK("isatty.pty_master", isatty(master) == 1, "not a tty");
	CHECK_STR("ttyname.slave", ttyname(slave), name);
	CHECK_EQ("ioctl.tcgets_pty", ioctl(slave, TCGETS, &t), 0);
	CHECK("termios.default_onlcr", (t.c_oflag & ONLCR) && (t.c_lflag & ICANON), "oflag 0%o",
	      t.c_oflag);
	CHECK_EQ("ioctl.tiocswinsz", ioctl(master, TIOCSWINSZ, &ws), 0);
	memset(&ws2, 0, sizeof(ws2));
	CHECK("ioctl.tiocgwinsz_slave",
	      ioctl(slave, TIOCGWINSZ, &ws2) == 0 && ws2.ws_row == 24 && ws2.ws_col == 80, "%ux%u",
	      ws2.ws_row, ws2.ws_col);
	CHECK_ERR("ioctl.tiocgwinsz_efault", syscall(SYS_ioctl, slave, TIOCGWINSZ, BADPTR), EFAULT);

	/* Cooked mode: ONLCR turns "\n" into "\r\n" on the way to the master. */
	write(slave, "x\n", 2);
	memset(buf, 0, sizeof(buf));
	CHECK("pty.onlcr", read_want(master, buf, 3) == 3 && !strcmp(buf, "x\r\n"), "got \"%s\"",
	      buf);
	write(master, "hi\n", 3);
	memset(buf, 0, sizeof(buf));
	CHECK("pty.canonical_line", read_want(slave, buf, 3) == 3 && !strcmp(buf, "hi\n"),
	      "got \"%s\"", buf);
	/* ECHO is on by default, so the master gets the line back, post-processed. */
	CHECK("pty.echo", read_want(master, buf, 4) == 4 && !strcmp(buf, "hi\r\n"), "got \"%s\"",
	      buf);

	t2 = t;
	t2.c_lflag &= ~(ECHO | ICANON);
	t2.c_oflag &= ~OPOST;
	CHECK_EQ("ioctl.tcsets", ioctl(slave, TCSETS, &t2), 0);
	memset(&t, 0, sizeof(t));
	ioctl(slave, TCGETS, &t);
	CHECK("ioctl.tcsets_read_back", !(t.c_lflag & (ECHO | ICANON)) && !(t.c_oflag & OPOST),
	      "lflag 0%o oflag 0%o", t.c_lflag, t.c_oflag);
	write(slave, "y\n", 2);
	memset(buf, 0, sizeof(buf));
	CHECK("pty.raw_output", read_want(master, buf, 2) == 2 && !strcmp(buf, "y\n"), "got \"%s\"",
	      buf);
	write(master, "z", 1);
	pfd = (struct pollfd){.fd = slave, .events = POLLIN};
	CHECK("pty.raw_input_ready", poll(&pfd, 1, 2000) == 1, "slave never readable");
	CHECK("ioctl.fionread_pty", ioctl(slave, FIONREAD, &n) == 0 && n == 1, "n %d", n);
	CHECK_ERR("ioctl.tiocgpgrp_not_ctty", ioctl(slave, TIOCGPGRP, &n), ENOTTY);

	/*
	 * A fresh session has no controlling terminal until its leader opens one without
	 * O_NOCTTY; the child tries both sides of that and reports its own cases.
	 */
	pid = fork();
	if (pid == 0) {
		int fd;

		setsid();
		CHECK_ERR("tty.no_ctty_enxio", open("/dev/tty", O_RDWR), ENXIO);
		fd = open(name, O_RDWR);
		CHECK("tty.acquire_ctty", fd >= 0 && open("/dev/tty", O_RDWR) >= 0, "%s",
		      check_errname(errno));
		CHECK_EQ("tty.tcgetpgrp", tcgetpgrp(fd), getpgrp());
		CHECK_EQ("tty.tiocgsid", ioctl(fd, TIOCGSID, &n) == 0 ? n : -1, getsid(0));
		check_child_exit();
	}
	check_wait_child("tty.session_child", pid, 0);
	close(slave);
	close(master);
}

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* TIOCGPTPEER (tmux, systemd): the master opens its peer without a path; a new fd. */
static void test_ptpeer(void)
{
	struct stat st;
	char buf[16] = {0};
	int master = posix_openpt(O_RDWR | O_NOCTTY), peer, fd;

	if (master < 0 || unlockpt(master)) {
		check_skip("ioctl.tiocgptpeer", "no pseudo-terminals here");
		return;
	}
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK("ioctl.tiocgptpeer", peer > master && isatty(peer) == 1, "fd %d: %s", peer,
	      check_errname(errno));
	CHECK("ioctl.tiocgptpeer_chardev", fstat(peer, &st) == 0 && S_ISCHR(st.st_mode),
	      "mode 0%o", st.st_mode);
	CHECK_EQ("ioctl.tiocgptpeer_cloexec", fcntl(peer, F_GETFD), FD_CLOEXEC);
	CHECK("ioctl.tiocgptpeer_io", write(master, "ab\n", 3) == 3 && read_want(peer, buf, 3) == 3 &&
	      !strcmp(buf, "ab\n"), "got \"%s\"", buf);
	fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	CHECK_EQ("ioctl.tiocgptpeer_no_cloexec", fd >= 0 ? fcntl(fd, F_GETFD) : -1, 0);
	/* on the peer (a slave) Linux answers EIO */
	CHECK_ERR("ioctl.tiocgptpeer_not_master", ioctl(peer, TIOCGPTPEER, O_RDWR), EIO);
	close(fd);
	close(peer);
	close(master);
}

/* write all of s, through the storm's EINTRs (a terminal's write can take them) */
static int put(int fd, const char *s)
{
	size_t len = strlen(s), done = 0;
	for (int i = 0; done < len && i < 100000; i++) {
		ssize_t w = write(fd, s + done, len - done);
		if (w > 0)
			done += (size_t)w;
		else if (w < 0 && errno != EINTR)
			return -1;
	}
	return done == len ? 0 : -1;
}

/* poll until fd is readable, through the storm's EINTRs */
static int wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (int i = 0; i < 100000; i++) {
		int r = poll(&p, 1, 1000);
		if (r > 0)
			return 0;
		if (r == 0 || errno != EINTR)
			return -1;
	}
	return -1;
}

/* A terminal with input ready is read whatever signals are pending, as a pipe is: a canonical
 * line, raw bytes on the slave, and the master's side; in a storm of signals, each read must
 * return its bytes (poll, retried through EINTR, says when they have arrived; the writes that
 * send them are retried too: a terminal's write may be EINTR on Linux). */
static void test_pty_storm(void)
{
	static const char *const names[3] = {"read.tty_canonical_line_signal_storm",
					       "read.tty_raw_signal_storm",
					       "read.pty_master_signal_storm"};
	int bad[3] = {0}, err[3] = {0};
	char name[64], buf[64];
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave = -1, raw = -1;
	struct termios t;

	if (master >= 0 && !grantpt(master) && !unlockpt(master) &&
	    !ptsname_r(master, name, sizeof(name)))
		slave = open(name, O_RDWR | O_NOCTTY);
	if (slave >= 0)
		raw = open(name, O_RDWR | O_NOCTTY);
	if (raw < 0 || tcgetattr(slave, &t) || check_storm_start() < 0) {
		check_skip(names[0], "no pseudo-terminal or no signal thread");
		if (master >= 0)
			close(master);
		return;
	}
	struct termios canon = t;
	canon.c_lflag &= ~(tcflag_t)ECHO;
	canon.c_oflag &= ~(tcflag_t)OPOST;
	struct termios r = t;
	cfmakeraw(&r);
	struct timespec t0;
	for (int i = 0; check_rounds_left(i, 30, 1000, 3000, &t0); i++) {
		long n[3];
		/* one slave with two settings in turn: both fds share the terminal */
		tcsetattr(slave, TCSANOW, &canon);
		n[0] = !put(master, "line\n") && !wait_readable(slave)
			       ? read(slave, buf, sizeof(buf))
			       : -2;
		if (n[0] == -1)
			err[0] = errno;
		tcsetattr(raw, TCSANOW, &r);
		n[1] = !put(master, "abcd") && !wait_readable(raw) ? read(raw, buf, 4) : -2;
		if (n[1] == -1)
			err[1] = errno;
		n[2] = !put(raw, "wxyz") && !wait_readable(master)
			       ? read(master, buf, 4)
			       : -2;
		if (n[2] == -1)
			err[2] = errno;
		bad[0] += n[0] != 5;
		bad[1] += n[1] != 4;
		bad[2] += n[2] != 4;
		if (n[0] != 5 || n[1] != 4 || n[2] != 4)
			tcflush(slave, TCIOFLUSH);
	}
	int sigs = check_storm_stop();
	check_storm_report(names, bad, err, 3, sigs);
	close(raw);
	close(slave);
	close(master);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	test_non_tty();
	test_pty();
	test_ptpeer();
	test_pty_storm(); /* last: slow under TCG (the vm column) */
	return check_done();
}
