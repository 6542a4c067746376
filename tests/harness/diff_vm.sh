#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun diff traces vm mode too (strace inside the guest): a program that writes a file and
# prints the kernel release is lined up call by call with its native run, and the difference
# found is the release (the guest's kernel is not the host's) or nothing.
# usage: diff_vm.sh LXRUN
set -u
lxrun=$(realpath "$1")
command -v strace >/dev/null || { echo "SKIP: strace not installed (bash scripts/setup.sh --tests installs it)"; exit 77; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
"$lxrun" diff --modes native,vm --timeout 300 -- /bin/sh -c 'echo hi > f; cat f; pwd' >out 2>err
rc=$?
cat out
if grep -q 'vm/9p: skipped' out; then echo "SKIP: $(grep 'vm/9p: skipped' out)"; exit 77; fi
fail=0
check() { if grep -q -- "$2" out; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
check "vm mode was traced and lined up" '^  trace: [0-9]* calls line up'
check "both ran to exit status 0" '^vm/9p  *exit status 0$'
if grep -q 'not traced' out; then echo "not ok - a mode was not traced"; fail=1; fi
if grep -q 'stdout differs' out; then echo "not ok - stdout differs (cwd or file contents)"; fail=1; fi
if grep -q 'file f' out; then echo "not ok - the written file differs"; fail=1; fi
if ls -a "$work" | grep -q lxrun-diff; then echo "not ok - a trace left in the working directory"; fail=1; fi
[ $rc -le 1 ] || { echo "not ok - exit status $rc"; cat err; fail=1; }
exit $fail
