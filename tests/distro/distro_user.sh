#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A distro used by a normal user: import and run work, and owners, modes and device numbers
# set inside are kept (in user.lxrun.* extended attributes on the host files, as WSL1 kept
# them) and reported by stat, though the host refuses a normal user's chown and mknod.
set -u
. "$(dirname "$0")/lib.sh"

# a normal user: ourselves when not root, else nobody (65534) through setpriv
if [ "$(id -u)" = 0 ]; then
	if ! command -v setpriv >/dev/null; then
		echo "skip: running as root and setpriv (util-linux) is missing to become a normal user"
		exit 77
	fi
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	chmod 755 "$WORK" "$LXRUN_STATE_DIR"
	chown 65534:65534 "$LXRUN_STATE_DIR"
	mkdir -p "$WORK/user" && chown 65534:65534 "$WORK/user"
	# the user must reach lxrun itself
	if ! "${AS[@]}" test -x "$LXRUN"; then
		echo "skip: $LXRUN is not reachable by user 65534 (a parent directory is private)"
		exit 77
	fi
else
	AS=()
	mkdir -p "$WORK/user"
fi
U() { "${AS[@]}" env LXRUN_STATE_DIR="$LXRUN_STATE_DIR" "$@"; }
if ! U sh -c "touch '$WORK/user/x' && setfattr -n user.t -v 1 '$WORK/user/x'" 2>/dev/null; then
	echo "skip: the file system of $WORK does not take user.* extended attributes"
	exit 77
fi

ROOT=$WORK/src
tiny_root "$ROOT"
chmod -R a+rX "$ROOT"
check "import as a normal user" U "$LXRUN" distro import mine "$ROOT" -q
IN=$STORE/mine/rootfs
D() { U "$LXRUN" -d mine "$@"; }
uid=$(U id -u)
same "the user is not root inside" "$uid" "$(D id -u)"

D sh -c 'echo data > /tmp/f && mkdir /tmp/d && ln -s f /tmp/l'
check "chown to root inside" D chown 0:0 /tmp/f
check "chown of a directory to 123:456" D chown 123:456 /tmp/d
same "stat reports the new owners" "0:0 123:456" "$(D stat -c %u:%g /tmp/f /tmp/d | tr '\n' ' ' | sed 's/ $//')"
same "the host file still belongs to the user" "$uid" "$(stat -c %u "$IN/tmp/f")"
same "the owner is kept in user.lxrun.uid on the host" "0" "$(getfattr --only-values -n user.lxrun.uid "$IN/tmp/f" 2>/dev/null)"
check "a guest's own user.* attribute" D setfattr -n user.mine -v 1 /tmp/f
same "the guest lists its attribute, not lxrun's metadata" "user.mine" "$(D getfattr --absolute-names -d /tmp/f | grep -v '^#' | grep . | cut -d= -f1)"
D getfattr -n user.lxrun.uid /tmp/f >"$WORK/out" 2>&1 && not_ok "the metadata attributes cannot be read inside" "$(cat "$WORK/out")" || ok "the metadata attributes cannot be read inside"
D setfattr -n user.lxrun.uid -v 0 /tmp/d >"$WORK/out" 2>&1 && not_ok "the metadata cannot be forged with setfattr" || ok "the metadata cannot be forged with setfattr"
same "... and stays what chown recorded" "123:456" "$(D stat -c %u:%g /tmp/d)"
check "chmod 4755 inside" D chmod 4755 /tmp/d
same "stat reports the mode" "4755" "$(D stat -c %a /tmp/d)"
check "mknod of a character device" D mknod /tmp/null c 1 3
same "stat reports a character device 1,3" "character special file 1,3" "$(D stat -c '%F %t,%T' /tmp/null)"
same "it is a plain file on the host" "regular empty file" "$(stat -c %F "$IN/tmp/null")"
case $(D ls -l /tmp/null) in c*) ok "ls -l shows a c" ;; *) not_ok "ls -l shows a c" "$(D ls -l /tmp/null)" ;; esac
check "mknod of a FIFO is a real FIFO" D mknod /tmp/fifo p
same "the FIFO is one on the host too" "fifo" "$(stat -c %F "$IN/tmp/fifo")"
same "a symlink reports the owner recorded on its directory (links take no user.* xattrs)" "0" "$(D stat -c %u /tmp/l)"
same "the metadata is the same in a later run" "0:0 4755" "$(D stat -c %u:%g /tmp/f) $(D stat -c %a /tmp/d)"
same "cp -a inside keeps the recorded owner" "123:456" "$(D sh -c 'cp -a /tmp/d /tmp/d2 && stat -c %u:%g /tmp/d2')"
D chown 0:0 /etc/marker-nope 2>"$WORK/err"
grep -q "No such file" "$WORK/err" && ok "chown of a missing file: ENOENT" || not_ok "chown of a missing file: ENOENT" "$(cat "$WORK/err")"
if [ "$(id -u)" = 0 ]; then
	touch "$IN/rootowned" && chown 0:0 "$IN/rootowned"
	D chown 65534:65534 /rootowned 2>"$WORK/err"
	grep -q "not permitted" "$WORK/err" && ok "chown of a host file owned by another user: EPERM" || not_ok "chown of a host file owned by another user: EPERM" "$(cat "$WORK/err")"
fi
# a tarball with owners and a device node, imported and exported by the normal user
if [ "$(id -u)" = 0 ]; then
	"$LXRUN" distro import rootmade "$ROOT" -q && "$LXRUN" distro export rootmade "$WORK/root.tar" -q
	chmod 644 "$WORK/root.tar"
	check "a normal user imports a tarball with other owners and devices" U "$LXRUN" distro import fromtar "$WORK/root.tar" -q
	check "the normal user exports it" U "$LXRUN" distro export fromtar "$WORK/user/back.tar" -q
	check "root's export = the user's import+export, byte for byte" cmp "$WORK/root.tar" "$WORK/user/back.tar"
	same "inside, the tarball's owners" "1234:5678 0:0 0:0" \
		"$(U "$LXRUN" -d fromtar stat -c %u:%g /data/words /etc/marker /data/symlink | tr '\n' ' ' | sed 's/ $//')"
	same "inside, its device node" "character special file 1,3" "$(U "$LXRUN" -d fromtar stat -c '%F %t,%T' /dev/null 2>&1)"
fi
# as root, lxrun keeps real owners: no attributes are written
if [ "$(id -u)" = 0 ]; then
	"$LXRUN" -d mine chown 42:43 /tmp/f
	same "as root chown is the host's own" "42:43" "$(stat -c %u:%g "$IN/tmp/f")"
fi
finish
