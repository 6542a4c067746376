/* SPDX-License-Identifier: MIT */
/* Malformed executables: loader_exec() must fail (or succeed) exactly as native execve(2) does. */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "loader/loader.h"
#include "tests/loader/differential.h"

static struct blob S(void)
{
	return blob_tiny("static");
}

static struct blob D(void)
{
	return blob_tiny("dyn");
}

#define EH(b) blob_ehdr(b)
#define PH(b, i) blob_phdr(b, i)

Test(errors, empty_file)
{
	expect_same1(test_file("empty", "", 0, 0755));
}

Test(errors, truncated_header)
{
	struct blob b = S();

	expect_same1(test_file("trunc10", b.d, 10, 0755));
	expect_same1(test_file("trunc64", b.d, 64, 0755));
	expect_same1(test_file("trunc200", b.d, 200, 0755));
}

Test(errors, bad_magic)
{
	struct blob b = S();

	b.d[1] = 'F';
	expect_same1(blob_write("badmagic", b));
}

/* Linux never reads EI_CLASS, EI_DATA, EI_VERSION or e_version: such files run natively. */
Test(errors, ident_bytes_ignored)
{
	static const struct { int off; uint8_t val; const char *name; } pokes[] = {
		{ EI_CLASS, ELFCLASS32, "class32" }, { EI_CLASS, ELFCLASSNONE, "class0" },
		{ EI_DATA, ELFDATA2MSB, "msb" }, { EI_DATA, ELFDATANONE, "data0" },
		{ EI_VERSION, 0, "ver0" }, { EI_OSABI, 97, "osabi" },
	};

	for (size_t i = 0; i < sizeof(pokes) / sizeof(pokes[0]); i++) {
		struct blob b = S();

		b.d[pokes[i].off] = pokes[i].val;
		cr_expect_eq(expect_same1(blob_write(pokes[i].name, b)), 0);
	}
	struct blob b = S();

	EH(b)->e_version = 0;
	expect_same1(blob_write("ev0", b));
}

/* A big-endian header for real: every multi-byte field swapped (e_machine reads as 0x3e00). */
Test(errors, big_endian_header)
{
	struct blob b = S();
	Elf64_Ehdr *e = EH(b);

	e->e_ident[EI_DATA] = ELFDATA2MSB;
	e->e_type = __builtin_bswap16(e->e_type);
	e->e_machine = __builtin_bswap16(e->e_machine);
	e->e_phoff = __builtin_bswap64(e->e_phoff);
	e->e_phentsize = __builtin_bswap16(e->e_phentsize);
	e->e_phnum = __builtin_bswap16(e->e_phnum);
	cr_expect_eq(expect_same1(blob_write("bigendian", b)), -LINUX_ENOEXEC);
}

/*
 * A genuine i386 executable (exit(0) via int $0x80). Linux runs it through the compat ELF
 * loader when IA32 emulation is on; lxrun runs x86-64 code only, so ENOEXEC is the honest
 * answer and native behaviour cannot be matched here.
 */
Test(errors, real_i386_elf)
{
	struct __attribute__((packed)) {
		Elf32_Ehdr eh;
		Elf32_Phdr ph;
		uint8_t code[9];
	} f = {
		.eh = { .e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
			.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
			.e_entry = 0x08048000 + sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr),
			.e_phoff = sizeof(Elf32_Ehdr), .e_ehsize = sizeof(Elf32_Ehdr),
			.e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 1 },
		.ph = { .p_type = PT_LOAD, .p_vaddr = 0x08048000, .p_paddr = 0x08048000,
			.p_filesz = sizeof(f), .p_memsz = sizeof(f), .p_flags = PF_R | PF_X,
			.p_align = 0x1000 },
		.code = { 0xb8, 1, 0, 0, 0, 0x31, 0xdb, 0xcd, 0x80 },
	};
	struct loader_result r;
	char *p = test_file("i386", &f, sizeof(f), 0755);

	cr_expect_eq(loader_exec(NULL, NULL, p, (char *[]){ p, NULL }, (char *[]){ NULL }, &r, NULL),
		     -LINUX_ENOEXEC);
}

Test(errors, wrong_machine)
{
	struct blob b = S();

	EH(b)->e_machine = EM_AARCH64;
	expect_same1(blob_write("aarch64", b));
	b = S();
	EH(b)->e_machine = EM_386;
	expect_same1(blob_write("em386", b));
}

Test(errors, wrong_type)
{
	struct blob b = S();

	EH(b)->e_type = ET_REL;
	cr_expect_eq(expect_same1(blob_write("etrel", b)), -LINUX_ENOEXEC);
	b = S();
	EH(b)->e_type = ET_CORE;
	cr_expect_eq(expect_same1(blob_write("etcore", b)), -LINUX_ENOEXEC);
	b = S();
	EH(b)->e_type = ET_NONE;
	expect_same1(blob_write("etnone", b));
}

/* An ET_EXEC relabelled ET_DYN loads (at a random base) and only crashes later. */
Test(errors, exec_relabelled_dyn)
{
	struct blob b = S();

	EH(b)->e_type = ET_DYN;
	expect_same1(blob_write("etdyn", b));
}

Test(errors, phentsize)
{
	struct blob b = S();

	EH(b)->e_phentsize = sizeof(Elf64_Phdr) - 1;
	expect_same1(blob_write("phent55", b));
	b = S();
	EH(b)->e_phentsize = sizeof(Elf32_Phdr);
	expect_same1(blob_write("phent32", b));
}

Test(errors, phnum)
{
	static const uint16_t counts[] = { 0, 0xffff, 65536 / sizeof(Elf64_Phdr) + 1 };

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct blob b = S();
		char name[32];

		EH(b)->e_phnum = counts[i];
		snprintf(name, sizeof(name), "phnum%u", counts[i]);
		cr_expect_eq(expect_same1(blob_write(name, b)), -LINUX_ENOEXEC);
	}
}

/* 1170 headers (just under 64 KiB): the table is read, then garbage PT_LOADs kill the exec. */
Test(errors, phnum_garbage)
{
	struct blob b = S();

	EH(b)->e_phnum = 65536 / sizeof(Elf64_Phdr);
	expect_same1(blob_write("phgarbage", b));
}

Test(errors, phdrs_outside_file)
{
	struct blob b = S();

	EH(b)->e_phoff = b.n - 100;
	expect_same1(blob_write("phoff_end", b));
	b = S();
	EH(b)->e_phoff = 1ull << 62;
	expect_same1(blob_write("phoff_far", b));
	b = S();
	EH(b)->e_phoff = UINT64_MAX - 8;
	expect_same1(blob_write("phoff_wrap", b));
}

/* Section headers are never looked at by execve. */
Test(errors, bad_section_headers)
{
	struct blob b = S();

	EH(b)->e_shoff = 1ull << 40;
	EH(b)->e_shnum = 0xffff;
	cr_expect_eq(expect_same1(blob_write("shoff", b)), 0);
}

static int last_load(struct blob b)
{
	int i = -1;

	for (int j = 0; blob_find(b, PT_LOAD, j) >= 0; j++)
		i = blob_find(b, PT_LOAD, j);
	return i;
}

Test(errors, filesz_gt_memsz)
{
	struct blob b = S();
	Elf64_Phdr *ph = PH(b, last_load(b));

	ph->p_filesz = ph->p_memsz + 0x1000;
	expect_same1(blob_write("filesz", b));
}

/* Linux maps later PT_LOADs over earlier ones (MAP_FIXED); the result still execs. */
Test(errors, overlapping_load)
{
	struct blob b = S();

	PH(b, blob_find(b, PT_LOAD, 2))->p_vaddr = PH(b, blob_find(b, PT_LOAD, 1))->p_vaddr + 0x1000;
	expect_same1(blob_write("overlap", b));
}

Test(errors, misaligned_load)
{
	struct blob b = S();
	Elf64_Phdr *ph = PH(b, blob_find(b, PT_LOAD, 1));

	ph->p_vaddr += 8;
	ph->p_paddr += 8;
	expect_same1(blob_write("misalign", b));
}

Test(errors, descending_load)
{
	struct blob b = S();
	Elf64_Phdr tmp, *x = PH(b, blob_find(b, PT_LOAD, 1)), *y = PH(b, blob_find(b, PT_LOAD, 2));

	tmp = *x;
	*x = *y;
	*y = tmp;
	cr_expect_eq(expect_same1(blob_write("descend", b)), 0);
}

/*
 * No PT_LOAD at all: Linux "succeeds" (ET_EXEC and ET_DYN alike) and the task dies with
 * SIGSEGV on its first instruction. lxrun refuses after the point of no return instead (the same visible end)
 * rather than jump into memory it did not map.
 */
Test(errors, no_load)
{
	struct blob b = S();
	struct loader_result r;
	char *p;
	int i;

	while ((i = blob_find(b, PT_LOAD, 0)) >= 0)
		PH(b, i)->p_type = PT_NULL;
	for (int dyn = 0; dyn < 2; dyn++) {
		struct native_exec n;

		EH(b)->e_type = dyn ? ET_DYN : ET_EXEC;
		p = blob_write(dyn ? "noload_dyn" : "noload", blob_dup(b));
		native_exec(p, (char *[]){ p, NULL }, (char *[]){ NULL }, &n);
		cr_expect_eq(n.kind, NATIVE_EXEC, "Linux changed: it now refuses a file without PT_LOAD");
		cr_expect_eq(loader_exec(NULL, NULL, p, (char *[]){ p, NULL }, (char *[]){ NULL }, &r, NULL),
			     -LINUX_EINVAL);
		cr_expect(r.no_return);
	}
	free(b.d);
}

Test(errors, entry_outside_user_space)
{
	struct blob b = S();

	EH(b)->e_entry = 1ull << 63;
	expect_same1(blob_write("entry", b));
}

Test(errors, load_beyond_address_space)
{
	struct blob b = S();

	PH(b, last_load(b))->p_memsz = 1ull << 62;
	expect_same1(blob_write("memsz", b));
	b = S();
	PH(b, last_load(b))->p_vaddr = 0x7ffffffff000ull - 0x1000;
	expect_same1(blob_write("vaddr_top", b));
}

/* The bss tail page lies past EOF: padzero() faults (EFAULT) on a writable segment. */
Test(errors, bss_page_beyond_eof)
{
	struct blob b = S();

	PH(b, last_load(b))->p_offset += 0x1000000;
	expect_same1(blob_write("bss_eof", b));
}

/* File contents past EOF are mapped without complaint (touching them would be SIGBUS). */
Test(errors, filesz_beyond_eof)
{
	struct blob b = S();
	Elf64_Phdr *ph = PH(b, last_load(b));

	ph->p_filesz += 0x100000;
	ph->p_memsz = ph->p_filesz;
	expect_same1(blob_write("file_eof", b));
}

Test(errors, huge_gnu_property)
{
	struct blob b = S();
	int i = blob_find(b, PT_GNU_PROPERTY, 0);

	cr_assert_geq(i, 0);
	PH(b, i)->p_filesz = 1 << 20;
	expect_same1(blob_write("gnuprop", b));
}

Test(errors, interp_without_nul)
{
	struct blob b = D();
	Elf64_Phdr *ph = PH(b, blob_find(b, PT_INTERP, 0));

	b.d[ph->p_offset + ph->p_filesz - 1] = 'x';
	cr_expect_eq(expect_same1(blob_write("inonul", b)), -LINUX_ENOEXEC);
}

Test(errors, interp_outside_file)
{
	static const uint64_t offs[] = { 10, 1ull << 40, 1ull << 63 };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct blob b = D();
		char name[32];

		PH(b, blob_find(b, PT_INTERP, 0))->p_offset = i == 0 ? b.n - offs[i] : offs[i];
		snprintf(name, sizeof(name), "iout%zu", i);
		expect_same1(blob_write(name, b));
	}
}

Test(errors, interp_size)
{
	static const uint64_t sizes[] = { 0, 1, 4096, 4097 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct blob b = D();
		char name[32];

		PH(b, blob_find(b, PT_INTERP, 0))->p_filesz = sizes[i];
		snprintf(name, sizeof(name), "isize%zu", i);
		expect_same1(blob_write(name, b));
	}
}

/* Only the first PT_INTERP counts. */
Test(errors, two_interps)
{
	struct blob b = D(), c;
	int note = blob_find(b, PT_NOTE, 0);

	cr_assert_geq(note, 0);
	*PH(b, note) = *PH(b, blob_find(b, PT_INTERP, 0));
	c = blob_dup(b);
	cr_expect_eq(expect_same1(blob_write("interp2", b)), 0);
	/* The second one names a missing file: still ignored. */
	{
		uint64_t off = blob_append(&c, "/nonexistent/ld.so", 19);

		PH(c, note)->p_offset = off;
		PH(c, note)->p_filesz = 19;
	}
	b = blob_dup(c);
	cr_expect_eq(expect_same1(blob_write("interp2m", c)), 0);
	/* Swapped: the first names the missing file. */
	{
		Elf64_Phdr tmp = *PH(b, note), *first = PH(b, blob_find(b, PT_INTERP, 0));

		*PH(b, note) = *first;
		*first = tmp;
	}
	cr_expect_eq(expect_same1(blob_write("interp2f", b)), -LINUX_ENOENT);
}

static void interp_case(const char *name, const char *interp)
{
	struct blob b = D();

	blob_set_interp(&b, interp);
	expect_same1(blob_write(name, b));
}

Test(errors, interp_missing)
{
	interp_case("imiss", "/nonexistent/ld-linux-x86-64.so.2");
	interp_case("iempty_path", "");
	{
		/* "" with a size of 2 passes the size check; the kernel then opens the cwd. */
		struct blob b = D();
		Elf64_Phdr *ph = PH(b, blob_find(b, PT_INTERP, 0));

		memset(b.d + ph->p_offset, 0, 2);
		ph->p_filesz = 2;
		cr_expect_eq(expect_same1(blob_write("iempty2", b)), -LINUX_EACCES);
	}
}

Test(errors, interp_not_loadable)
{
	struct blob s = S();
	char *text = test_file("text_x", "hello\n", 6, 0755);
	char *text_nox = test_file("text_nox", "hello\n", 6, 0644);
	char *empty = test_file("empty_x", "", 0, 0755);
	char *arm, *rel, *phent;

	EH(s)->e_machine = EM_AARCH64;
	arm = blob_write("arm", s);
	s = S();
	EH(s)->e_type = ET_REL;
	rel = blob_write("rel", s);
	s = S();
	EH(s)->e_phentsize = 1;
	phent = blob_write("phent", s);

	interp_case("i_text", text);         /* ELIBBAD */
	interp_case("i_text_nox", text_nox); /* EACCES */
	interp_case("i_empty", empty);       /* EIO: the header read comes up short */
	interp_case("i_arm", arm);           /* ELIBBAD */
	interp_case("i_rel", rel);           /* e_type is checked after the point of no return */
	interp_case("i_phent", phent);       /* ELIBBAD */
	interp_case("i_dir", test_dir());    /* EACCES */
}

/* A static ET_EXEC as the interpreter loads fine (AT_BASE 0). */
Test(errors, interp_is_static_exec)
{
	interp_case("i_static", tiny_path("static"));
}

Test(errors, not_executable)
{
	struct blob b = S();
	char *p = test_file("nox", b.d, b.n, 0644);

	cr_expect_eq(expect_same1(p), -LINUX_EACCES);
	cr_expect_eq(expect_same1(test_dir()), -LINUX_EACCES);
}

Test(errors, bad_paths)
{
	char *file = test_file("plain", "x", 1, 0755), *sub, *fifo, *longp;

	cr_expect_eq(expect_same1("/nonexistent/program"), -LINUX_ENOENT);
	cr_expect_eq(expect_same1(""), -LINUX_ENOENT);
	if (asprintf(&sub, "%s/child", file) < 0 || asprintf(&fifo, "%s/fifo", test_dir()) < 0)
		abort();
	cr_expect_eq(expect_same1(sub), -LINUX_ENOTDIR);
	cr_assert_eq(mkfifo(fifo, 0755), 0);
	cr_expect_eq(expect_same1(fifo), -LINUX_EACCES);
	expect_same1("/dev/null");
	longp = malloc(5000);
	memset(longp, 'a', 4999);
	longp[0] = '/';
	longp[4999] = '\0';
	cr_expect_eq(expect_same1(longp), -LINUX_ENAMETOOLONG);
}

Test(errors, text_file)
{
	cr_expect_eq(expect_same1(test_file("text", "hello world\n", 12, 0755)), -LINUX_ENOEXEC);
}

/* loader_check_elf() sees the same problems in memory. */
Test(errors, check_elf_in_memory)
{
	struct blob b = S();
	const char *why = NULL;

	cr_expect_eq(loader_check_elf(b.d, b.n, &why), 0, "%s", why ? why : "");
	cr_expect_eq(loader_check_elf(b.d, 10, &why), -LINUX_ENOEXEC);
	cr_expect_eq(loader_check_elf(NULL, 0, &why), -LINUX_ENOEXEC);
	EH(b)->e_phentsize = 3;
	cr_expect_eq(loader_check_elf(b.d, b.n, &why), -LINUX_ENOEXEC);
	cr_expect_not_null(why);
	free(b.d);
	b = S();
	PH(b, last_load(b))->p_filesz = PH(b, last_load(b))->p_memsz + 1;
	cr_expect_eq(loader_check_elf(b.d, b.n, &why), -LINUX_EINVAL);
	free(b.d);
}
