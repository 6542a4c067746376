# SPDX-License-Identifier: MIT
# --trace to a file while the guest's RLIMIT_FSIZE is 0 (as sshd's pre-auth child sets it): the
# trace is lxrun's output and must not kill the guest with SIGXFSZ; a guest write past the
# limit still gets SIGXFSZ, as natively.
# usage: bash trace_fsize.sh path/to/lxrun
lxrun=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
out=$("$lxrun" --trace="$t/trace" /bin/bash -c 'ulimit -f 0; echo hi; /bin/true; echo done')
st=$?
if [ "$st" = 0 ] && [ "$out" = $'hi\ndone' ] && [ -s "$t/trace" ]; then
	echo "ok trace_fsize.guest_survives"
else
	echo "not ok trace_fsize.guest_survives: status $st, output '$out'"
	fail=1
fi
# The guest's own write past its limit: the status native bash gets (killed by SIGXFSZ).
(bash -c "ulimit -f 0; echo hi > $t/native") 2>/dev/null
want=$?
("$lxrun" --trace="$t/trace2" /bin/bash -c "ulimit -f 0; echo hi > $t/guest") 2>/dev/null
got=$?
if [ "$got" = "$want" ] && [ "$want" != 0 ]; then
	echo "ok trace_fsize.guest_write_sigxfsz"
else
	echo "not ok trace_fsize.guest_write_sigxfsz: status $got, native $want"
	fail=1
fi
exit "$fail"
