# SPDX-License-Identifier: MIT
# Apache httpd (event MPM: a root parent, threaded children as www-data) under lxrun, in the
# foreground with its own config, serves files to the host's curl.
LXRUN=$1
. "$(dirname "$0")/lib.sh"
svc_init apache
MODS=/usr/lib/apache2/modules
need /usr/sbin/apache2 curl cmp
[ -f "$MODS/mod_mpm_event.so" ] || skip "no $MODS/mod_mpm_event.so"

PORT=$(svc_port) || exit 1
D=$SVC_DIR
mkdir -p "$D/html/sub" "$D/logs"
echo "hello from apache under lxrun" >"$D/html/index.html"
head -c 2097152 /dev/urandom >"$D/html/big.bin"
seq 1 5000 >"$D/html/sub/seq.txt"
chmod -R a+rX "$D/html"
SVC_LOGS+=("$D/logs/error.log")

user=
[ "$(id -u)" -eq 0 ] && user=$'User www-data\nGroup www-data'
cat >"$D/httpd.conf" <<EOF
ServerRoot "$D"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $D/httpd.pid
DefaultRuntimeDir $D
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule autoindex_module $MODS/mod_autoindex.so
$user
ErrorLog $D/logs/error.log
LogLevel info
DocumentRoot "$D/html"
<Directory "$D/html">
	Options Indexes
	Require all granted
</Directory>
DirectoryIndex index.html
TypesConfig /etc/mime.types
StartServers 2
ServerLimit 2
ThreadsPerChild 8
MaxRequestWorkers 16
MinSpareThreads 4
MaxSpareThreads 16
EOF

svc_start "$LXRUN" /usr/sbin/apache2 -f "$D/httpd.conf" -DFOREGROUND
URL=http://127.0.0.1:$PORT
svc_wait 30 curl -sf -o /dev/null "$URL/index.html"

for f in index.html big.bin sub/seq.txt; do
	curl -sf -o "$D/got" "$URL/$f" || fail "get_$f" "curl failed ($?)"
	cmp -s "$D/got" "$D/html/$f" || fail "get_$f" "body differs from the file"
done
ok get_files
[ "$(curl -sf "$URL/")" = "hello from apache under lxrun" ] || fail index "/ is not index.html"
ok index
curl -sf "$URL/sub/" | grep -q 'seq.txt' || fail autoindex "listing lacks seq.txt"
ok autoindex
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/missing")
[ "$code" = 404 ] || fail not_found "status $code, expected 404"
ok not_found
# Parallel clients, served by the children's worker threads.
for i in 1 2 3 4 5 6; do
	curl -sf -o "$D/par$i" "$URL/big.bin" &
done
wait_clients || fail parallel "a parallel download failed"
for i in 1 2 3 4 5 6; do
	cmp -s "$D/par$i" "$D/html/big.bin" || fail parallel "download $i differs"
done
ok parallel
if [ -n "$user" ]; then
	kids=$(ps -o user= --ppid "$SVC_PID" | sort -u | tr '\n' ' ')
	[ "$kids" = "www-data " ] || fail child_user "children run as '$kids', expected www-data"
	ok child_user
fi

# A child that gets the parent's SIGTERM while it is still starting its threads runs its
# early handler (just_die: destroy the child's pool and exit) under threads that use that pool,
# and may die of SIGABRT ("The futex facility returned an unexpected error code"): an Apache
# race, natively too, that a loaded machine widens. Stop only once every child has its main,
# listener and ThreadsPerChild worker threads.
children_started() {
	local c n=0 th
	for c in $(ps -o pid= --ppid "$SVC_PID"); do
		th=$(awk '/^Threads:/ { print $2 }' "/proc/$c/status" 2>/dev/null)
		[ "${th:-0}" -ge 10 ] || return 1
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}
t0=$SECONDS
until children_started; do
	((SECONDS - t0 < 30)) || fail children_started "children still starting after 30 s"
	sleep 0.2
done
svc_stop TERM "$(cat "$D/httpd.pid")" 20
# Every child must have ended by itself when told to (no crash, no kill by the parent).
grep -E 'exit signal|\[(emerg|alert|crit)\]|AH00045|AH00046' "$D/logs/error.log" &&
	fail error_log "children crashed or were killed"
ok error_log
svc_check_clean "$PORT"
