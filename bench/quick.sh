#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bench smoke run (meson suite 'bench'): `lxrun bench --quick` over every family and column,
# then the shape of its JSON (not its times). Ends with lxrun bench's "N passed, N failed".
# usage: bash bench/quick.sh BUILD/lxrun
set -uo pipefail
lxrun=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$lxrun" bench --quick --json "$tmp/bench.json" --markdown "$tmp/bench.md" all
rc=$?
python3 - "$tmp/bench.json" <<'PY' || rc=1
import json, sys
d = json.load(open(sys.argv[1]))
host = d["host"]
for k in ("cpu", "cpus", "fsgsbase", "kernel", "accel", "accel_why", "lxrun_version",
          "lxrun_commit", "repeats"):
    assert k in host, f"host.{k} missing"
cols = {c["column"]: c for c in d["columns"]}
assert "native" in cols and cols["native"]["state"] == "ok", "native column not ok"
for c in d["columns"]:
    assert c["state"] in ("ok", "skipped", "failed"), c
    assert c["state"] == "ok" or c["why"], f"{c['column']}: {c['state']} without a reason"
fams = set()
for cell in d["cells"]:
    for k in ("family", "workload", "column", "state", "why", "unit", "repeats", "median",
              "min", "max", "ratio", "peak_rss_kib", "samples"):
        assert k in cell, f"cell key {k} missing: {cell}"
    assert cell["column"] in cols, cell["column"]
    assert cell["state"] in ("ok", "failed", "skipped", "unsupported", "n/a"), cell["state"]
    fams.add(cell["family"])
    if cell["state"] == "ok":
        assert cell["repeats"] == len(cell["samples"]) >= 1, cell
        assert cell["min"] <= cell["median"] <= cell["max"], cell
        if cell["column"] != "native" and cell["ratio"] is None:
            nat = [c for c in d["cells"] if c["workload"] == cell["workload"] and c["column"] == "native"]
            assert nat and nat[0]["state"] != "ok", f"no ratio: {cell}"
    elif cell["state"] in ("failed", "skipped", "unsupported"):
        assert cell["why"], f"{cell['workload']}/{cell['column']}: {cell['state']} without a reason"
missing = {"syscall", "startup", "text", "fs", "build", "vm"} - fams
assert not missing, f"families missing from the JSON: {missing}"
print(f"bench-quick: JSON shape ok ({len(d['cells'])} cells, {len(cols)} columns)")
PY
exit $rc
