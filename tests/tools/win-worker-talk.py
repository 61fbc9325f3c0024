#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""win-worker-talk.py WORKER: runs the Windows worker (vr-win-worker.exe)
under wine, the way render-one's worker talks to it
(lib/host/instance_wire.hpp: each message its length in four bytes, little
end first, then CBOR), sends it the requests read from standard input (one
JSON object a line), and prints each answer as a JSON line. Then closes
its input, so that the worker ends, and exits with its status. For tests
of requests render-one never makes in that order (a restore in a worker
loaded for jobs that need none). Needs WINEPREFIX set; only the CBOR the
worker writes is read: maps, arrays, text, bytes, integers, floats,
true, false, null."""
import json
import os
import struct
import subprocess
import sys


def encode(value):
    """CBOR of a JSON value (what requests hold)."""
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for extra, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | extra]) + struct.pack(fmt, n)
        raise ValueError("too large")
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode()
        return head(3, len(data)) + data
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(f"no CBOR for {type(value).__name__}")


def decode(data, at=0):
    """The CBOR value at data[at:] and where it ends."""
    first = data[at]
    major, low = first >> 5, first & 31
    at += 1
    if major == 7:
        if low in (20, 21, 22):
            return {20: False, 21: True, 22: None}[low], at
        fmt = {25: ">e", 26: ">f", 27: ">d"}[low]
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, data[at:at + size])[0], at + size
    if low < 24:
        n = low
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[low]
        n = int.from_bytes(data[at:at + size], "big")
        at += size
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major == 2:
        return data[at:at + n].hex(), at + n
    if major == 3:
        return data[at:at + n].decode(), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        entries = {}
        for _ in range(n):
            key, at = decode(data, at)
            entries[key], at = decode(data, at)
        return entries, at
    raise ValueError(f"CBOR major type {major} is not read here")


def read_exactly(stream, n):
    data = b""
    while len(data) < n:
        more = stream.read(n - len(data))
        if not more:
            return None
        data += more
    return data


def main():
    if len(sys.argv) != 2:
        print("usage: win-worker-talk.py WORKER < REQUESTS", file=sys.stderr)
        return 2
    env = dict(os.environ, WINEDEBUG="-all", WINEDLLOVERRIDES="winedbg.exe=d")
    # Its standard error to /dev/null and every other descriptor closed:
    # a prefix's session, which the first wine program of a server starts,
    # keeps the descriptors that program had for the server's life.
    worker = subprocess.Popen(["wine", sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, close_fds=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        body = encode(json.loads(line))
        worker.stdin.write(struct.pack("<I", len(body)) + body)
        worker.stdin.flush()
        length = read_exactly(worker.stdout, 4)
        if length is None:
            print(json.dumps({"worker_ended": True}))
            break
        (n,) = struct.unpack("<I", length)
        if n == 0xFFFFFFFF:
            print(json.dumps({"worker_crashed": True}))
            break
        answer, _ = decode(read_exactly(worker.stdout, n))
        print(json.dumps(answer), flush=True)
    worker.stdin.close()
    return worker.wait()


if __name__ == "__main__":
    sys.exit(main())
