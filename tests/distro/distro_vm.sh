#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun -d NAME --mode vm: the distro's own VM, its disk an ext4 image built from the tree.
# The same grep/sed/awk results as translate mode and natively, /mnt/host, the exit status,
# the image being a copy (vm-mode changes stay out of the tree), a service in the distro
# reached from the host (with tests/vm's nettool as $2), lxrun-host and wsl.conf's [interop].
# Boots a VM under TCG.
set -u
. "$(dirname "$0")/lib.sh"

if [ ! -x /usr/bin/qemu-system-x86_64 ] || ! ls /boot/vmlinuz-* >/dev/null 2>&1; then
	echo "skip: qemu-system-x86_64 or a kernel in /boot is missing"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "skip: the vm image of a distro is built as root only"
	exit 77
fi
vmstop() { "$LXRUN" vm stop --state-dir "$STORE/tiny/vm" >/dev/null 2>&1; }
trap 'vmstop; cleanup' EXIT

NETTOOL=${2:-}
ROOT=$WORK/src
tiny_root "$ROOT"
[ -n "$NETTOOL" ] && cp "$NETTOOL" "$ROOT/bin/nettool"
"$LXRUN" distro import tiny "$ROOT" -q || { echo "Bail out! import failed"; exit 1; }
V() { "$LXRUN" -d tiny --mode vm "$@"; }
T() { "$LXRUN" -d tiny "$@"; }

check "the first vm-mode run builds the image and boots" V true
case $("$LXRUN" distro list) in *tiny*built*) ok "list shows the vm image built" ;; *) not_ok "list shows the vm image built" "$("$LXRUN" distro list)" ;; esac
for prog in "grep -n beta /data/words" "sed -e s/a/A/g;2d /data/words" "awk {s+=\$2}END{print(NR,s)} /data/words" "cat /etc/marker"; do
	# shellcheck disable=SC2086
	set -f; t=$(T $prog 2>&1); v=$(V $prog 2>&1); set +f
	same "vm = translate: $prog" "$t" "$v"
done
same "grep in the vm = grep natively" "$(grep -c a "$ROOT/data/words")" "$(V grep -c a /data/words)"
echo "host file $$" >"$WORK/hostfile"
same "/mnt/host in the vm shows the host's files" "host file $$" "$(V cat "/mnt/host$WORK/hostfile")"
same "the start directory continues under /mnt/host" "/mnt/host$WORK" "$(cd "$WORK" && V pwd)"
V sh -c 'exit 5'
same "the exit status passes through" "5" "$?"
same "stdin passes through" "XYZ" "$(echo xyz | V tr a-z A-Z)"
V sh -c 'echo vm-only > /etc/vmfile'
same "a file written in vm mode stays in the vm image" "vm-only" "$(V cat /etc/vmfile)"
same "... and is not in the tree translate mode uses (separate copies)" "absent" "$(T sh -c 'cat /etc/vmfile 2>/dev/null || echo absent')"
# a service in the distro reached from the host: in translate mode directly, in vm mode
# through lxrun's localhost forwarding (tests/vm's nettool, when this build has it)
if [ -n "$NETTOOL" ] && command -v ss >/dev/null; then
	free_port() {
		local p
		for p in $(seq $((20000 + $$ % 20000)) 65000); do
			ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
		done
	}
	wait_get() { # wait_get PORT: the page, once the server answers (60 s at most)
		local end=$((SECONDS + 60))
		until "$NETTOOL" get 127.0.0.1 "$1" 2>/dev/null; do
			[ $SECONDS -ge $end ] && return 1
			sleep 0.3
		done
	}
	for mode in translate vm; do
		port=$(free_port)
		"$LXRUN" -d tiny --mode "$mode" nettool serve 127.0.0.1 "$port" /etc/marker 60 >"$WORK/serve.out" 2>&1 &
		spid=$!
		same "$mode mode: a service in the distro is reached on the host's 127.0.0.1" "marker of src" \
			"$(wait_get "$port" || cat "$WORK/serve.out")"
		kill -TERM "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	done
else
	echo "# skip the service test: no nettool in this build (tests/vm) or no ss"
fi
# host interop: lxrun-host in the distro's VM runs the host's program, in the host directory
# that the distro's /mnt/host path shows; [interop] enabled=false in the tree's wsl.conf: off
same "lxrun-host runs a host program (the host kernel's boot id)" \
	"$(cat /proc/sys/kernel/random/boot_id)" "$(V lxrun-host cat /proc/sys/kernel/random/boot_id)"
same "lxrun-host: the /mnt/host directory maps to the host's" "$WORK" "$(cd "$WORK" && V lxrun-host pwd)"
same "lxrun-host: exit status and stderr" "oops 42" \
	"$(V sh -c 'lxrun-host sh -c "echo oops >&2; exit 42" 2>&1; echo $?' | tr '\n' ' ' | sed 's/ $//')"
printf '[interop]\nenabled = false\n' >"$STORE/tiny/rootfs/etc/wsl.conf"
vmstop
out=$(V sh -c 'lxrun-host true; echo "rc=$?"' 2>&1)
# the guest's stderr and stdout reach the host on two streams: either may come first
case $out in *"running host programs is turned off"*) msg=1 ;; *) msg=0 ;; esac
case "$msg $out" in "1 "*"rc=126"*) ok "[interop] enabled=false in wsl.conf: lxrun-host refused" ;;
*) not_ok "[interop] enabled=false in wsl.conf: lxrun-host refused" "$out" ;; esac
rm -f "$STORE/tiny/rootfs/etc/wsl.conf"
check "reset-vm stops the VM and drops the image" "$LXRUN" distro reset-vm tiny
same "the next vm-mode run starts again from the tree" "absent" "$(V sh -c 'cat /etc/vmfile 2>/dev/null || echo absent')"
check "distro reset-vm --help" "$LXRUN" distro reset-vm --help
check "remove stops the distro's VM and deletes it" "$LXRUN" distro remove tiny
finish
