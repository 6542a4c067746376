/* SPDX-License-Identifier: MIT */
/* Translate-mode start-up: process state, engine, loader, first entry into the guest. */
#include "translator/translator.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/prctl.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_auxv.h"
#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "loader/loader.h"
#include "translator/engine/engine.h"
#include "translator/fastpath.h"
#include "translator/stats.h"
#include "translator/exec.h"
#include "translator/mapper.h"
#include "translator/meta.h"
#include "translator/sys/hostadmin.h"
#include "translator/mm.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/thread.h"
#include "translator/sys/sys.h"
#include "translator/signal_guest.h"
#include "translator/guest_mem.h"
#include "translator/ptrace.h"
#include "translator/vfs/vfs.h"

struct lx_process lx_proc;
static char o_root[4096];

/* Host fd fd becomes the guest's fd of the same number (a copy: lxrun's own stays). */
static int inherit_fd(struct lx_fdtable *t, int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return 0; /* closed in the parent: closed in the guest too */
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (h < 0)
		return lx_errno(errno);
	struct lx_file *f = lx_host_file_new(h, (unsigned)fl & ~(unsigned)O_CLOEXEC, NULL);
	if (!f) {
		close(h);
		return -LINUX_ENOMEM;
	}
	int r = lx_fd_install_at(t, fd, f, 0);
	lx_file_put(f);
	return r < 0 ? r : 0;
}

/* The guest inherits what a program started in lxrun's place would: fds 0-2 (copies, so lxrun
 * keeps its own stderr for diagnostics) and every other fd its parent left open without
 * close-on-exec (`lxrun prog 3<file`, a make jobserver's pipe, LISTEN_FDS). lxrun's own fds
 * at this point are all close-on-exec. */
static int stdio_init(struct lx_fdtable *t, unsigned closed)
{
	for (int fd = 0; fd < 3; fd++) {
		if (closed & (1u << fd))
			continue;
		int r = inherit_fd(t, fd);
		if (r < 0)
			return r;
	}
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	int own = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || fd < 3 || fd == own || fd >= t->limit)
			continue;
		int fdfl = fcntl((int)fd, F_GETFD);
		if (fdfl < 0 || (fdfl & FD_CLOEXEC))
			continue;
		int r = inherit_fd(t, (int)fd);
		if (r < 0) {
			closedir(d);
			return r;
		}
		close((int)fd); /* the guest's copy is the one; the number is free on the host */
	}
	closedir(d);
	return 0;
}

static int process_init(const struct lx_run_opts *o)
{
	static struct lx_fdtable fds;
	lx_proc.pid = getpid();
	lx_proc.umask = umask(022);
	umask(lx_proc.umask);
	lx_proc.trace = o->trace;
	lx_proc.verbose = o->verbose;
	lx_proc.vdso = getauxval(AT_SYSINFO_EHDR);
	if (o->root) {
		/* the directory's own path, read from an fd (a re-executed lxrun whose guest
		 * dropped root gets the root as /proc/self/fd/N: no path walk it may lack
		 * permission for) */
		int rfd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", rfd);
		ssize_t n = rfd < 0 ? -1 : readlink(link, o_root, sizeof(o_root) - 1);
		int e = errno;
		if (rfd >= 0)
			close(rfd);
		if (n < 0)
			return lx_errno(e);
		o_root[n] = 0;
	}
	if (strcmp(o_root, "/") != 0)
		snprintf(lx_proc.root_host, sizeof(lx_proc.root_host), "%s", o_root);
	mm_init();
	mapper_record_vdso();
	int r = vfs_init(o->root);
	if (r < 0)
		return r;
	int passed_fd;
	if (o->root && sscanf(o->root, "/proc/self/fd/%d", &passed_fd) == 1 && passed_fd > 2)
		close(passed_fd); /* exec.c's copy of the root: vfs_init has its own now */
	if (o->host_mount && o->root && (r = vfs_mount_host(o->host_mount)) < 0)
		return r;
	if (o->host_mount && o->root) {
		snprintf(lx_proc.host_mount, sizeof(lx_proc.host_mount), "%s", o->host_mount);
		/* a distro run by a normal user keeps owners, modes and devices in xattrs */
		lx_meta_on = geteuid() != 0;
	}
	if (o->meta)
		lx_meta_on = 1;
	if (o->tmpfs && (r = vfs_mount_tmpfs(o->tmpfs)) < 0)
		return r;
	lx_hostadmin_init(o->contain);
	r = lx_fdtable_init(&fds);
	if (r < 0)
		return r;
	lx_proc.fds = &fds;
	lx_pub_init(&fds);
	lx_fd_limit_init(&fds, -1, -1); /* execve's state may set the guest's own below */
	if (o->root)
		snprintf(lx_proc.root, sizeof(lx_proc.root), "%s", o->root);
	lx_proc.engine_name = o->engine ? o->engine : "sud";
	if (o->exec_cwd && strcmp(o->exec_cwd, vfs_cwd()) != 0)
		vfs_chdir(LINUX_AT_FDCWD, o->exec_cwd);
	if (o->exec_state)
		return lx_exec_restore(o->exec_state);
	return stdio_init(&fds, o->stdio_closed);
}

/* /proc/self/exe from the loaded file's path, when its mapping has no name. */
static void record_exe_path(const char *loaded)
{
	char host[4096];
	if (!realpath(loaded, host)) {
		/* realpath needs every directory above to be searchable (a user's program below
		 * a mode-700 parent), the kernel's getcwd does not: an absolute path either way
		 * (glibc's static start asserts that /proc/self/exe is one) */
		size_t cl = 0, pl = strlen(loaded);
		if (loaded[0] != '/' && getcwd(host, sizeof(host)) && host[0] == '/' &&
		    (cl = strlen(host)) + 1 + pl < sizeof(host)) {
			host[cl] = '/';
			memcpy(host + cl + 1, loaded, pl + 1);
		} else {
			snprintf(host, sizeof(host), "%s", loaded);
		}
		vfs_normalize(host);
	}
	const char *g = host;
	size_t rl = vfs_confined() ? strlen(o_root) : 0;
	if (rl && !strncmp(host, o_root, rl) && (host[rl] == '/' || !host[rl]))
		g = host[rl] ? host + rl : "/";
	snprintf(lx_proc.exe, sizeof(lx_proc.exe), "%s", g);
}

/* What /proc/self/{exe,cmdline,environ,comm} report: read back from the built stack. */
static void record_image(const struct loader_result *res, const char *path)
{
	/* The program's mapping is named by the kernel's path of its fd (mapper.c), the
	 * canonical path /proc/self/exe shows, already relative to --root: no walk again. */
	int named = 0;
	mm_lock();
	size_t nv;
	for (const struct lx_vma *m = mm_list_from(res->prog.start, &nv);
	     nv && m->start < res->prog.end; m++, nv--) {
		if (m->name && m->name[0] == '/') {
			snprintf(lx_proc.exe, sizeof(lx_proc.exe), "%s", m->name);
			named = 1;
			break;
		}
	}
	mm_unlock();
	if (!named)
		record_exe_path(res->path);
	const char *base = strrchr(path, '/');
	snprintf(lx_proc.comm, sizeof(lx_proc.comm), "%s", base ? base + 1 : path);

	uint64_t argc = 0, p;
	guest_copy_in(&argc, res->sp, 8);
	uint64_t v = res->sp + 8;
	for (int pass = 0; pass < 2; pass++) {
		uint64_t first = 0, last = 0;
		for (;; v += 8) {
			if (guest_copy_in(&p, v, 8) < 0 || !p)
				break;
			if (!first)
				first = p;
			last = p;
		}
		v += 8;
		uint64_t end = last;
		if (last) {
			char tmp[4096];
			long n = guest_strncpy_in(tmp, last, sizeof(tmp));
			end = last + (uint64_t)(n < 0 ? 0 : n) + 1;
		}
		if (pass == 0) {
			lx_proc.argv_start = first;
			lx_proc.argv_end = end;
		} else {
			lx_proc.env_start = first;
			lx_proc.env_end = end;
		}
	}
}

/*
 * What other processes read of this one in the host's /proc (ps, pgrep, pkill, killall, a
 * guest's own ps: lxrun's procfs passes other pids to the host): the guest's name, and its
 * argv and environment as the guest stack holds them, not lxrun's command line (a re-executed
 * lxrun's is "lxrun --exec-state=... -- PROGRAM ARGS" and its name "exe"). PR_SET_MM_MAP needs
 * no privilege for these fields (CONFIG_CHECKPOINT_RESTORE); the others are given back as they
 * are, from /proc/self/stat and brk(0), read with no allocation in between (malloc could move
 * brk). /proc/PID/exe stays lxrun's binary: it is mapped, so the kernel will not replace it.
 */
static void host_show_guest(void)
{
	prctl(PR_SET_NAME, lx_proc.comm);
	if (!lx_proc.argv_start || !lx_proc.env_start)
		return;
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	unsigned long long f[53] = {0};
	for (int i = 3; p && i <= 52; i++) {
		p = strchr(p, ' ');
		if (p)
			f[i] = strtoull(++p, NULL, 10);
	}
	if (!p)
		return;
	struct prctl_mm_map m = {
		.start_code = f[26], .end_code = f[27], .start_data = f[45], .end_data = f[46],
		.start_brk = f[47], .brk = (uint64_t)syscall(SYS_brk, 0), .start_stack = f[28],
		.arg_start = lx_proc.argv_start, .arg_end = lx_proc.argv_end,
		.env_start = lx_proc.env_start, .env_end = lx_proc.env_end,
		.auxv = (__u64 *)lx_proc.auxv, .auxv_size = (uint32_t)lx_proc.auxv_len,
		.exe_fd = (uint32_t)-1,
	};
	/* the guest's auxv too (a core dump's NT_AUXV: where a debugger finds the program's
	 * headers and entry); a kernel that wants fewer entries gets the rest without it */
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof(m), 0) < 0 && m.auxv) {
		m.auxv = NULL;
		m.auxv_size = 0;
		prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof(m), 0);
	}
}

int lx_run(const struct lx_run_opts *o, const char **why)
{
	const struct lx_engine *eng = lx_engine_find(o->engine ? o->engine : "sud");
	if (!eng) {
		*why = "unknown engine";
		return -LINUX_EINVAL;
	}
	if (o->engine && strcmp(o->engine, "auto") == 0) {
		const char *fallback = NULL;
		eng = lx_engine_auto(&fallback);
		/* once per run, not again at each guest execve (which passes auto on) */
		if (fallback && o->verbose && !o->exec_state)
			fprintf(stderr, "lxrun: engine auto: %s, so guest code runs on the emulate "
					"engine (Unicorn)\n", fallback);
	}
	int r = process_init(o);
	if (r < 0) {
		*why = r == -LINUX_ENOENT || r == -LINUX_ENOTDIR ? "root directory not found"
								  : "cannot set up the guest process";
		return r;
	}
	lx_proc.engine = eng;

	struct loader_options lo = {
		.open_path = vfs_loader_open,
		.stack_size = lx_exec_stack_size(),
		/* Emulated code calling the vDSO would read the TSC through Unicorn: the guest's
		 * libc makes real syscalls instead. */
		.vdso_base = eng == &lx_engine_emulate ? 0 : lx_proc.vdso,
		.hwcap = getauxval(AT_HWCAP),
		.hwcap2 = getauxval(AT_HWCAP2) & ~(uint64_t)LINUX_HWCAP2_FSGSBASE,
		.minsigstksz = getauxval(AT_MINSIGSTKSZ),
		.uid = getuid(),
		.euid = geteuid(),
		.gid = getgid(),
		.egid = getegid(),
	};
	static struct loader_result res;
	r = loader_exec(lx_translate_mapper(), &lo, o->path, o->argv, o->envp, &res, why);
	if (r < 0)
		return r;
	mm_map(res.stack_lo, res.stack_hi - res.stack_lo,
	       3 | (res.prog.exec_stack ? 4u : 0), LX_VMA_STACK | LX_VMA_GROWSDOWN, 0, 0, 0, NULL);

	record_image(&res, o->path);
	lx_pub_exe(lx_proc.exe);
	lx_proc.auxv = res.auxv;
	lx_proc.auxv_len = res.auxv_len;
	host_show_guest();
	lx_proc.brk_start = lx_proc.brk_cur = lx_proc.brk_mapped = res.prog.brk;

	uint64_t initial_mask = 0;
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &initial_mask, sizeof(initial_mask));
	r = eng->init(why);
	if (r < 0)
		return r;
	/* --trace and --stats see every syscall: no TLS-free shortcut then. */
	lx_fastpath_init(!lx_proc.trace && !lx_stats_on, eng == &lx_engine_sud);
	sig_inherit();
	struct lx_thread *t;
	r = lx_thread_init(&t, NULL);
	if (r < 0) {
		*why = "cannot set up the translator thread";
		return r;
	}
	/* The guest starts with the mask lxrun was started with (or its execve's). */
	t->sigmask = o->exec_state ? lx_exec_sigmask : initial_mask;
	if (o->exec_state && lx_exec_seccomp) {
		t->seccomp = lx_exec_seccomp;
		lx_fastpath_init(0, 0);
	}
	t->host_applied = ~0ull;
	lx_signal_sync_mask(t);
	lx_thread_register(t);
	t->ss_flags = 2; /* SS_DISABLE: no alternate stack */
	r = eng->thread_arm(t, why);
	if (r < 0)
		return r;

	lx_exec_close_late(); /* the program is in place: its close-on-exec fds close now */
	struct lx_regs regs = {.rsp = res.sp, .rip = res.entry, .rflags = 0x202};
	lx_ptrace_exec_start(t, &regs); /* a traced execve's stops */
	eng->run(t, &regs);
}
