/* SPDX-License-Identifier: MIT */
/* The guest's memory map: which parts of the shared address space are the guest's mappings. */
#ifndef LXRUN_TRANSLATOR_MM_H
#define LXRUN_TRANSLATOR_MM_H

#include <stddef.h>
#include <stdint.h>

/* Attributes of a guest mapping beyond its protection. */
#define LX_VMA_SHARED	 0x01u /* MAP_SHARED: 's' in /proc/self/maps */
#define LX_VMA_STACK	 0x02u /* the initial stack: named [stack] */
#define LX_VMA_HEAP	 0x04u /* the brk area: named [heap] */
#define LX_VMA_VDSO	 0x08u /* named [vdso]; never merged */
#define LX_VMA_VVAR	 0x10u /* named [vvar]; never merged */
#define LX_VMA_GROWSDOWN 0x20u /* MAP_GROWSDOWN */
#define LX_VMA_NORESERVE 0x40u /* MAP_NORESERVE (Linux's VM_NORESERVE) */
/* Set by mm itself, like Linux's VM_ACCOUNT: a private mapping that has been writable. Linux
 * never clears it on a file mapping, so a RELRO page made read-only stays apart from the
 * read-only neighbour it would otherwise merge with; mm keeps the same lines apart. */
#define LX_VMA_ACCOUNT 0x80u
/* mseal: Linux's VM_SEALED. The host kernel refuses changes of a sealed range itself; the
 * flag is for what lxrun does without asking it (munmap of a range it splits per mapping). */
#define LX_VMA_SEALED 0x100u

/*
 * One guest mapping. A mapping is file-backed when dev or ino is non-zero; anonymous mappings
 * always have offset 0, as Linux shows them. name overrides the default name that flags give
 * ([heap], [stack], [vdso], [vvar]), which is how "[vvar_vclock]" or "[anon:x]" are recorded.
 */
struct lx_vma {
	uint64_t start, end; /* page aligned, end exclusive */
	unsigned prot;	     /* Linux PROT_READ | PROT_WRITE | PROT_EXEC */
	unsigned flags;	     /* LX_VMA_* */
	uint64_t offset;     /* file offset of start */
	uint64_t dev, ino;   /* of the mapped file, dev as in st_dev (0 for anonymous) */
	char *name;	     /* guest path of the mapped file, or NULL; owned */
	/* The NUMA policy mbind gave the range, as a key (0: none, MPOL_DEFAULT): Linux keeps
	 * ranges of unequal policies apart (mpol_equal in its merge test). */
	uint64_t policy;
	/* Non-zero once a fork child inherited this mapping with anonymous pages: Linux's
	 * anon_vma chain then holds the parent's anon_vma too, and the mapping merges only with
	 * pieces of itself (is_mergeable_anon_vma, vma_had_uncowed_parents). */
	uint64_t anon;
};

/*
 * Every function takes the map's lock itself; the lock is recursive, so a caller may hold
 * mm_lock() around a check-then-change sequence (mm_overlaps, host mmap, mm_map) and around
 * any use of the pointers mm_list() and mm_find() return.
 *
 * Lengths are rounded up to whole pages as the mm syscalls do; start addresses must be page
 * aligned. Errors are negative Linux errno: -LINUX_EINVAL for misaligned or wrapping ranges,
 * -LINUX_ENOMEM when memory runs out (the map is then left valid, at worst less merged).
 */

/* Empty the map (start-up, execve). */
void mm_init(void);

/* Record a mapping of [start, start+len), replacing the guest mappings it overlaps (MAP_FIXED)
 * and merging with equal neighbours as Linux does. */
int mm_map(uint64_t start, uint64_t len, unsigned prot, unsigned flags, uint64_t offset,
	   uint64_t dev, uint64_t ino, const char *name);

/* Forget [start, start+len); mappings partly inside are cut. len 0 is -LINUX_EINVAL, as for
 * munmap; a range without guest mappings is not an error. */
int mm_unmap(uint64_t start, uint64_t len);

/* Change the protection of exactly the pages of [start, start+len). The whole range must be
 * guest mappings (-LINUX_ENOMEM otherwise, nothing changed). */
int mm_protect(uint64_t start, uint64_t len, unsigned prot);

/*
 * Record the result of a successful mremap: [old, old+old_len) now lives at
 * [new_addr, new_addr+new_len) with its attributes and file offsets; growth continues the last
 * mapping of the old range. old_len 0 duplicates (shared mappings) without unmapping the old.
 * The old range must be guest mappings (-LINUX_EFAULT otherwise).
 */
int mm_remap(uint64_t old, uint64_t old_len, uint64_t new_addr, uint64_t new_len);

/* Is every byte of [start, start+len) inside some guest mapping? Any start is accepted.
 * 1 yes (also for len 0), 0 no, -LINUX_EINVAL if the range wraps around. */
int mm_covered(uint64_t start, uint64_t len);

/* Does any guest mapping overlap [start, start+len)? 1 yes, 0 no (also for len 0),
 * -LINUX_EINVAL if the range wraps around. */
int mm_overlaps(uint64_t start, uint64_t len);

/* The guest mappings sorted by address, valid until the next change; hold mm_lock(). */
const struct lx_vma *mm_list(size_t *count);

/* The guest mappings from the first one ending above addr: *count of them, sorted, valid
 * until the next change; hold mm_lock(). */
const struct lx_vma *mm_list_from(uint64_t addr, size_t *count);

/* PROCMAP_QUERY's search: the mapping containing addr (next: or the first after it) whose
 * protection has the bits of want (8: shared) and, with file_only, a file; a copy in *out
 * (name not owned) and its /proc/self/maps name ("" for none) in name. 0 or -LINUX_ENOENT. */
int mm_query(uint64_t addr, int next, unsigned want, int file_only, struct lx_vma *out,
	     char *name, size_t size);
/* The major and minor of a st_dev (Linux's user-space encoding). */
unsigned mm_dev_major(uint64_t dev);
unsigned mm_dev_minor(uint64_t dev);

/* Is any page of [start, start+len) in a sealed guest mapping? 1 yes, 0 no. */
int mm_sealed(uint64_t start, uint64_t len);

/* Mark [start, start+len) sealed; it must all be guest mappings (-LINUX_ENOMEM otherwise). */
int mm_seal(uint64_t start, uint64_t len);

/* The guest mapping containing addr, or NULL; valid until the next change; hold mm_lock(). */
const struct lx_vma *mm_find(uint64_t addr);

void mm_lock(void);
void mm_unlock(void);

/* Called with the map locked after each change of [start, end) (map, unmap, protect, remap):
 * the emulate engine keeps its CPU's memory map in step with it. NULL: nobody. */
typedef void (*mm_observer)(uint64_t start, uint64_t end);
void mm_set_observer(mm_observer fn);

/* In a fork child: the lock may have been held by a thread that does not exist there. */
void mm_atfork_child(void);
/* In a fork child (not a vfork one): give each private mapping that has pages of its own an
 * anon identity, so that it stays apart from new neighbours as Linux keeps it. */
void mm_forked(void);
/* After a successful mbind of [start, start+len): the range's policy key (0: MPOL_DEFAULT).
 * Splits and merges as Linux's mbind_range does. */
int mm_set_policy(uint64_t start, uint64_t len, uint64_t key);

/* /proc/self/maps of the guest, in Linux's format. A malloc'd string (*len bytes, plus a NUL
 * not counted), or NULL when memory runs out. */
char *mm_render_maps(size_t *len);

/* Is [start, start+len) free of any host mapping (the guest's included)? From the host's
 * /proc/self/maps. 1 free, 0 something is mapped there, negative Linux errno on error. */
int mm_host_range_free(uint64_t start, uint64_t len);

/* May a guest MAP_FIXED replace [start, start+len)? Only if every host mapping in the range
 * is a guest mapping, so that lxrun's own memory is never overwritten. 1 yes, 0 no, negative
 * Linux errno on error. */
int mm_fixed_allowed(uint64_t start, uint64_t len);

#endif
