#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes DX7 voice dumps for the tests, as a DX7 sends them (FORMATS.md).

    dx7-syx.py cartridge OUT [CHANNEL]
    dx7-syx.py init OUT
    dx7-syx.py voice OUT COARSE FINE LEVEL NAME

`cartridge`: a 32-voice bulk dump (F0 43 0n 09 20 00, 4,096 bytes of packed
voices, checksum, F7: 4,104 bytes) whose voice k (0-31) is the INIT VOICE
with operator 1 at coarse frequency 1 + k % 4, fine 0, output level
99 - 2k, named "VOICE k" (two digits). CHANNEL (1-16, default 1) is the
device channel of its header.

`init`: a bulk dump of 32 INIT VOICEs, the cartridge tests/plugins/
dx7_voice holds when it starts.

`voice`: a single-voice dump (F0 43 00 00 01 1B, 155 bytes, checksum, F7:
163 bytes) of the INIT VOICE with operator 1 at COARSE, FINE and LEVEL,
named NAME (10 characters at most).

What tests/plugins/dx7_voice plays for a voice: note 69 at 440 Hz times
operator 1's ratio (coarse, 0.5 for 0, times 1 + fine / 100), at peak
0.5 lowered 0.75 dB a step of level below 99.
"""
import sys


def init_voice():
    """The INIT VOICE, unpacked (155 bytes: operators 6 to 1, then the rest)."""
    v = bytearray(155)
    for op in range(6):
        o = op * 21
        v[o:o + 4] = bytes([99] * 4)  # rates
        v[o + 4] = 99                 # level 1
        v[o + 8] = 39                 # break point
        v[o + 18] = 1                 # coarse
        v[o + 20] = 7                 # detune 0
        v[o + 16] = 99 if op == 5 else 0
    v[126:130] = bytes([99] * 4)
    v[130:134] = bytes([50] * 4)
    v[136], v[137], v[141], v[143], v[144] = 1, 35, 1, 3, 24
    return v


def with_op1(v, coarse, fine, level, name):
    v[5 * 21 + 16], v[5 * 21 + 18], v[5 * 21 + 19] = level, coarse, fine
    v[145:155] = name.encode("ascii")[:10].ljust(10, b" ")
    return v


def pack(v):
    """An unpacked voice as the 128 bytes of a bulk dump's voice."""
    p = bytearray(128)
    for op in range(6):
        o, q = op * 21, op * 17
        p[q:q + 11] = v[o:o + 11]
        p[q + 11] = (v[o + 11] & 3) | (v[o + 12] & 3) << 2
        p[q + 12] = (v[o + 13] & 7) | (v[o + 20] & 15) << 3
        p[q + 13] = (v[o + 14] & 3) | (v[o + 15] & 7) << 2
        p[q + 14] = v[o + 16]
        p[q + 15] = (v[o + 17] & 1) | (v[o + 18] & 31) << 1
        p[q + 16] = v[o + 19]
    p[102:110] = v[126:134]
    p[110] = v[134] & 31
    p[111] = (v[135] & 7) | (v[136] & 1) << 3
    p[112:116] = v[137:141]
    p[116] = (v[141] & 1) | (v[142] & 7) << 1 | (v[143] & 7) << 4
    p[117] = v[144]
    p[118:128] = v[145:155]
    return p


def dump(header, data):
    return bytes(header) + bytes(data) + bytes([(-sum(data)) & 0x7f, 0xf7])


def main(argv):
    if len(argv) >= 3 and argv[1] == "cartridge":
        channel = int(argv[3]) - 1 if len(argv) > 3 else 0
        data = bytearray()
        for k in range(32):
            data += pack(with_op1(init_voice(), 1 + k % 4, 0, 99 - 2 * k, "VOICE %02d" % k))
        out = dump([0xf0, 0x43, channel, 0x09, 0x20, 0x00], data)
    elif len(argv) == 3 and argv[1] == "init":
        out = dump([0xf0, 0x43, 0x00, 0x09, 0x20, 0x00], b"".join(pack(with_op1(init_voice(), 1, 0, 99, "INIT VOICE"))
                                                                  for _ in range(32)))
    elif len(argv) == 7 and argv[1] == "voice":
        coarse, fine, level = (int(x) for x in argv[3:6])
        out = dump([0xf0, 0x43, 0x00, 0x00, 0x01, 0x1b], with_op1(init_voice(), coarse, fine, level, argv[6]))
    else:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[2], "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
