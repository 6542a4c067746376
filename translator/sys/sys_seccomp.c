/* SPDX-License-Identifier: MIT */
/* seccomp: strict mode and classic-BPF filters, run on every guest syscall of a filtered thread. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_signal.h"
#include "abi/syscalls.h"
#include "translator/fastpath.h"
#include "translator/guest_mem.h"
#include "translator/signal_guest.h"
#include "translator/signal_host.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/thread.h"

#define AUDIT_ARCH_X86_64_NR 0xc000003eu
#define SECCOMP_DATA_SIZE 64
#define MAX_INSNS 4096
/* The kernel's limit on a thread's filters, counted as instructions plus 4 per filter. */
#define MAX_TOTAL_INSNS (1u << 18)

/*
 * A thread's filters: an immutable chain, newest first, shared by the threads and the forked
 * children that inherit it (never freed: a process installs a handful). strict marks mode 1.
 */
struct lx_seccomp {
	struct lx_seccomp *prev;
	unsigned len, total;
	int strict;
	struct sock_filter insns[];
};

/* What each instruction of a filter may be (the kernel's seccomp_check_filter set). */
static int insn_ok(const struct sock_filter *f, unsigned pc, unsigned len)
{
	uint16_t code = f->code;
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
		return f->k < SECCOMP_DATA_SIZE && !(f->k & 3);
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_NEG:
		return 1;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		return f->k < BPF_MEMWORDS;
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
		return f->k != 0;
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_X: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
		return 1;
	case BPF_JMP | BPF_JA:
		return f->k < len - pc - 1;
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return pc + 1 + f->jt < len && pc + 1 + f->jf < len;
	default:
		return 0;
	}
}

static uint32_t run_filter(const struct lx_seccomp *s, const uint32_t *data)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	for (unsigned pc = 0; pc < s->len; pc++) {
		const struct sock_filter *f = &s->insns[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			a = BPF_MODE(f->code) == BPF_ABS ? data[f->k / 4]
			    : BPF_MODE(f->code) == BPF_LEN ? SECCOMP_DATA_SIZE
			    : BPF_MODE(f->code) == BPF_MEM ? mem[f->k] : f->k;
			break;
		case BPF_LDX:
			x = BPF_MODE(f->code) == BPF_LEN ? SECCOMP_DATA_SIZE
			    : BPF_MODE(f->code) == BPF_MEM ? mem[f->k] : f->k;
			break;
		case BPF_ST:
			mem[f->k] = a;
			break;
		case BPF_STX:
			mem[f->k] = x;
			break;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV: if (!src) return 0; a /= src; break; /* the kernel's 0 */
			case BPF_MOD: if (!src) return 0; a %= src; break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			}
			break;
		case BPF_JMP: {
			int taken;
			switch (BPF_OP(f->code)) {
			case BPF_JA: pc += f->k; continue;
			case BPF_JEQ: taken = a == src; break;
			case BPF_JGT: taken = a > src; break;
			case BPF_JGE: taken = a >= src; break;
			default: taken = (a & src) != 0; break; /* BPF_JSET */
			}
			pc += taken ? f->jt : f->jf;
			break;
		}
		}
	}
	return 0; /* unreachable: a checked filter ends in a return */
}

/* The action of every filter for this call, the most restrictive first (as signed values). */
static uint32_t filters_run(const struct lx_seccomp *s, const struct lx_syscall *sc)
{
	uint32_t data[SECCOMP_DATA_SIZE / 4];
	uint64_t ip = sc->regs ? sc->regs->rip : 0;
	data[0] = (uint32_t)sc->nr;
	data[1] = AUDIT_ARCH_X86_64_NR;
	data[2] = (uint32_t)ip;
	data[3] = (uint32_t)(ip >> 32);
	for (int i = 0; i < 6; i++) {
		data[4 + 2 * i] = (uint32_t)sc->a[i];
		data[5 + 2 * i] = (uint32_t)(sc->a[i] >> 32);
	}
	uint32_t ret = SECCOMP_RET_ALLOW;
	for (; s; s = s->prev) {
		uint32_t r = run_filter(s, data);
		if ((int32_t)(r & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
			ret = r;
	}
	return ret;
}

static __attribute__((noreturn)) void kill_thread(struct lx_thread *t, int sig)
{
	if (lx_nthreads <= 1)
		lx_die_by_signal(sig);
	lx_thread_exit(t);
}

int lx_seccomp_check(struct lx_syscall *sc, long *result)
{
	const struct lx_seccomp *s = sc->t->seccomp;
	if (s->strict) {
		if (sc->nr == LINUX_SYS_read || sc->nr == LINUX_SYS_write ||
		    sc->nr == LINUX_SYS_exit || sc->nr == LINUX_SYS_rt_sigreturn)
			return 0;
		lx_die_by_signal(SIGKILL);
	}
	uint32_t r = filters_run(s, sc);
	uint32_t data = r & SECCOMP_RET_DATA;
	switch (r & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return 0;
	case SECCOMP_RET_ERRNO:
		*result = -(long)(data > LINUX_MAX_ERRNO ? LINUX_MAX_ERRNO : data);
		return 1;
	case SECCOMP_RET_TRAP: {
		struct linux_siginfo si;
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGSYS;
		si.si_errno = (int32_t)data;
		si.si_code = 1; /* SYS_SECCOMP */
		uint64_t addr = sc->regs ? sc->regs->rip : 0;
		uint32_t nr = (uint32_t)sc->nr, arch = AUDIT_ARCH_X86_64_NR;
		memcpy((char *)&si + 16, &addr, 8); /* si_call_addr */
		memcpy((char *)&si + 24, &nr, 4);   /* si_syscall */
		memcpy((char *)&si + 28, &arch, 4); /* si_arch */
		lx_signal_queue(sc->t, SIGSYS, &si);
		/* Linux rolls the registers back for the handler: rax is the syscall number. */
		*result = sc->nr;
		return 1;
	}
	case SECCOMP_RET_TRACE:       /* no tracer */
	case SECCOMP_RET_USER_NOTIF:  /* no listener */
		*result = -LINUX_ENOSYS;
		return 1;
	case SECCOMP_RET_KILL_THREAD:
		kill_thread(sc->t, SIGSYS);
	default: /* SECCOMP_RET_KILL_PROCESS and unknown actions */
		lx_die_by_signal(SIGSYS);
	}
}

/* Filters turn every syscall of the thread into a dispatched one: no TLS-free shortcut. */
static void install(struct lx_thread *t, struct lx_seccomp *s, int all_threads)
{
	lx_fastpath_init(0, 0);
	if (!all_threads) {
		t->seccomp = s;
		return;
	}
	lx_threads_lock();
	for (struct lx_thread *o = lx_threads; o; o = o->next)
		o->seccomp = s;
	lx_threads_unlock();
}

static int may_filter(void)
{
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return 1;
	/* CAP_SYS_ADMIN (21) in the effective set */
	struct { uint32_t version; int pid; } hdr = {0x20080522, 0};
	struct { uint32_t eff, perm, inh; } d[2];
	if (syscall(SYS_capget, &hdr, d) < 0)
		return 0;
	return (d[0].eff >> 21) & 1;
}

static long set_filter(struct lx_syscall *sc, unsigned flags, uint64_t uprog)
{
	struct lx_thread *t = sc->t;
	if (flags & ~(unsigned)(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
				SECCOMP_FILTER_FLAG_SPEC_ALLOW))
		return -LINUX_EINVAL;
	struct { uint16_t len; uint16_t pad[3]; uint64_t filter; } prog;
	if (guest_copy_in(&prog, uprog, sizeof(prog)) < 0)
		return -LINUX_EFAULT;
	if (prog.len == 0 || prog.len > MAX_INSNS)
		return -LINUX_EINVAL;
	if (!may_filter())
		return -LINUX_EACCES;
	struct lx_seccomp *s = malloc(sizeof(*s) + prog.len * sizeof(struct sock_filter));
	if (!s)
		return -LINUX_ENOMEM;
	if (guest_copy_in(s->insns, prog.filter, prog.len * sizeof(struct sock_filter)) < 0) {
		free(s);
		return -LINUX_EFAULT;
	}
	s->len = prog.len;
	s->strict = 0;
	for (unsigned pc = 0; pc < s->len; pc++)
		if (!insn_ok(&s->insns[pc], pc, s->len)) {
			free(s);
			return -LINUX_EINVAL;
		}
	if (BPF_CLASS(s->insns[s->len - 1].code) != BPF_RET) {
		free(s);
		return -LINUX_EINVAL;
	}
	s->prev = t->seccomp;
	s->total = s->len + 4 + (s->prev ? s->prev->total : 0);
	if (s->total > MAX_TOTAL_INSNS) {
		free(s);
		return -LINUX_ENOMEM;
	}
	install(t, s, !!(flags & SECCOMP_FILTER_FLAG_TSYNC));
	return 0;
}

static long set_strict(struct lx_thread *t)
{
	if (t->seccomp && !t->seccomp->strict)
		return -LINUX_EINVAL; /* a filtered thread cannot change mode */
	struct lx_seccomp *s = calloc(1, sizeof(*s));
	if (!s)
		return -LINUX_ENOMEM;
	s->strict = 1;
	install(t, s, 0);
	return 0;
}

LX_SYSCALL(seccomp)
{
	unsigned op = (unsigned)sc->a[0], flags = (unsigned)sc->a[1];
	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		if (flags || sc->a[2])
			return -LINUX_EINVAL;
		return set_strict(sc->t);
	case SECCOMP_SET_MODE_FILTER:
		if (sc->t->seccomp && sc->t->seccomp->strict)
			return -LINUX_EINVAL;
		return set_filter(sc, flags, sc->a[2]);
	case SECCOMP_GET_ACTION_AVAIL: {
		uint32_t action;
		if (flags)
			return -LINUX_EINVAL;
		if (guest_copy_in(&action, sc->a[2], sizeof(action)) < 0)
			return -LINUX_EFAULT;
		switch (action) {
		case SECCOMP_RET_KILL_PROCESS: case SECCOMP_RET_KILL_THREAD:
		case SECCOMP_RET_TRAP: case SECCOMP_RET_ERRNO: case SECCOMP_RET_TRACE:
		case SECCOMP_RET_LOG: case SECCOMP_RET_ALLOW:
			return 0;
		default: /* SECCOMP_RET_USER_NOTIF too: no listeners here */
			return -LINUX_EOPNOTSUPP;
		}
	}
	default: /* SECCOMP_GET_NOTIF_SIZES: user notification is not implemented */
		return -LINUX_EINVAL;
	}
}

long lx_seccomp_prctl(struct lx_syscall *sc)
{
	if ((int)sc->a[0] == PR_GET_SECCOMP)
		return !sc->t->seccomp ? 0 : sc->t->seccomp->strict ? 1 : 2;
	/* PR_SET_SECCOMP */
	if (sc->a[1] == SECCOMP_MODE_STRICT)
		return set_strict(sc->t);
	if (sc->a[1] == SECCOMP_MODE_FILTER) {
		if (sc->t->seccomp && sc->t->seccomp->strict)
			return -LINUX_EINVAL;
		return set_filter(sc, 0, sc->a[2]);
	}
	return -LINUX_EINVAL;
}

/* execve keeps the filters: lxrun re-executes itself, so they travel in the exec state as
 * "seccomp=S" (S: 's' for strict, or one hex run per filter, oldest first, '.'-separated). */
int lx_seccomp_export(const struct lx_thread *t, char **out)
{
	const struct lx_seccomp *s = t->seccomp;
	size_t need = 1;
	unsigned n = 0;
	if (s)
		need += 9;
	for (const struct lx_seccomp *p = s; p; p = p->prev, n++)
		need += p->len * sizeof(struct sock_filter) * 2 + 1;
	char *buf = *out = malloc(need);
	if (!buf)
		return -LINUX_ENOMEM;
	size_t k = s ? (size_t)snprintf(buf, need, ";seccomp=") : 0;
	while (n--) {
		/* oldest first: the n-th from the newest */
		const struct lx_seccomp *p = s;
		for (unsigned i = 0; i < n; i++)
			p = p->prev;
		if (p->strict) {
			buf[k++] = 's';
		} else {
			const uint8_t *b = (const uint8_t *)p->insns;
			for (size_t i = 0; i < p->len * sizeof(struct sock_filter); i++)
				k += (size_t)snprintf(buf + k, need - k, "%02x", b[i]);
		}
		if (n)
			buf[k++] = '.';
	}
	buf[k] = 0;
	return 0;
}

int lx_seccomp_import(struct lx_seccomp **chain, const char *state)
{
	const char *p = strstr(state, "seccomp=");
	if (!p)
		return 0;
	p += 8;
	while (*p && *p != ';') {
		size_t hex = strcspn(p, ".;");
		if (*p == 's') {
			struct lx_seccomp *s = calloc(1, sizeof(*s));
			if (!s)
				return -LINUX_ENOMEM;
			s->strict = 1;
			s->prev = *chain;
			*chain = s;
		} else {
			unsigned len = (unsigned)(hex / 2 / sizeof(struct sock_filter));
			struct lx_seccomp *s = malloc(sizeof(*s) + len * sizeof(struct sock_filter));
			if (!s || !len)
				return -LINUX_EINVAL;
			uint8_t *b = (uint8_t *)s->insns;
			for (size_t i = 0; i < len * sizeof(struct sock_filter); i++) {
				unsigned v;
				if (sscanf(p + 2 * i, "%2x", &v) != 1)
					return -LINUX_EINVAL;
				b[i] = (uint8_t)v;
			}
			s->len = len;
			s->strict = 0;
			s->prev = *chain;
			s->total = len + 4 + (s->prev ? s->prev->total : 0);
			*chain = s;
		}
		p += hex;
		if (*p == '.')
			p++;
	}
	if (*chain)
		lx_fastpath_init(0, 0);
	return 0;
}

void lx_seccomp_status(const struct lx_seccomp *s, int *mode, int *filters)
{
	*mode = !s ? 0 : s->strict ? 1 : 2;
	*filters = 0;
	for (; s; s = s->prev)
		*filters += !s->strict;
}
