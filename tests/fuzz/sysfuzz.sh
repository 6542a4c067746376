#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the syscall fuzzer (sysfuzz.c) natively and under lxrun (each engine, and sud with
# LXRUN_FORCE_NO_FSGSBASE=1) from the same seeds, and checks: lxrun never crashes ("lxrun:
# internal error", or a child dying of a signal that did not kill the native one), never hangs
# (a timeout, or a call stuck where native was not), every result is a value or an errno Linux
# can return, and no implemented syscall says ENOSYS where native did not. Per-call results
# that differ otherwise are counted and the most common shown (lxrun's documented gaps).
# With --confined, the runs are under `lxrun --root` with sysfuzz --confined (paths that climb
# and jump through /proc and symlinks, for every call): no native run to compare with, so the
# checks are no crash, no stuck or killed child, only Linux errnos, and nothing outside the root
# changed.
# usage: sysfuzz.sh LXRUN SYSFUZZ [--calls N] [--chunk C] [--seeds "S ..."]
#                   [--engines "rewrite sud prctl"] [--timeout SECONDS] [--keep DIR] [--confined]
#                   [--first-child K]   (replay from child K of a long run)
set -u
lxrun=$1 fuzz=$2
shift 2
calls=20000 chunk=2000 seeds="1 2" engines="rewrite sud prctl" tmo=600 keep= confined=0 first=0
while [ $# -gt 0 ]; do
	case $1 in
	--calls) calls=$2; shift ;;
	--chunk) chunk=$2; shift ;;
	--seeds) seeds=$2; shift ;;
	--engines) engines=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--keep) keep=$2; shift ;;
	--confined) confined=1 ;;
	--first-child) first=$2; shift ;;
	*) echo "sysfuzz.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
case $lxrun in /*) ;; *) lxrun=$PWD/$lxrun ;; esac
case $fuzz in /*) ;; *) fuzz=$PWD/$fuzz ;; esac
work=${keep:-$(mktemp -d /tmp/sysfuzz.XXXXXX)}
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM INT # (so that the EXIT trap cleans up)
pass=0 fail=0 total=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }

run() { # NAME: fuzz under NAME (native, rewrite, sud, prctl) into $work/NAME.log
	local name=$1 dir=$work/scratch-$1
	rm -rf "$dir"; mkdir -p "$dir"
	local cmd=("$fuzz" --dir "$dir" --seed "$seed" --calls "$calls" --chunk "$chunk" --log
		--first-child "$first")
	case $name in
	native) timeout "$tmo" "${cmd[@]}" ;;
	prctl) LXRUN_FORCE_NO_FSGSBASE=1 timeout "$tmo" "$lxrun" --engine sud "${cmd[@]}" ;;
	*) timeout "$tmo" "$lxrun" --engine "$name" "${cmd[@]}" ;;
	esac >"$work/$name.log" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	# (a child's own report lands in its scratch stdio, which may be a sparse terabyte: a
	# crash there shows as a child dying where native did not)
	grep -a -h -o 'lxrun: internal error.*' "$work/$name.err" | head -5 >"$work/$name.internal"
	rm -rf "$dir"
}

if [ $confined = 1 ]; then
	# the root: the fuzzer, its scratch dir, the marker that allows --confined; beside it a
	# canary tree that must not change
	root=$work/root
	rm -rf "$root" "$work/outside"
	mkdir -p "$root"/{fz,proc,dev,tmp} "$work/outside/dir"
	cp "$fuzz" "$root/sysfuzz"
	touch "$root/.sysfuzz-root"
	echo canary >"$work/outside/dir/file"
	snap() { (cd "$work" && find outside -printf '%p %s %m %U %G %T@\n' | sort; ls -a "$work" | grep -v '\.log$\|\.err$'); }
	before=$(snap)
	for seed in $seeds; do
		for e in $engines; do
			rm -rf "$root/fz"/* "$root/fz"/.[!.]* 2>/dev/null
			env=()
			eng=$e
			[ "$e" = prctl ] && env=(LXRUN_FORCE_NO_FSGSBASE=1) eng=sud
			(cd "$root" && env "${env[@]}" timeout "$tmo" "$lxrun" --engine "$eng" --root "$root" \
				/sysfuzz --dir /fz --seed "$seed" --calls "$calls" --chunk "$chunk" --confined) \
				>"$work/$e.log" 2>"$work/$e.err"
			rc=$?
			n=$(sed -n 's/^sysfuzz: \([0-9]*\) calls made.*/\1/p' "$work/$e.log")
			total=$((total + ${n:-0}))
			what="seed $seed confined under $e: ${n:-0} calls"
			grep -h '^child\|impossible results, first' "$work/$e.log" | head -5
			grep -a -h -o 'lxrun: internal error.*' "$work/$e.err" | head -3
			check "$what: ran to the end, no child killed or stuck, only Linux errnos (exit $rc)" \
				"$([ "$rc" = 0 ] && ! grep -q '^child' "$work/$e.log"; echo $?)"
			check "$what: nothing outside the root changed" "$([ "$before" = "$(snap)" ]; echo $?)"
		done
	done
	echo "# $total calls under lxrun --root"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

for seed in $seeds; do
	run native
	if [ "$(cat "$work/native.rc")" != 0 ]; then
		sed -n '1p;/^child/p;$p' "$work/native.log"
		echo "skip: the native run of seed $seed failed (exit $(cat "$work/native.rc"))"
		exit 77
	fi
	grep -v '^[0-9]' "$work/native.log" | grep '^child' | sed 's/ (.*//' | sort >"$work/native.ends"
	# a native child that died or got stuck: its calls after that are not compared
	if [ -s "$work/native.ends" ]; then
		echo "# seed $seed natively: $(wc -l <"$work/native.ends") children ended early:"
		head -3 "$work/native.ends" | sed 's/^/#   /'
	fi
	for e in $engines; do
		run "$e"
		rc=$(cat "$work/$e.rc")
		n=$(sed -n 's/^sysfuzz: \([0-9]*\) calls made.*/\1/p' "$work/$e.log")
		total=$((total + ${n:-0}))
		what="seed $seed under $e: ${n:-0} calls"
		check "$what: lxrun ran to the end (exit $rc; 124 is a timeout)" "$([ "$rc" = 0 ]; echo $?)"
		if [ -s "$work/$e.internal" ]; then cat "$work/$e.internal"; fi
		check "$what: no internal error" "$([ ! -s "$work/$e.internal" ]; echo $?)"
		grep '^child' "$work/$e.log" | sed 's/ (.*//' | sort >"$work/$e.ends"
		extra=$(comm -13 "$work/native.ends" "$work/$e.ends")
		[ -z "$extra" ] || { echo "$extra"; grep '^child' "$work/$e.log" | head -5; }
		check "$what: no child died or stuck where native did not" "$([ -z "$extra" ]; echo $?)"
		grep -h 'impossible results, first' "$work/$e.log" | head -3
		check "$what: every result a value or a Linux errno" \
			"$(grep -q 'impossible results, first' "$work/$e.log"; [ $? = 1 ]; echo $?)"
		# per call: "child call name level result"
		enosys=$(LC_ALL=C join -j1 -o 1.2,1.3,1.4,2.4 \
			<(awk '/^[0-9]/ {print $1"."$2, $3, $4, $5}' "$work/native.log" | LC_ALL=C sort) \
			<(awk '/^[0-9]/ {print $1"."$2, $3, $4, $5}' "$work/$e.log" | LC_ALL=C sort) 2>/dev/null |
			awk '$2 != "N" && $4 == "ENOSYS" && $3 != "ENOSYS" {print $1}' | sort | uniq -c)
		[ -z "$enosys" ] || echo "$enosys" | head -10
		check "$what: no ENOSYS from an implemented syscall where native had none" \
			"$([ -z "$enosys" ]; echo $?)"
		LC_ALL=C join -j1 -o 1.2,1.4,2.4 \
			<(awk '/^[0-9]/ {print $1"."$2, $3, $4, $5}' "$work/native.log" | LC_ALL=C sort) \
			<(awk '/^[0-9]/ {print $1"."$2, $3, $4, $5}' "$work/$e.log" | LC_ALL=C sort) 2>/dev/null |
			awk '$2 != $3 {print $1" native "$2" lxrun "$3}' | sort | uniq -c |
			sort -rn >"$work/$e.differ"
		echo "# seed $seed under $e: $(awk '{s += $1} END {print s + 0}' "$work/$e.differ") results differ from native; most common:"
		head -5 "$work/$e.differ" | sed 's/^/#   /'
	done
done
echo "# $total calls under lxrun"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
