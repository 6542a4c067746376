#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Generates the fixed input corpus that the real-tools differential suite runs its cases in.
#
# usage: gen_corpus.sh DIR     (DIR must not exist or be empty)
#
# Everything is derived from a fixed-seed generator written here in integer awk arithmetic,
# so the bytes do not depend on any tool's rand(); modes and mtimes are set explicitly so that
# ls -l, stat, find -printf, tar -v and diff -u headers are reproducible.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
out=$1
mkdir -p "$out"
if [ -n "$(ls -A "$out")" ]; then
	echo "gen_corpus: $out is not empty" >&2
	exit 2
fi
cd "$out"
umask 022
export LC_ALL=C TZ=UTC
PATH=/usr/bin:/bin

# Park-Miller minimal standard generator: products stay below 2^46, exact in a double,
# so gawk and mawk give the same sequence.
AWK_RNG='
function rnd_init(s) { rng_x = s % 2147483647; if (rng_x <= 0) rng_x += 2147483646 }
function rnd(n) { rng_x = (rng_x * 16807) % 2147483647; return rng_x % n }
function pick(arr, n) { return arr[rnd(n) + 1] }
'

# --- log-like file: timestamps, levels, request ids, users, latencies -----------------------
gawk "$AWK_RNG"'
BEGIN {
	rnd_init(1234)
	nl = split("DEBUG INFO INFO INFO INFO WARN WARN ERROR", lv, " ")
	nu = split("alice bob carol dave erin frank grace heidi", us, " ")
	na = split("login logout upload download search delete update view", ac, " ")
	t = 0
	for (i = 1; i <= 400; i++) {
		t += 1 + rnd(40)
		h = int(t / 3600); m = int(t / 60) % 60; s = t % 60
		l = pick(lv, nl)
		msg = sprintf("user=%s action=%s latency_ms=%d", pick(us, nu), pick(ac, na), 5 + rnd(900))
		if (l == "ERROR" && rnd(3) == 0)
			msg = msg " error: connection reset by peer"
		else if (l == "WARN" && rnd(2) == 0)
			msg = msg " retry=" rnd(5)
		else if (rnd(25) == 0)
			msg = msg " Error budget ok"
		printf "2024-03-01T%02d:%02d:%02dZ %-5s [req-%05d] %s\n", h, m, s, l, 100 + rnd(90000), msg
	}
}' > app.log

# --- CSV with a header, repeated keys and numbers for sort -k / cut / awk sums --------------
gawk "$AWK_RNG"'
BEGIN {
	rnd_init(99)
	nn = split("Ada Ben Cleo Dan Eve Finn Gia Hugo Ivy Jon Kai Lea Max Nia Oli", nm, " ")
	nc = split("Berlin Lyon Oslo Porto Quito Riga Turin", ct, " ")
	print "id,name,city,score,amount"
	for (i = 1; i <= 120; i++)
		printf "%d,%s,%s,%d,%d.%02d\n", 1000 + rnd(9000), pick(nm, nn), pick(ct, nc),
			rnd(101), rnd(5000), rnd(100)
}' > data.csv

# --- words: one per line with duplicates; plus a sorted copy for uniq -------------------------
gawk "$AWK_RNG"'
BEGIN {
	rnd_init(7)
	nw = split("apple banana cherry delta echo foxtrot golf hotel india juliet kilo lima " \
		"mango nectar oscar papa quebec romeo sierra tango umbrella victor whiskey " \
		"xray yankee zulu Apple BANANA Cherry alpha beta gamma error errors terror", w, " ")
	for (i = 1; i <= 500; i++)
		print pick(w, nw)
}' > words.txt
sort words.txt > sorted.txt

# --- numbers for sort -n / -g and awk arithmetic ---------------------------------------------
gawk "$AWK_RNG"'
BEGIN {
	rnd_init(31337)
	for (i = 1; i <= 80; i++) {
		v = rnd(20000) - 10000
		if (i % 7 == 0)
			printf "%d.%d\n", v, rnd(10)
		else if (i % 11 == 0)
			printf "%d %d\n", v, rnd(100)
		else
			print v
	}
}' > numbers.txt

# --- UTF-8 text with multibyte characters --------------------------------------------------
cat > utf8.txt <<'EOF'
Grüße aus München, schöne Straße!
Ελληνικά: καλημέρα κόσμε
Русский текст: привет, мир
日本語のテキスト：こんにちは世界
中文：你好，世界
Emoji: 🙂 🚀 ✓ — done
Ça va? Très bien, naïve café.
Mixed ASCII line with no accents
Ünïcödé ÜNÏCÖDÉ ünïcödé
Tab	separated	ümlaut	field
EOF

# --- long lines: up to ~100 KB in one line -------------------------------------------------
gawk "$AWK_RNG"'
BEGIN {
	rnd_init(4242)
	split("abcdefghijklmnopqrstuvwxyz0123456789", c, "")
	split("200 5000 20000 100000 17", len, " ")
	for (i = 1; i <= 5; i++) {
		s = ""
		for (j = 0; j < len[i]; j++)
			s = s c[rnd(36) + 1]
		print s
	}
}' > long.txt

# --- odd files: no trailing newline, empty, binary ---------------------------------------
printf 'first line\nsecond line\nlast line without newline' > nonl.txt
: > empty.txt
LC_ALL=C gawk "$AWK_RNG"'
BEGIN {
	rnd_init(2718)
	printf "\177ELF-ish header\000\001\002"
	for (i = 0; i < 4096; i++)
		printf "%c", rnd(256)
	printf "needle in the binary\n"
	for (i = 0; i < 512; i++)
		printf "%c", rnd(256)
}' > sample.bin
base64 sample.bin > sample.b64

# --- two similar files for diff / cmp ----------------------------------------------------
seq 1 40 | sed 's/^/line /' > a.txt
seq 1 40 | sed -e 's/^/line /' -e '7d' -e '20s/$/ changed/' -e '33a\
inserted line' > b.txt
cp a.txt a_copy.txt

# --- grep -F -f patterns, sed script, awk program, list for xargs ---------------------------
printf '%s\n' 'user=alice' 'connection reset' '[req-0' 'latency_ms=9' > patterns.txt
cat > script.sed <<'EOF'
# number-ish rewrite of the log
/DEBUG/d
s/user=\([a-z]*\)/USER(\1)/
s/latency_ms=\([0-9]*\)/\1ms/g
/ERROR/{
  s/^/!! /
}
EOF
cat > prog.awk <<'EOF'
# per-city totals and counts of data.csv
BEGIN { FS = ","; OFS = "\t" }
NR == 1 { next }
{
	sum[$3] += $5
	cnt[$3]++
	if ($4 > best) { best = $4; who = $2 }
}
END {
	n = 0
	for (c in sum)
		keys[++n] = c
	# insertion sort: identical on gawk and mawk, unlike for-in order
	for (i = 2; i <= n; i++) {
		k = keys[i]
		for (j = i - 1; j > 0 && keys[j] > k; j--)
			keys[j + 1] = keys[j]
		keys[j + 1] = k
	}
	for (i = 1; i <= n; i++)
		printf "%-8s %3d %10.2f\n", keys[i], cnt[keys[i]], sum[keys[i]]
	print "best", who, best
}
EOF
printf '%s\n' a.txt b.txt words.txt utf8.txt > list.txt
sha256sum a.txt words.txt sample.bin > sums.sha256
sha256sum a.txt | sed 's/a\.txt$/b.txt/' > bad.sha256

# --- sqlite: a prebuilt db plus scripts to query it and to build a new one ------------------
cat > build.sql <<'EOF'
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, qty INTEGER);
CREATE TABLE sale(id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES item(id), n INTEGER, day TEXT);
INSERT INTO item(name, price, qty) VALUES
  ('bolt', 0.25, 1000), ('nut', 0.1, 2500), ('gear', 12.5, 40),
  ('spring', 1.75, 300), ('washer', 0.05, 9000), ('shaft', 33.0, 12);
INSERT INTO sale(item_id, n, day) VALUES
  (1, 100, '2024-03-01'), (2, 250, '2024-03-01'), (3, 2, '2024-03-02'),
  (1, 40, '2024-03-02'), (5, 1000, '2024-03-03'), (6, 1, '2024-03-03'),
  (4, 30, '2024-03-04'), (3, 5, '2024-03-04'), (2, 75, '2024-03-05');
CREATE INDEX sale_day ON sale(day);
SELECT count(*) FROM item;
EOF
cat > query.sql <<'EOF'
.headers on
.mode column
SELECT i.name, sum(s.n) AS sold, printf('%.2f', sum(s.n * i.price)) AS revenue
  FROM sale s JOIN item i ON i.id = s.item_id
  GROUP BY i.name ORDER BY revenue DESC;
SELECT day, count(*) AS sales FROM sale GROUP BY day ORDER BY day;
SELECT name FROM item WHERE price > (SELECT avg(price) FROM item) ORDER BY name;
EOF
sqlite3 -batch shop.db < build.sql > /dev/null

# --- a small C-like source tree for grep -r / --include / find -name ----------------------
mkdir -p proj/src/net proj/include proj/docs
cat > proj/Makefile <<'EOF'
CFLAGS = -O2 -Wall -Iinclude
OBJS = src/main.o src/util.o src/net/sock.o

app: $(OBJS)
	$(CC) -o $@ $(OBJS)

clean:
	rm -f app $(OBJS)
EOF
cat > proj/include/util.h <<'EOF'
/* util.h - helpers shared by the app */
#ifndef UTIL_H
#define UTIL_H
#define MAX_ITEMS 128
int util_parse(const char *s, int *out);
void util_log(const char *fmt, ...);
#endif
EOF
cat > proj/src/main.c <<'EOF'
#include <stdio.h>
#include "util.h"

/* TODO: read items from a file */
int main(int argc, char **argv)
{
	int v = 0;

	for (int i = 1; i < argc; i++) {
		if (util_parse(argv[i], &v) < 0) {
			util_log("error: bad item %s\n", argv[i]);
			return 1;
		}
		printf("%d\n", v);
	}
	return 0;
}
EOF
cat > proj/src/util.c <<'EOF'
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "util.h"

int util_parse(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end != '\0' || v > MAX_ITEMS)
		return -1; /* FIXME: distinguish the two errors */
	*out = (int)v;
	return 0;
}

void util_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
EOF
cat > proj/src/net/sock.c <<'EOF'
#include <sys/socket.h>
#include "util.h"

/* TODO: IPv6 */
int sock_open(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		util_log("error: socket\n");
	return fd;
}
EOF
printf '#ifndef SOCK_H\n#define SOCK_H\nint sock_open(void);\n#endif\n' > proj/src/net/sock.h
# shellcheck disable=SC2016 # backquotes are Markdown, not a substitution
printf '# proj\n\nBuild with `make`. Run `./app 1 2 3`.\n\nTODO: write more docs.\n' > proj/docs/README.md

# --- a generic directory tree for ls / find / du / stat / tar -------------------------------
mkdir -p tree/a/b/c tree/d tree/empty_dir tree/bin
printf 'alpha\n' > tree/a/one.txt
printf 'beta\nbeta\n' > tree/a/b/two.txt
printf 'gamma gamma gamma\n' > tree/a/b/c/three.txt
head -c 3000 long.txt > tree/d/blob.dat
printf 'hidden\n' > tree/.hidden
printf '#!/bin/sh\necho run\n' > tree/bin/run.sh
: > tree/d/zero
ln -s ../words.txt tree/link
mkdir extract
chmod 755 tree/bin/run.sh
chmod 600 tree/d/blob.dat
chmod 444 tree/a/one.txt
chmod 700 tree/a/b/c

# Distinct fixed mtimes: base + 1 h per path in sorted order, directories included.
stamp_all() {
	local base=1704164645 i=0 p
	while IFS= read -r -d '' p; do
		touch -h -d "@$((base + i * 3600))" "$p"
		i=$((i + 1))
	done < <(find . -mindepth 1 -print0 | sort -z -r)
	touch -d "@$((base + i * 3600))" .
}
stamp_all

# --- archives and compressed files (built from the stamped files, so reproducible) ------------
tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu -cf archive.tar tree proj/include
gzip -9 -c data.csv > data.csv.gz
gzip -9 -c a.txt > report.txt.gz
xz -T1 -6 -c utf8.txt > notes.txt.xz
chmod 644 ./*.gz ./*.xz ./*.tar
stamp_all
