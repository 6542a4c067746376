/* SPDX-License-Identifier: MIT */
/* Feeds abi/ structs and LINUX_SYS_* numbers to the real kernel; compares with what glibc says. */
#include "abi/linux_fcntl.h"
#include "abi/linux_ioctl.h"
#include "abi/linux_misc.h"
#include "abi/linux_resource.h"
#include "abi/linux_signal.h"
#include "abi/linux_stat.h"
#include "abi/linux_utsname.h"
#include "abi/syscalls.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

static long raw(long nr, long a, long b, long c, long d)
{
	return syscall(nr, a, b, c, d);
}

Test(native, fstat_fills_linux_stat)
{
	struct linux_stat ls;
	struct stat st;
	int fd = open("/proc/self/exe", O_RDONLY);

	cr_assert_geq(fd, 0);
	memset(&ls, 0xa5, sizeof(ls));
	cr_assert_eq(raw(LINUX_SYS_fstat, fd, (long)&ls, 0, 0), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_expect_eq(ls.st_dev, st.st_dev);
	cr_expect_eq(ls.st_ino, st.st_ino);
	cr_expect_eq(ls.st_nlink, st.st_nlink);
	cr_expect_eq(ls.st_mode, st.st_mode);
	cr_expect_eq(ls.st_uid, st.st_uid);
	cr_expect_eq(ls.st_size, st.st_size);
	cr_expect_eq(ls.st_blocks, st.st_blocks);
	cr_expect_eq(ls.st_mtime_sec, (uint64_t)st.st_mtim.tv_sec);
	cr_expect_eq(ls.st_mtime_nsec, (uint64_t)st.st_mtim.tv_nsec);
	close(fd);
}

Test(native, statx_fills_linux_statx)
{
	struct linux_statx sx;
	struct stat st;

	memset(&sx, 0, sizeof(sx));
	cr_assert_eq(syscall(LINUX_SYS_statx, LINUX_AT_FDCWD, "/proc/self/exe", 0,
			     LINUX_STATX_BASIC_STATS, &sx),
		     0);
	cr_assert_eq(stat("/proc/self/exe", &st), 0);
	cr_expect_eq(sx.stx_mask & LINUX_STATX_BASIC_STATS, LINUX_STATX_BASIC_STATS);
	cr_expect_eq(sx.stx_ino, st.st_ino);
	cr_expect_eq(sx.stx_size, (uint64_t)st.st_size);
	cr_expect_eq(sx.stx_mode, st.st_mode);
	cr_expect_eq(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	cr_expect_eq(sx.stx_mtime.tv_nsec, (uint32_t)st.st_mtim.tv_nsec);
}

Test(native, getdents64_records_parse)
{
	char dir[] = "/tmp/lxrun-abi-XXXXXX";
	char path[64], buf[4096];
	int found = 0;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/regular", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/subdir", dir);
	cr_assert_eq(mkdir(path, 0700), 0);

	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	long n = raw(LINUX_SYS_getdents64, fd, (long)buf, sizeof(buf), 0);

	cr_assert_gt(n, 0);
	for (long off = 0; off < n;) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
		struct stat st;

		cr_assert_geq(d->d_reclen, offsetof(struct linux_dirent64, d_name) + 2);
		cr_expect_eq(d->d_reclen % 8, 0);
		cr_assert_eq(fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW), 0, "%s", d->d_name);
		cr_expect_eq(d->d_ino, st.st_ino, "%s", d->d_name);
		if (strcmp(d->d_name, "regular") == 0) {
			cr_expect_eq(d->d_type, LINUX_DT_REG);
			found++;
		} else if (strcmp(d->d_name, "subdir") == 0) {
			cr_expect_eq(d->d_type, LINUX_DT_DIR);
			found++;
		}
		off += d->d_reclen;
	}
	cr_expect_eq(found, 2);
	close(fd);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/regular", dir);
	unlink(path);
	rmdir(dir);
}

Test(native, uname_and_sysinfo_and_rlimit)
{
	struct linux_utsname lu;
	struct utsname u;
	struct linux_sysinfo lsi;
	struct sysinfo si;
	struct linux_rlimit lr;
	struct rlimit r;

	cr_assert_eq(raw(LINUX_SYS_uname, (long)&lu, 0, 0, 0), 0);
	cr_assert_eq(uname(&u), 0);
	cr_expect_str_eq(lu.sysname, u.sysname);
	cr_expect_str_eq(lu.release, u.release);
	cr_expect_str_eq(lu.machine, u.machine);
	cr_expect_str_eq(lu.domainname, u.domainname);

	cr_assert_eq(raw(LINUX_SYS_sysinfo, (long)&lsi, 0, 0, 0), 0);
	cr_assert_eq(sysinfo(&si), 0);
	cr_expect_eq(lsi.mem_unit, si.mem_unit);
	cr_expect_eq(lsi.totalram, si.totalram);
	cr_expect_eq(lsi.totalswap, si.totalswap);

	cr_assert_eq(raw(LINUX_SYS_prlimit64, 0, LINUX_RLIMIT_NOFILE, 0, (long)&lr), 0);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &r), 0);
	cr_expect_eq(lr.rlim_cur, r.rlim_cur);
	cr_expect_eq(lr.rlim_max, r.rlim_max);
}

Test(native, tcgets_fills_linux_termios)
{
	struct linux_termios lt;
	struct termios t;
	int fd = posix_openpt(O_RDWR | O_NOCTTY);

	if (fd < 0)
		cr_skip_test("no /dev/ptmx");
	memset(&lt, 0, sizeof(lt));
	cr_assert_eq(raw(LINUX_SYS_ioctl, fd, LINUX_TCGETS, (long)&lt, 0), 0);
	cr_assert_eq(tcgetattr(fd, &t), 0);
	cr_expect_eq(lt.c_iflag, t.c_iflag);
	cr_expect_eq(lt.c_oflag, t.c_oflag);
	cr_expect_eq(lt.c_cflag, t.c_cflag);
	cr_expect_eq(lt.c_lflag, t.c_lflag);
	cr_expect_eq(lt.c_cc[LINUX_VMIN], t.c_cc[VMIN]);
	cr_expect_eq(lt.c_cc[LINUX_VINTR], t.c_cc[VINTR]);
	cr_expect_eq(lt.c_cc[LINUX_VEOL2], t.c_cc[VEOL2]);
	close(fd);
}

/* What the handler saw, checked after it returns (Criterion asserts are not signal-safe). */
static struct {
	void *info;
	void *uc;
	struct linux_siginfo si;
	struct linux_ucontext luc;
	uint64_t retaddr;
	uint64_t glibc_rip;
	uint64_t glibc_rsp;
	uint32_t fp_magic1;
	uint64_t fpstate_glibc;
} seen;

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
	seen.info = info;
	seen.uc = uc;
	memcpy(&seen.si, info, sizeof(seen.si));
	memcpy(&seen.luc, uc, sizeof(seen.luc));
	/* The handler's return address is the frame's pretcode, 8 bytes below the ucontext. */
	memcpy(&seen.retaddr, (char *)uc - 8, 8);
	seen.glibc_rip = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
	seen.glibc_rsp = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
	seen.fpstate_glibc = (uint64_t)((ucontext_t *)uc)->uc_mcontext.fpregs;
	if (seen.luc.uc_mcontext.fpstate)
		seen.fp_magic1 =
			((struct linux_fpstate *)seen.luc.uc_mcontext.fpstate)->sw_reserved.magic1;
}

Test(native, rt_sigframe_matches_layout)
{
	static char altstack[64 * 1024];
	struct sigaction sa = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	struct linux_sigaction ka;
	stack_t alt = {.ss_sp = altstack, .ss_size = sizeof(altstack)};

	cr_assert_eq(sigaltstack(&alt, NULL), 0);
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	cr_assert_eq(raw(LINUX_SYS_rt_sigaction, LINUX_SIGUSR1, 0, (long)&ka, LINUX_SIGSET_SIZE),
		     0);
	cr_expect_eq(ka.handler, (uint64_t)on_usr1);
	cr_expect(ka.flags & LINUX_SA_SIGINFO);
	cr_expect(ka.flags & LINUX_SA_RESTORER, "glibc always installs a restorer");
	cr_expect(ka.mask & LINUX_SIGBIT(LINUX_SIGUSR2));
	cr_expect_not(ka.mask & LINUX_SIGBIT(LINUX_SIGUSR1));

	cr_assert_eq(raise(SIGUSR1), 0);
	cr_assert_not_null(seen.uc, "handler did not run");

	/* rt_sigframe: pretcode, then ucontext, then siginfo right after it. */
	cr_expect_eq((char *)seen.info, (char *)seen.uc + sizeof(struct linux_ucontext));
	cr_expect_eq(seen.retaddr, ka.restorer);
	cr_expect_eq(seen.si.si_signo, LINUX_SIGUSR1);
	cr_expect_eq(seen.si.si_code, LINUX_SI_TKILL);
	cr_expect_eq(seen.si.fields.kill.pid, getpid());
	cr_expect_eq(seen.si.fields.kill.uid, getuid());
	cr_expect_eq(seen.luc.uc_mcontext.rip, seen.glibc_rip);
	cr_expect_eq(seen.luc.uc_mcontext.rsp, seen.glibc_rsp);
	cr_expect_eq(seen.luc.uc_mcontext.fpstate, seen.fpstate_glibc);
	cr_expect_neq(seen.luc.uc_mcontext.fpstate, 0);
	/* The frame sits on the alternate stack and records it (ss_flags holds the raw flags). */
	cr_expect((char *)seen.uc > altstack && (char *)seen.uc < altstack + sizeof(altstack));
	cr_expect_eq(seen.luc.uc_stack.ss_sp, (uint64_t)altstack);
	cr_expect_eq(seen.luc.uc_stack.ss_size, sizeof(altstack));
	/* The mask in the frame is the one to restore: SIGUSR1 was not blocked before. */
	cr_expect_not(seen.luc.uc_sigmask & LINUX_SIGBIT(LINUX_SIGUSR1));
	if (seen.luc.uc_flags & LINUX_UC_FP_XSTATE)
		cr_expect_eq(seen.fp_magic1, LINUX_FP_XSTATE_MAGIC1);
}

Test(native, sigaltstack_round_trip)
{
	static char stack[LINUX_SIGSTKSZ];
	stack_t ss = {.ss_sp = stack, .ss_size = sizeof(stack)};
	struct linux_stack_t ls;

	cr_assert_eq(sigaltstack(&ss, NULL), 0);
	cr_assert_eq(raw(LINUX_SYS_sigaltstack, 0, (long)&ls, 0, 0), 0);
	cr_expect_eq(ls.ss_sp, (uint64_t)stack);
	cr_expect_eq(ls.ss_size, sizeof(stack));
	cr_expect_eq(ls.ss_flags, 0);
}
