/* SPDX-License-Identifier: MIT */
/* --stats counters: per-thread blocks (no shared cache line on the syscall path), summed at exit. */
#include "translator/stats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "abi/syscalls.h"

#define STATS_NR 512 /* numbers at or above it share the last bucket */
#define STATS_TOP 10

struct stats_block {
	uint64_t by_nr[STATS_NR + 1];
	uint64_t patched;
	struct stats_block *next;
};

int lx_stats_on;
static struct stats_block *blocks; /* every thread's, pushed once, never freed */
static __thread struct stats_block *mine;
static uint64_t sites_patched, sites_sud, restarts;
static int reported;

/* A fork child counts only its own syscalls; the patched sites it inherits stay counted. */
static void stats_atfork_child(void)
{
	for (struct stats_block *b = blocks; b; b = b->next) {
		for (unsigned i = 0; i <= STATS_NR; i++)
			b->by_nr[i] = 0;
		b->patched = 0;
	}
	reported = 0;
}

void lx_stats_enable(void)
{
	if (lx_stats_on)
		return;
	pthread_atfork(NULL, NULL, stats_atfork_child);
	lx_stats_on = 1;
}

static struct stats_block *block(void)
{
	struct stats_block *b = mine;
	if (b)
		return b;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->next = __atomic_load_n(&blocks, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&blocks, &b->next, b, 1, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
	mine = b;
	return b;
}

void lx_stats_count(long nr)
{
	struct stats_block *b = block();
	if (b)
		b->by_nr[(unsigned long)nr < STATS_NR ? (unsigned long)nr : STATS_NR]++;
}

void lx_stats_patched_call(void)
{
	if (!lx_stats_on)
		return;
	struct stats_block *b = block();
	if (b)
		b->patched++;
}

void lx_stats_site(int patched)
{
	__atomic_fetch_add(patched ? &sites_patched : &sites_sud, 1, __ATOMIC_RELAXED);
}

void lx_stats_site_promoted(void)
{
	__atomic_fetch_sub(&sites_sud, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sites_patched, 1, __ATOMIC_RELAXED);
}

void lx_stats_restart(void)
{
	__atomic_fetch_add(&restarts, 1, __ATOMIC_RELAXED);
}

static const char *stats_name(unsigned nr, char *buf, size_t len)
{
	const struct abi_syscall *s = nr < STATS_NR ? abi_syscall(nr) : NULL;
	if (s && s->name)
		return s->name;
	if (nr >= STATS_NR)
		return "(other numbers)";
	snprintf(buf, len, "syscall_%u", nr);
	return buf;
}

void lx_stats_report(void)
{
	if (!lx_stats_on || reported)
		return;
	reported = 1;
	uint64_t sum[STATS_NR + 1] = {0}, total = 0, patched = 0;
	for (struct stats_block *b = __atomic_load_n(&blocks, __ATOMIC_ACQUIRE); b; b = b->next) {
		for (unsigned i = 0; i <= STATS_NR; i++)
			sum[i] += b->by_nr[i];
		patched += b->patched;
	}
	for (unsigned i = 0; i <= STATS_NR; i++)
		total += sum[i];

	char out[2048];
	size_t n = 0;
	n += (size_t)snprintf(out + n, sizeof(out) - n,
			      "lxrun stats (pid %d): %llu syscalls, %llu through patched sites, "
			      "%llu through SUD traps\n"
			      "lxrun stats: %llu sites patched, %llu sites left on SUD, "
			      "%llu restarts at half-patched sites\n",
			      (int)getpid(), (unsigned long long)total,
			      (unsigned long long)patched, (unsigned long long)(total - patched),
			      (unsigned long long)sites_patched, (unsigned long long)sites_sud,
			      (unsigned long long)restarts);
	for (int k = 0; k < STATS_TOP; k++) {
		unsigned best = 0;
		for (unsigned i = 1; i <= STATS_NR; i++)
			if (sum[i] > sum[best])
				best = i;
		if (!sum[best])
			break;
		char buf[32];
		n += (size_t)snprintf(out + n, sizeof(out) - n, "lxrun stats: %12llu %s\n",
				      (unsigned long long)sum[best],
				      stats_name(best, buf, sizeof(buf)));
		sum[best] = 0;
		if (n >= sizeof(out))
			n = sizeof(out) - 1;
	}
	if (write(2, out, n) < 0) {
		/* the guest is exiting; nothing to do about a closed stderr */
	}
}
