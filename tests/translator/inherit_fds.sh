#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fds the parent leaves open (not close-on-exec) reach the guest under their numbers, as they
# reach a program run natively; /proc/self/fd links show their open modes as Linux does.
# Usage: inherit_fds.sh LXRUN
set -uo pipefail
lxrun=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
echo content >in.txt
script='cat <&3; echo written >&4; echo rw >&5; readlink /proc/self/fd/3 /dev/fd/4;
stat -c "%A" /proc/self/fd/3 /proc/self/fd/4 /proc/self/fd/5; exec 3<&-; cat <&3 2>/dev/null || echo closed'
run() { # OUT PREFIX...
	local out=$1
	shift
	rm -f w.txt rw.txt
	"$@" /bin/bash -c "$script" 3<in.txt 4>>w.txt 5<>rw.txt >"$out" 2>&1
	echo "exit $?" >>"$out"
	cat w.txt rw.txt >>"$out"
}
run native.out env
run lxrun.out "$lxrun"
if ! cmp -s native.out lxrun.out; then
	echo "FAIL: inherited fds differ (native, then lxrun):"
	diff native.out lxrun.out
	exit 1
fi
grep -q '^content$' native.out || { echo "FAIL: the native run read nothing (the test is broken)"; cat native.out; exit 1; }

# fds 0-2 closed by the parent stay closed: nothing of lxrun's appears in their place (its own
# first open took fd 0 and the guest inherited it). Each case natively, then under lxrun.
closed() { # PREFIX... : stdin, stdout and stderr closed in turn
	"$@" /bin/sh -c 'ls /proc/self/fd; cat' <&- 2>&1
	echo "exit $?"
	"$@" /bin/sh -c 'ls /proc/self/fd >&2; echo to-closed-stdout; echo $? >&2' >&- 2>&1 </dev/null
	"$@" /bin/sh -c 'ls /proc/self/fd; ls /nonexistent; echo $?' 2>&- </dev/null
}
closed env >native-closed.out 2>&1
closed "$lxrun" >lxrun-closed.out 2>&1
if ! cmp -s native-closed.out lxrun-closed.out; then
	echo "FAIL: with fds 0-2 closed (native, then lxrun):"
	diff native-closed.out lxrun-closed.out
	exit 1
fi
echo "inherited fds: ok ($(wc -l <native.out) lines the same)"
