#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the ELF loader fuzzer with clang (libFuzzer + ASan + UBSan), make a seed corpus, run it.
# Usage: tests/fuzz/run.sh [seconds (default 600)] [extra libFuzzer options...]
# Env: FUZZ_OUT (default build-fuzz/), BUILDDIR (a meson build dir whose test_loader provides
# the malformed-file seeds; default: build-loader/ or the first build*/ that has one built).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-600}
[ $# -gt 0 ] && shift
out=${FUZZ_OUT:-$root/build-fuzz}
mkdir -p "$out/corpus" "$out/artifacts" "$out/seeds"

# Fuzz-only tools: installed here rather than in scripts/setup.sh.
if ! command -v clang >/dev/null 2>&1; then
	apt-get install -y clang
fi

cflags="-g -O1 -std=gnu11 -D_GNU_SOURCE -I$root -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2086
clang $cflags -o "$out/fuzz_elf" "$here/fuzz_elf.c" "$root"/loader/*.c -lelf

# Seeds: real programs of every shape, plus every malformed file the unit tests build.
cc=${CC:-gcc}
$cc -O1 -static -o "$out/seeds/tiny_static" "$root/tests/loader/tiny.c"
$cc -O1 -static-pie -o "$out/seeds/tiny_spie" "$root/tests/loader/tiny.c"
$cc -O1 -o "$out/seeds/tiny_dyn" "$root/tests/loader/tiny.c"
$cc -O1 -static -nostdlib -Wl,--build-id=none -s -o "$out/seeds/min_static" "$here/seed_min.c"
$cc -O1 -static-pie -nostdlib -Wl,--build-id=none -s -o "$out/seeds/min_spie" "$here/seed_min.c"
cp /bin/true "$out/seeds/bin_true"
printf '#!/lib64/ld-linux-x86-64.so.2 --help\n' > "$out/seeds/script"
testbin=""
if [ -n "${BUILDDIR:-}" ]; then
	testbin="$BUILDDIR/tests/loader/test_loader"
else
	for d in "$root/build-loader" "$root"/build*; do
		if [ -x "$d/tests/loader/test_loader" ] && [ -x "$d/tests/loader/loader_tiny_dyn" ]; then
			testbin="$d/tests/loader/test_loader"
			break
		fi
	done
fi
if [ -n "$testbin" ] && [ -x "$testbin" ]; then
	bd=$(dirname "$testbin")
	LOADER_SEED_DIR="$out/seeds" LOADER_TINY_STATIC="$bd/loader_tiny_static" \
		LOADER_TINY_SPIE="$bd/loader_tiny_spie" LOADER_TINY_DYN="$bd/loader_tiny_dyn" \
		"$testbin" --jobs 1 >/dev/null 2>&1 || true
else
	echo "run.sh: no test_loader build found, seeding with real programs only" >&2
fi
cp "$out"/seeds/* "$out/corpus/" 2>/dev/null || true

cd "$out"
exec ./fuzz_elf -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
	-print_final_stats=1 -artifact_prefix="$out/artifacts/" "$@" "$out/corpus"
