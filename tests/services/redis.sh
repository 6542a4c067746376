# SPDX-License-Identifier: MIT
# redis-server under lxrun: the host's redis-cli sets and gets, redis-benchmark runs a few hundred
# operations, a background save forks a child that writes the dump.
LXRUN=$1
. "$(dirname "$0")/lib.sh"
svc_init redis
need /usr/bin/redis-server redis-cli redis-benchmark

PORT=$(svc_port) || exit 1
D=$SVC_DIR
SVC_LOGS+=("$D/redis.log")
svc_start "$LXRUN" /usr/bin/redis-server --port "$PORT" --bind 127.0.0.1 --dir "$D" \
	--pidfile "$D/redis.pid" --logfile "$D/redis.log" --daemonize no --save '' --appendonly no \
	--unixsocket "$D/redis.sock"
cli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }
svc_wait 30 cli ping

[ "$(cli set greeting 'hello under lxrun')" = OK ] || fail set "SET did not answer OK"
[ "$(cli get greeting)" = 'hello under lxrun' ] || fail get "GET returned '$(cli get greeting)'"
ok set_get
[ "$(cli incrby counter 41)" = 41 ] && [ "$(cli incr counter)" = 42 ] || fail incr "INCR does not count"
ok incr
# A 1 MiB value through the socket and back.
big=$(head -c 786432 /dev/urandom | base64 -w0)
printf '%s' "$big" | cli -x set big >/dev/null || fail big_value "SET of 1 MiB failed"
[ "$(cli --raw get big)" = "$big" ] || fail big_value "the 1 MiB value came back different"
ok big_value
# The unix socket too (its path is a host path: no --root here).
[ "$(redis-cli -s "$D/redis.sock" get greeting)" = 'hello under lxrun' ] ||
	fail unix_socket "GET over $D/redis.sock failed"
ok unix_socket
out=$(redis-benchmark -h 127.0.0.1 -p "$PORT" -n 300 -c 4 -q -t set,get,incr,lpush,lpop 2>&1) ||
	fail benchmark "redis-benchmark failed: $out"
n=$(grep -c 'requests per second' <<<"$out")
[ "$n" = 5 ] || fail benchmark "expected 5 results, got: $out"
ok benchmark
# BGSAVE forks: the child writes dump.rdb while the parent keeps serving.
[ "$(cli bgsave)" = 'Background saving started' ] || fail bgsave "BGSAVE refused"
t0=$SECONDS
until cli info persistence | grep -q 'rdb_bgsave_in_progress:0'; do
	((SECONDS - t0 < 20)) || fail bgsave "the save did not finish"
	sleep 0.1
done
cli info persistence | grep -q 'rdb_last_bgsave_status:ok' || fail bgsave "the save failed"
[ -s "$D/dump.rdb" ] || fail bgsave "no dump.rdb"
ok bgsave
[ "$(cli dbsize)" -ge 4 ] || fail dbsize "DBSIZE $(cli dbsize)"
ok dbsize

svc_track
cli shutdown nosave >/dev/null 2>&1
svc_stop - "$SVC_PID" 20
svc_check_clean "$PORT"
