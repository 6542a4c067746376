/* SPDX-License-Identifier: MIT */
/* Maps a validated ELF's PT_LOAD segments through a loader_mapper, the way Linux's elf_load() does. */
#include "loader/internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "abi/linux_errno.h"

#define LINUX_PROT_READ  1
#define LINUX_PROT_WRITE 2
#define LINUX_PROT_EXEC  4

/* Largest p_align honoured when choosing an ET_DYN base (Linux honours any power of two). */
#define LOADER_ALIGN_MAX (1ull << 30)

int load_undo_add(const struct loader_mapper *m, struct load_undo *u, uint64_t addr, uint64_t len)
{
	if (u->n == u->cap) {
		int cap = u->cap ? u->cap * 2 : 8;
		struct load_range *r = realloc(u->r, cap * sizeof(*r));

		if (!r) {
			m->unmap(m->ctx, addr, len);
			return -LINUX_ENOMEM;
		}
		u->r = r;
		u->cap = cap;
	}
	u->r[u->n].addr = addr;
	u->r[u->n].len = len;
	u->n++;
	return 0;
}

void load_undo_all(const struct loader_mapper *m, struct load_undo *u)
{
	while (u->n > 0) {
		u->n--;
		m->unmap(m->ctx, u->r[u->n].addr, u->r[u->n].len);
	}
	free(u->r);
	memset(u, 0, sizeof(*u));
}

uint64_t loader_random_u64(void)
{
	uint64_t v;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v))
		return v;
	/* Only reached very early in boot: weak randomness beats failing the exec. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	v = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
	return v ^ (v >> 29);
}

int loader_reserve_random(const struct loader_mapper *m, uint64_t lo, uint64_t hi, uint64_t len,
			  uint64_t align, uint64_t *addr)
{
	uint64_t slots, a;
	int64_t r = -LINUX_ENOMEM;

	if (len == 0 || hi <= lo || len > hi - lo || align > hi - lo - len + 1)
		return -LINUX_ENOMEM;
	slots = (hi - lo - len) / align + 1;
	for (int i = 0; i < 16; i++) {
		a = (lo + (loader_random_u64() % slots) * align) & ~(align - 1);
		if (a < lo)
			a += align;
		r = m->reserve(m->ctx, a, len, 1);
		if (r >= 0) {
			*addr = r;
			return 0;
		}
	}
	/* The region is crowded: take whatever the mapper offers, over-reserving to align. */
	r = m->reserve(m->ctx, lo, len + align, 0);
	if (r < 0)
		return r;
	a = ((uint64_t)r + align - 1) & ~(align - 1);
	if (a > (uint64_t)r)
		m->unmap(m->ctx, r, a - r);
	if ((uint64_t)r + align > a)
		m->unmap(m->ctx, a + len, (uint64_t)r + align - a);
	*addr = a;
	return 0;
}

static int elf_prot(uint32_t flags)
{
	return (flags & PF_R ? LINUX_PROT_READ : 0) | (flags & PF_W ? LINUX_PROT_WRITE : 0) |
	       (flags & PF_X ? LINUX_PROT_EXEC : 0);
}

static int range_cmp(const void *a, const void *b)
{
	const struct load_range *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * ET_EXEC: reserve exactly the pages the segments cover (merged), not the holes between them,
 * so a binary whose segments are far apart does not need terabytes of free address space.
 */
static int map_reserve_exec(const struct loader_mapper *m, const struct elf_file *f,
			    struct load_undo *undo)
{
	struct load_range *r = malloc(f->ehdr.e_phnum * sizeof(*r));
	int n = 0, err = 0;

	if (!r)
		return -LINUX_ENOMEM;
	for (int i = 0; i < f->ehdr.e_phnum; i++) {
		const Elf64_Phdr *ph = &f->phdr[i];

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		r[n].addr = LOADER_PAGE_DOWN(ph->p_vaddr);
		r[n].len = LOADER_PAGE_DOWN(ph->p_vaddr + ph->p_memsz + LOADER_PAGE_MASK) - r[n].addr;
		n++;
	}
	qsort(r, n, sizeof(*r), range_cmp);
	for (int i = 0; i < n && !err;) {
		uint64_t lo = r[i].addr, hi = r[i].addr + r[i].len;
		int64_t got;

		for (i++; i < n && r[i].addr <= hi; i++)
			if (r[i].addr + r[i].len > hi)
				hi = r[i].addr + r[i].len;
		got = m->reserve(m->ctx, lo, hi - lo, 1);
		if (got < 0)
			err = got;
		else if ((uint64_t)got != lo) {
			m->unmap(m->ctx, got, hi - lo);
			err = -LINUX_EEXIST;
		} else
			err = load_undo_add(m, undo, lo, hi - lo);
	}
	free(r);
	return err;
}

static int map_reserve_dyn(const struct loader_mapper *m, const struct elf_file *f, uint64_t base,
			   int is_interp, uint64_t span, struct load_undo *undo, uint64_t *out)
{
	uint64_t align = LOADER_PAGE;
	int64_t got;
	int err;

	for (int i = 0; i < f->ehdr.e_phnum; i++) {
		uint64_t a = f->phdr[i].p_align;

		if (f->phdr[i].p_type == PT_LOAD && a > align && !(a & (a - 1)) && a <= LOADER_ALIGN_MAX)
			align = a;
	}
	if (base) {
		if (LOADER_PAGE_OFF(base) || base > LOADER_TASK_SIZE || span > LOADER_TASK_SIZE - base)
			return -LINUX_EINVAL;
		got = m->reserve(m->ctx, base, span, 1);
		if (got < 0)
			return got;
		if ((uint64_t)got != base) {
			m->unmap(m->ctx, got, span);
			return -LINUX_EEXIST;
		}
	} else {
		err = is_interp ? loader_reserve_random(m, LOADER_INTERP_LO, LOADER_INTERP_HI, span, align, &base)
				: loader_reserve_random(m, LOADER_PIE_LO, LOADER_PIE_HI, span, align, &base);
		if (err)
			return err;
	}
	*out = base;
	return load_undo_add(m, undo, base, span);
}

/* padzero(): clear the rest of the last file-backed page of a segment with a bss. */
static int map_zero_tail(const struct loader_mapper *m, const struct elf_file *f, uint64_t zs,
			 uint64_t file_off, int prot)
{
	static const uint8_t zeros[LOADER_PAGE];
	uint64_t page = LOADER_PAGE_DOWN(zs);
	int64_t r;

	/* The page lies past the end of the file: touching it would be SIGBUS. Linux gets
	 * EFAULT from clear_user() and only cares if the segment is writable. */
	if (file_off >= f->size)
		return prot & LINUX_PROT_WRITE ? -LINUX_EFAULT : 0;
	if (!(prot & LINUX_PROT_WRITE)) {
		r = m->protect(m->ctx, page, LOADER_PAGE, prot | LINUX_PROT_READ | LINUX_PROT_WRITE);
		if (r < 0)
			return r;
	}
	r = m->write(m->ctx, zs, zeros, LOADER_PAGE - LOADER_PAGE_OFF(zs));
	if (!(prot & LINUX_PROT_WRITE)) {
		int64_t p = m->protect(m->ctx, page, LOADER_PAGE, prot);

		if (r >= 0)
			r = p;
	}
	return r < 0 ? r : 0;
}

static int map_segment(const struct loader_mapper *m, const struct elf_file *f, const Elf64_Phdr *ph,
		       uint64_t bias, const char **why)
{
	uint64_t addr = bias + ph->p_vaddr, end = addr + ph->p_memsz, zs;
	int prot = elf_prot(ph->p_flags);
	int64_t r;

	if (ph->p_filesz) {
		uint64_t pageoff = LOADER_PAGE_OFF(addr);
		uint64_t maddr = LOADER_PAGE_DOWN(addr), off = ph->p_offset - pageoff;
		uint64_t mlen = LOADER_PAGE_DOWN(ph->p_filesz + pageoff + LOADER_PAGE_MASK);

		r = m->map_file(m->ctx, maddr, mlen, prot, f->fd, off);
		if (r < 0) {
			*why = "mapping a PT_LOAD segment from the file failed";
			return r;
		}
		zs = addr + ph->p_filesz;
		if (ph->p_memsz > ph->p_filesz && LOADER_PAGE_OFF(zs)) {
			r = map_zero_tail(m, f, zs, off + (LOADER_PAGE_DOWN(zs) - maddr), prot);
			if (r < 0) {
				*why = "clearing the bss tail of a segment failed";
				return r;
			}
		}
		zs = LOADER_PAGE_DOWN(zs + LOADER_PAGE_MASK);
	} else {
		/* Like vm_brk_flags(): a file-less segment takes over its whole first page. */
		zs = LOADER_PAGE_DOWN(addr);
	}
	end = LOADER_PAGE_DOWN(end + LOADER_PAGE_MASK);
	if (ph->p_memsz > ph->p_filesz && end > zs) {
		r = m->map_anon(m->ctx, zs, end - zs, prot);
		if (r < 0) {
			*why = "mapping the bss of a segment failed";
			return r;
		}
	}
	return 0;
}

int elf_map(const struct loader_mapper *m, struct elf_file *f, uint64_t base, int is_interp,
	    struct loader_image *img, struct load_undo *undo, const char **why)
{
	const Elf64_Ehdr *eh = &f->ehdr;
	uint64_t lo = UINT64_MAX, hi = 0, span, bias = 0, phdr = 0;
	int err;

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &f->phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (LOADER_PAGE_DOWN(ph->p_vaddr) < lo)
			lo = LOADER_PAGE_DOWN(ph->p_vaddr);
		if (ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
		/* AT_PHDR as Linux >= 5.18 computes it: from the PT_LOAD holding e_phoff. */
		if (ph->p_offset <= eh->e_phoff && eh->e_phoff - ph->p_offset < ph->p_filesz)
			phdr = eh->e_phoff - ph->p_offset + ph->p_vaddr;
	}
	span = LOADER_PAGE_DOWN(hi - lo + LOADER_PAGE_MASK);
	if (eh->e_type == ET_DYN) {
		err = map_reserve_dyn(m, f, base, is_interp, span, undo, &base);
		if (err) {
			*why = "no room to place the ET_DYN object";
			return err;
		}
		bias = base - lo;
	} else {
		err = map_reserve_exec(m, f, undo);
		if (err) {
			*why = "the ET_EXEC segments' addresses are not available";
			return err;
		}
	}
	for (int i = 0; i < eh->e_phnum; i++) {
		if (f->phdr[i].p_type != PT_LOAD)
			continue;
		err = map_segment(m, f, &f->phdr[i], bias, why);
		if (err)
			return err;
	}
	img->load_bias = bias;
	img->entry = eh->e_entry + bias;
	img->phdr = phdr + bias;
	img->phent = sizeof(Elf64_Phdr);
	img->phnum = eh->e_phnum;
	img->start = lo + bias;
	img->end = lo + bias + span;
	img->brk = img->end;
	img->exec_stack = elf_exec_stack(f);
	return 0;
}
