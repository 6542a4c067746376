/* SPDX-License-Identifier: MIT */
/* signals.c: coverage for rt_sig*, kill/tgkill/tkill, sigaltstack, pause, alarm and itimers. */
#include "check.h"

#include <sys/mman.h>

#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <ucontext.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/procfs.h>
#include <sys/resource.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <sys/time.h>

#define KSIGSET 8 /* the kernel's sigset_t is 64 bits on x86-64 */

static volatile sig_atomic_t hits, last_sig, last_code, last_value, blocked_in_handler;
static volatile pid_t last_pid;
static volatile uintptr_t handler_sp;

static void on_sig(int sig)
{
	hits++;
	last_sig = sig;
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	sigset_t now;

	(void)uc;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_value = si->si_value.sival_int;
	sigprocmask(SIG_BLOCK, NULL, &now);
	blocked_in_handler = sigismember(&now, sig) * 2 + sigismember(&now, SIGUSR2);
}

static void on_stack(int sig)
{
	volatile char here;

	(void)sig;
	hits++;
	handler_sp = (uintptr_t)&here;
}

/* Changes the mask that rt_sigreturn will restore, and blocks SIGURG only for the handler. */
static void on_edit_mask(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	sigset_t s;

	(void)sig;
	(void)si;
	hits++;
	sigemptyset(&s);
	sigaddset(&s, SIGURG);
	sigprocmask(SIG_BLOCK, &s, NULL);
	sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void set_info_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {.sa_sigaction = fn, .sa_flags = flags | SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static sigset_t just(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static int is_blocked(int sig)
{
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	return sigismember(&now, sig);
}

static void test_sigaction(void)
{
	struct sigaction sa = {0}, old;
	sigset_t s;

	sigaction(SIGUSR1, NULL, &old);
	CHECK("rt_sigaction.default_dfl", old.sa_handler == SIG_DFL, "handler %p",
	      (void *)old.sa_handler);
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	CHECK_SYS("rt_sigaction.install", sigaction(SIGUSR1, &sa, NULL));
	sigaction(SIGUSR1, NULL, &old);
	CHECK("rt_sigaction.readback", old.sa_handler == on_sig && (old.sa_flags & SA_RESTART) &&
					       sigismember(&old.sa_mask, SIGUSR2),
	      "flags 0x%x", old.sa_flags);
	hits = 0;
	raise(SIGUSR1);
	CHECK_EQ("rt_sigaction.handler_runs", hits, 1);
	CHECK_ERR("rt_sigaction.sigkill", sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR("rt_sigaction.sigstop", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_SYS("rt_sigaction.sigkill_query", sigaction(SIGKILL, NULL, &old));
	CHECK_ERR("rt_sigaction.signo_zero", syscall(SYS_rt_sigaction, 0, NULL, &old, KSIGSET),
		  EINVAL);
	CHECK_ERR("rt_sigaction.signo_65", syscall(SYS_rt_sigaction, 65, NULL, &old, KSIGSET),
		  EINVAL);
	CHECK_ERR("rt_sigaction.bad_sigsetsize",
		  syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4), EINVAL);
	CHECK_ERR("rt_sigaction.efault_act",
		  syscall(SYS_rt_sigaction, SIGUSR1, BADPTR, NULL, KSIGSET), EFAULT);
	CHECK_ERR("rt_sigaction.efault_old",
		  syscall(SYS_rt_sigaction, SIGUSR1, NULL, BADPTR, KSIGSET), EFAULT);

	/* SA_SIGINFO: raise() is tgkill, so si_code is SI_TKILL and si_pid is us. */
	set_info_handler(SIGUSR1, on_info, 0);
	hits = 0;
	raise(SIGUSR1);
	CHECK("rt_sigaction.siginfo", hits == 1 && last_code == SI_TKILL && last_pid == getpid(),
	      "hits %d code %d pid %d", (int)hits, (int)last_code, (int)last_pid);
	CHECK_EQ("rt_sigaction.self_blocked_in_handler", blocked_in_handler & 2, 2);
	set_info_handler(SIGUSR1, on_info, SA_NODEFER);
	raise(SIGUSR1);
	CHECK_EQ("rt_sigaction.nodefer", blocked_in_handler & 2, 0);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	CHECK_EQ("rt_sigaction.sa_mask_applied", blocked_in_handler & 1, 1);

	set_handler(SIGUSR1, on_sig, SA_RESETHAND);
	hits = 0;
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &old);
	CHECK("rt_sigaction.resethand", hits == 1 && old.sa_handler == SIG_DFL, "hits %d",
	      (int)hits);

	/* An ignored signal is discarded, even while it is blocked and pending. */
	s = just(SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&s);
	CHECK_EQ("rt_sigaction.ign_discards_pending", sigismember(&s, SIGUSR1), 0);
	s = just(SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGUSR1, SIG_DFL);

	/* rt_sigreturn restores the mask saved in the frame, including edits to it. */
	set_info_handler(SIGUSR1, on_edit_mask, 0);
	hits = 0;
	raise(SIGUSR1);
	CHECK("rt_sigreturn.mask_restored", hits == 1 && !is_blocked(SIGURG), "SIGURG blocked");
	CHECK_EQ("rt_sigreturn.uc_sigmask_applied", is_blocked(SIGUSR2), 1);
	s = just(SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static void test_sigprocmask(void)
{
	sigset_t s, old, pend;
	uint64_t raw = 0;

	s = just(SIGUSR1);
	CHECK_SYS("rt_sigprocmask.block", sigprocmask(SIG_BLOCK, &s, &old));
	CHECK_EQ("rt_sigprocmask.blocked", is_blocked(SIGUSR1), 1);
	set_handler(SIGUSR1, on_sig, 0);
	hits = 0;
	raise(SIGUSR1);
	CHECK_EQ("rt_sigprocmask.held", hits, 0);
	sigpending(&pend);
	CHECK_EQ("rt_sigpending.has_signal", sigismember(&pend, SIGUSR1), 1);
	CHECK_EQ("rt_sigpending.not_others", sigismember(&pend, SIGUSR2), 0);
	raise(SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	CHECK_EQ("rt_sigprocmask.unblock_delivers_once", hits, 1);
	sigpending(&pend);
	CHECK_EQ("rt_sigpending.cleared", sigismember(&pend, SIGUSR1), 0);

	/* Real-time signals queue; each one is delivered. */
	s = just(SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	set_handler(SIGRTMIN + 1, on_sig, 0);
	hits = 0;
	for (int i = 0; i < 3; i++)
		raise(SIGRTMIN + 1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	CHECK_EQ("rt_sigprocmask.rt_queued", hits, 3);
	signal(SIGRTMIN + 1, SIG_DFL);

	s = just(SIGKILL);
	sigaddset(&s, SIGSTOP);
	sigprocmask(SIG_BLOCK, &s, NULL);
	CHECK_EQ("rt_sigprocmask.sigkill_unblockable", is_blocked(SIGKILL) + is_blocked(SIGSTOP), 0);
	s = just(SIGUSR2);
	sigprocmask(SIG_SETMASK, &s, NULL);
	CHECK_EQ("rt_sigprocmask.setmask", is_blocked(SIGUSR2) * 2 + is_blocked(SIGUSR1), 2);
	CHECK_ERR("rt_sigprocmask.bad_how", sigprocmask(99, &s, NULL), EINVAL);
	CHECK_SYS("rt_sigprocmask.bad_how_null_set", syscall(SYS_rt_sigprocmask, 99, NULL, &raw, 8));
	CHECK_ERR("rt_sigprocmask.bad_sigsetsize",
		  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &raw, NULL, 4), EINVAL);
	CHECK_ERR("rt_sigprocmask.efault",
		  syscall(SYS_rt_sigprocmask, SIG_BLOCK, BADPTR, NULL, KSIGSET), EFAULT);
	CHECK_ERR("rt_sigprocmask.efault_old",
		  syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, BADPTR, KSIGSET), EFAULT);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &raw, KSIGSET);
	CHECK_EQ("rt_sigprocmask.raw_bits", raw, 1ULL << (SIGUSR2 - 1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_ERR("rt_sigpending.bad_sigsetsize", syscall(SYS_rt_sigpending, &raw, 16), EINVAL);
	CHECK_ERR("rt_sigpending.efault", syscall(SYS_rt_sigpending, BADPTR, KSIGSET), EFAULT);
	signal(SIGUSR1, SIG_DFL);
}

static void test_sigwait(void)
{
	sigset_t s = just(SIGUSR1), old;
	struct timespec ts = {0, 0};
	siginfo_t si;
	union sigval v = {.sival_int = 42};
	struct itimerval it = {{0, 0}, {0, 20000}};
	uint64_t raw;

	sigprocmask(SIG_BLOCK, &s, &old);
	CHECK_ERR("rt_sigtimedwait.timeout_eagain", sigtimedwait(&s, &si, &ts), EAGAIN);
	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof(si));
	CHECK_EQ("rt_sigtimedwait.returns_signo", sigtimedwait(&s, &si, &ts), SIGUSR1);
	CHECK("rt_sigtimedwait.si_user", si.si_code == SI_USER && si.si_pid == getpid() &&
						 si.si_uid == getuid(),
	      "code %d pid %d", si.si_code, si.si_pid);
	CHECK_SYS("rt_sigqueueinfo.self", sigqueue(getpid(), SIGUSR1, v));
	memset(&si, 0, sizeof(si));
	CHECK("rt_sigqueueinfo.value", sigtimedwait(&s, &si, &ts) == SIGUSR1 &&
					       si.si_code == SI_QUEUE && si.si_value.sival_int == 42,
	      "code %d value %d", si.si_code, si.si_value.sival_int);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 7;
	CHECK_SYS("rt_tgsigqueueinfo.self",
		  syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si));
	memset(&si, 0, sizeof(si));
	CHECK("rt_tgsigqueueinfo.value",
	      sigtimedwait(&s, &si, &ts) == SIGUSR1 && si.si_value.sival_int == 7, "value %d",
	      si.si_value.sival_int);
	si.si_code = SI_USER;
	if (getppid() > 1)
		CHECK_ERR("rt_sigqueueinfo.si_user_other_eperm",
			  syscall(SYS_rt_sigqueueinfo, getppid(), 0, &si), EPERM);
	else
		check_skip("rt_sigqueueinfo.si_user_other_eperm", "no parent process");
	si.si_code = SI_QUEUE;
	CHECK_ERR("rt_sigqueueinfo.esrch", syscall(SYS_rt_sigqueueinfo, INT_MAX, SIGUSR1, &si),
		  ESRCH);
	CHECK_ERR("rt_sigqueueinfo.efault",
		  syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BADPTR), EFAULT);
	CHECK_ERR("rt_tgsigqueueinfo.wrong_tgid",
		  syscall(SYS_rt_tgsigqueueinfo, INT_MAX, gettid(), SIGUSR1, &si), ESRCH);
	CHECK_ERR("rt_tgsigqueueinfo.bad_sig",
		  syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), 99, &si), EINVAL);

	ts.tv_nsec = 1000000000;
	CHECK_ERR("rt_sigtimedwait.bad_timeout", sigtimedwait(&s, &si, &ts), EINVAL);
	raw = 1ULL << (SIGUSR1 - 1);
	CHECK_ERR("rt_sigtimedwait.bad_sigsetsize",
		  syscall(SYS_rt_sigtimedwait, &raw, NULL, &ts, 4), EINVAL);
	CHECK_ERR("rt_sigtimedwait.efault_set",
		  syscall(SYS_rt_sigtimedwait, BADPTR, NULL, NULL, KSIGSET), EFAULT);
	/* A handled signal outside the waited set interrupts the wait. */
	set_handler(SIGALRM, on_sig, 0);
	hits = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	ts = (struct timespec){10, 0};
	CHECK_ERR("rt_sigtimedwait.eintr", sigtimedwait(&s, &si, &ts), EINTR);
	CHECK_EQ("rt_sigtimedwait.eintr_handler_ran", hits, 1);
	it.it_value.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGALRM, SIG_DFL);
}

static void test_suspend_pause(void)
{
	sigset_t s = just(SIGUSR1), old, none;
	uint64_t raw = 0;
	pid_t pid;
	int st = 0;

	set_handler(SIGUSR1, on_sig, 0);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR1);
	sigemptyset(&none);
	hits = 0;
	CHECK_ERR("rt_sigsuspend.eintr", sigsuspend(&none), EINTR);
	CHECK_EQ("rt_sigsuspend.handler_ran", hits, 1);
	CHECK_EQ("rt_sigsuspend.mask_restored", is_blocked(SIGUSR1), 1);
	CHECK_ERR("rt_sigsuspend.bad_sigsetsize", syscall(SYS_rt_sigsuspend, &raw, 4), EINVAL);
	CHECK_ERR("rt_sigsuspend.efault", syscall(SYS_rt_sigsuspend, BADPTR, KSIGSET), EFAULT);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* pause in a child returns EINTR once a handled signal arrives; keep sending until it exits. */
	pid = fork();
	if (pid == 0) {
		alarm(30);
		set_handler(SIGUSR1, on_sig, 0);
		_exit(pause() == -1 && errno == EINTR ? 0 : 1);
	}
	for (int i = 0; i < 1000 && waitpid(pid, &st, WNOHANG) == 0; i++) {
		kill(pid, SIGUSR1);
		usleep(10000);
	}
	CHECK("pause.eintr", WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	signal(SIGUSR1, SIG_DFL);
}

static void test_kill(void)
{
	pid_t pid;
	int wfd;

	CHECK_SYS("kill.sig0_self", kill(getpid(), 0));
	CHECK_SYS("kill.sig0_group", kill(0, 0));
	CHECK_ERR("kill.bad_sig", kill(getpid(), 65), EINVAL);
	CHECK_ERR("kill.negative_sig", kill(getpid(), -1), EINVAL);
	CHECK_ERR("kill.esrch", kill(INT_MAX, 0), ESRCH);
	CHECK_ERR("kill.esrch_group", kill(-INT_MAX, 0), ESRCH);
	CHECK_SYS("tgkill.sig0", syscall(SYS_tgkill, getpid(), gettid(), 0));
	CHECK_ERR("tgkill.einval_tgid", syscall(SYS_tgkill, 0, gettid(), SIGUSR1), EINVAL);
	CHECK_ERR("tgkill.einval_tid", syscall(SYS_tgkill, getpid(), -1, SIGUSR1), EINVAL);
	CHECK_ERR("tgkill.esrch", syscall(SYS_tgkill, INT_MAX, gettid(), 0), ESRCH);
	CHECK_ERR("tgkill.bad_sig", syscall(SYS_tgkill, getpid(), gettid(), 65), EINVAL);
	CHECK_ERR("tkill.einval", syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
	CHECK_ERR("tkill.esrch", syscall(SYS_tkill, INT_MAX, 0), ESRCH);
	set_handler(SIGUSR2, on_sig, 0);
	hits = 0;
	syscall(SYS_tkill, gettid(), SIGUSR2);
	CHECK("tkill.delivers", hits == 1 && last_sig == SIGUSR2, "hits %d", (int)hits);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	CHECK_EQ("tgkill.delivers", hits, 2);
	signal(SIGUSR2, SIG_DFL);

	/* Default actions seen from the parent: terminate, and core-dump signals report it. */
	pid = check_child_waiting(&wfd);
	CHECK_SYS("kill.child", kill(pid, SIGTERM));
	check_wait_child("kill.default_terminates", pid, SIGTERM);
	close(wfd);
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		raise(SIGTERM);
		raise(SIGCHLD); /* default action: ignore */
		_exit(0);
	}
	check_wait_child("kill.ignored_survives", pid, 0);

	/* An unprivileged process may not signal one of another user. */
	pid = check_fork_unprivileged();
	if (pid == 0) {
		CHECK_ERR("kill.eperm_other_user", kill(1, 0), EPERM);
		check_child_exit();
	}
	check_wait_child("kill.eperm_child", pid, 0);
}

static void test_altstack(void)
{
	static char stack[64 * 1024];
	stack_t ss = {0}, old;

	CHECK_SYS("sigaltstack.query", sigaltstack(NULL, &old));
	CHECK_EQ("sigaltstack.initially_disabled", old.ss_flags, SS_DISABLE);
	ss.ss_sp = stack;
	ss.ss_size = sizeof(stack);
	CHECK_SYS("sigaltstack.set", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	CHECK("sigaltstack.readback", old.ss_sp == stack && old.ss_size == sizeof(stack) &&
					      old.ss_flags == 0,
	      "sp %p size %zu flags %d", old.ss_sp, old.ss_size, old.ss_flags);
	set_handler(SIGUSR1, on_stack, SA_ONSTACK);
	hits = 0;
	raise(SIGUSR1);
	CHECK("sigaltstack.handler_on_stack",
	      hits == 1 && handler_sp > (uintptr_t)stack &&
		      handler_sp < (uintptr_t)stack + sizeof(stack),
	      "sp %#lx stack %p", (unsigned long)handler_sp, (void *)stack);
	set_handler(SIGUSR1, on_stack, 0);
	raise(SIGUSR1);
	CHECK("sigaltstack.without_onstack",
	      handler_sp < (uintptr_t)stack || handler_sp >= (uintptr_t)stack + sizeof(stack),
	      "sp %#lx on the alternate stack", (unsigned long)handler_sp);
	ss.ss_size = 512;
	CHECK_ERR("sigaltstack.too_small", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = sizeof(stack);
	ss.ss_flags = 0x1234;
	CHECK_ERR("sigaltstack.bad_flags", sigaltstack(&ss, NULL), EINVAL);
	CHECK_ERR("sigaltstack.efault", syscall(SYS_sigaltstack, BADPTR, NULL), EFAULT);
	ss.ss_flags = SS_DISABLE;
	CHECK_SYS("sigaltstack.disable", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	CHECK_EQ("sigaltstack.disabled", old.ss_flags, SS_DISABLE);
	signal(SIGUSR1, SIG_DFL);
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void test_timers(void)
{
	struct itimerval it = {{0, 0}, {10, 0}}, got, old;
	sigset_t s = just(SIGALRM), prev;
	struct timespec ts = {10, 0};
	long long t0;
	int n;

	CHECK_EQ("alarm.first", alarm(10), 0);
	n = alarm(0);
	CHECK("alarm.remaining", n >= 9 && n <= 10, "remaining %d", n);
	CHECK_EQ("alarm.cancelled", alarm(0), 0);
	CHECK_SYS("setitimer.real", setitimer(ITIMER_REAL, &it, NULL));
	CHECK_SYS("getitimer.real", getitimer(ITIMER_REAL, &got));
	CHECK("getitimer.value", got.it_value.tv_sec >= 9 && got.it_value.tv_sec <= 10 &&
					 got.it_interval.tv_sec == 0,
	      "value %ld.%06ld", (long)got.it_value.tv_sec, (long)got.it_value.tv_usec);
	n = alarm(0);
	CHECK("alarm.shares_itimer_real", n >= 9 && n <= 10, "alarm saw %d", n);
	it.it_value.tv_sec = 0;
	setitimer(ITIMER_REAL, &it, &old);
	CHECK("setitimer.old_disarmed", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0,
	      "old %ld.%06ld", (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);
	it = (struct itimerval){{1, 0}, {5, 0}};
	CHECK_SYS("setitimer.virtual", setitimer(ITIMER_VIRTUAL, &it, NULL));
	getitimer(ITIMER_VIRTUAL, &got);
	CHECK("getitimer.virtual", got.it_interval.tv_sec == 1 && got.it_value.tv_sec <= 5 &&
					   got.it_value.tv_sec >= 4,
	      "value %ld", (long)got.it_value.tv_sec);
	it = (struct itimerval){0};
	setitimer(ITIMER_VIRTUAL, &it, &old);
	CHECK_EQ("setitimer.virtual_old_interval", old.it_interval.tv_sec, 1);
	CHECK_SYS("setitimer.prof", setitimer(ITIMER_PROF, &it, NULL));
	CHECK_ERR("setitimer.bad_which", setitimer(7, &it, NULL), EINVAL);
	CHECK_ERR("getitimer.bad_which", getitimer(7, &got), EINVAL);
	it.it_value.tv_usec = 1000000;
	CHECK_ERR("setitimer.bad_usec", setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	CHECK_ERR("getitimer.efault", syscall(SYS_getitimer, ITIMER_REAL, BADPTR), EFAULT);
	CHECK_ERR("setitimer.efault", syscall(SYS_setitimer, ITIMER_REAL, BADPTR, NULL), EFAULT);

	/* A periodic ITIMER_REAL fires repeatedly; collect three expirations. */
	sigprocmask(SIG_BLOCK, &s, &prev);
	it = (struct itimerval){{0, 10000}, {0, 10000}};
	t0 = now_ns();
	setitimer(ITIMER_REAL, &it, NULL);
	n = 0;
	for (int i = 0; i < 3; i++)
		n += sigtimedwait(&s, NULL, &ts) == SIGALRM;
	it = (struct itimerval){0};
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_EQ("setitimer.periodic", n, 3);
	CHECK("setitimer.periodic_duration", now_ns() - t0 >= 25000000, "took %lld ns",
	      now_ns() - t0);
	t0 = now_ns();
	alarm(1);
	CHECK_EQ("alarm.fires", sigtimedwait(&s, NULL, &ts), SIGALRM);
	CHECK("alarm.after_a_second", now_ns() - t0 >= 900000000, "after %lld ns", now_ns() - t0);
	sigprocmask(SIG_SETMASK, &prev, NULL);
}

static volatile int rtq_vals[8], rtq_n;

static void on_rtq(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (rtq_n < 8)
		rtq_vals[rtq_n++] = si->si_value.sival_int * (si->si_code == SI_QUEUE ? 1 : -1);
}

/* Queued realtime signals keep their own siginfo and arrive in order; two numbers interleave
 * by number (lowest first), and each instance is seen by sigtimedwait too. */
static void test_rt_queue(void)
{
	struct sigaction sa = {.sa_sigaction = on_rtq, .sa_flags = SA_SIGINFO};
	sigset_t s;
	siginfo_t si;
	struct timespec zero = {0, 0};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN + 2, &sa, NULL);
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 1; i <= 4; i++)
		sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = i * 10});
	rtq_n = 0;
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	CHECK("rt_queue.each_value_in_order", rtq_n == 4 && rtq_vals[0] == 10 && rtq_vals[1] == 20 &&
		      rtq_vals[2] == 30 && rtq_vals[3] == 40,
	      "n %d: %d %d %d %d", rtq_n, rtq_vals[0], rtq_vals[1], rtq_vals[2], rtq_vals[3]);
	sigprocmask(SIG_BLOCK, &s, NULL);
	sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 7});
	sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = 8});
	int a = sigtimedwait(&s, &si, &zero);
	int va = si.si_value.sival_int;
	int b = sigtimedwait(&s, &si, &zero);
	int vb = si.si_value.sival_int;
	CHECK("rt_queue.sigtimedwait_each", a == SIGRTMIN + 2 && b == a && va == 7 && vb == 8,
	      "%d %d %d %d", a, b, va, vb);
	CHECK_ERR("rt_queue.sigtimedwait_drained", sigtimedwait(&s, &si, &zero), EAGAIN);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGRTMIN + 2, SIG_DFL);
}

static volatile sig_atomic_t segv_code, usr1_ran;

static void on_segv_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	segv_code = si->si_code;
}

static void on_usr1_mark(int sig)
{
	(void)sig;
	usr1_ran = 1;
}

/*
 * A signal frame that cannot be written (SA_ONSTACK on a read-only alternate stack) becomes a
 * SIGSEGV from the kernel (si_code SI_KERNEL) delivered instead, on the ordinary stack; when it
 * is SIGSEGV's own frame, or SIGSEGV is blocked, the process dies by SIGSEGV. Each in a child.
 */
static void test_frame_fault(void)
{
	pid_t pid;
	int how;

	for (how = 0; how < 3; how++) {
		pid = fork();
		if (pid == 0) {
			stack_t ss = {.ss_size = 64 * 1024};
			sigset_t set;

			check_passed = check_failed = 0;
			ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			sigaltstack(&ss, NULL);
			set_handler(SIGUSR1, on_usr1_mark, SA_ONSTACK);
			set_info_handler(SIGSEGV, on_segv_info, how == 1 ? SA_ONSTACK : 0);
			if (how == 2) {
				sigemptyset(&set);
				sigaddset(&set, SIGSEGV);
				sigprocmask(SIG_BLOCK, &set, NULL);
			}
			raise(how == 1 ? SIGSEGV : SIGUSR1);
			CHECK("tgkill.frame_fault_sigsegv", segv_code == 0x80 /* SI_KERNEL */ &&
			      !usr1_ran, "si_code %d usr1 %d", (int)segv_code, (int)usr1_ran);
			check_child_exit();
		}
		if (how == 0)
			check_wait_child("tgkill.frame_fault_child", pid, 0);
		else
			check_wait_child(how == 1 ? "tgkill.frame_fault_own_segv_fatal"
						  : "tgkill.frame_fault_segv_blocked_fatal", pid, SIGSEGV);
	}
}

/* A SIGSYS sent with kill is an ordinary signal: ignored, or handled. */
static void test_sigsys_sent(void)
{
	signal(SIGSYS, SIG_IGN);
	CHECK_SYS("kill.sigsys_ignored", kill(getpid(), SIGSYS));
	set_handler(SIGSYS, on_usr1_mark, 0);
	usr1_ran = 0;
	kill(getpid(), SIGSYS);
	CHECK_EQ("kill.sigsys_handled", usr1_ran, 1);
	signal(SIGSYS, SIG_DFL);
}

/* What a child that dies by a core-dumping signal tells its parent first. */
struct core_expect {
	uintptr_t stack;   /* an address on the child's stack */
	uintptr_t entry;   /* its AT_ENTRY */
};

/* The first NT_PRSTATUS (the thread that took the signal) and NT_AUXV's AT_ENTRY of a core. */
static int core_notes(const char *path, struct user_regs_struct *regs, uintptr_t *entry)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), got = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || eh.e_type != ET_CORE)
		goto out;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * eh.e_phentsize) != sizeof(ph))
			break;
		if (ph.p_type != PT_NOTE || ph.p_filesz > (1 << 22))
			continue;
		char *n = malloc(ph.p_filesz);
		if (!n || pread(fd, n, ph.p_filesz, ph.p_offset) != (ssize_t)ph.p_filesz) {
			free(n);
			break;
		}
		for (size_t off = 0; off + sizeof(Elf64_Nhdr) <= ph.p_filesz;) {
			Elf64_Nhdr *nh = (Elf64_Nhdr *)(n + off);
			char *desc = n + off + sizeof(*nh) + ((nh->n_namesz + 3) & ~3u);
			if (nh->n_type == NT_PRSTATUS && !(got & 1) &&
			    nh->n_descsz >= sizeof(struct elf_prstatus)) {
				memcpy(regs, &((struct elf_prstatus *)desc)->pr_reg, sizeof(*regs));
				got |= 1;
			}
			if (nh->n_type == NT_AUXV)
				for (uint64_t *a = (uint64_t *)desc; a + 1 < (uint64_t *)(desc + nh->n_descsz) && a[0];
				     a += 2)
					if (a[0] == AT_ENTRY) {
						*entry = a[1];
						got |= 2;
					}
			off = (size_t)(desc - n) + ((nh->n_descsz + 3) & ~3u);
		}
		free(n);
	}
out:
	if (fd >= 0)
		close(fd);
	return got == 3 ? 0 : -1;
}

/*
 * A process that sends itself SIGQUIT (default action: core) dies as the syscall returns, so
 * its core holds its registers there: rip just after the syscall instruction in libc's
 * syscall(), rsp on its own stack, and its own auxv (a debugger's backtrace needs all three).
 */
static void test_core_dump(void)
{
	const char *dir = check_tmpdir_make();
	char pat[64] = "", core[2100];
	struct core_expect ex = {0};
	struct user_regs_struct regs;
	uintptr_t entry = 0;
	struct rlimit rl;
	int p[2], status, n;
	pid_t pid;

	n = (int)check_read_file("/proc/sys/kernel/core_pattern", pat, sizeof(pat));
	if (n > 0 && pat[n - 1] == '\n')
		pat[n - 1] = '\0';
	if (strcmp(pat, "core") || getrlimit(RLIMIT_CORE, &rl) || rl.rlim_max == 0 || pipe(p)) {
		check_skip("tgkill.core_registers", "core_pattern is not \"core\" or cores are off");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		volatile int here = 0;
		signal(SIGQUIT, SIG_DFL); /* (a shell's background job starts with it ignored) */
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_CORE, &rl);
		prctl(PR_SET_DUMPABLE, 1);
		if (chdir(dir))
			_exit(3);
		ex.stack = (uintptr_t)&here;
		ex.entry = getauxval(AT_ENTRY);
		if (write(p[1], &ex, sizeof(ex)) != sizeof(ex))
			_exit(3);
		syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGQUIT);
		_exit(4);
	}
	close(p[1]);
	n = (int)read(p[0], &ex, sizeof(ex));
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!CHECK("tgkill.core_dumped", n == sizeof(ex) && WIFSIGNALED(status) &&
		   WTERMSIG(status) == SIGQUIT && WCOREDUMP(status), "status 0x%x", status))
		return;
	snprintf(core, sizeof(core), "%s/core", dir);
	if (access(core, F_OK))
		snprintf(core, sizeof(core), "%s/core.%d", dir, (int)pid);
	if (!CHECK("tgkill.core_notes", core_notes(core, &regs, &entry) == 0, "%s: no notes", core))
		return;
	CHECK("tgkill.core_registers",
	      regs.rip - (uintptr_t)syscall < 64 && regs.rax == 0 &&
		      regs.rsp < ex.stack && ex.stack - regs.rsp < 65536,
	      "rip %#llx (syscall() at %p), rsp %#llx (stack at %#lx), rax %#llx",
	      (unsigned long long)regs.rip, (void *)syscall, (unsigned long long)regs.rsp,
	      (unsigned long)ex.stack, (unsigned long long)regs.rax);
	CHECK("execve.core_auxv_entry", entry == ex.entry, "AT_ENTRY %#lx, want %#lx",
	      (unsigned long)entry, (unsigned long)ex.entry);
	unlink(core);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	test_sigaction();
	test_sigprocmask();
	test_sigwait();
	test_suspend_pause();
	test_kill();
	test_altstack();
	test_frame_fault();
	test_sigsys_sent();
	test_timers();
	test_rt_queue();
	test_core_dump();
	return check_done();
}
