#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Debian's strace, a real tracer, under lxrun (ptrace served by lxrun's kernel): it traces a
# shell that forks and execs, natively and under lxrun; the calls it reports (a fixed subset,
# pids renamed by order of appearance) must be the same. Then strace -c must count.
# usage: strace.sh LXRUN [LXRUN-OPTIONS...]
set -u
lxrun=("$@")
strace=$(command -v strace) || { echo "strace is not installed: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$strace" -o /dev/null /bin/true 2>/dev/null || { echo "ptrace is refused here: skipped"; exit 77; }

# strace -ff writes one file per process: each in pid order, pids as P1, P2... in order of
# appearance, pointers and CPU times left out (they differ between any two runs)
normalize() {
	for f in $(ls "$1".* | sort -t. -k2 -n); do
		echo "== process ${f##*.}"
		cat "$f"
	done | perl -pe 'BEGIN { %p = (); $n = 0 }
		s/0x[0-9a-f]+ \/\* \d+ vars \*\//ENV/g;
		s/0x[0-9a-f]+/PTR/g;
		s/, si_utime=.*?, si_stime=[^}]*//;
		s/\b(\d{3,})\b/exists $p{$1} ? $p{$1} : ($p{$1} = "P" . ++$n)/ge;
		# a SIGCHLD comes before or after the wait4 that reaps its child depending on
		# whether the child was gone before the wait began, natively too: each process
		# lists its SIGCHLDs, sorted, after its calls
		if (/^--- SIGCHLD /) { push @chld, $_; $_ = "" }
		elsif (/^== process/ || eof) {
			my $held = join "", sort @chld; @chld = ();
			$_ = /^== process/ ? $held . $_ : $_ . $held;
		}'
}

script='echo hi; ls /nonexistent-dir 2>/dev/null; /bin/true; exit 3'
run() { # out prefix...
	local out=$1; shift
	timeout 60 "$@" "$strace" -ff -qq -e trace=execve,write,exit_group,wait4 -o "$out" \
		/bin/sh -c "$script" >"$out-stdout" 2>&1
	echo "exit $?" >>"$out-stdout"
}
fail=0
run "$tmp/native"
run "$tmp/lx" "${lxrun[@]}"
normalize "$tmp/native" >"$tmp/native-n"
normalize "$tmp/lx" >"$tmp/lx-n"
for f in n stdout; do
	if cmp -s "$tmp/native-$f" "$tmp/lx-$f"; then
		echo "ok - strace -f ($f)"
	else
		echo "not ok - strace -f ($f): native vs lxrun"
		diff -u "$tmp/native-$f" "$tmp/lx-$f" | head -40
		fail=1
	fi
done

# strace -c: a summary that counts the program's calls
timeout 60 "${lxrun[@]}" "$strace" -c -o "$tmp/count" /bin/ls / >/dev/null 2>&1
rc=$?
if [ $rc = 0 ] && grep -q ' total$' "$tmp/count" && grep -q ' getdents64$' "$tmp/count"; then
	echo "ok - strace -c"
else
	echo "not ok - strace -c (exit $rc)"
	cat "$tmp/count"
	fail=1
fi
[ -n "${STRACE_SH_SHOW:-}" ] && cat "$tmp/lx-n"
exit $fail
