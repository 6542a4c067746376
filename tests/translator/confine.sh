#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --root confinement: a probe tries to escape its root (absolute and relative symlinks, chains,
# loops, "..", /proc/self/root and cwd, dirfds, rename, link, creation through dangling links).
# Its output under `lxrun --root` must equal a real chroot's, and nothing outside may change.
# usage: confine.sh LXRUN PROBE
set -u
lxrun=$1 probe=$2
tmp=$(mktemp -d) out=$(mktemp -d)
trap 'umount -l "$tmp/root/proc" 2>/dev/null; rm -rf "$tmp" "$out"' EXIT
case $lxrun in /*) ;; *) lxrun=$PWD/$lxrun ;; esac
pass=0 fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }

make_tree() {
	rm -rf "$tmp/root" "$tmp/outside"
	mkdir -p "$tmp/outside" "$tmp/root"/{inside,links,proc,dev,outside-decoy}
	echo "SECRET-outside" >"$tmp/outside/secret"
	echo "marker-inside" >"$tmp/root/inside/marker"
	echo movable >"$tmp/root/inside/movable"
	cp "$probe" "$tmp/root/probe"
	ln -s "$tmp/outside/secret" "$tmp/root/links/abs"
	ln -s ../../outside/secret "$tmp/root/links/rel"
	ln -s chain2 "$tmp/root/links/chain1"
	ln -s "$tmp/outside/secret" "$tmp/root/links/chain2"
	ln -s loop2 "$tmp/root/links/loop1"
	ln -s loop1 "$tmp/root/links/loop2"
	ln -s ../.. "$tmp/root/links/updir"
	ln -s "$tmp/outside/new-by-probe" "$tmp/root/links/newabs"
}
snapshot() { (cd "$tmp" && find outside -printf '%p %s %m\n' | sort; ls "$tmp"); }

# Native reference: a real chroot with /proc mounted, in a private mount namespace.
make_tree
before=$(snapshot)
if ! unshare -m sh -c "mount -t proc proc '$tmp/root/proc' && cd '$tmp/root/inside' && chroot '$tmp/root' /probe" >"$out/native.out" 2>&1; then
	echo "cannot build the native reference (chroot/unshare need root): skipped"
	exit 77
fi
check "native chroot leaves the outside alone" "$([ "$before" = "$(snapshot)" ]; echo $?)"

make_tree
before=$(snapshot)
(cd "$tmp/root/inside" && "$lxrun" --root "$tmp/root" /probe) >"$out/lxrun.out" 2>&1
check "probe runs under --root" $?
check "lxrun --root leaves the outside alone" "$([ "$before" = "$(snapshot)" ]; echo $?)"
if diff -u "$out/native.out" "$out/lxrun.out"; then
	check "every escape attempt ends as in a chroot" 0
else
	check "every escape attempt ends as in a chroot" 1
fi
if grep -q SECRET "$out/lxrun.out"; then
	check "the secret outside the root was never read" 1
else
	check "the secret outside the root was never read" 0
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
