/* SPDX-License-Identifier: MIT */
/*
 * ptrace between processes: a parent traces children with each family of requests and prints
 * what it observed (wait statuses, syscall numbers at entry and exit, peeked and changed
 * values, injected and suppressed signals, errors). Run natively and under lxrun
 * (tests/translator/ptrace.sh): the outputs must be identical, so nothing printed depends on
 * pids or addresses. Exits 77 when the host refuses ptrace natively.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/elf.h>

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif

static volatile long magic = 0x1122334455667788;
static volatile int got[65];

static void on_sig(int sig)
{
	got[sig]++;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static const char *status_str(int st)
{
	static char buf[64];
	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed %d", WTERMSIG(st));
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped sig %d event %d (%#x)", WSTOPSIG(st) & 0x7f,
			 st >> 16, st);
	else
		snprintf(buf, sizeof(buf), "other %#x", st);
	return buf;
}

static int wait_for(pid_t pid, int flags)
{
	int st = 0;
	pid_t r;
	while ((r = waitpid(pid, &st, flags)) < 0 && errno == EINTR)
		;
	if (r != pid)
		say("waitpid: %s (got %s pid)\n", r < 0 ? strerror(errno) : "ok",
		    r == pid ? "the" : "another");
	return st;
}

static const char *err(long r)
{
	return r < 0 ? strerror(errno) : "ok";
}

/* NT_X86_XSTATE: the whole XSAVE area (CPUID's size), its legacy part as GETFPREGS; a header
 * with reserved bits is refused, the area as read is taken back. */
static void xstate(pid_t pid, const struct user_fpregs_struct *fp)
{
	unsigned a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 27))) {
		say("xstate: no xsave\n");
		return;
	}
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	static uint64_t xs[16384 / 8] __attribute__((aligned(64)));
	struct iovec iov = {xs, b};
	long r = ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
	say("getregset xstate: %s len is cpuid's %d mxcsr and xmm as getfpregs %d\n", err(r),
	    iov.iov_len == b, !memcmp((char *)xs + 24, &fp->mxcsr, 4) &&
	    !memcmp((char *)xs + 160, fp->xmm_space, 256));
	uint64_t comp = xs[65];
	xs[65] = ~0ull;
	say("setregset xstate reserved: %s\n", err(ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &iov)));
	xs[65] = comp;
	say("setregset xstate: %s\n", err(ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &iov)));
	iov.iov_len = 576;
	say("setregset xstate partial: %s\n", err(ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &iov)));
}

/* 1. TRACEME, a SIGSTOP stop, PEEK/POKE, registers, errors. */
static void case_traceme(void)
{
	say("== traceme\n");
	pid_t pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(90);
		kill(getpid(), SIGSTOP);
		printf("child: magic %#lx\n", (long)magic);
		_exit(3);
	}
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	errno = 0;
	long v = ptrace(PTRACE_PEEKDATA, pid, (void *)&magic, 0);
	say("peekdata: %#lx %s\n", v, errno ? strerror(errno) : "ok");
	say("pokedata: %s\n", err(ptrace(PTRACE_POKEDATA, pid, (void *)&magic, (void *)0x42)));
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, pid, (void *)8, 0);
	say("peekdata at 8: %s\n", errno ? strerror(errno) : "no error");
	struct user_regs_struct regs;
	long r;
	say("getregs: %s\n", err(ptrace(PTRACE_GETREGS, pid, 0, &regs)));
	errno = 0;
	long rip = ptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user_regs_struct, rip), 0);
	say("peekuser rip == getregs rip: %d; cs %#llx ss %#llx; fs_base set: %d\n",
	    rip == (long)regs.rip, regs.cs, regs.ss, regs.fs_base != 0);
	say("orig_rax at the stop: %lld (kill is %d)\n", regs.orig_rax, SYS_kill);
	errno = 0;
	ptrace(PTRACE_PEEKUSER, pid, (void *)3, 0);
	say("peekuser unaligned: %s\n", strerror(errno));
	struct iovec iov = {&regs, sizeof(regs)};
	say("getregset prstatus: %s len ok %d\n", err(ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov)),
	    iov.iov_len == sizeof(regs));
	struct user_fpregs_struct fp;
	memset(&fp, 0, sizeof(fp));
	r = ptrace(PTRACE_GETFPREGS, pid, 0, &fp);
	say("getfpregs: %s mxcsr masks %#x\n", err(r), fp.mxcsr & 0x1f80);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	r = ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	say("getsiginfo: %s signo %d code %d\n", err(r), si.si_signo, si.si_code);
	say("setoptions bad: %s\n", err(ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)0x80000000ul)));
	say("cont bad signal: %s\n", err(ptrace(PTRACE_CONT, pid, 0, (void *)100)));
	say("attach to traced: %s\n", err(ptrace(PTRACE_ATTACH, pid, 0, 0)));
	say("cont: ");
	r = ptrace(PTRACE_CONT, pid, 0, 0); /* the child prints: its line comes after ours */
	st = wait_for(pid, 0);
	say("%s\nend: %s\n", err(r), status_str(st));
	say("cont after exit: %s\n", err(ptrace(PTRACE_CONT, pid, 0, 0)));
}

/* 2. PTRACE_SYSCALL: entry and exit stops, a skipped call, changed number and result. */
static void case_syscalls(void)
{
	say("== syscalls\n");
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		long a = syscall(SYS_getpgid, 0);
		long b = syscall(SYS_getppid);
		long c = syscall(SYS_close, -1);
		int ce = errno;
		long d = syscall(SYS_getuid);
		syscall(SYS_umask, 022);
		printf("child: skipped getpgid %ld, getppid %ld, close %ld %s, getuid==getpid %d\n",
		       a, b, c, strerror(ce), d == getpid());
		_exit(0);
	}
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)PTRACE_O_TRACESYSGOOD);
	int entering = 1;
	for (;;) {
		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		st = wait_for(pid, 0);
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != (SIGTRAP | 0x80)) {
			say("unexpected: %s\n", status_str(st));
			break;
		}
		struct user_regs_struct r;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		uint8_t info[128];
		long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), info);
		long nr = (long)r.orig_rax;
		if (entering) {
			uint64_t inr;
			memcpy(&inr, info + 24, 8);
			say("entry %ld rax %lld info size %ld op %d nr %ld\n", nr, r.rax, n, info[0],
			    (long)inr);
			if (nr == SYS_getpgid) {
				r.orig_rax = -1;
				r.rax = 4242;
				ptrace(PTRACE_SETREGS, pid, 0, &r);
			} else if (nr == SYS_getuid) {
				r.orig_rax = SYS_getpid;
				ptrace(PTRACE_SETREGS, pid, 0, &r);
			}
		} else {
			int64_t rv;
			memcpy(&rv, info + 24, 8);
			/* pids as what they are, not their values */
			long long shown = nr == SYS_getpid ? (rv == pid ? -2 : rv)
					  : nr == SYS_getppid ? (rv == getpid() ? -3 : rv) : rv;
			say("exit %ld rax==rval %d info size %ld op %d rval %lld is_error %d\n", nr,
			    (long long)r.rax == rv, n, info[0], shown, info[32]);
			if (nr == SYS_getppid)
				ptrace(PTRACE_POKEUSER, pid, (void *)offsetof(struct user_regs_struct, rax),
				       (void *)777);
			if (nr == SYS_umask)
				break;
		}
		entering = !entering;
	}
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
}

/* 3. Signal-delivery stops: injection of another signal, suppression. */
static void case_signals(void)
{
	say("== signals\n");
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGUSR1, on_sig);
		signal(SIGUSR2, on_sig);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGUSR1);
		raise(SIGUSR1);
		raise(SIGTERM);
		printf("child: usr1 %d usr2 %d\n", got[SIGUSR1], got[SIGUSR2]);
		_exit(0);
	}
	for (int i = 0; i < 3; i++) {
		int st = wait_for(pid, 0);
		siginfo_t si;
		ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		say("stop: %s siginfo signo %d code %d\n", status_str(st), si.si_signo, si.si_code);
		int inject = i == 0 ? SIGUSR2 : 0;
		say("cont with %d\n", inject);
		ptrace(PTRACE_CONT, pid, 0, (void *)(long)inject);
	}
	int st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));

	/* a default-fatal signal passed on kills the tracee */
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGTERM);
		_exit(0);
	}
	st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	ptrace(PTRACE_CONT, pid, 0, (void *)SIGTERM);
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
}

/* 4. exec: the legacy SIGTRAP, and PTRACE_EVENT_EXEC with TRACEEXEC. */
static void case_exec(void)
{
	say("== exec\n");
	for (int opt = 0; opt < 2; opt++) {
		pid_t pid = fork();
		if (pid == 0) {
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			if (opt)
				kill(getpid(), SIGSTOP);
			execl("/bin/true", "true", (char *)NULL);
			_exit(99);
		}
		int st;
		if (opt) {
			st = wait_for(pid, 0);
			say("stop: %s\n", status_str(st));
			ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT));
			ptrace(PTRACE_CONT, pid, 0, 0);
		}
		st = wait_for(pid, 0);
		say("exec stop: %s\n", status_str(st));
		unsigned long msg = 0;
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
		say("eventmsg is the pid: %d\n", opt ? msg == (unsigned long)pid : -1);
		ptrace(PTRACE_CONT, pid, 0, 0);
		st = wait_for(pid, 0);
		if (opt) {
			say("exit stop: %s\n", status_str(st));
			ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
			say("eventmsg %#lx\n", msg);
			ptrace(PTRACE_CONT, pid, 0, 0);
			st = wait_for(pid, 0);
		}
		say("end: %s\n", status_str(st));
	}
}

/* 5. SEIZE and ATTACH of a running child, DETACH. */
static void case_attach(void)
{
	say("== attach\n");
	int p[2], q[2];
	if (pipe(p) < 0 || pipe(q) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		signal(SIGUSR1, on_sig);
		if (write(q[1], "r", 1) != 1) /* the handler is in place */
			_exit(90);
		while (read(p[0], &c, 1) == 1)
			if (c == 'q')
				break;
		printf("child: usr1 %d\n", got[SIGUSR1]);
		_exit(5);
	}
	close(p[0]);
	char ready;
	if (read(q[0], &ready, 1) != 1)
		say("child not ready\n");
	close(q[0]);
	close(q[1]);
	say("attach self: %s\n", err(ptrace(PTRACE_ATTACH, getpid(), 0, 0)));
	say("seize bad options: %s\n", err(ptrace(PTRACE_SEIZE, pid, 0, (void *)0x80000000ul)));
	say("getregs untraced: %s\n", err(ptrace(PTRACE_GETREGS, pid, 0, &(struct user_regs_struct){0})));
	say("seize: %s\n", err(ptrace(PTRACE_SEIZE, pid, 0, (void *)PTRACE_O_TRACESYSGOOD)));
	usleep(50000);
	int st;
	say("wnohang: %d\n", waitpid(pid, &st, WNOHANG));
	say("getregs running: %s\n", err(ptrace(PTRACE_GETREGS, pid, 0, &(struct user_regs_struct){0})));
	kill(pid, SIGUSR1);
	st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	ptrace(PTRACE_SYSCALL, pid, 0, (void *)SIGUSR1);
	st = wait_for(pid, 0);
	say("next stop: %s\n", status_str(st));
	say("detach: %s\n", err(ptrace(PTRACE_DETACH, pid, 0, 0)));
	say("getregs detached: %s\n", err(ptrace(PTRACE_GETREGS, pid, 0, &(struct user_regs_struct){0})));
	say("attach: %s\n", err(ptrace(PTRACE_ATTACH, pid, 0, 0)));
	st = wait_for(pid, 0);
	say("attach stop: %s\n", status_str(st));
	say("detach: %s\n", err(ptrace(PTRACE_DETACH, pid, 0, 0)));
	if (write(p[1], "q", 1) != 1)
		say("write failed\n");
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
	close(p[1]);
}

/* 6. TRACEFORK: the grandchild is traced from its birth; its end is reported too. */
static void case_fork(void)
{
	say("== fork\n");
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		pid_t g = fork();
		if (g == 0)
			_exit(7);
		int st;
		waitpid(g, &st, 0);
		printf("child: grandchild %s\n", status_str(st));
		_exit(0);
	}
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL));
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("fork stop: %s\n", status_str(st));
	unsigned long g = 0;
	ptrace(PTRACE_GETEVENTMSG, pid, 0, &g);
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	say("fork stop rax %lld orig_rax is fork: %d\n", (long long)r.rax == (long long)g ? 0 : r.rax,
	    r.orig_rax == SYS_fork || r.orig_rax == SYS_clone);
	st = wait_for((pid_t)g, __WALL);
	say("grandchild stop: %s\n", status_str(st));
	ptrace(PTRACE_CONT, (pid_t)g, 0, 0);
	st = wait_for((pid_t)g, __WALL);
	say("grandchild end: %s\n", status_str(st));
	/* the child's SIGCHLD from the grandchild: a stop too, passed on */
	for (;;) {
		ptrace(PTRACE_CONT, pid, 0, (void *)(long)(WIFSTOPPED(st) && WSTOPSIG(st) == SIGCHLD ? SIGCHLD : 0));
		st = wait_for(pid, 0);
		if (!WIFSTOPPED(st))
			break;
		say("stop: %s\n", status_str(st));
	}
	say("end: %s\n", status_str(st));
}

/* 8. PTRACE_SINGLESTEP: one instruction at a time. */
static void case_step(void)
{
	say("== step\n");
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		_exit(0);
	}
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	unsigned long long last = r.rip;
	int moved = 0, traps = 0;
	for (int i = 0; i < 5; i++) {
		long rc = ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
		if (rc < 0) {
			say("singlestep: %s\n", strerror(errno));
			break;
		}
		st = wait_for(pid, 0);
		traps += WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		moved += r.rip != last;
		last = r.rip;
	}
	say("steps: %d traps, rip moved %d times\n", traps, moved);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
}

/* 9. PTRACE_INTERRUPT of a seized tracee: blocked in read (restarted after the stop), then
 * running in a loop; PTRACE_KILL. */
static void case_interrupt(void)
{
	say("== interrupt\n");
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		char c, d;
		close(p[1]);
		ssize_t m = read(p[0], &d, 1);
		ssize_t n = read(p[0], &c, 1);
		printf("child: read %zd %c, %zd %c\n", m, m == 1 ? d : '-', n, n == 1 ? c : '-');
		for (;;) {
			for (volatile int i = 0; i < 1000000; i++)
				;
			syscall(SYS_getppid);
		}
	}
	close(p[0]);
	say("interrupt untraced: %s\n", err(ptrace(PTRACE_INTERRUPT, pid, 0, 0)));
	say("seize: %s\n", err(ptrace(PTRACE_SEIZE, pid, 0, 0)));
	usleep(100000);
	if (write(p[1], "a", 1) != 1)
		say("write failed\n");
	usleep(100000);
	say("interrupt: %s\n", err(ptrace(PTRACE_INTERRUPT, pid, 0, 0)));
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	say("cont: %s\n", err(ptrace(PTRACE_CONT, pid, 0, 0)));
	usleep(100000);
	say("wnohang: %d\n", waitpid(pid, &st, WNOHANG));
	say("read still blocked; ");
	if (write(p[1], "x", 1) != 1)
		say("write failed\n");
	usleep(100000);
	say("interrupt: %s\n", err(ptrace(PTRACE_INTERRUPT, pid, 0, 0)));
	st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	say("kill: %s\n", err(ptrace(PTRACE_KILL, pid, 0, 0)));
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
	close(p[1]);
}

/* Run fn in a new process, which has traced nobody yet (its first wait4 sits in the host's wait
 * when its child asks to be traced). */
static void in_fresh(void (*fn)(void))
{
	pid_t p = fork();
	if (p == 0) {
		fn();
		_exit(0);
	}
	int st = wait_for(p, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		say("fresh process: %s\n", status_str(st));
}

static void ignored_body(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGUSR2, SIG_IGN);
		usleep(20000); /* the parent is in its wait by now */
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGUSR2);
		_exit(1);
	}
	int st = wait_for(pid, 0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	say("stop: %s siginfo signo %d code %d\n", status_str(st), si.si_signo, si.si_code);
	ptrace(PTRACE_CONT, pid, 0, (void *)SIGUSR2); /* still ignored: no effect */
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
}

static void reap_body(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		usleep(20000);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		_exit(4);
	}
	int st;
	pid_t r = wait(&st);
	say("wait: %s\n", r == pid ? status_str(st) : "another pid");
	r = wait(&st);
	say("wait again: %d %s\n", (int)r, r < 0 ? strerror(errno) : "");
}

/* 10. A signal the tracee ignores still stops it (Linux: sig_ignored() is false under ptrace);
 * a tracer's first wait, begun before the child asked to be traced, sees the stop; a traced
 * child that ended is reaped once, then wait says ECHILD. */
static void case_ignored(void)
{
	say("== ignored\n");
	in_fresh(ignored_body);
	in_fresh(reap_body);
}

static char task_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return '?';
	char *p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] ? p[2] : '?';
}

/* A child that stops itself with SIGSTOP, stopped when this returns. */
static pid_t stopped_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		printf("child: runs\n");
		_exit(6);
	}
	int st = 0;
	waitpid(pid, &st, WUNTRACED);
	say("child: %s\n", status_str(st));
	return pid;
}

#define DR(n) ((void *)offsetof(struct user, u_debugreg[n]))

/* 11. ATTACH and SEIZE of a stopped process: the group stop is the first stop (no siginfo
 * unless seized), requests work at once, PTRACE_ATTACH's SIGSTOP comes after PTRACE_CONT,
 * a detach leaves the process stopped until SIGCONT; debug registers; PTRACE_LISTEN. */
static void case_stopped(void)
{
	say("== stopped\n");
	pid_t pid = stopped_child();
	say("attach: %s\n", err(ptrace(PTRACE_ATTACH, pid, 0, 0)));
	struct user_regs_struct regs;
	say("getregs at once: %s\n", err(ptrace(PTRACE_GETREGS, pid, 0, &regs)));
	/* a stop not yet waited for: lxrun's wake-ups of this tracer are no signals of its own */
	struct timespec ts = {0, 100 * 1000 * 1000};
	say("nanosleep: %s\n", err(nanosleep(&ts, NULL)));
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	siginfo_t si;
	say("getsiginfo: %s\n", err(ptrace(PTRACE_GETSIGINFO, pid, 0, &si)));
	say("listen not seized: %s\n", err(ptrace(PTRACE_LISTEN, pid, 0, 0)));
	say("poke dr0 1: %s\n", err(ptrace(PTRACE_POKEUSER, pid, DR(0), (void *)1)));
	say("poke dr7 1: %s\n", err(ptrace(PTRACE_POKEUSER, pid, DR(7), (void *)1)));
	say("poke dr0 2: %s\n", err(ptrace(PTRACE_POKEUSER, pid, DR(0), (void *)2)));
	errno = 0;
	long v = ptrace(PTRACE_PEEKUSER, pid, DR(0), 0);
	say("peek dr0: %ld %s\n", v, errno ? strerror(errno) : "ok");
	say("poke dr0 kernel: %s\n",
	    err(ptrace(PTRACE_POKEUSER, pid, DR(0), (void *)0xffff800000000000ul)));
	say("poke dr4: %s\n", err(ptrace(PTRACE_POKEUSER, pid, DR(4), (void *)1)));
	say("poke dr7 io: %s\n", err(ptrace(PTRACE_POKEUSER, pid, DR(7), (void *)0x20001ul)));
	say("poke dr7 0: %s\n", err(ptrace(PTRACE_POKEUSER, pid, DR(7), 0)));
	say("cont: %s\n", err(ptrace(PTRACE_CONT, pid, 0, 0)));
	st = wait_for(pid, 0);
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	say("stop: %s siginfo signo %d code %d\n", status_str(st), si.si_signo, si.si_code);
	say("detach: %s\n", err(ptrace(PTRACE_DETACH, pid, 0, 0)));
	/* a wait meanwhile (for another child) leaves the detached one stopped */
	pid_t other = fork();
	if (other == 0) {
		usleep(100000);
		_exit(0);
	}
	wait_for(other, 0);
	say("state after detach: %c\n", task_state(pid));
	kill(pid, SIGCONT);
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));

	pid = stopped_child();
	say("seize: %s\n", err(ptrace(PTRACE_SEIZE, pid, 0, 0)));
	st = wait_for(pid, 0);
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	say("stop: %s siginfo signo %d code %#x\n", status_str(st), si.si_signo, si.si_code);
	say("listen: %s\n", err(ptrace(PTRACE_LISTEN, pid, 0, 0)));
	say("getregs listening: %s\n", err(ptrace(PTRACE_GETREGS, pid, 0, &regs)));
	usleep(50000);
	say("wnohang: %d\n", waitpid(pid, &st, WNOHANG));
	kill(pid, SIGCONT);
	st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	say("cont: %s\n", err(ptrace(PTRACE_CONT, pid, 0, 0)));
	st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	say("listen at a signal stop: %s\n", err(ptrace(PTRACE_LISTEN, pid, 0, 0)));
	say("cont: ");
	long r = ptrace(PTRACE_CONT, pid, 0, (void *)SIGCONT); /* the child's line comes first */
	st = wait_for(pid, 0);
	say("%s\nend: %s\n", err(r), status_str(st));

	/* a SIGSTOP from another process to a tracee blocked in read: its signal-delivery stop */
	int p[2];
	if (pipe(p) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		char c;
		close(p[1]);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		ssize_t n = read(p[0], &c, 1);
		printf("child: read %zd\n", n);
		_exit(3);
	}
	close(p[0]);
	usleep(50000);
	pid_t k = fork();
	if (k == 0) {
		kill(pid, SIGSTOP);
		_exit(0);
	}
	waitpid(k, NULL, 0);
	st = wait_for(pid, 0);
	memset(&si, 0, sizeof(si));
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	say("stop: %s siginfo signo %d code %d\n", status_str(st), si.si_signo, si.si_code);
	say("cont: %s\n", err(ptrace(PTRACE_CONT, pid, 0, 0)));
	if (write(p[1], "x", 1) != 1)
		say("write failed\n");
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
	close(p[1]);
}

/* 12. PTRACE_O_TRACEVFORKDONE: the parent's stop once its vfork child let it go; the registers
 * at the exit stop (PTRACE_O_TRACEEXIT) are those of the exit call. */
static void case_vfork(void)
{
	say("== vfork\n");
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		pid_t g = vfork();
		if (g == 0)
			_exit(8);
		int st;
		waitpid(g, &st, 0);
		printf("child: vfork child %s\n", status_str(st));
		syscall(SYS_exit_group, 2);
	}
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(PTRACE_O_TRACEVFORKDONE | PTRACE_O_TRACEEXIT));
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("vfork done stop: %s\n", status_str(st));
	unsigned long msg = 0;
	ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
	struct user_regs_struct r;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	say("eventmsg is a pid: %d; rax %lld; orig_rax is vfork: %d\n", msg > 1,
	    (long long)r.rax == (long long)msg ? 0 : r.rax, r.orig_rax == SYS_vfork);
	/* the vfork child's SIGCHLD: a stop too, passed on */
	say("cont: ");
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	while (WIFSTOPPED(st) && WSTOPSIG(st) == SIGCHLD) {
		ptrace(PTRACE_CONT, pid, 0, (void *)SIGCHLD);
		st = wait_for(pid, 0);
	}
	say("exit stop: %s\n", status_str(st));
	memset(&r, 0, sizeof(r));
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	say("exit regs: orig_rax %lld rax %lld rdi %lld rip set %d rsp set %d\n", r.orig_rax,
	    r.rax, r.rdi, r.rip != 0, r.rsp != 0);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
}

/* 13. NT_X86_XSTATE at a signal-delivery stop (not under emulate, whose CPU has no XSAVE). */
static void case_xstate(void)
{
	say("== xstate\n");
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		_exit(0);
	}
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	struct user_fpregs_struct fp;
	memset(&fp, 0, sizeof(fp));
	ptrace(PTRACE_GETFPREGS, pid, 0, &fp);
	xstate(pid, &fp);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* 7. TRACECLONE: a new thread is traced from its birth; its end is reported with __WALL. */
static void case_thread(void)
{
	say("== thread\n");
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		kill(getpid(), SIGSTOP);
		pthread_t th;
		pthread_create(&th, NULL, thread_fn, NULL);
		pthread_join(th, NULL);
		printf("child: joined\n");
		_exit(0);
	}
	int st = wait_for(pid, 0);
	say("stop: %s\n", status_str(st));
	ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)PTRACE_O_TRACECLONE);
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("clone stop: %s\n", status_str(st));
	unsigned long tid = 0;
	ptrace(PTRACE_GETEVENTMSG, pid, 0, &tid);
	say("thread is another task: %d\n", tid != (unsigned long)pid && tid != 0);
	st = wait_for((pid_t)tid, __WALL);
	say("thread stop: %s\n", status_str(st));
	ptrace(PTRACE_CONT, (pid_t)tid, 0, 0);
	st = wait_for((pid_t)tid, __WALL);
	say("thread end: %s\n", status_str(st));
	ptrace(PTRACE_CONT, pid, 0, 0);
	st = wait_for(pid, 0);
	say("end: %s\n", status_str(st));
}

/* Is name in the comma-separated list? */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t probe = fork();
	if (probe == 0) {
		_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 ? 77 : 0);
	}
	int st;
	waitpid(probe, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) == 77) {
		fprintf(stderr, "ptrace is refused on this host: skipped\n");
		return 77;
	}
	const char *only = argc > 1 ? argv[1] : NULL;
	struct {
		const char *name;
		void (*fn)(void);
	} cases[] = {{"traceme", case_traceme}, {"syscalls", case_syscalls},
		     {"signals", case_signals},  {"exec", case_exec},
		     {"attach", case_attach},    {"fork", case_fork},
		     {"thread", case_thread},    {"step", case_step},
		     {"interrupt", case_interrupt}, {"ignored", case_ignored},
		     {"stopped", case_stopped},  {"vfork", case_vfork},
		     {"xstate", case_xstate}};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		/* NAME: that case only; -NAME[,NAME...]: every case but those */
		if (!only || (only[0] == '-' ? !listed(only + 1, cases[i].name)
					     : !strcmp(only, cases[i].name)))
			cases[i].fn();
	return 0;
}
