#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where the kernel has no Syscall User Dispatch, translate mode refuses with one clear line that
# names what is missing and what to do instead, for every engine. usage: nosud.sh LXRUN NOSUD
set -u
lxrun=$1 nosud=$2
pass=0 fail=0
for engine in auto rewrite sud; do
	err=$("$nosud" "$lxrun" --engine "$engine" /bin/true 2>&1 >/dev/null)
	rc=$?
	name="--engine $engine without SUD"
	if [ $rc -eq 126 ] && [ "$(wc -l <<<"$err")" -eq 1 ] &&
	   [[ $err == "lxrun: /bin/true: "*"Syscall User Dispatch"*"--mode vm"* ]]; then
		echo "ok - $name: exit 126, '$err'"
		pass=$((pass + 1))
	else
		echo "not ok - $name: exit $rc, '$err'"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
