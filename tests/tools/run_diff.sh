#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Real-tools differential suite: runs each case natively and under a wrapper, compares everything.
#
# usage: run_diff.sh [-k] [-f FILTER] [-x FILTER] [-t SECS] [--cases FILE] [--tmp DIR] [--abs-prog] -- WRAPPER...
#
#   -k            keep the work directory (printed at the end): res/N/ holds case N's
#                 native.* and wrapped.* (out, err, rc, tree) for a closer look
#   -f FILTER     run only the cases whose text matches this extended regex
#   -x FILTER     leave out the cases whose text matches this extended regex
#   -t SECS       timeout of one run, native or wrapped (default 60): a hang is a failure
#   --cases FILE  case list (default: cases.txt beside this script)
#   --tmp DIR     where to make the work directory (default $TMPDIR or /tmp); vm mode may
#                 need a directory it shares with the guest
#   --abs-prog    pass the program as an absolute path (/usr/bin/grep) in both runs, for a
#                 wrapper that does not search PATH itself
#
# A case is one line of cases.txt: a shell command line whose first word is the program run
# under the wrapper. The line is split into words by the shell (quotes, globs, $VARS, all
# evaluated in the run directory), then run as `env -i ENV PROG ARGS` natively and as
# `env -i ENV WRAPPER PROG ARGS` wrapped, so no shell builtin stands in for a real program.
# The only redirection understood is a final `< FILE` (space before `<`, no quotes in FILE);
# stdin is /dev/null otherwise. No pipes: a case that needs one runs `sh -c '...'`.
#
# Each run gets a fresh copy of the corpus at the same path, so outputs that mention paths
# match; stdout, stderr, exit status and the resulting tree (types, modes, owners, sizes,
# link targets, content hashes; mtimes unless set during the run) are compared byte for byte.
#
# Registering runs of lxrun in meson (tests/tools/meson.build), once the modes run dynamic
# programs (bash runs the script so its git file mode does not matter):
#   test('tools-translate', find_program('bash'), args : [files('run_diff.sh'), '--', lxrun_exe],
#        suite : 'tools', timeout : 1800)
#   test('tools-translate-sud', find_program('bash'),
#        args : [files('run_diff.sh'), '--', lxrun_exe, '--engine', 'sud'],
#        suite : 'tools', timeout : 1800)
#   test('tools-vm', find_program('bash'),
#        args : [files('run_diff.sh'), '--', lxrun_exe, '--mode', 'vm'],
#        suite : 'tools', timeout : 3600)
# By hand: bash tests/tools/run_diff.sh -- build/lxrun --engine sud
# Output closes with `N passed, N failed`; the exit status is 1 when any case failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cases_file=$here/cases.txt
filter=
exclude=
keep=0
tmo=60
tmp_base=${TMPDIR:-/tmp}
abs_prog=0

usage() {
	echo "usage: $0 [-k] [-f FILTER] [-x FILTER] [-t SECS] [--cases FILE] [--tmp DIR] [--abs-prog] -- WRAPPER..." >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-k) keep=1 ;;
	-f) [ $# -ge 2 ] || usage; filter=$2; shift ;;
	-x) [ $# -ge 2 ] || usage; exclude=$2; shift ;;
	-t) [ $# -ge 2 ] || usage; tmo=$2; shift ;;
	--cases) [ $# -ge 2 ] || usage; cases_file=$2; shift ;;
	--tmp) [ $# -ge 2 ] || usage; tmp_base=$2; shift ;;
	--abs-prog) abs_prog=1 ;;
	--) shift; break ;;
	*) usage ;;
	esac
	shift
done
[ $# -ge 1 ] || usage
wrapper=("$@")

# The wrapper runs from the run directory under a fixed PATH: make its program absolute now.
case ${wrapper[0]} in
/*) ;;
*/*) wrapper[0]=$PWD/${wrapper[0]} ;;
*)
	w=$(type -P "${wrapper[0]}") || { echo "run_diff: ${wrapper[0]}: not found" >&2; exit 2; }
	wrapper[0]=$w
	;;
esac
[ -x "${wrapper[0]}" ] || { echo "run_diff: ${wrapper[0]}: not executable" >&2; exit 2; }
[ -r "$cases_file" ] || { echo "run_diff: $cases_file: cannot read" >&2; exit 2; }

# Glob order and the comparisons below must not depend on the caller's locale.
export LC_ALL=C
umask 022

work=$(mktemp -d "$tmp_base/lxrun-tools.XXXXXX") || exit 2
cleanup() {
	if [ "$keep" = 1 ]; then
		echo "# kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

corpus=$work/corpus
run=$work/run
home=$work/home
res=$work/res
mkdir -p "$res"
if ! bash "$here/gen_corpus.sh" "$corpus" > "$work/gen.log" 2>&1; then
	echo "run_diff: gen_corpus.sh failed:" >&2
	cat "$work/gen.log" >&2
	exit 2
fi

fixed_path=/usr/bin:/bin
fixed_env=(LC_ALL=C.UTF-8 TZ=UTC "HOME=$home" "PATH=$fixed_path")

# snapshot DIR START: one line per entry, then a hash per regular file.
snapshot() {
	(
		cd "$1" || exit 1
		find . -printf '%p\t%y %m %U:%G %T@ %s %l\n' | sort |
			awk -F'\t' -v start="$2" '{
				split($2, f, " ")
				mt = (f[4] + 0 >= start) ? "new" : f[4]
				sz = (f[1] == "d") ? "-" : f[5]
				printf "%s %s %s %s %s %s -> %s\n", $1, f[1], f[2], f[3], mt, sz, f[6]
			}'
		find . -type f -print0 | sort -z | xargs -0 -r sha256sum
	)
}

# run_case MODE REDIR CASE: one run in a fresh corpus copy; results go to $res/MODE.*
run_case() {
	local mode=$1 redir=$2 line=$3 start
	rm -rf "$run" "$home"
	cp -a "$corpus" "$run" && mkdir -p "$home" || return 1
	start=$(date +%s)
	(
		cd "$run" || exit 125
		HOME=$home
		PATH=$fixed_path
		eval "set -- $line" || exit 125
		[ $# -ge 1 ] || exit 125
		if [ "$abs_prog" = 1 ]; then
			p=$(type -P "$1") || exit 127
			shift
			set -- "$p" "$@"
		fi
		if [ -n "$redir" ]; then
			exec < "$redir" || exit 125
		else
			exec < /dev/null
		fi
		if [ "$mode" = native ]; then
			exec timeout -k 5 "$tmo" env -i "${fixed_env[@]}" "$@"
		else
			exec timeout -k 5 "$tmo" env -i "${fixed_env[@]}" "${wrapper[@]}" "$@"
		fi
	) > "$res/$mode.out" 2> "$res/$mode.err"
	echo $? > "$res/$mode.rc"
	snapshot "$run" "$start" > "$res/$mode.tree"
}

is_text() {
	[ ! -s "$1" ] || grep -qI '' "$1"
}

# show_diff WHAT: a short unified diff of one result (or where binary ones part), as comments.
show_diff() {
	local what=$1 a=native.$1 b=wrapped.$1
	(
		cd "$res" || exit 1
		cmp -s "$a" "$b" && exit 0
		echo "#   $what differs:"
		if is_text "$a" && is_text "$b"; then
			diff -U 2 --label "$a" --label "$b" "$a" "$b" | head -n 25 | sed 's/^/#     /'
		else
			echo "#     $(cmp "$a" "$b" 2>&1 | head -n 1) (sizes $(stat -c %s "$a") vs $(stat -c %s "$b"))"
		fi
	)
}

n=0
passed=0
failed=0
redir_re='^(.*[^[:space:]])[[:space:]]+<[[:space:]]*([^[:space:]<>|&;'"'"'"]+)[[:space:]]*$'
while IFS= read -r line || [ -n "$line" ]; do
	case $line in '' | '#'*) continue ;; esac
	if [ -n "$exclude" ] && [[ $line =~ $exclude ]]; then
		continue
	fi
	if [ -n "$filter" ] && ! [[ $line =~ $filter ]]; then
		continue
	fi
	n=$((n + 1))
	res=$work/res/$n
	mkdir -p "$res"
	echo "$line" > "$res/case"
	cmd=$line
	redir=
	if [[ $line =~ $redir_re ]]; then
		cmd=${BASH_REMATCH[1]}
		redir=${BASH_REMATCH[2]}
	fi
	run_case native "$redir" "$cmd"
	run_case wrapped "$redir" "$cmd"
	note=
	read -r nrc < "$res/native.rc"
	read -r wrc < "$res/wrapped.rc"
	if [ "$nrc" = 124 ] || [ "$nrc" = 125 ] || [ "$nrc" = 137 ]; then
		note="#   the native run itself failed (status $nrc: timeout or bad case line)"
	fi
	if [ -z "$note" ] && cmp -s "$res/native.out" "$res/wrapped.out" &&
		cmp -s "$res/native.err" "$res/wrapped.err" &&
		[ "$nrc" = "$wrc" ] && cmp -s "$res/native.tree" "$res/wrapped.tree"; then
		echo "ok $n - $line"
		passed=$((passed + 1))
		continue
	fi
	echo "not ok $n - $line"
	failed=$((failed + 1))
	[ -n "$note" ] && echo "$note"
	if [ "$wrc" = 124 ] || [ "$wrc" = 137 ]; then
		echo "#   the wrapped run timed out after ${tmo}s"
	fi
	[ "$nrc" = "$wrc" ] || echo "#   status: native $nrc, wrapped $wrc"
	show_diff out
	show_diff err
	show_diff tree
done < "$cases_file"

if [ "$n" = 0 ]; then
	echo "run_diff: no case selected" >&2
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$n" -gt 0 ]
