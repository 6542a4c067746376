#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load in vm mode: SESSIONS (16) lxrun --mode vm clients at once on one VM, each running ROUNDS
# commands of mixed tools (grep, sed, awk, sort, uniq, cut, tr, sha256sum, mktemp) over a
# generated file in the host working directory (9p), every output compared with the native run.
# Afterwards: no lxrun client left, the service's fds, processes and state dir as before, the
# guest's process count back to its baseline. Reports wall time and QEMU's and the service's RSS.
# usage: vm_load.sh LXRUN [SESSIONS] [ROUNDS]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/../load/tools.sh"
n=${2:-16} rounds=${3:-2}
svc_pid() { cut -d' ' -f1 "$LXRUN_STATE_DIR/vm.pid" 2>/dev/null; }
guest_procs() { vm sh -c 'n=0; for f in /proc/[0-9]*/stat; do read -r l 2>/dev/null <"$f" || continue; set -- ${l##*") "}; [ "${l%% *}" != 2 ] && [ "$2" != 2 ] && n=$((n + 1)); done; echo $n' 2>/dev/null; }
kib() { sed -n "s/^$2:[[:space:]]*\([0-9]*\).*/\1/p" "/proc/$1/status" 2>/dev/null; }

tool_input "$WORK/in"
for k in $(seq 0 $((TOOL_JOBS - 1))); do
	(cd "$WORK" && sh -c "$(tool_cmd $k)") >"$WORK/native.$k" 2>&1
done

vm_start --disk-size 32
vm true # warm: the first command's set-up is not a leak
svc=$(svc_pid)
fds0=$(ls /proc/$svc/fd | wc -l)
kids0=$(pgrep -P "$svc" | wc -l)
files0=$(ls "$LXRUN_STATE_DIR" | sort | tr '\n' ' ')
procs0=$(guest_procs)
qemu=$(pgrep -P "$svc" -f qemu-system)

start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
	(
		for r in $(seq 1 "$rounds"); do
			k=$(((i + r) % TOOL_JOBS))
			(cd "$WORK" && "$LXRUN" --mode vm sh -c "$(tool_cmd $k)") >"$WORK/out.$i.$r" 2>&1
			echo "$k $?" >"$WORK/st.$i.$r"
		done
	) &
done
peak_q=0
while [ -n "$(jobs -r)" ]; do
	q=$(kib "$qemu" VmRSS)
	[ -n "$q" ] && [ "$q" -gt "$peak_q" ] && peak_q=$q
	sleep 0.5
done
wait
secs=$(echo "$(date +%s.%N) - $start" | bc)

bad=0
for i in $(seq 1 "$n"); do
	for r in $(seq 1 "$rounds"); do
		read -r k rc <"$WORK/st.$i.$r"
		if [ "$rc" != 0 ] || ! cmp -s "$WORK/native.$k" "$WORK/out.$i.$r"; then
			bad=$((bad + 1))
			[ $bad -le 2 ] && echo "# session $i round $r (job $k, status $rc):" &&
				diff "$WORK/native.$k" "$WORK/out.$i.$r" | head -5
		fi
	done
done
check "$n sessions x $rounds commands at once, every output equals native's" 0 $bad
# the clients ran in $WORK (other lxrun processes on the machine do not)
left() { for p in $(pgrep -x lxrun); do [ "$(readlink /proc/$p/cwd)" = "$WORK" ] && echo $p; done; }
check "no lxrun client left" "" "$(left | tr '\n' ' ')"
for _ in $(seq 50); do [ "$(ls /proc/$svc/fd | wc -l)" = "$fds0" ] && break; sleep 0.1; done
check "the service's fd count is back to its baseline" "$fds0" "$(ls /proc/$svc/fd | wc -l)"
check "the service has the same children (QEMU, virtiofsd)" "$kids0" "$(pgrep -P "$svc" | wc -l)"
check "no file left in the state dir" "$files0" "$(ls "$LXRUN_STATE_DIR" | sort | tr '\n' ' ')"
for _ in $(seq 30); do [ "$(guest_procs)" = "$procs0" ] && break; sleep 0.5; done
check "the guest's process count is back to its baseline ($procs0)" "$procs0" "$(guest_procs)"
echo "# $n sessions x $rounds commands in ${secs}s; QEMU RSS peak $((peak_q / 1024)) MiB (sampled), high-water $(($(kib "$qemu" VmHWM) / 1024)) MiB; service RSS $(kib "$svc" VmRSS) KiB"
finish
