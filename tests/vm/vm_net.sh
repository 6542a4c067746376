#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vm-mode networking: loopback, the user-mode network with DNS, --no-net.
# Usage: vm_net.sh LXRUN NETTOOL
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
NETTOOL=${2:?usage: $0 LXRUN NETTOOL}
case $NETTOOL in /*) ;; *) NETTOOL=$PWD/$NETTOOL ;; esac

"$LXRUN" vm start >/dev/null 2>&1 || { not_ok "vm start"; finish; }

# loopback: up, and a TCP client and server in one process over 127.0.0.1 and ::1
check "lo is up in the guest" "up" \
	"$(vm sh -c 'flags=$(cat /sys/class/net/lo/flags); [ $((flags & 1)) = 1 ] && echo up')"
check "TCP over 127.0.0.1 in the guest" "hello over loopback" "$(vm "$NETTOOL" echo 127.0.0.1 2>&1)"
check "TCP over ::1 in the guest" "hello over loopback" "$(vm "$NETTOOL" echo ::1 2>&1)"

# the user-mode network: address, default route, resolver
check "eth0 has 10.0.2.15" "10.0.2.15" \
	"$(vm sh -c 'grep -q "^eth0	00000000	0202000A" /proc/net/route && echo 10.0.2.15')"
check "resolv.conf names the user-mode DNS relay" "nameserver 10.0.2.3" \
	"$(vm grep '^nameserver' /etc/resolv.conf)"
check "the host's resolv.conf is untouched" 0 "$(grep -c 'written by lxrun' /etc/resolv.conf)"

# DNS and HTTP from the guest, where the host itself reaches the archive
url=http://deb.debian.org/debian/dists/bookworm/Release
if ! command -v curl >/dev/null; then
	echo "ok - skip: DNS and HTTP from the guest (curl is not installed)"
elif ! timeout 20 curl -sfI -o /dev/null "$url"; then
	echo "ok - skip: DNS and HTTP from the guest (the host cannot reach deb.debian.org)"
else
	out=$(vm getent hosts deb.debian.org 2>&1)
	case $out in *deb.debian.org*) ok "DNS lookup in the guest" ;;
	*) not_ok "DNS lookup in the guest" "$out" ;; esac
	out=$(vm timeout 60 curl -sS "$url" 2>&1 | head -3)
	case $out in *"Origin: Debian"*) ok "HTTP fetch from the guest" ;;
	*) not_ok "HTTP fetch from the guest" "$out" ;; esac
fi

# --no-net: loopback only
"$LXRUN" vm stop >/dev/null
"$LXRUN" vm start --no-net >/dev/null 2>&1
case $("$LXRUN" vm status) in *"network: off"*) ok "status says network: off" ;;
*) not_ok "status says network: off" "$("$LXRUN" vm status)" ;; esac
check "--no-net: only lo" "lo" "$(vm ls /sys/class/net)"
check "--no-net: loopback still works" "hello over loopback" \
	"$(vm "$NETTOOL" echo 127.0.0.1 2>&1)"
finish
