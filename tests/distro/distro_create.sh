#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun distro create (mmdebstrap from deb.debian.org), then Debian's own apt-get inside it in
# translate mode: apt-get update && apt-get install -y hello, and the package runs. Needs the
# network: skipped (77) when deb.debian.org does not answer within 5 s, or LXRUN_NET_TESTS=0.
set -u
. "$(dirname "$0")/lib.sh"

MIRROR=${LXRUN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ "${LXRUN_NET_TESTS:-1}" = 0 ]; then
	echo "skip: LXRUN_NET_TESTS=0"
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
check "remove it" "$LXRUN" distro remove deb
finish
