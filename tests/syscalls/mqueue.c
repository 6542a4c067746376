/* SPDX-License-Identifier: MIT */
/* mqueue.c: coverage for POSIX message queues through the raw mq_* syscalls. */
#include "check.h"

#include <mqueue.h>
#include <poll.h>
#include <time.h>

static char qname[64];

static long k_open(const char *name, int flags, mode_t mode, struct mq_attr *attr)
{
	/* The kernel takes the name without glibc's leading slash. */
	return syscall(SYS_mq_open, name[0] == '/' ? name + 1 : name, flags, mode, attr);
}

static long k_send(int q, const char *msg, size_t len, unsigned prio, const struct timespec *ts)
{
	return syscall(SYS_mq_timedsend, q, msg, len, prio, ts);
}

static long k_recv(int q, char *buf, size_t len, unsigned *prio, const struct timespec *ts)
{
	return syscall(SYS_mq_timedreceive, q, buf, len, prio, ts);
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct timespec abs_in(long long ns)
{
	long long t = now_ns() + ns;

	return (struct timespec){t / 1000000000, t % 1000000000};
}

static pid_t owner;

/* Leave no queue behind, whatever happened to the cases. */
static void cleanup(void)
{
	if (getpid() == owner)
		syscall(SYS_mq_unlink, qname + 1);
}

int main(int argc, char **argv)
{
	struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 64}, got;
	struct timespec ts;
	char buf[128];
	unsigned prio = 0;
	long long t0;
	int q, q2;
	pid_t pid;

	check_init(argc, argv);
	check_watchdog(30);
	snprintf(qname, sizeof(qname), "/lxrun-sys-%d", (int)getpid());
	owner = getpid();
	atexit(cleanup);

	q = CHECK_SYS("mq_open.create", k_open(qname, O_CREAT | O_EXCL | O_RDWR, 0600, &attr));
	CHECK_EQ("mq_open.cloexec", fcntl(q, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("mq_open.eexist", k_open(qname, O_CREAT | O_EXCL | O_RDWR, 0600, &attr), EEXIST);
	q2 = CHECK_SYS("mq_open.existing", k_open(qname, O_RDONLY | O_NONBLOCK, 0, NULL));
	CHECK_SYS("mq_getsetattr.get", syscall(SYS_mq_getsetattr, q, NULL, &got));
	CHECK("mq_getsetattr.values", got.mq_maxmsg == 4 && got.mq_msgsize == 64 &&
					      got.mq_curmsgs == 0 && got.mq_flags == 0,
	      "maxmsg %ld msgsize %ld cur %ld flags %ld", got.mq_maxmsg, got.mq_msgsize,
	      got.mq_curmsgs, got.mq_flags);
	syscall(SYS_mq_getsetattr, q2, NULL, &got);
	CHECK_EQ("mq_getsetattr.nonblock_flag", got.mq_flags, O_NONBLOCK);

	CHECK_SYS("mq_timedsend.low", k_send(q, "low", 3, 1, NULL));
	CHECK_SYS("mq_timedsend.high", k_send(q, "high", 4, 9, NULL));
	CHECK_SYS("mq_timedsend.mid", k_send(q, "mid", 3, 5, NULL));
	syscall(SYS_mq_getsetattr, q, NULL, &got);
	CHECK_EQ("mq_getsetattr.curmsgs", got.mq_curmsgs, 3);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("mq_timedreceive.highest_first", k_recv(q, buf, sizeof(buf), &prio, NULL), 4);
	CHECK("mq_timedreceive.prio", prio == 9 && !strcmp(buf, "high"), "prio %u msg %s", prio, buf);
	k_recv(q, buf, sizeof(buf), &prio, NULL);
	CHECK_EQ("mq_timedreceive.then_mid", prio, 5);
	CHECK_ERR("mq_timedreceive.small_buffer", k_recv(q, buf, 8, NULL, NULL), EMSGSIZE);
	CHECK_ERR("mq_timedsend.too_long", k_send(q, buf, 65, 0, NULL), EMSGSIZE);
	CHECK_ERR("mq_timedsend.bad_prio", k_send(q, "x", 1, 1u << 31, NULL), EINVAL);
	k_recv(q2, buf, sizeof(buf), NULL, NULL);
	CHECK_ERR("mq_timedreceive.nonblock_empty", k_recv(q2, buf, sizeof(buf), NULL, NULL),
		  EAGAIN);
	ts = abs_in(20000000);
	t0 = now_ns();
	CHECK_ERR("mq_timedreceive.timeout", k_recv(q, buf, sizeof(buf), NULL, &ts), ETIMEDOUT);
	CHECK("mq_timedreceive.waited", now_ns() - t0 >= 15000000, "after %lld ns", now_ns() - t0);
	ts.tv_nsec = 1000000000;
	CHECK_ERR("mq_timedreceive.bad_timeout", k_recv(q, buf, sizeof(buf), NULL, &ts), EINVAL);
	CHECK_ERR("mq_timedsend.write_on_rdonly", k_send(q2, "x", 1, 0, NULL), EBADF);
	CHECK_ERR("mq_timedsend.efault", syscall(SYS_mq_timedsend, q, BADPTR, 1, 0, NULL), EFAULT);

	/* A full queue: EAGAIN when non-blocking, ETIMEDOUT with a deadline. */
	for (int i = 0; i < 4; i++)
		k_send(q, "fill", 4, 0, NULL);
	ts = abs_in(20000000);
	CHECK_ERR("mq_timedsend.full_timeout", k_send(q, "x", 1, 0, &ts), ETIMEDOUT);
	got = (struct mq_attr){.mq_flags = O_NONBLOCK};
	CHECK_SYS("mq_getsetattr.set_nonblock", syscall(SYS_mq_getsetattr, q, &got, NULL));
	CHECK_ERR("mq_timedsend.full_eagain", k_send(q, "x", 1, 0, NULL), EAGAIN);
	{
		struct pollfd pfd = {.fd = q, .events = POLLIN | POLLOUT};

		CHECK("mq_open.poll_full", poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN,
		      "revents 0x%x", pfd.revents);
	}
	while (k_recv(q, buf, sizeof(buf), NULL, NULL) > 0)
		;

	/* A receiver blocked in another process is woken by our send. */
	pid = fork();
	if (pid == 0) {
		struct timespec dl = abs_in(10000000000LL);
		int r = k_recv(q2, buf, sizeof(buf), NULL, NULL);

		for (int i = 0; i < 1000 && r < 0 && errno == EAGAIN; i++) {
			usleep(10000);
			r = k_recv(q2, buf, sizeof(buf), NULL, &dl);
		}
		_exit(r == 5 && !memcmp(buf, "cross", 5) ? 0 : 1);
	}
	usleep(20000);
	k_send(q, "cross", 5, 0, NULL);
	check_wait_child("mq_timedreceive.other_process", pid, 0);

	{
		struct sigevent sev = {.sigev_notify = SIGEV_NONE};

		CHECK_SYS("mq_notify.register", syscall(SYS_mq_notify, q, &sev));
		pid = fork();
		if (pid == 0)
			_exit(syscall(SYS_mq_notify, q, &sev) == -1 && errno == EBUSY ? 0 : 1);
		check_wait_child("mq_notify.busy_other", pid, 0);
		CHECK_SYS("mq_notify.unregister", syscall(SYS_mq_notify, q, NULL));
		sev.sigev_notify = 99;
		CHECK_ERR("mq_notify.bad_notify", syscall(SYS_mq_notify, q, &sev), EINVAL);
	}

	attr.mq_maxmsg = 0;
	CHECK_ERR("mq_open.bad_maxmsg", k_open("/lxrun-sys-bad", O_CREAT | O_RDWR, 0600, &attr),
		  EINVAL);
	CHECK_ERR("mq_open.enoent", k_open("/lxrun-sys-none-here", O_RDWR, 0, NULL), ENOENT);
	CHECK_ERR("mq_open.slash_in_name", k_open("a/b", O_CREAT | O_RDWR, 0600, NULL), EACCES);
	CHECK_ERR("mq_open.efault", syscall(SYS_mq_open, BADPTR, O_RDWR, 0, NULL), EFAULT);
	CHECK_ERR("mq_timedsend.ebadf", k_send(check_closed_fd(), "x", 1, 0, NULL), EBADF);
	{
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

		CHECK_ERR("mq_timedsend.not_mq", k_send(fd, "x", 1, 0, NULL), EBADF);
		close(fd);
	}

	/* The queue's mode is checked like a file's. */
	syscall(SYS_mq_unlink, qname + 1);
	close(q);
	close(q2);
	q = k_open(qname, O_CREAT | O_EXCL | O_RDWR, 0, NULL);
	pid = check_fork_unprivileged();
	if (pid == 0) {
		CHECK_ERR("mq_open.eacces", k_open(qname, O_RDWR, 0, NULL), EACCES);
		check_child_exit();
	}
	check_wait_child("mq_open.eacces_child", pid, 0);
	close(q);
	CHECK_SYS("mq_unlink.ok", syscall(SYS_mq_unlink, qname + 1));
	CHECK_ERR("mq_unlink.enoent", syscall(SYS_mq_unlink, qname + 1), ENOENT);
	CHECK_ERR("mq_unlink.efault", syscall(SYS_mq_unlink, BADPTR), EFAULT);
	return check_done();
}
