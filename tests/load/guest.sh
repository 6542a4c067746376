#!/bin/bash
# SPDX-License-Identifier: MIT
# One load-test guest: ROUNDS rounds of mixed tools over INPUT, the results into OUT/round.R,
# its temp files in its own TMPDIR (which must be empty at the end); after each round the
# number of its fds (it must not grow) and a pause for the harness to sample lxrun's.
# usage: guest.sh INPUT OUT ROUNDS
set -u
in=$1 out=$2 rounds=$3
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
	t=$(mktemp)
	{
		grep -c 'lorem' "$in"
		grep -v 'ipsum' "$in" | wc -l
		sed -e 's/\([0-9][0-9]*\)/<\1>/g' -e 's/dolor/DOLOR/' "$in" | md5sum
		awk '{ s += $1; n[$3]++ } END { print s; for (k in n) print k, n[k] | "sort" }' "$in"
		sort -k2,2 -k1,1n "$in" | uniq -c -f1 | sort -rn | head -5
		cut -d' ' -f2 "$in" | sort | uniq | tr 'a-z' 'A-Z' | paste -sd, -
	} >"$t"
	# a shell loop: arithmetic, builtins, subshells, pipes
	sum=0
	for i in $(seq 1 200); do
		sum=$((sum + i * i % 7))
		[ $((i % 50)) = 0 ] && echo "step $i $(echo "$sum" | tr 0-9 a-j)" >>"$t"
	done
	echo "sum $sum" >>"$t"
	mv "$t" "$out/round.$r"
	ls /proc/$$/fd | wc -l >"$out/fds.$r"
	echo "$r" >"$out/progress"
	sleep 1
done
