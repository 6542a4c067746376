/* SPDX-License-Identifier: MIT */
/* The guest's memory map: a sorted array of VMAs kept in step with the guest's mm syscalls. */
#include "translator/mm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_mman.h"
#include "translator/syscall.h"

#define PAGE	  LINUX_PAGE_SIZE
#define PROT_MASK (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC)
/* Linux never merges special mappings (VM_PFNMAP/VM_IO-like vdso and vvar pages). */
#define NO_MERGE      (LX_VMA_VDSO | LX_VMA_VVAR)
#define ACCOUNT_NEVER (LX_VMA_SHARED | LX_VMA_NORESERVE)
/* /proc/self/maps pads the name column to 25 + sizeof(void *) * 6 - 1 on a 64-bit kernel. */
#define MAPS_NAME_COL 72

/*
 * Names are shared between the pieces of a split mapping, so splitting never allocates: once
 * an operation has reserved array slots up front, nothing after that point can fail and the
 * map never ends up half changed.
 */
struct name_box {
	size_t refs;
	char s[];
};

/* The VMAs are vmas[0..nvma), a window of the allocation base[0..cap) that starts head slots
 * in: an insertion or removal moves whichever side of it is shorter, so work at either end of
 * the map (a program mapping upwards, then unmapping in the same order) costs no copying of
 * the whole array; only the slots after the window are reserved ahead. */
static struct lx_vma *base, *vmas;
static size_t nvma, cap, head;
static pthread_mutex_t mm_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static mm_observer observer;

void mm_set_observer(mm_observer fn)
{
	observer = fn;
}

static void changed(uint64_t start, uint64_t end)
{
	if (observer)
		observer(start, end);
}

static struct name_box *name_box(char *s)
{
	return (struct name_box *)(s - offsetof(struct name_box, s));
}

static char *name_new(const char *s)
{
	size_t n = strlen(s) + 1;
	struct name_box *b = malloc(sizeof(*b) + n);
	if (!b)
		return NULL;
	b->refs = 1;
	memcpy(b->s, s, n);
	return b->s;
}

static char *name_get(char *s)
{
	if (s)
		name_box(s)->refs++;
	return s;
}

static void name_put(char *s)
{
	if (s && --name_box(s)->refs == 0)
		free(name_box(s));
}

static int is_file(const struct lx_vma *v)
{
	return v->dev || v->ino;
}

/* Round len up to pages and compute the end; page-aligned start, no wrap-around. */
static int page_range(uint64_t start, uint64_t len, uint64_t *end)
{
	if (start & (PAGE - 1))
		return -LINUX_EINVAL;
	if (len > UINT64_MAX - (PAGE - 1))
		return -LINUX_EINVAL;
	len = (len + PAGE - 1) & ~(PAGE - 1);
	if (len > UINT64_MAX - start)
		return -LINUX_EINVAL;
	*end = start + len;
	return 0;
}

/* Index of the first VMA ending above addr (nvma if none). */
static size_t first_after(uint64_t addr)
{
	size_t lo = 0, hi = nvma;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (vmas[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Make room for extra more VMAs after the window. */
static int reserve(size_t extra)
{
	if (head + nvma + extra <= cap)
		return 0;
	if (head >= nvma + extra) {
		/* the slack is in front (unmapped from below): slide down, amortised by the
		 * head removals that made it */
		memmove(base, vmas, nvma * sizeof(*vmas));
		head = 0;
		vmas = base;
		return 0;
	}
	size_t ncap = cap ? cap * 2 : 64;
	while (ncap < head + nvma + extra)
		ncap *= 2;
	struct lx_vma *n = realloc(base, ncap * sizeof(*n));
	if (!n)
		return -LINUX_ENOMEM;
	base = n;
	vmas = base + head;
	cap = ncap;
	return 0;
}

/* Insert count VMAs at index i; the slots must be reserved. */
static void insert_at(size_t i, const struct lx_vma *v, size_t count)
{
	if (head >= count && i < nvma - i) {
		memmove(vmas - count, vmas, i * sizeof(*vmas));
		vmas -= count;
		head -= count;
	} else {
		memmove(&vmas[i + count], &vmas[i], (nvma - i) * sizeof(*vmas));
	}
	memcpy(&vmas[i], v, count * sizeof(*vmas));
	nvma += count;
}

static void remove_at(size_t i, size_t count)
{
	if (!count)
		return;
	for (size_t k = i; k < i + count; k++)
		name_put(vmas[k].name);
	if (i < nvma - i - count) {
		memmove(vmas + count, vmas, i * sizeof(*vmas));
		vmas += count;
		head += count;
	} else {
		memmove(&vmas[i], &vmas[i + count], (nvma - i - count) * sizeof(*vmas));
	}
	nvma -= count;
}

/* Cut the VMA that strictly contains addr in two; needs one reserved slot. */
static void split_at(uint64_t addr)
{
	size_t i = first_after(addr);
	if (i == nvma || vmas[i].start >= addr)
		return;
	struct lx_vma right = vmas[i];
	right.start = addr;
	if (is_file(&right))
		right.offset += addr - vmas[i].start;
	name_get(right.name);
	vmas[i].end = addr;
	insert_at(i + 1, &right, 1);
}

static int same_name(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return a == b || strcmp(a, b) == 0;
}

/* Linux's vma_merge test, less what we cannot see (userfaultfd, anon_vmas of one process). */
static int can_merge(const struct lx_vma *a, const struct lx_vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags)
		return 0;
	if (a->policy != b->policy || a->anon != b->anon)
		return 0;
	if ((a->flags & NO_MERGE) || a->dev != b->dev || a->ino != b->ino)
		return 0;
	if (!same_name(a->name, b->name))
		return 0;
	return !is_file(a) || a->offset + (a->end - a->start) == b->offset;
}

/* Merge equal neighbours among vmas[lo..hi] (indices clamped to the array). */
static void merge_window(size_t lo, size_t hi)
{
	if (hi >= nvma)
		hi = nvma ? nvma - 1 : 0;
	size_t k = lo;
	while (k < hi) {
		if (can_merge(&vmas[k], &vmas[k + 1])) {
			vmas[k].end = vmas[k + 1].end;
			remove_at(k + 1, 1);
			hi--;
		} else {
			k++;
		}
	}
}

/* Drop [start, end) from the map; needs two reserved slots. Returns the index of the gap. */
static size_t unmap_range(uint64_t start, uint64_t end)
{
	split_at(start);
	split_at(end);
	size_t i = first_after(start), j = i;
	while (j < nvma && vmas[j].start < end)
		j++;
	remove_at(i, j - i);
	return i;
}

void mm_lock(void)
{
	pthread_mutex_lock(&mm_mutex);
}

void mm_unlock(void)
{
	pthread_mutex_unlock(&mm_mutex);
}

void mm_atfork_child(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&mm_mutex, &a);
	pthread_mutexattr_destroy(&a);
}

/* Does [start, end) have a resident page? mincore in steps of a fixed vector. */
static int has_pages(uint64_t start, uint64_t end)
{
	unsigned char vec[1024];
	while (start < end) {
		uint64_t n = (end - start) / PAGE;
		if (n > sizeof(vec))
			n = sizeof(vec);
		if (mincore((void *)start, n * PAGE, vec) < 0)
			return 0;
		for (uint64_t k = 0; k < n; k++)
			if (vec[k] & 1)
				return 1;
		start += n * PAGE;
	}
	return 0;
}

/*
 * Only a private mapping that has been writable can have anonymous pages (Linux allocates the
 * anon_vma on the first write fault; a read fault maps the zero page). For an anonymous
 * mapping a resident page is such a page (a read-only touch of the zero page counts too: the
 * one case this gets wrong); a file mapping's resident pages are the page cache's, so any file
 * mapping that was writable is taken to have copied pages.
 */
void mm_forked(void)
{
	static uint64_t next_anon;
	mm_lock();
	for (size_t i = 0; i < nvma; i++) {
		struct lx_vma *v = &vmas[i];
		if (v->anon || (v->flags & (LX_VMA_SHARED | NO_MERGE)) || !(v->flags & LX_VMA_ACCOUNT))
			continue;
		if (is_file(v) || has_pages(v->start, v->end))
			v->anon = ++next_anon;
	}
	mm_unlock();
}

void mm_init(void)
{
	mm_lock();
	remove_at(0, nvma);
	mm_unlock();
}

int mm_map(uint64_t start, uint64_t len, unsigned prot, unsigned flags, uint64_t offset,
	   uint64_t dev, uint64_t ino, const char *name)
{
	uint64_t end;
	int r = page_range(start, len, &end);
	if (r < 0)
		return r;
	struct lx_vma v = {
		.start = start,
		.end = end,
		.prot = prot & PROT_MASK,
		.flags = flags,
		.offset = offset,
		.dev = dev,
		.ino = ino,
	};
	if (len == 0 || (is_file(&v) && (offset & (PAGE - 1))))
		return -LINUX_EINVAL;
	if (!is_file(&v))
		v.offset = 0;
	if ((v.prot & LINUX_PROT_WRITE) && !(flags & ACCOUNT_NEVER))
		v.flags |= LX_VMA_ACCOUNT;
	if (name && !(v.name = name_new(name)))
		return -LINUX_ENOMEM;
	mm_lock();
	r = reserve(3);
	if (r < 0) {
		name_put(v.name);
		goto out;
	}
	size_t i = unmap_range(start, end);
	insert_at(i, &v, 1);
	merge_window(i ? i - 1 : 0, i + 1);
	changed(start, end);
out:
	mm_unlock();
	return r;
}

int mm_unmap(uint64_t start, uint64_t len)
{
	uint64_t end;
	int r = page_range(start, len, &end);
	if (r < 0)
		return r;
	if (len == 0)
		return -LINUX_EINVAL;
	mm_lock();
	r = reserve(2);
	if (r == 0) {
		unmap_range(start, end);
		changed(start, end);
	}
	mm_unlock();
	return r;
}

/* Apply step(vma, arg) to every VMA of [start, start+len), which must be fully mapped
 * (else ENOMEM), split at both ends and merged again afterwards; changed() reports it when
 * notify is set. */
static int apply_range(uint64_t start, uint64_t len, void (*step)(struct lx_vma *, uint64_t),
		       uint64_t arg, int notify)
{
	uint64_t end;
	int r = page_range(start, len, &end);
	if (r < 0 || len == 0)
		return r;
	mm_lock();
	if (mm_covered(start, end - start) != 1) {
		r = -LINUX_ENOMEM;
		goto out;
	}
	r = reserve(2);
	if (r < 0)
		goto out;
	split_at(start);
	split_at(end);
	size_t i = first_after(start), j = i;
	for (; j < nvma && vmas[j].start < end; j++)
		step(&vmas[j], arg);
	merge_window(i ? i - 1 : 0, j);
	if (notify)
		changed(start, end);
out:
	mm_unlock();
	return r;
}

static void protect_step(struct lx_vma *v, uint64_t prot)
{
	/* Linux drops VM_ACCOUNT again only for anonymous memory never written to; we cannot
	 * see writes and assume memory made writable was written. */
	if ((prot & LINUX_PROT_WRITE) && !(v->flags & ACCOUNT_NEVER))
		v->flags |= LX_VMA_ACCOUNT;
	v->prot = (unsigned)prot & PROT_MASK;
}

int mm_protect(uint64_t start, uint64_t len, unsigned prot)
{
	return apply_range(start, len, protect_step, prot, 1);
}

/* Copy of v limited to [start, end) and moved by delta, sharing v's name. */
static struct lx_vma vma_piece(const struct lx_vma *v, uint64_t start, uint64_t end, uint64_t delta)
{
	struct lx_vma p = *v;
	if (is_file(v))
		p.offset += start - v->start;
	p.start = start + delta;
	p.end = end + delta;
	name_get(p.name);
	return p;
}

int mm_remap(uint64_t old, uint64_t old_len, uint64_t new_addr, uint64_t new_len)
{
	uint64_t old_end, new_end;
	int r = page_range(old, old_len, &old_end);
	if (r == 0)
		r = page_range(new_addr, new_len, &new_end);
	if (r < 0)
		return r;
	if (new_len == 0)
		return -LINUX_EINVAL;
	old_len = old_end - old;
	new_len = new_end - new_addr;
	uint64_t keep = old_len < new_len ? old_len : new_len;
	uint64_t delta = new_addr - old; /* wraps on purpose: added back modulo 2^64 */

	mm_lock();
	struct lx_vma *pieces = NULL;
	size_t npieces = 0;
	const struct lx_vma *src = mm_find(old_len ? old_end - 1 : old);
	if (!src || mm_covered(old, old_len) != 1) {
		r = -LINUX_EFAULT;
		goto out;
	}
	size_t i = first_after(old);
	size_t n = 0;
	while (keep && i + n < nvma && vmas[i + n].start < old + keep)
		n++;
	pieces = malloc((n + 1) * sizeof(*pieces));
	if (!pieces || reserve(n + 5) < 0) {
		r = -LINUX_ENOMEM;
		goto out;
	}
	src = mm_find(old_len ? old_end - 1 : old); /* reserve may have moved the array */
	for (size_t k = 0; k < n; k++) {
		const struct lx_vma *v = &vmas[i + k];
		uint64_t s = v->start > old ? v->start : old;
		uint64_t e = v->end < old + keep ? v->end : old + keep;
		pieces[npieces++] = vma_piece(v, s, e, delta);
	}
	if (new_len > old_len) {
		/* Growth continues the mapping that ends the old range (or, for old_len 0, the
		 * one at old), with the next file offsets. */
		uint64_t from = old + old_len;
		pieces[npieces++] = vma_piece(src, from, from + (new_len - old_len), delta);
	}
	if (old_len)
		unmap_range(old, old_end);
	size_t at = unmap_range(new_addr, new_end);
	insert_at(at, pieces, npieces);
	merge_window(at ? at - 1 : 0, at + npieces);
	if (old_len)
		changed(old, old_end);
	changed(new_addr, new_end);
out:
	free(pieces);
	mm_unlock();
	return r;
}

int mm_covered(uint64_t start, uint64_t len)
{
	if (len > UINT64_MAX - start)
		return -LINUX_EINVAL;
	if (len == 0)
		return 1;
	uint64_t end = start + len, pos = start;
	int r = 1;
	mm_lock();
	for (size_t i = first_after(start); pos < end; i++) {
		if (i == nvma || vmas[i].start > pos) {
			r = 0;
			break;
		}
		pos = vmas[i].end;
	}
	mm_unlock();
	return r;
}

int mm_overlaps(uint64_t start, uint64_t len)
{
	if (len > UINT64_MAX - start)
		return -LINUX_EINVAL;
	if (len == 0)
		return 0;
	mm_lock();
	size_t i = first_after(start);
	int r = i < nvma && vmas[i].start < start + len;
	mm_unlock();
	return r;
}

const struct lx_vma *mm_list(size_t *count)
{
	*count = nvma;
	return vmas;
}

const struct lx_vma *mm_find(uint64_t addr)
{
	size_t i = first_after(addr);
	return i < nvma && vmas[i].start <= addr ? &vmas[i] : NULL;
}

const struct lx_vma *mm_list_from(uint64_t addr, size_t *count)
{
	size_t i = first_after(addr);
	*count = nvma - i;
	return vmas + i;
}

int mm_sealed(uint64_t start, uint64_t len)
{
	if (len > UINT64_MAX - start)
		return -LINUX_EINVAL;
	mm_lock();
	int r = 0;
	for (size_t i = first_after(start); i < nvma && vmas[i].start < start + len; i++)
		if (vmas[i].flags & LX_VMA_SEALED)
			r = 1;
	mm_unlock();
	return r;
}

static void seal_step(struct lx_vma *v, uint64_t unused)
{
	(void)unused;
	v->flags |= LX_VMA_SEALED;
}

int mm_seal(uint64_t start, uint64_t len)
{
	return apply_range(start, len, seal_step, 0, 0);
}

static void policy_step(struct lx_vma *v, uint64_t key)
{
	v->policy = key;
}

int mm_set_policy(uint64_t start, uint64_t len, uint64_t key)
{
	return apply_range(start, len, policy_step, key, 0);
}

static const char *default_name(unsigned flags)
{
	if (flags & LX_VMA_VDSO)
		return "[vdso]";
	if (flags & LX_VMA_VVAR)
		return "[vvar]";
	if (flags & LX_VMA_HEAP)
		return "[heap]";
	if (flags & LX_VMA_STACK)
		return "[stack]";
	return NULL;
}

int mm_query(uint64_t addr, int next, unsigned want, int file_only, struct lx_vma *out,
	     char *name, size_t size)
{
	int r = -LINUX_ENOENT;
	mm_lock();
	for (size_t i = first_after(addr); i < nvma; i++) {
		const struct lx_vma *v = &vmas[i];
		if (!next && v->start > addr)
			break;
		unsigned have = v->prot | (v->flags & LX_VMA_SHARED ? 8u : 0);
		if ((have & want) != want || (file_only && !is_file(v))) {
			if (!next)
				break;
			continue;
		}
		*out = *v;
		const char *n = v->name ? v->name : default_name(v->flags);
		snprintf(name, size, "%s", n ? n : "");
		r = 0;
		break;
	}
	mm_unlock();
	return r;
}

/* st_dev as Linux encodes it for user space (new_encode_dev, glibc's major()/minor()). */
static unsigned dev_major(uint64_t dev)
{
	return (unsigned)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~(uint64_t)0xfff));
}

static unsigned dev_minor(uint64_t dev)
{
	return (unsigned)((dev & 0xff) | ((dev >> 12) & ~(uint64_t)0xff));
}

unsigned mm_dev_major(uint64_t dev)
{
	return dev_major(dev);
}

unsigned mm_dev_minor(uint64_t dev)
{
	return dev_minor(dev);
}

/* One line as fs/proc/task_mmu.c writes it; returns the bytes written. */
static size_t render_vma(char *out, const struct lx_vma *v)
{
	char *p = out;
	p += sprintf(p, "%08" PRIx64 "-%08" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64 " ",
		     v->start, v->end, v->prot & LINUX_PROT_READ ? 'r' : '-',
		     v->prot & LINUX_PROT_WRITE ? 'w' : '-', v->prot & LINUX_PROT_EXEC ? 'x' : '-',
		     v->flags & LX_VMA_SHARED ? 's' : 'p', v->offset, dev_major(v->dev),
		     dev_minor(v->dev), v->ino);
	const char *name = v->name ? v->name : default_name(v->flags);
	if (name) {
		while (p - out < MAPS_NAME_COL)
			*p++ = ' ';
		*p++ = ' ';
		/* seq_path(..., "\n"): a newline in a path is written as an octal escape. */
		for (; *name; name++) {
			if (*name == '\n') {
				memcpy(p, "\\012", 4);
				p += 4;
			} else {
				*p++ = *name;
			}
		}
	}
	*p++ = '\n';
	return (size_t)(p - out);
}

char *mm_render_maps(size_t *len)
{
	/* Widest prefix: two 16-digit addresses, 16-digit offset, 20-digit inode, separators. */
	const size_t fixed = MAPS_NAME_COL + 2 * 16 + 16 + 20 + 16;
	mm_lock();
	size_t size = 1;
	for (size_t i = 0; i < nvma; i++) {
		const char *name = vmas[i].name ? vmas[i].name : default_name(vmas[i].flags);
		size += fixed + (name ? 4 * strlen(name) : 0);
	}
	char *buf = malloc(size);
	size_t n = 0;
	if (buf) {
		for (size_t i = 0; i < nvma; i++)
			n += render_vma(buf + n, &vmas[i]);
		buf[n] = '\0';
		*len = n;
	}
	mm_unlock();
	return buf;
}

/*
 * Call fn for each host mapping overlapping [start, end), read from /proc/self/maps; stop at
 * the first non-zero return of fn and return it. Only the address field of each line is read,
 * so lines of any length (long paths) stream through a fixed buffer.
 */
static int host_maps_walk(uint64_t start, uint64_t end,
			  int (*fn)(uint64_t s, uint64_t e, void *ctx), void *ctx)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (int)lx_errno(errno);
	char buf[8192];
	uint64_t lo = 0, hi = 0;
	int field = 0; /* 0: start address, 1: end address, 2: rest of the line */
	int r = 0;
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = (int)lx_errno(errno);
			break;
		}
		if (got == 0)
			break;
		for (ssize_t k = 0; k < got && r == 0; k++) {
			char c = buf[k];
			if (c == '\n') {
				field = 0;
				lo = hi = 0;
				continue;
			}
			if (field == 2)
				continue;
			if (field == 0 && c == '-') {
				field = 1;
				continue;
			}
			if (field == 1 && c == ' ') {
				field = 2;
				if (lo < end && hi > start)
					r = fn(lo, hi, ctx);
				continue;
			}
			unsigned d = c >= 'a' ? (unsigned)(c - 'a' + 10) : (unsigned)(c - '0');
			if (field == 0)
				lo = lo << 4 | d;
			else
				hi = hi << 4 | d;
		}
		if (r)
			break;
	}
	close(fd);
	return r;
}

static int host_mapped(uint64_t s, uint64_t e, void *ctx)
{
	return 1;
}

int mm_host_range_free(uint64_t start, uint64_t len)
{
	if (len > UINT64_MAX - start)
		return -LINUX_EINVAL;
	if (len == 0)
		return 1;
	int r = host_maps_walk(start, start + len, host_mapped, NULL);
	return r < 0 ? r : !r;
}

/* A host mapping inside the range that is not entirely the guest's makes MAP_FIXED unsafe. */
static int host_not_guest(uint64_t s, uint64_t e, void *ctx)
{
	const uint64_t *range = ctx;
	if (s < range[0])
		s = range[0];
	if (e > range[1])
		e = range[1];
	return mm_covered(s, e - s) != 1;
}

int mm_fixed_allowed(uint64_t start, uint64_t len)
{
	if (len > UINT64_MAX - start)
		return -LINUX_EINVAL;
	if (len == 0)
		return 1;
	uint64_t range[2] = {start, start + len};
	mm_lock();
	/* The common case (ld.so mapping segments into a region it reserved): all of it is the
	 * guest's already, so none of it is lxrun's, and the host's map need not be read. */
	if (mm_covered(start, len) == 1) {
		mm_unlock();
		return 1;
	}
	int r = host_maps_walk(start, start + len, host_not_guest, range);
	mm_unlock();
	return r < 0 ? r : !r;
}
