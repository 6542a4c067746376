#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""CPython's own regression tests natively and under lxrun, compared case by case.

Each module runs as `/usr/bin/python3 -m test -v MODULE` once natively and once under lxrun per
engine, each in a fresh temporary directory. A case that passes natively (ok, skipped, expected
failure) and not under lxrun (FAIL, ERROR, unexpected success, a crash or a timeout before its
verdict), or that is ok natively and skipped under lxrun, is run once more on both sides
(`-m ID`, all such cases of a module in one run): it fails the test only when it passes natively
again and fails under lxrun again. So a case that is flaky natively never fails CI.
Exit 77 with the reason when CPython's test package (libpython3.11-testsuite) is missing.

Usage: cpython_diff.py LXRUN [--engine E]... [--timeout S] [--use RES] [--keep DIR]
                       [--ignore PATTERN]... MODULE[:PATTERN,...]...
(PATTERNs are regrtest's -m patterns: a test name, a class, or a glob.)
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

PY = '/usr/bin/python3'
WORDS = r"(ok|FAIL|ERROR|skipped\b.*|expected failure|unexpected success)"
CASE = re.compile(r'^(test\w*) \(([\w.]+)\)')


def parse(text):
    """{case id: verdict} from a -v log. A case's header is "test_x (test.mod.Class.test_x)",
    its verdict follows "... " on that line or, after the test's own output, on a line of its
    own. A case whose verdict never came (a crash, a timeout) is 'CRASH'."""
    res = {}
    cur = None
    for line in text.splitlines():
        m = CASE.match(line)
        if m:
            cid = m.group(2)
            if not cid.endswith('.' + m.group(1)):
                cid += '.' + m.group(1)
            cur = cid
            res.setdefault(cid, 'CRASH')
        if cur is None:
            continue
        v = re.search(r'\.\.\. ?.*?' + WORDS + '$', line) if '...' in line else None
        if v is None and not m:
            v = re.match('^' + WORDS + '$', line.strip())
        if v:
            word = v.group(1)
            res[cur] = 'skipped' if word.startswith('skipped') else word
            cur = None
    return res


def passed(v):
    return v in ('ok', 'skipped', 'expected failure')


def worse(nat, lx, case):
    n, l = nat.get(case), lx.get(case, 'MISSING')
    return passed(n) and (not passed(l) or (n == 'ok' and l == 'skipped'))


def counts(r):
    ok = sum(v in ('ok', 'expected failure') for v in r.values())
    sk = sum(v == 'skipped' for v in r.values())
    return '%d ok %d skip /%d' % (ok, sk, len(r))


IGNORE = []


def run(prefix, module, patterns, use, timeout):
    """(log text, exit status or 'timeout', seconds) of one regrtest run in a fresh directory."""
    cmd = prefix + [PY, '-m', 'test', '-v']
    if use:
        cmd += ['-u', use]
    for p in IGNORE:
        cmd += ['-i', p]
    for p in patterns:
        cmd += ['-m', p]
    cmd.append(module)
    with tempfile.TemporaryDirectory(prefix='lxrun-cpy-') as wd, tempfile.TemporaryFile() as log:
        env = dict(os.environ, TMPDIR=wd, PYTHONDONTWRITEBYTECODE='1', LC_ALL='C.UTF-8')
        for k in ('PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP'):
            env.pop(k, None)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             cwd=wd, env=env, start_new_session=True)
        try:
            st = p.wait(timeout)
        except subprocess.TimeoutExpired:
            st = 'timeout'
        try:  # the session: what the tests left running, and regrtest itself after a timeout
            os.killpg(p.pid, 9)
        except ProcessLookupError:
            pass
        p.wait()
        log.seek(0)
        return log.read().decode('utf-8', 'replace'), st, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('lxrun')
    ap.add_argument('--engine', action='append', default=[])
    ap.add_argument('--timeout', type=int, default=300, help='per run of a module, seconds')
    ap.add_argument('--use', default='', help="regrtest's -u resources")
    ap.add_argument('--keep', help='write every log into this directory')
    ap.add_argument('--ignore', action='append', default=[],
                    help="regrtest's -i: cases not run on either side (glob)")
    ap.add_argument('modules', nargs='+')
    a = ap.parse_args()
    if not glob.glob('/usr/lib/python3*/test/libregrtest') or not os.path.exists(PY):
        print("SKIP: CPython's test suite is not installed (libpython3.11-testsuite; "
              "scripts/setup.sh --tests installs it)")
        return 77
    IGNORE.extend(a.ignore)
    lx = os.path.realpath(a.lxrun)
    engines = a.engine or ['rewrite']
    bad = []
    print('%-38s %-8s %-22s %-22s %s' % ('module', 'engine', 'native', 'lxrun', 'then'))
    for spec in a.modules:
        module, _, pats = spec.partition(':')
        pats = [x for x in pats.split(',') if x]
        nat_log, nst, nt = run([], module, pats, a.use, a.timeout)
        nat = parse(nat_log)
        if a.keep:
            with open(os.path.join(a.keep, module + '.native.log'), 'w') as f:
                f.write(nat_log)
        if not nat:
            print('%-34s no cases ran natively (status %s): not compared' % (spec, nst))
            continue
        for eng in engines:
            lx_log, lst, lt = run([lx, '--engine', eng], module, pats, a.use, a.timeout)
            lxr = parse(lx_log)
            if a.keep:
                with open(os.path.join(a.keep, '%s.%s.log' % (module, eng)), 'w') as f:
                    f.write(lx_log)
            cand = sorted(c for c in nat if worse(nat, lxr, c))
            print('%-38s %-8s %-22s %-22s %s' % (
                spec, eng, '%s %.0fs' % (counts(nat), nt),
                '%s %.0fs%s' % (counts(lxr), lt, '' if lst == 0 or lst == nst else ' (%s)' % lst),
                '%d to run again' % len(cand) if cand else ''), flush=True)
            if not cand:
                continue
            # once more on both sides, the cases alone
            nat2 = parse(run([], module, cand, a.use, a.timeout)[0])
            lx2_log = run([lx, '--engine', eng], module, cand, a.use, a.timeout)[0]
            lx2 = parse(lx2_log)
            nbad = len(bad)
            for c in cand:
                if not passed(nat2.get(c)) or nat2.get(c) != nat[c]:
                    print('  not counted, flaky natively: %s (%s, then %s)' % (c, nat[c], nat2.get(c, 'MISSING')))
                elif not worse(nat2, lx2, c):
                    print('  not counted, passed under lxrun when run again: %s (%s first)' % (c, lxr.get(c, 'MISSING')))
                else:
                    print('  FAIL %s [%s]: natively %s, under lxrun %s then %s' % (
                        c, eng, nat[c], lxr.get(c, 'MISSING'), lx2.get(c, 'MISSING')))
                    bad.append((eng, c))
            if len(bad) > nbad:
                print('  --- the end of the second run under lxrun:')
                for line in lx2_log.rstrip().splitlines()[-25:]:
                    print('  | ' + line)
    if bad:
        print('%d case(s) pass natively and not under lxrun' % len(bad))
        return 1
    print('every case that passes natively passes under lxrun')
    return 0


if __name__ == '__main__':
    sys.exit(main())
