/* SPDX-License-Identifier: MIT */
/* mm.c: syscall coverage for mmap/mprotect/munmap/mremap/madvise/mincore/msync/brk. */
#include "check.h"

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static long pg;
static int dfd;

/*
 * maps_find: the /proc/self/maps line covering addr. Fills perms ("rw-p") and the bounds;
 * returns 0, or -1 if no mapping covers addr.
 */
static int maps_find(const void *addr, char perms[5], uintptr_t *start, uintptr_t *end)
{
	static char buf[1 << 17];
	uintptr_t a = (uintptr_t)addr, s, e;
	char *line, *save = NULL;

	if (check_read_file("/proc/self/maps", buf, sizeof(buf)) <= 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &s, &e, p) != 3)
			continue;
		if (a >= s && a < e) {
			memcpy(perms, p, 5);
			*start = s;
			*end = e;
			return 0;
		}
	}
	return -1;
}

static int mapped(const void *addr)
{
	unsigned char vec;

	/* mincore fails with ENOMEM exactly when the page is not mapped, without faulting. */
	return syscall(SYS_mincore, addr, pg, &vec) == 0;
}

static void test_anon(void)
{
	char *p, *q, perms[5] = "";
	uintptr_t s, e;
	int zero = 1;
	pid_t pid;

	p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap.anon_private", p != MAP_FAILED, "%s", check_errname(errno));
	CHECK_EQ("mmap.page_aligned", (uintptr_t)p % pg, 0);
	for (long i = 0; i < 4 * pg; i++)
		zero &= p[i] == 0;
	CHECK("mmap.anon_zeroed", zero, "nonzero byte in fresh mapping");
	p[0] = 'a';
	p[4 * pg - 1] = 'z';
	CHECK("mmap.anon_rw", p[0] == 'a' && p[4 * pg - 1] == 'z', "write lost");
	CHECK("mmap.in_maps", maps_find(p, perms, &s, &e) == 0 && !strcmp(perms, "rw-p"),
	      "perms \"%s\"", perms);

	CHECK_EQ("mprotect.read", mprotect(p + pg, pg, PROT_READ), 0);
	CHECK("mprotect.maps_shows_r",
	      maps_find(p + pg, perms, &s, &e) == 0 && !strcmp(perms, "r--p") &&
		      s == (uintptr_t)p + pg && e == (uintptr_t)p + 2 * pg,
	      "perms \"%s\" %lx-%lx", perms, s, e);
	CHECK_EQ("mprotect.none", mprotect(p + pg, pg, PROT_NONE), 0);
	CHECK("mprotect.maps_shows_none",
	      maps_find(p + pg, perms, &s, &e) == 0 && !strcmp(perms, "---p"), "perms \"%s\"",
	      perms);
	CHECK("mprotect.neighbour_kept",
	      maps_find(p, perms, &s, &e) == 0 && !strcmp(perms, "rw-p") && e == (uintptr_t)p + pg,
	      "perms \"%s\" end %lx", perms, e);
	CHECK_ERR("mprotect.unaligned", mprotect(p + 1, pg, PROT_READ), EINVAL);
	CHECK_ERR("mprotect.bad_prot", mprotect(p, pg, 0x100), EINVAL);

	/* Punching a hole leaves two mappings with the right contents on either side. */
	mprotect(p + pg, pg, PROT_READ | PROT_WRITE);
	CHECK_EQ("munmap.middle", munmap(p + pg, pg), 0);
	CHECK("munmap.hole", !mapped(p + pg) && mapped(p) && mapped(p + 2 * pg), "hole wrong");
	CHECK("munmap.split_maps",
	      maps_find(p, perms, &s, &e) == 0 && e == (uintptr_t)p + pg &&
		      maps_find(p + 2 * pg, perms, &s, &e) == 0 && s == (uintptr_t)p + 2 * pg,
	      "bounds %lx-%lx", s, e);
	CHECK("munmap.split_content", p[0] == 'a' && p[4 * pg - 1] == 'z', "content lost");
	CHECK_ERR("mprotect.unmapped_enomem", mprotect(p + pg, pg, PROT_READ), ENOMEM);
	CHECK_ERR("munmap.len_zero", munmap(p, 0), EINVAL);
	CHECK_ERR("munmap.unaligned", munmap(p + 1, pg), EINVAL);
	CHECK_EQ("munmap.unmapped_ok", munmap(p + pg, pg), 0);
	munmap(p, 4 * pg);
	CHECK("munmap.all", !mapped(p) && !mapped(p + 3 * pg), "still mapped");

	/* MAP_SHARED anonymous memory is one object across fork; MAP_PRIVATE is copied. */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	q = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK("mmap.anon_shared", p != MAP_FAILED && q != MAP_FAILED, "%s", check_errname(errno));
	CHECK("mmap.anon_shared_maps", maps_find(p, perms, &s, &e) == 0 && !strcmp(perms, "rw-s"),
	      "perms \"%s\"", perms);
	pid = fork();
	if (pid == 0) {
		p[0] = 'S';
		q[0] = 'P';
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	CHECK("mmap.shared_across_fork", p[0] == 'S', "got 0x%x", p[0]);
	CHECK("mmap.private_across_fork", q[0] == 0, "got 0x%x", q[0]);
	munmap(p, pg);
	munmap(q, pg);
}

static void test_file(void)
{
	char *p, buf[8];
	int fd, ro, wo, pfd[2];

	fd = openat(dfd, "m", O_CREAT | O_RDWR | O_TRUNC, 0644);
	ftruncate(fd, 2 * pg);
	pwrite(fd, "file", 4, 0);
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap.file_shared", p != MAP_FAILED && !memcmp(p, "file", 4), "%s",
	      check_errname(errno));
	memcpy(p + pg, "SHRD", 4);
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, 4, pg);
	CHECK_STR("mmap.shared_write_visible", buf, "SHRD");
	CHECK_EQ("msync.sync", msync(p, 2 * pg, MS_SYNC), 0);
	CHECK_ERR("msync.bad_flags", msync(p, pg, MS_SYNC | MS_ASYNC), EINVAL);
	pwrite(fd, "back", 4, 8);
	CHECK("mmap.shared_sees_write", !memcmp(p + 8, "back", 4), "got \"%.4s\"", p + 8);
	CHECK_EQ("madvise.dontneed_shared", madvise(p, pg, MADV_DONTNEED), 0);
	CHECK("madvise.dontneed_shared_keeps", !memcmp(p, "file", 4), "got \"%.4s\"", p);
	munmap(p, 2 * pg);
	CHECK_ERR("msync.unmapped", msync(p, pg, MS_SYNC), ENOMEM);

	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("mmap.file_private", p != MAP_FAILED && !memcmp(p, "file", 4), "%s",
	      check_errname(errno));
	memcpy(p, "PRIV", 4);
	pread(fd, buf, 4, 0);
	CHECK("mmap.private_write_hidden", !memcmp(buf, "file", 4), "file has \"%.4s\"", buf);
	munmap(p, pg);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
	CHECK("mmap.file_offset", p != MAP_FAILED && !memcmp(p, "SHRD", 4), "%s",
	      check_errname(errno));
	munmap(p, pg);
	CHECK("mmap.unaligned_offset",
	      mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 1) == MAP_FAILED && errno == EINVAL, "%s",
	      check_errname(errno));

	ro = openat(dfd, "m", O_RDONLY);
	wo = openat(dfd, "m", O_WRONLY);
	CHECK("mmap.wronly_eacces",
	      mmap(NULL, pg, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED && errno == EACCES, "%s",
	      check_errname(errno));
	CHECK("mmap.rdonly_shared_write_eacces",
	      mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
		      errno == EACCES,
	      "%s", check_errname(errno));
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	CHECK("mmap.rdonly_private_write_ok", p != MAP_FAILED, "%s", check_errname(errno));
	munmap(p, pg);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
	CHECK_ERR("mprotect.rdonly_shared_eacces", mprotect(p, pg, PROT_READ | PROT_WRITE), EACCES);
	munmap(p, pg);
	pipe(pfd);
	CHECK("mmap.pipe_enodev",
	      mmap(NULL, pg, PROT_READ, MAP_SHARED, pfd[0], 0) == MAP_FAILED && errno == ENODEV,
	      "%s", check_errname(errno));
	CHECK("mmap.ebadf",
	      mmap(NULL, pg, PROT_READ, MAP_SHARED, check_closed_fd(), 0) == MAP_FAILED &&
		      errno == EBADF,
	      "%s", check_errname(errno));
	close(pfd[0]);
	close(pfd[1]);
	close(ro);
	close(wo);
	close(fd);
}

static void test_flags(void)
{
	char *p, *q;
	int fd;

	CHECK("mmap.len_zero_ebadf_first",
	      mmap(NULL, 0, PROT_READ, MAP_SHARED, check_closed_fd(), 0) == MAP_FAILED &&
		      errno == EBADF,
	      "%s", check_errname(errno));
	CHECK("mmap.len_zero",
	      mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
		      errno == EINVAL,
	      "%s", check_errname(errno));
	CHECK("mmap.no_type_einval",
	      mmap(NULL, pg, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	      "%s", check_errname(errno));
	fd = openat(dfd, "m", O_RDWR);
	CHECK("mmap.validate_unknown",
	      mmap(NULL, pg, PROT_READ, MAP_SHARED_VALIDATE | 0x400000, fd, 0) == MAP_FAILED &&
		      errno == EOPNOTSUPP,
	      "%s", check_errname(errno));
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED_VALIDATE, fd, 0);
	CHECK("mmap.validate_ok", p != MAP_FAILED, "%s", check_errname(errno));
	munmap(p, pg);
	close(fd);

	p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[pg] = 'x';
	q = mmap(p + pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("mmap.fixed_noreplace_eexist", q == MAP_FAILED && errno == EEXIST, "got %p %s", q,
	      check_errname(errno));
	q = mmap(p + pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0);
	CHECK("mmap.fixed_replaces", q == p + pg && q[0] == 0, "got %p", q);
	munmap(p + pg, pg);
	q = mmap(p + pg, pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("mmap.fixed_noreplace_free", q == p + pg, "got %p want %p", q, p + pg);
	CHECK("mmap.fixed_unaligned",
	      mmap(p + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
			      MAP_FAILED &&
		      errno == EINVAL,
	      "%s", check_errname(errno));
	munmap(p, 3 * pg);
}

static void test_mremap_madvise(void)
{
	char *p, *q;
	int zero = 1;

	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 'm', 2 * pg);
	/* The second page blocks in-place growth of the first. */
	q = mremap(p, pg, 2 * pg, 0);
	CHECK("mremap.no_move_enomem", q == MAP_FAILED && errno == ENOMEM, "got %p %s", q,
	      check_errname(errno));
	munmap(p + pg, pg);
	q = mremap(p, pg, 8 * pg, MREMAP_MAYMOVE);
	CHECK("mremap.grow", q != MAP_FAILED, "%s", check_errname(errno));
	CHECK("mremap.content_kept", q[0] == 'm' && q[pg - 1] == 'm', "content lost");
	CHECK("mremap.new_zeroed", q[pg] == 0 && q[8 * pg - 1] == 0, "tail not zero");
	CHECK("mremap.old_gone", q == p || !mapped(p), "old mapping still there");
	p = mremap(q, 8 * pg, 2 * pg, 0);
	CHECK("mremap.shrink", p == q && mapped(q + pg) && !mapped(q + 2 * pg), "got %p", p);
	CHECK("mremap.bad_flags", mremap(p, pg, 2 * pg, 0x80) == MAP_FAILED && errno == EINVAL,
	      "%s", check_errname(errno));
	CHECK("mremap.fixed_needs_maymove",
	      mremap(p, pg, pg, MREMAP_FIXED, p + 16 * pg) == MAP_FAILED && errno == EINVAL, "%s",
	      check_errname(errno));
	CHECK("mremap.unaligned",
	      mremap(p + 1, pg, 2 * pg, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL, "%s",
	      check_errname(errno));

	memset(p, 'd', 2 * pg);
	CHECK_EQ("madvise.dontneed", madvise(p, 2 * pg, MADV_DONTNEED), 0);
	for (long i = 0; i < 2 * pg; i++)
		zero &= p[i] == 0;
	CHECK("madvise.dontneed_zeroes", zero, "private anonymous memory kept data");
	CHECK_EQ("madvise.willneed", madvise(p, pg, MADV_WILLNEED), 0);
	CHECK_ERR("madvise.bad_advice", madvise(p, pg, 12345), EINVAL);
	CHECK_ERR("madvise.unaligned", madvise(p + 1, pg, MADV_DONTNEED), EINVAL);
	munmap(p, 2 * pg);
	CHECK_ERR("madvise.unmapped", madvise(p, pg, MADV_WILLNEED), ENOMEM);
	CHECK_ERR("madvise.bad_advice_unmapped", madvise(p, pg, 12345), EINVAL);

	/* Mapping by mapping, the first one's error wins over a gap after it (ENOMEM only
	 * once every mapping took the advice): shared memory refuses MADV_WIPEONFORK. */
	p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	munmap(p + pg, pg);
	CHECK_ERR("madvise.vma_error_before_gap", madvise(p, 2 * pg, MADV_WIPEONFORK), EINVAL);
	CHECK_ERR("madvise.gap_after_vma", madvise(p, 2 * pg, MADV_NORMAL), ENOMEM);
	munmap(p, pg);
}

static void test_mincore_brk(void)
{
	unsigned char vec[2];
	char *p;
	uintptr_t cur, grown, after_write, shrunk, bad;
	int wrote;

	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	CHECK("mincore.resident", syscall(SYS_mincore, p, pg, vec) == 0 && (vec[0] & 1), "vec %d",
	      vec[0]);
	CHECK_ERR("mincore.unaligned", syscall(SYS_mincore, p + 1, pg, vec), EINVAL);
	CHECK_ERR("mincore.efault", syscall(SYS_mincore, p, pg, BADPTR), EFAULT);
	munmap(p, 2 * pg);
	CHECK_ERR("mincore.enomem", syscall(SYS_mincore, p, pg, vec), ENOMEM);

	/*
	 * Raw brk moves the heap end behind malloc's back: take every measurement first, put the
	 * break back, and only then print (stdio may allocate).
	 */
	cur = syscall(SYS_brk, 0);
	grown = syscall(SYS_brk, cur + 16 * pg);
	wrote = 0;
	if (grown == cur + 16 * pg) {
		memset((void *)cur, 'b', 16 * pg);
		wrote = ((char *)cur)[16 * pg - 1] == 'b';
	}
	after_write = syscall(SYS_brk, 0);
	bad = syscall(SYS_brk, 1);
	shrunk = syscall(SYS_brk, cur);
	CHECK("brk.query", cur != 0 && cur != (uintptr_t)-1, "brk(0) = %lx", cur);
	CHECK_EQ("brk.grow", grown, cur + 16 * pg);
	CHECK("brk.grow_usable", wrote, "could not write the grown heap");
	CHECK_EQ("brk.query_after_grow", after_write, cur + 16 * pg);
	CHECK_EQ("brk.invalid_returns_current", bad, cur + 16 * pg);
	CHECK_EQ("brk.shrink", shrunk, cur);
	/* The heap mapping ends at the break rounded up to a page. */
	CHECK("brk.shrink_unmaps", !mapped((void *)((cur + pg - 1) & ~(pg - 1))), "still mapped");
}

/* The offset column of the /proc/self/maps line covering addr, or -1. */
static long long maps_offset(const void *addr)
{
	static char buf[1 << 17];
	uintptr_t a = (uintptr_t)addr, s, e;
	unsigned long long off;
	char *line, *save = NULL;

	if (check_read_file("/proc/self/maps", buf, sizeof(buf)) <= 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%lx-%lx %*4s %llx", &s, &e, &off) == 3 && a >= s && a < e)
			return (long long)off;
	return -1;
}

/* mseal (Linux 6.10): argument errors, then a sealed range refuses munmap (also as part of
 * a larger range, which then stays mapped), mprotect, mremap, MAP_FIXED over it and a
 * discarding madvise of read-only anonymous memory. */
static void test_mseal(void)
{
	char *p = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;

	if (p == MAP_FAILED)
		return;
	munmap(p + 3 * pg, pg);
	r = syscall(462, p, pg, 0);
	if (r < 0 && errno == ENOSYS) {
		check_skip("mseal.ok", "no mseal in this kernel");
		return;
	}
	CHECK_EQ("mseal.ok", r, 0);
	CHECK_ERR("mseal.bad_flags", syscall(462, p + pg, pg, 1), EINVAL);
	CHECK_ERR("mseal.unaligned", syscall(462, p + pg + 1, pg, 0), EINVAL);
	CHECK_ERR("mseal.wrapping_len", syscall(462, p + pg, -(long)pg + 2, 0), EINVAL);
	CHECK_ERR("mseal.hole", syscall(462, p + 2 * pg, 2 * pg, 0), ENOMEM);
	CHECK_EQ("mseal.len0", syscall(462, p + 3 * pg, 0, 0), 0);
	CHECK_ERR("munmap.sealed", munmap(p, pg), EPERM);
	CHECK_ERR("munmap.sealed_in_range", munmap(p, 3 * pg), EPERM);
	CHECK("munmap.sealed_range_kept", mapped(p) && mapped(p + pg) && mapped(p + 2 * pg),
	      "a page of the refused range was unmapped");
	CHECK_ERR("mprotect.sealed", mprotect(p, pg, PROT_READ | PROT_WRITE), EPERM);
	CHECK("mremap.sealed", mremap(p, pg, 2 * pg, MREMAP_MAYMOVE) == MAP_FAILED && errno == EPERM,
	      "%s", check_errname(errno));
	CHECK("mmap.fixed_sealed",
	      mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED &&
		      errno == EPERM,
	      "%s", check_errname(errno));
	CHECK_ERR("madvise.sealed_dontneed", madvise(p, pg, MADV_DONTNEED), EPERM);
	CHECK_EQ("munmap.beside_sealed", munmap(p + pg, 2 * pg), 0);
}

/* remap_file_pages: Linux's emulation maps the file again at the new page offset; the maps
 * line shows it. Private mappings, a protection and unmapped memory are EINVAL. */
static void test_remap_file_pages(void)
{
	int fd = openat(dfd, "rfp", O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *buf = calloc(1, 4 * pg), *p;

	for (int i = 0; i < 4; i++)
		buf[i * pg] = (char)('A' + i);
	if (fd < 0 || write(fd, buf, 4 * pg) != 4 * pg)
		return;
	free(buf);
	p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return;
	CHECK_EQ("remap_file_pages.ok", syscall(SYS_remap_file_pages, p + pg, pg, 0, 3, 0), 0);
	CHECK("remap_file_pages.content", p[0] == 'A' && p[pg] == 'D' && p[2 * pg] == 'C',
	      "pages %c %c %c", p[0], p[pg], p[2 * pg]);
	CHECK_EQ("remap_file_pages.maps_offset", maps_offset(p + pg), 3 * pg);
	CHECK_ERR("remap_file_pages.prot", syscall(SYS_remap_file_pages, p, pg, PROT_READ, 1, 0),
		  EINVAL);
	munmap(p, 4 * pg);
	CHECK_ERR("remap_file_pages.unmapped", syscall(SYS_remap_file_pages, p, pg, 0, 1, 0), EINVAL);
	p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK_ERR("remap_file_pages.private", syscall(SYS_remap_file_pages, p, pg, 0, 1, 0), EINVAL);
	munmap(p, pg);
	close(fd);
}

/* PROCMAP_QUERY (Linux 6.11): the mapping at an address, as /proc/self/maps has it. */
struct pmq {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size;
	uint64_t vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};

static void test_procmap_query(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	char *p = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pmq q = {.size = sizeof(q), .query_addr = (uintptr_t)p + pg};
	char name[256];
	int ffd;
	char *f;

	munmap(p + 2 * pg, pg);
	mprotect(p + pg, pg, PROT_READ | PROT_WRITE);
	if (ioctl(fd, 0xc0686611u, &q) < 0 && errno == ENOTTY) {
		check_skip("ioctl.procmap_query", "no PROCMAP_QUERY in this kernel");
		close(fd);
		return;
	}
	CHECK("ioctl.procmap_query", q.vma_start == (uintptr_t)p + pg &&
		      q.vma_end == (uintptr_t)p + 2 * pg && q.vma_flags == 3 && q.inode == 0 &&
		      q.vma_page_size == (uint64_t)pg,
	      "%llx-%llx flags %llx", (unsigned long long)q.vma_start,
	      (unsigned long long)q.vma_end, (unsigned long long)q.vma_flags);
	q = (struct pmq){.size = sizeof(q), .query_addr = (uintptr_t)p + 2 * pg};
	CHECK_ERR("ioctl.procmap_query_gap", ioctl(fd, 0xc0686611u, &q), ENOENT);
	q = (struct pmq){.size = sizeof(q), .query_addr = (uintptr_t)p, .query_flags = 2};
	CHECK_ERR("ioctl.procmap_query_not_writable", ioctl(fd, 0xc0686611u, &q), ENOENT);
	q = (struct pmq){.size = sizeof(q), .query_addr = (uintptr_t)p, .query_flags = 0x10 | 2};
	CHECK("ioctl.procmap_query_next_writable",
	      ioctl(fd, 0xc0686611u, &q) == 0 && q.vma_start == (uintptr_t)p + pg, "%s %llx",
	      check_errname(errno), (unsigned long long)q.vma_start);
	q = (struct pmq){.size = 8, .query_addr = (uintptr_t)p};
	CHECK_ERR("ioctl.procmap_query_small", ioctl(fd, 0xc0686611u, &q), EINVAL);
	ffd = openat(dfd, "pmq", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ftruncate(ffd, 2 * pg);
	f = mmap(NULL, pg, PROT_READ, MAP_SHARED, ffd, pg);
	q = (struct pmq){.size = sizeof(q), .query_addr = (uintptr_t)f,
			 .vma_name_addr = (uintptr_t)name, .vma_name_size = sizeof(name)};
	CHECK("ioctl.procmap_query_file",
	      ioctl(fd, 0xc0686611u, &q) == 0 && q.vma_offset == (uint64_t)pg && q.inode != 0 &&
		      q.vma_flags == (1 | 8) && q.vma_name_size == strlen(check_path("pmq")) + 1 &&
		      !strcmp(name, check_path("pmq")),
	      "%s offset %llx name %.*s", check_errname(errno), (unsigned long long)q.vma_offset,
	      (int)q.vma_name_size, name);
	munmap(f, pg);
	munmap(p, 2 * pg);
	close(ffd);
	close(fd);
}

/* The bounds of the /proc/self/maps line covering addr match [s, e)? */
static int maps_span(const void *addr, const void *s, const void *e)
{
	char perms[5];
	uintptr_t ms, me;

	return maps_find(addr, perms, &ms, &me) == 0 && ms == (uintptr_t)s && me == (uintptr_t)e;
}

/* A writable range of n pages, touched, between PROT_NONE guard pages (so its neighbours can
 * never merge with it); NULL on failure. */
static char *guarded(int n)
{
	char *r = mmap(NULL, (n + 2) * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		return NULL;
	if (mmap(r + pg, n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		return NULL;
	memset(r + pg, 1, n * pg);
	return r + pg;
}

/*
 * Merging as Linux's vma_merge decides it: mbind splits a mapping by NUMA policy and joins
 * ranges of equal policies again; after fork, a mapping with pages the child inherited has
 * the parent's anon_vma in its chain and no longer merges with a new neighbour, while its own
 * pieces still merge (they share the anon_vma).
 */
static void test_merge_rules(void)
{
	unsigned long node0 = 1;
	char *p = guarded(6), *t;
	pid_t pid;

	if (!p) {
		CHECK("mmap.guarded", 0, "%s", check_errname(errno));
		return;
	}
	if (syscall(SYS_mbind, p, 4 * pg, 2 /* MPOL_BIND */, &node0, 64, 0) < 0) {
		check_skip("mbind.maps_split", check_errname(errno));
	} else {
		CHECK("mbind.maps_split", maps_span(p, p, p + 4 * pg) &&
		      maps_span(p + 4 * pg, p + 4 * pg, p + 6 * pg), "not split at the policy");
		CHECK_SYS("mbind.default_part", syscall(SYS_mbind, p + 2 * pg, 2 * pg, 0, NULL, 0, 0));
		CHECK("mbind.maps_default_merges", maps_span(p, p, p + 2 * pg) &&
		      maps_span(p + 2 * pg, p + 2 * pg, p + 6 * pg), "default range not joined");
		CHECK_SYS("mbind.bind_again",
			  syscall(SYS_mbind, p + 2 * pg, 2 * pg, 2, &node0, 64, 0));
		CHECK("mbind.maps_equal_merge", maps_span(p, p, p + 4 * pg) &&
		      maps_span(p + 4 * pg, p + 4 * pg, p + 6 * pg), "equal policies not joined");
	}
	munmap(p - pg, 8 * pg);

	/* t: 3 touched pages, then 3 PROT_NONE pages to map over */
	t = guarded(6);
	if (!t || mprotect(t + 3 * pg, 3 * pg, PROT_NONE)) {
		CHECK("mmap.guarded_fork", 0, "%s", check_errname(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		check_passed = check_failed = 0;
		CHECK("mmap.after_fork_no_merge",
		      mmap(t + 3 * pg, 3 * pg, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == t + 3 * pg &&
			      maps_span(t, t, t + 3 * pg) && maps_span(t + 3 * pg, t + 3 * pg, t + 6 * pg),
		      "inherited mapping merged with a new one");
		CHECK("mprotect.after_fork_pieces_merge",
		      mprotect(t + pg, pg, PROT_READ) == 0 && maps_span(t, t, t + pg) &&
			      mprotect(t + pg, pg, PROT_READ | PROT_WRITE) == 0 &&
			      maps_span(t, t, t + 3 * pg),
		      "pieces of one mapping not joined again");
		check_child_exit();
	}
	check_wait_child("mmap.after_fork_child", pid, 0);
	CHECK("mmap.parent_merges",
	      mmap(t + 3 * pg, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == t + 3 * pg && maps_span(t, t, t + 6 * pg),
	      "new neighbour not merged");
	munmap(t - pg, 8 * pg);
}

/* The kernel's vsyscall page: when calling its time() works (vsyscall=xonly or emulate), the
 * page is the process's and /proc/self/maps lists it, last, as [vsyscall]. */
static void test_vsyscall(void)
{
	static char buf[1 << 17];
	char *last;
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		time_t (*vtime)(time_t *) = (time_t (*)(time_t *))0xffffffffff600400ul;
		_exit(vtime(NULL) > 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		check_skip("mmap.maps_vsyscall", "no vsyscall page (vsyscall=none)");
		return;
	}
	if (check_read_file("/proc/self/maps", buf, sizeof(buf)) <= 0) {
		CHECK("mmap.maps_vsyscall", 0, "%s", check_errname(errno));
		return;
	}
	last = strrchr(buf, '\n');
	while (last && last > buf && last[-1] != '\n')
		last--;
	CHECK("mmap.maps_vsyscall", last && !strncmp(last, "ffffffffff600000-ffffffffff601000 ", 34) &&
	      strstr(last, "[vsyscall]"), "last line \"%.80s\"", last ? last : "");
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	pg = sysconf(_SC_PAGESIZE);
	dfd = open(check_tmpdir_make(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_anon();
	test_file();
	test_flags();
	test_mremap_madvise();
	test_mincore_brk();
	test_mseal();
	test_remap_file_pages();
	test_procmap_query();
	test_merge_rules();
	test_vsyscall();
	return check_done();
}
