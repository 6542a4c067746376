/* SPDX-License-Identifier: MIT */
/* The guest VMA list: splits, merges, remaps, and /proc/self/maps compared with this kernel's. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_mman.h"
#include "translator/mm.h"

#define P    4096ull
#define R    LINUX_PROT_READ
#define W    LINUX_PROT_WRITE
#define X    LINUX_PROT_EXEC
#define BASE 0x100000000ull /* address for pure bookkeeping tests; nothing is mapped */

static void reset(void)
{
	mm_init();
}

TestSuite(mm, .init = reset);

/* Compare the whole map with the expected list (start, end, prot, flags, offset, dev, ino). */
static void expect(const struct lx_vma *want, size_t n)
{
	size_t count;
	mm_lock();
	const struct lx_vma *v = mm_list(&count);
	cr_assert_eq(count, n, "expected %zu VMAs, have %zu", n, count);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(v[i].start, want[i].start, "vma %zu start %#lx != %#lx", i,
			     (unsigned long)v[i].start, (unsigned long)want[i].start);
		cr_expect_eq(v[i].end, want[i].end, "vma %zu end %#lx != %#lx", i,
			     (unsigned long)v[i].end, (unsigned long)want[i].end);
		cr_expect_eq(v[i].prot, want[i].prot, "vma %zu prot", i);
		cr_expect_eq(v[i].flags, want[i].flags, "vma %zu flags", i);
		cr_expect_eq(v[i].offset, want[i].offset, "vma %zu offset %#lx != %#lx", i,
			     (unsigned long)v[i].offset, (unsigned long)want[i].offset);
		cr_expect_eq(v[i].dev, want[i].dev, "vma %zu dev", i);
		cr_expect_eq(v[i].ino, want[i].ino, "vma %zu ino", i);
	}
	mm_unlock();
}

#define EXPECT(...)                                                                                \
	do {                                                                                       \
		const struct lx_vma w_[] = {__VA_ARGS__};                                          \
		expect(w_, sizeof(w_) / sizeof(w_[0]));                                            \
	} while (0)
#define V(s, e, p, off)                                                                            \
	{                                                                                          \
		.start = BASE + (s)*P, .end = BASE + (e)*P, .prot = (p), .offset = (off)*P,        \
		.dev = 0x801, .ino = 42                                                            \
	}
#define A(s, e, p)                                                                                 \
	{                                                                                          \
		.start = BASE + (s)*P, .end = BASE + (e)*P, .prot = (p)                            \
	}
/* The same, once writable and private: Linux's VM_ACCOUNT, which decides merges. */
#define VC(s, e, p, off)                                                                           \
	{                                                                                          \
		.start = BASE + (s)*P, .end = BASE + (e)*P, .prot = (p), .flags = LX_VMA_ACCOUNT,  \
		.offset = (off)*P, .dev = 0x801, .ino = 42                                         \
	}
#define AC(s, e, p)                                                                                \
	{                                                                                          \
		.start = BASE + (s)*P, .end = BASE + (e)*P, .prot = (p), .flags = LX_VMA_ACCOUNT   \
	}

/* A file mapping of pages [s, e) at file page off, on the same made-up file. */
static int fmap(uint64_t s, uint64_t e, unsigned prot, uint64_t off)
{
	return mm_map(BASE + s * P, (e - s) * P, prot, 0, off * P, 0x801, 42, "/bin/x");
}

static int amap(uint64_t s, uint64_t e, unsigned prot)
{
	return mm_map(BASE + s * P, (e - s) * P, prot, 0, 0, 0, 0, NULL);
}

Test(mm, unmap_middle_edges_and_span)
{
	cr_assert_eq(fmap(0, 16, R, 3), 0);
	cr_assert_eq(mm_unmap(BASE + 4 * P, 2 * P), 0);
	EXPECT(V(0, 4, R, 3), V(6, 16, R, 9));
	cr_assert_eq(mm_unmap(BASE, P), 0);
	cr_assert_eq(mm_unmap(BASE + 15 * P, P), 0);
	EXPECT(V(1, 4, R, 4), V(6, 15, R, 9));
	cr_assert_eq(amap(20, 24, R | W), 0);
	cr_assert_eq(mm_unmap(BASE + 2 * P, 20 * P), 0, "spanning two VMAs and the hole");
	EXPECT(V(1, 2, R, 4), AC(22, 24, R | W));
	cr_assert_eq(mm_unmap(BASE + 100 * P, P), 0, "nothing mapped there is not an error");
	cr_assert_eq(mm_unmap(BASE + 22 * P + 1, P), -LINUX_EINVAL);
	cr_assert_eq(mm_unmap(BASE + 22 * P, 0), -LINUX_EINVAL);
	cr_assert_eq(mm_unmap(~0ull - 2 * P + 1, 4 * P), -LINUX_EINVAL, "wraps around");
	cr_assert_eq(mm_unmap(BASE + 23 * P, 1), 0, "length rounds up to a page");
	EXPECT(V(1, 2, R, 4), AC(22, 23, R | W));
}

Test(mm, protect_splits_and_merges_back)
{
	cr_assert_eq(amap(0, 8, R | W), 0);
	cr_assert_eq(mm_protect(BASE + 2 * P, 2 * P, R), 0);
	EXPECT(AC(0, 2, R | W), AC(2, 4, R), AC(4, 8, R | W));
	cr_assert_eq(mm_protect(BASE + 3 * P, 2 * P, X), 0);
	EXPECT(AC(0, 2, R | W), AC(2, 3, R), AC(3, 5, X), AC(5, 8, R | W));
	cr_assert_eq(mm_protect(BASE + 2 * P, 3 * P, R | W | LINUX_PROT_GROWSDOWN), 0);
	EXPECT(AC(0, 8, R | W));

	cr_assert_eq(fmap(10, 14, R, 0), 0);
	cr_assert_eq(mm_protect(BASE + 11 * P, P, R | X), 0);
	EXPECT(AC(0, 8, R | W), V(10, 11, R, 0), V(11, 12, R | X, 1), V(12, 14, R, 2));
	cr_assert_eq(mm_protect(BASE + 11 * P, P, R), 0);
	EXPECT(AC(0, 8, R | W), V(10, 14, R, 0));

	cr_assert_eq(mm_protect(BASE + 6 * P, 6 * P, R), -LINUX_ENOMEM, "hole at 8..10");
	EXPECT(AC(0, 8, R | W), V(10, 14, R, 0));
	cr_assert_eq(mm_protect(BASE + 1, P, R), -LINUX_EINVAL);
	cr_assert_eq(mm_protect(BASE + 100 * P, 0, R), 0, "empty range, as mprotect");
}

Test(mm, merge_rules)
{
	cr_assert_eq(fmap(0, 2, R, 0), 0);
	cr_assert_eq(fmap(2, 4, R, 5), 0, "offsets not contiguous: no merge");
	cr_assert_eq(fmap(4, 6, R, 7), 0, "contiguous with the previous one: merge");
	EXPECT(V(0, 2, R, 0), V(2, 6, R, 5));
	cr_assert_eq(amap(6, 8, R), 0, "anonymous next to a file: no merge");
	cr_assert_eq(amap(8, 9, R), 0);
	cr_assert_eq(mm_map(BASE + 9 * P, P, R, LX_VMA_SHARED, 0, 0, 0, NULL), 0);
	cr_assert_eq(mm_map(BASE + 10 * P, P, R, 0, 0, 0, 0, "[anon:x]"), 0);
	cr_assert_eq(mm_map(BASE + 11 * P, P, R, 0, 0, 0, 0, "[anon:x]"), 0);
	cr_assert_eq(mm_map(BASE + 12 * P, P, R, LX_VMA_VDSO, 0, 0, 0, NULL), 0);
	cr_assert_eq(mm_map(BASE + 13 * P, P, R, LX_VMA_VDSO, 0, 0, 0, NULL), 0);
	EXPECT(V(0, 2, R, 0), V(2, 6, R, 5), A(6, 9, R),
	       {.start = BASE + 9 * P, .end = BASE + 10 * P, .prot = R, .flags = LX_VMA_SHARED},
	       A(10, 12, R),
	       {.start = BASE + 12 * P, .end = BASE + 13 * P, .prot = R, .flags = LX_VMA_VDSO},
	       {.start = BASE + 13 * P, .end = BASE + 14 * P, .prot = R, .flags = LX_VMA_VDSO});
	mm_lock();
	cr_assert_str_eq(mm_find(BASE + 11 * P)->name, "[anon:x]");
	cr_assert_null(mm_find(BASE + 14 * P));
	mm_unlock();
	cr_assert_eq(mm_map(BASE + 20 * P, P, R, 0, 123, 0x801, 42, "/bin/x"), -LINUX_EINVAL,
		     "unaligned file offset");
	cr_assert_eq(mm_map(BASE + 20 * P, 0, R, 0, 0, 0, 0, NULL), -LINUX_EINVAL);
	cr_assert_eq(mm_map(BASE + 20 * P + 8, P, R, 0, 0, 0, 0, NULL), -LINUX_EINVAL);
}

Test(mm, account_keeps_relro_apart)
{
	cr_assert_eq(fmap(0, 4, R, 0), 0);
	cr_assert_eq(fmap(4, 6, R | W, 4), 0);
	cr_assert_eq(mm_protect(BASE + 4 * P, P, R), 0);
	EXPECT(V(0, 4, R, 0), VC(4, 5, R, 4), VC(5, 6, R | W, 5));
	cr_assert_eq(mm_protect(BASE, P, R | W), 0, "made writable later: accounted too");
	EXPECT(VC(0, 1, R | W, 0), V(1, 4, R, 1), VC(4, 5, R, 4), VC(5, 6, R | W, 5));
	cr_assert_eq(mm_map(BASE + 10 * P, P, R | W, LX_VMA_SHARED, 0, 0, 0, NULL), 0);
	cr_assert_eq(mm_map(BASE + 11 * P, P, R | W, LX_VMA_NORESERVE, 0, 0, 0, NULL), 0);
	mm_lock();
	cr_assert_eq(mm_find(BASE + 10 * P)->flags, LX_VMA_SHARED);
	cr_assert_eq(mm_find(BASE + 11 * P)->flags, LX_VMA_NORESERVE);
	mm_unlock();
}

Test(mm, map_replaces_what_it_covers)
{
	cr_assert_eq(fmap(0, 8, R | X, 0), 0);
	cr_assert_eq(amap(8, 12, R | W), 0);
	cr_assert_eq(amap(2, 4, R | W), 0);
	EXPECT(V(0, 2, R | X, 0), AC(2, 4, R | W), V(4, 8, R | X, 4), AC(8, 12, R | W));
	cr_assert_eq(amap(6, 10, R | W), 0, "covers the end of one and the start of the next");
	EXPECT(V(0, 2, R | X, 0), AC(2, 4, R | W), V(4, 6, R | X, 4), AC(6, 12, R | W));
	cr_assert_eq(fmap(0, 12, R, 1), 0, "covers everything");
	EXPECT(V(0, 12, R, 1));
}

Test(mm, remap_shrink_grow_move)
{
	cr_assert_eq(fmap(0, 4, R, 2), 0);
	cr_assert_eq(mm_remap(BASE, 4 * P, BASE, 2 * P), 0, "shrink in place");
	EXPECT(V(0, 2, R, 2));
	cr_assert_eq(mm_remap(BASE, 2 * P, BASE, 5 * P), 0, "grow in place");
	EXPECT(V(0, 5, R, 2));
	cr_assert_eq(mm_remap(BASE, 5 * P, BASE + 10 * P, 5 * P), 0, "move");
	EXPECT(V(10, 15, R, 2));
	cr_assert_eq(mm_remap(BASE + 12 * P, 3 * P, BASE + 20 * P, 6 * P), 0, "move a tail, grow");
	EXPECT(V(10, 12, R, 2), V(20, 26, R, 4));
	cr_assert_eq(mm_remap(BASE + 20 * P, 6 * P, BASE + 12 * P, P), 0, "shrink, move back");
	EXPECT(V(10, 13, R, 2));
	cr_assert_eq(mm_remap(BASE + 30 * P, P, BASE + 40 * P, P), -LINUX_EFAULT);
	cr_assert_eq(mm_remap(BASE + 10 * P, 4 * P, BASE + 40 * P, P), -LINUX_EFAULT, "hole");
	cr_assert_eq(mm_remap(BASE + 10 * P, P, BASE + 40 * P, 0), -LINUX_EINVAL);
	EXPECT(V(10, 13, R, 2));

	/* Several VMAs move together, keeping their protections. */
	cr_assert_eq(mm_protect(BASE + 11 * P, P, R | W), 0);
	cr_assert_eq(mm_remap(BASE + 10 * P, 3 * P, BASE + 50 * P, 4 * P), 0);
	EXPECT(V(50, 51, R, 2), VC(51, 52, R | W, 3), V(52, 54, R, 4));

	/* old_len 0: a second mapping of the same pages (shared mappings), the old one stays. */
	cr_assert_eq(mm_map(BASE + 60 * P, 4 * P, R | W, LX_VMA_SHARED, 0, 0x801, 43, "/s"), 0);
	cr_assert_eq(mm_remap(BASE + 61 * P, 0, BASE + 70 * P, 2 * P), 0);
	mm_lock();
	const struct lx_vma *dup = mm_find(BASE + 70 * P);
	cr_assert_not_null(dup);
	cr_assert_eq(dup->end, BASE + 72 * P);
	cr_assert_eq(dup->offset, P);
	cr_assert_eq(dup->flags, LX_VMA_SHARED);
	cr_assert_str_eq(dup->name, "/s");
	cr_assert_not_null(mm_find(BASE + 61 * P));
	mm_unlock();
}

Test(mm, covered_and_overlaps)
{
	cr_assert_eq(amap(0, 2, R), 0);
	cr_assert_eq(amap(2, 4, R | W), 0);
	cr_assert_eq(amap(6, 8, R), 0);
	cr_assert_eq(mm_covered(BASE, 4 * P), 1, "two adjacent VMAs");
	cr_assert_eq(mm_covered(BASE + 1, 4 * P - 1), 1, "unaligned start");
	cr_assert_eq(mm_covered(BASE, 4 * P + 1), 0, "one byte past the end");
	cr_assert_eq(mm_covered(BASE - 1, 2), 0, "one byte before the start");
	cr_assert_eq(mm_covered(BASE, 8 * P), 0, "hole in the middle");
	cr_assert_eq(mm_covered(BASE + 5 * P, 0), 1, "empty range");
	cr_assert_eq(mm_covered(~0ull - 10, 20), -LINUX_EINVAL);
	cr_assert_eq(mm_overlaps(BASE + 4 * P, 2 * P), 0, "exactly the hole");
	cr_assert_eq(mm_overlaps(BASE + 4 * P, 2 * P + 1), 1);
	cr_assert_eq(mm_overlaps(BASE + 4 * P - 1, 1), 1);
	cr_assert_eq(mm_overlaps(BASE, 0), 0, "empty range");
	cr_assert_eq(mm_overlaps(0, BASE), 0);
	cr_assert_eq(mm_overlaps(0, ~0ull), 1);
	cr_assert_eq(mm_overlaps(1, ~0ull), -LINUX_EINVAL);
}

Test(mm, thousands_of_mappings)
{
	/* Alternating protections prevent merging: 4096 VMAs, then every other one removed. */
	for (uint64_t i = 0; i < 4096; i++)
		cr_assert_eq(amap(i, i + 1, i % 2 ? R : R | W), 0);
	size_t n;
	mm_lock();
	mm_list(&n);
	mm_unlock();
	cr_assert_eq(n, 4096);
	for (uint64_t i = 1; i < 4096; i += 2)
		cr_assert_eq(mm_protect(BASE + i * P, P, R | W), 0);
	mm_lock();
	mm_list(&n);
	mm_unlock();
	cr_assert_eq(n, 1, "all merged back into one");
	cr_assert_eq(mm_covered(BASE, 4096 * P), 1);
}

static void *map_many(void *arg)
{
	uint64_t base = (uint64_t)(uintptr_t)arg;
	for (uint64_t i = 0; i < 500; i++) {
		if (mm_map(base + 2 * i * P, P, R, 0, 0, 0, 0, NULL) < 0)
			return (void *)1;
		if (i % 5 == 0 && mm_unmap(base + 2 * i * P, P) < 0)
			return (void *)1;
	}
	return NULL;
}

Test(mm, concurrent_threads)
{
	pthread_t t[4];
	for (uintptr_t k = 0; k < 4; k++)
		pthread_create(&t[k], NULL, map_many,
			       (void *)(uintptr_t)(BASE + k * 0x10000000ull));
	for (int k = 0; k < 4; k++) {
		void *r;
		pthread_join(t[k], &r);
		cr_assert_null(r);
	}
	size_t n;
	mm_lock();
	mm_list(&n);
	mm_unlock();
	cr_assert_eq(n, 4 * 400);
}

/* --- differential: the same mappings made natively and recorded, then /proc/self/maps --- */

#define WIN 40 /* pages in the window */

static char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (cap - n < 4096)
			buf = realloc(buf, cap *= 2);
		ssize_t got = read(fd, buf + n, cap - n - 1);
		cr_assert_geq(got, 0);
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* The kernel's lines for mappings inside [lo, hi). */
static char *native_lines(uint64_t lo, uint64_t hi)
{
	char *all = read_file("/proc/self/maps");
	char *out = calloc(1, strlen(all) + 1);
	for (char *line = all; *line;) {
		char *nl = strchr(line, '\n');
		unsigned long s = strtoul(line, NULL, 16);
		if (s >= lo && s < hi)
			strncat(out, line, (size_t)(nl - line + 1));
		line = nl + 1;
	}
	free(all);
	return out;
}

static struct {
	uint8_t *win;
	int fd;
	struct stat st;
	char path[4096];
	char odd[64]; /* a second file, removed at the end even when a test fails */
} d;

static void diff_setup(void)
{
	mm_init();
	/* Unmapped guard pages on both sides keep the kernel from merging the window with its
	 * neighbours. */
	uint8_t *r = mmap(NULL, (WIN + 2) * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(r, MAP_FAILED);
	munmap(r, P);
	munmap(r + (WIN + 1) * P, P);
	d.win = r + P;
	cr_assert_eq(mm_map((uint64_t)(uintptr_t)d.win, WIN * P, 0, 0, 0, 0, 0, NULL), 0);

	char tmpl[] = "/tmp/lxrun-mm-XXXXXX";
	d.fd = mkstemp(tmpl);
	cr_assert_geq(d.fd, 0);
	cr_assert_eq(ftruncate(d.fd, 16 * P), 0);
	cr_assert_eq(fstat(d.fd, &d.st), 0);
	cr_assert_not_null(realpath(tmpl, d.path));
}

static void diff_teardown(void)
{
	close(d.fd);
	unlink(d.path);
	if (d.odd[0])
		unlink(d.odd);
}

TestSuite(mm_native, .init = diff_setup, .fini = diff_teardown);

enum kind { ANON, FILE_PRIVATE, FILE_SHARED };

static void both_map(unsigned page, unsigned pages, int prot, enum kind k, unsigned fpage)
{
	uint8_t *at = d.win + page * P;
	int fl = MAP_FIXED | (k == FILE_SHARED ? MAP_SHARED : MAP_PRIVATE);
	void *p = mmap(at, pages * P, prot, fl | (k == ANON ? MAP_ANONYMOUS : 0),
		       k == ANON ? -1 : d.fd, k == ANON ? 0 : (off_t)(fpage * P));
	cr_assert_eq(p, (void *)at);
	int r = k == ANON ? mm_map((uint64_t)(uintptr_t)at, pages * P, (unsigned)prot, 0, 0, 0, 0,
				   NULL)
			  : mm_map((uint64_t)(uintptr_t)at, pages * P, (unsigned)prot,
				   k == FILE_SHARED ? LX_VMA_SHARED : 0, fpage * P, d.st.st_dev,
				   d.st.st_ino, d.path);
	cr_assert_eq(r, 0);
}

static void both_protect(unsigned page, unsigned pages, int prot)
{
	cr_assert_eq(mprotect(d.win + page * P, pages * P, prot), 0);
	cr_assert_eq(mm_protect((uint64_t)(uintptr_t)(d.win + page * P), pages * P, (unsigned)prot),
		     0);
}

static void both_unmap(unsigned page, unsigned pages)
{
	cr_assert_eq(munmap(d.win + page * P, pages * P), 0);
	cr_assert_eq(mm_unmap((uint64_t)(uintptr_t)(d.win + page * P), pages * P), 0);
}

static void both_remap(unsigned page, unsigned pages, unsigned to, unsigned new_pages)
{
	uint8_t *old = d.win + page * P, *dst = d.win + to * P;
	int fl = to == page ? 0 : MREMAP_MAYMOVE | MREMAP_FIXED;
	void *p = mremap(old, pages * P, new_pages * P, fl, dst);
	cr_assert_eq(p, (void *)dst, "native mremap failed");
	cr_assert_eq(mm_remap((uint64_t)(uintptr_t)old, pages * P, (uint64_t)(uintptr_t)dst,
			      new_pages * P),
		     0);
}

/* Our rendering must be byte for byte the kernel's lines for the window. */
static void compare(const char *step)
{
	size_t len;
	char *ours = mm_render_maps(&len);
	cr_assert_not_null(ours);
	cr_assert_eq(strlen(ours), len);
	uint64_t lo = (uint64_t)(uintptr_t)d.win;
	char *theirs = native_lines(lo, lo + WIN * P);
	cr_assert_str_eq(ours, theirs, "after %s:\n--- lxrun:\n%s--- Linux:\n%s", step, ours,
			 theirs);
	free(ours);
	free(theirs);
}

Test(mm_native, render_matches_kernel)
{
	compare("reserving");
	both_map(2, 3, PROT_READ, FILE_PRIVATE, 1);
	both_map(8, 4, PROT_READ | PROT_WRITE, ANON, 0);
	both_map(14, 2, PROT_READ | PROT_WRITE, FILE_SHARED, 0);
	both_map(20, 1, PROT_READ | PROT_EXEC, ANON, 0);
	compare("mapping a file, anonymous memory and a shared file");
	both_map(12, 2, PROT_READ | PROT_WRITE, ANON, 0);
	compare("an anonymous neighbour");
	both_map(5, 2, PROT_READ, FILE_PRIVATE, 4);
	compare("a file neighbour with contiguous offsets");
}

Test(mm_native, protect_split_and_merge)
{
	both_map(4, 8, PROT_READ | PROT_WRITE, ANON, 0);
	both_protect(6, 2, PROT_READ);
	compare("mprotect in the middle");
	both_protect(6, 2, PROT_READ | PROT_WRITE);
	compare("mprotect back");
	both_map(20, 6, PROT_READ, FILE_PRIVATE, 2);
	both_protect(20, 1, PROT_READ | PROT_EXEC);
	both_protect(25, 1, PROT_NONE);
	compare("mprotect the edges of a file mapping");
	both_protect(20, 6, PROT_READ);
	compare("mprotect a file mapping back");
}

/* A path with a newline, and a file offset beyond 32 bits (wider than the 8-digit field). */
Test(mm_native, odd_names_and_big_offsets)
{
	char *path = strcpy(d.odd, "/tmp/lxrun mm\nodd-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	struct stat st;
	cr_assert_eq(ftruncate(fd, 0x140000000ll), 0, "a sparse 5 GiB file");
	cr_assert_eq(fstat(fd, &st), 0);
	uint8_t *at = d.win + 3 * P;
	void *p = mmap(at, 2 * P, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0x100001000ll);
	cr_assert_eq(p, (void *)at);
	cr_assert_eq(mm_map((uint64_t)(uintptr_t)at, 2 * P, R, LX_VMA_SHARED, 0x100001000ull,
			    st.st_dev, st.st_ino, path),
		     0);
	compare("mapping a file with a newline in its name at offset 0x100001000");
	close(fd);
}

/* [heap], [stack], [vdso], [vvar] lines of this very process, recorded with their flags,
 * must render exactly as the kernel prints them. */
Test(mm_native, special_names)
{
	static const struct {
		const char *name;
		unsigned flags;
		const char *as;
	} specials[] = {
		{"[heap]", LX_VMA_HEAP | LX_VMA_ACCOUNT, NULL},
		{"[stack]", LX_VMA_STACK | LX_VMA_GROWSDOWN | LX_VMA_ACCOUNT, NULL},
		{"[vdso]", LX_VMA_VDSO, NULL},
		{"[vvar]", LX_VMA_VVAR, NULL},
		{"[vvar_vclock]", LX_VMA_VVAR, "[vvar_vclock]"},
	};
	char *all = read_file("/proc/self/maps");
	int seen = 0;
	for (char *line = all; *line;) {
		char *nl = strchr(line, '\n');
		*nl = '\0';
		for (size_t k = 0; k < sizeof(specials) / sizeof(specials[0]); k++) {
			size_t ln = strlen(line), sn = strlen(specials[k].name);
			if (ln < sn || strcmp(line + ln - sn, specials[k].name) != 0)
				continue;
			unsigned long s, e;
			char perm[5];
			cr_assert_eq(sscanf(line, "%lx-%lx %4s", &s, &e, perm), 3);
			unsigned prot = (perm[0] == 'r' ? R : 0) | (perm[1] == 'w' ? W : 0) |
					(perm[2] == 'x' ? X : 0);
			mm_init();
			cr_assert_eq(
				mm_map(s, e - s, prot, specials[k].flags, 0, 0, 0, specials[k].as),
				0);
			size_t len;
			char *ours = mm_render_maps(&len);
			*nl = '\n';
			cr_assert_eq(len, (size_t)(nl - line + 1));
			cr_assert(memcmp(ours, line, len) == 0, "lxrun: %sLinux: %.*s", ours,
				  (int)len, line);
			*nl = '\0';
			free(ours);
			seen++;
		}
		line = nl + 1;
	}
	free(all);
	cr_assert_geq(seen, 3, "at least [heap], [stack] and [vdso] exist");
}

/* Device numbers beyond 8 bits, split as glibc's major() and minor() do. */
Test(mm, device_numbers)
{
	dev_t dev = makedev(0x123, 0x45678);
	cr_assert_eq(mm_map(BASE, P, R, 0, 0, dev, 7, "/f"), 0);
	size_t len;
	char *ours = mm_render_maps(&len);
	char want[64];
	snprintf(want, sizeof(want), " %x:%x 7 ", major(dev), minor(dev));
	cr_assert_not_null(strstr(ours, want), "%s lacks '%s'", ours, want);
	free(ours);
}

/* ld.so maps a data segment writable and then makes its RELRO part read-only. */
Test(mm_native, relro_and_written_memory)
{
	both_map(4, 4, PROT_READ, FILE_PRIVATE, 0);
	both_map(8, 3, PROT_READ | PROT_WRITE, FILE_PRIVATE, 4);
	both_protect(8, 1, PROT_READ);
	compare("a RELRO page next to a read-only segment");
	both_protect(9, 2, PROT_READ);
	compare("the whole data segment read-only");
	both_map(14, 6, PROT_READ | PROT_WRITE, ANON, 0);
	memset(d.win + 14 * P, 1, 6 * P);
	both_protect(16, 2, PROT_READ);
	compare("written memory made read-only");
	both_protect(16, 2, PROT_READ | PROT_WRITE);
	compare("and writable again");
	both_protect(14, 6, PROT_NONE);
	compare("written memory next to never-writable memory, both PROT_NONE");
}

Test(mm_native, unmap_pieces)
{
	both_map(2, 10, PROT_READ | PROT_WRITE, ANON, 0);
	both_map(12, 10, PROT_READ, FILE_PRIVATE, 3);
	both_unmap(4, 2);
	compare("munmap in the middle");
	both_unmap(2, 1);
	both_unmap(21, 1);
	compare("munmap at the edges");
	both_unmap(10, 4);
	compare("munmap across two mappings");
}

Test(mm_native, remap_file_offsets)
{
	both_map(2, 4, PROT_READ, FILE_PRIVATE, 2);
	both_remap(2, 4, 2, 2);
	compare("mremap shrink in place");
	both_unmap(4, 3); /* in-place growth needs free space */
	both_remap(2, 2, 2, 5);
	compare("mremap grow in place");
	both_remap(2, 5, 20, 6);
	compare("mremap move and grow");
	both_map(30, 3, PROT_READ | PROT_WRITE, ANON, 0);
	both_remap(30, 3, 10, 5);
	compare("mremap anonymous memory");
}

Test(mm_native, host_range_free)
{
	uint64_t w = (uint64_t)(uintptr_t)d.win;
	cr_assert_eq(mm_host_range_free(w, WIN * P), 0);
	cr_assert_eq(mm_host_range_free(w - P, P), 1, "the guard page before the window");
	cr_assert_eq(mm_host_range_free(w + WIN * P, P), 1, "the guard page after it");
	cr_assert_eq(mm_host_range_free(w - P, 2 * P), 0, "guard page and first page");
	cr_assert_eq(mm_host_range_free(w + WIN * P - 1, 2), 0, "last byte of the window");
	uint64_t self = (uint64_t)(uintptr_t)&mm_host_range_free;
	cr_assert_eq(mm_host_range_free(self & ~(P - 1), P), 0, "our own code");
	cr_assert_eq(mm_host_range_free(~0ull - 10, 20), -LINUX_EINVAL);

	/* MAP_FIXED is allowed over guest mappings and free space, never over lxrun's. */
	cr_assert_eq(mm_fixed_allowed(w - P, (WIN + 2) * P), 1);
	cr_assert_eq(mm_fixed_allowed(self & ~(P - 1), P), 0);
	both_unmap(10, 2);
	cr_assert_eq(
		mmap(d.win + 10 * P, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		(void *)(d.win + 10 * P));
	cr_assert_eq(mm_fixed_allowed(w, WIN * P), 0, "a host page inside the guest window");
	cr_assert_eq(mm_fixed_allowed(w + 11 * P, P), 1, "the still free page beside it");
}
