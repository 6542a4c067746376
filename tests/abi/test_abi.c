/* SPDX-License-Identifier: MIT */
/* Checks abi/syscalls.def against itself and against the host's syscall numbers. */
#include "abi/syscalls.h"

#include <criterion/criterion.h>
#include <string.h>

#include "host_sysnums.h"

#define HOST_COUNT (sizeof(host_sysnums) / sizeof(host_sysnums[0]))

/* Every row, straight from the .def, so the checks see exactly what other code X-macros over. */
struct row {
	long nr;
	const char *name;
	int arity;
	const char *sig;
};

static const struct row rows[] = {
#define SYSCALL(nr, name, arity, level, note, sig) {(nr), #name, (arity), (sig)},
#include "abi/syscalls.def"
#undef SYSCALL
};

#define ROW_COUNT (sizeof(rows) / sizeof(rows[0]))

static long host_nr(const char *name)
{
	for (size_t i = 0; i < HOST_COUNT; i++)
		if (strcmp(host_sysnums[i].name, name) == 0)
			return host_sysnums[i].nr;
	return -1;
}

Test(syscalls, rows_are_sorted_and_numbers_unique)
{
	cr_assert_gt(ROW_COUNT, 300, "table has only %zu rows", ROW_COUNT);
	for (size_t i = 1; i < ROW_COUNT; i++)
		cr_expect_gt(rows[i].nr, rows[i - 1].nr, "row %s (%ld) after %s (%ld)",
			     rows[i].name, rows[i].nr, rows[i - 1].name, rows[i - 1].nr);
}

Test(syscalls, names_unique)
{
	for (size_t i = 0; i < ROW_COUNT; i++)
		for (size_t j = i + 1; j < ROW_COUNT; j++)
			cr_expect_str_neq(rows[i].name, rows[j].name, "name %s used by %ld and %ld",
					  rows[i].name, rows[i].nr, rows[j].nr);
}

Test(syscalls, arity_matches_signature)
{
	for (size_t i = 0; i < ROW_COUNT; i++) {
		cr_expect_leq(rows[i].arity, 6, "%s: arity %d", rows[i].name, rows[i].arity);
		cr_expect_eq(strlen(rows[i].sig), (size_t)rows[i].arity, "%s: arity %d, sig \"%s\"",
			     rows[i].name, rows[i].arity, rows[i].sig);
	}
}

Test(syscalls, signature_alphabet)
{
	static const char alphabet[] = "iuxpfsbBomPMaSv";

	for (size_t i = 0; i < ROW_COUNT; i++)
		for (const char *c = rows[i].sig; *c; c++)
			cr_expect_neq(strchr(alphabet, *c), NULL, "%s: letter '%c' in \"%s\"",
				      rows[i].name, *c, rows[i].sig);
}

/* 'b' names a buffer whose length is the next argument, so it can never be last. */
Test(syscalls, input_buffer_has_length)
{
	for (size_t i = 0; i < ROW_COUNT; i++) {
		const char *b = strchr(rows[i].sig, 'b');

		if (b)
			cr_expect_eq(b[1], 'u', "%s: 'b' not followed by a length in \"%s\"",
				     rows[i].name, rows[i].sig);
	}
}

Test(syscalls, every_host_syscall_is_in_the_table)
{
	cr_assert_gt(HOST_COUNT, 300, "host header list looks empty (%zu)", HOST_COUNT);
	for (size_t i = 0; i < HOST_COUNT; i++) {
		long nr = abi_syscall_lookup(host_sysnums[i].name);

		cr_expect_eq(nr, host_sysnums[i].nr, "%s: host %ld, table %ld",
			     host_sysnums[i].name, host_sysnums[i].nr, nr);
	}
}

static const char *host_name(long nr)
{
	for (size_t i = 0; i < HOST_COUNT; i++)
		if (host_sysnums[i].nr == nr)
			return host_sysnums[i].name;
	return NULL;
}

/*
 * A number the host also assigns must carry the host's name (catches typos and renames); numbers
 * the host header does not know yet (newer kernels, or holes it never filled) are the table's own.
 */
Test(syscalls, table_names_match_host)
{
	size_t known = 0;

	for (size_t i = 0; i < ROW_COUNT; i++) {
		const char *name = host_name(rows[i].nr);

		if (!name)
			continue;
		known++;
		cr_expect_str_eq(rows[i].name, name, "%ld: table %s, host %s", rows[i].nr,
				 rows[i].name, name);
	}
	cr_expect_eq(known, HOST_COUNT, "%zu of %zu host numbers are rows", known, HOST_COUNT);
}

Test(syscalls, enum_matches_rows)
{
	cr_expect_eq(LINUX_SYS_read, 0);
	cr_expect_eq(LINUX_SYS_execve, host_nr("execve"));
	cr_expect_eq(LINUX_SYS_exit_group, host_nr("exit_group"));
	cr_expect_eq(LINUX_SYS_newfstatat, host_nr("newfstatat"));
	cr_expect_eq(LINUX_SYS_rt_sigreturn, host_nr("rt_sigreturn"));
	cr_expect_eq(LINUX_SYS_clone3, host_nr("clone3"));
}

Test(syscalls, lookup_round_trip)
{
	for (size_t i = 0; i < ROW_COUNT; i++) {
		const struct abi_syscall *s = abi_syscall(rows[i].nr);

		cr_assert_not_null(s, "abi_syscall(%ld) is NULL", rows[i].nr);
		cr_expect_str_eq(s->name, rows[i].name);
		cr_expect_eq(s->arity, rows[i].arity);
		cr_expect_str_eq(s->sig, rows[i].sig);
		cr_expect_eq(abi_syscall_lookup(rows[i].name), rows[i].nr, "lookup(%s)",
			     rows[i].name);
	}
	cr_expect_eq(abi_nr_max, (unsigned)rows[ROW_COUNT - 1].nr + 1);
}

Test(syscalls, gaps_and_out_of_range)
{
	size_t assigned = 0;

	for (unsigned nr = 0; nr < abi_nr_max; nr++)
		if (abi_syscall(nr))
			assigned++;
	cr_expect_eq(assigned, ROW_COUNT, "%zu numbers resolve, %zu rows", assigned, ROW_COUNT);
	cr_expect_null(abi_syscall(-1));
	cr_expect_null(abi_syscall(abi_nr_max));
	cr_expect_null(abi_syscall(0x40000000L)); /* x32 bit */
	cr_expect_null(abi_syscall(400));	  /* in the 337..423 hole */
	cr_expect_eq(abi_syscall_lookup("no_such_syscall"), -1);
	cr_expect_eq(abi_syscall_lookup(""), -1);
}

Test(syscalls, level_names)
{
	cr_expect_str_eq(abi_level_name(ABI_NONE), "none");
	cr_expect_str_eq(abi_level_name(ABI_FULL), "full");
	cr_expect_str_eq(abi_level_name((enum abi_level)42), "?");
}
