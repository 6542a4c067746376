# SPDX-License-Identifier: MIT
# Shared helpers of the vm-mode test scripts: a private state directory, checks, the tally.
# Usage: source lib.sh LXRUN; every script gets its own VM and stops it on exit.

LXRUN=${1:?usage: $0 PATH/TO/lxrun}
case $LXRUN in /*) ;; *) LXRUN=$PWD/$LXRUN ;; esac
pass=0
fail=0

# Skip (77) where vm mode cannot run at all.
if [ ! -x /usr/bin/qemu-system-x86_64 ] || ! ls /boot/vmlinuz-* >/dev/null 2>&1; then
	echo "skip: qemu-system-x86_64 or a kernel in /boot is missing"
	echo "0 passed, 0 failed"
	exit 77
fi

# Short and private: unix socket paths are limited, and each script owns its VM.
export LXRUN_STATE_DIR=$(mktemp -d /tmp/lxrun-vmtest.XXXXXX)
WORK=$(mktemp -d /tmp/lxrun-vmwork.XXXXXX)
vm() { "$LXRUN" --mode vm "$@"; }

cleanup() {
	"$LXRUN" vm stop >/dev/null 2>&1
	# a QEMU that outlived a failed test must not linger: ours carry the state dir
	pkill -KILL -f "qemu-system-x86_64.*$LXRUN_STATE_DIR" 2>/dev/null
	pkill -KILL -f "virtiofsd.*$LXRUN_STATE_DIR" 2>/dev/null
	rm -rf "$LXRUN_STATE_DIR" "$WORK"
}
trap cleanup EXIT

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@"
}

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

# same NAME -- COMMAND...: stdout, stderr and status natively and in the VM, byte for byte.
same() {
	local name=$1
	shift 2
	(cd "$WORK" && "$@") >"$WORK/.n.out" 2>"$WORK/.n.err" </dev/null
	local nrc=$?
	(cd "$WORK" && vm "$@") >"$WORK/.v.out" 2>"$WORK/.v.err" </dev/null
	compare_runs "$name" vm $nrc $?
}

# compare_runs NAME LABEL NATIVE_STATUS OTHER_STATUS: the native run's $WORK/.n.out/.n.err
# against the other run's $WORK/.v.out/.v.err and the statuses; the files are removed.
compare_runs() {
	if [ "$3" = "$4" ] && cmp -s "$WORK/.n.out" "$WORK/.v.out" &&
		cmp -s "$WORK/.n.err" "$WORK/.v.err"; then
		ok "$1"
	else
		not_ok "$1" "status native $3, $2 $4" \
			"$(diff "$WORK/.n.out" "$WORK/.v.out" | head -5)" \
			"$(diff "$WORK/.n.err" "$WORK/.v.err" | head -5)"
	fi
	rm -f "$WORK"/.n.* "$WORK"/.v.*
}

# vm_start ARGS...: `lxrun vm start ARGS`, its stdout to $WORK/start.out and stderr to
# $WORK/start.err. A TCG boot sharing two cores with other VMs can miss the service's boot
# deadline; that start is reported (with the tails of the service and console logs) and made
# once more. Returns the status of the last start.
vm_start() {
	"$LXRUN" vm start "$@" >"$WORK/start.out" 2>"$WORK/start.err" && return 0
	echo "# vm start $* failed: $(tail -2 "$WORK/start.err" | tr '\n' ' ')"
	tail -5 "$LXRUN_STATE_DIR/service.log" 2>/dev/null | sed 's/^/#   service: /'
	tail -5 "$LXRUN_STATE_DIR/console.log" 2>/dev/null | sed 's/^/#   console: /'
	"$LXRUN" vm stop >/dev/null 2>&1
	echo "# starting once more"
	"$LXRUN" vm start "$@" >"$WORK/start.out" 2>"$WORK/start.err"
}

finish() {
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
}
