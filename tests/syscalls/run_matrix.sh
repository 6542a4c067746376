#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the syscall-coverage programs natively and under each wrapper; prints a case x column matrix.
#
# usage: run_matrix.sh [options] BUILDDIR [WRAPPER...]
#   WRAPPER       a command prefix, one argument, split on spaces: "build/lxrun", "build/lxrun --vm"
#   --baseline F  baseline file (default: baseline.txt next to this script)
#   --update-baseline  (gone: lxrun coverage --update-baseline writes the baseline)
#   --only FAMILY run only this family (repeatable)
#   --diff        print only the rows where a wrapper disagrees with native
#   --timeout S   seconds per program run (default 60)
#
# A failure is a case that is ok natively but not ok under a wrapper, unless the baseline already
# records it as not ok there (a known gap). Cases missing from an existing baseline are new and
# reported, not failed. Without a baseline file every such case fails. With no wrapper at all the
# native results themselves are counted. The last line is "N passed, N failed"; exit 1 on failures.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
baseline="$here/baseline.txt"
diff_only=0
limit=60
only=()

usage() {
	sed -n '4,11s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

while (($#)); do
	case $1 in
	--baseline) baseline=$2; shift 2 ;;
	--update-baseline)
		echo "run_matrix: the baseline is written by lxrun coverage --baseline FILE --update-baseline" >&2
		exit 2 ;;
	--only) only+=("$2"); shift 2 ;;
	--diff) diff_only=1; shift ;;
	--timeout) limit=$2; shift 2 ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "run_matrix: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
(($# >= 1)) || usage
builddir=$1
shift
wrappers=("$@")

progdir="$builddir/tests/syscalls"
if [ ! -d "$progdir" ]; then
	echo "run_matrix: no $progdir (build first)" >&2
	exit 77
fi
progdir=$(cd "$progdir" && pwd)

families=()
for p in "$progdir"/syscall_prog_*; do
	if [ ! -f "$p" ] || [ ! -x "$p" ]; then continue; fi
	f=${p##*/syscall_prog_}
	case $f in *.*) continue ;; esac
	if ((${#only[@]})); then
		keep=0
		for o in "${only[@]}"; do [ "$o" = "$f" ] && keep=1; done
		((keep)) || continue
	fi
	families+=("$f")
done
if ((${#families[@]} == 0)); then
	echo "run_matrix: no syscall_prog_* in $progdir" >&2
	exit 77
fi

# Column labels double as baseline keys, so they must be single words.
labels=(native)
for w in "${wrappers[@]}"; do
	read -r -a words <<<"$w"
	l=${words[0]##*/}
	for x in "${words[@]:1}"; do l+="_$x"; done
	for have in "${labels[@]}"; do
		[ "$have" = "$l" ] && l+="_${#labels[@]}"
	done
	labels+=("$l")
done

work=$(mktemp -d "${TMPDIR:-/tmp}/lxrun-matrix-XXXXXX")
trap 'rm -rf "$work"' EXIT
# A program that crashes cannot clean up its temporary directory; keep those inside ours.
mkdir "$work/tmp"
export TMPDIR="$work/tmp"

declare -A status   # "family case col" -> ok|fail|skip
declare -A seen     # "family case" -> 1
declare -A runinfo  # "family col" -> how the program ended, if not exit 0/1
order=()            # "family case", native order first

parse() {
	# Prints "case status" for each result line of a program's stdout.
	awk '/^ok [^ ]+ # skip/ { print $2, "skip"; next }
	     /^ok [^ ]+$/ { print $2, "ok"; next }
	     /^not ok / { n = $3; sub(/:$/, "", n); print n, "fail" }' "$1"
}

for f in "${families[@]}"; do
	prog="$progdir/syscall_prog_$f"
	for c in "${!labels[@]}"; do
		out="$work/$f.$c.out"
		cmd=()
		if ((c > 0)); then read -r -a cmd <<<"${wrappers[c - 1]}"; fi
		# The subshell keeps bash's "Segmentation fault" job notice out of the report.
		(timeout -k 5 "$limit" "${cmd[@]}" "$prog" >"$out" 2>"$work/$f.$c.err" </dev/null
		 exit $?) 2>/dev/null
		rc=$?
		case $rc in
		0|1) ;;
		124|137) runinfo["$f $c"]="timeout after ${limit}s" ;;
		*) if ((rc > 128)); then runinfo["$f $c"]="killed by signal $((rc - 128))"
		   else runinfo["$f $c"]="exit status $rc"; fi ;;
		esac
		while read -r name st; do
			if [ -z "${seen["$f $name"]:-}" ]; then
				seen["$f $name"]=1
				order+=("$f $name")
			fi
			status["$f $name $c"]=$st
		done < <(parse "$out")
	done
done

declare -A base
have_base=0
if [ -f "$baseline" ]; then
	have_base=1
	while read -r bf bc bs bcol; do
		case $bf in ''|'#'*) continue ;; esac
		base["$bf $bc ${bcol:-${labels[1]:-}}"]=$bs
	done <"$baseline"
fi

# Cell: what the column did, with "*" on the cells that count as failures.
passed=0 failed=0 known=0 new=0 improved=0
rows=()
width=4
for key in "${order[@]}"; do
	((${#key} > width)) && width=${#key}
done
header=$(printf '%-*s' "$width" case)
for l in "${labels[@]}"; do header+=$(printf '  %-8s' "$l"); done

for key in "${order[@]}"; do
	f=${key%% *}
	nat=${status["$key 0"]:-miss}
	line=$(printf '%-*s  %-8s' "$width" "$key" "$nat")
	differs=0
	if ((${#labels[@]} == 1)); then
		if [ "$nat" = ok ] || [ "$nat" = skip ]; then ((passed++)); else ((failed++)); differs=1; fi
	fi
	for ((c = 1; c < ${#labels[@]}; c++)); do
		st=${status["$key $c"]:-miss}
		cell=$st
		if [ "$st" != "$nat" ]; then differs=1; fi
		if [ "$nat" = ok ]; then
			b=${base["$key ${labels[c]}"]:-}
			if [ "$st" = ok ]; then
				((passed++))
				if ((have_base)) && [ -n "$b" ] && [ "$b" != ok ]; then ((improved++)); fi
			elif ((have_base)) && [ -z "$b" ]; then
				((new++))
				cell+="?"
			elif ((have_base)) && [ "$b" != ok ]; then
				((known++))
			else
				((failed++))
				cell+="*"
			fi
		fi
		line+=$(printf '  %-8s' "$cell")
	done
	if ((diff_only == 0 || differs)); then rows+=("$line"); fi
done

echo "$header"
for r in "${rows[@]}"; do echo "$r"; done
echo
echo "cells: ok | fail | skip | miss (never printed: crash, timeout or early exit);"
echo "       * = regression (ok natively, not ok here), ? = not in baseline yet"
for f in "${families[@]}"; do
	for c in "${!labels[@]}"; do
		if [ -n "${runinfo["$f $c"]:-}" ]; then
			echo "note: syscall_prog_$f under ${labels[c]}: ${runinfo["$f $c"]}"
		fi
	done
done
for key in "${order[@]}"; do
	if [ "${status["$key 0"]:-}" = fail ]; then
		echo "warning: $key is not ok natively; fix the test first"
	fi
done
if ((${#labels[@]} > 1 && have_base == 0)); then
	echo "baseline: none, so every regression counts"
elif ((${#labels[@]} > 1)); then
	echo "baseline: $known known gaps, $new new cases, $improved improvements$( \
		((improved + new)) && echo ' (record them: lxrun coverage --update-baseline)')"
fi

echo "$passed passed, $failed failed"
((failed == 0))
