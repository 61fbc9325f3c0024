#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the Windows build of the seeds test plugin must play under pinning.

    win-seeds-expect.py FILE.npy SEED NOTE [VELOCITY]

FILE.npy is a render of one note (float32, frames x channels, the note at
frame 0, gain 1) by render-one with the job's seed SEED, in a job that
starts from the seed (isolation reset, fresh or process: nothing but the
note draws after the reseed). Exits 0 when its first 64 frames are, bit for
bit, the noise of the value that note's source gives under the pinned
generators of lib/core/seeded.hpp as lib/windows/pinned_imports.cpp answers
the plugin's calls (tests/plugins/seeds/README.md, "Windows"); else says
what differs and exits 1. The value of each source is computed here from
the seed alone, so a source left unpinned, or answered otherwise, fails.
"""
import sys

import numpy as np

M = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
TAG_RANDOM, TAG_ENTROPY, TAG_SRANDOM = 1, 3, 4
EPOCH = 1577836800  # seeded::wall_clock_epoch
FILETIME_1970 = 11644473600


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def derive(seed, tag):
    return mix((mix(seed ^ 0x7673742D72656E64) + tag * GAMMA) & M)


class Streams:
    """core/seeded.hpp's streams, reseeded."""

    def __init__(self, seed):
        self.random = derive(seed, TAG_RANDOM)
        self.entropy = derive(seed, TAG_ENTROPY)
        self.wall = EPOCH + seed

    def rand(self):  # every C runtime's rand: 0..0x7FFF
        self.random = (self.random + GAMMA) & M
        return mix(self.random) >> 49

    def srand(self, seed):
        self.random = derive(seed & 0xFFFFFFFF, TAG_SRANDOM)

    def word(self):  # one fill of up to 8 bytes: one whole word
        self.entropy = (self.entropy + GAMMA) & M
        return mix(self.entropy)

    def rand4(self):
        v = 0
        for _ in range(4):
            v = (v << 16) | self.rand()
        return v

    def filetime(self):
        return (self.wall + FILETIME_1970) * 10**7


def value(note, seed):
    s = Streams(seed)
    k = note - 60
    if k in (0, 1, 2):
        return s.rand4()
    if k == 3:
        s.srand(s.wall)
        return s.rand4()
    if k == 4:
        a, b = s.word() & 0xFFFFFFFF, s.word() & 0xFFFFFFFF
        return (a << 32) | b
    if 5 <= k <= 9 or k == 19:
        return s.word()
    if 10 <= k <= 13 or k == 18:
        return s.filetime()
    if k in (14, 15, 17):
        return s.wall
    if k == 16:  # the birth value: the instance is made under seed 0
        s0 = Streams(0)
        s0.srand(s0.wall ^ (s0.filetime() & 0xFFFFFFFF))
        return s0.rand4()
    if k == 20:  # the load value: DllMain, under seed 0, before anything else draws
        s0 = Streams(0)
        return s0.filetime() ^ s0.rand4()
    if k == 21:  # timespec_get: nanoseconds
        return s.wall * 10**9
    if k == 22:  # _Xtime_get_ticks: 100 ns since 1970
        return s.wall * 10**7
    raise SystemExit(f"note {note}: not one of the Windows sources (60..82)")


def noise(x, n, amp):
    out = []
    x = x or 0x9E3779B97F4A7C15
    for _ in range(n):
        x ^= x >> 12
        x = (x ^ (x << 25)) & M
        x ^= x >> 27
        r = (x * 0x2545F4914F6CDD1D) & M
        out.append(amp * ((r >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0))
    return np.array(out, dtype=np.float64).astype(np.float32)


def main():
    path, seed, note = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    velocity = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    got = np.load(path)[:64, 0]
    want = noise(value(note, seed), 64, 0.25 * (velocity / 127.0))
    if got.dtype != np.float32 or not np.array_equal(got, want):
        print(f"{path}: note {note}, seed {seed}: first frames {got[:3]} where the pinned source gives {want[:3]}")
        sys.exit(1)


main()
