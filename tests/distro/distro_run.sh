#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lxrun -d NAME in translate mode, in a tiny root made here (no network): grep/sed/awk give
# the native results, /etc/resolv.conf and /etc/hosts come from the host, /tmp and /mnt/host
# are there, a host program runs natively from inside, lxrun -d composes in pipes.
set -u
. "$(dirname "$0")/lib.sh"

ROOT=$WORK/src
tiny_root "$ROOT"
"$LXRUN" distro import tiny "$ROOT" -q || { echo "Bail out! import failed"; exit 1; }
D() { "$LXRUN" -d tiny "$@"; }
IN=$STORE/tiny/rootfs

# the same tools on the same data inside and natively
same "grep inside = native" "$(grep -n beta "$ROOT/data/words")" "$(D grep -n beta /data/words)"
same "sed inside = native" "$(sed -e 's/a/A/g;2d' "$ROOT/data/words")" "$(D sed -e 's/a/A/g;2d' /data/words)"
same "awk inside = native" "$(awk '{s+=$2} END {print NR, s}' "$ROOT/data/words")" \
	"$(D awk '{s+=$2} END {print NR, s}' /data/words)"
same "the distro's own files are its /" "marker of src" "$(D cat /etc/marker)"
same "the host's /etc is not the distro's" "" "$(D sh -c 'grep -l . /etc/os-release 2>/dev/null')"

# PATH lookup follows the distro's own absolute symlinks (Debian's /etc/alternatives)
mkdir -p "$IN/etc/alternatives"
ln -s /bin/cat "$IN/etc/alternatives/lxrun-test-tool"
ln -s /etc/alternatives/lxrun-test-tool "$IN/bin/lxrun-test-cat"
same "a command behind an absolute symlink inside the distro is found" "marker of src" "$(D lxrun-test-cat /etc/marker 2>&1)"

# WSL-like set-up
grep -v '^#' /etc/resolv.conf >"$WORK/host-resolv"
same "/etc/resolv.conf is generated from the host's" "$(cat "$WORK/host-resolv")" "$(D grep -v '^#' /etc/resolv.conf)"
case $(D cat /etc/hosts) in *localhost*) ok "/etc/hosts names localhost" ;; *) not_ok "/etc/hosts names localhost" ;; esac
printf '[network]\ngenerateResolvConf = false\n' >"$IN/etc/wsl.conf"
printf 'nameserver 192.0.2.1\n' >"$IN/etc/resolv.conf"
same "wsl.conf generateResolvConf=false keeps the distro's file" "nameserver 192.0.2.1" "$(D cat /etc/resolv.conf)"
rm "$IN/etc/wsl.conf"
same "/tmp is there with mode 1777" "1777" "$(D stat -c %a /tmp)"
pid_line=$(D sh -c 'echo $$; cat /proc/self/stat' | awk 'NR==1{p=$1} NR==2{print ($1>0)}')
same "/proc/self works inside" "1" "$pid_line"

# /mnt/host: the host's files, with the start directory there
echo "host file $$" >"$WORK/hostfile"
same "/mnt/host shows the host's files" "host file $$" "$(D cat "/mnt/host$WORK/hostfile")"
same "a start directory on the host continues under /mnt/host" "/mnt/host$WORK" "$(cd "$WORK" && D pwd)"
same "relative paths from there reach host files" "host file $$" "$(cd "$WORK" && D cat hostfile)"
same "/mnt/host/.. is the distro's /mnt" "host" "$(D ls /mnt/host/..)"
D sh -c "echo written-inside > /mnt/host$WORK/fromin"
same "writes under /mnt/host land on the host" "written-inside" "$(cat "$WORK/fromin" 2>&1)"

# a plain --root has no /mnt/host (only -d maps the host in)
same "--root alone does not map the host in" "absent" \
	"$("$LXRUN" --root "$IN" sh -c "cat /mnt/host$WORK/hostfile 2>/dev/null || echo absent")"

# host interop: a program run by its /mnt/host path runs natively on the host
HOSTCAT=$(type -P cat)
same "a host program sees the host's files (runs outside the distro)" "host file $$" \
	"$(D sh -c "/mnt/host$HOSTCAT $WORK/hostfile")"
same "inside the distro the same path is not there" "absent" \
	"$(D sh -c "cat $WORK/hostfile 2>/dev/null || echo absent")"
same "stdin and stdout pass through a host program" "ABC" "$(D sh -c "echo abc | /mnt/host$(type -P tr) a-z A-Z")"
D sh -c "/mnt/host$(type -P sh) -c 'exit 7'"
same "a host program's exit status passes through" "7" "$?"
same "its stderr passes through" "to-stderr" "$(D sh -c "/mnt/host$(type -P sh) -c 'echo to-stderr >&2'" 2>&1 >/dev/null)"

# lxrun-host, as in vm mode: the host's program by its name on $PATH, natively
same "lxrun-host runs the host's program (the host's files)" "host file $$" \
	"$(D lxrun-host cat "$WORK/hostfile")"
same "lxrun-host: from /mnt/host, the host directory" "$WORK" "$(cd "$WORK" && D lxrun-host pwd)"
D lxrun-host sh -c 'echo oops >&2; exit 42' 2>"$WORK/err"
same "lxrun-host: exit status and stderr" "42 oops" "$? $(cat "$WORK/err")"
D sh -c 'lxrun-host sh -c "kill -TERM \$\$"' 2>/dev/null
same "lxrun-host: killed by a signal, 128+N" "143" "$?"
out=$(D lxrun-host no-such-lxrun-prog 2>&1)
same "lxrun-host: a program missing on the host" "127 lxrun-host: no-such-lxrun-prog: command not found on the host" "$? $out"
printf '[interop]\nenabled = false\n' >"$STORE/tiny/rootfs/etc/wsl.conf"
D lxrun-host true 2>"$WORK/err"
same "[interop] enabled=false: lxrun-host refuses (126)" "126" "$?"
rm -f "$STORE/tiny/rootfs/etc/wsl.conf"
echo mine >"$STORE/tiny/rootfs/usr/local/bin/lxrun-host"
D true
same "a lxrun-host of the distro's own is kept" "mine" "$(cat "$STORE/tiny/rootfs/usr/local/bin/lxrun-host")"
rm -f "$STORE/tiny/rootfs/usr/local/bin/lxrun-host"

# lxrun -d composes in pipes like any program
same "lxrun -d in a pipe" "beta 4" "$(printf 'beta 2\nalpha 1\nbeta 4\n' | D grep beta | D sort -k2 -r | D head -n 1)"
D sh -c 'exit 3'
same "the exit status is the program's" "3" "$?"
finish
