#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Sums the cases of every suite in a meson testlog.json into one line "N passed, N failed".
# Criterion binaries report "Synthesis: Tested: T | Passing: P | Failing: F | Crashing: C";
# lxrun's shell suites end with "N passed, N failed"; anything else counts as one case.
import json
import re
import sys

CRIT = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)")
PLAIN = re.compile(r"^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", re.M)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def main(path):
    passed = failed = skipped = 0
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            entries = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        print(f"test_summary: {path}: {e.strerror}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    for t in entries:
        out = ANSI.sub("", (t.get("stdout") or "") + "\n" + (t.get("stderr") or ""))
        result = t.get("result", "")
        m = CRIT.findall(out)
        p = PLAIN.findall(out)
        if result == "SKIP":
            skipped += 1
            why = [l for l in out.splitlines() if l.lower().startswith("skip")]
            print(f"skipped {t.get('name')}: {why[-1] if why else 'exit status 77'}")
            continue
        if m:
            tested, ok, bad, crash = map(int, m[-1])
            passed += ok
            failed += bad + crash
            if result != "OK" and bad + crash == 0:
                failed += 1
        elif p:
            ok, bad = int(p[-1][0]), int(p[-1][1])
            passed += ok
            failed += bad
            if result != "OK" and bad == 0:
                failed += 1
        elif result == "OK":
            passed += 1
        else:
            failed += 1
            print(f"test_summary: {t.get('name')}: {result}", file=sys.stderr)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"))
