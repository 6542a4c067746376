/* SPDX-License-Identifier: MIT */
/* Translate-mode start-up: process state, engine, loader, first entry into the guest. */
#include "translator/translator.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_auxv.h"
#include "abi/linux_errno.h"
#include "loader/loader.h"
#include "translator/engine/engine.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/thread.h"

struct lx_process lx_proc;

/* The guest's fds 0-2 are copies of ours, so lxrun keeps its own stderr for diagnostics. */
static int stdio_init(struct lx_fdtable *t)
{
	for (int fd = 0; fd < 3; fd++) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			continue; /* closed in the parent: closed in the guest too */
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
		if (r < 0)
			return r;
	}
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
	int r = lx_fdtable_init(&fds);
	if (r < 0)
		return r;
	lx_proc.fds = &fds;
	return stdio_init(&fds);
}

int lx_run(const struct lx_run_opts *o, const char **why)
{
	const struct lx_engine *eng = lx_engine_find(o->engine ? o->engine : "sud");
	if (!eng) {
		*why = "unknown engine";
		return -LINUX_EINVAL;
	}
	int r = process_init(o);
	if (r < 0) {
		*why = "cannot set up the guest process";
		return r;
	}
	lx_proc.engine = eng;

	struct loader_options lo = {
		.vdso_base = lx_proc.vdso,
		.hwcap = getauxval(AT_HWCAP),
		.hwcap2 = getauxval(AT_HWCAP2) & ~(uint64_t)LINUX_HWCAP2_FSGSBASE,
		.minsigstksz = getauxval(AT_MINSIGSTKSZ),
		.uid = getuid(),
		.euid = geteuid(),
		.gid = getgid(),
		.egid = getegid(),
	};
	static struct loader_result res;
	r = loader_exec(loader_host_mapper(), &lo, o->path, o->argv, o->envp, &res, why);
	if (r < 0)
		return r;

	if (!realpath(res.path, lx_proc.exe))
		snprintf(lx_proc.exe, sizeof(lx_proc.exe), "%s", res.path);
	lx_proc.brk_start = lx_proc.brk_cur = lx_proc.brk_mapped = res.prog.brk;
	lx_proc.auxv = res.auxv;
	lx_proc.auxv_len = res.auxv_len;

	r = eng->init(why);
	if (r < 0)
		return r;
	struct lx_thread *t;
	r = lx_thread_init(&t, NULL);
	if (r < 0) {
		*why = "cannot set up the translator thread";
		return r;
	}
	r = eng->thread_arm(t, why);
	if (r < 0)
		return r;

	struct lx_regs regs = {.rsp = res.sp, .rip = res.entry, .rflags = 0x202};
	eng->run(t, &regs);
}
