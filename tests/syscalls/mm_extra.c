/* SPDX-License-Identifier: MIT */
/* mm_extra.c: coverage for mlock family, madvise variants, membarrier, mincore, process_vm_*, NUMA policy and pkeys. */
#include "check.h"

#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>

#define MEMBARRIER_CMD_QUERY 0
#define MEMBARRIER_CMD_GLOBAL 1
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED 8
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED 16
#define MPOL_DEFAULT 0
#define MPOL_BIND 2

static long page;

/* VmLck from /proc/self/status in kB: an independent view of what is locked. */
static long vm_locked_kb(void)
{
	char buf[4096], *p;

	if (check_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "VmLck:");
	return p ? strtol(p + 6, NULL, 10) : -1;
}

static void test_mlock(void)
{
	struct rlimit rl;
	char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long before = vm_locked_kb();
	unsigned char vec[4];

	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur < (rlim_t)(4 * page) && geteuid() != 0) {
		check_skip("mlock.ok", "RLIMIT_MEMLOCK below four pages");
		munmap(m, 4 * page);
		return;
	}
	CHECK_SYS("mlock.ok", mlock(m, 2 * page));
	CHECK_EQ("mlock.vmlck", vm_locked_kb() - before, 2 * page / 1024);
	mincore(m, 2 * page, vec);
	CHECK_EQ("mlock.populated", (vec[0] & 1) + (vec[1] & 1), 2);
	CHECK_SYS("mlock.unaligned_rounds", mlock(m + 2 * page + 10, 10));
	CHECK_EQ("mlock.unaligned_vmlck", vm_locked_kb() - before, 3 * page / 1024);
	CHECK_SYS("munlock.ok", munlock(m, 4 * page));
	CHECK_EQ("munlock.vmlck", vm_locked_kb(), before);
	CHECK_SYS("mlock2.onfault", syscall(SYS_mlock2, m, page, MLOCK_ONFAULT));
	CHECK_ERR("mlock2.bad_flags", syscall(SYS_mlock2, m, page, 0x10), EINVAL);
	munlock(m, page);
	CHECK_ERR("mlock.unmapped", mlock((void *)page, page), ENOMEM);
	CHECK_ERR("munlock.unmapped", munlock((void *)page, page), ENOMEM);
	CHECK_SYS("mlock.zero_len", mlock(m, 0));
	CHECK_ERR("mlockall.bad_flags", mlockall(0), EINVAL);
	CHECK_ERR("mlockall.onfault_alone", mlockall(MCL_ONFAULT), EINVAL);
	CHECK_SYS("munlockall.ok", munlockall());

	/* mlockall locks what /proc/self/maps lists, nothing more; then MCL_FUTURE locks a new
	 * mapping and munlockall unlocks everything (in a child: the locks are the process's) */
	if (geteuid() == 0) {
		pid_t pid = fork();

		if (pid == 0) {
			static char maps[1 << 17];
			unsigned long s, e, total = 0;
			char *line = maps, *m2;
			long base;

			check_read_file("/proc/self/maps", maps, sizeof(maps));
			while (line && sscanf(line, "%lx-%lx", &s, &e) == 2) {
				total += (e - s) / 1024;
				line = strchr(line, '\n');
				line = line ? line + 1 : NULL;
			}
			CHECK_SYS("mlockall.current_future", mlockall(MCL_CURRENT | MCL_FUTURE));
			base = vm_locked_kb();
			CHECK("mlockall.only_listed_maps", base > 0 && base <= (long)total + 64,
			      "VmLck %ld kB, maps %lu kB", base, total);
			m2 = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			CHECK("mlockall.future_locks_mmap",
			      m2 != MAP_FAILED && vm_locked_kb() - base == 4 * page / 1024,
			      "VmLck %ld -> %ld kB", base, vm_locked_kb());
			CHECK_SYS("munlockall.after_mlockall", munlockall());
			CHECK_EQ("munlockall.vmlck_zero", vm_locked_kb(), 0);
			check_child_exit();
		}
		check_wait_child("mlockall.child", pid, 0);
	}

	/* Beyond RLIMIT_MEMLOCK: ENOMEM (or EPERM with a zero limit) for a user. */
	{
		pid_t pid = check_fork_unprivileged();

		if (pid == 0) {
			struct rlimit one = {page, page};

			setrlimit(RLIMIT_MEMLOCK, &one);
			CHECK_ERR("mlock.over_rlimit", mlock(m, 3 * page), ENOMEM);
			CHECK_SYS("mlock.within_rlimit", mlock(m, page));
			check_child_exit();
		}
		check_wait_child("mlock.rlimit_child", pid, 0);
	}
	munmap(m, 4 * page);
}

static void test_madvise(void)
{
	char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *s = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned char vec[4];
	pid_t pid;

	memset(m, 'a', 4 * page);
	CHECK_SYS("madvise.dontneed", madvise(m, page, MADV_DONTNEED));
	CHECK_EQ("madvise.dontneed_zeroes", m[0], 0);
	CHECK_EQ("madvise.dontneed_others_kept", m[page], 'a');
	CHECK_SYS("madvise.free", madvise(m + page, page, MADV_FREE));
	CHECK_SYS("madvise.cold", madvise(m, 4 * page, MADV_COLD));
	CHECK_SYS("madvise.pageout", madvise(m + 3 * page, page, MADV_PAGEOUT));
	CHECK_EQ("madvise.pageout_content_kept", m[3 * page], 'a');
	CHECK_SYS("madvise.willneed", madvise(m, 4 * page, MADV_WILLNEED));
	CHECK_SYS("madvise.sequential", madvise(m, 4 * page, MADV_SEQUENTIAL));
	CHECK_SYS("madvise.random", madvise(m, 4 * page, MADV_RANDOM));
	CHECK_SYS("madvise.normal", madvise(m, 4 * page, MADV_NORMAL));
	/* Accepted when the kernel has transparent huge pages, EINVAL otherwise. */
	errno = 0;
	CHECK("madvise.nohugepage", madvise(m, 4 * page, MADV_NOHUGEPAGE) == 0 || errno == EINVAL,
	      "%s", check_errname(errno));
	CHECK_SYS("madvise.populate_write", madvise(m, 4 * page, MADV_POPULATE_WRITE));
	mincore(m, 4 * page, vec);
	CHECK_EQ("madvise.populated", (vec[0] & 1) + (vec[1] & 1) + (vec[2] & 1) + (vec[3] & 1), 4);

	/* MADV_DONTFORK: the range is absent in a child; MADV_WIPEONFORK: zero there. */
	CHECK_SYS("madvise.dontfork", madvise(m, page, MADV_DONTFORK));
	CHECK_SYS("madvise.wipeonfork", madvise(m + page, page, MADV_WIPEONFORK));
	m[page] = 'w';
	pid = fork();
	if (pid == 0) {
		unsigned char v;

		_exit((mincore(m, page, &v) == -1 && errno == ENOMEM ? 0 : 1) |
		      (m[page] == 0 ? 0 : 2) | (m[2 * page] == 'a' ? 0 : 4));
	}
	check_wait_child("madvise.fork_effects", pid, 0);
	CHECK_SYS("madvise.dofork", madvise(m, page, MADV_DOFORK));
	CHECK_SYS("madvise.keeponfork", madvise(m + page, page, MADV_KEEPONFORK));
	CHECK_ERR("madvise.wipeonfork_shared", madvise(s, page, MADV_WIPEONFORK), EINVAL);
	CHECK_SYS("madvise.remove_shared", madvise(s, page, MADV_REMOVE));
	CHECK_ERR("madvise.remove_private", madvise(m, page, MADV_REMOVE), EINVAL);
	CHECK_ERR("madvise.unaligned", madvise(m + 1, page, MADV_NORMAL), EINVAL);
	CHECK_ERR("madvise.bad_advice", madvise(m, page, 9999), EINVAL);
	CHECK_ERR("madvise.unmapped", madvise((void *)page, page, MADV_NORMAL), ENOMEM);
	CHECK_SYS("madvise.zero_len", madvise(m, 0, MADV_NORMAL));
	{
		struct iovec iov = {m, page};
		int pidfd = syscall(SYS_pidfd_open, getpid(), 0);

		CHECK_SYS("process_madvise.self", syscall(SYS_process_madvise, pidfd, &iov, 1,
							  MADV_COLD, 0));
		CHECK_ERR("process_madvise.bad_flags", syscall(SYS_process_madvise, pidfd, &iov, 1,
							       MADV_COLD, 1), EINVAL);
		close(pidfd);
		CHECK_ERR("process_madvise.ebadf", syscall(SYS_process_madvise, check_closed_fd(), &iov,
							   1, MADV_COLD, 0), EBADF);
	}
	munmap(m, 4 * page);
	munmap(s, page);
}

static void test_membarrier(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);

	CHECK("membarrier.query", cmds > 0 && (cmds & MEMBARRIER_CMD_GLOBAL) != 0, "cmds %ld %s",
	      cmds, check_errname(errno));
	CHECK_SYS("membarrier.global", syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0));
	CHECK_ERR("membarrier.unregistered", syscall(SYS_membarrier,
						     MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), EPERM);
	CHECK_SYS("membarrier.register", syscall(SYS_membarrier,
						 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
	CHECK_SYS("membarrier.private_expedited", syscall(SYS_membarrier,
							  MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
	/* SYNC_CORE: also only after this process registered it (an emulator patching code
	 * may have registered its host process: that is not the program's registration) */
	if (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE) {
		CHECK_ERR("membarrier.sync_core_unregistered",
			  syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0),
			  EPERM);
		CHECK_SYS("membarrier.sync_core_register",
			  syscall(SYS_membarrier,
				  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
		CHECK_SYS("membarrier.sync_core", syscall(SYS_membarrier,
			  MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
	} else {
		check_skip("membarrier.sync_core_unregistered", "no SYNC_CORE on this CPU/kernel");
	}
	CHECK_ERR("membarrier.bad_cmd", syscall(SYS_membarrier, 1 << 20, 0, 0), EINVAL);
	CHECK_ERR("membarrier.bad_flags", syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 1, 0),
		  EINVAL);
}

static void test_mincore_vm(void)
{
	char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static char target[32] = "process_vm target";
	char local[32] = "";
	struct iovec l = {local, 17}, r = {target, 17};
	unsigned char vec[3] = {0xff, 0xff, 0xff};

	m[page] = 1;
	CHECK_SYS("mincore.ok", mincore(m, 3 * page, vec));
	CHECK("mincore.residency", (vec[0] & 1) == 0 && (vec[1] & 1) == 1 && (vec[2] & 1) == 0,
	      "%x %x %x", vec[0], vec[1], vec[2]);
	CHECK_ERR("mincore.unaligned", mincore(m + 1, page, vec), EINVAL);
	CHECK_ERR("mincore.efault_vec", syscall(SYS_mincore, m, page, BADPTR), EFAULT);
	munmap(m + 2 * page, page);
	CHECK_ERR("mincore.hole_enomem", mincore(m, 3 * page, vec), ENOMEM);
	munmap(m, 2 * page);

	CHECK_EQ("process_vm_readv.self", process_vm_readv(getpid(), &l, 1, &r, 1, 0), 17);
	CHECK_STR("process_vm_readv.data", local, "process_vm target");
	memcpy(local, "written via vm!!!", 17);
	CHECK_EQ("process_vm_writev.self", process_vm_writev(getpid(), &l, 1, &r, 1, 0), 17);
	CHECK_STR("process_vm_writev.data", target, "written via vm!!!");
	CHECK_ERR("process_vm_readv.bad_flags", process_vm_readv(getpid(), &l, 1, &r, 1, 1),
		  EINVAL);
	CHECK_ERR("process_vm_readv.esrch", process_vm_readv(INT_MAX, &l, 1, &r, 1, 0), ESRCH);
	r.iov_base = (void *)page;
	CHECK_ERR("process_vm_readv.efault_remote", process_vm_readv(getpid(), &l, 1, &r, 1, 0),
		  EFAULT);
	CHECK_ERR("process_vm_writev.efault_iov", syscall(SYS_process_vm_writev, getpid(), BADPTR,
							  1, &r, 1, 0), EFAULT);
	{
		pid_t pid = check_fork_unprivileged();

		if (pid == 0) {
			r.iov_base = target;
			CHECK_ERR("process_vm_readv.eperm_init",
				  process_vm_readv(1, &l, 1, &r, 1, 0), EPERM);
			check_child_exit();
		}
		check_wait_child("process_vm_readv.eperm_child", pid, 0);
	}
}

static void test_numa_pkeys(void)
{
	unsigned long mask = 0, nodes = 1;
	int mode = -1;
	long key;
	char *m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK_SYS("get_mempolicy.self", syscall(SYS_get_mempolicy, &mode, &mask, 64, NULL, 0));
	CHECK_EQ("get_mempolicy.default", mode, MPOL_DEFAULT);
	CHECK_ERR("get_mempolicy.bad_flags", syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0x80),
		  EINVAL);
	CHECK_SYS("set_mempolicy.default", syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0));
	CHECK_ERR("set_mempolicy.bad_mode", syscall(SYS_set_mempolicy, 99, &nodes, 64), EINVAL);
	CHECK_ERR("set_mempolicy.bind_empty", syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 64),
		  EINVAL);
	CHECK_SYS("mbind.default", syscall(SYS_mbind, m, page, MPOL_DEFAULT, NULL, 0, 0));
	CHECK_ERR("mbind.unaligned", syscall(SYS_mbind, m + 1, page, MPOL_DEFAULT, NULL, 0, 0),
		  EINVAL);

	/* Protection keys: the CPU may lack them (ENOSPC/EINVAL); when present, they work. */
	key = syscall(SYS_pkey_alloc, 0, 0);
	if (key < 0) {
		CHECK("pkey_alloc.unsupported", errno == ENOSPC || errno == EINVAL, "%s",
		      check_errname(errno));
	} else {
		CHECK("pkey_alloc.ok", key > 0 && key < 16, "key %ld", key);
		CHECK_SYS("pkey_mprotect.ok", syscall(SYS_pkey_mprotect, m, page,
						      PROT_READ | PROT_WRITE, key));
		CHECK_SYS("pkey_free.ok", syscall(SYS_pkey_free, key));
		CHECK_ERR("pkey_free.twice", syscall(SYS_pkey_free, key), EINVAL);
	}
	CHECK_ERR("pkey_alloc.bad_flags", syscall(SYS_pkey_alloc, 1, 0), EINVAL);
	CHECK_ERR("pkey_mprotect.bad_key", syscall(SYS_pkey_mprotect, m, page, PROT_READ, 99),
		  EINVAL);
	CHECK_SYS("pkey_mprotect.default_key", syscall(SYS_pkey_mprotect, m, page, PROT_READ, -1));
	munmap(m, page);
}

static volatile char *uffd_page;

static void *uffd_toucher(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)uffd_page[5]; /* faults: resolved by the other thread */
}

/* /dev/userfaultfd (Linux 6.1): USERFAULTFD_IOC_NEW gives a userfaultfd (root: the node is
 * 0600 root's) */
static void test_dev_userfaultfd(void)
{
	struct uffdio_api api = {.api = UFFD_API};
	int dev, fd;

	if (geteuid() != 0 || access("/dev/userfaultfd", F_OK) != 0) {
		check_skip("ioctl.userfaultfd_ioc_new", "no /dev/userfaultfd, or not root");
		return;
	}
	dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	fd = ioctl(dev, 0xaa00, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	CHECK("ioctl.userfaultfd_ioc_new", fd >= 0 && fd != dev && fcntl(fd, F_GETFD) == FD_CLOEXEC,
	      "fd %d %s", fd, check_errname(errno));
	CHECK_SYS("ioctl.userfaultfd_new_api", ioctl(fd, UFFDIO_API, &api));
	close(fd);
	close(dev);
}

/* userfaultfd (user-mode faults only, which needs no privilege): the API handshake, a
 * registered page whose first touch by another thread arrives as a pagefault event, and
 * UFFDIO_COPY filling it. */
static void test_userfaultfd(void)
{
	struct uffdio_api api = {.api = UFFD_API};
	struct uffdio_register reg;
	struct uffdio_copy copy;
	struct uffd_msg msg;
	struct pollfd pfd;
	char *src = malloc(page);
	pthread_t th;
	void *got = NULL;
	int fd;

	CHECK_ERR("userfaultfd.bad_flags", syscall(SYS_userfaultfd, 0x10000000), EINVAL);
	fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | 1 /* UFFD_USER_MODE_ONLY */);
	if (!CHECK("userfaultfd.create", fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "%d %s", fd,
		   check_errname(errno)))
		return;
	CHECK_SYS("ioctl.uffdio_api", ioctl(fd, UFFDIO_API, &api));
	uffd_page = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg = (struct uffdio_register){{(uintptr_t)uffd_page, page}, UFFDIO_REGISTER_MODE_MISSING, 0};
	CHECK_SYS("ioctl.uffdio_register", ioctl(fd, UFFDIO_REGISTER, &reg));
	pthread_create(&th, NULL, uffd_toucher, NULL);
	pfd = (struct pollfd){fd, POLLIN, 0};
	CHECK_EQ("userfaultfd.poll_event", poll(&pfd, 1, 10000), 1);
	CHECK("userfaultfd.read_pagefault", read(fd, &msg, sizeof(msg)) == sizeof(msg) &&
	      msg.event == UFFD_EVENT_PAGEFAULT &&
	      (msg.arg.pagefault.address & ~(uint64_t)(page - 1)) == (uintptr_t)uffd_page,
	      "event %d %s", msg.event, check_errname(errno));
	memset(src, 'u', page);
	copy = (struct uffdio_copy){(uintptr_t)uffd_page, (uintptr_t)src, page, 0, 0};
	CHECK_SYS("ioctl.uffdio_copy", ioctl(fd, UFFDIO_COPY, &copy));
	pthread_join(th, &got);
	CHECK_EQ("userfaultfd.fault_resolved", (long)(uintptr_t)got, 'u');
	munmap((void *)uffd_page, page);
	free(src);
	close(fd);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_watchdog(30);
	page = sysconf(_SC_PAGESIZE);
	test_mlock();
	test_madvise();
	test_membarrier();
	test_mincore_vm();
	test_numa_pkeys();
	test_userfaultfd();
	test_dev_userfaultfd();
	return check_done();
}
