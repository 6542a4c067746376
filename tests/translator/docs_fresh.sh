#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/syscalls.md must be what `lxrun syscalls --markdown --baseline BASELINE` prints (regenerate
# with `ninja -C build docs-syscalls`): usage: docs_fresh.sh LXRUN DOC BASELINE
set -u
if "$1" syscalls --markdown --baseline "$3" | diff -u "$2" - >/dev/null; then
	echo "ok - docs/syscalls.md is current"; echo "1 passed, 0 failed"
else
	echo "not ok - docs/syscalls.md is stale: run ninja -C build docs-syscalls"; echo "0 passed, 1 failed"; exit 1
fi
