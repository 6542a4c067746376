#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun -d NAME --mode vm: the distro's own VM, its disk an ext4 image built from the tree.
# The same grep/sed/awk results as translate mode and natively, /mnt/host, the exit status,
# and the image being a copy (vm-mode changes stay out of the tree). Boots a VM under TCG.
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

ROOT=$WORK/src
tiny_root "$ROOT"
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
check "reset-vm stops the VM and drops the image" "$LXRUN" distro reset-vm tiny
same "the next vm-mode run starts again from the tree" "absent" "$(V sh -c 'cat /etc/vmfile 2>/dev/null || echo absent')"
check "distro reset-vm --help" "$LXRUN" distro reset-vm --help
check "remove stops the distro's VM and deletes it" "$LXRUN" distro remove tiny
finish
