/* SPDX-License-Identifier: MIT */
/* The table of trap engines behind --engine. */
#include "translator/engine/engine.h"

#include <string.h>

/* rewrite needs SUD for each site's first trap, so auto (rewrite where a site allows it, SUD
 * for the rest) is the rewrite engine itself. */
static const struct {
	const char *name;
	const struct lx_engine *engine;
} engines[] = {
	{"auto", &lx_engine_rewrite},
	{"rewrite", &lx_engine_rewrite},
	{"sud", &lx_engine_sud},
};

const char *const lx_engine_names[] = {"auto", "rewrite", "sud", NULL};

const struct lx_engine *lx_engine_find(const char *name)
{
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(name, engines[i].name) == 0)
			return engines[i].engine;
	return NULL;
}
