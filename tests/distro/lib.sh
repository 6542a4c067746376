# SPDX-License-Identifier: MIT
# Shared helpers of the distro tests: a private state directory, a tiny root file system made
# from the host's own programs and their libraries (no network), checks and the tally.
# Usage: source lib.sh LXRUN

LXRUN=${1:?usage: $0 PATH/TO/lxrun}
case $LXRUN in /*) ;; *) LXRUN=$PWD/$LXRUN ;; esac
pass=0
fail=0

export LXRUN_STATE_DIR=$(mktemp -d /tmp/lxrun-distrotest.XXXXXX)
WORK=$(mktemp -d /tmp/lxrun-distrowork.XXXXXX)
STORE=$LXRUN_STATE_DIR/distros
cleanup() {
	[ -n "${BG_PID:-}" ] && kill "$BG_PID" 2>/dev/null
	mountpoint -q "$WORK/full" 2>/dev/null && umount "$WORK/full"
	rm -rf "$LXRUN_STATE_DIR" "$WORK"
}
trap cleanup EXIT

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && printf '    %s\n' "$@"
}
check() { # check NAME COMMAND...: ok when the command succeeds
	local name=$1
	shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -n 3 "$WORK/out")"; fi
}
same() { # same NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $(printf %q "$2")" "got:      $(printf %q "$3")"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

# tiny_root DIR: the host's sh, coreutils, grep, sed, awk and their libraries (ldd), plus a
# few files with chosen modes, owners, links and an extended attribute; fixed times.
tiny_root() {
	local d=$1 p lib
	mkdir -p "$d"/{bin,etc,tmp,root,data}
	for p in sh bash cat ls grep sed awk tr sort head wc sleep env echo pwd true false id stat \
		chown chmod mknod touch mkdir rm cp mv ln getfattr setfattr; do
		p=$(type -P "$p") || continue
		cp -L "$p" "$d/bin/"
		ldd "$p" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
			mkdir -p "$d$(dirname "$lib")"
			cp -Ln "$lib" "$d$lib" 2>/dev/null || true
		done
	done
	# the dynamic loader by the path the programs name (PT_INTERP)
	mkdir -p "$d/lib64"
	cp -Ln /lib64/ld-linux-x86-64.so.2 "$d/lib64/" 2>/dev/null || true
	mkdir -p "$d/usr" && ln -s ../bin "$d/usr/bin"
	printf 'alpha 1\nbeta 2\ngamma 3\nbeta 4\n' >"$d/data/words"
	printf 'marker of %s\n' "$(basename "$d")" >"$d/etc/marker"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d/etc/passwd"
	chmod 0640 "$d/data/words"
	cp "$d/data/words" "$d/data/setuid" && chmod 4755 "$d/data/setuid"
	ln "$d/data/words" "$d/data/hardlink"
	ln -s ../etc/marker "$d/data/symlink"
	chmod 1777 "$d/tmp"
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$d/dev" && mknod "$d/dev/null" c 1 3 && chmod 666 "$d/dev/null"
		chown 1234:5678 "$d/data/words"
		setfattr -n user.lxrun_test -v hello "$d/data/setuid" 2>/dev/null || true
	fi
	find "$d" -exec touch -h -d '2024-01-02 03:04:05' {} +
}
