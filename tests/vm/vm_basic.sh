#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vm mode basics against native behaviour: exit codes, signals, stdio streams, cwd, env, help.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

# cold start builds the image and says so on stderr
out=$("$LXRUN" vm start 2>&1)
rc=$?
check "vm start succeeds" 0 $rc
case $out in *"building VM image (kernel "*) ok "image build is announced" ;;
*) not_ok "image build is announced" "$out" ;; esac
st=$("$LXRUN" vm status)
case $st in *"VM: running"*accelerator:\ *\(*\)*) ok "vm status says running and why" ;;
*) not_ok "vm status says running and why" "$st" ;; esac
# The probe's answer against what this host has (LXRUN_KVM_DEVICE hides /dev/kvm in tests).
kvm=${LXRUN_KVM_DEVICE:-/dev/kvm}
if ! { [ -c "$kvm" ] && (exec 3<>"$kvm"); } 2>/dev/null; then
	want="accelerator: tcg ($kvm is not usable" what="no usable $kvm means TCG"
elif [ -d /sys/module/kvm_pvm ]; then
	want="accelerator: tcg (/dev/kvm is provided by kvm_pvm" what="kvm_pvm means TCG"
else
	want="accelerator: kvm" what="a usable /dev/kvm means KVM"
fi
case $st in *"$want"*) ok "$what" ;; *) not_ok "$what" "$st" ;; esac

# exit statuses as a shell reports them
for code in 0 1 3 42 255; do
	same "exit $code" -- sh -c "exit $code"
done
same "killed by SIGSEGV is 139" -- sh -c 'kill -SEGV $$'
same "killed by SIGTERM is 143" -- sh -c 'kill -TERM $$'
same "killed by SIGKILL is 137" -- sh -c 'kill -KILL $$'
vm no-such-command-xyz >/dev/null 2>"$WORK/err"
check "command not found is 127" 127 $?
grep -q "no-such-command-xyz" "$WORK/err" && ok "not-found message names the command" ||
	not_ok "not-found message names the command" "$(cat "$WORK/err")"
printf 'echo hi\n' >"$WORK/noexec.sh"
chmod 644 "$WORK/noexec.sh"
(cd "$WORK" && vm ./noexec.sh >/dev/null 2>&1)
check "not executable is 126" 126 $?

# stdout and stderr stay apart and in order per stream
same "stdout and stderr" -- sh -c 'echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 7'
same "environment is passed" -- sh -c 'echo "$HOME|$PATH|$LANG|${LXRUN_T-unset}"'
export LXRUN_T='a b  c'
same "environment with spaces" -- sh -c 'printf "[%s]\n" "$LXRUN_T"'
unset LXRUN_T
same "argv is passed verbatim" -- printf '[%s]\n' 'a b' '' '*' '$HOME' "$(printf 'x\ty')"
same "cwd is the host's" -- pwd
same "170 KB of arguments" -- sh -c 'echo $# "$1" "${30000}"' sh $(seq 1 30000)

# files written in the guest's cwd are the host's files, and back
(cd "$WORK" && vm sh -c 'echo from-guest > g.txt')
check "guest writes land on the host" from-guest "$(cat "$WORK/g.txt" 2>/dev/null)"
echo from-host >"$WORK/h.txt"
check "host files are seen in the guest" from-host "$(cd "$WORK" && vm cat h.txt)"
vm sh -c 'echo x > /usr/lxrun-scratch' 2>/dev/null
check "the root is writable in the guest (overlay)" 0 $?
[ -e /usr/lxrun-scratch ] && not_ok "overlay writes stay in the guest" ||
	ok "overlay writes stay in the guest"

# stdin streaming, both ways, big
seq 1 300000 >"$WORK/big.txt"
check "stdin streaming (wc -l)" 300000 "$(vm wc -l <"$WORK/big.txt")"
check "cat big | lxrun wc -l" "$(wc -c <"$WORK/big.txt")" "$(cat "$WORK/big.txt" | vm wc -c)"
check "big stdout is intact" "$(md5sum <"$WORK/big.txt")" "$(vm cat "$WORK/big.txt" | md5sum)"
check "stdin through a filter" "$(sort -r "$WORK/big.txt" | md5sum)" \
	"$(vm sort -r <"$WORK/big.txt" | md5sum)"
check "empty stdin" 0 "$(vm wc -c </dev/null)"

# SIGPIPE like natively: the reader goes away
vm seq 1 10000000 | head -1 >/dev/null
check "SIGPIPE when the reader exits (141)" 141 "${PIPESTATUS[0]}"

# signals sent to lxrun reach the command
# (not through the vm function: $! must be lxrun itself, not a subshell)
"$LXRUN" --mode vm sleep 60 &
pid=$!
sleep 3
kill -TERM $pid
wait $pid
check "SIGTERM to lxrun kills the command (143)" 143 $?
# a background job of a script starts with SIGINT ignored: lxrun must still forward it
"$LXRUN" --mode vm sh -c 'trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 0.1; done' >"$WORK/int.out" &
pid=$!
for i in $(seq 100); do grep -q ready "$WORK/int.out" 2>/dev/null && break; sleep 0.1; done
kill -INT $pid
wait $pid
check "SIGINT is forwarded to the command's handler" "9 got-int" "$? $(tail -1 "$WORK/int.out")"

# help texts
"$LXRUN" vm --help | grep -q "start" && ok "lxrun vm --help" || not_ok "lxrun vm --help"
"$LXRUN" --mode vm --help | grep -q -- "--share" && ok "lxrun --mode vm --help" ||
	not_ok "lxrun --mode vm --help"
"$LXRUN" --mode vm --share nfs true 2>/dev/null
check "bad option value is a usage error (125)" 125 $?

"$LXRUN" vm stop >/dev/null
"$LXRUN" vm status >/dev/null
check "vm stop; status says stopped (3)" 3 $?

# the image is rebuilt exactly when its inputs change (here: the kernel file's mtime)
out=$("$LXRUN" vm start 2>&1 >/dev/null)
check "unchanged inputs: no rebuild" "" "$out"
"$LXRUN" vm stop >/dev/null
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -1)
cp "$kernel" "$WORK/"
export LXRUN_VM_KERNEL=$WORK/$(basename "$kernel")
case $("$LXRUN" --mode vm true 2>&1) in *"building VM image"*) ok "another kernel: rebuild" ;;
*) not_ok "another kernel: rebuild" ;; esac
"$LXRUN" vm stop >/dev/null
touch -d '2001-01-01' "$LXRUN_VM_KERNEL"
case $("$LXRUN" --mode vm true 2>&1) in *"building VM image"*) ok "kernel mtime changed: rebuild" ;;
*) not_ok "kernel mtime changed: rebuild" ;; esac
unset LXRUN_VM_KERNEL
finish
