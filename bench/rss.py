#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Feeds render-one its jobs in steps and, once every job of a step has its
record (render-one then waits for input, so nothing is in flight), reads the
peak resident size (VmHWM) of render-one and of each process under it from
/proc. Prints one JSON object: the peaks after each step, and the wall time."""
import argparse
import json
import os
import subprocess
import sys
import threading
import time


def children(pid):
    """The processes whose parent is pid."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after it.
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(name))
    return out


def peak_kb(pid):
    """VmHWM of pid in kB, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def tree_peaks(root):
    """VmHWM in MB of root and of the largest process below it."""
    below, todo = [], children(root)
    while todo:
        pid = todo.pop()
        below.append(pid)
        todo.extend(children(pid))
    kb = [k for k in (peak_kb(p) for p in below) if k is not None]
    top = peak_kb(root)
    return {"render_one_mb": round(top / 1024, 1) if top else None,
            "largest_child_mb": round(max(kb) / 1024, 1) if kb else None,
            "processes": 1 + len(below)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", default="100,2000", help="cumulative job counts to sample after")
    ap.add_argument("--jobs", required=True, help="NDJSON jobs, at least the last step's count")
    ap.add_argument("--results", required=True, help="where the result records go")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="render-one and its options")
    a = ap.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    steps = [int(s) for s in a.steps.split(",")]
    with open(a.jobs) as f:
        jobs = f.readlines()[:steps[-1]]
    if len(jobs) < steps[-1]:
        sys.exit(f"rss.py: {a.jobs} has {len(jobs)} jobs, fewer than {steps[-1]}")
    start = time.time()
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    samples = {}
    done = 0
    with open(a.results, "w") as out:
        for step in steps:
            # A thread writes, so that neither pipe can fill up and stall both sides.
            chunk = jobs[done:step]
            writer = threading.Thread(target=lambda c=chunk: (proc.stdin.writelines(c), proc.stdin.flush()))
            writer.start()
            for _ in range(step - done):
                line = proc.stdout.readline()
                if not line:
                    sys.exit(f"rss.py: render-one ended after {done} records")
                out.write(line)
                done += 1
            writer.join()
            samples[str(step)] = tree_peaks(proc.pid)
        proc.stdin.close()
        out.write(proc.stdout.read())
    status = proc.wait()
    print(json.dumps({"start": start, "end": time.time(), "status": status, "proc_peaks": samples}))


if __name__ == "__main__":
    main()
