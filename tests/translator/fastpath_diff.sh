#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Differential test of the calls translate mode's TLS-free fast path serves (stat, lstat,
# newfstatat, close: translator/fastpath.c): tests/guest/fastpath_probe.c runs natively and
# under lxrun, each in an empty directory whose subdirectory t is a --tmpfs mount under lxrun,
# without and with guest signal handlers; its output and exit status must be identical.
# usage: fastpath_diff.sh PROBE LXRUN [LXRUN-OPTIONS...]
set -u
probe=$(realpath "$1"); shift
# the run changes directory: lxrun's path as given may be relative
lx=$1; shift
[[ $lx == */* ]] && lx=$(realpath "$lx")
set -- "$lx" "$@"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for mode in plain handlers; do
	for col in native lxrun; do
		d=$tmp/$col-$mode
		mkdir -p "$d/t"
		if [ $col = native ]; then
			(cd "$d" && "$probe" $mode)
		else
			(cd "$d" && "$@" --tmpfs "$d/t" "$probe" $mode)
		fi >"$tmp/$col.out" 2>&1 </dev/null
		echo "exit status $?" >>"$tmp/$col.out"
	done
	if cmp -s "$tmp/native.out" "$tmp/lxrun.out"; then
		pass=$((pass + 1)); echo "ok - $mode ($(wc -l <"$tmp/native.out") lines)"
	else
		fail=$((fail + 1)); echo "not ok - $mode: output differs (native vs lxrun):"
		diff -u "$tmp/native.out" "$tmp/lxrun.out" | head -40
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
