#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a bench job set: NDJSON jobs for render-one, or with --args one
`NOTE DURATION TAIL OUTPUT` line per job for a process-per-job loop."""
import argparse
import json
import os

# The job sets the table names: seconds the key is held, and tail.
SETS = {"short": (0.1, 0.1), "1s": (0.5, 0.5)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("set", choices=sorted(SETS))
    ap.add_argument("count", type=int)
    ap.add_argument("outdir", help="folder the jobs' output_path point into")
    ap.add_argument("--args", action="store_true", help="one line of arguments per job")
    a = ap.parse_args()
    duration, tail = SETS[a.set]
    for i in range(a.count):
        # Notes vary so that no two neighbouring jobs are identical work.
        note = 36 + (i * 7) % 49
        out = os.path.join(a.outdir, f"{a.set}-{i:05d}.wav")
        if a.args:
            print(note, duration, tail, out)
        else:
            print(json.dumps({"note": note, "velocity": 100, "duration_s": duration, "tail_s": tail,
                              "output_path": out}, separators=(",", ":")))


if __name__ == "__main__":
    main()
