#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of run_diff.sh: it must pass every case with a no-op wrapper and catch perturbations.
#
# 1. `run_diff.sh -- env` must pass all of cases.txt: the cases and the corpus are deterministic.
# 2. A wrapper that changes one observable per program (stdout, stderr, status, tree, stdin,
#    a hang) must make exactly those programs' cases fail, each with the right kind of diff,
#    while the unperturbed program's cases still pass: the suite can fail, and fails precisely.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lxrun-tools-selftest.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what"
		failed=$((failed + 1))
	fi
}

# first_words FILE: the program of each case, in order.
first_words() {
	grep -v -e '^#' -e '^$' "$1" | awk '{ print $1 }'
}

# --- 1. no-op wrapper: everything passes -----------------------------------------------------
ncases=$(first_words "$here/cases.txt" | wc -l)
bash "$here/run_diff.sh" -- env > "$tmp/clean.log" 2>&1
clean_rc=$?
check "clean run exits 0" [ "$clean_rc" = 0 ]
check "clean run closes with '$ncases passed, 0 failed'" \
	[ "$(tail -n 1 "$tmp/clean.log")" = "$ncases passed, 0 failed" ]
check "at least 60 cases" [ "$ncases" -ge 60 ]
check "one ok line per case" [ "$(grep -c '^ok [0-9]* - ' "$tmp/clean.log")" = "$ncases" ]
if [ "$clean_rc" != 0 ]; then
	grep -A 30 '^not ok' "$tmp/clean.log" | head -n 100
fi

# --- 2. perturbing wrapper: the perturbed programs fail, the others pass -----------------------
cat > "$tmp/perturb.sh" <<'EOF'
#!/bin/bash
# Wrapper used by selftest.sh: changes one observable for a few programs.
case ${1##*/} in
sort) "$@"; rc=$?; printf X; exit $rc ;;
cut) "$@"; rc=$?; echo extra >&2; exit $rc ;;
seq) "$@"; exit 42 ;;
sed) "$@"; rc=$?; : > stray.file; exit $rc ;;
tr) exec "$@" < /dev/null ;;
tac) sleep 30; exec "$@" ;;
*) exec "$@" ;;
esac
EOF
chmod +x "$tmp/perturb.sh"
sel='^(sort|cut|seq|sed|tr|tac|wc) '
bash "$here/run_diff.sh" -t 3 -f "$sel" -- "$tmp/perturb.sh" > "$tmp/perturb.log" 2>&1
perturb_rc=$?

nsel=$(grep -E -v -e '^#' -e '^$' "$here/cases.txt" | grep -E -c "$sel")
nwc=$(first_words "$here/cases.txt" | grep -c -x wc)
check "perturbed run exits 1" [ "$perturb_rc" = 1 ]
check "perturbed run closes with '$nwc passed, $((nsel - nwc)) failed'" \
	[ "$(tail -n 1 "$tmp/perturb.log")" = "$nwc passed, $((nsel - nwc)) failed" ]

# Every result line must match its program: wc ok, every other program not ok.
bad=$(awk '
	/^ok [0-9]+ - / && $4 != "wc" { print }
	/^not ok [0-9]+ - / && $5 == "wc" { print }
' "$tmp/perturb.log")
check "only the perturbed programs fail" [ -z "$bad" ]

# diag PROG PATTERN: the diagnostics after PROG's first failing case mention PATTERN.
diag() {
	awk -v prog="$1" '
		/^not ok [0-9]+ - / { on = ($5 == prog) ; if (on) n++; next }
		/^(ok|not ok) / { on = 0 }
		on && n == 1 { print }
	' "$tmp/perturb.log" | grep -q -- "$2"
}
check "sort: stdout diff shown" diag sort 'out differs'
check "sort: the appended byte is in the diff" diag sort '^#     +.*X'
check "cut: stderr diff shown" diag cut 'err differs'
check "seq: status diff shown" diag seq 'status: native 0, wrapped 42'
check "sed: tree diff shown" diag sed 'stray.file'
check "tr: stdin is really fed (stdout differs)" diag tr 'out differs'
check "tac: timeout reported" diag tac 'timed out after 3s'

if [ "$failed" != 0 ]; then
	echo "# perturbed run log:"
	sed 's/^/# /' "$tmp/perturb.log" | head -n 200
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
