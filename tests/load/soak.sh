#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Soak: translate mode and vm mode at once for MINUTES (10). T (16) translate-mode workers
# (half under each engine) and V (16) vm-mode workers on one VM each run the mixed-tools jobs of
# tools.sh back to back; every output is compared with the native run's. Each job's peak RSS
# is taken (GNU time), QEMU's and the VM service's RSS sampled every 2 s. At the end: no lxrun process left,
# the service's fds and children and the state dir as after the warm-up, the guest's process
# count back to its baseline, every worker's TMPDIR empty. Prints the jobs done per minute of
# each mode (to see a slowdown) and the peak RSS of each kind of process.
# usage: soak.sh LXRUN [--minutes N] [--translate T] [--vm V] [--quick]
#        --quick: 1 minute, 4 + 4 workers
set -u
lxrun=${1:?usage: $0 LXRUN [--minutes N] [--translate T] [--vm V] [--quick]}
shift
case $lxrun in /*) ;; *) lxrun=$PWD/$lxrun ;; esac
minutes=10 nt=16 nv=16
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=$2; shift ;;
	--translate) nt=$2; shift ;;
	--vm) nv=$2; shift ;;
	--quick) minutes=1 nt=4 nv=4 ;;
	*) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
here=$(cd "$(dirname "$0")" && pwd)
source "$here/tools.sh"
tmp=$(mktemp -d /tmp/lxrun-soak.XXXXXX)
export LXRUN_STATE_DIR=$tmp/state
pass=0 fail=0
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; echo "    expected: $2"; echo "    got:      $3"; fi; }
cleanup() {
	"$lxrun" vm stop >/dev/null 2>&1
	pkill -KILL -f "qemu-system-x86_64.*$LXRUN_STATE_DIR" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

if [ ! -x /usr/bin/time ]; then
	echo "skip: GNU time (/usr/bin/time) measures the jobs' RSS: apt-get install time"
	exit 77
fi
if [ "$nv" -gt 0 ] && { [ ! -x /usr/bin/qemu-system-x86_64 ] || ! ls /boot/vmlinuz-* >/dev/null 2>&1; }; then
	echo "# no qemu-system-x86_64 or kernel in /boot: vm mode left out"
	nv=0
fi
mkdir -p "$tmp/w"
tool_input "$tmp/w/in"
native_rss=0
for k in $(seq 0 $((TOOL_JOBS - 1))); do
	(cd "$tmp/w" && /usr/bin/time -f %M -o "$tmp/native.rss" sh -c "$(tool_cmd $k)") >"$tmp/native.$k" 2>&1
	r=$(tail -1 "$tmp/native.rss")
	[ "$r" -gt "$native_rss" ] && native_rss=$r
done
kib() { sed -n "s/^$2:[[:space:]]*\([0-9]*\).*/\1/p" "/proc/$1/status" 2>/dev/null; }
guest_procs() { "$lxrun" --mode vm sh -c 'n=0; for f in /proc/[0-9]*/stat; do read -r l 2>/dev/null <"$f" || continue; set -- ${l##*") "}; [ "${l%% *}" != 2 ] && [ "$2" != 2 ] && n=$((n + 1)); done; echo $n' 2>/dev/null; }

svc= qemu=
if [ "$nv" -gt 0 ]; then
	"$lxrun" vm start --disk-size 32 >/dev/null 2>&1
	"$lxrun" --mode vm true
	svc=$(cut -d' ' -f1 "$LXRUN_STATE_DIR/vm.pid")
	qemu=$(pgrep -P "$svc" -f qemu-system)
	fds0=$(ls /proc/$svc/fd | wc -l)
	kids0=$(pgrep -P "$svc" | wc -l)
	files0=$(ls "$LXRUN_STATE_DIR" | sort | tr '\n' ' ')
	procs0=$(guest_procs)
fi

t0=$(date +%s)
deadline=$((t0 + minutes * 60))
# worker MODE I: jobs back to back until the deadline; one line per job: "MINUTE ok|bad KIB",
# KIB the peak RSS of the job's largest process (GNU time: its lxrun processes in translate
# mode, the client in vm mode)
worker() {
	local mode=$1 i=$2 it=0 k rc
	local log=$tmp/log.$mode.$i out=$tmp/out.$mode.$i rss=$tmp/rss.$mode.$i
	: >"$log"
	while [ "$(date +%s)" -lt "$deadline" ]; do
		k=$(((it + i) % TOOL_JOBS))
		if [ "$mode" = vm ]; then
			(cd "$tmp/w" && env -u TMPDIR /usr/bin/time -f %M -o "$rss" \
				"$lxrun" --mode vm sh -c "$(tool_cmd $k)") >"$out" 2>&1
		else
			local engine=rewrite
			[ $((i % 2)) = 0 ] && engine=sud
			(cd "$tmp/w" && TMPDIR=$tmp/tmp.$i /usr/bin/time -f %M -o "$rss" \
				"$lxrun" --engine $engine /bin/sh -c "$(tool_cmd $k)") >"$out" 2>&1
		fi
		rc=$?
		if [ $rc = 0 ] && cmp -s "$tmp/native.$k" "$out"; then
			echo "$((($(date +%s) - t0) / 60)) ok $(tail -1 "$rss")" >>"$log"
		else
			echo "$((($(date +%s) - t0) / 60)) bad $(tail -1 "$rss")" >>"$log"
			cp "$out" "$tmp/bad.$mode.$i.$it.job$k.rc$rc"
		fi
		it=$((it + 1))
	done
}
pids=()
for i in $(seq 1 "$nt"); do mkdir -p "$tmp/tmp.$i"; worker translate "$i" & pids+=($!); done
for i in $(seq 1 "$nv"); do worker vm "$i" & pids+=($!); done
echo "# soak: $minutes min, $nt translate-mode and $nv vm-mode workers at once"

# samples of QEMU and the service, the largest per minute
declare -A qrss srss sfds
while [ -n "$(jobs -r)" ]; do
	m=$((($(date +%s) - t0) / 60))
	if [ -n "$svc" ]; then
		q=$(kib "$qemu" VmRSS) s=$(kib "$svc" VmRSS) f=$(ls /proc/$svc/fd 2>/dev/null | wc -l)
		[ "${q:-0}" -gt "${qrss[$m]:-0}" ] && qrss[$m]=$q
		[ "${s:-0}" -gt "${srss[$m]:-0}" ] && srss[$m]=$s
		[ "$f" -gt "${sfds[$m]:-0}" ] && sfds[$m]=$f
	fi
	sleep 2
done
wait "${pids[@]}"
secs=$(($(date +%s) - t0))

# the largest RSS in MODE's jobs of minute M (all minutes without M)
maxrss() { cat "$tmp"/log.$1.* 2>/dev/null | awk -v m="${2:-}" 'm == "" || $1 == m { if ($3 > x) x = $3 } END { print x + 0 }'; }
echo "# minute  translate jobs  vm jobs  translate peak KiB  vm client peak KiB  QEMU RSS KiB  service RSS KiB  service fds"
for m in $(seq 0 $((minutes - 1))); do
	ct=$(cat "$tmp"/log.translate.* 2>/dev/null | grep -c "^$m ")
	cv=$(cat "$tmp"/log.vm.* 2>/dev/null | grep -c "^$m ")
	printf "# %6d  %14d  %7d  %18s  %18s  %12s  %15s  %11s\n" "$m" "$ct" "$cv" "$(maxrss translate $m)" \
		"$(maxrss vm $m)" "${qrss[$m]:--}" "${srss[$m]:--}" "${sfds[$m]:--}"
done
all_t=$(cat "$tmp"/log.translate.* 2>/dev/null | wc -l)
all_v=$(cat "$tmp"/log.vm.* 2>/dev/null | wc -l)
bad=$(cat "$tmp"/log.* 2>/dev/null | grep -c bad)
echo "# $all_t translate-mode and $all_v vm-mode jobs in ${secs}s"
for f in $(ls "$tmp"/bad.* 2>/dev/null | head -3); do
	k=${f##*.job}; k=${k%%.*}
	echo "# wrong: ${f##*/}"; diff "$tmp/native.$k" "$f" | head -5
done
check "every output equals native's" 0 "$bad"
[ "$nt" -gt 0 ] && check "translate mode did jobs" 1 "$([ "$all_t" -gt 0 ] && echo 1)"
[ "$nv" -gt 0 ] && check "vm mode did jobs" 1 "$([ "$all_v" -gt 0 ] && echo 1)"

# (any process: a translate-mode lxrun shows the host its guest's name and argv, not lxrun's)
left() { for d in /proc/[0-9]*; do [ "$(readlink "$d/cwd" 2>/dev/null)" = "$tmp/w" ] && echo "${d#/proc/}"; done; }
check "no lxrun process left" "" "$(left | tr '\n' ' ')"
check "every TMPDIR is empty" 0 "$(find "$tmp"/tmp.* -mindepth 1 2>/dev/null | wc -l)"
if [ -n "$svc" ]; then
	for _ in $(seq 50); do [ "$(ls /proc/$svc/fd | wc -l)" = "$fds0" ] && break; sleep 0.1; done
	check "the service's fd count is back to its baseline" "$fds0" "$(ls /proc/$svc/fd | wc -l)"
	check "the service has the same children" "$kids0" "$(pgrep -P "$svc" | wc -l)"
	check "no file left in the state dir" "$files0" "$(ls "$LXRUN_STATE_DIR" | sort | tr '\n' ' ')"
	for _ in $(seq 30); do [ "$(guest_procs)" = "$procs0" ] && break; sleep 0.5; done
	check "the guest's process count is back to its baseline ($procs0)" "$procs0" "$(guest_procs)"
	echo "# peak RSS: QEMU $(($(kib "$qemu" VmHWM) / 1024)) MiB (high-water), service $(kib "$svc" VmHWM) KiB, a vm-mode client $(maxrss vm) KiB"
fi
echo "# peak RSS: a translate-mode job's largest lxrun $(maxrss translate) KiB (natively its largest process $native_rss KiB)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
