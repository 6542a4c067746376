/* SPDX-License-Identifier: MIT */
/* loader_exec(): execve(2)'s sequence of opens, #! rewrites, ELF checks, mappings and stack setup. */
#include "loader/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "loader/internal.h"

/* Any x bit for root, else the bit of the class the effective ids fall in. */
static int exec_mode_ok(const struct stat *st)
{
	uid_t euid = geteuid();

	if (euid == 0)
		return (st->st_mode & 0111) != 0;
	if (st->st_uid == euid)
		return (st->st_mode & 0100) != 0;
	if (st->st_gid == getegid())
		return (st->st_mode & 0010) != 0;
	return (st->st_mode & 0001) != 0;
}

/*
 * do_open_execat(): only executable regular files; directories and the rest are EACCES.
 * internal: a name the kernel found itself (#! or PT_INTERP). Those skip getname()'s empty
 * string check, so "" walks to the current directory and fails as a directory (EACCES).
 */
static int open_exec(const struct loader_options *opt, const char *path, int internal, int *fdp)
{
	struct stat st;
	int fd, err;

	if (!path)
		return -LINUX_EFAULT;
	if (internal && !*path)
		return -LINUX_EACCES;
	if (strnlen(path, LOADER_PATH_MAX) >= LOADER_PATH_MAX)
		return -LINUX_ENAMETOOLONG;
	if (opt->open_path) {
		fd = opt->open_path(opt->open_ctx, path);
	} else {
		/* O_NONBLOCK: opening a FIFO must fail with EACCES below, not hang. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			fd = loader_host_err(errno);
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		err = loader_host_err(errno);
		goto fail;
	}
	err = -LINUX_EACCES;
	if (!S_ISREG(st.st_mode))
		goto fail;
	if (faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
		/* Old kernels without faccessat2(): judge from the mode bits. */
		if (errno == EACCES || errno == EPERM || !exec_mode_ok(&st))
			goto fail;
	}
	*fdp = fd;
	return 0;
fail:
	close(fd);
	return err;
}

struct exec_state {
	struct loader_args args;
	struct elf_file prog, interp;
	struct load_undo undo;
	char *cur;          /* path of the file being looked at */
	char *ipath;        /* PT_INTERP string */
};

/* Follow #! lines until an ELF file is open in st->prog (exec_binprm()'s loop). */
static int exec_resolve(const struct loader_options *opt, struct exec_state *st, const char **why)
{
	char *name, *arg;
	int fd, err;

	for (int depth = 0;; depth++) {
		if (depth > LOADER_MAX_DEPTH) {
			*why = "too many levels of #! interpreters";
			return -LINUX_ELOOP;
		}
		if (elf_is_elf(&st->prog))
			return 0;
		err = script_parse(st->prog.buf, &name, &arg);
		if (err) {
			*why = "neither an ELF file nor a #! script";
			return err;
		}
		err = script_rewrite(&st->args, name, arg, st->cur);
		free(arg);
		free(st->cur);
		st->cur = name;
		if (err) {
			*why = "arguments too long after the #! rewrite";
			return err;
		}
		elf_file_close(&st->prog);
		err = open_exec(opt, name, 1, &fd);
		if (err) {
			*why = "cannot execute the #! interpreter";
			return err;
		}
		err = elf_file_open_fd(&st->prog, fd);
		if (err) {
			close(fd);
			return err;
		}
	}
}

/* Everything Linux checks before begin_new_exec(): these errors reach execve's caller. */
static int exec_check(const struct loader_options *opt, struct exec_state *st, const char **why)
{
	const Elf64_Phdr *iph;
	int fd, err;

	err = elf_check_header(&st->prog, 0, why);
	if (err)
		return err;
	err = elf_find_interp(&st->prog, &iph, &st->ipath, why);
	if (err || !st->ipath)
		return err;
	err = open_exec(opt, st->ipath, 1, &fd);
	if (err) {
		*why = "cannot open the PT_INTERP interpreter";
		return err;
	}
	err = elf_file_open_fd(&st->interp, fd);
	if (err) {
		close(fd);
		st->interp.fd = -1;
		return err;
	}
	return elf_check_header(&st->interp, 1, why);
}

/* After the point of no return: lay out the images and the stack. */
static int exec_load(const struct loader_mapper *m, const struct loader_options *opt,
		     struct exec_state *st, const char *execfn, char *const envp[],
		     struct loader_result *out, const char **why)
{
	int err;

	err = elf_check_layout(&st->prog, 0, why);
	if (!err && st->ipath)
		err = elf_check_layout(&st->interp, 1, why);
	if (!err)
		err = elf_map(m, &st->prog, opt->pie_base, 0, &out->prog, &st->undo, why);
	if (err)
		return err;
	out->entry = out->prog.entry;
	if (st->ipath) {
		err = elf_map(m, &st->interp, opt->interp_base, 1, &out->interp, &st->undo, why);
		if (err)
			return err;
		out->has_interp = 1;
		out->entry = out->interp.entry;
	}
	if (out->entry >= LOADER_TASK_SIZE) {
		*why = "entry point outside the user address space";
		return -LINUX_EINVAL;
	}
	return stack_build(m, opt, &st->args, envp, execfn, out, &st->undo, why);
}

int loader_exec(const struct loader_mapper *m, const struct loader_options *opt, const char *path,
		char *const argv[], char *const envp[], struct loader_result *out, const char **why)
{
	static const struct loader_options defaults;
	struct exec_state st;
	const char *dummy;
	uint64_t stack_size;
	int fd, err;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!m)
		m = loader_host_mapper();
	if (!opt)
		opt = &defaults;
	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.prog.fd = st.interp.fd = -1;
	stack_size = opt->stack_size ? opt->stack_size : LOADER_STACK_DEFAULT;

	err = open_exec(opt, path, 0, &fd);
	if (err) {
		*why = NULL; /* the errno says it all (ENOENT, EACCES, ...) */
		return err;
	}
	err = elf_file_open_fd(&st.prog, fd);
	if (err) {
		close(fd);
		return err;
	}
	err = args_init(&st.args, path, argv, envp, stack_size);
	if (err) {
		*why = "argument list too long";
		goto out;
	}
	st.cur = strdup(path);
	err = st.cur ? exec_resolve(opt, &st, why) : -LINUX_ENOMEM;
	if (!err)
		err = exec_check(opt, &st, why);
	if (err)
		goto out;

	err = exec_load(m, opt, &st, path, envp, out, why);
	if (err) {
		out->no_return = 1;
		goto out;
	}
	strncpy(out->path, st.cur, sizeof(out->path) - 1);
	free(st.undo.r);
	st.undo.r = NULL;
	st.undo.n = 0;
out:
	load_undo_all(m, &st.undo);
	if (err) {
		int no_return = out->no_return;

		memset(out, 0, sizeof(*out));
		out->no_return = no_return;
	}
	elf_file_close(&st.prog);
	elf_file_close(&st.interp);
	args_free(&st.args);
	free(st.cur);
	free(st.ipath);
	return err;
}
