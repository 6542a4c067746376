#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Set up (scripts/setup.sh), run every test suite, print one closing line "N passed, N failed".
# Extra arguments go to `meson test` (e.g. --suite translator).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${LXRUN_BUILD:-build}

bash scripts/setup.sh --tests || { echo "0 passed, 1 failed"; exit 1; }

# Suite `long` (runs of many minutes, e.g. the whole tools suite under the emulate engine) is
# left out unless LXRUN_LONG_TESTS=1.
long=(--no-suite long)
[ "${LXRUN_LONG_TESTS:-0}" = 1 ] && long=()
meson test -C "$BUILD" --num-processes "$(nproc)" --print-errorlogs "${long[@]}" "$@"
rc=$?
python3 scripts/test_summary.py "$BUILD/meson-logs/testlog.json"
sum_rc=$?
if [ $rc -ne 0 ] || [ $sum_rc -ne 0 ]; then
	exit 1
fi
