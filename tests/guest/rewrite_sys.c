/* SPDX-License-Identifier: MIT */
/*
 * The rewrite engine's SYS-shaped sites (rewrite_sys.S): each gets hot and is patched; results,
 * errors and the instruction after the syscall must stay right, from four threads at once, for
 * a jump straight to that instruction, and for a blocking call interrupted by signals with and
 * without SA_RESTART. Natively this is plain Linux; the output is compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

long sys_cmp(long nr, long a1, long a2, long a3);
long sys_cmp_jump(long v);
long sys_mov(long nr, long a1);
long sys_rip(long nr);
long sys_short(long nr);
extern long sys_last;

#define ROUNDS 4000
static int bad;

static void expect(int ok, const char *what, long got, long want)
{
	if (!ok && bad++ < 20)
		printf("MISMATCH %s: %ld, expected %ld\n", what, got, want);
}

static void *hammer(void *arg)
{
	long pid = getpid(), tid = syscall(SYS_gettid);
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		long r = sys_cmp(SYS_gettid, 0, 0, 0);
		expect(r == tid, "sys_cmp(gettid)", r, tid);
		r = sys_mov(SYS_getpid, 0);
		expect(r == pid, "sys_mov(getpid)", r, pid);
		r = sys_cmp(SYS_close, -1, 0, 0);
		expect(r == -EBADF, "sys_cmp(close(-1))", r, -EBADF);
	}
	return NULL;
}

static volatile sig_atomic_t handled;
static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

struct reader {
	int fd;
	long r;
	volatile int done;
	char buf[16];
};

static void *reader(void *arg)
{
	struct reader *rd = arg;
	rd->r = sys_cmp(SYS_read, rd->fd, (long)rd->buf, sizeof(rd->buf));
	rd->done = 1;
	return NULL;
}

/* A read blocked at a patched SYS site, interrupted n times; the result it returns. */
static long blocked_read(int restart, int n)
{
	int p[2];
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(p) < 0)
		return -1000;
	struct reader rd = {.fd = p[0]};
	pthread_t t;
	handled = 0;
	pthread_create(&t, NULL, reader, &rd);
	/* with SA_RESTART: n signals, then data; without: signals until the read gives up
	 * (a signal that comes before the read has begun is handled and the read goes on) */
	for (int i = 0; restart ? i < n : !rd.done && i < 500; i++) {
		usleep(20000);
		if (!rd.done)
			pthread_kill(t, SIGUSR1);
	}
	usleep(20000);
	if (write(p[1], "hello", 5) != 5)
		return -1001;
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
	return rd.r;
}

int main(void)
{
	long pid = getpid(), ppid = getppid();
	for (int i = 0; i < ROUNDS; i++) {
		long r = sys_rip(SYS_getppid);
		expect(r == ppid && sys_last == ppid, "sys_rip(getppid)", sys_last, ppid);
		r = sys_short(SYS_getpid);
		expect(r == pid, "sys_short(getpid)", r, pid);
		r = sys_cmp_jump(i);
		expect(r == i, "sys_cmp_jump", r, i);
	}
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < ROUNDS; i++) {
		long r = sys_cmp_jump(-i);
		expect(r == -i, "sys_cmp_jump after threads", r, -i);
	}
	/* glibc's read() is an XOR site; this static binary at 0x400000 has no room for the XOR
	 * stub 16 MiB below it, so it becomes a SYS site (its cmp is the instruction moved) */
	int z = open("/dev/zero", O_RDONLY);
	long sum = 0;
	for (int i = 0; i < ROUNDS; i++) {
		char b[8] = {1, 1, 1, 1, 1, 1, 1, 1};
		long n = read(z, b, sizeof(b));
		expect(n == 8 && b[0] == 0 && b[7] == 0, "read(/dev/zero)", n, 8);
		sum += n;
	}
	close(z);
	printf("read /dev/zero %d times: %ld bytes\n", ROUNDS, sum);
	long r = blocked_read(1, 3);
	printf("read with SA_RESTART after 3 signals: %ld, handler ran %d times\n", r, (int)handled);
	r = blocked_read(0, 1);
	printf("read without SA_RESTART, signalled: %s, handler ran %s\n",
	       r == -EINTR ? "EINTR" : r == 5 ? "5 bytes" : "other", handled ? "yes" : "no");
	printf("rewrite_sys: %s\n", bad ? "MISMATCH" : "all results right");
	return bad ? 1 : 0;
}
