/* SPDX-License-Identifier: MIT */
/* 10,000 signals to a busy multi-threaded process whose handler makes syscalls. A child sends
 * SIGUSR1 to the process and waits for the handler's acknowledgement before the next one, so
 * Linux delivers every single one: the count must be exact. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int ack[2];
static volatile long handled;
static volatile int stop;

static void on_usr1(int sig)
{
	(void)sig;
	int saved = errno;
	handled++;
	if (write(ack[1], "x", 1) != 1)
		_exit(90);
	errno = saved;
}

static void *busy(void *arg)
{
	double x = 1.0;
	long n = 0;
	while (!stop) {
		x = x * 1.000001 + 0.5;
		if (++n % 64 == 0)
			(void)getppid();
	}
	return (void *)(long)(x > 0);
}

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 10000;
	if (pipe(ack) < 0)
		return 91;
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, busy, NULL);
	pid_t parent = getpid(), child = fork();
	if (child == 0) {
		char c;
		for (int i = 0; i < count; i++) {
			if (kill(parent, SIGUSR1) < 0)
				_exit(92);
			while (read(ack[0], &c, 1) != 1)
				;
		}
		_exit(0);
	}
	int st;
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	printf("sent=%d handled=%ld child=%d\n", count, handled, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return handled == count ? 0 : 1;
}
