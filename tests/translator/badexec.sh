#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files that cannot be executed: lxrun exits as a shell does when execve(2) fails on the same
# file (126, or 127 when it is missing; lxrun does not fall back to /bin/sh on ENOEXEC) and
# prints exactly one line "lxrun: FILE: reason"; it never crashes.
# usage: badexec.sh LXRUN ELF
set -u
lxrun=$1 elf=$2
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
pass=0 fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
patch() { # out offset hexbytes
	cp "$elf" "$1"; printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; chmod +x "$1"
}
: >"$d/empty"; chmod +x "$d/empty"
head -c 40 "$elf" >"$d/truncated"; chmod +x "$d/truncated"
patch "$d/badmagic" 1 'XYZ'
patch "$d/machine" 18 '\xb7\x00'
patch "$d/bigendian" 5 '\x02'
patch "$d/exectype" 16 '\x01\x00'
patch "$d/phnum" 56 '\xff\xff'
patch "$d/phoff" 32 '\x00\x00\x00\x00\x00\x00\x00\x10'
cp "$elf" "$d/noexec"; chmod -x "$d/noexec"
mkdir "$d/dir"
printf '#!%s/loopb\n' "$d" >"$d/loopa"; printf '#!%s/loopa\n' "$d" >"$d/loopb"; chmod +x "$d/loopa" "$d/loopb"
printf '#!/nonexistent/interpreter\n' >"$d/nointerp"; chmod +x "$d/nointerp"
{ printf '#!/'; head -c 300 /dev/zero | tr '\0' a; printf '\n'; } >"$d/longline"; chmod +x "$d/longline"
printf 'just text\n' >"$d/text"; chmod +x "$d/text"
for f in empty truncated badmagic machine bigendian exectype phnum phoff noexec dir loopa nointerp longline text missing; do
	p=$d/$f
	# the reference: the kernel's own execve of the file
	python3 -c 'import os, sys
try:
    os.execv(sys.argv[1], [sys.argv[1]])
except OSError as e:
    sys.exit(127 if e.errno == 2 else 126)' "$p" >/dev/null 2>&1
	want=$?
	"$lxrun" "$p" >/dev/null 2>"$d/err"; got=$?
	check "$f: status $got (execve: $want)" "$([ "$got" = "$want" ]; echo $?)"
	[ "$want" -ge 126 ] || continue
	lines=$(wc -l <"$d/err")
	check "$f: one line naming the file" "$([ "$lines" = 1 ] && grep -q "^lxrun: $p: " "$d/err"; echo $?)"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
