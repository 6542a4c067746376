#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Kept for old habits: the benchmarks are `lxrun bench` now (docs/benchmarks.md).
# usage: bash bench/run.sh [--build DIR] [lxrun bench arguments...]
set -euo pipefail
build=${LXRUN_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
if [ "${1:-}" = --build ]; then
	build=$2
	shift 2
fi
exec "$build/lxrun" bench "$@"
