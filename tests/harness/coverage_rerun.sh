#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun coverage --rerun: a check that fails once and then passes is flaky, not a regression;
# a check that fails every time stays a regression. Usage: coverage_rerun.sh LXRUN
set -uo pipefail
lxrun=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# Fails its check c on the first run (per counter file), passes afterwards.
cat >"$work/once.sh" <<'SH'
n=$(cat "$1" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$1"
echo "ok a"
if [ "$n" -eq 1 ]; then echo "not ok c: first run fails"; else echo "ok c"; fi
SH
cat >"$work/suite" <<EOS
steady bash -c 'echo "ok a"; echo "not ok b: always"'
flaky bash $work/once.sh $work/count
EOS
printf '%s\n' 'steady a ok translate/rewrite' 'steady b ok translate/rewrite' \
	'flaky a ok translate/rewrite' 'flaky c ok translate/rewrite' >"$work/base"

run() { # NAME EXPECTED_STATUS ARGS...: runs coverage, keeps its output in $work/NAME.out
	local name=$1 want=$2
	shift 2
	"$lxrun" coverage --columns translate/rewrite --baseline "$work/base" --json "$work/$name.json" \
		"$@" >"$work/$name.out" 2>"$work/$name.err"
	local st=$?
	if [ $st -ne "$want" ]; then
		echo "FAIL $name: exit $st, expected $want"; cat "$work/$name.out" "$work/$name.err"; fail=1
	fi
}
expect() { # NAME PATTERN: the output has the pattern
	grep -q -- "$2" "$work/$1.out" || { echo "FAIL $1: no '$2' in:"; cat "$work/$1.out"; fail=1; }
}

run strict 1 --rerun 0 "$work/suite"
expect strict 'regressions 2$'
rm -f "$work/count"
run rerun 1 --rerun 1 "$work/suite"
expect rerun 'regressions 1$'
expect rerun '1 flaky'
expect rerun 'flaky  *c  *ok~'
grep -q '"flaky": 1' "$work/rerun.json" || { echo "FAIL rerun: JSON has no \"flaky\": 1"; fail=1; }
grep -q '"translate/rewrite.flaky":true' "$work/rerun.json" || { echo "FAIL rerun: JSON check not marked flaky"; fail=1; }
# Only the flaky test: passes with a rerun, and --update-baseline does not record a flaky ok.
echo "flaky bash $work/once.sh $work/count" >"$work/suite2"
rm -f "$work/count"
run only 0 --rerun 2 "$work/suite2"
expect only 'regressions 0$'
[ "$fail" -eq 0 ] && echo "coverage --rerun: ok"
exit $fail
