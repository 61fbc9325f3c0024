# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# What the tempo suites share (render-tempo.bats, windows-jobs.bats): MIDI
# files with tempo maps, the map the first of them describes, and the
# checker of the test synth's play-head mode.
# shellcheck disable=SC2034 # used by the files that load this one

PY=/usr/bin/python3
CHECK="$TESTS_DIR/tools/play-head-check.py"
# tempo.mid (setup_file): 480 ticks a quarter; 120 bpm and 4/4 at 0; a note
# from 0 to 6 quarters; 150 bpm at quarter 2 (1.0 s); 3/4 at quarter 4
# (1.8 s); 80 bpm at quarter 5 (2.2 s); it ends at quarter 6 (2.95 s).
TEMPO_MAP='{"bpm": 120, "sig": [4, 4], "changes": [{"s": 1.0, "q": 2, "bpm": 150}, {"s": 1.8, "q": 4, "sig": [3, 4]}, {"s": 2.2, "q": 5, "bpm": 80}]}'

# A Standard MIDI File from (delta ticks, event bytes) pairs on one track.
write_midi() {
    "$PY" - "$@" <<'PY'
import struct, sys
def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.insert(0, 0x80 | (n & 0x7F))
        n >>= 7
    return bytes(out)
def tempo(us): return b"\xff\x51\x03" + us.to_bytes(3, "big")
def meter(n, p): return bytes([0xFF, 0x58, 4, n, p, 24, 8])
files = {
    "tempo.mid": [(0, tempo(500000)), (0, meter(4, 2)), (0, b"\x90\x3c\x64"), (960, tempo(400000)),
                  (960, meter(3, 2)), (480, tempo(750000)), (480, b"\x80\x3c\x00")],
    "at100.mid": [(0, tempo(600000)), (0, b"\x90\x3c\x64"), (480, b"\x80\x3c\x00")],
    "zero-tempo.mid": [(0, tempo(0)), (0, b"\x90\x3c\x64"), (480, b"\x80\x3c\x00")],
    "fast.mid": [(0, tempo(50000)), (0, b"\x90\x3c\x64"), (480, b"\x80\x3c\x00")],
    "bad-meter.mid": [(0, meter(4, 9)), (0, b"\x90\x3c\x64"), (480, b"\x80\x3c\x00")],
}
for name, events in files.items():
    track = b"".join(vlq(d) + e for d, e in events) + b"\x00\xff\x2f\x00"
    with open(sys.argv[1] + "/" + name, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + b"MTrk" + struct.pack(">I", len(track)) + track)
PY
}

# RENDER FORMAT MAP [BLOCK]: the checker's line for a render.
play_head_line() {
    "$PY" "$CHECK" "$1" "$2" 48000 "${4:-512}" "$3"
}

