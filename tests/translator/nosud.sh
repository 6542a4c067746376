#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where the kernel has no Syscall User Dispatch (made so here by a seccomp filter, tests/guest/
# nosud.c): the SUD engines refuse with one clear line that names what is missing and what to
# do instead, and auto falls back to the emulate engine, says so under -v, and runs the same
# programs (static, dynamic, a shell with pipes, forks and an exec) with the same results as
# natively. usage: nosud.sh LXRUN NOSUD STATIC_GUEST
set -u
lxrun=$1 nosud=$2 static=${3:-}
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1"; fail=$((fail + 1)); }

for engine in rewrite sud; do
	err=$("$nosud" "$lxrun" --engine "$engine" /bin/true 2>&1 >/dev/null)
	rc=$?
	name="--engine $engine without SUD"
	if [ $rc -eq 126 ] && [ "$(wc -l <<<"$err")" -eq 1 ] &&
	   [[ $err == "lxrun: /bin/true: "*"Syscall User Dispatch"*"--engine emulate"*"--mode vm"* ]]; then
		ok "$name: exit 126, '$err'"
	else
		notok "$name: exit $rc, '$err'"
	fi
done

# auto: emulate, announced under -v only
err=$("$nosud" "$lxrun" --engine auto -v /bin/true 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 0 ] && [[ $err == *"engine auto: this kernel has no Syscall User Dispatch"*"emulate engine"* ]]; then
	ok "--engine auto -v without SUD: runs on emulate and says so: '$err'"
else
	notok "--engine auto -v without SUD: exit $rc, '$err'"
fi
err=$("$nosud" "$lxrun" /bin/true 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 0 ] && [ -z "$err" ]; then
	ok "default engine without SUD, no -v: exit 0, nothing on stderr"
else
	notok "default engine without SUD, no -v: exit $rc, '$err'"
fi
# with SUD the same -v run says nothing about emulate
err=$("$lxrun" --engine auto -v /bin/true 2>&1 >/dev/null)
if [[ $err != *emulate* ]]; then
	ok "--engine auto -v with SUD: no fallback"
else
	notok "--engine auto -v with SUD: '$err'"
fi

# The same programs natively and under auto without SUD.
cmds=(
	"/bin/echo hello from a dynamic program"
	"/bin/bash -c 'x=\$(echo sub | tr a-z A-Z); echo \$x; (exit 3); echo rc=\$?; ls / | grep -c -x usr'"
	"/bin/sh -c 'trap \"echo got USR1\" USR1; kill -USR1 \$\$; echo after'"
	"/usr/bin/env -i A=1 /usr/bin/env"
	"/bin/bash -c 'printf \"%s\\n\" b c a | sort | head -2; exec /bin/echo exec ok'"
)
[ -n "$static" ] && cmds+=("$static")
for c in "${cmds[@]}"; do
	want=$(eval "$c" 2>&1; echo "rc=$?")
	got=$(eval "\"$nosud\" \"$lxrun\" $c" 2>&1; echo "rc=$?")
	if [ "$want" = "$got" ]; then
		ok "without SUD, auto runs: $c"
	else
		notok "without SUD, auto runs: $c"
		diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
