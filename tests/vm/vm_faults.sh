#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Faults: missing kernel, garbage on the channel and the socket, QEMU or the service killed
# mid-command, stale lock and socket, a full guest disk. Messages must be clear, data intact.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
frames() { python3 "$here/frames.py" "$LXRUN_STATE_DIR/vm.sock" "$@"; }
qemu_pids() { pgrep -f "qemu-system-x86_64.*$LXRUN_STATE_DIR"; }

# --- missing kernel: a clear message, nothing left half-built
LXRUN_VM_KERNEL=/nonexistent/vmlinuz-9.9.9 "$LXRUN" --mode vm true 2>"$WORK/err"
check "missing kernel fails with 125" 125 $?
grep -q "kernel /nonexistent/vmlinuz-9.9.9: No such file" "$WORK/err" &&
	ok "missing kernel: the message names the file" ||
	not_ok "missing kernel: the message names the file" "$(cat "$WORK/err")"
ls "$LXRUN_STATE_DIR" | grep -q -e vmlinux -e '\.tmp' -e initramfs &&
	not_ok "missing kernel leaves no partial image" "$(ls "$LXRUN_STATE_DIR")" ||
	ok "missing kernel leaves no partial image"

# --- a small disk so that filling it is quick; faults on so garbage can be injected
LXRUN_VM_FAULTS=1 "$LXRUN" vm start --disk-size 24 >/dev/null 2>&1
check "vm start" 1 "$(qemu_pids | wc -l)"

# --- garbage on the control channel: the agent drops it and keeps serving
out=$(frames inject-garbage 2>&1)
case $out in injected*) ok "garbage injected" ;; *) not_ok "garbage injected" "$out" ;; esac
check "agent still serves after garbage" alive "$(vm echo alive)"
sleep 0.5
grep -q "agent: dropped [0-9]* bytes of garbage" "$LXRUN_STATE_DIR/service.log" &&
	ok "agent reports the garbage it dropped" ||
	not_ok "agent reports the garbage it dropped" "$(tail -3 "$LXRUN_STATE_DIR/service.log")"
check "malformed requests did not kill the VM" 1 "$(qemu_pids | wc -l)"

# --- garbage from a client: the service skips it and answers the next real frame
check "service resyncs after client garbage" hello "$(frames client-garbage 2>&1)"
check "service still serves commands" 3 "$(vm sh -c 'echo 3')"

# --- full guest disk: ENOSPC like any Linux, the file system stays sound
# (synced: like power loss, killing QEMU may lose what the guest had not written back)
vm --disk sh -c 'echo keep > keep.txt; sync; dd if=/dev/zero of=fill bs=1M count=64 2>&1' >"$WORK/dd" 2>&1
rc=$?
check "filling the disk fails (dd status 1)" 1 $rc
grep -q "No space left on device" "$WORK/dd" && ok "full disk says No space left on device" ||
	not_ok "full disk says No space left on device" "$(cat "$WORK/dd")"
check "the disk works again after rm" keep "$(vm --disk sh -c 'rm fill && cat keep.txt')"

# --- QEMU killed mid-command: the command fails clearly, the next one gets a new VM
"$LXRUN" --mode vm sh -c 'echo started; sleep 60' >"$WORK/kq.out" 2>"$WORK/kq.err" &
pid=$!
for _ in $(seq 200); do grep -q started "$WORK/kq.out" && break; sleep 0.1; done
old=$(qemu_pids)
kill -KILL $old
wait $pid
check "command fails with 125 when QEMU dies" 125 $?
grep -q "the VM stopped unexpectedly (QEMU was killed by signal 9" "$WORK/kq.err" &&
	ok "message says the VM died and how" || not_ok "message says the VM died and how" "$(cat "$WORK/kq.err")"
check "next command starts a fresh VM" fresh "$(vm echo fresh 2>/dev/null)"
new=$(qemu_pids)
[ -n "$new" ] && [ "$new" != "$old" ] && ok "a new QEMU runs" || not_ok "a new QEMU runs" "old $old new $new"
check "ext4 data survived the crash" keep "$(vm --disk cat keep.txt)"

# --- the service killed: QEMU goes with it, lock and socket are stale, the next run recovers
svc=$(cut -d' ' -f1 "$LXRUN_STATE_DIR/vm.pid")
kill -KILL "$svc"
for _ in $(seq 50); do [ -z "$(qemu_pids)" ] && break; sleep 0.1; done
check "QEMU does not outlive its service" "" "$(qemu_pids)"
[ -S "$LXRUN_STATE_DIR/vm.sock" ] && ok "a stale socket is left behind" || not_ok "a stale socket is left behind"
check "next command cleans up and works" recovered "$(vm echo recovered 2>/dev/null)"

# --- a stale socket file with no service and a bogus pid file
"$LXRUN" vm stop >/dev/null
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$LXRUN_STATE_DIR/vm.sock"
echo "999999 999999" >"$LXRUN_STATE_DIR/vm.pid"
check "stale socket and pid file are cleaned" ok "$(vm echo ok 2>/dev/null)"

# --- a /dev/kvm that cannot boot this kernel (kvm_pvm here): --accel kvm falls back to TCG
"$LXRUN" vm stop >/dev/null
if [ -d /sys/module/kvm_pvm ] && [ -w "${LXRUN_KVM_DEVICE:-/dev/kvm}" ]; then
	# Known intermittent failure (about 1 run in 3 under CI load): the forced-KVM start can
	# end with the VM stopped. Retried once, and the first failure is printed for diagnosis.
	fallback_ok() {
		"$LXRUN" vm start --accel kvm >"$LXRUN_STATE_DIR/kvm-start.log" 2>&1
		case $("$LXRUN" vm status) in
		*"VM: running"*"accelerator: tcg (KVM "*"fell back to TCG)"*) return 0 ;;
		esac
		echo "# forced-KVM start: $(tr '\n' ' ' <"$LXRUN_STATE_DIR/kvm-start.log") / status: $("$LXRUN" vm status | head -2 | tr '\n' ' ')"
		"$LXRUN" vm stop >/dev/null
		return 1
	}
	if fallback_ok || fallback_ok; then
		ok "forced KVM that cannot boot falls back to TCG"
	else
		not_ok "forced KVM that cannot boot falls back to TCG" "$("$LXRUN" vm status)"
	fi
	check "and the fallback VM works" 0 "$(vm sh -c 'echo $?' 2>/dev/null)"
fi

# --- the disk is clean after all this
"$LXRUN" vm stop >/dev/null
if command -v e2fsck >/dev/null || [ -x /sbin/e2fsck ]; then
	PATH=$PATH:/sbin e2fsck -fn "$LXRUN_STATE_DIR/disk.img" >"$WORK/fsck" 2>&1
	check "e2fsck finds the disk clean" 0 $?
fi
finish
