#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# VM-mode numbers for docs/vm.md: cold boot, warm round trip, small files on 9p/virtio-fs/ext4.
# usage: bench_vm.sh BUILD/lxrun BUILD/tests/vm/vm_smallfiles [REPEATS]
# Uses its own state directory; prints medians (min-max). VARIANTS=0 skips the share-option
# variants (each reboots the VM).
set -u
LXRUN=$(realpath "$1")
SMALL=$(realpath "$2")
REP=${3:-5}
export LXRUN_STATE_DIR=$(mktemp -d /tmp/lxrun-bench.XXXXXX)
WORK=$(mktemp -d /tmp/lxrun-benchwork.XXXXXX)
trap '"$LXRUN" vm stop >/dev/null 2>&1; rm -rf "$LXRUN_STATE_DIR" "$WORK"' EXIT

ms() { date +%s%N | awk '{printf "%d", $1 / 1000000}'; }
# stats: median (min-max) of the numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {printf "%s (%s-%s)", a[int((NR+1)/2)], a[1], a[NR]}'; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$LXRUN" vm start >/dev/null 2>&1
echo "accelerator: $("$LXRUN" vm status | sed -n 's/^accelerator: //p')"

# cold boot: from `lxrun vm start` to a served command, and the service's own boot-to-ready
for i in $(seq "$REP"); do
	"$LXRUN" vm stop >/dev/null
	s=$(ms); "$LXRUN" vm start >/dev/null 2>&1; e=$(ms)
	echo $((e - s)) >>"$WORK/cold"
	"$LXRUN" vm status | sed -n 's/^boot to ready: \([0-9]*\) ms/\1/p' >>"$WORK/boot"
done
echo "cold start (lxrun vm start): $(stats <"$WORK/cold") ms"
echo "boot to agent ready: $(stats <"$WORK/boot") ms"

# warm round trips
for i in $(seq $((REP * 4))); do
	s=$(date +%s%N); "$LXRUN" vm status >/dev/null; e=$(date +%s%N)
	echo $(((e - s) / 1000)) >>"$WORK/status"
	s=$(date +%s%N); "$LXRUN" --mode vm true; e=$(date +%s%N)
	echo $(((e - s) / 1000)) >>"$WORK/true"
	s=$(date +%s%N); "$LXRUN" --mode vm --workdir / /bin/true; e=$(date +%s%N)
	echo $(((e - s) / 1000)) >>"$WORK/true_nobind"
	s=$(date +%s%N); /bin/true; e=$(date +%s%N)
	echo $(((e - s) / 1000)) >>"$WORK/native_true"
done
echo "service round trip (lxrun vm status): $(stats <"$WORK/status") us"
echo "warm lxrun --mode vm true: $(stats <"$WORK/true") us"
echo "warm lxrun --mode vm --workdir / /bin/true: $(stats <"$WORK/true_nobind") us"
echo "native /bin/true: $(stats <"$WORK/native_true") us"

# small files: phase medians over REP runs
small() { # LABEL LXRUN-ARGS...
	local label=$1
	shift
	rm -f "$WORK/sf"
	for i in $(seq "$REP"); do
		(cd "$WORK" && "$@" "$SMALL" 2000 "sf.$i") >>"$WORK/sf" || return
	done
	printf '| %s |' "$label"
	for col in 2 4 6 8; do
		printf ' %s |' "$(awk -v c=$col '{print $c}' "$WORK/sf" | stats)"
	done
	echo
}
echo
echo "| 2000 x 4 KiB, ms: median (min-max) | create | stat | read | delete |"
echo "|---|---|---|---|---|"
small "native (host $(df --output=fstype "$WORK" | tail -1))" env
"$LXRUN" vm stop >/dev/null
"$LXRUN" vm start >/dev/null 2>&1
small "vm/ext4 (virtio-blk)" "$LXRUN" --mode vm --disk --workdir /mnt/lxrun-disk env
small "vm/9p (msize=512000,cache=none)" "$LXRUN" --mode vm --share 9p
small "vm/virtiofs (cache=auto)" "$LXRUN" --mode vm --share virtiofs
[ "${VARIANTS:-1}" = 0 ] && exit 0
for opt in "msize=512000,cache=loose" "msize=131072,cache=none" "msize=1048576,cache=mmap"; do
	"$LXRUN" vm stop >/dev/null
	"$LXRUN" vm start --share-opt "$opt" >/dev/null 2>&1
	small "vm/9p ($opt)" "$LXRUN" --mode vm --share 9p
done
for c in none always; do
	"$LXRUN" vm stop >/dev/null
	"$LXRUN" vm start --share virtiofs --share-opt "cache=$c" >/dev/null 2>&1
	small "vm/virtiofs (cache=$c)" "$LXRUN" --mode vm --share virtiofs
done
