/* SPDX-License-Identifier: MIT */
/* --trace: syscalls printed in strace's format, decoded from the signatures in syscalls.def. */
#ifndef LXRUN_TRANSLATOR_TRACE_H
#define LXRUN_TRANSLATOR_TRACE_H

struct lx_syscall;

/* Print "name(args" for calls that may not return, remember the call otherwise. */
void lx_trace_enter(struct lx_syscall *sc);
/* Print the whole line with the result "= r" or "= -1 ENAME (text)". */
void lx_trace_exit(struct lx_syscall *sc, long r);
/* One note per unknown syscall number (also without --trace when verbose). */
void lx_trace_unimplemented(struct lx_syscall *sc);
/* Under -v or --trace: one note per (syscall, what) that lxrun serves only in part, naming the
 * program, e.g. what = "CLONE_VM without CLONE_THREAD" and err the -errno returned. what must
 * be a string literal (it is remembered by address). */
void lx_report_unsupported(struct lx_syscall *sc, const char *what, long err);

/* Flush the trace stream (before the process dies). */
void lx_trace_flush(void);

#endif
