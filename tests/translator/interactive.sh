#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An interactive bash driven through tmux (send-keys, capture-pane), natively and under lxrun:
# prompt and line editing, Ctrl-C interrupting a running sleep, Ctrl-Z and fg. The two screens
# must be identical.
# usage: interactive.sh LXRUN
set -u
lxrun=$1
case $lxrun in /*) ;; *) lxrun=$PWD/$lxrun ;; esac
command -v tmux >/dev/null || { echo "tmux missing: skipped"; exit 77; }
sock=lxrun-test-$$
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT

session() { # name command...
	tm new-session -d -s "$1" -x 100 -y 30 "env -i TERM=xterm PATH=/usr/bin:/bin HOME=/tmp PS1='lx\$ ' $2 bash --norc --noprofile -i"
	sleep 1.5
	local keys=('echo hello $((6*7))' Enter 'echo abc' C-a 'X' Enter 'sleep 30' Enter @C-c
		'echo after-int $?' Enter 'sleep 30' Enter @C-z 'jobs' Enter 'fg' Enter @C-c
		'echo done $?' Enter)
	for k in "${keys[@]}"; do
		case $k in
		@*) sleep 1; tm send-keys -t "$1" "${k#@}" ;;
		*) tm send-keys -t "$1" "$k" ;;
		esac
		sleep 0.3
	done
	sleep 1
	tm capture-pane -t "$1" -p | sed -e 's/[[:space:]]*$//' | grep -v '^$'
}

native=$(session native "")
wrapped=$(session wrapped "$lxrun")
pass=0 fail=0
if [ "$native" = "$wrapped" ] && grep -q "after-int 130" <<<"$wrapped" && grep -q "Stopped" <<<"$wrapped"; then
	echo "ok - interactive bash session identical to native"; pass=1
else
	echo "not ok - interactive bash session differs"; fail=1
	diff -u <(echo "$native") <(echo "$wrapped")
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
