#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generates the preset-scan bench tree: COUNT files in folders of 100, one
in ten a preset copied from the fixtures (every format preset-scan reads:
the binary ones up to 64 KiB each; the Vital presets, 170 KiB and more and
read whole; the DX7 cartridge; the JUCE XML presets), the rest the clutter a
sample library holds: audio-like files, images, text, XML that is no preset,
and one in a thousand named like a preset but not one. Kept when its stamp
says it was finished with the same count and presets, so later runs reuse
it."""
import argparse
import json
import os
import shutil
import sys

PRESET_SUFFIXES = (".fxp", ".fxb", ".vstpreset", ".SerumPreset", ".syx", ".noisemakerpreset")


def fixture_presets(fixtures):
    found = []
    for root, _, files in os.walk(fixtures):
        for name in files:
            path = os.path.join(root, name)
            small = os.path.getsize(path) <= 65536
            if (name.endswith(PRESET_SUFFIXES) and small) or name.endswith(".vital") or \
                    (root.endswith(os.path.join("juce-xml", "files")) and name.endswith(".xml")):
                found.append(path)
    return sorted(found)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir")
    ap.add_argument("count", type=int)
    ap.add_argument("fixtures")
    a = ap.parse_args()
    stamp = os.path.join(a.dir, ".complete")
    presets = fixture_presets(a.fixtures)
    want = {"count": a.count, "presets": len(presets), "clutter": 2}
    try:
        with open(stamp) as f:
            if json.load(f) == want:
                print(f"tree.py: reusing {a.dir}", file=sys.stderr)
                return
    except (OSError, ValueError):
        pass
    shutil.rmtree(a.dir, ignore_errors=True)
    blobs = []
    for p in presets:
        with open(p, "rb") as f:
            blobs.append((os.path.splitext(p)[1], f.read()))
    wav = (".wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40))
    png = (".png", b"\x89PNG\r\n\x1a\n" + bytes(24))
    plist = (".plist", b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict/></plist>\n')
    clutter = [wav, wav, png, (".txt", b"read me\n"), wav, ("", b""), png, plist, (".nki", bytes(64))]
    fake = (".fxp", b"not a preset at all\n")
    for i in range(a.count):
        folder = os.path.join(a.dir, f"bank{i // 10000:02d}", f"dir{i // 100:04d}")
        if i % 100 == 0:
            os.makedirs(folder, exist_ok=True)
        if i % 10 == 0:
            ext, data = blobs[(i // 10) % len(blobs)]
        elif i % 1000 == 5:
            ext, data = fake
        else:
            ext, data = clutter[i % 10 - 1]
        with open(os.path.join(folder, f"file{i:06d}{ext}"), "wb") as f:
            f.write(data)
    with open(stamp, "w") as f:
        json.dump(want, f)


if __name__ == "__main__":
    main()
