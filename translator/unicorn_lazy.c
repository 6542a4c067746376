/* SPDX-License-Identifier: MIT */
/* Unicorn, loaded on first use (as capstone_lazy.c does for capstone): linked normally, its
 * ~80,000 relocations would cost every lxrun start-up, and only --engine emulate uses it.
 * These definitions of the entry points lxrun calls load it with dlopen. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <unicorn/unicorn.h>

static struct {
	uc_err (*open)(uc_arch, uc_mode, uc_engine **);
	uc_err (*close)(uc_engine *);
	const char *(*strerror)(uc_err);
	uc_err (*hook_add)(uc_engine *, uc_hook *, int, void *, void *, uint64_t, uint64_t, ...);
	uc_err (*hook_del)(uc_engine *, uc_hook);
	uc_err (*reg_read)(uc_engine *, int, void *);
	uc_err (*reg_write)(uc_engine *, int, const void *);
	uc_err (*reg_read_batch)(uc_engine *, int *, void **, int);
	uc_err (*reg_write_batch)(uc_engine *, int *, void *const *, int);
	uc_err (*mem_map_ptr)(uc_engine *, uint64_t, size_t, uint32_t, void *);
	uc_err (*mem_unmap)(uc_engine *, uint64_t, size_t);
	uc_err (*mem_regions)(uc_engine *, uc_mem_region **, uint32_t *);
	uc_err (*free)(void *);
	uc_err (*emu_start)(uc_engine *, uint64_t, uint64_t, uint64_t, size_t);
	uc_err (*emu_stop)(uc_engine *);
	uc_err (*ctl)(uc_engine *, uc_control_type, ...);
} u;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen("libunicorn.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libunicorn.so", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	*(void **)&u.close = dlsym(h, "uc_close");
	*(void **)&u.strerror = dlsym(h, "uc_strerror");
	*(void **)&u.hook_add = dlsym(h, "uc_hook_add");
	*(void **)&u.hook_del = dlsym(h, "uc_hook_del");
	*(void **)&u.reg_read = dlsym(h, "uc_reg_read");
	*(void **)&u.reg_write = dlsym(h, "uc_reg_write");
	*(void **)&u.reg_read_batch = dlsym(h, "uc_reg_read_batch");
	*(void **)&u.reg_write_batch = dlsym(h, "uc_reg_write_batch");
	*(void **)&u.mem_map_ptr = dlsym(h, "uc_mem_map_ptr");
	*(void **)&u.mem_unmap = dlsym(h, "uc_mem_unmap");
	*(void **)&u.mem_regions = dlsym(h, "uc_mem_regions");
	*(void **)&u.free = dlsym(h, "uc_free");
	*(void **)&u.emu_start = dlsym(h, "uc_emu_start");
	*(void **)&u.emu_stop = dlsym(h, "uc_emu_stop");
	*(void **)&u.ctl = dlsym(h, "uc_ctl");
	/* last: the others are set once open is */
	*(void **)&u.open = dlsym(h, "uc_open");
}

/* Every use starts with uc_open: it is the one that loads (and can fail cleanly). */
uc_err uc_open(uc_arch arch, uc_mode mode, uc_engine **uc)
{
	pthread_once(&once, load);
	if (!u.open)
		return UC_ERR_HANDLE;
	return u.open(arch, mode, uc);
}

uc_err uc_close(uc_engine *uc)
{
	return u.close(uc);
}

const char *uc_strerror(uc_err code)
{
	if (!u.strerror)
		return "libunicorn.so.2 cannot be loaded (Debian package libunicorn2)";
	return u.strerror(code);
}

uc_err uc_hook_add(uc_engine *uc, uc_hook *hh, int type, void *callback, void *user_data,
		   uint64_t begin, uint64_t end, ...)
{
	/* Only UC_HOOK_INSN takes an extra argument (the instruction). */
	if (type == UC_HOOK_INSN) {
		va_list ap;
		va_start(ap, end);
		int insn = va_arg(ap, int);
		va_end(ap);
		return u.hook_add(uc, hh, type, callback, user_data, begin, end, insn);
	}
	return u.hook_add(uc, hh, type, callback, user_data, begin, end);
}

uc_err uc_hook_del(uc_engine *uc, uc_hook hh)
{
	return u.hook_del(uc, hh);
}

uc_err uc_reg_read(uc_engine *uc, int regid, void *value)
{
	return u.reg_read(uc, regid, value);
}

uc_err uc_reg_write(uc_engine *uc, int regid, const void *value)
{
	return u.reg_write(uc, regid, value);
}

uc_err uc_reg_read_batch(uc_engine *uc, int *regs, void **vals, int count)
{
	return u.reg_read_batch(uc, regs, vals, count);
}

uc_err uc_reg_write_batch(uc_engine *uc, int *regs, void *const *vals, int count)
{
	return u.reg_write_batch(uc, regs, vals, count);
}

uc_err uc_mem_map_ptr(uc_engine *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)
{
	return u.mem_map_ptr(uc, address, size, perms, ptr);
}

uc_err uc_mem_unmap(uc_engine *uc, uint64_t address, size_t size)
{
	return u.mem_unmap(uc, address, size);
}

uc_err uc_mem_regions(uc_engine *uc, uc_mem_region **regions, uint32_t *count)
{
	return u.mem_regions(uc, regions, count);
}

uc_err uc_free(void *mem)
{
	return u.free(mem);
}

uc_err uc_emu_start(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)
{
	return u.emu_start(uc, begin, until, timeout, count);
}

uc_err uc_emu_stop(uc_engine *uc)
{
	return u.emu_stop(uc);
}

/* The uc_ctl calls lxrun makes: none, one or two uint64_t/int arguments. */
uc_err uc_ctl(uc_engine *uc, uc_control_type control, ...)
{
	va_list ap;
	va_start(ap, control);
	uint64_t a = va_arg(ap, uint64_t), b = va_arg(ap, uint64_t);
	va_end(ap);
	return u.ctl(uc, control, a, b);
}
