#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A guest killed by a signal: the shell sees the same status as natively (128+N), and lxrun
# prints one line naming the signal, the faulting address and the disassembled instruction.
# usage: fatal.sh LXRUN CRASH-PROGRAM
set -u
lxrun=$1 prog=$2
pass=0 fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
err=$(mktemp); trap 'rm -f "$err"' EXIT
for how in segv abort fpe ill kill 0 3; do
	sh -c '"$@"' sh "$prog" "$how" 2>/dev/null; native=$?
	sh -c '"$@"' sh "$lxrun" "$prog" "$how" 2>"$err"; got=$?
	check "$how: status $got (native $native)" "$([ "$native" = "$got" ]; echo $?)"
	case $how in
	segv) check "segv message" "$(grep -Eq '^lxrun: .*crash: killed by SIGSEGV \(Segmentation fault\) at address 0x10, rip 0x[0-9a-f]+: mov dword ptr \[(rax|0x10)\]' "$err"; echo $?)" ;;
	ill) check "ill message names ud2" "$(grep -q 'killed by SIGILL.*: ud2' "$err"; echo $?)" ;;
	fpe) check "fpe message names idiv" "$(grep -q 'killed by SIGFPE.*idiv' "$err"; echo $?)" ;;
	0 | 3) check "no message on a normal exit" "$([ ! -s "$err" ]; echo $?)" ;;
	esac
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
