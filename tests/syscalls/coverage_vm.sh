#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The built-in suite natively and in vm mode against the baseline's vm rows: vm/9p, vm/virtiofs
# (when virtiofsd can run: root) and vm/ext4, all in one private VM. Each command asks for its own
# share, and the guest agent gives a command whose directory is already bound over another share
# a mount namespace of its own, so the columns do not see each other's shares. Under TCG on a
# loaded machine a few timer and socket cases change result from run to run, so a test run that
# shows a regression is run again (--rerun 2): only a check that fails every time fails CI.
# Exit 77 when vm mode cannot start here (the column's reason is printed).
# Usage: coverage_vm.sh LXRUN BASELINE
set -uo pipefail
lxrun=$1 baseline=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$lxrun" coverage -j 2 --timeout 60 --rerun 2 --baseline "$baseline" --columns native,vm/9p,vm/virtiofs,vm/ext4 \
	2> >(tee "$out" >&2)
st=$?
wait
if grep -q '^coverage: vm/9p skipped' "$out"; then
	echo "SKIP: vm mode cannot run here: $(grep '^coverage: vm/9p skipped' "$out")"
	exit 77
fi
exit $st
