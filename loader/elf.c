/* SPDX-License-Identifier: MIT */
/* ELF-64 header and program header validation, in the order and with the errors of Linux's binfmt_elf. */
#include "loader/internal.h"

#include <errno.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_errno.h"

/*
 * What Linux checks, and when (fs/binfmt_elf.c, load_elf_binary()):
 *   before the point of no return (errors reach the caller of execve):
 *     magic, e_type (EXEC/DYN), e_machine -> ENOEXEC; e_phentsize, 0 < table <= 64 KiB and
 *     readable -> ENOEXEC; first PT_INTERP: 2 <= p_filesz <= PATH_MAX -> ENOEXEC, unreadable ->
 *     EIO, not NUL-terminated -> ENOEXEC, then the interpreter is opened and its magic,
 *     e_machine and program headers checked -> ELIBBAD.
 *   after it (execve does not return; the task is killed with SIGSEGV):
 *     everything about the PT_LOAD layout, the entry point and the interpreter's e_type.
 * Linux never looks at EI_CLASS, EI_DATA, EI_VERSION or e_version, and neither do we: a
 * 64-bit x86 file with those bytes damaged runs natively, so it must run here too.
 */

static int elf_decode(void *dst, const void *src, size_t size, Elf_Type type)
{
	Elf_Data d = { .d_buf = dst, .d_type = type, .d_size = size, .d_version = EV_CURRENT };
	Elf_Data s = { .d_buf = (void *)src, .d_type = type, .d_size = size, .d_version = EV_CURRENT };

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -LINUX_ENOEXEC;
	/* Linux reads the fields in the machine's byte order whatever EI_DATA says. */
	if (!elf64_xlatetom(&d, &s, ELFDATA2LSB))
		return -LINUX_ENOEXEC;
	return 0;
}

int64_t elf_file_pread(struct elf_file *f, void *dst, size_t len, uint64_t off)
{
	size_t done = 0;

	/* rw_verify_area(): offsets are signed 64-bit. */
	if (off > INT64_MAX || len > INT64_MAX - off)
		return -LINUX_EINVAL;
	if (f->fd < 0) {
		if (off >= f->size)
			return 0;
		if (len > f->size - off)
			len = f->size - off;
		memcpy(dst, f->mem + off, len);
		return len;
	}
	while (done < len) {
		ssize_t n = pread(f->fd, (char *)dst + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return loader_host_err(errno);
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* elf_read(): all of it or an error, a short read being -EIO. */
static int elf_read_exact(struct elf_file *f, void *dst, size_t len, uint64_t off)
{
	int64_t n = elf_file_pread(f, dst, len, off);

	if (n < 0)
		return n;
	return (uint64_t)n == len ? 0 : -LINUX_EIO;
}

static void elf_file_fill(struct elf_file *f)
{
	memset(f->buf, 0, sizeof(f->buf));
	if (elf_file_pread(f, f->buf, sizeof(f->buf), 0) < 0)
		memset(f->buf, 0, sizeof(f->buf));
	elf_decode(&f->ehdr, f->buf, sizeof(f->ehdr), ELF_T_EHDR);
}

int elf_file_open_fd(struct elf_file *f, int fd)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = fd;
	if (fstat(fd, &st) < 0)
		return loader_host_err(errno);
	f->size = st.st_size;
	elf_file_fill(f);
	return 0;
}

void elf_file_open_mem(struct elf_file *f, const void *data, size_t size)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->mem = data;
	f->size = data ? size : 0;
	elf_file_fill(f);
}

void elf_file_close(struct elf_file *f)
{
	free(f->phdr);
	f->phdr = NULL;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int elf_is_elf(const struct elf_file *f)
{
	return memcmp(f->buf, ELFMAG, SELFMAG) == 0;
}

/* load_elf_phdrs(): any failure is reported by the caller as ENOEXEC (program) or ELIBBAD. */
static int elf_read_phdrs(struct elf_file *f, const char **why)
{
	uint64_t size = (uint64_t)f->ehdr.e_phnum * sizeof(Elf64_Phdr);
	void *raw;
	int err;

	if (f->ehdr.e_phentsize != sizeof(Elf64_Phdr)) {
		*why = "e_phentsize is not sizeof(Elf64_Phdr)";
		return -1;
	}
	if (size == 0 || size > LOADER_PHDRS_MAX) {
		*why = size ? "program header table larger than 64 KiB" : "no program headers";
		return -1;
	}
	raw = malloc(size);
	f->phdr = malloc(size);
	if (!raw || !f->phdr) {
		free(raw);
		return -LINUX_ENOMEM;
	}
	err = elf_read_exact(f, raw, size, f->ehdr.e_phoff);
	if (!err)
		err = elf_decode(f->phdr, raw, size, ELF_T_PHDR);
	free(raw);
	if (err) {
		free(f->phdr);
		f->phdr = NULL;
		*why = "program headers lie outside the file";
		return -1;
	}
	return 0;
}

int elf_check_header(struct elf_file *f, int interp, const char **why)
{
	/* The interpreter's header is read with elf_read(): a file shorter than it is -EIO. */
	int bad = interp ? -LINUX_ELIBBAD : -LINUX_ENOEXEC;
	int err;

	if (interp && f->size < sizeof(Elf64_Ehdr)) {
		*why = "interpreter is shorter than an ELF header";
		return -LINUX_EIO;
	}
	if (!elf_is_elf(f)) {
		*why = interp ? "interpreter is not an ELF file" : "not an ELF file (bad magic)";
		return bad;
	}
	/* The interpreter's e_type is only looked at after the point of no return. */
	if (!interp && f->ehdr.e_type != ET_EXEC && f->ehdr.e_type != ET_DYN) {
		*why = "ELF type is neither ET_EXEC nor ET_DYN";
		return bad;
	}
	if (f->ehdr.e_machine != EM_X86_64) {
		*why = interp ? "interpreter is not an x86-64 ELF" : "not an x86-64 ELF (e_machine)";
		return bad;
	}
	err = elf_read_phdrs(f, why);
	if (err == -1)
		return bad;
	return err;
}

int elf_find_interp(struct elf_file *f, const Elf64_Phdr **interp, char **path, const char **why)
{
	const Elf64_Phdr *ph;
	char *s;
	int err;

	*interp = NULL;
	*path = NULL;
	/* Only the first PT_INTERP counts; Linux ignores any later one. */
	for (ph = f->phdr; ph < f->phdr + f->ehdr.e_phnum; ph++)
		if (ph->p_type == PT_INTERP)
			break;
	if (ph == f->phdr + f->ehdr.e_phnum)
		return 0;
	if (ph->p_filesz > LOADER_PATH_MAX || ph->p_filesz < 2) {
		*why = "PT_INTERP has an absurd size";
		return -LINUX_ENOEXEC;
	}
	s = malloc(ph->p_filesz);
	if (!s)
		return -LINUX_ENOMEM;
	err = elf_read_exact(f, s, ph->p_filesz, ph->p_offset);
	if (err) {
		*why = "PT_INTERP lies outside the file";
		free(s);
		return err;
	}
	if (s[ph->p_filesz - 1] != '\0') {
		*why = "PT_INTERP is not NUL-terminated";
		free(s);
		return -LINUX_ENOEXEC;
	}
	*interp = ph;
	*path = s;
	return 0;
}

int elf_exec_stack(const struct elf_file *f)
{
	int x = 0;

	/* The last PT_GNU_STACK wins; without one an x86-64 stack is not executable. */
	for (int i = 0; i < f->ehdr.e_phnum; i++)
		if (f->phdr[i].p_type == PT_GNU_STACK)
			x = !!(f->phdr[i].p_flags & PF_X);
	return x;
}

static int elf_check_load(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, const char **why)
{
	uint64_t pageoff = LOADER_PAGE_OFF(ph->p_vaddr);

	if (ph->p_filesz > ph->p_memsz) {
		*why = "PT_LOAD with p_filesz > p_memsz";
		return -LINUX_EINVAL;
	}
	if (ph->p_memsz > LOADER_TASK_SIZE) {
		*why = "PT_LOAD larger than the address space";
		return -LINUX_EINVAL;
	}
	if (eh->e_type == ET_EXEC &&
	    (ph->p_vaddr >= LOADER_TASK_SIZE || LOADER_TASK_SIZE - ph->p_memsz < ph->p_vaddr)) {
		*why = "PT_LOAD outside the user address space";
		return -LINUX_EINVAL;
	}
	if (ph->p_vaddr > UINT64_MAX - ph->p_memsz) {
		*why = "PT_LOAD wraps around the address space";
		return -LINUX_EINVAL;
	}
	/* Only segments with file contents are mmap()ed, so only they need the congruence. */
	if (ph->p_filesz) {
		if (ph->p_offset < pageoff || LOADER_PAGE_OFF(ph->p_offset - pageoff)) {
			*why = "PT_LOAD p_offset and p_vaddr are not congruent modulo the page size";
			return -LINUX_EINVAL;
		}
		if (ph->p_offset - pageoff > INT64_MAX - (ph->p_filesz + pageoff + LOADER_PAGE)) {
			*why = "PT_LOAD file range overflows";
			return -LINUX_EOVERFLOW;
		}
	}
	return 0;
}

int elf_check_layout(const struct elf_file *f, int interp, const char **why)
{
	const Elf64_Ehdr *eh = &f->ehdr;
	uint64_t lo = UINT64_MAX, hi = 0;
	int loads = 0, err;

	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		*why = "interpreter is neither ET_EXEC nor ET_DYN";
		return -LINUX_ELIBBAD;
	}
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &f->phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		err = elf_check_load(eh, ph, why);
		if (err)
			return err;
		loads++;
		if (LOADER_PAGE_DOWN(ph->p_vaddr) < lo)
			lo = LOADER_PAGE_DOWN(ph->p_vaddr);
		if (ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
	}
	/*
	 * Linux (6.18, tested) "runs" an ET_EXEC or ET_DYN without PT_LOAD, which then dies with
	 * SIGSEGV on its first instruction. Refusing after the point of no return gives the same
	 * visible result without jumping into memory lxrun did not map.
	 */
	if (!loads) {
		*why = "no PT_LOAD segment";
		return -LINUX_EINVAL;
	}
	if (eh->e_type == ET_DYN && hi - lo > LOADER_TASK_SIZE) {
		*why = "ET_DYN span larger than the address space";
		return -LINUX_EINVAL;
	}
	return 0;
}

int loader_check_elf(const void *data, size_t size, const char **why)
{
	struct elf_file f;
	const Elf64_Phdr *interp;
	const char *dummy;
	char *ipath = NULL;
	int err;

	if (!why)
		why = &dummy;
	*why = NULL;
	elf_file_open_mem(&f, data, size);
	err = elf_check_header(&f, 0, why);
	if (!err)
		err = elf_find_interp(&f, &interp, &ipath, why);
	if (!err)
		err = elf_check_layout(&f, 0, why);
	if (!err && f.ehdr.e_type == ET_EXEC && !ipath && f.ehdr.e_entry >= LOADER_TASK_SIZE) {
		*why = "entry point outside the user address space";
		err = -LINUX_EINVAL;
	}
	free(ipath);
	elf_file_close(&f);
	return err;
}
