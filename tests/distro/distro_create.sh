#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun distro create (mmdebstrap from deb.debian.org), then Debian's own apt-get inside it in
# translate mode: apt-get update && apt-get install -y hello, and the package runs; then the
# distro's VM (when lxrun's VM has a network) installs figlet with its own apt-get. Needs the
# network and minutes (2-6 under load, with vm mode): it is skipped (77) when deb.debian.org
# does not answer within 5 s, and when LXRUN_NET_TESTS=0 says not to use the network.
set -u
. "$(dirname "$0")/lib.sh"

MIRROR=${LXRUN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ "${LXRUN_NET_TESTS:-1}" = 0 ]; then
	echo "skip: LXRUN_NET_TESTS=0 (this test downloads ~100 MB from $MIRROR)"
	exit 77
fi
if ! command -v mmdebstrap >/dev/null; then
	echo "skip: mmdebstrap is not installed (bash scripts/setup.sh installs it)"
	exit 77
fi
if ! timeout 5 bash -c "exec 3<>/dev/tcp/${MIRROR#http://}" 2>/dev/null &&
	! curl -s -m 5 -o /dev/null "$MIRROR/dists/bookworm/Release" 2>/dev/null; then
	echo "skip: $MIRROR does not answer (no network)"
	exit 77
fi
if [ "$(id -u)" != 0 ] && ! unshare --user --map-root-user true 2>/dev/null; then
	echo "skip: as a normal user mmdebstrap needs user namespaces, which this kernel refuses"
	exit 77
fi

trap '"$LXRUN" vm stop --state-dir "$STORE/deb/vm" >/dev/null 2>&1; cleanup' EXIT
t0=$(date +%s)
check "create a minbase bookworm distro" "$LXRUN" distro create deb --suite bookworm --variant minbase --mirror "$MIRROR"
echo "# create took $(($(date +%s) - t0)) s"
same "it is Debian 12 inside" "12" "$("$LXRUN" -d deb cat /etc/debian_version | cut -d. -f1)"
out=$("$LXRUN" distro list --json)
case $out in *'"name":"deb"'*mmdebstrap*) ok "list shows it with its source" ;; *) not_ok "list shows it with its source" "$out" ;; esac
t0=$(date +%s)
check "apt-get update inside" "$LXRUN" -d deb apt-get update
check "apt-get install -y hello inside" "$LXRUN" -d deb apt-get install -y hello
echo "# apt-get took $(($(date +%s) - t0)) s"
same "the installed program runs" "Hello, world!" "$("$LXRUN" -d deb hello 2>&1)"
same "dpkg knows it" "install ok installed" "$("$LXRUN" -d deb dpkg-query -W -f '${Status}' hello 2>&1)"
same "grep in the distro = grep on the host (same data)" \
	"$(grep -c Package: "$STORE/deb/rootfs/var/lib/dpkg/status")" \
	"$("$LXRUN" -d deb grep -c Package: /var/lib/dpkg/status)"
# vm mode: the distro's own VM, its package manager with the VM's user-mode network
if [ -x /usr/bin/qemu-system-x86_64 ] && "$LXRUN" --mode vm --help 2>&1 | grep -q -- '--no-net'; then
	V() { "$LXRUN" -d deb --mode vm "$@"; }
	t0=$(date +%s)
	same "vm mode: the package installed before the image was built is there" "Hello, world!" "$(V hello 2>/dev/null)"
	check "vm mode: apt-get update" V apt-get update
	check "vm mode: apt-get install -y figlet" V apt-get install -y figlet
	out=$(V figlet vm 2>&1)
	st=$?
	if [ $st -eq 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -ge 4 ]; then ok "vm mode: the installed program runs"; else not_ok "vm mode: the installed program runs" "exit $st" "$out"; fi
	same "vm and translate mode are separate copies" "absent" "$("$LXRUN" -d deb sh -c 'command -v figlet || echo absent')"
	echo "# vm mode took $(($(date +%s) - t0)) s"
	"$LXRUN" vm stop --state-dir "$STORE/deb/vm" >/dev/null 2>&1
else
	echo "# skip vm-mode apt-get: this lxrun's VM has no network (or QEMU is missing)"
fi
check "remove it" "$LXRUN" distro remove deb
finish
