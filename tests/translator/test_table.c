/* SPDX-License-Identifier: MIT */
/* The dispatch table agrees with abi/syscalls.def: a handler exactly where a level is claimed. */
#include <criterion/criterion.h>

#include "abi/syscalls.h"
#include "translator/syscall.h"

Test(table, handlers_match_levels)
{
	cr_assert_leq(lx_handlers_len, abi_nr_max);
	for (unsigned nr = 0; nr < abi_nr_max; nr++) {
		const struct abi_syscall *s = abi_syscall(nr);
		lx_handler h = nr < lx_handlers_len ? lx_handlers[nr] : NULL;
		if (!s) {
			cr_assert_null(h, "handler for unassigned number %u", nr);
			continue;
		}
		if (h)
			cr_assert_neq(s->level, ABI_NONE, "%s has a handler but level none", s->name);
		else
			cr_assert_eq(s->level, ABI_NONE, "%s claims level %s without a handler",
				     s->name, abi_level_name((enum abi_level)s->level));
	}
}
