#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential test: each guest program runs natively and under lxrun with the same arguments,
# environment and stdin; stdout, stderr and exit status must be identical byte for byte.
# usage: diff_guest.sh LXRUN [LXRUN-OPTIONS...] -- PROG...
set -u
lxrun=("$1"); shift
while [ $# -gt 0 ] && [ "$1" != "--" ]; do lxrun+=("$1"); shift; done
shift
progs=("$@")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# Each case: exit code and arguments given to the program.
cases=(
	"0"
	"3 one two"
	"42 'with space' '' tab$'\t'end"
	"255 $(printf 'a%.0s' {1..300})"
	"7 --flag=value -x -- ünïcödé"
)

run_case() { # name env... -- cmd...
	local name=$1; shift
	env -i PATH=/usr/bin:/bin LXRUN_TEST_VAR="$name" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	echo $? >"$tmp/rc"
}

n=0
for prog in "${progs[@]}"; do
	for c in "${cases[@]}"; do
		n=$((n + 1))
		eval "set -- $c"
		run_case "case$n" "$prog" "$@"
		for f in out err rc; do mv "$tmp/$f" "$tmp/native.$f"; done
		run_case "case$n" "${lxrun[@]}" "$prog" "$@"
		ok=1
		for f in out err rc; do
			if ! cmp -s "$tmp/native.$f" "$tmp/$f"; then
				ok=0
				echo "--- $f differs (native vs lxrun):"
				diff -u "$tmp/native.$f" "$tmp/$f" | head -20
			fi
		done
		if [ $ok = 1 ]; then
			pass=$((pass + 1)); echo "ok $n - $(basename "$prog") $c"
		else
			fail=$((fail + 1)); echo "not ok $n - $(basename "$prog") $c"
		fi
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
