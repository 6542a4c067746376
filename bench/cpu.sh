#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CPU time per call, for a machine too loaded for wall-clock medians: `perf stat -e task-clock`
# (the whole process tree) of `syscall_loop count OP N` minus `count OP 0` (start-up), in each
# column, the columns interleaved round by round; prints min and median ns per call.
# usage: bench/cpu.sh [-r ROUNDS] [-n N] [-l SYSCALL_LOOP] OP COLUMN...
#   OP: getppid, open_close, stat, spawn (fork+exec+wait of syscall_loop itself)
#   COLUMN: "native", or a command prefix such as build/lxrun or qemu-x86_64
# e.g. bench/cpu.sh stat native build/lxrun qemu-x86_64
#      LXRUN_FORCE_NO_FSGSBASE=1 bench/cpu.sh -n 200 spawn native build/lxrun qemu-x86_64
set -u
rounds=9 n=40000 loop=
while getopts r:n:l: o; do
	case $o in r) rounds=$OPTARG ;; n) n=$OPTARG ;; l) loop=$OPTARG ;; *) exit 125 ;; esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { sed -n 's/^# \{0,1\}//p' "$0" | sed -n '2,9p'; exit 125; }
op=$1; shift
[ -n "$loop" ] || loop=$(dirname "$0")/../build/bench/syscall_loop
loop=$(realpath "$loop")
command -v perf >/dev/null || { echo "cpu.sh: perf is missing (Debian: linux-perf)" >&2; exit 1; }
# the columns run in a scratch directory: make a relative program path absolute
cols=()
for col in "$@"; do
	first=${col%% *}
	[[ $first == */* ]] && col="$(realpath "$first")${col:${#first}}"
	cols+=("$col")
done
set -- "${cols[@]}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
cpu_ms() { # COLUMN COUNT -> task-clock in ms
	local pre=()
	[ "$1" = native ] || read -r -a pre <<<"$1"
	perf stat -x, -e task-clock "${pre[@]}" "$loop" count "$op" "$2" 2>&1 >/dev/null |
		awk -F, '/task-clock/ {print $1}'
}
declare -A res
for ((i = 0; i < rounds; i++)); do
	for col in "$@"; do
		a=$(cpu_ms "$col" "$n") b=$(cpu_ms "$col" 0)
		res[$col]+=" $(awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN {printf "%.0f", (a - b) * 1e6 / n}')"
	done
done
for col in "$@"; do
	echo "$op $col: $(tr ' ' '\n' <<<"${res[$col]}" | grep . | sort -n |
		awk '{v[NR] = $1} END {printf "min %d med %d ns CPU per call (%d rounds)", v[1], v[int((NR + 1) / 2)], NR}')"
done
