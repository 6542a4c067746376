#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /proc/self/exe of a program started by a relative path below a directory its user cannot
# search (a mode-700 parent, as mktemp -d makes): absolute, as the kernel's link is, under
# lxrun as natively (glibc's static start asserts that it is absolute). Needs root (to run as
# nobody) and setpriv; otherwise exit 77.
set -u
lx=$1
[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || { echo "skip: needs root and setpriv"; exit 77; }
top=$(mktemp -d /tmp/lxrun-exe.XXXXXX)
trap 'rm -rf "$top"' EXIT
mkdir -m 755 "$top/bin"
cp "$lx" "$top/bin/lxrun"
cp /usr/bin/readlink "$top/bin/rl"
chmod 700 "$top"
N=(setpriv --reuid=65534 --regid=65534 --clear-groups)
native=$(cd "$top/bin" && "${N[@]}" ./rl /proc/self/exe 2>&1)
under=$(cd "$top/bin" && "${N[@]}" ./lxrun ./rl /proc/self/exe 2>&1)
if [ "$native" = "$top/bin/rl" ] && [ "$under" = "$native" ]; then
	echo "PASS: /proc/self/exe is $under"
	exit 0
fi
echo "FAIL: native '$native', under lxrun '$under'"
exit 1
