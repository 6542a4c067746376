# SPDX-License-Identifier: MIT
# MariaDB under lxrun: mariadb-install-db makes a datadir, mariadbd (dropping to mysql when
# started as root) serves the host's mariadb client over TCP and the unix socket.
LXRUN=$1
. "$(dirname "$0")/lib.sh"
svc_init mariadb
need /usr/sbin/mariadbd /usr/bin/mariadb-install-db mariadb mariadb-admin

PORT=$(svc_port) || exit 1
D=$SVC_DIR
user=$(id -un)
[ "$(id -u)" -eq 0 ] && user=mysql
SVC_LOGS+=("$D/run/error.log")
mkdir -p "$D/run"
chown "$user" "$D/run"

t0=$SECONDS
(cd "$D" && "$LXRUN" /usr/bin/mariadb-install-db --no-defaults --datadir="$D/data" --user="$user" \
	--auth-root-authentication-method=normal --skip-test-db --skip-name-resolve) \
	>"$D/install.log" 2>&1 || { SVC_LOGS+=("$D/install.log"); fail install_db "exit $?"; }
[ -d "$D/data/mysql" ] || fail install_db "no mysql schema in the datadir"
echo "# mariadb-install-db: $((SECONDS - t0)) s"
ok install_db

svc_start "$LXRUN" /usr/sbin/mariadbd --no-defaults --datadir="$D/data" --user="$user" \
	--port="$PORT" --bind-address=127.0.0.1 --socket="$D/run/mysqld.sock" \
	--pid-file="$D/run/mysqld.pid" --log-error="$D/run/error.log" --skip-log-bin \
	--innodb-buffer-pool-size=16M --innodb-log-file-size=8M --skip-name-resolve
my() { mariadb --no-defaults -h 127.0.0.1 -P "$PORT" -u root -N -B "$@"; }
svc_wait 60 my -e 'select 1'

[ "$(my -e 'select 6*7')" = 42 ] || fail select "select 6*7 gave '$(my -e 'select 6*7')'"
ok select
my -e 'create database t; create table t.a (id int primary key, v varchar(64)) engine=InnoDB' ||
	fail create "create table failed"
# 20000 rows from a recursive CTE, one transaction.
my -e 'set session max_recursive_iterations = 100000;
	insert into t.a with recursive s(n) as (select 1 union all select n + 1 from s where n < 20000)
	select n, md5(n) from s' || fail insert "insert failed"
[ "$(my -e 'select count(*), sum(id) from t.a')" = $'20000\t200010000' ] || fail insert "wrong count or sum"
[ "$(my -e 'select v from t.a where id = 777')" = "$(printf 777 | md5sum | cut -d' ' -f1)" ] ||
	fail index_lookup "md5 of 777 differs"
ok insert
# A rolled-back transaction leaves nothing.
my -e 'start transaction; delete from t.a; rollback' || fail rollback "failed"
[ "$(my -e 'select count(*) from t.a')" = 20000 ] || fail rollback "rows lost"
ok rollback
# Several clients at once, each on its own server thread.
for i in 1 2 3 4; do
	my -e "create table t.c$i engine=InnoDB select * from t.a where id % 4 = $((i - 1))" &
done
wait_clients || fail parallel "a client failed"
[ "$(my -e 'select (select count(*) from t.c1) + (select count(*) from t.c2) + (select count(*) from t.c3) + (select count(*) from t.c4)')" = 20000 ] ||
	fail parallel "the four tables do not add up"
ok parallel
[ "$(mariadb --no-defaults -S "$D/run/mysqld.sock" -u root -N -B -e 'select count(*) from t.a')" = 20000 ] ||
	fail unix_socket "failed"
ok unix_socket
if [ "$user" = mysql ]; then
	u=$(ps -o user= -p "$SVC_PID")
	[ "$u" = mysql ] || fail server_user "runs as '$u', expected mysql"
	ok server_user
fi

svc_stop TERM "$(cat "$D/run/mysqld.pid")" 60
grep -E '\[ERROR\]|got signal' "$D/run/error.log" && fail error_log "errors in the log"
ok error_log
# Its server id comes from the MAC address, read with SIOCGIFCONF and SIOCGIFHWADDR.
grep 'failed to retrieve the MAC address' "$D/run/error.log" && fail mac_address "no SIOCGIF* ioctls"
ok mac_address
svc_check_clean "$PORT"
