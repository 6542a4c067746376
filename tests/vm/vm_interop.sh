#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vm-mode host interop and the forwarding WSL2 users expect: lxrun-host in the guest runs a
# host program (argv, stdin, stdout, stderr, exit status and signals, working directory, the
# lxrun's environment), each result compared with the same program run natively on the host;
# a UDP server in the guest reached from the host's 127.0.0.1 and ::1, a TCP one from ::1;
# then a second boot with LXRUN_VM_INTEROP=0 where lxrun-host is refused.
# Usage: vm_interop.sh LXRUN NETTOOL
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
NETTOOL=${2:?usage: $0 LXRUN NETTOOL}
case $NETTOOL in /*) ;; *) NETTOOL=$PWD/$NETTOOL ;; esac

vm_start || { not_ok "vm start" "$(cat "$WORK/start.err")" "$(tail -5 "$LXRUN_STATE_DIR/service.log")"; finish; }

# host: same NAME -- SHELL-COMMAND: the command natively (sh -c) and as lxrun-host sh -c in the
# guest, from $WORK: stdout, stderr and status byte for byte
host_same() {
	local name=$1
	shift 2
	# (the braces keep bash's "Terminated" notice about the native run off the log)
	{ (cd "$WORK" && sh -c "$1") >"$WORK/.n.out" 2>"$WORK/.n.err" </dev/null; } 2>/dev/null
	local nrc=$?
	(cd "$WORK" && vm lxrun-host sh -c "$1") >"$WORK/.v.out" 2>"$WORK/.v.err" </dev/null
	compare_runs "$name" lxrun-host $nrc $?
}

# it is the host that runs it: the host kernel's boot id, not the guest's
boot_id=$(cat /proc/sys/kernel/random/boot_id)
check "lxrun-host is on the guest's PATH" /usr/local/bin/lxrun-host "$(vm sh -c 'command -v lxrun-host')"
check "the program runs on the host (the host kernel's boot id)" "$boot_id" \
	"$(vm lxrun-host cat /proc/sys/kernel/random/boot_id)"
guest_id=$(vm cat /proc/sys/kernel/random/boot_id)
[ -n "$guest_id" ] && [ "$guest_id" != "$boot_id" ] && ok "the guest's boot id differs" ||
	not_ok "the guest's boot id differs" "$guest_id"

host_same "argv with spaces and quotes" -- 'printf "[%s]\n" "a b" "c'"'"'d" "" "\$x"'
host_same "stdout and stderr apart" -- 'echo out; echo err >&2; echo out2'
for code in 0 1 42 255; do
	host_same "exit status $code" -- "exit $code"
done
host_same "killed by SIGTERM: 143" -- 'kill -TERM $$'
host_same "killed by SIGKILL: 137" -- 'kill -KILL $$'
host_same "not found on the host: 127" -- 'exec no-such-program-lxrun'
out=$(vm sh -c 'lxrun-host no-such-program-lxrun 2>&1; echo "rc=$?"')
case $out in "lxrun-host: no-such-program-lxrun: command not found on the host"*"rc=127")
	ok "a program missing on the host: 127 and a message" ;;
*) not_ok "a program missing on the host: 127 and a message" "$out" ;; esac

# stdin and big streams both ways, with the window: 3 MB each way, compared by hash
head -c 3000000 /dev/urandom >"$WORK/big.bin"
want=$(sha256sum <"$WORK/big.bin")
check "stdin to the host program (3 MB)" "$want" \
	"$(cd "$WORK" && vm sh -c 'cat big.bin | lxrun-host sha256sum')"
check "stdout from the host program (3 MB)" "$want" \
	"$(cd "$WORK" && vm sh -c 'lxrun-host cat big.bin | sha256sum')"
check "a pipe through the host program" "HELLO FROM THE GUEST" \
	"$(vm sh -c 'echo hello from the guest | lxrun-host tr a-z A-Z')"
check "the guest's reader goes away: SIGPIPE on the host (141 in the pipe)" "y 141" \
	"$(vm bash -c 'lxrun-host yes | head -1; echo ${PIPESTATUS[0]}' | tr '\n' ' ' | sed 's/ $//')"

# a signal sent to lxrun-host in the guest reaches the host program
check "SIGTERM to lxrun-host ends the host program: 143" 143 \
	"$(vm sh -c 'lxrun-host sleep 60 & p=$!; sleep 2; kill -TERM $p; wait $p; echo $?')"
check "SIGINT to lxrun-host reaches the host program's handler" "trapped 3" \
	"$(vm sh -c 'lxrun-host sh -c "trap \"echo trapped; exit 3\" INT; sleep 60 & wait" & p=$!;
		sleep 2; kill -INT $p; wait $p; echo $?' | tr '\n' ' ' | sed 's/ $//')"

# working directory: a shared directory maps to its host path, else the lxrun's directory
mkdir -p "$WORK/sub dir"
check "cwd under the bound directory maps to the host path" "$WORK/sub dir" \
	"$(cd "$WORK" && vm sh -c 'cd "sub dir" && lxrun-host pwd')"
check "cwd under the raw 9p share maps to the host path" "$WORK/sub dir" \
	"$(cd "$WORK" && vm sh -c "cd '/run/lxrun/9p$WORK/sub dir' && lxrun-host pwd")"
check "cwd outside the shares: the lxrun's own directory" "$WORK" \
	"$(cd "$WORK" && vm sh -c 'cd /mnt/lxrun-disk && lxrun-host pwd')"
check "files the host program writes there are the host's" "made on the host" \
	"$(cd "$WORK" && vm sh -c 'cd "sub dir" && lxrun-host sh -c "echo made on the host > f.txt"' &&
		cat "$WORK/sub dir/f.txt")"

# environment: the lxrun command's (as its guest command got it), not the guest program's
check "the host program gets the lxrun command's environment" "from-lxrun" \
	"$(LXRUN_TEST_VAR=from-lxrun vm sh -c 'LXRUN_TEST_VAR=from-guest lxrun-host sh -c "echo \$LXRUN_TEST_VAR"')"

# lxrun-host's own errors
out=$(vm lxrun-host 2>&1)
rc=$?
case "$rc $out" in "125 usage: lxrun-host PROGRAM"*) ok "lxrun-host without a program: usage, 125" ;;
*) not_ok "lxrun-host without a program: usage, 125" "$rc $out" ;; esac

# the host program dies with the lxrun command: killing lxrun kills its guest command, whose
# lxrun-host's end takes the host program along
marker="lxrun-interop-$$-$RANDOM"
"$LXRUN" --mode vm lxrun-host bash -c "exec -a $marker sleep 120" >/dev/null 2>&1 &
lpid=$!
end=$((SECONDS + 30))
until pgrep -f "^$marker" >/dev/null || [ $SECONDS -ge $end ]; do sleep 0.3; done
if pgrep -f "^$marker" >/dev/null; then
	kill -KILL $lpid
	wait $lpid 2>/dev/null
	end=$((SECONDS + 20))
	while pgrep -f "^$marker" >/dev/null && [ $SECONDS -lt $end ]; do sleep 0.3; done
	pgrep -f "^$marker" >/dev/null && not_ok "the host program ends when lxrun is killed" ||
		ok "the host program ends when lxrun is killed"
else
	not_ok "the host program started" "no process $marker"
	kill -KILL $lpid 2>/dev/null
fi

# forwarding: UDP from the host's 127.0.0.1 and ::1, TCP from ::1; below the guest's ephemeral
# range (32768-60999), where a bound UDP socket is taken for a client's and not forwarded
free_port() {
	local p
	for p in $(seq $((20000 + ($$ + $1) % 12000)) 32767); do
		ss -Htuln "sport = :$p" 2>/dev/null | grep -q . || { echo $p; return; }
	done
}
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.3
	done
}
have_v6=yes
"$NETTOOL" echo ::1 >/dev/null 2>&1 || have_v6=
uport=$(free_port 7)
"$LXRUN" --mode vm "$NETTOOL" udpserve 0.0.0.0 "$uport" 60 >"$WORK/udp.out" 2>&1 &
upid=$!
if wait_for 30 sh -c "'$LXRUN' vm status | grep -q 'ports.*$uport/udp'"; then
	ok "status lists the UDP forward"
	check "UDP: a guest server answers the host's 127.0.0.1:$uport" "echo: over ipv4" \
		"$("$NETTOOL" udpsend 127.0.0.1 "$uport" "over ipv4" 2>&1)"
	if [ -n "$have_v6" ]; then
		check "UDP: and the host's [::1]:$uport" "echo: over ipv6" \
			"$("$NETTOOL" udpsend ::1 "$uport" "over ipv6" 2>&1)"
	else
		echo "ok - skip: UDP over ::1 (the host has no IPv6 loopback)"
	fi
else
	not_ok "status lists the UDP forward" "$(cat "$WORK/udp.out")" "$("$LXRUN" vm status)"
fi
kill -TERM $upid
wait $upid 2>/dev/null
echo "served from the guest" >"$WORK/page.txt"
tport=$(free_port 11)
"$LXRUN" --mode vm "$NETTOOL" serve 0.0.0.0 "$tport" "$WORK/page.txt" 60 >"$WORK/tcp.out" 2>&1 &
tpid=$!
if [ -z "$have_v6" ]; then
	echo "ok - skip: TCP over ::1 (the host has no IPv6 loopback)"
elif wait_for 30 "$NETTOOL" get ::1 "$tport"; then
	check "TCP: a guest server is reached on the host's [::1]:$tport" "served from the guest" \
		"$("$NETTOOL" get ::1 "$tport")"
else
	not_ok "TCP: a guest server is reached on the host's [::1]:$tport" "$(cat "$WORK/tcp.out")" \
		"$(tail -3 "$LXRUN_STATE_DIR/service.log")"
fi
kill -TERM $tpid
wait $tpid 2>/dev/null
if [ -n "$have_v6" ]; then
	wait_for 10 sh -c "! ss -Htln 'sport = :$tport' | grep -q ." &&
		ok "the ::1 listener goes when the guest program ends" ||
		not_ok "the ::1 listener goes when the guest program ends" "$(ss -Htln "sport = :$tport")"
fi

# interop off (LXRUN_VM_INTEROP=0, as --no-interop): refused with a clear message, 126
"$LXRUN" vm stop >/dev/null
LXRUN_VM_INTEROP=0 vm_start
case $("$LXRUN" vm status) in *"host interop (lxrun-host): off"*) ok "status says interop is off" ;;
*) not_ok "status says interop is off" "$("$LXRUN" vm status)" ;; esac
out=$(vm sh -c 'lxrun-host true; echo "rc=$?"' 2>&1)
# the guest's stderr and stdout reach the host on two streams: either may come first
case $out in *"lxrun-host: running host programs is turned off for this VM (lxrun --no-interop"*) msg=1 ;;
*) msg=0 ;; esac
case "$msg $out" in "1 "*"rc=126"*) ok "--no-interop: lxrun-host is refused (126, with the reason)" ;;
*) not_ok "--no-interop: lxrun-host is refused (126, with the reason)" "$out" ;; esac
finish
