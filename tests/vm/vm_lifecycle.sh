#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The persistent VM: racing starters boot one VM, 8 commands share it, the ext4 disk survives
# stop/start, the idle timeout stops it.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
qemu_count() { pgrep -f "qemu-system-x86_64.*$LXRUN_STATE_DIR" | wc -l; }

# --- four lxrun processes start at once on a stopped VM: one boot, four answers
"$LXRUN" vm start >/dev/null 2>&1 && "$LXRUN" vm stop >/dev/null # image built beforehand
for i in 1 2 3 4; do
	"$LXRUN" --mode vm sh -c "echo starter-$i" >"$WORK/s$i.out" 2>"$WORK/s$i.err" &
done
wait
res=$(cat "$WORK"/s?.out | sort | tr '\n' ' ')
check "racing starters all run" "starter-1 starter-2 starter-3 starter-4 " "$res"
check "racing starters boot one VM" 1 "$(qemu_count)"

# --- 8 concurrent commands on one VM, each checked against the same command natively
for i in 1 2 3 4 5 6 7 8; do
	(cd "$WORK" && "$LXRUN" --mode vm sh -c "seq $i $i 200000 | sed 's/1/x/g' | sort | md5sum; sleep 1; echo done-$i" \
		>"$WORK/c$i.out" 2>&1; echo "rc=$?" >>"$WORK/c$i.out") &
done
wait
bad=0
for i in 1 2 3 4 5 6 7 8; do
	want="$(seq $i $i 200000 | sed 's/1/x/g' | sort | md5sum)
done-$i
rc=0"
	[ "$(cat "$WORK/c$i.out")" = "$want" ] || { bad=$((bad + 1)); cat "$WORK/c$i.out"; }
done
check "8 concurrent commands all correct" 0 $bad
check "still one VM" 1 "$(qemu_count)"

# --- two commands at once in one directory, one over 9p and one over virtio-fs: each sees its
# own share, through its working directory and through absolute paths alike
mkdir -p "$WORK/both"
(cd "$WORK/both" && "$LXRUN" --mode vm --share 9p sh -c \
	'stat -f -c %T "$PWD" > a; touch started; while [ ! -e vfs.done ]; do sleep 0.2; done; stat -f -c %T "$PWD" . >> a' \
	>"$WORK/both.9p.log" 2>&1) &
for _ in $(seq 600); do [ -e "$WORK/both/started" ] && break; sleep 0.1; done
if (cd "$WORK/both" && "$LXRUN" --mode vm --share virtiofs sh -c \
	'stat -f -c %T "$PWD" . > b; touch vfs.done' >"$WORK/both.vfs.log" 2>&1); then
	wait
	t9=$(sort -u "$WORK/both/a" | tr '\n' ' ') tv=$(sort -u "$WORK/both/b" | tr '\n' ' ')
	if [ "$(sort -u "$WORK/both/a" | wc -l)" = 1 ] && [ "$(sort -u "$WORK/both/b" | wc -l)" = 1 ] &&
		[ "$t9" != "$tv" ]; then
		ok "9p and virtio-fs commands in one directory each see their own share"
	else
		not_ok "9p and virtio-fs commands in one directory each see their own share" \
			"9p command saw: $t9; virtio-fs command saw: $tv"
	fi
else
	touch "$WORK/both/vfs.done"
	wait
	echo "skip - 9p and virtio-fs in one directory: --share virtiofs cannot run here: $(head -1 "$WORK/both.vfs.log")"
fi

"$LXRUN" --mode vm sleep 5 &
sleep 2
case $("$LXRUN" vm status) in *"commands running: 1; connected lxrun processes: 2"*)
	ok "status counts commands and clients" ;;
*) not_ok "status counts commands and clients" "$("$LXRUN" vm status)" ;; esac
wait

# --- the guest-local ext4 disk persists across stop/start
vm --disk sh -c 'mkdir -p d && seq 1 1000 > d/data && sync'
"$LXRUN" vm stop >/dev/null
check "stop stops QEMU" 0 "$(qemu_count)"
check "ext4 data survives stop/start" "$(seq 1 1000 | md5sum)" "$(vm --disk cat d/data | md5sum)"
check "disk is mounted at /mnt/lxrun-disk" /mnt/lxrun-disk "$(vm --disk pwd)"
vm --disk sh -c 'rm -r d'

# --- idle timeout: a VM started with --idle-timeout 2 stops by itself
"$LXRUN" vm stop >/dev/null
"$LXRUN" vm start --idle-timeout 2 >/dev/null 2>&1
vm true
# a guest power-off under TCG on a loaded machine can take several seconds
for _ in $(seq 300); do [ "$(qemu_count)" = 0 ] && break; sleep 0.1; done
check "idle timeout stops the VM" 0 "$(qemu_count)"
"$LXRUN" vm status >/dev/null
check "status says stopped after the idle timeout" 3 $?
check "the next command starts it again" again "$(vm echo again 2>/dev/null)"

# --- a host without /dev/kvm (hidden here): the probe says why, TCG boots, commands run
"$LXRUN" vm stop >/dev/null
LXRUN_KVM_DEVICE=/dev/lxrun-test-no-kvm "$LXRUN" vm start >/dev/null 2>&1
case $("$LXRUN" vm status) in
*"accelerator: tcg (/dev/lxrun-test-no-kvm is not usable (No such file or directory)"*)
	ok "no /dev/kvm: status says TCG and why" ;;
*) not_ok "no /dev/kvm: status says TCG and why" "$("$LXRUN" vm status)" ;; esac
check "no /dev/kvm: commands run" 0 "$(vm sh -c 'echo $?' 2>/dev/null)"
finish
