#!/bin/bash
# SPDX-License-Identifier: MIT
# The host-admin model (docs/design.md): as root without --root, the guest mounts, uses loop
# devices and ioctls as a native root program does; the probe's output under each engine must
# equal its native output. With --contain or --root, and as a non-root user, mount and umount2
# are EPERM, /dev has no loop-control and no namespace is made or entered (the container
# model). Nothing is left mounted or attached: the probe cleans up, and so does this script's
# trap.
# usage: run.sh LXRUN PROBE
set -u
lx=$1 probe=$2
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: not root (the host-admin model needs euid 0)"
	exit 77
fi
if [ ! -e /dev/loop-control ] || ! command -v mkfs.ext2 >/dev/null; then
	echo "SKIP: no /dev/loop-control or no mkfs.ext2 on this host"
	exit 77
fi
tmp=$(mktemp -d)
cleanup() {
	grep -o " $tmp[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
	losetup -a | grep -F "$tmp" | cut -d: -f1 | while read -r d; do losetup -d "$d"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/t" "$tmp/root/tmp" "$tmp/nobody"
chmod 1777 "$tmp/nobody"
chmod 755 "$tmp"
fail=0

TMPDIR=$tmp/t "$probe" loop >"$tmp/native" 2>&1
for engine in rewrite sud; do
	TMPDIR=$tmp/t "$lx" --engine "$engine" "$probe" loop >"$tmp/$engine" 2>&1
	if ! diff -u "$tmp/native" "$tmp/$engine"; then
		echo "FAIL: loop under $engine differs from native"
		fail=1
	fi
done

# the container model: what an unprivileged root in a container gets
printf 'mount tmpfs: EPERM\numount2: EPERM\nopen /dev/loop-control: ENOENT\nopen core_pattern for writing: EACCES\n' >"$tmp/eperm"
printf 'unshare CLONE_NEWNS: EPERM\nunshare CLONE_NEWUTS|CLONE_NEWIPC: EPERM\nclone CLONE_NEWPID: EPERM\nsetns mnt: EPERM\npivot_root: EPERM\n' >>"$tmp/eperm"
# through a shell: --contain must survive the guest's execve (lxrun re-executes itself)
TMPDIR=$tmp/t "$lx" --contain /bin/sh -c '"$0" eperm' "$probe" >"$tmp/contain" 2>&1
cp "$probe" "$tmp/root/probe"
TMPDIR=/tmp "$lx" --root "$tmp/root" /probe eperm >"$tmp/rooted" 2>&1
for c in contain rooted; do
	if ! diff -u "$tmp/eperm" "$tmp/$c"; then
		echo "FAIL: mount under --$c is not the container model's"
		fail=1
	fi
done

# sys_fsadmin.c's calls in the container model (fanotify, the new mount API, statmount,
# open_by_handle_at, perf_event_open, adjtimex with modes): EPERM, open_tree without a clone
# served, statmount/listmount ENOSYS (lxrun's own mount table)
printf '%s\n' "fanotify_init: EPERM" "fsopen: EPERM" "fsmount: EPERM" "move_mount: EPERM" \
	"open_tree clone: EPERM" "open_tree: ok" "fspick: EPERM" "mount_setattr: EPERM" \
	"statmount: ENOSYS" "listmount: ENOSYS" "name_to_handle_at: ok" \
	"open_by_handle_at: EPERM" "perf_event_open: EPERM" "adjtimex set: EPERM" >"$tmp/fsapi"
TMPDIR=$tmp/t "$lx" --contain "$probe" fsapi-eperm >"$tmp/fsapi.contain" 2>&1
TMPDIR=/tmp "$lx" --root "$tmp/root" /probe fsapi-eperm >"$tmp/fsapi.rooted" 2>&1
for c in contain rooted; do
	if ! diff -u "$tmp/fsapi" "$tmp/fsapi.$c"; then
		echo "FAIL: fanotify/new mount API under --$c is not the container model's"
		fail=1
	fi
done

# inode flags reach the host in both models; the immutable flag needs CAP_LINUX_IMMUTABLE,
# which a container's root lacks
if command -v chattr >/dev/null && command -v lsattr >/dev/null; then
	touch "$tmp/t/flags"
	for c in "" --contain; do
		"$lx" $c chattr +d "$tmp/t/flags" || { echo "FAIL: chattr +d under lxrun $c"; fail=1; }
		"$lx" $c chattr +i "$tmp/t/flags" 2>/dev/null
		imm=$(lsattr -d "$tmp/t/flags" | cut -c5)
		chattr -i -d "$tmp/t/flags"
		want=i
		[ -n "$c" ] && want=-
		if [ "$imm" != "$want" ]; then
			echo "FAIL: chattr +i under lxrun $c: immutable flag '$imm', expected '$want'"
			fail=1
		fi
	done
fi

# a non-root user: the host's own mount answers, natively and under lxrun (its /dev is
# lxrun's synthetic one, without loop-control, where natively the node is there but EACCES)
if command -v setpriv >/dev/null; then
	drop=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	TMPDIR=$tmp/nobody "${drop[@]}" "$probe" eperm >"$tmp/nobody.native" 2>&1
	TMPDIR=$tmp/nobody "${drop[@]}" "$lx" "$probe" eperm >"$tmp/nobody.lx" 2>&1
	if ! diff -u <(grep -v loop-control "$tmp/nobody.native") <(grep -v loop-control "$tmp/nobody.lx"); then
		echo "FAIL: as a non-root user lxrun differs from native"
		fail=1
	fi
fi
[ $fail = 0 ] && echo "PASS: loop+ext2 mount under rewrite and sud = native; --contain, --root, non-root refused (mount, new mount API, fanotify, handles, perf, adjtimex)"
exit $fail
