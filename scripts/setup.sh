#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One-step set-up: install what is missing (Debian 12, as root or with sudo), configure, build.
# Idempotent: when nothing changed it only runs an incremental ninja (seconds).
# Usage: setup.sh [--tests]   (--tests: also what the test suites run: runtimes, servers, X11)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${LXRUN_BUILD:-build}

# Build dependencies, vm-mode packages, distros (mmdebstrap, zstd), and the real tools the test
# suites run (strace: lxrun coverage --needs and lxrun diff trace native runs with it).
PKGS=(
	build-essential pkg-config meson ninja-build python3
	libcapstone-dev libelf-dev libunicorn-dev libuv1-dev libcriterion-dev
	qemu-system-x86 linux-image-amd64 e2fsprogs xz-utils cpio
	grep sed gawk mawk coreutils findutils diffutils tar gzip file perl sqlite3
	bash dash tmux
	strace
	mmdebstrap zstd
)
# What only the test suites use (scripts/test.sh passes --tests).
TEST_PKGS=(
	# tests/runtimes: the language runtimes and editors run natively and under lxrun
	openjdk-17-jdk-headless nodejs golang-go ruby emacs-nox rustc vim git python3-venv
	# tests/runtimes: CPython's own regression tests, natively and under lxrun (cpython_diff.py)
	libpython3.11-testsuite
	# tests/services: the servers run under lxrun, their clients natively.
	curl nginx-light redis-server redis-tools lighttpd apache2 apache2-utils
	postgresql postgresql-client mariadb-server mariadb-client openssh-server openssh-client
	# tests/vm: xattrs on the shares, X11 forwarding to a virtual display
	attr xvfb x11-apps x11-utils
)
if [ "${1:-}" = --tests ]; then
	PKGS+=("${TEST_PKGS[@]}")
elif [ -n "${1:-}" ]; then
	echo "usage: $0 [--tests]" >&2
	exit 2
fi
# The services that package installs would start and enable; the tests start their own copies
# on their own ports and none may be left running.
SERVICES=(nginx redis-server lighttpd apache2 apache-htcacheclean postgresql mariadb ssh)

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
	# another apt-get (an unattended upgrade, a second set-up) may hold the lock: wait for it
	"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
	# policy-rc.d answering 101 keeps the packages' maintainer scripts from starting their
	# services (containers usually have one already; it is removed after when it was ours).
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
		"${SUDO[@]}" chmod 755 "$policy"
	fi
	rc=0
	"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
		"${missing[@]}" >&2 || rc=$?
	[ -z "$policy" ] || "${SUDO[@]}" rm -f "$policy"
	((rc == 0)) || exit "$rc"
	# Where systemd runs, also disable them so that a reboot does not start them either.
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		for s in "${SERVICES[@]}"; do
			"${SUDO[@]}" systemctl disable --now "$s" >/dev/null 2>&1 || true
		done
	fi
fi

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" >&2
fi
# meson re-configures by itself when a meson.build changed; keep the output short.
ninja -C "$BUILD" -j"$(nproc)" >&2 | tail -n 3 >&2 || { ninja -C "$BUILD" -j1 >&2; exit 1; }
