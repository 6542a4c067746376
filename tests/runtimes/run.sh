#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One runtime case, run natively and under lxrun (translate mode, default engine) in fresh
# directories: stdout and exit status must be the same; stderr must be too where a case says
# so (java: "no warnings"). Exit 77 with the reason when the runtime is not installed.
# Usage: run.sh LXRUN CASE
set -uo pipefail
lxrun=$(realpath "$1") case=$2
work=$(mktemp -d /tmp/lxrun-rt-XXXXXX)
tmux_sock=
cleanup() {
	[ -n "$tmux_sock" ] && tmux -S "$tmux_sock" kill-server 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
need() { for p; do command -v "$p" >/dev/null || { echo "SKIP: $p is not installed (scripts/setup.sh --tests installs it)"; exit 77; }; done; }

# Each case_X runs in its own empty directory with $R as the command prefix ("" natively, lxrun
# otherwise); it prints what is compared. Times, pids and paths are kept out of the output.
case_tmux() { # server, client, a detached session running a command, a shell driven by keys
	need tmux
	local s=$PWD/sock
	tmux_sock=$s
	$R tmux -S "$s" -f /dev/null new-session -d -s a 'echo ran > out.txt; sleep 60' || return
	$R tmux -S "$s" new-session -d -s b -x 80 -y 24 'bash --norc --noprofile' || return
	for _ in $(seq 100); do [ -s out.txt ] && break; sleep 0.1; done
	cat out.txt
	$R tmux -S "$s" list-sessions -F '#{session_name} #{session_windows}'
	$R tmux -S "$s" send-keys -t b 'echo $((6*7)) > keys.txt' Enter
	for _ in $(seq 100); do [ -s keys.txt ] && break; sleep 0.1; done
	cat keys.txt
	$R tmux -S "$s" kill-session -t a
	$R tmux -S "$s" list-sessions -F '#{session_name}'
	$R tmux -S "$s" kill-server
	tmux_sock=
}
case_java() { # javac and java, four threads; stderr is compared too (no warnings)
	need javac java
	cat >Main.java <<'J'
public class Main {
  public static void main(String[] a) throws Exception {
    Thread[] t = new Thread[4]; long[] s = new long[4];
    for (int i = 0; i < 4; i++) { final int k = i;
      t[i] = new Thread(() -> { long x = 0; for (int j = 0; j < 2000000; j++) x += j % (k + 2); s[k] = x; });
      t[i].start(); }
    long tot = 0; for (int i = 0; i < 4; i++) { t[i].join(); tot += s[i]; }
    System.out.println("threads " + tot + " " + Runtime.getRuntime().availableProcessors() / Runtime.getRuntime().availableProcessors());
  }
}
J
	$R javac -d cls Main.java 2>&1 && $R java -Xshare:auto -cp cls Main 2>&1
}
case_go() { # go build of a program with goroutines, then the program
	need go
	export GOCACHE=$PWD/gocache GOPATH=$PWD/gopath GOFLAGS=-mod=mod GO111MODULE=off HOME=$PWD
	cat >g.go <<'G'
package main
import ("fmt"; "sync")
func main() {
	var wg sync.WaitGroup; ch := make(chan int, 16); res := 0
	for i := 0; i < 16; i++ { wg.Add(1); go func(k int) { defer wg.Done(); s := 0; for j := 0; j < 200000; j++ { s += j % (k + 2) }; ch <- s }(i) }
	wg.Wait(); close(ch); for v := range ch { res += v }; fmt.Println("goroutines", res)
}
G
	$R go build -o gbin g.go && $R ./gbin
}
case_node() { # an http server and a worker thread that fetches from it
	need node
	cat >w.js <<'N'
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const http = require('http');
if (isMainThread) {
  const srv = http.createServer((req, res) => res.end('hello ' + req.url));
  srv.listen(0, '127.0.0.1', () => {
    const w = new Worker(__filename, { workerData: srv.address().port });
    w.on('message', (m) => { console.log('worker got:', m); srv.close(); });
  });
} else {
  http.get('http://127.0.0.1:' + workerData + '/path', (res) => {
    let d = ''; res.on('data', (c) => d += c); res.on('end', () => parentPort.postMessage(d)); });
}
N
	$R node w.js
}
case_ruby() { # threads and a queue
	need ruby
	$R ruby -e 'q = Queue.new; t = 4.times.map { |i| Thread.new { q << (1..200000).sum { |x| x % (i + 2) } } }
t.each(&:join); s = 0; 4.times { s += q.pop }; puts "ruby threads #{s}"; puts [3,1,2].sort.inspect'
}
case_rust() { # rustc and what it built
	need rustc
	cat >r.rs <<'RS'
use std::thread;
fn main() {
    let h: Vec<_> = (0..4u64).map(|i| thread::spawn(move || (0..300000u64).map(|x| x % (i + 2)).sum::<u64>())).collect();
    let s: u64 = h.into_iter().map(|h| h.join().unwrap()).sum();
    println!("rust threads {}", s);
}
RS
	$R rustc -O -o rbin r.rs && $R ./rbin
}
case_emacs() { # emacs --batch: buffers, regions, arithmetic, a file written
	need emacs
	$R emacs -Q --batch --eval '(progn (with-temp-buffer (insert "hello world") (upcase-region (point-min) (point-max)) (princ (buffer-string)) (terpri) (write-region (point-min) (point-max) "e.txt")) (princ (format "%d\n" (apply (quote +) (number-sequence 1 100)))))' 2>/dev/null
	cat e.txt; echo
}
case_vim() { # vim in ex mode: substitute, sort, write
	need vim
	printf 'pear\napple\nfig\nworld\n' >v.txt
	$R vim -Es -u NONE -c '%s/world/there/' -c 'sort' -c 'wq' v.txt
	echo "vim $?"; cat v.txt
}
case_git() { # init, commits, a branch merge, gc, fsck
	need git
	export HOME=$PWD GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
	$R git init -q -b main repo && cd repo || return
	$R git config user.email t@example.org && $R git config user.name T
	for i in 1 2 3; do echo "line $i" >"f$i"; $R git add "f$i"; $R git commit -qm "c$i"; done
	$R git checkout -qb side && echo side >s && $R git add s && $R git commit -qm side
	$R git checkout -q main && $R git merge -q --no-edit side
	$R git gc -q && $R git fsck --no-progress 2>&1 && $R git log --format='%H %s'
	$R git count-objects -v | grep -E '^(count|in-pack|packs)'
}
case_python-venv() { # a venv, and its python running a module from it
	need python3
	$R /usr/bin/python3 -m venv --without-pip env && $R env/bin/python -c 'import sys, os; print(sys.prefix == os.path.abspath("env"), sys.base_prefix != sys.prefix)'
}
case_python-multiprocessing() { # pools under fork, spawn and forkserver
	need python3
	cat >mp.py <<'P'
import multiprocessing as mp
def sq(x): return x * x
if __name__ == '__main__':
    for m in ('fork', 'spawn', 'forkserver'):
        with mp.get_context(m).Pool(3) as p: print(m, sum(p.map(sq, range(200))))
    q = mp.Queue(); pr = mp.Process(target=q.put, args=('via queue',)); pr.start(); print(q.get()); pr.join(); print(pr.exitcode)
P
	$R /usr/bin/python3 mp.py
}
case_python-asyncio() { # an echo server and client over loopback in one process, and a subprocess
	need python3
	cat >a.py <<'P'
import asyncio
async def main():
    async def handle(r, w):
        while (d := await r.readline()): w.write(d.upper()); await w.drain()
        w.close()
    srv = await asyncio.start_server(handle, '127.0.0.1', 0)
    port = srv.sockets[0].getsockname()[1]
    r, w = await asyncio.open_connection('127.0.0.1', port)
    for m in (b'ping\n', b'pong\n'):
        w.write(m); await w.drain(); print((await r.readline()).decode().strip())
    w.close(); await w.wait_closed(); srv.close(); await srv.wait_closed()
    p = await asyncio.create_subprocess_exec('echo', 'sub', stdout=asyncio.subprocess.PIPE)
    print((await p.communicate())[0].decode().strip(), p.returncode)
    print(await asyncio.gather(*(asyncio.sleep(0.01, result=i) for i in range(5))))
asyncio.run(main())
P
	$R /usr/bin/python3 a.py
}

fn=case_$case
declare -F "$fn" >/dev/null || { echo "run.sh: unknown case '$case'"; exit 2; }
run_side() { # NAME PREFIX...
	local side=$1
	shift
	mkdir -p "$work/$side" && cd "$work/$side" || exit 1
	(R="$*" "$fn") >"$work/$side.out" 2>"$work/$side.err"
	local st=$?
	[ $st -eq 77 ] && grep -q '^SKIP:' "$work/$side.out" && { head -1 "$work/$side.out"; exit 77; }
	echo "exit $st" >>"$work/$side.out"
	cd "$work"
}
run_side native
run_side lxrun "$lxrun"
if ! cmp -s "$work/native.out" "$work/lxrun.out"; then
	echo "FAIL $case: stdout or exit status differs (native, then lxrun):"
	diff "$work/native.out" "$work/lxrun.out" | head -40
	echo "--- stderr under lxrun:"; head -20 "$work/lxrun.err"
	exit 1
fi
echo "ok $case: $(wc -l <"$work/native.out") lines and exit status the same"
