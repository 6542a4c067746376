# SPDX-License-Identifier: MIT
# nginx under lxrun (master as root, workers dropped to nobody) serves files to the host's curl.
LXRUN=$1
. "$(dirname "$0")/lib.sh"
svc_init nginx
need /usr/sbin/nginx curl cmp

PORT=$(svc_port) || exit 1
D=$SVC_DIR
mkdir -p "$D/html/sub" "$D/logs" "$D/tmp"
echo "hello from nginx under lxrun" >"$D/html/index.html"
head -c 5242880 /dev/urandom >"$D/html/big.bin"
seq 1 20000 >"$D/html/sub/seq.txt"
: >"$D/html/empty.txt"
chmod -R a+rX "$D/html"
SVC_LOGS+=("$D/logs/error.log")

user=
[ "$(id -u)" -eq 0 ] && user="user nobody nogroup;"
cat >"$D/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
$user
pid $D/nginx.pid;
error_log $D/logs/error.log info;
events { worker_connections 64; }
http {
	access_log $D/logs/access.log;
	client_body_temp_path $D/tmp/body;
	proxy_temp_path $D/tmp/proxy;
	fastcgi_temp_path $D/tmp/fastcgi;
	uwsgi_temp_path $D/tmp/uwsgi;
	scgi_temp_path $D/tmp/scgi;
	sendfile on;
	server {
		listen 127.0.0.1:$PORT;
		root $D/html;
		autoindex on;
	}
}
EOF

svc_start "$LXRUN" /usr/sbin/nginx -p "$D" -c "$D/nginx.conf"
URL=http://127.0.0.1:$PORT
svc_wait 30 curl -sf -o /dev/null "$URL/index.html"

for f in index.html big.bin sub/seq.txt empty.txt; do
	curl -sf -o "$D/got" "$URL/$f" || fail "get_$f" "curl failed ($?)"
	cmp -s "$D/got" "$D/html/$f" || fail "get_$f" "body differs from the file"
done
ok get_files
# Keep-alive: several requests over one connection, answered by whichever worker took it.
n=$(curl -sf "$URL/index.html" "$URL/sub/seq.txt" "$URL/index.html" | wc -l)
[ "$n" = 20002 ] || fail keepalive "got $n lines, expected 20002"
ok keepalive
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/missing")
[ "$code" = 404 ] || fail not_found "status $code, expected 404"
ok not_found
curl -sf "$URL/sub/" | grep -q 'seq.txt' || fail autoindex "listing lacks seq.txt"
ok autoindex
# A range request is served from the middle of the 5 MiB file.
curl -sf -r 1048576-1049599 -o "$D/got" "$URL/big.bin" || fail range "curl failed"
cmp -s "$D/got" <(tail -c +1048577 "$D/html/big.bin" | head -c 1024) || fail range "bytes differ"
ok range
# Parallel clients spread over both workers.
for i in 1 2 3 4 5 6; do
	curl -sf -o "$D/par$i" "$URL/big.bin" &
done
wait_clients || fail parallel "a parallel download failed"
for i in 1 2 3 4 5 6; do
	cmp -s "$D/par$i" "$D/html/big.bin" || fail parallel "download $i differs"
done
ok parallel
if [ -n "$user" ]; then
	workers=$(ps -o user= --ppid "$SVC_PID" | sort -u | tr '\n' ' ')
	[ "$workers" = "nobody " ] || fail worker_user "workers run as '$workers', expected nobody"
	ok worker_user
fi

svc_stop QUIT "$(cat "$D/nginx.pid")" 20
grep -E '\[(alert|emerg|crit)\]' "$D/logs/error.log" && fail error_log "alerts in the error log"
[ -e "$D/nginx.pid" ] && fail pidfile "nginx.pid left behind"
ok error_log
svc_check_clean "$PORT"
