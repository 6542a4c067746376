/* SPDX-License-Identifier: MIT */
/* The table of trap engines behind --engine. */
#include "translator/engine/engine.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

/* rewrite needs SUD for each site's first trap, so auto (rewrite where a site allows it, SUD
 * for the rest) is the rewrite engine itself. */
static const struct {
	const char *name;
	const struct lx_engine *engine;
} engines[] = {
	{"auto", &lx_engine_rewrite},
	{"emulate", &lx_engine_emulate},
	{"rewrite", &lx_engine_rewrite},
	{"sud", &lx_engine_sud},
};

const char *const lx_engine_names[] = {"auto", "emulate", "rewrite", "sud", NULL};

const struct lx_engine *lx_engine_find(const char *name)
{
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(name, engines[i].name) == 0)
			return engines[i].engine;
	return NULL;
}

const struct lx_engine *lx_engine_auto(const char **why)
{
	/* Turning SUD off is harmless and fails (EINVAL) exactly where arming it would: a
	 * kernel without it, or a seccomp filter that refuses the prctl. */
	if (prctl(59 /* PR_SET_SYSCALL_USER_DISPATCH */, 0 /* OFF */, 0, 0, 0) == 0)
		return &lx_engine_rewrite;
	*why = errno == EINVAL ? "this kernel has no Syscall User Dispatch"
			       : "prctl(PR_SET_SYSCALL_USER_DISPATCH) failed";
	return &lx_engine_emulate;
}
