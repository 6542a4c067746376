/* SPDX-License-Identifier: MIT */
/* Shared by layout_*.c: each compares abi/ values with one set of host headers. */
#ifndef LXRUN_TESTS_ABI_LAYOUT_CHECK_H
#define LXRUN_TESTS_ABI_LAYOUT_CHECK_H

#include <stddef.h>

/*
 * The host headers of one group clash with those of another (kernel uapi vs glibc, asm/signal.h
 * vs <signal.h>), so each group lives in its own file and only hands back numbers.
 */
struct layout_check {
	const char *what;
	long long ours;
	long long host;
};

#define CHECK_VAL(ours, host)                                                                      \
	{                                                                                          \
#ours " == " #host, (long long)(ours), (long long)(host)                           \
	}
#define CHECK_SIZE(ours, host)                                                                     \
	{                                                                                          \
		"sizeof(" #ours ") == sizeof(" #host ")", sizeof(ours), sizeof(host)               \
	}
#define CHECK_OFF(os, of, hs, hf)                                                                  \
	{                                                                                          \
		"offsetof(" #os ", " #of ") == offsetof(" #hs ", " #hf ")", offsetof(os, of),      \
			offsetof(hs, hf)                                                           \
	}
/* Same field, same size, same place: two entries. */
#define CHECK_FIELD(os, of, hs, hf)                                                                \
	CHECK_OFF(os, of, hs, hf),                                                                 \
	{                                                                                          \
		"sizeof(" #os "." #of ") == sizeof(" #hs "." #hf ")", sizeof(((os *)0)->of),       \
			sizeof(((hs *)0)->hf)                                                      \
	}

const struct layout_check *layout_fs(size_t *n);
const struct layout_check *layout_signal(size_t *n);
const struct layout_check *layout_task(size_t *n);
const struct layout_check *layout_io(size_t *n);
const struct layout_check *layout_libc(size_t *n);

#define LAYOUT_TABLE(fn, table)                                                                    \
	const struct layout_check *fn(size_t *n)                                                   \
	{                                                                                          \
		*n = sizeof(table) / sizeof(table[0]);                                             \
		return table;                                                                      \
	}

#endif
