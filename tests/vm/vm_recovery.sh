#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Faults, part two (issue 15): QEMU killed while booting and while the guest writes and fsyncs
# records to its ext4 disk (every record reported fsync'ed must survive, e2fsck clean);
# virtiofsd killed; clients that vanish mid-session (the guest command is reaped, the service
# serves the others, nothing leaks); the host file system of the state dir full (a tmpfs as
# state dir). Each fault: a clear error, then the next command works with no manual step.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
qemu_pids() { pgrep -f "qemu-system-x86_64.*$LXRUN_STATE_DIR"; }
vfsd_pids() { pgrep -f "virtiofsd.*$LXRUN_STATE_DIR"; }
svc_pid() { cut -d' ' -f1 "$LXRUN_STATE_DIR/vm.pid" 2>/dev/null; }
# processes in the guest other than kernel threads (ppid 2) and kthreadd; the probe is one sh
# that forks nothing
guest_procs() { vm sh -c 'n=0; for f in /proc/[0-9]*/stat; do read -r l 2>/dev/null <"$f" || continue; set -- ${l##*") "}; [ "${l%% *}" != 2 ] && [ "$2" != 2 ] && n=$((n + 1)); done; echo $n' 2>/dev/null; }
wait_for() { # wait_for SECONDS 'SHELL CODE': until it succeeds (evaluated each time)
	local end=$((SECONDS + $1))
	while [ $SECONDS -lt $end ]; do eval "$2" && return 0; sleep 0.1; done
	return 1
}
# the error line a failed command printed, for the report
says() { grep -q -- "$2" "$3" && ok "$1" || not_ok "$1" "wanted: $2" "got: $(cat "$3")"; }

# The state dir on a tmpfs of its own (root only), so that the host disk can be filled.
tmpfs=0
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=200m lxrun-test "$LXRUN_STATE_DIR" 2>/dev/null; then
	tmpfs=1
	trap 'cleanup 2>/dev/null; umount -l "$LXRUN_STATE_DIR" 2>/dev/null; rmdir "$LXRUN_STATE_DIR" 2>/dev/null' EXIT
else
	echo "# not root or no tmpfs: the host-disk-full and virtio-fs cases are skipped"
fi
opts=(--disk-size 32)

# --- QEMU killed while booting: twice, as soon as it runs and once the kernel boots
# (the control socket is up, the agent is not ready yet: no service socket)
for phase in start kernel; do
	"$LXRUN" --mode vm "${opts[@]}" echo never >"$WORK/b.out" 2>"$WORK/b.err" &
	pid=$!
	if [ $phase = start ]; then
		wait_for 120 'qemu_pids >/dev/null'
	else
		wait_for 120 '[ -S "$LXRUN_STATE_DIR/ctl.sock" ]'
		sleep 0.3
	fi
	q=$(qemu_pids)
	[ -S "$LXRUN_STATE_DIR/vm.sock" ] && echo "# note: the agent was already ready at the kill ($phase)"
	kill -KILL $q
	wait $pid
	check "QEMU killed at boot ($phase): the command fails with 125" 125 $?
	says "QEMU killed at boot ($phase): the message says why" "cannot start the VM: .*QEMU was killed by signal 9" "$WORK/b.err"
	check "QEMU killed at boot ($phase): no QEMU is left" "" "$(qemu_pids)"
done
check "after the killed boots the next command boots" fine "$(vm "${opts[@]}" echo fine 2>&1)"

# --- clients that vanish mid-session
svc=$(svc_pid)
fds0=$(ls /proc/$svc/fd | wc -l)
files0=$(ls "$LXRUN_STATE_DIR" | sort | tr '\n' ' ')
procs0=$(guest_procs)
# a long command of another client must not notice
(cd "$WORK" && vm sh -c 'seq 1 400000 | sed s/0/x/g | sha256sum' >"$WORK/other.out" 2>&1) &
other=$!
# (not through the function vm: $! must be lxrun itself)
# (a) a plain command; (b) stdin streaming in; (c) stdout streaming out to a reader that stopped
"$LXRUN" --mode vm sh -c 'echo $$; exec sleep 300' >"$WORK/a.out" 2>/dev/null &
a=$!
head -c 200000000 /dev/zero | "$LXRUN" --mode vm sh -c 'echo $$ >&2; exec sha256sum' 2>"$WORK/b.out" >/dev/null &
b=$!
mkfifo "$WORK/fifo"
exec 8<>"$WORK/fifo" # held open and never read: the client blocks on its stdout
"$LXRUN" --mode vm sh -c 'echo $$ >&2; exec yes' >"$WORK/fifo" 2>"$WORK/c.out" &
c=$!
wait_for 120 'grep -q . "$WORK/a.out" && grep -q . "$WORK/b.out" && grep -q . "$WORK/c.out"'
sleep 1 # (b) and (c) stream now
gpids="$(cat "$WORK/a.out" "$WORK/b.out" "$WORK/c.out" | tr '\n' ' ')"
kill -KILL $a $b $c
wait $a $b $c 2>/dev/null
exec 8>&-
# (d) a client that dies halfway through a frame header
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.send(b"LX\x01\x04\x01\x00"); s.close()' "$LXRUN_STATE_DIR/vm.sock"
gone() { [ "$(vm sh -c "for p in $gpids; do kill -0 \$p 2>/dev/null && echo \$p; done" 2>&1)" = "" ]; }
wait_for 30 gone
check "vanished clients: their guest commands are killed ($gpids)" "" \
	"$(vm sh -c "for p in $gpids; do kill -0 \$p 2>/dev/null && echo \$p; done" 2>&1)"
wait $other
check "another client's command ran on, correct" "$(seq 1 400000 | sed s/0/x/g | sha256sum)" "$(cat "$WORK/other.out")"
wait_for 30 '[ "$(guest_procs)" = "$procs0" ]'
check "the guest's process count is back to its baseline" "$procs0" "$(guest_procs)"
wait_for 10 '[ "$(ls /proc/$svc/fd | wc -l)" = "$fds0" ]'
check "the service's fd count is back to its baseline" "$fds0" "$(ls /proc/$svc/fd | wc -l)"
check "no file left in the state dir" "$files0" "$(ls "$LXRUN_STATE_DIR" | sort | tr '\n' ' ')"
check "the same service still serves" "$svc" "$(vm true && svc_pid)"

# --- QEMU killed while the guest writes: each record is appended and fsync'ed, then its
# number printed; a second writer keeps unsynced data in flight
rec() { awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "%06d %0100d\n", i, i }'; }
vm --disk sh -c 'rm -f recs junk
	(while :; do dd if=/dev/zero of=junk bs=64k count=32 status=none; done) &
	i=0
	while [ $i -lt 100000 ]; do
		i=$((i + 1))
		printf "%06d %0100d\n" $i $i | dd of=recs oflag=append conv=notrunc,fsync status=none || exit 1
		echo $i
	done' >"$WORK/acked" 2>"$WORK/w.err" &
pid=$!
wait_for 300 '[ "$(wc -l <"$WORK/acked")" -ge 30 ]'
kill -KILL $(qemu_pids)
wait $pid
check "QEMU killed mid-write: the command fails with 125" 125 $?
says "QEMU killed mid-write: the message says why" "the VM stopped unexpectedly (QEMU was killed by signal 9" "$WORK/w.err"
acked=$(grep -E '^[0-9]+$' "$WORK/acked" | tail -1)
vm --disk "${opts[@]}" cat recs >"$WORK/recs" 2>"$WORK/r.err"
have=$(wc -l <"$WORK/recs")
if [ -n "$acked" ] && [ "$have" -ge "$acked" ] && cmp -s "$WORK/recs" <(rec "$have"); then
	ok "every fsync'ed record survived ($acked acknowledged, $have on disk, all intact)"
else
	not_ok "every fsync'ed record survived" "acknowledged ${acked:-none}, on disk $have lines" \
		"$(cmp "$WORK/recs" <(rec "$have") 2>&1 | head -2; cat "$WORK/r.err")"
fi
check "and the disk takes new writes" ok "$(vm --disk sh -c 'rm -f recs junk && sync && echo ok')"

# --- virtiofsd killed: the command using it fails naming it, the next one works
if [ $tmpfs = 1 ] && [ -n "$(vfsd_pids)" ]; then
	echo hello >"$WORK/vf.txt"
	# it also copies the file to the ext4 disk with an fsync: that copy must survive
	(cd "$WORK" && vm --share virtiofs sh -c 'cat vf.txt && dd if=vf.txt of=/mnt/lxrun-disk/vf.copy conv=fsync status=none && echo synced; sleep 60') \
		>"$WORK/v.out" 2>"$WORK/v.err" &
	pid=$!
	wait_for 120 'grep -q synced "$WORK/v.out"'
	kill -KILL $(vfsd_pids)
	wait $pid
	check "virtiofsd killed: the command fails with 125" 125 $?
	says "virtiofsd killed: the message names virtiofsd and how it died" "virtiofsd.*killed by signal 9" "$WORK/v.err"
	check "virtiofsd killed: the next virtio-fs command works" hello \
		"$(cd "$WORK" && vm --share virtiofs cat vf.txt 2>&1)"
	check "virtiofsd killed: the file fsync'ed to the disk meanwhile is intact" hello \
		"$(vm --disk cat vf.copy 2>&1)"
fi

# --- the host file system of the state dir full (the tmpfs): guest disk writes still work
# (the disk image is allocated in full when created), writes to a full host directory fail
# like natively, a disk that cannot be created says why, and all works once space is freed
if [ $tmpfs = 1 ]; then
	mkdir "$LXRUN_STATE_DIR/cwd"
	dd if=/dev/zero of="$LXRUN_STATE_DIR/filler" bs=1M 2>/dev/null
	check "the host file system is full" 0 "$(df --output=avail -k "$LXRUN_STATE_DIR" | tail -1 | tr -d ' ')"
	# (a sparse image made QEMU pause the VM on the host's ENOSPC: a hang, hence the timeout)
	timeout 300 "$LXRUN" --mode vm --disk sh -c 'dd if=/dev/urandom of=f bs=64k count=64 conv=fsync status=none && sha256sum f' \
		>"$WORK/sum" 2>&1
	check "guest disk writes work while the host is full" 0 $?
	(cd "$LXRUN_STATE_DIR/cwd" && vm sh -c 'echo data > x; echo $?') >"$WORK/h.vm" 2>&1
	(cd "$LXRUN_STATE_DIR/cwd" && rm -f x && sh -c 'echo data > x; echo $?') >"$WORK/h.native" 2>&1
	check "a write to the full host directory fails as natively" "$(cat "$WORK/h.native")" "$(cat "$WORK/h.vm")"
	check "the service still answers" 0 "$("$LXRUN" vm status >/dev/null; echo $?)"
	"$LXRUN" vm stop >/dev/null
	mv "$LXRUN_STATE_DIR/disk.img" "$LXRUN_STATE_DIR/disk.keep"
	vm --disk "${opts[@]}" true 2>"$WORK/d.err"
	check "no room for a new disk: the command fails with 125" 125 $?
	says "no room for a new disk: the message says so" "No space left on device" "$WORK/d.err"
	check "no room for a new disk: nothing half-made is left" "" "$(ls "$LXRUN_STATE_DIR" | grep -e '^disk\.img' -e '\.tmp$')"
	mv "$LXRUN_STATE_DIR/disk.keep" "$LXRUN_STATE_DIR/disk.img"
	rm -f "$LXRUN_STATE_DIR/filler"
	check "space freed: the fsync'ed file is intact" "$(cat "$WORK/sum")" "$(vm --disk sha256sum f 2>&1)"
fi

"$LXRUN" vm stop >/dev/null
if command -v e2fsck >/dev/null || [ -x /sbin/e2fsck ]; then
	PATH=$PATH:/sbin e2fsck -fn "$LXRUN_STATE_DIR/disk.img" >"$WORK/fsck" 2>&1
	check "e2fsck finds the disk clean" 0 $?
fi
finish
