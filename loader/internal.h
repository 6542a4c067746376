/* SPDX-License-Identifier: MIT */
/* Loader internals shared by elf.c, map.c, stack.c, script.c and loader.c (not a public API). */
#ifndef LXRUN_LOADER_INTERNAL_H
#define LXRUN_LOADER_INTERNAL_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"

#define LOADER_PAGE        4096ull
#define LOADER_PAGE_MASK   (LOADER_PAGE - 1)
#define LOADER_PAGE_DOWN(x) ((uint64_t)(x) & ~LOADER_PAGE_MASK)
#define LOADER_PAGE_OFF(x)  ((uint64_t)(x) & LOADER_PAGE_MASK)

/* Linux x86-64 TASK_SIZE with 4-level paging: nothing may be mapped at or above it. */
#define LOADER_TASK_SIZE   0x7ffffffff000ull
/* include/uapi/linux/binfmts.h and fs/exec.c limits. */
#define LOADER_BUF_SIZE    256          /* BINPRM_BUF_SIZE: bytes examined for #! and the ELF header */
#define LOADER_ARG_STRLEN  131072       /* MAX_ARG_STRLEN, terminating NUL included */
#define LOADER_ARG_MAX     131072       /* ARG_MAX: the floor of the argument space */
#define LOADER_PATH_MAX    4096
#define LOADER_MAX_DEPTH   5            /* exec_binprm(): more rewrites than this give ELOOP */
#define LOADER_PHDRS_MAX   65536        /* load_elf_phdrs(): the table must fit in 64 KiB */

/* Where the loader puts things when the caller leaves the base at 0 (see the header). */
#define LOADER_PIE_LO      0x100000000000ull
#define LOADER_PIE_HI      0x200000000000ull
#define LOADER_INTERP_LO   0x300000000000ull
#define LOADER_INTERP_HI   0x400000000000ull
#define LOADER_STACK_LO    0x600000000000ull
#define LOADER_STACK_HI    0x700000000000ull
#define LOADER_STACK_DEFAULT (8ull << 20)

/*
 * An ELF file being examined: either an open host fd or a memory buffer (the fuzz harness and
 * loader_check_elf). Reads past the end are short, like kernel_read().
 */
struct elf_file {
	int fd;                 /* -1 when mem is used */
	const uint8_t *mem;
	uint64_t size;          /* file size in bytes */
	uint8_t buf[LOADER_BUF_SIZE]; /* first bytes, zero padded like bprm->buf */
	Elf64_Ehdr ehdr;
	Elf64_Phdr *phdr;       /* ehdr.e_phnum entries (malloc'd), NULL until read */
};

/* The ranges a load has reserved so far, released again if anything fails. */
struct load_undo {
	struct load_range { uint64_t addr, len; } *r;
	int n, cap;
};

/* elf.c */
int elf_file_open_fd(struct elf_file *f, int fd);
void elf_file_open_mem(struct elf_file *f, const void *data, size_t size);
void elf_file_close(struct elf_file *f);
int64_t elf_file_pread(struct elf_file *f, void *dst, size_t len, uint64_t off);
int elf_is_elf(const struct elf_file *f);
int elf_check_header(struct elf_file *f, int interp, const char **why);
int elf_find_interp(struct elf_file *f, const Elf64_Phdr **interp, char **path, const char **why);
int elf_check_layout(const struct elf_file *f, int interp, const char **why);
int elf_exec_stack(const struct elf_file *f);

/* map.c */
int elf_map(const struct loader_mapper *m, struct elf_file *f, uint64_t base, int is_interp,
	    struct loader_image *img, struct load_undo *undo, const char **why);
int load_undo_add(const struct loader_mapper *m, struct load_undo *u, uint64_t addr, uint64_t len);
void load_undo_all(const struct loader_mapper *m, struct load_undo *u);
uint64_t loader_random_u64(void);
int loader_reserve_random(const struct loader_mapper *m, uint64_t lo, uint64_t hi, uint64_t len,
			  uint64_t align, uint64_t *addr);

/* script.c */
struct loader_args {
	char **v;               /* argv strings (owned copies) */
	int n, cap;
	uint64_t limit;         /* bytes available to strings, as bprm_stack_limits() computes */
	uint64_t used;          /* bytes used so far (filename, envp, argv) */
};
int args_init(struct loader_args *a, const char *path, char *const argv[], char *const envp[],
	      uint64_t stack_size);
void args_free(struct loader_args *a);
int script_parse(const uint8_t buf[LOADER_BUF_SIZE], char **name, char **arg);
int script_rewrite(struct loader_args *a, const char *name, const char *arg, const char *script);

/* stack.c */
int stack_build(const struct loader_mapper *m, const struct loader_options *opt,
		const struct loader_args *a, char *const envp[], const char *execfn,
		struct loader_result *out, struct load_undo *undo, const char **why);

/* Host errno (Linux host: same numbers) to a negative Linux errno: the one place it happens. */
int loader_host_err(int host_errno);

#endif
