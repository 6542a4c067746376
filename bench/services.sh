#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Service throughput natively and under lxrun in the same run, on loopback: PostgreSQL (pgbench
# select-only and tpcb-like), nginx (wrk, else ab) and redis (redis-benchmark). Clients native.
#
# usage: bash bench/services.sh [--quick] [--lxrun PATH] [--rounds N] [pg] [nginx] [redis]
#   --quick      3 s per measurement and one round (default 15 s, two rounds)
#   --lxrun PATH the lxrun to measure (default: build/lxrun next to this script)
#   --rounds N   rounds per cell; each round runs native and lxrun (alternating which goes
#                first) and the best of each column is kept (the host's other load hits both)
# Prints one line per workload: the best rate natively and under lxrun and their ratio (target
# >= 0.8), then the server's CPU microseconds per operation (its whole process tree, lowest of
# the rounds) and lxrun/native of that: the cost, which the machine's other load hardly moves.
# Exit 1 if a measurement failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
LXRUN=$here/../build/lxrun
secs=15
rounds=2
which=()
while (($#)); do
	case $1 in
	--quick) secs=3 rounds=1 ;;
	--lxrun) LXRUN=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	pg | nginx | redis) which+=("$1") ;;
	-h | --help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/services.sh: unknown argument '$1' (--help)" >&2; exit 125 ;;
	esac
	shift
done
((${#which[@]})) || which=(pg nginx redis)
[ -x "$LXRUN" ] || { echo "bench/services.sh: no lxrun at $LXRUN (--lxrun PATH)" >&2; exit 125; }
# The service helpers of the test suite: temp dir, ports, start, wait, stop, leftovers.
. "$here/../tests/services/lib.sh"
svc_init bench-services
D=$SVC_DIR
failed=0
results=()

# CPU time (clock ticks) of the service's whole process tree: every live process's user+system
# time plus what it collected from children it reaped (PostgreSQL's ended backends). Unlike
# throughput, it hardly moves with the other load on the machine: the cost per request.
tree_cpu() {
	local pid
	for pid in $(svc_tree "$1"); do
		cat "/proc/$pid/stat" 2>/dev/null
	done | sed 's/^.*) //' | awk '{ t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

# measure COLUMN NAME CLIENT...: CLIENT prints one rate (operations per second); the best rate of
# the rounds is kept, and with it the server's CPU microseconds per operation.
declare -A best cpu_op
measure() {
	local col=$1 name=$2 v c0 c1 t0 t1 us
	c0=$(tree_cpu "$SVC_PID")
	t0=$(date +%s.%N)
	v=$("${@:3}") || { echo "bench: $name/$col failed" >&2; failed=1; return; }
	t1=$(date +%s.%N)
	c1=$(tree_cpu "$SVC_PID")
	[[ $v =~ ^[0-9.]+$ ]] || { echo "bench: $name/$col: no figure ('$v')" >&2; failed=1; return; }
	us=$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v r="$v" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.1f", c / hz * 1e6 / (r * (t1 - t0)) }')
	if [ -z "${best[$name/$col]:-}" ] || awk -v a="$v" -v b="${best[$name/$col]}" 'BEGIN { exit !(a > b) }'; then
		best[$name/$col]=$v
	fi
	# The cost per operation: the lowest of the rounds (noise only adds to it).
	if [ -z "${cpu_op[$name/$col]:-}" ] || awk -v a="$us" -v b="${cpu_op[$name/$col]}" 'BEGIN { exit !(a < b) }'; then
		cpu_op[$name/$col]=$us
	fi
}

report() {
	local name=$1 unit=$2 n=${best[$1/native]:-} l=${best[$1/lxrun]:-} r=- cn=${cpu_op[$1/native]:-} cl=${cpu_op[$1/lxrun]:-} cr=-
	[ -n "$n" ] && [ -n "$l" ] && r=$(awk -v a="$l" -v b="$n" 'BEGIN { printf "%.2f", a / b }')
	[ -n "$cn" ] && [ -n "$cl" ] && cr=$(awk -v a="$cl" -v b="$cn" 'BEGIN { printf "%.2f", a / b }')
	printf '%-28s %-6s %10.0f %10.0f %6s   %9s %9s %6s\n' "$name" "$unit" "${n:-0}" "${l:-0}" "$r" \
		"${cn:--}" "${cl:--}" "$cr"
}

# --- PostgreSQL -------------------------------------------------------------------------------
pg_bin() {
	local v
	for v in 17 16 15; do
		[ -x "/usr/lib/postgresql/$v/bin/postgres" ] && { echo "/usr/lib/postgresql/$v/bin"; return; }
	done
	return 1
}

bench_pg() {
	local bin as=() col prefix r
	bin=$(pg_bin) || { echo "bench: no PostgreSQL server installed" >&2; failed=1; return; }
	mkdir -p "$D/pg"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$D/pg"
		as=(setpriv --reuid=postgres --regid=postgres --init-groups)
	fi
	LC_ALL=C "${as[@]}" "$bin/initdb" -D "$D/pg/data" -A trust -U postgres --no-locale \
		>"$D/initdb.log" 2>&1 || { echo "bench: initdb failed" >&2; failed=1; return; }
	PORT=$(svc_port)
	export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
	pg_start() {
		svc_start "${as[@]}" "$@" "$bin/postgres" -D "$D/pg/data" -p "$PORT" -k "$D/pg" \
			-c listen_addresses=127.0.0.1 -c shared_buffers=128MB -c max_connections=20
		svc_wait 60 psql -X -qAtc 'select 1' >/dev/null
	}
	pg_stop() { svc_stop INT "$(head -n 1 "$D/pg/data/postmaster.pid")" 60 >/dev/null; }
	pgb() { pgbench -c 4 -j 2 -T "$secs" "$@" 2>&1 | awk '/^tps = / { print $3 }'; }
	pg_start >/dev/null && pgbench -i -q -s 10 >"$D/pgbench-init.log" 2>&1 && pg_stop ||
		{ echo "bench: pgbench -i failed" >&2; failed=1; return; }
	for r in $(seq 1 "$rounds"); do
		for col in native lxrun; do
			[ $((r % 2)) = 0 ] && col=$([ "$col" = native ] && echo lxrun || echo native)
			prefix=()
			[ "$col" = lxrun ] && prefix=("$LXRUN")
			pg_start "${prefix[@]}" >/dev/null
			measure "$col" "pgbench select-only c4" pgb -S
			measure "$col" "pgbench tpcb-like c4" pgb
			pg_stop
		done
	done
	results+=("pgbench select-only c4|tps" "pgbench tpcb-like c4|tps")
}

# --- nginx ------------------------------------------------------------------------------------
bench_nginx() {
	local col r prefix user=
	mkdir -p "$D/nginx/html" "$D/nginx/logs" "$D/nginx/tmp"
	head -c 1024 /dev/urandom | base64 >"$D/nginx/html/small.txt"
	head -c 1048576 /dev/urandom >"$D/nginx/html/1m.bin"
	chmod -R a+rX "$D/nginx"
	PORT=$(svc_port)
	[ "$(id -u)" -eq 0 ] && user="user nobody nogroup;"
	cat >"$D/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
$user
pid $D/nginx/nginx.pid;
error_log $D/nginx/logs/error.log;
events { worker_connections 256; }
http {
	access_log off;
	sendfile on;
	keepalive_requests 1000000;
	client_body_temp_path $D/nginx/tmp/body;
	proxy_temp_path $D/nginx/tmp/proxy;
	fastcgi_temp_path $D/nginx/tmp/fastcgi;
	uwsgi_temp_path $D/nginx/tmp/uwsgi;
	scgi_temp_path $D/nginx/tmp/scgi;
	server { listen 127.0.0.1:$PORT; root $D/nginx/html; }
}
EOF
	load() {
		if command -v wrk >/dev/null; then
			wrk -t 2 -c 16 -d "${secs}s" "http://127.0.0.1:$PORT/$1" |
				awk '/^Requests\/sec:/ { print $2 }'
		else
			ab -q -k -c 16 -t "$secs" -n 100000000 "http://127.0.0.1:$PORT/$1" |
				awk '/^Requests per second:/ { print $4 }'
		fi
	}
	for r in $(seq 1 "$rounds"); do
		for col in native lxrun; do
			[ $((r % 2)) = 0 ] && col=$([ "$col" = native ] && echo lxrun || echo native)
			prefix=()
			[ "$col" = lxrun ] && prefix=("$LXRUN")
			svc_start "${prefix[@]}" /usr/sbin/nginx -p "$D/nginx" -c "$D/nginx/nginx.conf"
			svc_wait 30 curl -sf -o /dev/null "http://127.0.0.1:$PORT/small.txt" >/dev/null
			measure "$col" "nginx 1.4 KiB file c16" load small.txt
			measure "$col" "nginx 1 MiB file c16" load 1m.bin
			svc_stop QUIT "$(cat "$D/nginx/nginx.pid")" 30 >/dev/null
		done
	done
	results+=("nginx 1.4 KiB file c16|req/s" "nginx 1 MiB file c16|req/s")
}

# --- redis ------------------------------------------------------------------------------------
bench_redis() {
	local col r prefix n=$((secs * 20000))
	PORT=$(svc_port)
	rb() {
		redis-benchmark -h 127.0.0.1 -p "$PORT" -c 16 -n "$n" -t "$1" --csv "${@:2}" 2>/dev/null |
			awk -F'","' 'NR == 2 { print $2 }'
	}
	for r in $(seq 1 "$rounds"); do
		for col in native lxrun; do
			[ $((r % 2)) = 0 ] && col=$([ "$col" = native ] && echo lxrun || echo native)
			prefix=()
			[ "$col" = lxrun ] && prefix=("$LXRUN")
			svc_start "${prefix[@]}" /usr/bin/redis-server --port "$PORT" --bind 127.0.0.1 \
				--dir "$D" --save '' --appendonly no --daemonize no
			svc_wait 30 redis-cli -p "$PORT" ping >/dev/null
			measure "$col" "redis SET c16" rb set
			measure "$col" "redis GET c16" rb get
			measure "$col" "redis GET c16 pipeline 16" rb get -P 16
			redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1
			svc_stop - "$SVC_PID" 30 >/dev/null
		done
	done
	results+=("redis SET c16|req/s" "redis GET c16|req/s" "redis GET c16 pipeline 16|req/s")
}

echo "# bench/services.sh: $secs s per measurement, best of $rounds round(s); $(nproc) CPUs;" \
	"FSGSBASE: $(grep -qw fsgsbase /proc/cpuinfo && echo yes || echo no); $("$LXRUN" --version 2>&1 | head -n 1)"
for w in "${which[@]}"; do
	case $w in
	pg) bench_pg ;;
	nginx) bench_nginx ;;
	redis) bench_redis ;;
	esac
done
printf '%-28s %-6s %10s %10s %6s   %9s %9s %6s\n' workload unit native lxrun ratio \
	"cpu-us/op" "cpu-us/op" ratio
printf '%-28s %-6s %10s %10s %6s   %9s %9s %6s\n' "" "" "" "" "" native lxrun ""
for e in "${results[@]}"; do
	report "${e%|*}" "${e#*|}"
done
exit "$failed"
