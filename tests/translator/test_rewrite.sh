#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The rewrite engine's guest programs: each runs natively first (it encodes what Linux does),
# then under every engine with the same output and status; under rewrite (and auto) --stats
# must also show that its syscalls went through patched sites, so the fast path was tested.
# usage: test_rewrite.sh LXRUN PROG...
set -u
lxrun=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }

for prog in "$@"; do
	name=$(basename "$prog")
	timeout 60 "$prog" >"$tmp/native.out" 2>"$tmp/native.err"
	nrc=$?
	if [ $nrc -ne 0 ]; then
		not_ok "$name natively (status $nrc): $(head -3 "$tmp/native.err")"
		continue
	fi
	ok "$name natively"
	# Without --stats the TLS-free fast path serves what it can (the probes' getpid among
	# it); --stats sends every call through the ordinary path and counts the patched ones.
	for run in "sud" "rewrite" "auto" "sud --stats" "rewrite --stats" "auto --stats"; do
		read -r engine stats <<<"$run"
		timeout 120 "$lxrun" --engine $engine $stats "$prog" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -ne $nrc ] || ! cmp -s "$tmp/native.out" "$tmp/out"; then
			not_ok "$name --engine $run (status $rc)"
			diff "$tmp/native.out" "$tmp/out" | head -5
			grep -v '^lxrun stats' "$tmp/err" | head -5
			continue
		fi
		ok "$name --engine $run"
		[ $engine = sud ] || [ -z "$stats" ] && continue
		# "N syscalls, P through patched sites, ...": most of the probe loops' calls
		patched=$(sed -n 's/^lxrun stats (pid [0-9]*): [0-9]* syscalls, \([0-9]*\) through patched.*/\1/p' "$tmp/err" | head -1)
		if [ "${patched:-0}" -ge 1000 ]; then
			ok "$name --engine $engine: $patched syscalls through patched sites"
		else
			not_ok "$name --engine $engine: only ${patched:-no} syscalls through patched sites"
		fi
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
