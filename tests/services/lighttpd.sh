# SPDX-License-Identifier: MIT
# lighttpd under lxrun (dropping to www-data when started as root) serves files to the host's curl.
LXRUN=$1
. "$(dirname "$0")/lib.sh"
svc_init lighttpd
need /usr/sbin/lighttpd curl cmp

PORT=$(svc_port) || exit 1
D=$SVC_DIR
mkdir -p "$D/html/sub"
echo "hello from lighttpd under lxrun" >"$D/html/index.html"
head -c 3145728 /dev/urandom >"$D/html/big.bin"
seq 1 5000 >"$D/html/sub/seq.txt"
chmod -R a+rX "$D/html"
mkdir -p "$D/log"
SVC_LOGS+=("$D/log/error.log")

user=
if [ "$(id -u)" -eq 0 ]; then
	# lighttpd opens its error log after dropping to www-data.
	chown www-data "$D/log"
	user='server.username = "www-data"
server.groupname = "www-data"'
fi
cat >"$D/lighttpd.conf" <<CONF
server.document-root = "$D/html"
server.bind = "127.0.0.1"
server.port = $PORT
server.pid-file = "$D/lighttpd.pid"
server.errorlog = "$D/log/error.log"
server.modules = ( "mod_dirlisting" )
server.network-backend = "sendfile"
index-file.names = ( "index.html" )
dir-listing.activate = "enable"
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain", "" => "application/octet-stream" )
$user
CONF

svc_start "$LXRUN" /usr/sbin/lighttpd -D -f "$D/lighttpd.conf"
URL=http://127.0.0.1:$PORT
svc_wait 30 curl -sf -o /dev/null "$URL/index.html"

for f in index.html big.bin sub/seq.txt; do
	curl -sf -o "$D/got" "$URL/$f" || fail "get_$f" "curl failed ($?)"
	cmp -s "$D/got" "$D/html/$f" || fail "get_$f" "body differs from the file"
done
ok get_files
[ "$(curl -sf "$URL/")" = "hello from lighttpd under lxrun" ] || fail index "/ is not index.html"
ok index
code=$(curl -s -o "$D/listing" -w '%{http_code}' "$URL/sub/")
rc=$?
grep -q seq.txt "$D/listing" ||
	fail dirlisting "listing lacks seq.txt (curl exit $rc, HTTP $code, $(wc -c <"$D/listing") bytes: $(head -c 300 "$D/listing" | tr '\n' ' '))"
ok dirlisting
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/missing")
[ "$code" = 404 ] || fail not_found "status $code, expected 404"
ok not_found
n=$(curl -sf "$URL/sub/seq.txt" "$URL/index.html" "$URL/sub/seq.txt" | wc -l)
[ "$n" = 10001 ] || fail keepalive "got $n lines, expected 10001"
ok keepalive
if [ -n "$user" ]; then
	u=$(ps -o user= -p "$SVC_PID")
	[ "$u" = www-data ] || fail server_user "runs as '$u', expected www-data"
	ok server_user
fi

svc_stop TERM "$(cat "$D/lighttpd.pid")" 20
svc_check_clean "$PORT"
