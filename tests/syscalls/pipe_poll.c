/* SPDX-License-Identifier: MIT */
/* pipe_poll.c: coverage for pipe2, SIGPIPE/EPIPE, pipe sizes and poll/ppoll/select/pselect6. */
#include "check.h"

#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void test_pipe2(void)
{
	char buf[16] = "";
	int p[2], q[2];
	pid_t pid;

	CHECK_EQ("pipe2.ok", pipe2(p, 0), 0);
	CHECK_EQ("pipe2.no_cloexec", fcntl(p[0], F_GETFD) | fcntl(p[1], F_GETFD), 0);
	CHECK_EQ("pipe2.accmode",
		 (fcntl(p[0], F_GETFL) & O_ACCMODE) * 4 + (fcntl(p[1], F_GETFL) & O_ACCMODE),
		 O_RDONLY * 4 + O_WRONLY);
	CHECK_EQ("pipe.write", write(p[1], "hello", 5), 5);
	CHECK("pipe.read", read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5),
	      "got \"%s\"", buf);
	CHECK_ERR("pipe.write_read_end", write(p[0], "x", 1), EBADF);
	CHECK_ERR("pipe.read_write_end", read(p[1], buf, 1), EBADF);
	write(p[1], "tail", 4);
	close(p[1]);
	CHECK_EQ("pipe.data_after_close", read(p[0], buf, sizeof(buf)), 4);
	CHECK_EQ("pipe.eof_after_close", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);

	pipe2(p, O_CLOEXEC);
	CHECK_EQ("pipe2.cloexec", fcntl(p[0], F_GETFD) & fcntl(p[1], F_GETFD), FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
	pipe2(p, O_NONBLOCK);
	CHECK_EQ("pipe2.nonblock_flag", fcntl(p[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	CHECK_ERR("pipe2.nonblock_eagain", read(p[0], buf, 1), EAGAIN);
	CHECK_ERR("pipe2.bad_flags", pipe2(q, O_TRUNC), EINVAL);
	CHECK_ERR("pipe2.efault", syscall(SYS_pipe2, BADPTR, 0), EFAULT);
	CHECK_ERR("pipe.efault", syscall(SYS_pipe, BADPTR), EFAULT);

	/* F_SETPIPE_SZ rounds up to a page; a non-blocking writer then fills it exactly. */
	CHECK("fcntl.getpipe_sz", fcntl(p[1], F_GETPIPE_SZ) >= 4096, "size %d",
	      fcntl(p[1], F_GETPIPE_SZ));
	CHECK_EQ("fcntl.setpipe_sz", fcntl(p[1], F_SETPIPE_SZ, 100), sysconf(_SC_PAGESIZE));
	CHECK_EQ("fcntl.getpipe_sz_after_set", fcntl(p[0], F_GETPIPE_SZ), sysconf(_SC_PAGESIZE));
	{
		static char big[4096];
		long page = sysconf(_SC_PAGESIZE);

		/* Writes up to PIPE_BUF are all-or-nothing, so 1000 bytes do not fit in 96. */
		CHECK_EQ("pipe.fill", write(p[1], big, page - 96), page - 96);
		CHECK_ERR("pipe.atomic_eagain", write(p[1], big, 1000), EAGAIN);
		CHECK_EQ("pipe.fill_rest", write(p[1], big, 96), 96);
		CHECK_ERR("pipe.full_eagain", write(p[1], big, 1), EAGAIN);
	}
	q[0] = open("/dev/null", O_RDONLY);
	CHECK_ERR("fcntl.getpipe_sz_not_pipe", fcntl(q[0], F_GETPIPE_SZ), EBADF);
	close(q[0]);
	close(p[0]);
	close(p[1]);

	/* A writer with no reader gets SIGPIPE, or EPIPE when the signal is ignored. */
	pipe(p);
	close(p[0]);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(p[1], "x", 1);
		_exit(0);
	}
	check_wait_child("pipe.sigpipe", pid, SIGPIPE);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("pipe.epipe", write(p[1], "x", 1), EPIPE);
	close(p[1]);
}

static void test_poll(void)
{
	struct pollfd pfd[3];
	struct timespec ts;
	long long t0;
	int p[2], fd, r;
	pid_t pid;
	char c;

	pipe(p);
	fd = open(check_path("reg"), O_CREAT | O_RDWR, 0644);
	pfd[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
	CHECK_EQ("poll.timeout0_empty", poll(pfd, 1, 0), 0);
	CHECK_EQ("poll.writable", poll(&pfd[1], 1, 0), 1);
	CHECK_EQ("poll.writable_revents", pfd[1].revents, POLLOUT);
	write(p[1], "a", 1);
	CHECK("poll.readable", poll(pfd, 2, 0) == 2 && pfd[0].revents == POLLIN, "revents 0x%x",
	      pfd[0].revents);
	pfd[2] = (struct pollfd){.fd = fd, .events = POLLIN | POLLOUT};
	CHECK("poll.regular_ready",
	      poll(&pfd[2], 1, 0) == 1 && pfd[2].revents == (POLLIN | POLLOUT), "revents 0x%x",
	      pfd[2].revents);
	pfd[2] = (struct pollfd){.fd = -1, .events = POLLIN};
	CHECK("poll.negative_fd_ignored", poll(&pfd[2], 1, 0) == 0 && pfd[2].revents == 0,
	      "revents 0x%x", pfd[2].revents);
	pfd[2] = (struct pollfd){.fd = check_closed_fd(), .events = POLLIN};
	CHECK("poll.pollnval", poll(&pfd[2], 1, 0) == 1 && pfd[2].revents == POLLNVAL,
	      "revents 0x%x", pfd[2].revents);
	CHECK_ERR("poll.efault", syscall(SYS_poll, BADPTR, 1, 0), EFAULT);
	CHECK_ERR("poll.einval_nfds", syscall(SYS_poll, pfd, 1L << 30, 0), EINVAL);

	ts = (struct timespec){0, 0};
	pfd[0].revents = 0;
	CHECK("ppoll.readable",
	      syscall(SYS_ppoll, pfd, 1, &ts, NULL, 8) == 1 && pfd[0].revents == POLLIN,
	      "revents 0x%x", pfd[0].revents);
	CHECK_ERR("ppoll.bad_sigsetsize", syscall(SYS_ppoll, pfd, 1, &ts, &ts, 3), EINVAL);
	ts.tv_nsec = -1;
	CHECK_ERR("ppoll.bad_timeout", syscall(SYS_ppoll, pfd, 1, &ts, NULL, 8), EINVAL);
	read(p[0], &c, 1);
	t0 = now_ns();
	CHECK_EQ("poll.timeout_expires", poll(pfd, 1, 30), 0);
	CHECK("poll.timeout_duration", now_ns() - t0 >= 30000000, "waited %lld ns", now_ns() - t0);

	/* Blocking poll must wake when another process writes. */
	pid = fork();
	if (pid == 0) {
		usleep(20000);
		write(p[1], "w", 1);
		_exit(0);
	}
	r = poll(pfd, 1, 5000);
	CHECK("poll.wakes_on_write", r == 1 && pfd[0].revents == POLLIN, "r %d revents 0x%x", r,
	      pfd[0].revents);
	waitpid(pid, NULL, 0);

	close(p[1]);
	r = poll(pfd, 1, 0);
	CHECK("poll.hup_with_data", r == 1 && pfd[0].revents == (POLLIN | POLLHUP), "revents 0x%x",
	      pfd[0].revents);
	read(p[0], &c, 1);
	r = poll(pfd, 1, 0);
	CHECK("poll.hup", r == 1 && pfd[0].revents == POLLHUP, "revents 0x%x", pfd[0].revents);
	close(p[0]);
	pipe(p);
	close(p[0]);
	pfd[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
	r = poll(&pfd[1], 1, 0);
	CHECK("poll.err_no_reader", r == 1 && (pfd[1].revents & POLLERR), "revents 0x%x",
	      pfd[1].revents);
	close(p[1]);
	close(fd);
}

static void test_select(void)
{
	struct timeval tv;
	struct timespec ts;
	fd_set rd, wr;
	long long t0;
	int p[2], fd, r;

	pipe(p);
	fd = open(check_path("reg"), O_RDWR);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){0, 0};
	CHECK_EQ("select.timeout0_empty", select(p[0] + 1, &rd, NULL, NULL, &tv), 0);
	CHECK("select.cleared", !FD_ISSET(p[0], &rd), "bit left set");
	write(p[1], "a", 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	FD_ZERO(&wr);
	FD_SET(p[1], &wr);
	tv = (struct timeval){0, 0};
	r = select((p[0] > p[1] ? p[0] : p[1]) + 1, &rd, &wr, NULL, &tv);
	CHECK("select.ready", r == 2 && FD_ISSET(p[0], &rd) && FD_ISSET(p[1], &wr), "r %d", r);
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	FD_ZERO(&wr);
	FD_SET(fd, &wr);
	tv = (struct timeval){0, 0};
	CHECK_EQ("select.regular_ready", select(fd + 1, &rd, &wr, NULL, &tv), 2);
	CHECK_ERR("select.negative_nfds", select(-1, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){0, -1};
	CHECK_ERR("select.bad_timeout", syscall(SYS_select, 0, NULL, NULL, NULL, &tv), EINVAL);
	FD_ZERO(&rd);
	FD_SET(check_closed_fd(), &rd);
	tv = (struct timeval){0, 0};
	CHECK_ERR("select.ebadf", select(check_closed_fd() + 1, &rd, NULL, NULL, &tv), EBADF);
	CHECK_ERR("select.efault", syscall(SYS_select, p[0] + 1, BADPTR, NULL, NULL, &tv), EFAULT);

	/* Linux writes the unslept time back into the timeout. */
	read(p[0], &r, 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){0, 20000};
	t0 = now_ns();
	r = syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &tv);
	CHECK("select.timeout_expires", r == 0 && now_ns() - t0 >= 20000000, "r %d after %lld ns",
	      r, now_ns() - t0);
	CHECK("select.timeout_updated", tv.tv_sec == 0 && tv.tv_usec == 0, "left %ld.%06ld",
	      (long)tv.tv_sec, (long)tv.tv_usec);

	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	ts = (struct timespec){0, 10000000};
	t0 = now_ns();
	r = syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &ts, NULL);
	CHECK("pselect6.timeout", r == 0 && now_ns() - t0 >= 10000000, "r %d after %lld ns", r,
	      now_ns() - t0);
	write(p[1], "b", 1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	ts = (struct timespec){0, 0};
	CHECK("pselect6.ready",
	      syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &ts, NULL) == 1 &&
		      FD_ISSET(p[0], &rd),
	      "not ready");
	ts = (struct timespec){0, 2000000000};
	CHECK_ERR("pselect6.bad_timeout", syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, NULL),
		  EINVAL);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

/* ppoll/pselect6/epoll_pwait apply their mask atomically for the wait: a signal blocked
 * outside is delivered during it, and the old mask is back afterwards. */
static void test_wait_masks(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, none, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);

	struct timespec ts = {2, 0};
	usr1_seen = 0;
	raise(SIGUSR1);
	CHECK("ppoll.mask_blocked_before", usr1_seen == 0, "handler ran while blocked");
	CHECK_ERR("ppoll.mask_delivers", syscall(SYS_ppoll, NULL, 0, &ts, &none, 8), EINTR);
	CHECK("ppoll.mask_handler_ran", usr1_seen == 1, "handler ran %d times", (int)usr1_seen);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK("ppoll.mask_restored", sigismember(&now, SIGUSR1) == 1, "SIGUSR1 not blocked after");

	usr1_seen = 0;
	raise(SIGUSR1);
	struct {
		const sigset_t *ss;
		size_t len;
	} sm = {&none, 8};
	CHECK_ERR("pselect6.mask_delivers", syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &sm), EINTR);
	CHECK("pselect6.mask_handler_ran", usr1_seen == 1, "handler ran %d times", (int)usr1_seen);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK("pselect6.mask_restored", sigismember(&now, SIGUSR1) == 1, "SIGUSR1 not blocked after");

	/* a ppoll mask that blocks a signal keeps it pending */
	usr1_seen = 0;
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000;
	CHECK_EQ("ppoll.mask_blocks", syscall(SYS_ppoll, NULL, 0, &ts, &block, 8), 0);
	signal(SIGUSR1, SIG_DFL);
}

/* A pipe or socket that has data to read, or room to write, never makes its call wait, and Linux
 * makes it whatever signals are pending: a read that finds data returns it, not EINTR, and an
 * O_NONBLOCK read of an empty pipe is EAGAIN. Every kind of call, over and over in a storm of
 * signals (which meet the calls at every point); a case per kind. */
enum { ST_READ, ST_WRITE, ST_READV, ST_WRITEV, ST_SEND, ST_RECV, ST_SENDMSG, ST_RECVMSG,
       ST_SOCK_WRITE, ST_SOCK_READ, ST_DGRAM_SEND, ST_DGRAM_RECV, ST_NB_EMPTY, ST_KINDS };

static void test_ready_storm(void)
{
	static const char *const names[ST_KINDS] = {
		"read.pipe_data_signal_storm",	  "write.pipe_room_signal_storm",
		"readv.pipe_data_signal_storm",	  "writev.pipe_room_signal_storm",
		"sendto.stream_room_signal_storm", "recvfrom.stream_data_signal_storm",
		"sendmsg.stream_room_signal_storm", "recvmsg.stream_data_signal_storm",
		"write.socket_room_signal_storm", "read.socket_data_signal_storm",
		"send.dgram_signal_storm",	  "recv.dgram_data_signal_storm",
		"read.nonblock_empty_signal_storm"};
	int p[2], q[2], sv[2], dg[2];
	int bad[ST_KINDS] = {0}, err[ST_KINDS] = {0};
	char out[64], in[64];

	memset(out, 'p', sizeof(out));
	if (pipe(p) < 0 || pipe2(q, O_NONBLOCK) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) < 0 || check_storm_start() < 0) {
		check_skip(names[0], "no pipe, socket pair or signal thread");
		return;
	}
	struct iovec iov = {in, sizeof(in)}, ov = {out, sizeof(out)};
	struct timespec t0;
#define RUN(k, call) ((r[k] = (call)) < 0 ? (void)(r[k] = -errno) : (void)0)
	for (int i = 0; check_rounds_left(i, 100, 2000, 4000, &t0); i++) {
		long r[ST_KINDS];
		struct msghdr mo = {.msg_iov = &ov, .msg_iovlen = 1};
		struct msghdr mi = {.msg_iov = &iov, .msg_iovlen = 1};
		RUN(ST_WRITE, write(p[1], out, sizeof(out)));
		RUN(ST_READ, read(p[0], in, sizeof(in)));
		RUN(ST_WRITEV, writev(p[1], &ov, 1));
		RUN(ST_READV, readv(p[0], &iov, 1));
		RUN(ST_SEND, sendto(sv[0], out, sizeof(out), 0, NULL, 0));
		RUN(ST_RECV, recvfrom(sv[1], in, sizeof(in), 0, NULL, NULL));
		RUN(ST_SENDMSG, sendmsg(sv[1], &mo, 0));
		RUN(ST_RECVMSG, recvmsg(sv[0], &mi, 0));
		RUN(ST_SOCK_WRITE, write(sv[0], out, sizeof(out)));
		RUN(ST_SOCK_READ, read(sv[1], in, sizeof(in)));
		RUN(ST_DGRAM_SEND, send(dg[0], out, sizeof(out), 0));
		RUN(ST_DGRAM_RECV, recv(dg[1], in, sizeof(in), 0));
		RUN(ST_NB_EMPTY, read(q[0], in, sizeof(in)));
		if (r[ST_NB_EMPTY] == -EAGAIN) /* what it must give */
			r[ST_NB_EMPTY] = sizeof(in);
		for (int k = 0; k < ST_KINDS; k++)
			if (r[k] != (long)sizeof(in)) {
				bad[k]++;
				err[k] = r[k] < 0 ? (int)-r[k] : 0;
				/* a short or failed call leaves bytes behind: start the next round empty */
				while (recv(sv[0], in, sizeof(in), MSG_DONTWAIT) > 0 ||
				       recv(sv[1], in, sizeof(in), MSG_DONTWAIT) > 0 ||
				       recv(dg[1], in, sizeof(in), MSG_DONTWAIT) > 0)
					;
				fcntl(p[0], F_SETFL, O_NONBLOCK);
				while (read(p[0], in, sizeof(in)) > 0)
					;
				fcntl(p[0], F_SETFL, 0);
			}
	}
#undef RUN
	int n = check_storm_stop();
	check_storm_report(names, bad, err, ST_KINDS, n);
	close(p[0]), close(p[1]), close(q[0]), close(q[1]);
	close(sv[0]), close(sv[1]), close(dg[0]), close(dg[1]);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	test_pipe2();
	test_poll();
	test_select();
	test_wait_masks();
	test_ready_storm(); /* last: slow under TCG (the vm column) */
	return check_done();
}
