/* SPDX-License-Identifier: MIT */
/* Access to the agent binary embedded at build time (agent_blob.S, made by agent/embed.sh). */
#include "vm/vm.h"

extern const uint8_t vm_agent_start[], vm_agent_end[];

const uint8_t *vm_agent_blob(size_t *len)
{
	*len = (size_t)(vm_agent_end - vm_agent_start);
	return vm_agent_start;
}
