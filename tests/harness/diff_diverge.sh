#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun diff on a deliberately divergent program points at the syscall that differs.
# usage: diff_diverge.sh LXRUN DIVERGE
set -u
lxrun=$1 prog=$2
if ! command -v strace >/dev/null; then
	echo "skip: strace not installed (bash scripts/setup.sh --tests installs it)"; exit 77
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# glibc registers rseq at start-up, which translate mode does not serve (a real difference that
# would come first): the tunable turns that off in both modes.
GLIBC_TUNABLES=glibc.pthread.rseq=0 "$lxrun" diff --modes native,translate -- "$prog" \
	>"$work/out" 2>"$work/err"
rc=$?
cat "$work/out"
fail=0
check() { if grep -q -- "$2" "$work/out"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
[ "$rc" = 1 ] && echo "ok - exit status 1 when modes differ" || { echo "not ok - exit status $rc"; fail=1; }
check "first differing syscall is io_uring_setup" "first differing syscall: io_uring_setup (result)"
check "exit statuses differ" "exit status 1  <- differs"
check "the file written is the same" "trace:"
if grep -q "file out.txt" "$work/out"; then echo "not ok - out.txt reported as differing"; fail=1; fi
# same program, same mode twice: nothing differs, exit 0
GLIBC_TUNABLES=glibc.pthread.rseq=0 "$lxrun" diff --modes native,native -- /bin/echo hi >"$work/same" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q "same as native" "$work/same" && echo "ok - native vs native agree" ||
	{ echo "not ok - native vs native: rc $rc"; cat "$work/same"; fail=1; }
"$lxrun" diff --modes native,bogus -- /bin/true >/dev/null 2>&1
[ $? = 125 ] && echo "ok - bad mode is a usage error" || { echo "not ok - bad mode"; fail=1; }
exit $fail
