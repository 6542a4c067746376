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
};

extern const struct lx_engine lx_engine_sud;
/* sud plus patching: syscall sites of known shapes are rewritten into jumps to stubs. */
extern const struct lx_engine lx_engine_rewrite;

/* Engine by name ("auto", "rewrite", "sud"), or NULL. */
const struct lx_engine *lx_engine_find(const char *name);
/* Names of all engines, NULL-terminated, for --help. */
extern const char *const lx_engine_names[];

#endif
