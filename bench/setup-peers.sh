#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the peers and tools `lxrun bench` compares against (Debian 12), only what is missing.
#
# usage: bash bench/setup-peers.sh    (as root or with sudo; idempotent)
set -euo pipefail

# package -> a file it provides (checked to decide whether it is installed)
declare -A want=(
	[qemu-user]=/usr/bin/qemu-x86_64
	[proot]=/usr/bin/proot
	[runsc]=/usr/bin/runsc
	[hyperfine]=/usr/bin/hyperfine
	[fio]=/usr/bin/fio
	[gnuplot-nox]=/usr/bin/gnuplot
	[wrk]=/usr/bin/wrk
)
missing=()
for p in "${!want[@]}"; do
	[ -x "${want[$p]}" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "setup-peers: everything is installed"
	exit 0
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "setup-peers: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
