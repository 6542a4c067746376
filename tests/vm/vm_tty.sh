#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An interactive bash in the VM on a pseudo-terminal, driven through tmux.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

if ! command -v tmux >/dev/null; then
	echo "skip: tmux is not installed"
	echo "0 passed, 0 failed"
	exit 77
fi
vm_start || { cat "$WORK/start.err"; echo "0 passed, 1 failed"; exit 1; }
sock=$WORK/tmux.sock
t() { tmux -S "$sock" "$@"; }
# wait_for TEXT: until the pane shows TEXT (30 s at most)
wait_for() {
	for _ in $(seq 300); do
		t capture-pane -p -t vmtty 2>/dev/null | grep -q -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

t new-session -d -s vmtty -x 100 -y 30 \
	"cd '$WORK' && LXRUN_STATE_DIR='$LXRUN_STATE_DIR' '$LXRUN' --mode vm bash --norc --noprofile -i; echo LXRUN-EXIT=\$?; sleep 60"
wait_for 'bash-' && ok "interactive bash prompt" || not_ok "interactive bash prompt" "$(t capture-pane -p -t vmtty)"
t send-keys -t vmtty 'echo $((6*7))-$(tty | cut -c1-9); stty size' Enter
wait_for '^42-/dev/pts/' && ok "commands run on a guest pty" || not_ok "commands run on a guest pty"
wait_for '^30 100$' && ok "window size reaches the guest" || not_ok "window size reaches the guest"
t resize-window -t vmtty -x 80 -y 20 2>/dev/null || t resize-pane -t vmtty -x 80 -y 20
sleep 0.5
t send-keys -t vmtty 'stty size' Enter
wait_for '^20 80$' && ok "SIGWINCH resizes the guest pty" || not_ok "SIGWINCH resizes the guest pty" "$(t capture-pane -p -t vmtty | tail -3)"
t send-keys -t vmtty 'sleep 100; echo after-sleep' Enter
sleep 2
t send-keys -t vmtty C-c
t send-keys -t vmtty 'echo interrupted-$?' Enter
wait_for 'interrupted-130' && ok "Ctrl-C interrupts the guest's foreground job" ||
	not_ok "Ctrl-C interrupts the guest's foreground job" "$(t capture-pane -p -t vmtty | tail -3)"
t send-keys -t vmtty 'exit 5' Enter
wait_for 'LXRUN-EXIT=5' && ok "exit status of the shell" || not_ok "exit status of the shell" "$(t capture-pane -p -t vmtty | tail -3)"
t kill-server 2>/dev/null
finish
