/* SPDX-License-Identifier: MIT */
/* The initial process stack: strings, AT_RANDOM bytes, argc/argv/envp and the auxiliary vector. */
#include "loader/internal.h"

#include <stdlib.h>
#include <string.h>

#include "abi/linux_auxv.h"
#include "abi/linux_errno.h"

#define LOADER_PLATFORM "x86_64"
#define LOADER_CLKTCK   100
#define LOADER_AUXV_MAX 32

struct auxv_builder {
	struct linux_auxv v[LOADER_AUXV_MAX];
	int n;
};

static void auxv_add(struct auxv_builder *b, uint64_t type, uint64_t val)
{
	b->v[b->n].a_type = type;
	b->v[b->n].a_val = val;
	b->n++;
}

/* Order as create_elf_tables() with x86's ARCH_DLINFO in front (what /proc/self/auxv shows). */
static void auxv_fill(struct auxv_builder *b, const struct loader_options *opt,
		      const struct loader_result *out, uint64_t rand_addr, uint64_t platform_addr)
{
	b->n = 0;
	if (opt->vdso_base)
		auxv_add(b, LINUX_AT_SYSINFO_EHDR, opt->vdso_base);
	/* A zero would make glibc size signal stacks at nothing; without the key it uses its
	 * built-in minimum. */
	if (opt->minsigstksz)
		auxv_add(b, LINUX_AT_MINSIGSTKSZ, opt->minsigstksz);
	auxv_add(b, LINUX_AT_HWCAP, opt->hwcap);
	auxv_add(b, LINUX_AT_PAGESZ, LOADER_PAGE);
	auxv_add(b, LINUX_AT_CLKTCK, LOADER_CLKTCK);
	auxv_add(b, LINUX_AT_PHDR, out->prog.phdr);
	auxv_add(b, LINUX_AT_PHENT, out->prog.phent);
	auxv_add(b, LINUX_AT_PHNUM, out->prog.phnum);
	auxv_add(b, LINUX_AT_BASE, out->has_interp ? out->interp.load_bias : 0);
	auxv_add(b, LINUX_AT_FLAGS, 0);
	auxv_add(b, LINUX_AT_ENTRY, out->prog.entry);
	auxv_add(b, LINUX_AT_UID, opt->uid);
	auxv_add(b, LINUX_AT_EUID, opt->euid);
	auxv_add(b, LINUX_AT_GID, opt->gid);
	auxv_add(b, LINUX_AT_EGID, opt->egid);
	auxv_add(b, LINUX_AT_SECURE, 0);
	auxv_add(b, LINUX_AT_RANDOM, rand_addr);
	auxv_add(b, LINUX_AT_HWCAP2, opt->hwcap2);
	auxv_add(b, LINUX_AT_EXECFN, out->execfn);
	auxv_add(b, LINUX_AT_PLATFORM, platform_addr);
	auxv_add(b, LINUX_AT_NULL, 0);
}

static int stack_map(const struct loader_mapper *m, uint64_t size, int exec, struct loader_result *out,
		     struct load_undo *undo)
{
	uint64_t lo;
	int64_t r;
	int err;

	err = loader_reserve_random(m, LOADER_STACK_LO, LOADER_STACK_HI, size, LOADER_PAGE, &lo);
	if (err)
		return err;
	err = load_undo_add(m, undo, lo, size);
	if (err)
		return err;
	r = m->map_anon(m->ctx, lo, size, 3 | (exec ? 4 : 0));
	if (r < 0)
		return r;
	out->stack_lo = lo;
	out->stack_hi = lo + size;
	return 0;
}

/*
 * Layout, from the top down, as Linux builds it: a zero word, the execfn string, the envp
 * strings, the argv strings (argv[0] lowest), a random 0-8 KiB gap (arch_align_stack), the
 * platform string, 16 random bytes, then argc, argv[], NULL, envp[], NULL and the auxv, with
 * the address of argc 16-byte aligned as the x86-64 ABI requires at process entry.
 */
int stack_build(const struct loader_mapper *m, const struct loader_options *opt,
		const struct loader_args *a, char *const envp[], const char *execfn,
		struct loader_result *out, struct load_undo *undo, const char **why)
{
	uint64_t size = opt->stack_size ? LOADER_PAGE_DOWN(opt->stack_size + LOADER_PAGE_MASK)
					: LOADER_STACK_DEFAULT;
	uint64_t envc = 0, p, sp, rand_addr, plat_addr, items, *words, *argv_addr;
	struct auxv_builder aux;
	uint8_t *img;
	int64_t r;
	int err;

	while (envp && envp[envc])
		envc++;
	err = stack_map(m, size, out->prog.exec_stack, out, undo);
	if (err) {
		*why = "no room for the stack";
		return err;
	}
	argv_addr = malloc((a->n + envc + 1) * sizeof(*argv_addr));
	if (!argv_addr)
		return -LINUX_ENOMEM;

	/* Strings first, so their addresses are known; a->used bounds their total size. */
	p = out->stack_hi - sizeof(uint64_t);
	p -= strlen(execfn) + 1;
	out->execfn = p;
	for (uint64_t i = envc; i-- > 0;) {
		p -= strlen(envp[i]) + 1;
		argv_addr[a->n + i] = p;
	}
	for (int i = a->n; i-- > 0;) {
		p -= strlen(a->v[i]) + 1;
		argv_addr[i] = p;
	}
	p -= loader_random_u64() % 8192;
	p &= ~15ull;
	p -= sizeof(LOADER_PLATFORM);
	plat_addr = p;
	p -= 16;
	rand_addr = p;
	auxv_fill(&aux, opt, out, rand_addr, plat_addr);
	items = (a->n + 1) + (envc + 1) + 1 + 2 * aux.n;
	sp = (p - items * sizeof(uint64_t)) & ~15ull;
	if (sp < out->stack_lo + LOADER_PAGE) {
		free(argv_addr);
		*why = "arguments do not fit on the stack";
		return -LINUX_E2BIG;
	}

	img = calloc(1, out->stack_hi - sp);
	if (!img) {
		free(argv_addr);
		return -LINUX_ENOMEM;
	}
#define AT(addr) (img + ((addr) - sp))
	memcpy(AT(out->execfn), execfn, strlen(execfn) + 1);
	for (uint64_t i = 0; i < envc; i++)
		memcpy(AT(argv_addr[a->n + i]), envp[i], strlen(envp[i]) + 1);
	for (int i = 0; i < a->n; i++)
		memcpy(AT(argv_addr[i]), a->v[i], strlen(a->v[i]) + 1);
	memcpy(AT(plat_addr), LOADER_PLATFORM, sizeof(LOADER_PLATFORM));
	for (int i = 0; i < 16; i += 8) {
		uint64_t v = loader_random_u64();

		memcpy(AT(rand_addr + i), &v, 8);
	}
	words = (uint64_t *)img;
	*words++ = a->n;
	for (int i = 0; i < a->n; i++)
		*words++ = argv_addr[i];
	*words++ = 0;
	for (uint64_t i = 0; i < envc; i++)
		*words++ = argv_addr[a->n + i];
	*words++ = 0;
	out->auxv = sp + (uint64_t)((uint8_t *)words - img);
	out->auxv_len = aux.n * sizeof(struct linux_auxv);
	memcpy(words, aux.v, out->auxv_len);
#undef AT
	r = m->write(m->ctx, sp, img, out->stack_hi - sp);
	free(img);
	free(argv_addr);
	if (r < 0) {
		*why = "writing the initial stack failed";
		return r;
	}
	out->sp = sp;
	return 0;
}
