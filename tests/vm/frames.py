#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Fault injection for the vm tests: talks to the VM service socket with hand-made frames.
# usage: frames.py SOCKET inject-garbage | client-garbage | hello
# Written from the protocol description in vm/proto.h, not from its code.
import random
import socket
import struct
import sys

MAGIC, VERSION = 0x584C, 1
HELLO, EXEC, STDIN, ACK, SIGNAL, WINSIZE, CLOSE, INJECT = 1, 4, 5, 8, 9, 10, 11, 22


def check(b12):
    h = 2166136261
    for c in b12:
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h


def frame(typ, sid, payload, magic=MAGIC, version=VERSION, length=None):
    n = len(payload) if length is None else length
    head = struct.pack("<HBBII", magic, version, typ, sid, n)
    return head + struct.pack("<I", check(head)) + payload


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    return s


def read_frame(s):
    buf = b""
    while len(buf) < 16:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk
    magic, ver, typ, sid, n, _ = struct.unpack("<HBBIII", buf[:16])
    while len(buf) < 16 + n:
        buf += s.recv(65536)
    return typ, buf[16:16 + n]


def agent_garbage():
    """Bytes for the agent: noise, broken headers, and well-formed frames with bad contents.
    Every claimed length is honoured with filler so that later real frames stay aligned."""
    rnd = random.Random(1234)
    noise = bytes(rnd.randrange(256) for _ in range(8192))
    out = noise
    out += frame(EXEC, 0, b"", magic=0x1234)                       # bad magic
    out += frame(EXEC, 0, b"", version=9)                          # unknown version
    out += frame(99, 5, b"")                                       # unknown type
    out += frame(STDIN, 5, b"", length=0xFFFFFFF0)                 # length beyond the limit
    head = struct.pack("<HBBII", MAGIC, VERSION, EXEC, 77, 40)
    out += head + b"\0\0\0\0" + b"x" * 40                          # bad header check
    out += frame(EXEC, 77, b"\xff" * 300)                          # malformed exec
    out += frame(EXEC, 78, struct.pack("<IIHHIIQ", 0, 0, 0, 0, 10**6, 10**6, 0))  # huge counts
    out += frame(EXEC, 0, b"")                                     # exec on session 0
    out += frame(STDIN, 4242, b"data for nobody")                  # unknown session
    out += frame(ACK, 4242, b"\1")                                 # short ack
    out += frame(SIGNAL, 4242, struct.pack("<I", 9999))            # bad signal
    out += frame(WINSIZE, 4242, b"")                               # short winsize
    out += frame(CLOSE, 4242, struct.pack("<I", 7))                # bad stream
    out += noise[:100]
    return out


def main():
    path, what = sys.argv[1], sys.argv[2]
    if what == "inject-garbage":
        s = connect(path)
        g = agent_garbage()
        # in pieces, so the agent also sees frames split across reads
        for i in range(0, len(g), 60000):
            s.sendall(frame(INJECT, 0, g[i:i + 60000]))
        s.sendall(frame(HELLO, 0, b""))
        typ, _ = read_frame(s)  # the service answered: our frames were all consumed
        print("injected", len(g))
    elif what == "client-garbage":
        s = connect(path)
        s.sendall(bytes(random.Random(7).randrange(256) for _ in range(20000)))
        s.close()
        s = connect(path)
        s.sendall(b"\x00garbage\xff" * 50 + frame(HELLO, 0, b""))
        typ, payload = read_frame(s)
        print("hello" if typ == HELLO and b"state=running" in payload else "bad reply")
    elif what == "hello":
        s = connect(path)
        s.sendall(frame(HELLO, 0, b""))
        typ, payload = read_frame(s)
        print(payload.decode())


if __name__ == "__main__":
    main()
