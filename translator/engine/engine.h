/* SPDX-License-Identifier: MIT */
/* Trap engines: how guest syscalls reach lx_dispatch (sud, rewrite, emulate). */
#ifndef LXRUN_TRANSLATOR_ENGINE_ENGINE_H
#define LXRUN_TRANSLATOR_ENGINE_ENGINE_H

struct lx_thread;
struct lx_regs;

struct lx_engine {
	const char *name;
	/* Process-wide set-up; 0 or a negative Linux errno with *why set. */
	int (*init)(const char **why);
	/* Arm trapping on the calling thread (engines are per thread, like SUD). */
	int (*thread_arm)(struct lx_thread *t, const char **why);
	/* Stop trapping on the calling thread (before a host execve: SUD survives it). */
	void (*thread_disarm)(struct lx_thread *t);
	/* Start running the guest on the calling thread; never returns. */
	void (*run)(struct lx_thread *t, const struct lx_regs *regs) __attribute__((noreturn));
	/* A guest thread other than the first ended; its host thread is about to (or NULL). */
	void (*thread_exit)(struct lx_thread *t);
};

extern const struct lx_engine lx_engine_sud;
/* sud plus patching: syscall sites of known shapes are rewritten into jumps to stubs. */
extern const struct lx_engine lx_engine_rewrite;
/* guest code on a Unicorn CPU (no SUD, no FSGSBASE needed): translator/engine/emulate.c */
extern const struct lx_engine lx_engine_emulate;

/* Engine by name ("auto", "emulate", "rewrite", "sud"), or NULL. auto is rewrite; lx_run
 * falls back to emulate when SUD is unavailable (lx_engine_auto). */
const struct lx_engine *lx_engine_find(const char *name);
/* Names of all engines, NULL-terminated, for --help. */
extern const char *const lx_engine_names[];
/* The engine auto stands for on this host: rewrite where SUD works, emulate elsewhere; *why
 * says why emulate was chosen. */
const struct lx_engine *lx_engine_auto(const char **why);

#endif
