#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun distro import/export/list/set-default/remove, and bad input: a tiny root made here
# (no network). Round trips are checked byte for byte.
set -u
. "$(dirname "$0")/lib.sh"

ROOT=$WORK/src
tiny_root "$ROOT"
tar -C "$ROOT" --sort=name --numeric-owner --format=posix --xattrs -cf "$WORK/small.tar" .

# metadata of a tree, one line per entry (name, type, mode, owner, size, mtime, link target)
meta() { (cd "$1" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | grep -v '^\. ' | sort); }

check "import a tarball" "$LXRUN" distro import t1 "$WORK/small.tar"
same "the tree has every entry with its mode, owner, time and link" "$(meta "$ROOT")" "$(meta "$STORE/t1/rootfs")"
check "file contents are the same" diff -r -x dev "$ROOT" "$STORE/t1/rootfs"
[ -e "$ROOT/dev/null" ] && same "a device node keeps its numbers" "$(stat -c %t,%T "$ROOT/dev/null")" "$(stat -c %t,%T "$STORE/t1/rootfs/dev/null" 2>&1)"
if [ "$(id -u)" = 0 ]; then
	same "an extended attribute survives the import" "hello" \
		"$(getfattr --only-values -n user.lxrun_test "$STORE/t1/rootfs/data/setuid" 2>/dev/null)"
fi

# export -> import -> export gives the same bytes, in every format
check "export .tar" "$LXRUN" distro export t1 "$WORK/out1.tar"
check "import the export" "$LXRUN" distro import t2 "$WORK/out1.tar"
check "export it again" "$LXRUN" distro export t2 "$WORK/out2.tar"
check "export, import, export: byte for byte" cmp "$WORK/out1.tar" "$WORK/out2.tar"
for ext in tar.gz tar.xz tar.zst; do
	check "export .$ext" "$LXRUN" distro export t1 "$WORK/out.$ext"
	check "import .$ext" "$LXRUN" distro import "z-${ext##*.}" "$WORK/out.$ext"
	"$LXRUN" distro export "z-${ext##*.}" "$WORK/back-${ext##*.}.tar" -q
	check "the .$ext round trip is byte for byte" cmp "$WORK/out1.tar" "$WORK/back-${ext##*.}.tar"
done
check "import a directory" "$LXRUN" distro import fromdir "$ROOT"
same "a directory import keeps the metadata" "$(meta "$ROOT")" "$(meta "$STORE/fromdir/rootfs")"

# list, set-default, remove
out=$("$LXRUN" distro list)
case $out in *t1*t2*) ok "list names the distros" ;; *) not_ok "list names the distros" "$out" ;; esac
check "set-default t2" "$LXRUN" distro set-default t2
json=$("$LXRUN" distro list --json)
if python3 -c 'import json,sys; d={x["name"]:x for x in json.loads(sys.argv[1])}; assert d["t2"]["default"] and not d["t1"]["default"] and d["t1"]["size_bytes"]>0 and d["t1"]["vm_image"]=="none"' "$json" 2>"$WORK/err"; then
	ok "list --json: default, size, vm image"
else
	not_ok "list --json: default, size, vm image" "$json" "$(cat "$WORK/err")"
fi
check "remove z-gz" "$LXRUN" distro remove z-gz
out=$("$LXRUN" distro list)
case $out in *z-gz*) not_ok "a removed distro is gone" "$out" ;; *) ok "a removed distro is gone" ;; esac
same "other distros are untouched by a remove" "$(meta "$ROOT")" "$(meta "$STORE/z-xz/rootfs")"
check "remove the default" "$LXRUN" distro remove t2
"$LXRUN" -d default true 2>"$WORK/err"
st=$?
if [ $st -ne 0 ] && grep -q "no default distro" "$WORK/err"; then ok "-d default without a default: a clear error"; else not_ok "-d default without a default: a clear error" "exit $st: $(cat "$WORK/err")"; fi

# bad input: each a clear error (exit 1 or 125), nothing half-created, others untouched
expect_fail() { # expect_fail NAME PATTERN COMMAND...
	local name=$1 pat=$2
	shift 2
	"$@" >"$WORK/out" 2>&1
	local st=$?
	if [ $st -ne 0 ] && [ $st -lt 126 ] && grep -q -- "$pat" "$WORK/out" && ! grep -q -i 'segmentation\|core dumped' "$WORK/out"; then
		ok "$name"
	else
		not_ok "$name" "exit $st: $(tail -n 2 "$WORK/out")"
	fi
}
head -c 30000 "$WORK/small.tar" >"$WORK/truncated.tar"
gzip -nc "$WORK/small.tar" >"$WORK/corrupt.tar.gz"
printf 'garbage' | dd of="$WORK/corrupt.tar.gz" bs=1 seek=5000 conv=notrunc 2>/dev/null
head -c 20000 "$WORK/out.tar.zst" >"$WORK/truncated.tar.zst"
printf 'this is not an archive\n' >"$WORK/text.tar"
: >"$WORK/empty.tar"
expect_fail "a truncated tarball" "truncated" "$LXRUN" distro import bad "$WORK/truncated.tar"
expect_fail "a corrupt .tar.gz" "corrupt" "$LXRUN" distro import bad "$WORK/corrupt.tar.gz"
expect_fail "a truncated .tar.zst" "truncated" "$LXRUN" distro import bad "$WORK/truncated.tar.zst"
expect_fail "a file that is not an archive" "not a tar archive" "$LXRUN" distro import bad "$WORK/text.tar"
expect_fail "an empty file" "not a tar archive" "$LXRUN" distro import bad "$WORK/empty.tar"
expect_fail "a missing file" "No such file" "$LXRUN" distro import bad "$WORK/nothing.tar"
expect_fail "an existing name" "already exists" "$LXRUN" distro import t1 "$WORK/small.tar"
expect_fail "a name like an option is refused" "unknown option" "$LXRUN" distro import -x "$WORK/small.tar"
for n in a/b .. ../x .hidden 'a b' 'ünï' default "$(printf 'x%.0s' $(seq 65))" ''; do
	expect_fail "bad name '$n' is refused" "distro name" "$LXRUN" distro import "$n" "$WORK/small.tar"
done
expect_fail "remove of a missing distro" "no distro named" "$LXRUN" distro remove nosuch
expect_fail "export of a missing distro" "no distro named" "$LXRUN" distro export nosuch "$WORK/x.tar"
expect_fail "export to an unknown format" "unknown format" "$LXRUN" distro export t1 "$WORK/x.zip"
expect_fail "-d of a missing distro" "no distro named" "$LXRUN" -d nosuch true
expect_fail "an unknown sub-command" "unknown command" "$LXRUN" distro frobnicate
left=$(ls -A "$STORE" | grep -v -x -e t1 -e fromdir -e z-xz -e z-zst -e default)
same "nothing half-created is left in the store" "" "$left"
same "t1 is untouched by the failures" "$(meta "$ROOT")" "$(meta "$STORE/t1/rootfs")"
for c in create import export list remove set-default reset-vm; do
	check "distro $c --help" "$LXRUN" distro "$c" --help
done

# a distro in use cannot be removed; it can once the command ended
"$LXRUN" -d t1 sleep 30 &
BG_PID=$!
for _ in $(seq 50); do [ -n "$(grep -c . /proc/locks 2>/dev/null)" ] && grep -q "$(stat -c %i "$STORE/t1/lock" 2>/dev/null || echo none)" /proc/locks && break; sleep 0.1; done
expect_fail "remove of a distro in use" "in use by a running command" "$LXRUN" distro remove t1
kill "$BG_PID" 2>/dev/null
wait "$BG_PID" 2>/dev/null
BG_PID=
check "remove once it is no longer in use" "$LXRUN" distro remove t1

# a full disk while importing (a 3 MiB tmpfs as the state directory; root only)
if [ "$(id -u)" = 0 ] && mkdir -p "$WORK/full" && mount -t tmpfs -o size=3m tmpfs "$WORK/full" 2>/dev/null; then
	big=$(stat -c %s "$WORK/small.tar")
	if [ "$big" -gt 4000000 ]; then
		LXRUN_STATE_DIR=$WORK/full expect_fail "a full disk while importing" "disk full" \
			"$LXRUN" distro import big "$WORK/small.tar"
		same "nothing is left on the full disk" "" "$(ls -A "$WORK/full/distros")"
	else
		echo "# skip full-disk case: the tiny root is only $big bytes"
	fi
	umount "$WORK/full"
else
	echo "# skip full-disk case: needs root to mount a small tmpfs"
fi
# every help that mentions a distro's vm mode says the vm disk and the tree are separate copies
for h in "--help" "distro --help" "--mode vm --help"; do
	# shellcheck disable=SC2086
	"$LXRUN" $h | tr -s ' \n' '  ' | grep -q "separate copy" && ok "lxrun $h: vm and translate are separate copies" ||
		not_ok "lxrun $h: vm and translate are separate copies" "$("$LXRUN" $h | grep -i -B2 -A2 copy)"
done
finish
