#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ptrace between guest processes: tests/guest/ptrace.c natively and under lxrun with the given
# options (an engine); output and exit status must be identical. Run several times: a
# wake-up lost between tracer and tracee shows as a hang (timeout) or a difference.
# usage: ptrace.sh LXRUN [LXRUN-OPTIONS...] -- PTRACE-PROG [RUNS [CASE]]
# (CASE: the program's argument, a case name or -NAME for every case but that one)
set -u
lxrun=("$1"); shift
while [ $# -gt 0 ] && [ "$1" != "--" ]; do lxrun+=("$1"); shift; done
shift
prog=$1 runs=${2:-3} case=${3:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$prog" $case >"$tmp/native" 2>&1
rc=$?
if [ $rc = 77 ]; then cat "$tmp/native"; exit 77; fi
echo "native: exit $rc" >>"$tmp/native"
fail=0
for i in $(seq 1 "$runs"); do
	timeout 60 "${lxrun[@]}" "$prog" $case >"$tmp/lx" 2>&1
	echo "native: exit $?" >>"$tmp/lx"
	if cmp -s "$tmp/native" "$tmp/lx"; then
		echo "ok $i"
	else
		echo "not ok $i: native vs lxrun"
		diff -u "$tmp/native" "$tmp/lx" | head -30
		fail=1
	fi
done
exit $fail
