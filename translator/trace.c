/* SPDX-License-Identifier: MIT */
/* strace-style formatting of guest syscalls. */
#include "translator/trace.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "abi/linux_errno.h"
#include "abi/syscalls.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"

#define STR_MAX 32 /* strace's default -s */

/*
 * The trace is lxrun's output, not the guest's, but it is written by the guest's host process,
 * under the guest's RLIMIT_FSIZE: sshd's pre-auth child sets it to 0, and its next trace line
 * to a file made the kernel send SIGXFSZ, which killed the guest. Writes to the trace hold
 * SIGXFSZ blocked; one past the limit fails with EFBIG (that text is lost) and the SIGXFSZ it
 * raised is taken back before the mask is restored (one already pending is the guest's).
 */
struct trace_mask {
	sigset_t old;
	int was_pending;
};

static void trace_hold(struct trace_mask *m)
{
	sigset_t xfsz, pending;
	sigemptyset(&xfsz);
	sigaddset(&xfsz, SIGXFSZ);
	pthread_sigmask(SIG_BLOCK, &xfsz, &m->old);
	m->was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ);
}

static void trace_release(const struct trace_mask *m)
{
	sigset_t xfsz, pending;
	const struct timespec now = {0, 0};
	sigemptyset(&xfsz);
	sigaddset(&xfsz, SIGXFSZ);
	if (!m->was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGXFSZ))
		sigtimedwait(&xfsz, NULL, &now);
	pthread_sigmask(SIG_SETMASK, &m->old, NULL);
}

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

struct flag_name {
	uint64_t bit;
	const char *name;
};

/* Print v as NAME|NAME|0x.. from the table (zero: zero_name). */
static void put_flags(FILE *o, uint64_t v, const struct flag_name *t, size_t n, const char *zero_name)
{
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if ((v & t[i].bit) == t[i].bit) {
			fprintf(o, "%s%s", any++ ? "|" : "", t[i].name);
			v &= ~t[i].bit;
		}
	if (v)
		fprintf(o, "%s%#llx", any ? "|" : "", (unsigned long long)v);
	else if (!any)
		fputs(zero_name, o);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct flag_name open_flags[] = {
	{020000000 | 0200000, "O_TMPFILE"}, {0100, "O_CREAT"}, {0200, "O_EXCL"}, {0400, "O_NOCTTY"},
	{01000, "O_TRUNC"}, {02000, "O_APPEND"}, {04000, "O_NONBLOCK"}, {04010000, "O_SYNC"},
	{010000, "O_DSYNC"}, {040000, "O_DIRECT"}, {0100000, "O_LARGEFILE"},
	{0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"}, {01000000, "O_NOATIME"},
	{02000000, "O_CLOEXEC"}, {010000000, "O_PATH"},
};
static const struct flag_name prot_flags[] = {{1, "PROT_READ"}, {2, "PROT_WRITE"}, {4, "PROT_EXEC"}};
static const struct flag_name map_flags[] = {
	{0x10, "MAP_FIXED"}, {0x20, "MAP_ANONYMOUS"}, {0x100, "MAP_GROWSDOWN"}, {0x800, "MAP_DENYWRITE"},
	{0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"}, {0x4000, "MAP_NORESERVE"},
	{0x8000, "MAP_POPULATE"}, {0x10000, "MAP_NONBLOCK"}, {0x20000, "MAP_STACK"},
	{0x40000, "MAP_HUGETLB"}, {0x100000, "MAP_FIXED_NOREPLACE"},
};
static const struct flag_name at_flags[] = {
	{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x400, "AT_SYMLINK_FOLLOW"},
	{0x800, "AT_NO_AUTOMOUNT"}, {0x1000, "AT_EMPTY_PATH"},
};

static void put_argv(FILE *o, uint64_t v)
{
	if (!v) {
		fputs("NULL", o);
		return;
	}
	fputc('[', o);
	for (int i = 0; i < 32; i++) {
		uint64_t p;
		if (guest_copy_in(&p, v + 8 * (uint64_t)i, 8) < 0) {
			fputs("...", o);
			break;
		}
		if (!p)
			break;
		if (i)
			fputs(", ", o);
		put_str(o, p, 0, 1);
	}
	fputc(']', o);
}

static void put_arg(FILE *o, char kind, uint64_t v, uint64_t next, long ret, int done)
{
	switch (kind) {
	case 'o': {
		static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
		fputs(acc[v & 3], o);
		if (v & ~3ull) {
			fputc('|', o);
			put_flags(o, v & ~3ull, open_flags, N(open_flags), "");
		}
		break;
	}
	case 'P':
		put_flags(o, v, prot_flags, N(prot_flags), "PROT_NONE");
		break;
	case 'M': {
		static const char *const type[] = {"0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"};
		fputs(type[v & 3], o);
		if (v & ~0xfull) {
			fputc('|', o);
			put_flags(o, v & ~0xfull, map_flags, N(map_flags), "");
		}
		break;
	}
	case 'a':
		put_flags(o, v, at_flags, N(at_flags), "0");
		break;
	case 'v':
		put_argv(o, v);
		break;
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
	case 'S': {
		const char *nm = (int)v > 0 && (int)v < 65 ? sigabbrev_np((int)v) : NULL;
		if (nm)
			fprintf(o, "SIG%s", nm);
		else
			fprintf(o, "%d", (int)v);
		break;
	}
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
		struct trace_mask m;
		trace_hold(&m);
		put_call(lx_proc.trace, sc, 0, 0);
		fputs(") = ?\n", lx_proc.trace);
		fflush(lx_proc.trace);
		trace_release(&m);
	}
}

void lx_trace_exit(struct lx_syscall *sc, long r)
{
	FILE *o = lx_proc.trace;
	struct trace_mask m;
	trace_hold(&m);
	put_call(o, sc, r, 1);
	if (r < 0 && r >= -LINUX_MAX_ERRNO) {
		const char *name = strerrorname_np((int)-r);
		fprintf(o, ") = -1 %s (%s)\n", name ? name : "E?", strerror((int)-r));
	} else if (sc->nr == LINUX_SYS_mmap || sc->nr == LINUX_SYS_brk || sc->nr == LINUX_SYS_mremap) {
		fprintf(o, ") = %#lx\n", r);
	} else {
		fprintf(o, ") = %ld\n", r);
	}
	trace_release(&m);
}

void lx_trace_unimplemented(struct lx_syscall *sc)
{
	if (!lx_proc.trace && !lx_proc.verbose)
		return;
	FILE *o = lx_proc.trace ? lx_proc.trace : stderr;
	const struct abi_syscall *row = abi_syscall(sc->nr);
	struct trace_mask m;
	trace_hold(&m);
	fprintf(o, "lxrun: %s (pid %d, %s): unimplemented syscall %ld (%s): ENOSYS\n",
		lx_proc.comm, lx_proc.pid, lx_proc.exe, sc->nr, row ? row->name : "unknown");
	trace_release(&m);
}

void lx_report_unsupported(struct lx_syscall *sc, const char *what, long err)
{
	static struct {
		long nr;
		const char *what;
	} seen[64];
	static unsigned nseen;

	if (!lx_proc.trace && !lx_proc.verbose)
		return;
	for (unsigned i = 0; i < nseen; i++)
		if (seen[i].nr == sc->nr && seen[i].what == what)
			return;
	if (nseen < sizeof(seen) / sizeof(seen[0]))
		seen[nseen++].nr = sc->nr, seen[nseen - 1].what = what;
	FILE *o = lx_proc.trace ? lx_proc.trace : stderr;
	const struct abi_syscall *row = abi_syscall(sc->nr);
	const char *en = err < 0 ? strerrorname_np((int)-err) : NULL;
	struct trace_mask m;
	trace_hold(&m);
	fprintf(o, "lxrun: %s (pid %d, %s): %s: unsupported %s: %s\n", lx_proc.comm, lx_proc.pid,
		lx_proc.exe, row ? row->name : "unknown", what, en ? en : "ignored");
	trace_release(&m);
}

void lx_trace_flush(void)
{
	if (lx_proc.trace) {
		struct trace_mask m;
		trace_hold(&m);
		fflush(lx_proc.trace);
		trace_release(&m);
	}
}
