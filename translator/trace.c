/* SPDX-License-Identifier: MIT */
/* strace-style formatting of guest syscalls. */
#include "translator/trace.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "abi/linux_errno.h"
#include "abi/syscalls.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"

#define STR_MAX 32 /* strace's default -s */

static void put_str(FILE *o, uint64_t addr, long len, int nul_terminated)
{
	if (!addr) {
		fputs("NULL", o);
		return;
	}
	char buf[STR_MAX + 1];
	long n;
	int more = 0;
	if (nul_terminated) {
		char tmp[4096];
		n = guest_strncpy_in(tmp, addr, sizeof(tmp));
		if (n < 0) {
			fprintf(o, "%#llx", (unsigned long long)addr);
			return;
		}
		more = n > STR_MAX;
		if (more)
			n = STR_MAX;
		memcpy(buf, tmp, (size_t)n);
	} else {
		n = len < 0 ? 0 : len;
		more = n > STR_MAX;
		if (more)
			n = STR_MAX;
		if (guest_copy_in(buf, addr, (size_t)n) < 0) {
			fprintf(o, "%#llx", (unsigned long long)addr);
			return;
		}
	}
	fputc('"', o);
	for (long i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		switch (c) {
		case '"': fputs("\\\"", o); break;
		case '\\': fputs("\\\\", o); break;
		case '\n': fputs("\\n", o); break;
		case '\t': fputs("\\t", o); break;
		case '\r': fputs("\\r", o); break;
		default:
			if (isprint(c))
				fputc(c, o);
			else
				fprintf(o, "\\%o", c);
		}
	}
	fputc('"', o);
	if (more)
		fputs("...", o);
}

static void put_arg(FILE *o, char kind, uint64_t v, uint64_t next, long ret, int done)
{
	switch (kind) {
	case 'i':
		fprintf(o, "%d", (int)v);
		break;
	case 'f':
		if ((int)v == -100)
			fputs("AT_FDCWD", o);
		else
			fprintf(o, "%d", (int)v);
		break;
	case 'u':
		fprintf(o, "%llu", (unsigned long long)v);
		break;
	case 's':
		put_str(o, v, 0, 1);
		break;
	case 'b':
		put_str(o, v, (long)next, 0);
		break;
	case 'B':
		if (done && ret >= 0)
			put_str(o, v, ret, 0);
		else
			fprintf(o, "%#llx", (unsigned long long)v);
		break;
	case 'm':
		fprintf(o, "0%llo", (unsigned long long)v);
		break;
	case 'S':
		fprintf(o, "%d", (int)v);
		break;
	case 'p':
		if (!v) {
			fputs("NULL", o);
			break;
		}
		/* fall through */
	default:
		fprintf(o, "%#llx", (unsigned long long)v);
	}
}

static void put_call(FILE *o, struct lx_syscall *sc, long r, int done)
{
	const struct abi_syscall *row = abi_syscall(sc->nr);
	if (!row) {
		fprintf(o, "syscall_%#lx(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx", sc->nr,
			(unsigned long long)sc->a[0], (unsigned long long)sc->a[1],
			(unsigned long long)sc->a[2], (unsigned long long)sc->a[3],
			(unsigned long long)sc->a[4], (unsigned long long)sc->a[5]);
		return;
	}
	fprintf(o, "%s(", row->name);
	for (unsigned i = 0; i < row->arity && i < 6; i++) {
		if (i)
			fputs(", ", o);
		char kind = row->sig && row->sig[i] ? row->sig[i] : 'x';
		put_arg(o, kind, sc->a[i], i + 1 < 6 ? sc->a[i + 1] : 0, r, done);
	}
}

void lx_trace_enter(struct lx_syscall *sc)
{
	/* Calls that do not come back are printed before they run, as strace does. */
	if (sc->nr == LINUX_SYS_exit_group || sc->nr == LINUX_SYS_exit) {
		put_call(lx_proc.trace, sc, 0, 0);
		fputs(") = ?\n", lx_proc.trace);
		fflush(lx_proc.trace);
	}
}

void lx_trace_exit(struct lx_syscall *sc, long r)
{
	FILE *o = lx_proc.trace;
	put_call(o, sc, r, 1);
	if (r < 0 && r >= -LINUX_MAX_ERRNO) {
		const char *name = strerrorname_np((int)-r);
		fprintf(o, ") = -1 %s (%s)\n", name ? name : "E?", strerror((int)-r));
	} else if (sc->nr == LINUX_SYS_mmap || sc->nr == LINUX_SYS_brk || sc->nr == LINUX_SYS_mremap) {
		fprintf(o, ") = %#lx\n", r);
	} else {
		fprintf(o, ") = %ld\n", r);
	}
}

void lx_trace_unimplemented(struct lx_syscall *sc)
{
	if (!lx_proc.trace && !lx_proc.verbose)
		return;
	FILE *o = lx_proc.trace ? lx_proc.trace : stderr;
	const struct abi_syscall *row = abi_syscall(sc->nr);
	fprintf(o, "lxrun: unimplemented syscall %ld (%s): ENOSYS\n", sc->nr,
		row ? row->name : "unknown");
}

void lx_trace_flush(void)
{
	if (lx_proc.trace)
		fflush(lx_proc.trace);
}
