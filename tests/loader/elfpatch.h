/* SPDX-License-Identifier: MIT */
/* Test helpers: byte-level surgery on real ELF files to make realistic malformed inputs. */
#ifndef LXRUN_TESTS_LOADER_ELFPATCH_H
#define LXRUN_TESTS_LOADER_ELFPATCH_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct blob {
	uint8_t *d;
	size_t n;
};

/* The test programs built next to the test (paths come from the environment). */
const char *tiny_path(const char *which); /* "static", "spie" or "dyn" */
struct blob blob_tiny(const char *which);
struct blob blob_dup(struct blob b);
struct blob blob_of(const void *data, size_t n);

Elf64_Ehdr *blob_ehdr(struct blob b);
Elf64_Phdr *blob_phdr(struct blob b, int i);
/* Index of the n-th (0-based) program header of the given type, or -1. */
int blob_find(struct blob b, uint32_t type, int nth);
/* Append bytes at the end of the file; returns their file offset. */
uint64_t blob_append(struct blob *b, const void *data, size_t n);
/* Point the first PT_INTERP at a freshly appended copy of path. */
void blob_set_interp(struct blob *b, const char *path);

#endif
