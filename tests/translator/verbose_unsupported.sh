#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -v names each unimplemented syscall and each unsupported flag once, with the program; without
# -v nothing is said. The program's own output is the same as natively.
# Usage: verbose_unsupported.sh LXRUN
set -uo pipefail
lxrun=$1
py=/usr/bin/python3
[ -x $py ] || { echo "SKIP: no $py"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/unsup.py" <<'PY'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
for i in range(3):
    r = libc.syscall(425, 0, 0)                # io_uring_setup: lxrun has no handler
    print("io_uring_setup", r, ctypes.get_errno() != 0)
# An ioctl request outside the terminal group on a regular file: ENOTTY in both.
import os
fd = os.open("/etc/hostname", os.O_RDONLY)
for i in range(2):
    r = libc.ioctl(fd, 0x1234, 0)
    print("ioctl", r, ctypes.get_errno())
PY
fail=0
$py "$work/unsup.py" >"$work/native.out" 2>&1
# --contain: as root without --root (the host-admin model) ioctls on host files reach the host
# and are not lxrun's to report (docs/design.md)
"$lxrun" --contain "$py" "$work/unsup.py" >"$work/quiet.out" 2>"$work/quiet.err"
"$lxrun" --contain -v "$py" "$work/unsup.py" >"$work/verbose.out" 2>"$work/verbose.err"
for f in quiet verbose; do
	cmp -s "$work/native.out" "$work/$f.out" || {
		echo "FAIL: output differs from native ($f)"; diff "$work/native.out" "$work/$f.out"; fail=1; }
done
if grep -q '^lxrun:' "$work/quiet.err"; then
	echo "FAIL: without -v lxrun spoke:"; cat "$work/quiet.err"; fail=1
fi
n=$(grep -c 'io_uring_setup' "$work/verbose.err")
if [ "$n" -ne 1 ]; then
	echo "FAIL: -v reported io_uring_setup $n times, not once:"; cat "$work/verbose.err"; fail=1
fi
if ! grep -q '^lxrun: python3 (pid [0-9]*, [^)]*python3[^)]*): unimplemented syscall 425 (io_uring_setup): ENOSYS$' "$work/verbose.err"; then
	echo "FAIL: the io_uring_setup note does not name the program:"; cat "$work/verbose.err"; fail=1
fi
if [ "$(grep -c 'ioctl request outside the terminal group' "$work/verbose.err")" -ne 1 ]; then
	echo "FAIL: -v did not report the unsupported ioctl request exactly once:"; cat "$work/verbose.err"; fail=1
fi
[ $fail -eq 0 ] && echo "verbose reports: ok"
exit $fail
