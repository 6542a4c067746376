#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The real-tools differential suite (tests/tools) with lxrun --mode vm as the wrapper.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

runner=$here/../tools/run_diff.sh
if [ ! -f "$runner" ]; then
	echo "skip: $runner is missing"
	echo "0 passed, 0 failed"
	exit 77
fi
# boot first, so that no case sees the start-up messages on stderr
vm_start || { cat "$WORK/start.err"; echo "0 passed, 1 failed"; exit 1; }
# the runner prints the closing "N passed, N failed" line itself
bash "$runner" -- "$LXRUN" --mode vm --state-dir "$LXRUN_STATE_DIR"
