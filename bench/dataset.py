#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""dataset-pack's bench input: N WAV files of 0.5 s (stereo, 16-bit,
48 kHz, noise) in DIR, their result records on stdout, and their names,
one a line, in DIR.list (what `tar -T` reads).

    bench/dataset.py DIR N > results.ndjson
"""
import json
import os
import sys
import wave


def main():
    folder, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(folder, exist_ok=True)
    frames = 24000
    names = []
    for i in range(n):
        name = f"s{i:06d}.wav"
        with wave.open(os.path.join(folder, name), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(48000)
            w.writeframes(os.urandom(frames * 4))
        names.append(name)
        print(json.dumps({"output_path": os.path.join(os.path.abspath(folder), name), "status": "ok",
                          "sample_index": i, "set_params": {"cutoff": i / n}}, separators=(",", ":")))
    with open(folder + ".list", "w") as f:
        f.write("".join(x + "\n" for x in names))


if __name__ == "__main__":
    main()
