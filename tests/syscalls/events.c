/* SPDX-License-Identifier: MIT */
/* events.c: coverage for epoll (levels, edges, oneshot, pwait/pwait2), eventfd2 and signalfd4. */
#include "check.h"

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};

	return epoll_ctl(ep, op, fd, &ev);
}

static void test_epoll_basic(void)
{
	struct epoll_event ev[4];
	int ep, ep2, p[2], reg, n;
	long long t0;
	char c;

	ep = CHECK_SYS("epoll_create1.ok", epoll_create1(0));
	CHECK_EQ("epoll_create1.no_cloexec", fcntl(ep, F_GETFD), 0);
	ep2 = epoll_create1(EPOLL_CLOEXEC);
	CHECK_EQ("epoll_create1.cloexec", fcntl(ep2, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("epoll_create1.bad_flags", epoll_create1(1), EINVAL);
	n = epoll_create(1);
	CHECK("epoll_create.ok", n >= 0, "%s", check_errname(errno));
	close(n);
	CHECK_ERR("epoll_create.zero_size", epoll_create(0), EINVAL);
	CHECK_ERR("epoll_create.negative_size", epoll_create(-1), EINVAL);

	pipe(p);
	CHECK_SYS("epoll_ctl.add", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x1234));
	CHECK_ERR("epoll_ctl.add_twice", ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), EEXIST);
	CHECK_ERR("epoll_ctl.mod_missing", ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT, 0), ENOENT);
	CHECK_ERR("epoll_ctl.del_missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
	CHECK_ERR("epoll_ctl.bad_op", ctl(ep, 42, p[0], EPOLLIN, 0), EINVAL);
	CHECK_ERR("epoll_ctl.self", ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0), EINVAL);
	CHECK_ERR("epoll_ctl.ebadf", ctl(ep, EPOLL_CTL_ADD, check_closed_fd(), EPOLLIN, 0), EBADF);
	CHECK_ERR("epoll_ctl.not_epoll", ctl(p[0], EPOLL_CTL_ADD, p[1], EPOLLIN, 0), EINVAL);
	reg = open(check_path("reg"), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	CHECK_ERR("epoll_ctl.regular_file", ctl(ep, EPOLL_CTL_ADD, reg, EPOLLIN, 0), EPERM);
	CHECK_ERR("epoll_ctl.efault", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], BADPTR),
		  EFAULT);
	CHECK_ERR("epoll_ctl.exclusive_mod", (ctl(ep2, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLEXCLUSIVE,
						  0), ctl(ep2, EPOLL_CTL_MOD, p[0], EPOLLIN, 0)),
		  EINVAL);
	close(ep2);

	CHECK_EQ("epoll_wait.empty_timeout0", epoll_wait(ep, ev, 4, 0), 0);
	t0 = now_ns();
	CHECK_EQ("epoll_wait.timeout", epoll_wait(ep, ev, 4, 30), 0);
	CHECK("epoll_wait.timeout_duration", now_ns() - t0 >= 30000000, "after %lld ns",
	      now_ns() - t0);
	write(p[1], "ab", 2);
	n = epoll_wait(ep, ev, 4, 0);
	CHECK("epoll_wait.readable", n == 1 && ev[0].events == EPOLLIN && ev[0].data.u64 == 0x1234,
	      "n %d events 0x%x data %#llx", n, ev[0].events, (unsigned long long)ev[0].data.u64);
	CHECK_EQ("epoll_wait.level_again", epoll_wait(ep, ev, 4, 0), 1);
	CHECK_ERR("epoll_wait.zero_maxevents", epoll_wait(ep, ev, 0, 0), EINVAL);
	CHECK_ERR("epoll_wait.not_epoll", epoll_wait(p[0], ev, 4, 0), EINVAL);
	CHECK_ERR("epoll_wait.ebadf", epoll_wait(check_closed_fd(), ev, 4, 0), EBADF);
	CHECK_ERR("epoll_wait.efault", syscall(SYS_epoll_wait, ep, BADPTR, 4, 0), EFAULT);

	/* Edge-triggered: reported once per new arrival, not while data stays unread. */
	CHECK_SYS("epoll_ctl.mod", ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 7));
	CHECK_EQ("epoll_wait.edge_first", epoll_wait(ep, ev, 4, 0), 1);
	CHECK_EQ("epoll_wait.edge_quiet", epoll_wait(ep, ev, 4, 0), 0);
	write(p[1], "c", 1);
	CHECK("epoll_wait.edge_new_data", epoll_wait(ep, ev, 4, 0) == 1 && ev[0].data.u64 == 7,
	      "data %llu", (unsigned long long)ev[0].data.u64);
	read(p[0], ev, 3);

	/* Oneshot: one report, then disabled until re-armed with MOD. */
	ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 8);
	write(p[1], "d", 1);
	CHECK_EQ("epoll_wait.oneshot_first", epoll_wait(ep, ev, 4, 0), 1);
	CHECK_EQ("epoll_wait.oneshot_disabled", epoll_wait(ep, ev, 4, 0), 0);
	ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 9);
	CHECK_EQ("epoll_wait.oneshot_rearmed", epoll_wait(ep, ev, 4, 0), 1);
	read(p[0], &c, 1);

	/* Several fds, and maxevents limiting what one call returns. */
	ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 1);
	ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 2);
	write(p[1], "e", 1);
	CHECK_EQ("epoll_wait.two_ready", epoll_wait(ep, ev, 4, 0), 2);
	CHECK_EQ("epoll_wait.maxevents_1", epoll_wait(ep, ev, 1, 0), 1);
	CHECK_SYS("epoll_ctl.del", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	CHECK("epoll_wait.after_del", epoll_wait(ep, ev, 4, 0) == 1 && ev[0].data.u64 == 1,
	      "data %llu", (unsigned long long)ev[0].data.u64);

	/* Hang-up of the writer; closing the last reference removes the registration. */
	close(p[1]);
	n = epoll_wait(ep, ev, 4, 0);
	CHECK("epoll_wait.hup", n == 1 && (ev[0].events & EPOLLHUP), "events 0x%x", ev[0].events);
	close(p[0]);
	CHECK_EQ("epoll_wait.closed_fd_removed", epoll_wait(ep, ev, 4, 0), 0);

	/* A blocking wait woken by another process. */
	pipe(p);
	ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 3);
	if (fork() == 0) {
		usleep(20000);
		write(p[1], "w", 1);
		_exit(0);
	}
	CHECK_EQ("epoll_wait.wakes", epoll_wait(ep, ev, 4, 10000), 1);
	wait(NULL);
	close(p[0]);
	close(p[1]);
	close(reg);
	close(ep);
}

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void test_epoll_pwait(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	struct epoll_event ev[2];
	struct timespec ts = {0, 20000000};
	sigset_t block, none;
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = eventfd(0, EFD_CLOEXEC);
	long long t0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	ctl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, 5);
	CHECK_EQ("epoll_pwait.timeout0", epoll_pwait(ep, ev, 2, 0, NULL), 0);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	usr1 = 0;
	CHECK_ERR("epoll_pwait.mask_eintr", epoll_pwait(ep, ev, 2, 5000, &none), EINTR);
	CHECK_EQ("epoll_pwait.handler_ran", usr1, 1);
	CHECK_ERR("epoll_pwait.bad_sigsetsize", syscall(SYS_epoll_pwait, ep, ev, 2, 0, &none, 4),
		  EINVAL);
	t0 = now_ns();
	CHECK_EQ("epoll_pwait2.timeout", syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 8), 0);
	CHECK("epoll_pwait2.timeout_duration", now_ns() - t0 >= 20000000, "after %lld ns",
	      now_ns() - t0);
	eventfd_write(efd, 1);
	CHECK_EQ("epoll_pwait2.ready", syscall(SYS_epoll_pwait2, ep, ev, 2, NULL, NULL, 8), 1);
	ts.tv_nsec = 1000000000;
	CHECK_ERR("epoll_pwait2.bad_timeout", syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 8),
		  EINVAL);
	ts.tv_nsec = 0;
	raise(SIGUSR1);
	usr1 = 0;
	eventfd_read(efd, &(eventfd_t){0});
	ts.tv_sec = 5;
	CHECK_ERR("epoll_pwait2.mask_eintr", syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, &none, 8),
		  EINTR);
	/* The events buffer is only written (and faults) when something is ready. */
	eventfd_write(efd, 1);
	ts.tv_sec = 0;
	CHECK_ERR("epoll_pwait2.efault", syscall(SYS_epoll_pwait2, ep, BADPTR, 2, &ts, NULL, 8),
		  EFAULT);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(efd);
	close(ep);
}

static void test_eventfd(void)
{
	uint64_t v = 0;
	struct pollfd pfd;
	int fd, sem;

	fd = CHECK_SYS("eventfd2.ok", syscall(SYS_eventfd2, 3, 0));
	CHECK_EQ("eventfd2.no_flags", fcntl(fd, F_GETFD) * 2 + !!(fcntl(fd, F_GETFL) & O_NONBLOCK),
		 0);
	CHECK("eventfd2.initval", read(fd, &v, 8) == 8 && v == 3, "v %llu", (unsigned long long)v);
	v = 5;
	write(fd, &v, 8);
	v = 6;
	write(fd, &v, 8);
	CHECK("eventfd2.sums", read(fd, &v, 8) == 8 && v == 11, "v %llu", (unsigned long long)v);
	CHECK_ERR("eventfd2.short_read", read(fd, &v, 4), EINVAL);
	CHECK_ERR("eventfd2.short_write", write(fd, &v, 4), EINVAL);
	v = UINT64_MAX;
	CHECK_ERR("eventfd2.write_max", write(fd, &v, 8), EINVAL);
	close(fd);
	fd = syscall(SYS_eventfd2, 0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK_EQ("eventfd2.cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("eventfd2.nonblock_empty", read(fd, &v, 8), EAGAIN);
	v = UINT64_MAX - 1;
	CHECK_EQ("eventfd2.write_near_max", write(fd, &v, 8), 8);
	v = 1;
	CHECK_ERR("eventfd2.overflow_eagain", write(fd, &v, 8), EAGAIN);
	pfd = (struct pollfd){.fd = fd, .events = POLLIN | POLLOUT};
	CHECK("eventfd2.poll_full", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN, "revents 0x%x",
	      pfd.revents);
	read(fd, &v, 8);
	CHECK("eventfd2.poll_empty", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT,
	      "revents 0x%x", pfd.revents);
	close(fd);
	sem = syscall(SYS_eventfd2, 2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK("eventfd2.semaphore_one", read(sem, &v, 8) == 8 && v == 1, "v %llu",
	      (unsigned long long)v);
	CHECK("eventfd2.semaphore_two", read(sem, &v, 8) == 8 && v == 1, "v %llu",
	      (unsigned long long)v);
	CHECK_ERR("eventfd2.semaphore_drained", read(sem, &v, 8), EAGAIN);
	close(sem);
	CHECK_ERR("eventfd2.bad_flags", syscall(SYS_eventfd2, 0, 0x10), EINVAL);
	fd = syscall(SYS_eventfd, 4);
	CHECK("eventfd.legacy", fd >= 0 && read(fd, &v, 8) == 8 && v == 4, "fd %d", fd);
	close(fd);
}

static void test_signalfd(void)
{
	struct signalfd_siginfo si;
	struct pollfd pfd;
	sigset_t s, old;
	union sigval val = {.sival_int = 77};
	int fd, fd2;
	uint64_t raw;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, &old);
	fd = CHECK_SYS("signalfd4.ok", signalfd(-1, &s, SFD_CLOEXEC | SFD_NONBLOCK));
	CHECK_EQ("signalfd4.cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("signalfd4.empty_eagain", read(fd, &si, sizeof(si)), EAGAIN);
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	CHECK_EQ("signalfd4.poll_empty", poll(&pfd, 1, 0), 0);
	kill(getpid(), SIGUSR1);
	CHECK_EQ("signalfd4.poll_pending", poll(&pfd, 1, 0), 1);
	CHECK_ERR("signalfd4.short_read", read(fd, &si, 16), EINVAL);
	memset(&si, 0, sizeof(si));
	CHECK_EQ("signalfd4.read", read(fd, &si, sizeof(si)), sizeof(si));
	CHECK("signalfd4.siginfo", si.ssi_signo == SIGUSR1 && si.ssi_pid == (uint32_t)getpid() &&
					   si.ssi_code == SI_USER && si.ssi_uid == getuid(),
	      "signo %u pid %u code %d", si.ssi_signo, si.ssi_pid, si.ssi_code);
	sigqueue(getpid(), SIGUSR2, val);
	memset(&si, 0, sizeof(si));
	read(fd, &si, sizeof(si));
	CHECK("signalfd4.sigqueue_value", si.ssi_signo == SIGUSR2 && si.ssi_int == 77 &&
						  si.ssi_code == SI_QUEUE,
	      "signo %u int %d", si.ssi_signo, si.ssi_int);
	/* Replacing the mask of an existing signalfd. */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	CHECK_EQ("signalfd4.update_mask", signalfd(fd, &s, 0), fd);
	kill(getpid(), SIGUSR1);
	CHECK_ERR("signalfd4.unwatched_signal", read(fd, &si, sizeof(si)), EAGAIN);
	sigpending(&s);
	CHECK_EQ("signalfd4.still_pending", sigismember(&s, SIGUSR1), 1);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	signalfd(fd, &s, 0);
	read(fd, &si, sizeof(si));
	CHECK_ERR("signalfd4.bad_flags", signalfd(-1, &s, 0x10), EINVAL);
	fd2 = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_ERR("signalfd4.not_signalfd", signalfd(fd2, &s, 0), EINVAL);
	close(fd2);
	CHECK_ERR("signalfd4.ebadf", signalfd(check_closed_fd(), &s, 0), EBADF);
	raw = 1ULL << (SIGUSR1 - 1);
	CHECK_ERR("signalfd4.bad_sizemask", syscall(SYS_signalfd4, -1, &raw, 4, 0), EINVAL);
	CHECK_ERR("signalfd4.efault", syscall(SYS_signalfd4, -1, BADPTR, 8, 0), EFAULT);
	fd2 = syscall(SYS_signalfd, -1, &raw, 8);
	CHECK("signalfd.legacy", fd2 >= 0 && fcntl(fd2, F_GETFD) == 0, "fd %d %s", fd2,
	      check_errname(errno));
	close(fd2);
	close(fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_tmpdir_make();
	test_epoll_basic();
	test_epoll_pwait();
	test_eventfd();
	test_signalfd();
	return check_done();
}
