/* SPDX-License-Identifier: MIT */
/* Test helpers: byte-level surgery on real ELF files to make realistic malformed inputs. */
#include "tests/loader/elfpatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/loader/native.h"

const char *tiny_path(const char *which)
{
	char var[64];
	const char *p;

	snprintf(var, sizeof(var), "LOADER_TINY_%s", which);
	for (char *c = var; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c -= 'a' - 'A';
	p = getenv(var);
	if (!p) {
		fprintf(stderr, "%s is not set (run through meson test)\n", var);
		abort();
	}
	return p;
}

struct blob blob_tiny(const char *which)
{
	struct blob b;

	b.d = file_slurp(tiny_path(which), &b.n);
	if (!b.d)
		abort();
	return b;
}

struct blob blob_of(const void *data, size_t n)
{
	struct blob b = { malloc(n + 1), n };

	memcpy(b.d, data, n);
	return b;
}

struct blob blob_dup(struct blob b)
{
	return blob_of(b.d, b.n);
}

Elf64_Ehdr *blob_ehdr(struct blob b)
{
	return (Elf64_Ehdr *)b.d;
}

Elf64_Phdr *blob_phdr(struct blob b, int i)
{
	return (Elf64_Phdr *)(b.d + blob_ehdr(b)->e_phoff) + i;
}

int blob_find(struct blob b, uint32_t type, int nth)
{
	for (int i = 0; i < blob_ehdr(b)->e_phnum; i++)
		if (blob_phdr(b, i)->p_type == type && nth-- == 0)
			return i;
	return -1;
}

uint64_t blob_append(struct blob *b, const void *data, size_t n)
{
	uint64_t off = b->n;

	b->d = realloc(b->d, b->n + n + 1);
	memcpy(b->d + off, data, n);
	b->n += n;
	return off;
}

void blob_set_interp(struct blob *b, const char *path)
{
	int i = blob_find(*b, PT_INTERP, 0);
	uint64_t off = blob_append(b, path, strlen(path) + 1);

	blob_phdr(*b, i)->p_offset = off;
	blob_phdr(*b, i)->p_filesz = strlen(path) + 1;
}
