# SPDX-License-Identifier: MIT
# Shared steps of the service tests: a private temp dir and port, start under lxrun, wait until
# ready, stop, and prove nothing is left (processes, listening port, temp dir) even on failure.
#
# A test sets LXRUN (its first argument), sources this file, calls svc_init NAME, then svc_start / svc_wait /
# svc_stop / svc_check_clean. Every check prints "ok NAME" or "not ok NAME: detail" (the form
# lxrun coverage reads); the first failure ends the test with status 1 after the EXIT trap has
# killed whatever is left and removed the temp dir.

set -uo pipefail

SVC_NAME=
SVC_DIR=
SVC_PID=
SVC_PIDS=()           # every process seen in the service's tree, as "pid:starttime"
SVC_T0=$SECONDS

ok() { echo "ok $SVC_NAME.$1"; }

# Wait for every background job of the script but the service itself: non-zero if one failed.
wait_clients() {
	local j st=0
	for j in $(jobs -p); do
		[ "$j" = "$SVC_PID" ] && continue
		wait "$j" || st=1
	done
	return $st
}

fail() {
	echo "not ok $SVC_NAME.$1: $2"
	local f
	for f in "${SVC_LOGS[@]}"; do
		[ -s "$f" ] || continue
		echo "--- last lines of $f"
		tail -n 25 "$f" | sed 's/^/    /'
	done
	exit 1
}

skip() {
	echo "skip $SVC_NAME: $1"
	exit 77
}

# Logs shown when a check fails; a test adds its service's own error log.
SVC_LOGS=()

need() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] ||
			skip "$p is not installed (scripts/setup.sh --tests installs it)"
	done
}

# The start time of a process (field 22 of /proc/PID/stat), so a recycled pid is not taken for
# a leaked one. The command name in field 2 may hold spaces: cut after its closing parenthesis.
proc_start() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	set -- $s
	echo "${20}"
}

svc_init() {
	SVC_NAME=$1
	[ -x "${LXRUN:-}" ] || { echo "usage: bash $0 path/to/lxrun" >&2; exit 2; }
	LXRUN=$(realpath "$LXRUN")
	SVC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lxrun-svc-$SVC_NAME.XXXXXX") || exit 1
	# Services drop to their own users (nobody, www-data, postgres...), who must read the files.
	chmod 755 "$SVC_DIR"
	SVC_LOGS=("$SVC_DIR/stdout.log")
	trap svc_cleanup EXIT
	trap 'exit 130' INT TERM
}

# A port nobody listens on, chosen at random in 20000-59999 so parallel runs do not collide
# (the service's own bind is the final arbiter: a collision makes it fail to start, visibly).
svc_port() {
	local used p i
	used=$(awk 'NR > 1 { split($2, a, ":"); print strtonum("0x" a[2]) }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
	for i in $(seq 1 50); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
	done
	echo "svc_port: no free port found" >&2
	return 1
}

port_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	# State 0A is LISTEN.
	awk -v h="$hex" 'NR > 1 { split($2, a, ":"); if (a[2] == h && $4 == "0A") f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# svc_start CMD ARGS...: run the service in the background (its working directory is the temp
# dir); SVC_PID is the process started (lxrun, or setpriv which execs it).
svc_start() {
	(cd "$SVC_DIR" && exec "$@") >"$SVC_DIR/stdout.log" 2>&1 &
	SVC_PID=$!
}

# svc_tree PID: PID and every live descendant of it, space-separated.
svc_tree() {
	local tree=" $1 " pid ppid changed=1 table
	table=$(ps -e -o pid=,ppid=)
	while ((changed)); do
		changed=0
		while read -r pid ppid; do
			if [[ $tree == *" $ppid "* && $tree != *" $pid "* ]]; then
				tree+="$pid "
				changed=1
			fi
		done <<<"$table"
	done
	echo $tree
}

# Record every live descendant of the service (pid and start time).
svc_track() {
	[ -n "$SVC_PID" ] || return 0
	local pid st
	for pid in $(svc_tree "$SVC_PID"); do
		st=$(proc_start "$pid") || continue
		[[ " ${SVC_PIDS[*]} " == *" $pid:$st "* ]] || SVC_PIDS+=("$pid:$st")
	done
}

# svc_wait SECONDS CMD...: poll CMD until it succeeds; fail early if the service died.
svc_wait() {
	local limit=$1 t0=$SECONDS
	shift
	while ! "$@" >/dev/null 2>&1; do
		if ! kill -0 "$SVC_PID" 2>/dev/null; then
			wait "$SVC_PID"
			fail ready "exited with status $? before it was ready"
		fi
		((SECONDS - t0 < limit)) || fail ready "not ready after ${limit}s"
		sleep 0.2
	done
	svc_track
	ok ready
}

# svc_stop SIGNAL TARGET_PID SECONDS [EXPECTED_STATUS]: ask the service to stop, wait for the
# process we started to exit and check its status (default 0). SIGNAL - sends nothing (the
# service was asked to stop through its own protocol).
svc_stop() {
	local sig=$1 target=$2 limit=$3 want=${4:-0} t0=$SECONDS st
	svc_track
	if [ "$sig" != - ]; then
		kill "-$sig" "$target" 2>/dev/null || fail stop "cannot signal pid $target"
	fi
	while kill -0 "$SVC_PID" 2>/dev/null; do
		((SECONDS - t0 < limit)) || fail stop "still running ${limit}s after SIG$sig"
		sleep 0.1
	done
	wait "$SVC_PID"
	st=$?
	SVC_PID=
	[ "$st" = "$want" ] || fail stop "exit status $st after SIG$sig, expected $want"
	ok stop
}

# Processes of ours still alive, plus any process whose working directory, root or command line
# is inside the temp dir (a leaked child re-parented away from the tree we tracked).
svc_leftovers() {
	local e pid st d
	for e in "${SVC_PIDS[@]}"; do
		pid=${e%%:*}
		st=$(proc_start "$pid") || continue
		[ "$st" = "${e#*:}" ] && echo "$pid"
	done
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		if [[ $(readlink "$d/cwd" 2>/dev/null) == "$SVC_DIR"* ]] ||
			[[ $(readlink "$d/root" 2>/dev/null) == "$SVC_DIR"* ]] ||
			[[ $({ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null) == *"$SVC_DIR"* ]]; then
			echo "$pid"
		fi
	done | sort -u
}

# svc_check_clean PORT...: after svc_stop, nothing of the service is left running or listening.
svc_check_clean() {
	local left p t0=$SECONDS
	# Children may take a moment to finish after the parent exited.
	while left=$(svc_leftovers) && [ -n "$left" ] && ((SECONDS - t0 < 5)); do
		sleep 0.2
	done
	if [ -n "$left" ]; then
		fail no_leftovers "still running: $(ps -o pid=,user=,args= -p "${left//$'\n'/,}" 2>/dev/null | tr '\n' ';')"
	fi
	ok no_leftovers
	for p in "$@"; do
		port_listening "$p" && fail port_closed "port $p still listening"
	done
	ok port_closed
}

svc_cleanup() {
	local st=$? left
	trap - EXIT
	svc_track 2>/dev/null
	left=$(svc_leftovers 2>/dev/null)
	if [ -n "$left" ]; then
		# shellcheck disable=SC2086
		kill -KILL $left 2>/dev/null
		sleep 0.2
	fi
	if [ -n "$SVC_DIR" ] && [ -d "$SVC_DIR" ]; then
		rm -rf "$SVC_DIR"
		[ -d "$SVC_DIR" ] && echo "not ok $SVC_NAME.cleanup: $SVC_DIR not removed"
	fi
	echo "$SVC_NAME: $((SECONDS - SVC_T0)) s"
	exit "$st"
}
