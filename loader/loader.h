/* SPDX-License-Identifier: MIT */
/* ELF-64 loader: validates an executable, maps it (and its PT_INTERP) and builds the initial stack. */
#ifndef LXRUN_LOADER_LOADER_H
#define LXRUN_LOADER_LOADER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Where the loader puts memory. The translator backs this with host mmap and its VMA list;
 * the Unicorn engine with uc_mem_map_ptr; tests with plain mmap (loader_host_mapper()).
 * Every callback returns 0 / an address on success or a negative Linux errno.
 * prot uses Linux PROT_* bits (1 read, 2 write, 4 exec).
 */
struct loader_mapper {
	void *ctx;
	/* Reserve len bytes (PROT_NONE). hint != 0 && fixed: exactly there, failing if taken
	 * (-EEXIST); hint != 0 && !fixed: near hint; hint == 0: anywhere. Returns the address. */
	int64_t (*reserve)(void *ctx, uint64_t hint, uint64_t len, int fixed);
	/* Map len bytes of the open host fd at file offset off, at exactly addr (inside a
	 * reservation, replacing it). addr and off are page aligned. */
	int64_t (*map_file)(void *ctx, uint64_t addr, uint64_t len, int prot, int fd, uint64_t off);
	/* Map zeroed anonymous memory at exactly addr (inside a reservation). */
	int64_t (*map_anon)(void *ctx, uint64_t addr, uint64_t len, int prot);
	int64_t (*protect)(void *ctx, uint64_t addr, uint64_t len, int prot);
	/* Copy into guest memory (used for bss tails and the stack); the range is mapped writable. */
	int64_t (*write)(void *ctx, uint64_t addr, const void *src, size_t len);
	/* Release a range (used to undo a failed load). */
	int64_t (*unmap)(void *ctx, uint64_t addr, uint64_t len);
};

/* A mapper that maps straight into this process with mmap(2). */
const struct loader_mapper *loader_host_mapper(void);

/* One loaded ELF object (the program or its interpreter). */
struct loader_image {
	uint64_t load_bias;  /* 0 for ET_EXEC */
	uint64_t entry;      /* e_entry + load_bias */
	uint64_t phdr;       /* guest address of the program headers (for AT_PHDR) */
	uint16_t phent, phnum;
	uint64_t start, end; /* lowest and highest (page-rounded) address mapped */
	uint64_t brk;        /* page-aligned end of the highest PT_LOAD's memory: initial program break */
	int exec_stack;      /* PT_GNU_STACK asked for PF_X (without one x86-64 Linux keeps the stack non-exec) */
};

struct loader_options {
	/* Host path lookups go through this hook so the translator can resolve PT_INTERP and #!
	 * interpreters inside its VFS/--root. Returns an open host fd (O_RDONLY|O_CLOEXEC) or a
	 * negative Linux errno. NULL: open(2) on the host path as given. */
	int (*open_path)(void *ctx, const char *path);
	void *open_ctx;
	uint64_t stack_size;    /* bytes to reserve for the main stack; 0: 8 MiB */
	uint64_t pie_base;      /* base for ET_DYN programs; 0: loader chooses (randomised) */
	uint64_t interp_base;   /* base for the interpreter; 0: loader chooses */
	uint64_t vdso_base;     /* AT_SYSINFO_EHDR value; 0: omit the entry */
	uint64_t hwcap, hwcap2; /* AT_HWCAP, AT_HWCAP2 (caller hides FSGSBASE) */
	uint64_t minsigstksz;   /* AT_MINSIGSTKSZ; 0: omit the entry */
	uint32_t uid, euid, gid, egid;
};

/* Everything the engine needs to start the guest. */
struct loader_result {
	struct loader_image prog;
	struct loader_image interp; /* valid when has_interp */
	int has_interp;
	uint64_t entry;     /* where to jump: interp.entry if has_interp else prog.entry */
	uint64_t sp;        /* initial rsp: points at argc */
	uint64_t stack_lo, stack_hi;
	uint64_t auxv;      /* guest address of the auxv array on the stack */
	uint64_t auxv_len;  /* bytes, including the AT_NULL entry */
	uint64_t execfn;    /* guest address of the AT_EXECFN string */
	char path[4096];    /* the file finally loaded (after #! resolution) */
	/*
	 * Set when loader_exec() failed after the point where Linux's execve(2) can no longer
	 * return (the old image is gone): Linux kills the task with SIGSEGV instead of returning
	 * the error. Layout errors of the ELF (misaligned or overflowing PT_LOAD, p_filesz >
	 * p_memsz, no PT_LOAD, bad entry, a bad interpreter type) and mapping failures are such.
	 */
	int no_return;
};

/*
 * Load path with argv/envp as execve(2) would: #! scripts are resolved (interpreter, optional
 * single argument, script path; at most 4 levels as Linux, -ELOOP beyond), the ELF is
 * validated, mapped through m, its PT_INTERP loaded, and the stack built.
 * Returns 0 or a negative Linux errno matching what execve(2) returns for the same file
 * (ENOENT, EACCES, ENOEXEC, ELOOP, ENAMETOOLONG, EISDIR->EACCES, E2BIG, ENOMEM, ELIBBAD...).
 * On failure *why points at a static human-readable reason, or is NULL when the errno alone
 * explains it (ENOENT, EACCES on open).
 */
int loader_exec(const struct loader_mapper *m, const struct loader_options *opt, const char *path,
		char *const argv[], char *const envp[], struct loader_result *out, const char **why);

/* Validate an in-memory ELF image without mapping anything (used by the fuzz harness and by
 * loader_exec). Returns 0 or -LINUX_ENOEXEC / -LINUX_ELIBBAD etc.; *why as above. */
int loader_check_elf(const void *data, size_t size, const char **why);

#endif
