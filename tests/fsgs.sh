#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a test command with translate mode's FS/GS stub set fixed: fsgs.sh fsgsbase|arch_prctl CMD...
# The fsgsbase set needs the CPU and kernel to enable FSGSBASE (AT_HWCAP2 bit 1); where they do
# not, the test is skipped (exit 77) with the reason, never counted as passed.
set -u
mode=$1
shift
if [ "$mode" = fsgsbase ]; then
	# LXRUN_FORCE_NO_FSGSBASE=1 makes a host with FSGSBASE stand in for one without.
	if [ "${LXRUN_FORCE_NO_FSGSBASE:-0}" != 0 ]; then
		echo "skip: LXRUN_FORCE_NO_FSGSBASE=1 stands in for a host without FSGSBASE"
		exit 77
	fi
	hwcap2=$(LD_SHOW_AUXV=1 /bin/true | sed -n 's/^AT_HWCAP2:[[:space:]]*//p')
	if [ -z "$hwcap2" ] || [ $(( ${hwcap2:-0} & 2 )) -eq 0 ]; then
		echo "skip: this host's CPU or kernel does not enable FSGSBASE (AT_HWCAP2=${hwcap2:-absent});" \
		     "the arch_prctl stub set is tested instead"
		exit 77
	fi
fi
export LXRUN_FSGS=$mode
exec "$@"
