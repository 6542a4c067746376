#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load: N (16) translate-mode guests at once, each a bash running rounds of mixed tools (grep,
# sed, awk, sort, uniq, cut, tr, a shell loop), half under each engine. Checks: every output
# equals the native run's; no guest's fd count grows from round to round, in the guest's view
# and in its lxrun's on the host; no lxrun process is left over; every guest's TMPDIR is empty
# at the end. Reports wall time against native and the peak RSS.
# usage: load.sh LXRUN [GUESTS] [ROUNDS]
set -u
lxrun=$1 n=${2:-16} rounds=${3:-3}
case $lxrun in /*) ;; *) lxrun=$PWD/$lxrun ;; esac
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/lxrun-load.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' TERM INT
pass=0 fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }

# the input: 20000 lines of "number word word"
awk 'BEGIN { srand(7); split("lorem ipsum dolor sit amet consectetur adipiscing elit", w);
	for (i = 0; i < 20000; i++) print int(rand() * 100000), w[1 + int(rand() * 8)], w[1 + int(rand() * 8)] }' \
	>"$tmp/input"

start=$(date +%s.%N)
TMPDIR=$tmp/native-tmp; mkdir -p "$TMPDIR"; export TMPDIR
bash "$here/guest.sh" "$tmp/input" "$tmp/native" 1 >/dev/null 2>&1
native_s=$(echo "$(date +%s.%N) - $start" | bc)

start=$(date +%s.%N)
pids=()
for i in $(seq 1 "$n"); do
	engine=rewrite
	[ $((i % 2)) = 0 ] && engine=sud
	mkdir -p "$tmp/tmp.$i"
	TMPDIR=$tmp/tmp.$i /usr/bin/time -f "%M" -o "$tmp/rss.$i" \
		timeout 600 "$lxrun" --engine "$engine" /bin/bash "$here/guest.sh" "$tmp/input" \
		"$tmp/g.$i" "$rounds" >"$tmp/log.$i" 2>&1 &
	pids+=($!)
done
# sample each guest's lxrun (the bash) on the host: fds after round 1 and in the last pause
# (in the pause after each round, while the guest bash waits for sleep)
declare -A first last hwm hpid
for k in $(seq 1 6000); do
	alive=0
	for i in $(seq 1 "$n"); do
		# the guest bash: the oldest process whose command line names its output directory
		# (lxrun shows the host its guest's argv, so that is the guest's command line)
		[ -n "${hpid[$i]:-}" ] ||
			hpid[$i]=$(pgrep -f -o -- "^/bin/bash $here/guest.sh $tmp/input $tmp/g.$i " 2>/dev/null)
		hp=${hpid[$i]}
		[ -n "$hp" ] && [ -d "/proc/$hp" ] || { [ -n "$hp" ] || alive=1; continue; }
		alive=1
		p=$(cat "$tmp/g.$i/progress" 2>/dev/null || echo 0)
		if { [ "$p" = 1 ] && [ -z "${first[$i]:-}" ]; } ||
		   { [ "$p" = "$rounds" ] && [ -z "${last[$i]:-}" ]; }; then
			c=$(ls "/proc/$hp/fd" 2>/dev/null | wc -l)
			[ "$p" = 1 ] && first[$i]=$c
			[ "$p" = "$rounds" ] && last[$i]=$c
		fi
		h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$hp/status" 2>/dev/null)
		[ -n "$h" ] && hwm[$i]=$h
	done
	[ $alive = 0 ] && break
	sleep 0.05
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
lxrun_s=$(echo "$(date +%s.%N) - $start" | bc)
check "$n guests ran to the end" $rc

bad=0
for i in $(seq 1 "$n"); do
	for r in $(seq 1 "$rounds"); do
		if ! cmp -s "$tmp/native/round.1" "$tmp/g.$i/round.$r"; then
			bad=$((bad + 1))
			[ $bad = 1 ] && { echo "guest $i round $r differs:"; diff "$tmp/native/round.1" "$tmp/g.$i/round.$r" | head -5; cat "$tmp/log.$i" | head -5; }
		fi
	done
done
check "every output equals native's ($((n * rounds)) rounds)" $bad

grow=0
for i in $(seq 1 "$n"); do
	a=$(cat "$tmp/g.$i/fds.1" 2>/dev/null) b=$(cat "$tmp/g.$i/fds.$rounds" 2>/dev/null)
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -le "$a" ] || { echo "guest $i: its fds $a -> $b"; grow=$((grow + 1)); }
	if [ -n "${first[$i]:-}" ] && [ -n "${last[$i]:-}" ] && [ "${last[$i]}" -gt "${first[$i]}" ]; then
		echo "guest $i: lxrun's host fds ${first[$i]} -> ${last[$i]}"
		grow=$((grow + 1))
	fi
done
sampled=$(for i in $(seq 1 "$n"); do [ -n "${last[$i]:-}" ] && echo x; done | wc -l)
echo "# host fds sampled for $sampled of $n guests"
check "no guest's fds grew from round 1 to round $rounds (guest and host view)" $grow

left=$(pgrep -f -- "$tmp/" | wc -l)
check "no process left over" "$([ "$left" = 0 ]; echo $?)"
files=$(find "$tmp"/tmp.* -mindepth 1 | wc -l)
check "no temp file left over" "$([ "$files" = 0 ]; echo $?)"

peak=$(cat "$tmp"/rss.* 2>/dev/null | sort -n | tail -1)
maxhwm=$(for i in $(seq 1 "$n"); do echo "${hwm[$i]:-0}"; done | sort -n | tail -1)
echo "# native: 1 round (1 s of it a pause) in ${native_s}s; lxrun: $n guests x $rounds rounds at once in ${lxrun_s}s"
echo "# peak RSS: largest process of a guest's tree ${peak:-?} KiB; a guest bash's lxrun ${maxhwm:-?} KiB"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
