/* SPDX-License-Identifier: MIT */
/* --stats: how many syscalls the guest made, by number and by trap path, printed at exit. */
#ifndef LXRUN_TRANSLATOR_STATS_H
#define LXRUN_TRANSLATOR_STATS_H

/* Non-zero once lx_stats_enable() ran; everything below is a no-op until then. */
extern int lx_stats_on;

void lx_stats_enable(void);

/* One syscall served (lx_syscall_entry), whatever the engine. */
void lx_stats_count(long nr);
static inline void lx_stats_syscall(long nr)
{
	if (__builtin_expect(lx_stats_on, 0))
		lx_stats_count(nr);
}

/* One of those came through a patched site (the rest were SUD traps). */
void lx_stats_patched_call(void);
/* A syscall site was examined: patched (1) or left on SUD (0). */
void lx_stats_site(int patched);
/* A site counted as left on SUD was patched after all (it got hot). */
void lx_stats_site_promoted(void);
/* A thread met a site while it was being patched and was sent back to its start. */
void lx_stats_restart(void);

/* Print the block to the host's stderr (the guest is exiting). Idempotent per process. */
void lx_stats_report(void);

#endif
