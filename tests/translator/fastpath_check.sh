#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Holds the TLS-free fast path (translator/fastpath.c) to its contract: its code runs on the
# guest's FS base with the guest's vector registers live, so it may not touch %fs (stack
# protector, errno, TLS), use a vector register, or call anything but the listed helpers.
# usage: fastpath_check.sh LIBLXRUN_FASTPATH.a
set -u
lib=$1
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1: $2"; fail=$((fail + 1)); }

dis=$(objdump -d --no-show-raw-insn "$lib") || { echo "not ok - objdump $lib"; echo "0 passed, 1 failed"; exit 1; }
if [ "$(grep -c '^[0-9a-f]* <f_\|^[0-9a-f]* <lx_fast_sigsys>' <<<"$dis")" -ge 3 ]; then
	ok "the handlers are in $lib"
else
	not_ok "the handlers are in $lib" "symbols not found"
fi
bad=$(grep -E '%fs:' <<<"$dis")
[ -z "$bad" ] && ok "no %fs access" || not_ok "no %fs access" "$bad"
bad=$(grep -E '%[xyz]mm[0-9]|%k[0-7]\b|%st\b|%mm[0-7]' <<<"$dis")
[ -z "$bad" ] && ok "no vector, mask or x87 register" || not_ok "no vector register" "$bad"
allowed='^(lx_raw_syscall|lx_safe_syscall|lx_copy_user|lx_strnlen_user|lx_proc|lx_host_file_ops|lx_signal_handlers|lx_vfs_cwd_direct|lx_meta_on|lx_threads_started|lx_pub|_GLOBAL_OFFSET_TABLE_)$'
bad=$(nm -u "$lib" | awk '{print $NF}' | grep -v ':$' | grep -vE "$allowed")
[ -z "$bad" ] && ok "calls only the raw-syscall helpers" || not_ok "calls only the raw-syscall helpers" "$(echo $bad)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
