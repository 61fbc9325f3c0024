#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times render-index on ROWS rows of 1 s renders and prints one line of
JSON: rows, wall and CPU seconds, rows per second (of wall time, and per
CPU-second, which is per core), the page size and index.html's bytes.

A few real renders (amsynth, 0.5 s + 0.5 s, made once and kept) stand in
for many: each row's output_path is its own symbolic link to one of them,
so every row reads, draws and writes its images as a distinct file would."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def find_amsynth():
    for d in ("/usr/lib/vst", "/usr/local/lib/vst"):
        if os.path.exists(os.path.join(d, "amsynth_vst.so")):
            return os.path.join(d, "amsynth_vst.so")
    sys.exit("index.py: amsynth_vst.so not found (apt-get install amsynth), or give --plugin")


def renders(work, bin_dir, plugin, count):
    """The result records of `count` distinct renders, made once: kept
    while the stamp names the same count and plugin."""
    stamp = os.path.join(work, "renders.stamp")
    results = os.path.join(work, "renders.ndjson")
    want = f"{count} {plugin}\n"
    if os.path.exists(stamp) and open(stamp, encoding="utf-8").read() == want:
        return [json.loads(line) for line in open(results, encoding="utf-8")]
    shutil.rmtree(os.path.join(work, "wav"), ignore_errors=True)
    os.makedirs(os.path.join(work, "wav"))
    home = os.path.join(work, "home")
    os.makedirs(os.path.join(home, ".local/share/amsynth"), exist_ok=True)
    jobs = subprocess.run([sys.executable, os.path.join(HERE, "jobs.py"), "1s", str(count), os.path.join(work, "wav")],
                          check=True, capture_output=True, text=True).stdout
    with open(results, "w", encoding="utf-8") as out:
        subprocess.run([os.path.join(bin_dir, "render-one"), "-p", plugin], input=jobs, stdout=out, text=True,
                       check=True, env=dict(os.environ, HOME=home))
    records = [json.loads(line) for line in open(results, encoding="utf-8")]
    bad = [r for r in records if r.get("status") != "ok"]
    if len(records) != count or bad:
        sys.exit(f"index.py: {len(bad)} of {len(records)} renders failed: {json.dumps(bad[:1])[:300]}")
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(want)
    return records


def rows_file(work, records, rows):
    """ROWS records, each with its own output_path: a link to a render."""
    links = os.path.join(work, "rows")
    shutil.rmtree(links, ignore_errors=True)
    os.makedirs(links)
    path = os.path.join(work, f"rows-{rows}.ndjson")
    with open(path, "w", encoding="utf-8") as out:
        for i in range(rows):
            r = dict(records[i % len(records)])
            link = os.path.join(links, f"row-{i:06d}.wav")
            os.symlink(r["output_path"], link)
            r["output_path"] = link
            out.write(json.dumps(r, separators=(",", ":")) + "\n")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("rows", type=int)
    ap.add_argument("--bin", default=os.environ.get("VR_BIN", os.path.join(ROOT, "build/bin")),
                    help="folder holding render-one and render-index")
    ap.add_argument("--plugin", help="the synth rendered (default: amsynth)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build/bench/index"), help="scratch folder")
    ap.add_argument("--renders", type=int, default=50, help="distinct renders the rows share")
    ap.add_argument("--page-size", type=int, default=200)
    a = ap.parse_args()
    if a.rows < 1 or a.renders < 1:
        ap.error("rows and --renders must be at least 1")
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    records = renders(work, a.bin, a.plugin or find_amsynth(), a.renders)
    rows = rows_file(work, records, a.rows)
    page = os.path.join(work, "page")
    shutil.rmtree(page, ignore_errors=True)

    with open(rows, "rb") as stdin, open(os.devnull, "wb") as stdout:
        start = time.monotonic()
        proc = subprocess.Popen([os.path.join(a.bin, "render-index"), "--out", page, "--page-size", str(a.page_size)],
                                stdin=stdin, stdout=stdout)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"index.py: render-index exited with {os.waitstatus_to_exitcode(status)}")
    cpu = usage.ru_utime + usage.ru_stime
    images = os.path.join(page, "images")
    print(json.dumps({
        "rows": a.rows,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "rows_per_s": round(a.rows / wall, 1),
        "rows_per_s_per_core": round(a.rows / cpu, 1) if cpu > 0 else None,
        "page_size": a.page_size,
        "pages_bytes": os.path.getsize(os.path.join(page, "index.html")),
        "images_bytes": sum(e.stat().st_size for e in os.scandir(images)),
    }, separators=(",", ":")))


if __name__ == "__main__":
    main()
