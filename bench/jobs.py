#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a bench job set: NDJSON jobs for render-one, or with --args one
`NOTE DURATION TAIL OUTPUT` line per job for a process-per-job loop; or,
with `midi SECONDS FILE`, a Standard MIDI File holding one note that long
(the one-off render's input)."""
import argparse
import json
import os
import struct

# The job sets the table names: seconds the key is held, and tail.
SETS = {"short": (0.1, 0.1), "1s": (0.5, 0.5)}


def write_jobs(a):
    duration, tail = SETS[a.set]
    for i in range(a.first, a.first + a.count):
        # Notes vary so that no two neighbouring jobs are identical work;
        # 11 is prime to 49, so every note of the range comes round.
        note = 36 + (i * 11) % 49
        # --files K: K names over and over (a long batch need not fill the disk).
        name = i % a.files if a.files else i
        out = os.path.join(a.outdir, f"{a.set}-{name:05d}.{a.ext}")
        if a.args:
            print(note, duration, tail, out)
        else:
            print(json.dumps({"note": note, "velocity": 100, "duration_s": duration, "tail_s": tail,
                              "output_path": out}, separators=(",", ":")))


def write_midi(a):
    """Format 0, 480 ticks a quarter at 120 bpm (the default tempo): one
    note, middle C, held a.seconds."""
    ticks = round(a.seconds * 960)  # 960 ticks a second

    def vlq(n):
        out = [n & 0x7F]
        while n > 0x7F:
            n >>= 7
            out.insert(0, (n & 0x7F) | 0x80)
        return bytes(out)

    track = vlq(0) + bytes([0x90, 60, 100]) + vlq(ticks) + bytes([0x80, 60, 0]) + vlq(0) + b"\xff\x2f\x00"
    with open(a.file, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480))
        f.write(b"MTrk" + struct.pack(">I", len(track)) + track)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sets = ap.add_subparsers(dest="set", required=True)
    for name in SETS:
        s = sets.add_parser(name, help=f"{SETS[name][0]} s held + {SETS[name][1]} s tail")
        s.add_argument("count", type=int)
        s.add_argument("outdir", help="folder the jobs' output_path point into")
        s.add_argument("--args", action="store_true", help="one line of arguments per job")
        s.add_argument("--ext", default="wav", help="output file extension (wav, flac)")
        s.add_argument("--first", type=int, default=0, help="number of the first job")
        s.add_argument("--files", type=int, default=0, help="output files the jobs cycle over (0: one each)")
        s.set_defaults(run=write_jobs)
    m = sets.add_parser("midi", help="a MIDI file of one note")
    m.add_argument("seconds", type=float)
    m.add_argument("file")
    m.set_defaults(run=write_midi)
    a = ap.parse_args()
    a.run(a)


if __name__ == "__main__":
    main()
