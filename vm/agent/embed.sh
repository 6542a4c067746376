#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes an assembly file that embeds the agent binary ($1) into lxrun as vm_agent_start..end.
set -e
cat > "$2" <<EOS
	.section .rodata
	.balign 16
	.globl vm_agent_start
	.globl vm_agent_end
vm_agent_start:
	.incbin "$1"
vm_agent_end:
	.section .note.GNU-stack,"",@progbits
EOS
