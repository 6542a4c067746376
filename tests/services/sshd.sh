# SPDX-License-Identifier: MIT
# OpenSSH's sshd under lxrun: a key login from the host's ssh runs remote commands and an sftp
# transfer; each connection re-executes sshd, whose pre-auth child chroots to /run/sshd and drops
# to the sshd user, and whose session child runs the user's shell.
LXRUN=$1
. "$(dirname "$0")/lib.sh"
svc_init sshd
need /usr/sbin/sshd ssh ssh-keygen sftp
[ "$(id -u)" -eq 0 ] || skip "sshd's privilege separation needs root"
id sshd >/dev/null 2>&1 || skip "no sshd user (openssh-server is not set up)"

PORT=$(svc_port) || exit 1
D=$SVC_DIR
# The pre-auth child's chroot: Debian's sshd needs it to exist, root-owned, not group-writable.
[ -d /run/sshd ] || install -d -m 755 -o root -g root /run/sshd
ssh-keygen -q -t ed25519 -N '' -C host -f "$D/host_key" || fail keygen "host key"
ssh-keygen -q -t ed25519 -N '' -C user -f "$D/user_key" || fail keygen "user key"
cp "$D/user_key.pub" "$D/authorized_keys"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$D/host_key.pub")" >"$D/known_hosts"
cat >"$D/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $D/host_key
PidFile $D/sshd.pid
AuthorizedKeysFile $D/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
Subsystem sftp internal-sftp
LogLevel DEBUG3
EOF
SVC_LOGS+=("$D/sshd.log")
svc_start "$LXRUN" /usr/sbin/sshd -D -e -f "$D/sshd_config" -E "$D/sshd.log"
sshc() {
	ssh -F none -p "$PORT" -i "$D/user_key" -o BatchMode=yes -o IdentitiesOnly=yes \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$D/known_hosts" -o ConnectTimeout=20 \
		root@127.0.0.1 "$@"
}
# Ready once it listens (a login attempt per poll would fill the log).
svc_wait 30 port_listening "$PORT"

out=$(sshc 'echo remote-ok; id -u; pwd' 2>&1) || fail login "ssh failed ($?): $out"
[ "$out" = "remote-ok"$'\n'"0"$'\n'"$(getent passwd root | cut -d: -f6)" ] ||
	fail login "unexpected output: $out"
ok login
# sshd logs the privsep user after its chroot("/run/sshd") succeeded (a failure is fatal), then
# the uid it dropped to.
grep -q "privsep user:group $(id -u sshd):.*\[preauth\]" "$D/sshd.log" ||
	fail preauth_privsep "no chroot and privilege drop of the pre-auth child in the log"
grep -q "permanently_set_uid: $(id -u sshd)/.*\[preauth\]" "$D/sshd.log" ||
	fail preauth_privsep "the pre-auth child did not drop to the sshd user"
ok preauth_privsep
# Then it confines itself with a seccomp filter (a failure is only logged, and tolerated).
grep -q "ssh_sandbox_child: attaching seccomp filter program" "$D/sshd.log" &&
	! grep "ssh_sandbox_child: prctl(PR_SET_SECCOMP)" "$D/sshd.log" ||
	fail preauth_sandbox "the pre-auth child runs without its seccomp sandbox"
ok preauth_sandbox
# Exit status and stdin through the channel.
sshc 'exit 3'
st=$?
[ "$st" = 3 ] || fail exit_status "remote 'exit 3' gave $st"
ok exit_status
got=$(seq 1 30000 | sshc 'sha256sum')
want=$(seq 1 30000 | sha256sum)
[ "$got" = "$want" ] || fail stdin "remote saw '$got', expected '$want'"
ok stdin
# sftp (internal-sftp in the session child): a 1 MiB file there and back.
head -c 1048576 /dev/urandom >"$D/up.bin"
sftp -F none -P "$PORT" -i "$D/user_key" -o BatchMode=yes -o IdentitiesOnly=yes \
	-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$D/known_hosts" -b - root@127.0.0.1 \
	>"$D/sftp.log" 2>&1 <<EOF || { SVC_LOGS+=("$D/sftp.log"); fail sftp "sftp failed"; }
put $D/up.bin $D/remote.bin
get $D/remote.bin $D/down.bin
EOF
cmp -s "$D/up.bin" "$D/down.bin" || fail sftp "the file came back different"
ok sftp
# Two connections at once.
sshc 'sleep 1; echo a' >"$D/c1" 2>&1 &
c1=$!
sshc 'sleep 1; echo b' >"$D/c2" 2>&1 &
c2=$!
wait "$c1" && wait "$c2" || fail concurrent "a connection failed"
[ "$(cat "$D/c1" "$D/c2")" = $'a\nb' ] || fail concurrent "outputs: $(cat "$D/c1" "$D/c2")"
ok concurrent

svc_stop TERM "$(cat "$D/sshd.pid")" 20
grep -E 'fatal|segfault' "$D/sshd.log" && fail sshd_log "fatal errors in the log"
ok sshd_log
svc_check_clean "$PORT"
