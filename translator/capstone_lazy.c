/* SPDX-License-Identifier: MIT */
/* Capstone, loaded on first use. Linked normally, libcapstone's ~79,000 relocations cost about
 * a millisecond at every lxrun start-up (most runs never disassemble anything); these
 * definitions of the few entry points lxrun uses load it with dlopen instead. */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

static struct {
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*close)(csh *);
	size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t, cs_insn **);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
	void (*free)(cs_insn *, size_t);
	cs_insn *(*malloc)(csh);
	cs_err (*option)(csh, cs_opt_type, size_t);
} cs;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen("libcapstone.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libcapstone.so", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	*(void **)&cs.open = dlsym(h, "cs_open");
	*(void **)&cs.close = dlsym(h, "cs_close");
	*(void **)&cs.disasm = dlsym(h, "cs_disasm");
	*(void **)&cs.disasm_iter = dlsym(h, "cs_disasm_iter");
	*(void **)&cs.free = dlsym(h, "cs_free");
	*(void **)&cs.malloc = dlsym(h, "cs_malloc");
	*(void **)&cs.option = dlsym(h, "cs_option");
}

/* Every caller starts with cs_open: it is the one that loads (and can fail cleanly). */
cs_err cs_open(cs_arch arch, cs_mode mode, csh *handle)
{
	pthread_once(&once, load);
	if (!cs.open)
		return CS_ERR_MEM;
	return cs.open(arch, mode, handle);
}

cs_err cs_close(csh *handle)
{
	return cs.close ? cs.close(handle) : CS_ERR_HANDLE;
}

size_t cs_disasm(csh h, const uint8_t *code, size_t size, uint64_t address, size_t count,
		 cs_insn **insn)
{
	return cs.disasm ? cs.disasm(h, code, size, address, count, insn) : 0;
}

bool cs_disasm_iter(csh h, const uint8_t **code, size_t *size, uint64_t *address, cs_insn *insn)
{
	return cs.disasm_iter ? cs.disasm_iter(h, code, size, address, insn) : false;
}

void cs_free(cs_insn *insn, size_t count)
{
	if (cs.free)
		cs.free(insn, count);
}

cs_insn *cs_malloc(csh h)
{
	return cs.malloc ? cs.malloc(h) : NULL;
}

cs_err cs_option(csh h, cs_opt_type type, size_t value)
{
	return cs.option ? cs.option(h, type, value) : CS_ERR_HANDLE;
}
