#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Reads a float32 render of the test synth in its play-head mode
# (tests/plugins/README.md, "Play head") and checks it, frame by frame,
# against the transport a DAW would give: written here from the tempo map's
# definition, not from render-one's code.
#
#   play-head-check.py RENDER.npy FORMAT RATE BLOCK MAP
#
# FORMAT vst2 | vst3 | lv2 (which fields the format leaves out). MAP is JSON:
# {"bpm": B, "sig": [N, D], "changes": [{"s": SECONDS, "q": QUARTERS,
# "bpm": B} or {"s": .., "q": .., "sig": [N, D]}, ...]}, in time order.
# Prints one line: the number of blocks, then whether every change starts a
# block, whether no block is longer than BLOCK, and whether every field of
# every frame is exactly what the transport says (float32); then the first
# frame that differs, or -1.
import json
import math
import sys

import numpy as np

path, fmt, rate, block, spec = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5])

# Segments: [frame, bpm, (num, den), ppq, bar_ppq, bar].
segments = [[0, float(spec["bpm"]), tuple(spec["sig"]), 0.0, 0.0, 0]]
for c in spec.get("changes", []):
    last = segments[-1]
    seg = list(last)
    seg[0] = int(math.floor(c["s"] * rate + 0.5))
    seg[3] = float(c["q"])
    if "bpm" in c:
        seg[1] = float(c["bpm"])
    if "sig" in c and tuple(c["sig"]) != last[2]:
        n, d = last[2]
        bars = (c["q"] - last[4]) / (n * 4.0 / d)
        seg[5] = last[5] + int(math.ceil(bars - 1e-9))
        seg[4] = float(c["q"])
        seg[2] = tuple(c["sig"])
    if seg[0] <= last[0]:
        segments[-1] = seg
    else:
        segments.append(seg)


def fields_at(frame):
    seg = [s for s in segments if s[0] <= frame][-1]
    f0, bpm, (num, den), ppq0, bar_ppq, bar0 = seg
    ppq = ppq0 + (frame - f0) * bpm / (60.0 * rate)
    quarters = num * 4.0 / den
    bars = max(0.0, math.floor((ppq - bar_ppq) / quarters))
    f = [1.0, bpm, ppq, bar_ppq + bars * quarters, 1.0, float(num), float(den), float(bar0 + bars)]
    if fmt in ("vst2", "vst3"):
        f[7] = -1.0  # neither carries a bar count
    if fmt == "lv2":
        f[3] = -1.0  # time:Position has no bar start
    return np.array(f, dtype=np.float64).astype(np.float32)


a = np.load(path)
left, right = a[:, 0], a[:, 1].astype(np.int64)
n = np.arange(len(a))
starts = np.flatnonzero(right == n)
ok_blocks = len(starts) > 0 and starts[0] == 0
lengths = np.diff(np.append(starts, len(a)))
ok_length = bool(ok_blocks and (lengths <= block).all())
# Every frame's right channel is the start of its block.
owner = starts[np.searchsorted(starts, n, side="right") - 1] if ok_blocks else n * 0
ok_owner = bool(ok_blocks and (right == owner).all())
changes_on_starts = all(s[0] in set(starts.tolist()) for s in segments[1:] if s[0] < len(a))
first_bad = -1
expected = np.empty(len(a), dtype=np.float32)
cache = {}
for i, p in enumerate(right.tolist()):
    if p not in cache:
        cache[p] = fields_at(p)
    expected[i] = cache[p][(p + (i - p)) % 8]
bad = np.flatnonzero(left != expected)
if len(bad):
    first_bad = int(bad[0])
print(len(starts), changes_on_starts, ok_length and ok_owner, len(bad) == 0, first_bad)
