#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Sets the support level and note of syscalls.def rows from translator/sys/levels.txt
# (one line per implemented syscall: "name LEVEL note..."). Rows not listed become NONE.
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
levels = {}
for line in open(f"{root}/translator/sys/levels.txt"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    parts = line.split(None, 2)
    levels[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")

row = re.compile(r'^SYSCALL\((\d+), (\w+), (\d+), (\w+), "((?:[^"\\]|\\.)*)", "([^"]*)"\)$')
out = []
seen = set()
for line in open(f"{root}/abi/syscalls.def"):
    m = row.match(line.rstrip("\n"))
    if not m:
        out.append(line)
        continue
    nr, name, arity, _, _, sig = m.groups()
    level, note = levels.get(name, ("NONE", ""))
    seen.add(name)
    note = note.replace("\\", "\\\\").replace('"', '\\"')
    out.append(f'SYSCALL({nr}, {name}, {arity}, {level}, "{note}", "{sig}")\n')
unknown = set(levels) - seen
if unknown:
    sys.exit(f"set_levels: not in syscalls.def: {', '.join(sorted(unknown))}")
open(f"{root}/abi/syscalls.def", "w").write("".join(out))
