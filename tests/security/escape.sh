#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The escape suite: escape-probe tries about 150 ways out of its root. Its output under
# `lxrun --root` (each engine) must equal its output in a real container root (nsroot: mount
# and pid namespaces, pivot_root, CAP_SYS_ADMIN/MKNOD/DAC_READ_SEARCH dropped), line by line;
# nothing outside the root may change (a canary tree, /, /tmp, /dev/shm) and the secret outside
# is never read.
# usage: escape.sh LXRUN NSROOT PROBE [LXRUN-OPTION...]
set -u
lxrun=$1 nsroot=$2 probe=$3
shift 3
case $lxrun in /*) ;; *) lxrun=$PWD/$lxrun ;; esac
case $nsroot in /*) ;; *) nsroot=$PWD/$nsroot ;; esac
case $probe in /*) ;; *) probe=$PWD/$probe ;; esac
host=$(mktemp -d /tmp/lxsec-test.XXXXXX) out=$(mktemp -d)
trap 'rm -rf "$host" "$out"; rm -f /dev/shm/lxesc-shm' EXIT
trap 'exit 143' TERM INT
pass=0 fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }

make_tree() {
	rm -rf "$host/root" "$host/outside"
	mkdir -p "$host/outside/canary" "$host/root"/{inside/sub,links,proc,dev/shm,etc,tmp}
	chmod 1777 "$host/root/tmp" "$host/root/dev/shm"
	echo "SECRET-outside" >"$host/outside/secret"
	echo "canary" >"$host/outside/canary/file"
	cp "$probe" "$host/outside/hostbin"
	"$probe" --make-sock stream "$host/outside/host.sock"
	"$probe" --make-sock dgram "$host/outside/host.dgram"
	echo "marker-inside" >"$host/root/inside/marker"
	echo movable >"$host/root/inside/movable"
	printf '#!%s/outside/hostbin\n' "$host" >"$host/root/inside/script"
	chmod 755 "$host/root/inside/script"
	cp "$probe" "$host/root/probe"
	ln -s "$host/outside/secret" "$host/root/links/abs"
	ln -s ../../outside/secret "$host/root/links/rel"
	ln -s chain2 "$host/root/links/chain1"
	ln -s "$host/outside/secret" "$host/root/links/chain2"
	ln -s loop2 "$host/root/links/loop1"
	ln -s loop1 "$host/root/links/loop2"
	ln -s ../.. "$host/root/links/updir"
	ln -s "$host/outside" "$host/root/links/abshostdir"
	ln -s "$host/outside/lxesc-new" "$host/root/links/newabs"
	ln -s /proc/self/root "$host/root/links/procroot"
	ln -s /proc/1/root "$host/root/links/hostproc1"
	ln -s "$host/outside/host.sock" "$host/root/links/hostsock"
	ln -s "$host/outside/host.dgram" "$host/root/links/hostdgram"
	ln -s "$host/outside/hostbin" "$host/root/links/hostbin"
	ln -s /proc/self/mounts "$host/root/etc/mtab"
}
# Everything outside the root a probe could touch: the tree beside it (names, sizes, modes,
# owners, mtimes) and any lxesc-* name in the host's /, /tmp, /dev/shm.
snapshot() {
	(cd "$host" && find . -path ./root -prune -o -printf '%p %s %m %U %G %T@\n' | sort)
	ls -d /lxesc-* /tmp/lxesc-* /dev/shm/lxesc-* 2>/dev/null
}

make_tree
before=$(snapshot)
"$nsroot" "$host/root" / /probe "$host" >"$out/native.out" 2>&1
rc=$?
if [ $rc = 77 ]; then
	cat "$out/native.out"
	echo "skip: cannot build the native reference (mount and pid namespaces, pivot_root: root needed)"
	exit 77
fi
check "native reference runs (exit $rc)" $rc
check "native reference leaves the outside alone" "$([ "$before" = "$(snapshot)" ]; echo $?)"
n=$(sed -n 's/^attempts: //p' "$out/native.out")
echo "# $n attempts"

make_tree
before=$(snapshot)
# The secret open on fd 9 of lxrun's parent: for the attempts through another process's fds.
(exec 9<"$host/outside/secret"; cd "$host/root" &&
	timeout 300 bash -c 'exec 9<&-; exec "$@"' - "$lxrun" "$@" --root "$host/root" /probe "$host") \
	>"$out/lxrun.out" 2>&1
check "probe runs under lxrun $* --root" $?
after=$(snapshot)
if [ "$before" = "$after" ]; then
	check "lxrun --root leaves the outside alone" 0
else
	diff <(echo "$before") <(echo "$after")
	check "lxrun --root leaves the outside alone" 1
fi
if diff -u "$out/native.out" "$out/lxrun.out"; then
	check "every escape attempt ends as in a container root" 0
else
	check "every escape attempt ends as in a container root" 1
fi
if grep -q -e SECRET -e LEAK "$out/lxrun.out"; then
	check "nothing outside the root was read" 1
else
	check "nothing outside the root was read" 0
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
