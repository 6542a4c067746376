/* SPDX-License-Identifier: MIT */
/* futex_threads.c: coverage for futex ops, futex_waitv, robust lists, gettid and threads via clone. */
#include "check.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/time.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long futex(void *uaddr, int op, uint32_t val, const void *ts, void *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static _Atomic uint32_t word, ready;
static volatile pid_t thread_tid;
static volatile long waiter_result[4];

struct waiter {
	int idx;
	int op;
	uint32_t bits;
};

static void *waiter_fn(void *p)
{
	struct waiter *w = p;
	struct timespec ts = {10, 0};
	long long end = now_ns() + 10000000000LL;

	/* FUTEX_WAIT takes a relative timeout, FUTEX_WAIT_BITSET an absolute one. */
	if ((w->op & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET)
		ts = (struct timespec){end / 1000000000, end % 1000000000};
	atomic_fetch_add(&ready, 1);
	waiter_result[w->idx] = futex(&word, w->op, 0, &ts, NULL, w->bits);
	return NULL;
}

/* Spin (politely) until n waiters announced themselves and had time to block. */
static void await_ready(uint32_t n)
{
	while (atomic_load(&ready) < n)
		usleep(1000);
	usleep(50000);
}

static void test_futex_basic(void)
{
	struct timespec ts = {0, 20000000}, bad = {0, -1};
	uint32_t local = 5;
	long long t0;

	CHECK_ERR("futex.wait_value_mismatch", futex(&local, FUTEX_WAIT, 4, NULL, NULL, 0), EAGAIN);
	CHECK_ERR("futex.wait_private_mismatch",
		  futex(&local, FUTEX_WAIT_PRIVATE, 6, NULL, NULL, 0), EAGAIN);
	t0 = now_ns();
	CHECK_ERR("futex.wait_timeout", futex(&local, FUTEX_WAIT, 5, &ts, NULL, 0), ETIMEDOUT);
	CHECK("futex.wait_timeout_duration", now_ns() - t0 >= 20000000, "after %lld ns",
	      now_ns() - t0);
	CHECK_EQ("futex.wake_nobody", futex(&local, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
	CHECK_EQ("futex.wake_private_nobody", futex(&local, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL,
						   0), 0);
	ts.tv_nsec = now_ns() % 1000000000;
	t0 = now_ns() + 20000000;
	ts = (struct timespec){t0 / 1000000000, t0 % 1000000000};
	CHECK_ERR("futex.wait_bitset_abs_timeout",
		  futex(&local, FUTEX_WAIT_BITSET, 5, &ts, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	CHECK("futex.wait_bitset_abs_reached", now_ns() >= t0, "%lld ns early", t0 - now_ns());
	CHECK_ERR("futex.wait_bitset_zero", futex(&local, FUTEX_WAIT_BITSET, 5, &ts, NULL, 0),
		  EINVAL);
	CHECK_ERR("futex.wake_bitset_zero", futex(&local, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0),
		  EINVAL);
	CHECK_ERR("futex.bad_timeout", futex(&local, FUTEX_WAIT, 5, &bad, NULL, 0), EINVAL);
	CHECK_ERR("futex.unaligned", futex((char *)&local + 1, FUTEX_WAIT, 5, &ts, NULL, 0),
		  EINVAL);
	CHECK_ERR("futex.efault", futex(BADPTR, FUTEX_WAIT, 0, &ts, NULL, 0), EINVAL);
	CHECK_ERR("futex.efault_aligned", futex((void *)8, FUTEX_WAIT, 0, &ts, NULL, 0), EFAULT);
	CHECK_ERR("futex.efault_timeout", futex(&local, FUTEX_WAIT, 5, BADPTR, NULL, 0), EFAULT);
	CHECK_ERR("futex.bad_op", futex(&local, 99, 0, NULL, NULL, 0), ENOSYS);
	CHECK_ERR("futex.cmp_requeue_mismatch",
		  futex(&local, FUTEX_CMP_REQUEUE, 1, (void *)1L, &word, 4), EAGAIN);
	CHECK_EQ("futex.cmp_requeue_nobody",
		 futex(&local, FUTEX_CMP_REQUEUE, 1, (void *)1L, &word, 5), 0);
	CHECK_ERR("futex.cmp_requeue_same", futex(&local, FUTEX_CMP_REQUEUE_PI, 1, (void *)1L,
						  &local, 5), EINVAL);

	/* FUTEX_WAKE_OP: *uaddr2 = 7 (OP_SET), old value compared with 0 (CMP_EQ). */
	word = 3;
	CHECK_EQ("futex.wake_op_nobody",
		 futex(&local, FUTEX_WAKE_OP, 1, (void *)1L, &word, FUTEX_OP(FUTEX_OP_SET, 7,
									      FUTEX_OP_CMP_EQ, 0)),
		 0);
	CHECK_EQ("futex.wake_op_applied", word, 7);
	futex(&local, FUTEX_WAKE_OP, 1, (void *)1L, &word,
	      FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
	CHECK_EQ("futex.wake_op_add", word, 12);
	word = 0;
}

static void test_futex_wake(void)
{
	pthread_t th[3];
	struct waiter w[3];
	long r;

	word = 0;
	ready = 0;
	for (int i = 0; i < 3; i++) {
		w[i] = (struct waiter){i, FUTEX_WAIT_PRIVATE, 0};
		waiter_result[i] = 99;
		pthread_create(&th[i], NULL, waiter_fn, &w[i]);
	}
	await_ready(3);
	CHECK_EQ("futex.wake_one", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
	r = 0;
	for (int i = 0; i < 100; i++) {
		r = (waiter_result[0] == 0) + (waiter_result[1] == 0) + (waiter_result[2] == 0);
		if (r)
			break;
		usleep(10000);
	}
	CHECK_EQ("futex.wake_one_returns_zero", r, 1);
	CHECK_EQ("futex.wake_all", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 2);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK("futex.all_woken", waiter_result[0] == 0 && waiter_result[1] == 0 &&
					 waiter_result[2] == 0,
	      "%ld %ld %ld", waiter_result[0], waiter_result[1], waiter_result[2]);

	/* Bitsets: a wake with a disjoint mask wakes no one. */
	ready = 0;
	w[0] = (struct waiter){0, FUTEX_WAIT_BITSET_PRIVATE, 0x1};
	w[1] = (struct waiter){1, FUTEX_WAIT_BITSET_PRIVATE, 0x2};
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, waiter_fn, &w[i]);
	await_ready(2);
	CHECK_EQ("futex.wake_bitset_disjoint",
		 futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x4), 0);
	CHECK_EQ("futex.wake_bitset_match",
		 futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 0x2), 1);
	pthread_join(th[1], NULL);
	CHECK_EQ("futex.wake_bitset_woken", waiter_result[1], 0);
	/* Requeue the other one onto a second word, then wake it there. */
	{
		static _Atomic uint32_t other;

		CHECK_EQ("futex.cmp_requeue", futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1L,
						    &other, 0), 1);
		CHECK_EQ("futex.requeued_wake_old", futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL,
							  NULL, 0x1), 0);
		CHECK_EQ("futex.requeued_wake_new", futex(&other, FUTEX_WAKE_PRIVATE, 1, NULL, NULL,
							  0), 1);
	}
	pthread_join(th[0], NULL);
	CHECK_EQ("futex.requeued_woken", waiter_result[0], 0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_futex_intr_pi(void)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {{0, 0}, {0, 30000}};
	struct timespec ts = {10, 0};
	uint32_t local = 0, pi = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERR("futex.wait_eintr", futex(&local, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0), EINTR);
	it.it_value.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);

	CHECK_EQ("futex.lock_pi", futex(&pi, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	CHECK_EQ("futex.lock_pi_owner", pi & FUTEX_TID_MASK, gettid());
	CHECK_ERR("futex.trylock_pi_edeadlk",
		  futex(&pi, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	CHECK_EQ("futex.unlock_pi", futex(&pi, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	CHECK_EQ("futex.unlock_pi_cleared", pi, 0);
	pi = 1; /* owned by tid 1, which is not us */
	CHECK_ERR("futex.unlock_pi_not_owner",
		  futex(&pi, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);
}

/* The kernel's struct futex_waitv, declared here for older headers. */
struct k_waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

static void test_futex_waitv(void)
{
	uint32_t a = 1, b = 2;
	struct k_waitv v[2] = {{1, (uintptr_t)&a, 2, 0}, {2, (uintptr_t)&b, 2, 0}};
	struct timespec ts;
	long long t0 = now_ns() + 20000000;

	ts = (struct timespec){t0 / 1000000000, t0 % 1000000000};
	CHECK_ERR("futex_waitv.timeout", syscall(SYS_futex_waitv, v, 2, 0, &ts, CLOCK_MONOTONIC),
		  ETIMEDOUT);
	CHECK("futex_waitv.timeout_reached", now_ns() >= t0, "%lld ns early", t0 - now_ns());
	v[1].val = 3;
	CHECK_ERR("futex_waitv.mismatch", syscall(SYS_futex_waitv, v, 2, 0, &ts, CLOCK_MONOTONIC),
		  EAGAIN);
	CHECK_ERR("futex_waitv.bad_flags", syscall(SYS_futex_waitv, v, 2, 1, &ts, CLOCK_MONOTONIC),
		  EINVAL);
	CHECK_ERR("futex_waitv.zero_count",
		  syscall(SYS_futex_waitv, v, 0, 0, &ts, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR("futex_waitv.bad_clock", syscall(SYS_futex_waitv, v, 2, 0, &ts, CLOCK_PROCESS_CPUTIME_ID),
		  EINVAL);
	v[0].flags = 0;
	CHECK_ERR("futex_waitv.bad_entry_flags",
		  syscall(SYS_futex_waitv, v, 2, 0, &ts, CLOCK_MONOTONIC), EINVAL);
	CHECK_ERR("futex_waitv.efault", syscall(SYS_futex_waitv, BADPTR, 1, 0, &ts, CLOCK_MONOTONIC),
		  EFAULT);
}

static void *tid_fn(void *p)
{
	char path[64];
	struct stat st;

	(void)p;
	thread_tid = gettid();
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)thread_tid);
	return (void *)(long)(getpid() * 2 + (stat(path, &st) == 0));
}

static int clone_fn(void *p)
{
	*(volatile pid_t *)p = syscall(SYS_gettid);
	return 0;
}

static void *exit_group_fn(void *p)
{
	(void)p;
	syscall(SYS_exit_group, 7);
	return NULL;
}

static void test_threads(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	volatile pid_t seen = 0;
	pid_t ptid = 0, ctid;
	pthread_t th;
	void *ret;
	long r;
	pid_t pid;

	CHECK_EQ("gettid.main_is_pid", gettid(), getpid());
	CHECK_EQ("gettid.raw", syscall(SYS_gettid), getpid());
	pthread_create(&th, NULL, tid_fn, NULL);
	pthread_join(th, &ret);
	CHECK("gettid.thread_differs", thread_tid > 0 && thread_tid != getpid(), "tid %d",
	      (int)thread_tid);
	CHECK_EQ("getpid.thread_same", (long)ret >> 1, getpid());
	CHECK_EQ("gettid.in_proc_task", (long)ret & 1, 1);

	/* A bare CLONE_THREAD clone: the kernel clears ctid and wakes the futex at its exit. */
	ctid = -1;
	r = clone(clone_fn, stack + sizeof(stack),
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
			  CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
		  (void *)&seen, &ptid, NULL, &ctid);
	CHECK("clone.thread", r > 0 && r != getpid(), "r %ld %s", r, check_errname(errno));
	CHECK_EQ("clone.parent_settid", ptid, r);
	for (int i = 0; i < 1000 && ctid != 0; i++) {
		struct timespec ts = {0, 10000000};

		futex(&ctid, FUTEX_WAIT, ctid, &ts, NULL, 0);
	}
	CHECK_EQ("clone.child_cleartid", ctid, 0);
	CHECK_EQ("clone.thread_ran_with_own_tid", seen, r);
	/* Should either of these succeed after all, the child must leave at once. */
	errno = 0;
	r = syscall(SYS_clone, CLONE_THREAD, NULL, NULL, NULL, 0);
	if (r == 0)
		syscall(SYS_exit, 0);
	CHECK("clone.thread_without_sighand", r == -1 && errno == EINVAL, "r %ld %s", r,
	      check_errname(errno));
	errno = 0;
	r = syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, NULL, NULL, NULL, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	CHECK("clone.sighand_without_vm", r == -1 && errno == EINVAL, "r %ld %s", r,
	      check_errname(errno));

	/* exit_group from any thread ends the whole process with that status. */
	pid = fork();
	if (pid == 0) {
		pthread_create(&th, NULL, exit_group_fn, NULL);
		pause();
		_exit(1);
	}
	{
		int st = 0;

		waitpid(pid, &st, 0);
		CHECK("exit_group.from_thread", WIFEXITED(st) && WEXITSTATUS(st) == 7, "status 0x%x",
		      st);
	}
}

static void test_robust(void)
{
	struct robust_list_head *head = NULL;
	size_t len = 0;
	pthread_mutexattr_t ma;
	pthread_mutex_t *m;
	pid_t pid;

	CHECK_SYS("get_robust_list.self", syscall(SYS_get_robust_list, 0, &head, &len));
	CHECK("get_robust_list.glibc_registered", head != NULL && len == sizeof(*head),
	      "head %p len %zu", (void *)head, len);
	CHECK_SYS("get_robust_list.by_tid", syscall(SYS_get_robust_list, gettid(), &head, &len));
	CHECK_ERR("get_robust_list.esrch", syscall(SYS_get_robust_list, INT_MAX, &head, &len),
		  ESRCH);
	CHECK_ERR("get_robust_list.efault", syscall(SYS_get_robust_list, 0, BADPTR, &len), EFAULT);
	CHECK_ERR("set_robust_list.bad_len", syscall(SYS_set_robust_list, head, 8), EINVAL);
	CHECK_SYS("set_robust_list.same", syscall(SYS_set_robust_list, head, sizeof(*head)));

	/* A robust mutex held by a process that dies is handed over with EOWNERDEAD. */
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &ma);
	pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	if (CHECK("set_robust_list.owner_died", (*(uint32_t *)m & FUTEX_OWNER_DIED) != 0,
		  "word 0x%x", *(uint32_t *)m)) {
		CHECK_EQ("set_robust_list.eownerdead", pthread_mutex_lock(m), EOWNERDEAD);
	} else {
		/* Locking would wait for a dead owner forever. */
		CHECK("set_robust_list.eownerdead", 0, "not tried: the lock word was not updated");
		munmap(m, sizeof(*m));
		return;
	}
	pthread_mutex_consistent(m);
	pthread_mutex_unlock(m);
	munmap(m, sizeof(*m));
}

/* Wakes and requeues never sleep, so Linux never fails them with EINTR, even with a signal
 * pending at every call (glibc aborts on one: "The futex facility returned an unexpected
 * error code"). */
static void test_futex_wake_storm(void)
{
	uint32_t w = 0, w2 = 0;
	int bad = 0, err = 0;

	if (check_storm_start() < 0) {
		check_skip("futex.wake_signal_storm", "no signal thread");
		return;
	}
	for (int i = 0; i < 5000 && !bad; i++) {
		if (syscall(SYS_futex, &w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 0)
			bad = 1, err = errno;
		else if (syscall(SYS_futex, &w, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, NULL, &w2,
				 FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)) < 0)
			bad = 2, err = errno;
		else if (syscall(SYS_futex, &w, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &w2, 0) < 0)
			bad = 3, err = errno;
	}
	int n = check_storm_stop();
	CHECK("futex.wake_signal_storm", !bad && n > 0, "call %d failed: %s (%d signals)", bad,
	      check_errname(err), n);
}

static void *thread_noop(void *arg)
{
	return arg;
}

/* A new thread starts with its creator's mask: a process-directed signal that every thread
 * blocks stays pending while threads come and go (its default action would end the process).
 * In a child, which another process keeps sending SIGUSR1 to while it creates 300 threads. */
static void test_thread_blocked_signal(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		pid_t me = getpid(), k = fork();
		if (k == 0) {
			while (kill(me, SIGUSR1) == 0)
				usleep(50);
			_exit(0);
		}
		for (int i = 0; i < 300; i++) {
			pthread_t th;
			if (pthread_create(&th, NULL, thread_noop, NULL) == 0)
				pthread_join(th, NULL);
		}
		kill(k, SIGKILL);
		waitpid(k, NULL, 0);
		signal(SIGUSR1, SIG_IGN);
		_exit(0);
	}
	check_wait_child("clone.thread_keeps_blocked_signal", pid, 0);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	test_futex_basic();
	test_thread_blocked_signal();
	test_futex_wake();
	test_futex_intr_pi();
	test_futex_waitv();
	test_threads();
	test_robust();
	test_futex_wake_storm(); /* last: slow under TCG (the vm column) */
	return check_done();
}
