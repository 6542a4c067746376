/* SPDX-License-Identifier: MIT */
/* The loader's mapper for translate mode: host mmap plus a record in the guest VMA list. */
#include "translator/mapper.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "translator/mm.h"
#include "translator/process.h"

static const struct loader_mapper *host(void)
{
	return loader_host_mapper();
}

/* The guest path of a host fd (for the name column of /proc/self/maps). */
void mapper_fd_name(int fd, char *buf, size_t size)
{
	char link[64], tmp[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, tmp, sizeof(tmp) - 1);
	if (n < 0) {
		buf[0] = 0;
		return;
	}
	tmp[n] = 0;
	size_t rl = strlen(lx_proc.root_host);
	const char *p = tmp;
	if (rl > 1 && !strncmp(tmp, lx_proc.root_host, rl) && tmp[rl] == '/')
		p = tmp + rl;
	snprintf(buf, size, "%s", p);
}

static int64_t m_reserve(void *ctx, uint64_t hint, uint64_t len, int fixed)
{
	int64_t r = host()->reserve(host()->ctx, hint, len, fixed);
	if (r >= 0)
		mm_map((uint64_t)r, len, 0, LX_VMA_NORESERVE, 0, 0, 0, NULL);
	return r;
}

static int64_t m_map_file(void *ctx, uint64_t addr, uint64_t len, int prot, int fd, uint64_t off)
{
	int64_t r = host()->map_file(host()->ctx, addr, len, prot, fd, off);
	if (r >= 0) {
		struct stat st;
		char name[4096];
		/* the loader maps a file's segments one after another: its name is looked up
		 * once (a readlink of /proc/self/fd/N costs a path walk in /proc) */
		static struct {
			int fd;
			dev_t dev;
			ino_t ino;
			char name[4096];
		} last = {.fd = -1};
		if (fstat(fd, &st) < 0)
			memset(&st, 0, sizeof(st));
		if (st.st_ino && last.fd == fd && last.dev == st.st_dev && last.ino == st.st_ino) {
			snprintf(name, sizeof(name), "%s", last.name);
		} else {
			mapper_fd_name(fd, name, sizeof(name));
			last.fd = fd, last.dev = st.st_dev, last.ino = st.st_ino;
			snprintf(last.name, sizeof(last.name), "%s", name);
		}
		mm_map(addr, len, (unsigned)prot, 0, off, st.st_dev, st.st_ino, name[0] ? name : NULL);
	}
	return r;
}

static int64_t m_map_anon(void *ctx, uint64_t addr, uint64_t len, int prot)
{
	int64_t r = host()->map_anon(host()->ctx, addr, len, prot);
	if (r >= 0)
		mm_map(addr, len, (unsigned)prot, 0, 0, 0, 0, NULL);
	return r;
}

static int64_t m_protect(void *ctx, uint64_t addr, uint64_t len, int prot)
{
	int64_t r = host()->protect(host()->ctx, addr, len, prot);
	if (r >= 0)
		mm_protect(addr, len, (unsigned)prot);
	return r;
}

static int64_t m_write(void *ctx, uint64_t addr, const void *src, size_t len)
{
	return host()->write(host()->ctx, addr, src, len);
}

static int64_t m_unmap(void *ctx, uint64_t addr, uint64_t len)
{
	int64_t r = host()->unmap(host()->ctx, addr, len);
	mm_unmap(addr, len);
	return r;
}

static const struct loader_mapper translate_mapper = {
	.reserve = m_reserve,
	.map_file = m_map_file,
	.map_anon = m_map_anon,
	.protect = m_protect,
	.write = m_write,
	.unmap = m_unmap,
};

const struct loader_mapper *lx_translate_mapper(void)
{
	return &translate_mapper;
}

/* The host's [vdso] and [vvar*] mappings are the guest's too. */
void mapper_record_vdso(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) != 3)
			continue;
		unsigned prot = (perms[0] == 'r' ? 1u : 0) | (perms[1] == 'w' ? 2u : 0) |
				(perms[2] == 'x' ? 4u : 0);
		if (strstr(line, "[vdso]"))
			mm_map(lo, hi - lo, prot, LX_VMA_VDSO, 0, 0, 0, NULL);
		else if (strstr(line, "[vvar"))
			mm_map(lo, hi - lo, prot, LX_VMA_VVAR, 0, 0, 0,
			       strstr(line, "[vvar_vclock]") ? "[vvar_vclock]" : NULL);
	}
	fclose(f);
}
