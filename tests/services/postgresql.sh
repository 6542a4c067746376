# SPDX-License-Identifier: MIT
# PostgreSQL 15 under lxrun: initdb, the server (postmaster, its forked backends and workers, SysV
# and POSIX shared memory), the host's psql and pgbench over TCP and the unix socket.
LXRUN=$1
. "$(dirname "$0")/lib.sh"
svc_init postgresql
PGBIN=
for v in 15 16 17; do
	[ -x "/usr/lib/postgresql/$v/bin/postgres" ] && { PGBIN=/usr/lib/postgresql/$v/bin; break; }
done
[ -n "$PGBIN" ] || skip "no /usr/lib/postgresql/*/bin/postgres (scripts/setup.sh --tests installs it)"
need psql pgbench

PORT=$(svc_port) || exit 1
D=$SVC_DIR
mkdir -p "$D/pg"
# PostgreSQL refuses to run as root: as root, run lxrun as the postgres user.
as=()
if [ "$(id -u)" -eq 0 ]; then
	chown postgres: "$D/pg"
	as=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
export LC_ALL=C PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
unset PGPASSWORD PGSERVICE

t0=$SECONDS
(cd "$D" && "${as[@]}" "$LXRUN" "$PGBIN/initdb" -D "$D/pg/data" -A trust -U postgres -E UTF8 \
	--no-locale) >"$D/initdb.log" 2>&1 || { SVC_LOGS+=("$D/initdb.log"); fail initdb "exit $?"; }
[ -f "$D/pg/data/PG_VERSION" ] || fail initdb "no PG_VERSION in the data dir"
echo "# initdb: $((SECONDS - t0)) s"
ok initdb

svc_start "${as[@]}" "$LXRUN" "$PGBIN/postgres" -D "$D/pg/data" -p "$PORT" -k "$D/pg" \
	-c listen_addresses=127.0.0.1 -c shared_buffers=16MB -c max_connections=20 -c fsync=off \
	-c max_worker_processes=4 -c max_parallel_workers=2
svc_wait 30 psql -qAtc 'select 1'

q() { psql -X -qAt -v ON_ERROR_STOP=1 "$@"; }
[ "$(q -c 'select 6*7')" = 42 ] || fail select "select 6*7 gave '$(q -c 'select 6*7')'"
ok select
q -c 'create table t(id int primary key, v text)' \
	-c "insert into t select g, md5(g::text) from generate_series(1, 50000) g" || fail insert "failed"
[ "$(q -c 'select count(*), sum(id) from t')" = '50000|1250025000' ] || fail insert "wrong count or sum"
[ "$(q -c "select v from t where id = 4242")" = "$(printf 4242 | md5sum | cut -d' ' -f1)" ] ||
	fail index_lookup "md5 of 4242 differs"
ok insert
# A sort too big for work_mem spills to temp files.
[ "$(q -c "set work_mem = '64kB'" -c 'select count(distinct v) from t')" = 50000 ] ||
	fail spill_sort "count(distinct) wrong"
ok spill_sort
# A parallel scan: workers forked by the postmaster share the query through dynamic shared memory.
plan=$(q -c 'set max_parallel_workers_per_gather = 2' -c 'set parallel_setup_cost = 0' \
	-c 'set parallel_tuple_cost = 0' -c 'set min_parallel_table_scan_size = 0' \
	-c 'explain (analyze, costs off, timing off) select count(*) from t where v like $$a%$$')
grep -q 'Workers Launched: [12]' <<<"$plan" || fail parallel_query "no worker launched: $plan"
ok parallel_query
# The unix socket in the data dir's parent (a host path: no --root here).
[ "$(psql -X -qAt -h "$D/pg" -c 'select count(*) from t')" = 50000 ] || fail unix_socket "failed"
ok unix_socket
pgbench -i -q -s 1 >"$D/pgbench-init.log" 2>&1 || { SVC_LOGS+=("$D/pgbench-init.log"); fail pgbench_init "exit $?"; }
ok pgbench_init
out=$(pgbench -c 2 -j 2 -T 3 2>&1) || fail pgbench "exit $?: $out"
grep -q 'number of failed transactions: 0' <<<"$out" || fail pgbench "failed transactions: $out"
echo "# pgbench tpcb-like 2 clients: $(grep -o 'tps = [0-9.]*' <<<"$out")"
ok pgbench
[ "$(q -c 'select count(*) from pgbench_accounts')" = 100000 ] || fail pgbench_accounts "count wrong"
ok pgbench_accounts

svc_stop INT "$(head -n 1 "$D/pg/data/postmaster.pid")" 30
# (The readiness poll's early connections are refused with "the database system is starting up".)
grep -E 'PANIC|FATAL|terminated by signal' "$D/stdout.log" | grep -v 'is starting up' &&
	fail server_log "errors in the log"
ok server_log
svc_check_clean "$PORT"
