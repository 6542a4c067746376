#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One-step set-up: install what is missing (Debian 12, as root or with sudo), configure, build.
# Idempotent: when nothing changed it only runs an incremental ninja (seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${LXRUN_BUILD:-build}

# Build dependencies, vm-mode packages, and the real tools the test suites run (strace: lxrun
# coverage --needs and lxrun diff trace native runs with it).
PKGS=(
	build-essential pkg-config meson ninja-build python3
	libcapstone-dev libelf-dev libunicorn-dev libuv1-dev libcriterion-dev
	qemu-system-x86 linux-image-amd64 e2fsprogs xz-utils cpio
	grep sed gawk mawk coreutils findutils diffutils tar gzip file perl sqlite3
	bash dash tmux
	strace
	mmdebstrap zstd
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}" >&2
	SUDO=()
	if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
	export DEBIAN_FRONTEND=noninteractive
	"${SUDO[@]}" apt-get update -qq
	"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" >&2
fi
# meson re-configures by itself when a meson.build changed; keep the output short.
ninja -C "$BUILD" -j"$(nproc)" >&2 | tail -n 3 >&2 || { ninja -C "$BUILD" -j1 >&2; exit 1; }
