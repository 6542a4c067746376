/* SPDX-License-Identifier: MIT */
/* 8 threads meet each unpatched `mov $nr,%eax; syscall` site at once, while the first trap
 * there patches it: every call must still return the right value with xmm8 intact. Then a
 * read blocked in glibc's read() while another thread's read gets that site patched is
 * interrupted by an SA_RESTART signal: it must resume, restart and return the data. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 8
#define NSITES 24

/* One site per function, so each wave meets a fresh one; xmm8 carries a per-thread value
 * across the syscall. */
#define SITE(id, nr)                                                                       \
	static long site_##id(uint64_t v, uint64_t *back)                                 \
	{                                                                                  \
		long r;                                                                    \
		uint64_t o;                                                                \
		__asm__ volatile("movq %2, %%xmm8\n\tmov $" #nr ", %%eax\n\tsyscall\n\t"   \
				 "movq %%xmm8, %1"                                         \
				 : "=a"(r), "=r"(o)                                        \
				 : "r"(v)                                                  \
				 : "rcx", "r11", "xmm8", "memory");                        \
		*back = o;                                                                 \
		return r;                                                                  \
	}
#define NR_A 39	 /* getpid */
#define NR_B 110 /* getppid */
#define NR_C 186 /* gettid */
#define NR_D 102 /* getuid */
SITE(0, 39) SITE(1, 110) SITE(2, 186) SITE(3, 102) SITE(4, 39) SITE(5, 110) SITE(6, 186)
SITE(7, 102) SITE(8, 39) SITE(9, 110) SITE(10, 186) SITE(11, 102) SITE(12, 39) SITE(13, 110)
SITE(14, 186) SITE(15, 102) SITE(16, 39) SITE(17, 110) SITE(18, 186) SITE(19, 102)
SITE(20, 39) SITE(21, 110) SITE(22, 186) SITE(23, 102)

static long (*const sites[NSITES])(uint64_t, uint64_t *) = {
	site_0,	 site_1,  site_2,  site_3,  site_4,  site_5,  site_6,  site_7,
	site_8,	 site_9,  site_10, site_11, site_12, site_13, site_14, site_15,
	site_16, site_17, site_18, site_19, site_20, site_21, site_22, site_23,
};

static pthread_barrier_t wave;
static long pid, ppid, uid;
static int failures;

static void *worker(void *arg)
{
	long tid = syscall(SYS_gettid);
	uint64_t mine = 0x5a5a000000000000ull | (uint64_t)(uintptr_t)arg << 32 | (uint64_t)tid;
	int bad = 0;
	for (int w = 0; w < NSITES; w++) {
		pthread_barrier_wait(&wave); /* everyone hits site w for the first time together */
		for (int round = 0; round < 300; round++)
			for (int s = w; s >= 0; s--) {
				uint64_t back;
				long want = s % 4 == 0 ? pid : s % 4 == 1 ? ppid : s % 4 == 2 ? tid : uid;
				long got = sites[s](mine + (uint64_t)round, &back);
				if (got != want || back != mine + (uint64_t)round) {
					if (bad++ < 5)
						fprintf(stderr,
							"thread %ld site %d: got %ld want %ld, "
							"xmm8 %#llx want %#llx\n",
							(long)(uintptr_t)arg, s, got, want,
							(unsigned long long)back,
							(unsigned long long)(mine + (uint64_t)round));
				}
			}
	}
	__atomic_add_fetch(&failures, bad, __ATOMIC_RELAXED);
	return NULL;
}

static int pipe_a[2], pipe_b[2];
static volatile int reader_blocked;

static void on_usr1(int sig)
{
	(void)sig;
}

static void *blocked_reader(void *arg)
{
	char c = 0;
	(void)arg;
	reader_blocked = 1;
	/* glibc's read(): xor %eax,%eax; syscall; cmp (the site shape patched around the
	 * syscall); this thread sleeps in it while main's reads get it patched */
	long r = read(pipe_a[0], &c, 1);
	return (void *)(long)(r == 1 && c == 'a');
}

static int restart_across_patch(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(pipe_a) < 0 || pipe(pipe_b) < 0)
		return 1;
	pthread_t th;
	pthread_create(&th, NULL, blocked_reader, NULL);
	while (!reader_blocked)
		usleep(1000);
	usleep(20000);
	char c;
	for (int i = 0; i < 3; i++) /* the site's second trap patches it */
		if (write(pipe_b[1], "b", 1) != 1 || read(pipe_b[0], &c, 1) != 1)
			return 1;
	pthread_kill(th, SIGUSR1); /* the blocked read restarts, two bytes back */
	usleep(20000);
	if (write(pipe_a[1], "a", 1) != 1)
		return 1;
	void *ok;
	pthread_join(th, &ok);
	printf("rewrite_threads: read restarted across a patch: %s\n", ok ? "ok" : "WRONG");
	return ok ? 0 : 1;
}

int main(void)
{
	pid = getpid();
	ppid = getppid();
	uid = getuid();
	pthread_t th[NTHREADS];
	pthread_barrier_init(&wave, NULL, NTHREADS);
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i) != 0)
			return 2;
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	printf("rewrite_threads: %d threads x %d sites: %s\n", NTHREADS, NSITES,
	       failures ? "WRONG RESULTS" : "all right");
	return (failures ? 1 : 0) | restart_across_patch();
}
