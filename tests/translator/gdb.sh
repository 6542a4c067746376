#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Debian's gdb under lxrun (ptrace served by lxrun's kernel): `run` a program that crashes,
# then `bt`; the signal it reports and the frames (addresses left out) must be the same as
# natively.
# usage: gdb.sh LXRUN [LXRUN-OPTIONS...] -- CRASH-PROG
set -u
lxrun=("$1"); shift
while [ $# -gt 0 ] && [ "$1" != "--" ]; do lxrun+=("$1"); shift; done
shift
prog=$1
gdb=$(command -v gdb) || { echo "gdb is not installed: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { # out prefix...
	local out=$1; shift
	timeout 120 "$@" "$gdb" -nx -batch -ex run -ex bt --args "$prog" segv >"$out" 2>&1
	echo "exit $?" >>"$out"
}
# what a user reads: the signal, the frames (argument pointers out), gdb's exit
pick() {
	grep -E '^(Program received|Program terminated|#[0-9]|exit )' "$1" |
		sed -E 's/0x[0-9a-f]+/PTR/g'
}
run "$tmp/native"
if ! grep -q '^Program received signal SIGSEGV' "$tmp/native"; then
	echo "gdb does not run the program here: skipped"; cat "$tmp/native"; exit 77
fi
run "$tmp/lx" "${lxrun[@]}"
pick "$tmp/native" >"$tmp/native.p"
pick "$tmp/lx" >"$tmp/lx.p"
if cmp -s "$tmp/native.p" "$tmp/lx.p"; then
	cat "$tmp/lx.p"
	echo "ok - gdb run, bt"
	exit 0
fi
echo "not ok - gdb run, bt: native vs lxrun"
diff -u "$tmp/native.p" "$tmp/lx.p"
echo "--- lxrun's full output:"
cat "$tmp/lx"
exit 1
