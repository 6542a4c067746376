#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Translate-mode benchmarks, native and under each engine in one run: ns per getppid, grep/sed/
# gawk over a generated text file, /bin/true start-up. Prints a table of medians with ratios to
# native, then "N passed, N failed" (a measurement that could not be made, or a tool whose
# output under lxrun differs from native, fails).
#
# usage: bash bench/run.sh [--quick] [--build DIR] [--engines "rewrite sud"]
#   --quick   small file, few repeats (a smoke run, well under a minute)
#   --build   meson build directory (default: $LXRUN_BUILD or build)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${LXRUN_BUILD:-$here/../build}
quick=0
engines=(rewrite sud)
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--build) build=$2; shift ;;
	--engines) read -r -a engines <<<"$2"; shift ;;
	*) echo "usage: $0 [--quick] [--build DIR] [--engines \"rewrite sud\"]" >&2; exit 2 ;;
	esac
	shift
done
lxrun=$build/lxrun
loop=$build/bench/syscall_loop
timeit=$build/bench/timeit
gentext=$build/bench/gentext
for f in "$lxrun" "$loop" "$timeit" "$gentext"; do
	if [ ! -x "$f" ]; then
		echo "run.sh: $f missing: build first (bash scripts/setup.sh)" >&2
		exit 77
	fi
done

if [ $quick = 1 ]; then
	mb=4 tool_runs=3 true_runs=10 calls=20000 reps=5
else
	mb=50 tool_runs=7 true_runs=31 calls=300000 reps=11
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
cols=(native "${engines[@]}")

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)"
echo "run: bash bench/run.sh$([ $quick = 1 ] && echo ' --quick'); text file ${mb} MiB; medians"\
     "of $tool_runs (tools), $true_runs (/bin/true), $reps x $calls calls (getppid)"
echo

declare -A med lo hi
wrap() { # column -> command prefix
	if [ "$1" = native ]; then echo ""; else echo "$lxrun --engine $1"; fi
}

# getppid: the loop times itself (vDSO clock) and prints "getppid_ns MEDIAN MIN MAX".
for c in "${cols[@]}"; do
	n=$calls
	[ "$c" = sud ] && n=$((calls / 10)) # ~2.5 us a trap: keep the run short
	read -r _ m l h < <($(wrap "$c") "$loop" "$n" "$reps" 2>/dev/null)
	if [ -n "${m:-}" ]; then
		med[getppid,$c]=$m lo[getppid,$c]=$l hi[getppid,$c]=$h
		pass=$((pass + 1))
	else
		echo "getppid under $c: no result" >&2
		fail=$((fail + 1))
	fi
done

"$gentext" "$mb" >"$tmp/text.txt"
tools=(
	"grep|grep -c ERROR $tmp/text.txt"
	"sed|sed -n s/foo.bar/XX/p $tmp/text.txt"
	"gawk|gawk {n+=\$4}END{print(n)} $tmp/text.txt"
)
for t in "${tools[@]}"; do
	name=${t%%|*}
	read -r -a cmd <<<"${t#*|}"
	"${cmd[@]}" >"$tmp/native.out" 2>/dev/null
	for c in "${cols[@]}"; do
		# shellcheck disable=SC2046
		if r=$("$timeit" -o "$tmp/out" "$tool_runs" $(wrap "$c") "${cmd[@]}"); then
			read -r m l h <<<"$r"
			med[$name,$c]=$m lo[$name,$c]=$l hi[$name,$c]=$h
			if cmp -s "$tmp/native.out" "$tmp/out"; then
				pass=$((pass + 1))
			else
				echo "$name under $c: output differs from native" >&2
				fail=$((fail + 1))
			fi
		else
			fail=$((fail + 1))
		fi
	done
done

for c in "${cols[@]}"; do
	# shellcheck disable=SC2046
	if r=$("$timeit" "$true_runs" $(wrap "$c") /bin/true); then
		read -r m l h <<<"$r"
		med[true,$c]=$m lo[true,$c]=$l hi[true,$c]=$h
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done

# The table: median (min-max) and the ratio of medians to native.
unit() { case $1 in getppid) echo "ns" ;; true) echo "us" ;; *) echo "ms" ;; esac; }
scale() { case $1 in getppid|true) echo 1 ;; *) echo 1000 ;; esac; }
printf '| %-22s |' workload
for c in "${cols[@]}"; do printf ' %-26s |' "$c"; done
echo
printf '|%s|' "------------------------"
for c in "${cols[@]}"; do printf '%s|' "----------------------------"; done
echo
for w in getppid grep sed gawk true; do
	case $w in
	getppid) label="getppid round trip" ;; true) label="/bin/true start-up" ;;
	*) label="$w, ${mb} MiB" ;;
	esac
	printf '| %-22s |' "$label ($(unit $w))"
	nat=${med[$w,native]:-}
	s=$(scale $w)
	for c in "${cols[@]}"; do
		m=${med[$w,$c]:-}
		if [ -z "$m" ]; then printf ' %-26s |' "-"; continue; fi
		cell=$(awk -v m="$m" -v l="${lo[$w,$c]}" -v h="${hi[$w,$c]}" -v s="$s" \
			'BEGIN { printf "%.1f (%.1f-%.1f)", m / s, l / s, h / s }')
		if [ "$c" != native ] && [ -n "$nat" ]; then
			cell+=$(awk -v m="$m" -v n="$nat" 'BEGIN { printf " %.2fx", m / n }')
		fi
		printf ' %-26s |' "$cell"
	done
	echo
done
echo
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
