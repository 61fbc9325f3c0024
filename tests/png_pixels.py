#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints what the tests ask of a PNG that vst-render wrote (8-bit RGB or a
palette of 1-8 bits, rows unfiltered, as lib/preview/png.cpp writes):
one JSON object with width, height, colours (how many distinct ones) and,
for each X,Y argument, the pixel there as [r, g, b]."""
import json
import struct
import sys
import zlib


def read(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        chunks.setdefault(kind, b"")
        chunks[kind] += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    raw = zlib.decompress(chunks[b"IDAT"])
    if colour == 2:
        stride = w * 3
        rows = [raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)] for r in range(h)]
        pixels = [[tuple(row[x * 3:x * 3 + 3]) for x in range(w)] for row in rows]
    elif colour == 3:
        pal = chunks[b"PLTE"]
        stride = (w * depth + 7) // 8
        pixels = []
        for r in range(h):
            row = raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)]
            line = []
            for x in range(w):
                bit = x * depth
                i = (row[bit // 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1)
                line.append(tuple(pal[i * 3:i * 3 + 3]))
            pixels.append(line)
    else:
        sys.exit(f"{path}: colour type {colour} is not one vst-render writes")
    if any(raw[r * (stride + 1)] != 0 for r in range(h)):
        sys.exit(f"{path}: a row is filtered")
    return w, h, pixels


w, h, pixels = read(sys.argv[1])
out = {"width": w, "height": h, "colours": len({p for row in pixels for p in row})}
for xy in sys.argv[2:]:
    x, y = (int(v) for v in xy.split(","))
    out[xy] = list(pixels[y][x])
print(json.dumps(out))
