/* SPDX-License-Identifier: MIT */
/* Loading real programs: entry, auxv, stack layout, mappings and protections against native exec. */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "abi/linux_auxv.h"
#include "abi/linux_errno.h"
#include "loader/loader.h"
#include "tests/loader/differential.h"

/* Keys Linux adds that lxrun deliberately leaves out (rseq is the translator's business). */
static int key_optional(uint64_t k)
{
	return k == LINUX_AT_RSEQ_FEATURE_SIZE || k == LINUX_AT_RSEQ_ALIGN;
}

static uint64_t aux_get(const struct loader_result *r, uint64_t key)
{
	const struct linux_auxv *a = (const struct linux_auxv *)r->auxv;

	for (; a->a_type != LINUX_AT_NULL; a++)
		if (a->a_type == key)
			return a->a_val;
	return 0;
}

/* The phdr address Linux reports: e_phoff inside the PT_LOAD that maps it. */
static uint64_t phdr_vaddr(struct blob b)
{
	for (int i = 0; i < blob_ehdr(b)->e_phnum; i++) {
		Elf64_Phdr *ph = blob_phdr(b, i);
		uint64_t off = blob_ehdr(b)->e_phoff;

		if (ph->p_type == PT_LOAD && ph->p_offset <= off && off < ph->p_offset + ph->p_filesz)
			return off - ph->p_offset + ph->p_vaddr;
	}
	return 0;
}

struct loaded {
	struct loader_result r;
	struct native_exec n;
	struct blob elf;
	char *argv[4], *envp[3];
};

static struct loaded *load(const char *which)
{
	struct loaded *l = calloc(1, sizeof(*l));
	struct loader_options opt = { .vdso_base = 0x1000, .hwcap = 0x178bfbff, .hwcap2 = 2,
				      .minsigstksz = 0xd30, .uid = 1, .euid = 2, .gid = 3, .egid = 4 };
	const char *why = NULL;
	int err;

	l->elf = blob_tiny(which);
	l->argv[0] = (char *)tiny_path(which);
	l->argv[1] = "first";
	l->argv[2] = "";
	l->envp[0] = "HOME=/nowhere";
	l->envp[1] = "X=y";
	native_exec(tiny_path(which), l->argv, l->envp, &l->n);
	cr_assert_eq(l->n.kind, NATIVE_EXEC);
	err = loader_exec(loader_host_mapper(), &opt, tiny_path(which), l->argv, l->envp, &l->r, &why);
	cr_assert_eq(err, 0, "loader_exec(%s): %d %s", which, err, why ? why : "");
	return l;
}

/* Stack: argc, argv[], NULL, envp[], NULL, auxv, all as the ABI lays them out. */
static void check_stack(struct loaded *l)
{
	uint64_t *sp = (uint64_t *)l->r.sp;
	int i;

	cr_expect_eq(l->r.sp % 16, 0, "rsp at entry must be 16-byte aligned");
	cr_expect(l->r.sp > l->r.stack_lo && l->r.sp < l->r.stack_hi);
	cr_expect_eq(sp[0], 3);
	for (i = 0; i < 3; i++)
		cr_expect_str_eq((char *)sp[1 + i], l->argv[i]);
	cr_expect_eq(sp[4], 0);
	cr_expect_str_eq((char *)sp[5], l->envp[0]);
	cr_expect_str_eq((char *)sp[6], l->envp[1]);
	cr_expect_eq(sp[7], 0);
	cr_expect_eq(l->r.auxv, (uint64_t)&sp[8]);
	cr_expect_eq(l->r.auxv_len % 16, 0);
	cr_expect_eq(((uint64_t *)l->r.auxv)[l->r.auxv_len / 8 - 2], LINUX_AT_NULL);
	cr_expect_str_eq((char *)aux_get(&l->r, LINUX_AT_EXECFN), l->argv[0]);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_EXECFN), l->r.execfn);
	cr_expect_str_eq((char *)aux_get(&l->r, LINUX_AT_PLATFORM), "x86_64");
	cr_expect(aux_get(&l->r, LINUX_AT_RANDOM) >= l->r.sp && aux_get(&l->r, LINUX_AT_RANDOM) < l->r.stack_hi);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_UID), 1);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_EGID), 4);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_SYSINFO_EHDR), 0x1000);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_HWCAP2), 2);
}

/* The auxv keys come in the order the kernel writes them, with the same fixed values. */
static void check_auxv_like_native(struct loaded *l)
{
	const struct linux_auxv *a = (const struct linux_auxv *)l->r.auxv;
	int j = 0;

	for (int i = 0; i < l->n.nauxv; i++) {
		uint64_t k = l->n.auxv[i][0];

		if (key_optional(k))
			continue;
		cr_expect_eq(a[j].a_type, k, "auxv[%d]: native key %lu, loader key %lu", j,
			     (unsigned long)k, (unsigned long)a[j].a_type);
		if (k == LINUX_AT_PAGESZ || k == LINUX_AT_CLKTCK || k == LINUX_AT_PHENT ||
		    k == LINUX_AT_PHNUM || k == LINUX_AT_FLAGS || k == LINUX_AT_SECURE)
			cr_expect_eq(a[j].a_val, l->n.auxv[i][1], "auxv key %lu value", (unsigned long)k);
		j++;
	}
	cr_expect_eq(j * 16, l->r.auxv_len, "auxv length");
}

/*
 * The pages of [lo, hi) in this process must look exactly like the native process's pages of
 * [nlo, nlo + hi - lo): same boundaries (relative to the base), protections and file offsets.
 */
static void check_maps(struct loaded *l, uint64_t lo, uint64_t hi, uint64_t nlo)
{
	struct native_map ours[64], *nat = l->n.maps;
	int n = maps_read("/proc/self/maps", lo, hi, ours, 64), k = 0;

	for (int i = 0; i < l->n.nmaps; i++) {
		if (nat[i].end <= nlo || nat[i].start >= nlo + (hi - lo))
			continue;
		cr_assert_lt(k, n, "native has more mappings in [%#lx,%#lx)", (unsigned long)nlo,
			     (unsigned long)(nlo + hi - lo));
		cr_expect_eq(ours[k].start - lo, nat[i].start - nlo, "mapping %d start", k);
		cr_expect_eq(ours[k].end - lo, nat[i].end - nlo, "mapping %d end", k);
		cr_expect_str_eq(ours[k].perms, nat[i].perms, "mapping %d at +%#lx", k,
				 (unsigned long)(ours[k].start - lo));
		cr_expect_eq(ours[k].anon, nat[i].anon, "mapping %d file-backed?", k);
		if (!nat[i].anon)
			cr_expect_eq(ours[k].offset, nat[i].offset, "mapping %d file offset", k);
		k++;
	}
	cr_expect_eq(k, n, "loader made %d mappings, native %d", n, k);
	cr_expect_gt(k, 0);
}

/* File bytes where p_filesz says, zeros from there to p_memsz. */
static void check_contents(struct loaded *l)
{
	for (int i = 0; i < blob_ehdr(l->elf)->e_phnum; i++) {
		Elf64_Phdr *ph = blob_phdr(l->elf, i);
		const uint8_t *mem = (const uint8_t *)(l->r.prog.load_bias + ph->p_vaddr);
		int zero = 1;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R))
			continue;
		cr_expect(memcmp(mem, l->elf.d + ph->p_offset, ph->p_filesz) == 0, "segment %d", i);
		for (uint64_t j = ph->p_filesz; j < ph->p_memsz; j++)
			zero &= mem[j] == 0;
		cr_expect(zero, "bss of segment %d is not zero", i);
	}
}

static struct native_map *native_stack(struct loaded *l)
{
	for (int i = 0; i < l->n.nmaps; i++)
		if (l->n.maps[i].start <= l->n.rsp && l->n.rsp < l->n.maps[i].end)
			return &l->n.maps[i];
	return NULL;
}

static void check_stack_prot(struct loaded *l)
{
	struct native_map m[4], *nat = native_stack(l);

	cr_assert_not_null(nat);
	cr_assert_eq(maps_read("/proc/self/maps", l->r.stack_lo, l->r.stack_hi, m, 4), 1);
	cr_expect_str_eq(m[0].perms, nat->perms);
	cr_expect_eq(l->r.stack_hi - l->r.stack_lo, 8 << 20);
}

Test(loader, static_exec)
{
	struct loaded *l = load("static");
	Elf64_Ehdr *eh = blob_ehdr(l->elf);

	cr_expect_eq(eh->e_type, ET_EXEC);
	cr_expect_eq(l->r.prog.load_bias, 0);
	cr_expect_eq(l->r.entry, eh->e_entry);
	cr_expect_eq(l->r.entry, l->n.rip, "entry equals the native rip after exec");
	cr_expect_not(l->r.has_interp);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_PHDR), phdr_vaddr(l->elf));
	cr_expect_eq(aux_get(&l->r, LINUX_AT_PHDR), native_auxv(&l->n, LINUX_AT_PHDR));
	cr_expect_eq(aux_get(&l->r, LINUX_AT_PHNUM), eh->e_phnum);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_ENTRY), eh->e_entry);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_BASE), 0);
	cr_expect_eq(l->r.prog.brk % 4096, 0);
	cr_expect_str_eq(l->r.path, tiny_path("static"));
	check_stack(l);
	check_auxv_like_native(l);
	check_maps(l, l->r.prog.start, l->r.prog.end, l->r.prog.start);
	check_contents(l);
	check_stack_prot(l);
	loaded_unmap(&l->r);
}

Test(loader, static_pie)
{
	struct loaded *l = load("spie");
	Elf64_Ehdr *eh = blob_ehdr(l->elf);
	uint64_t bias = l->r.prog.load_bias, nbias = native_auxv(&l->n, LINUX_AT_ENTRY) - eh->e_entry;

	cr_expect_eq(eh->e_type, ET_DYN);
	cr_expect_eq(bias % 4096, 0);
	cr_expect(bias >= 0x100000000000ull && l->r.prog.end <= 0x200000000000ull,
		  "PIE base %#lx outside its region", (unsigned long)bias);
	cr_expect_eq(l->r.entry, eh->e_entry + bias);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_ENTRY), eh->e_entry + bias);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_PHDR), phdr_vaddr(l->elf) + bias);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_PHDR) - bias, native_auxv(&l->n, LINUX_AT_PHDR) - nbias);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_BASE), 0);
	check_stack(l);
	check_auxv_like_native(l);
	check_maps(l, l->r.prog.start, l->r.prog.end, nbias + (l->r.prog.start - bias));
	check_contents(l);
	loaded_unmap(&l->r);
}

Test(loader, dynamic_with_interp)
{
	struct loaded *l = load("dyn");
	struct blob ld;
	uint64_t nbase = native_auxv(&l->n, LINUX_AT_BASE);
	uint64_t nbias = native_auxv(&l->n, LINUX_AT_ENTRY) - blob_ehdr(l->elf)->e_entry;

	cr_assert(l->r.has_interp);
	ld.d = file_slurp((char *)l->elf.d + blob_phdr(l->elf, blob_find(l->elf, PT_INTERP, 0))->p_offset,
			  &ld.n);
	cr_assert_not_null(ld.d);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_BASE), l->r.interp.load_bias);
	cr_expect(l->r.interp.load_bias >= 0x300000000000ull && l->r.interp.end <= 0x400000000000ull);
	cr_expect_eq(l->r.entry, l->r.interp.load_bias + blob_ehdr(ld)->e_entry);
	cr_expect_eq(l->r.entry - l->r.interp.load_bias, l->n.rip - nbase, "interp entry offset");
	cr_expect_eq(aux_get(&l->r, LINUX_AT_ENTRY), l->r.prog.load_bias + blob_ehdr(l->elf)->e_entry);
	cr_expect_eq(aux_get(&l->r, LINUX_AT_PHDR), phdr_vaddr(l->elf) + l->r.prog.load_bias);
	check_stack(l);
	check_auxv_like_native(l);
	check_maps(l, l->r.prog.start, l->r.prog.end, nbias + (l->r.prog.start - l->r.prog.load_bias));
	check_maps(l, l->r.interp.start, l->r.interp.end, nbase);
	check_contents(l);
	loaded_unmap(&l->r);
	free(ld.d);
}

/* The images really run: same output and exit status as when the kernel loads them. */
Test(loader, runs_like_native)
{
	static const char *which[] = { "static", "spie", "dyn" };
	static char nat[1 << 14], lod[1 << 14];

	for (int i = 0; i < 3; i++) {
		char *argv[] = { (char *)tiny_path(which[i]), "a b", "", "c", NULL };
		char *envp[] = { "LANG=C", "EMPTY=", NULL };
		int ns = native_run(argv[0], argv, envp, nat, sizeof(nat));
		int ls = loaded_run(argv[0], argv, envp, lod, sizeof(lod));

		cr_expect_eq(ls, ns, "%s: status %#x vs native %#x", which[i], ls, ns);
		cr_expect_str_eq(lod, nat, "%s\n--- native\n%s--- loaded\n%s", which[i], nat, lod);
	}
}

static struct blob with_stack_flags(int flags)
{
	struct blob b = blob_tiny("static");
	int i = blob_find(b, PT_GNU_STACK, 0);

	if (flags < 0)
		blob_phdr(b, i)->p_type = PT_NULL;
	else
		blob_phdr(b, i)->p_flags = flags;
	return b;
}

/* PF_X in PT_GNU_STACK makes the stack executable; no PT_GNU_STACK does not (x86-64). */
Test(loader, exec_stack)
{
	static const int flags[] = { PF_R | PF_W | PF_X, PF_R | PF_W, -1 };

	for (int i = 0; i < 3; i++) {
		char name[16];
		struct loaded *l = calloc(1, sizeof(*l));
		char *p;

		snprintf(name, sizeof(name), "stack%d", i);
		p = blob_write(name, with_stack_flags(flags[i]));
		l->argv[0] = p;
		native_exec(p, l->argv, l->envp, &l->n);
		cr_assert_eq(loader_exec(NULL, NULL, p, l->argv, l->envp, &l->r, NULL), 0);
		cr_expect_eq(l->r.prog.exec_stack, i == 0);
		check_stack_prot(l);
		loaded_unmap(&l->r);
	}
}

Test(loader, fixed_bases)
{
	struct loader_options opt = { .pie_base = 0x250000000000ull, .interp_base = 0x260000000000ull,
				      .stack_size = 1 << 20 };
	struct loader_result r;
	char *argv[] = { "x", NULL };

	cr_assert_eq(loader_exec(NULL, &opt, tiny_path("dyn"), argv, argv + 1, &r, NULL), 0);
	cr_expect_eq(r.prog.start, opt.pie_base);
	cr_expect_eq(r.interp.start, opt.interp_base);
	cr_expect_eq(r.stack_hi - r.stack_lo, 1 << 20);
	/* The same bases again are taken now: the load fails and leaves nothing behind. */
	{
		struct loader_result r2;
		struct native_map m[8];

		cr_expect_eq(loader_exec(NULL, &opt, tiny_path("dyn"), argv, argv + 1, &r2, NULL),
			     -LINUX_EEXIST);
		cr_expect(r2.no_return);
		cr_expect_eq(maps_read("/proc/self/maps", 0x600000000000ull, 0x700000000000ull, m, 8), 1,
			     "only the first load's stack remains");
	}
	loaded_unmap(&r);
}

/* A mapper that checks the loader's discipline: every map, protect and write must fall inside
 * a live reservation, and failed loads must release everything. */
struct audit {
	struct { uint64_t a, l; } res[64];
	int n, violations;
};

static const struct loader_mapper *host;

static int inside(struct audit *au, uint64_t a, uint64_t l)
{
	for (int i = 0; i < au->n; i++)
		if (a >= au->res[i].a && a + l <= au->res[i].a + au->res[i].l)
			return 1;
	au->violations++;
	return 0;
}

static int64_t au_reserve(void *c, uint64_t h, uint64_t l, int f)
{
	struct audit *au = c;
	int64_t r = host->reserve(host->ctx, h, l, f);

	if (r >= 0 && au->n < 64) {
		au->res[au->n].a = r;
		au->res[au->n++].l = l;
	}
	return r;
}

static int64_t au_map_file(void *c, uint64_t a, uint64_t l, int p, int fd, uint64_t o)
{
	inside(c, a, l);
	cr_expect_eq(a % 4096, 0);
	cr_expect_eq(o % 4096, 0);
	return host->map_file(host->ctx, a, l, p, fd, o);
}

static int64_t au_map_anon(void *c, uint64_t a, uint64_t l, int p)
{
	inside(c, a, l);
	return host->map_anon(host->ctx, a, l, p);
}

static int64_t au_protect(void *c, uint64_t a, uint64_t l, int p)
{
	inside(c, a, l);
	return host->protect(host->ctx, a, l, p);
}

static int64_t au_write(void *c, uint64_t a, const void *s, size_t l)
{
	inside(c, a, l);
	return host->write(host->ctx, a, s, l);
}

static int64_t au_unmap(void *c, uint64_t a, uint64_t l)
{
	struct audit *au = c;

	for (int i = 0; i < au->n; i++)
		if (au->res[i].a == a && au->res[i].l == l)
			au->res[i] = au->res[--au->n];
	return host->unmap(host->ctx, a, l);
}

Test(loader, mapper_discipline)
{
	static const char *which[] = { "static", "spie", "dyn" };
	struct audit au = { 0 };
	struct loader_mapper m = { &au, au_reserve, au_map_file, au_map_anon, au_protect, au_write,
				   au_unmap };
	struct loader_result r;
	struct blob b;
	char *argv[] = { "x", NULL }, *bad;

	host = loader_host_mapper();
	for (int i = 0; i < 3; i++) {
		au.n = 0;
		cr_assert_eq(loader_exec(&m, NULL, tiny_path(which[i]), argv, argv + 1, &r, NULL), 0);
		cr_expect_eq(au.violations, 0, "%s: access outside reservations", which[i]);
		cr_expect_geq(au.n, r.has_interp ? 3 : 2, "%s: reservations", which[i]);
		loaded_unmap(&r);
	}
	/* Fails after mapping the program: misaligned interpreter segment. */
	b = blob_tiny("spie");
	blob_phdr(b, blob_find(b, PT_LOAD, 1))->p_vaddr += 8;
	bad = blob_write("badinterp", b);
	b = blob_tiny("dyn");
	blob_set_interp(&b, bad);
	bad = blob_write("usesbad", b);
	au.n = 0;
	cr_expect_eq(loader_exec(&m, NULL, bad, argv, argv + 1, &r, NULL), -LINUX_EINVAL);
	cr_expect(r.no_return);
	cr_expect_eq(au.n, 0, "a failed load must release all its reservations");
}
