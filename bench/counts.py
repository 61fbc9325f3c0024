#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What pinning costs a job in instructions (bench/pinning_counts).

Reads DIR/CASE/SIDE-RUN/cg.PID, callgrind's file for each process of a
run, and prints for each case the instructions a job, pinned less real:
the worker processes' (render-one-host, the Windows worker: where the
pinning's code runs) and every process's, each the mean of the runs'
differences (run r pinned less run r real) with its 95% margin; then
where the workers' difference lies, by function, summed over the runs
(the Windows worker's addresses named from its mingw symbol table), the
Windows stack scrub's rep stosb apart (valgrind counts each byte it
zeroes as an instruction: bytes, not instructions). With --native, the
machine's rate: for each one-off, the user CPU seconds of its real runs
made natively (NATIVE/CASE/RUN, each a number) over the instructions the
same processes (all but wine's services) executed under callgrind; the
slower of the one-offs' rates, and each case's workers' difference less
the scrub at it. JSON with --json."""

import argparse
import collections
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from own_code import image, mean_margin, symbol_at  # noqa: E402

FN_ADDRESS = re.compile(r"^fn=\(\d+\) 0x([0-9a-f]+)")
SCRUB = re.compile(r"scrub_stack|zero_below")
LINE = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+(.*)$")


def processes(run_dir, worker_image):
    """[(command, instructions, file, worker)] of a run's processes. A
    worker: render-one-host, or a wine process that ran the Windows
    worker's code (wine's own processes started beside it, such as its
    services, may carry the worker's command line: they ran none)."""
    base, end, _ = worker_image
    found = []
    for name in sorted(os.listdir(run_dir)):
        path = os.path.join(run_dir, name)
        cmd, total, ran_worker = "", None, False
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("cmd:") and not cmd:
                    cmd = line[4:].strip()
                elif line.startswith("summary:"):
                    total = int(line.split()[1])
                elif not ran_worker and line.startswith("fn="):
                    a = FN_ADDRESS.search(line)
                    ran_worker = bool(a) and base <= int(a.group(1), 16) < end
        if total is not None:
            worker = "render-one-host" in cmd or ("vr-win-worker" in cmd and ran_worker)
            found.append((cmd, total, path, worker))
    return found


def functions(path, worker_image, modules):
    """{function: instructions} of one callgrind file; code of a module
    without symbols is summed by module (modules: [(base, end, name)])."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--auto=no", "--threshold=100", path],
                         capture_output=True, text=True).stdout
    base, end, table = worker_image
    keys = [a for a, _ in table]
    found = collections.Counter()
    for line in out.splitlines():
        m = LINE.match(line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        name = m.group(2)
        name = name.split(":", 1)[1] if ":" in name.split(" ")[0] else name
        a = re.match(r"(?:\?\?\?:)?0x([0-9a-f]+)", name)
        if a and base <= int(a.group(1), 16) < end:
            name = "worker: " + symbol_at(table, keys, int(a.group(1), 16))
        elif a:
            at = int(a.group(1), 16)
            name = next((m + " (no symbols)" for b, e, m in modules if b <= at < e), "code at 0x%x" % (at >> 24 << 24))
        else:
            # The same JUCE function may be named from the host or the
            # plugin (both link it): one name, whichever object.
            name = re.sub(r"\s*\[[^\]]*\]$", "", name)
        found[name] += int(m.group(1).replace(",", ""))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--worker", required=True)
    ap.add_argument("--linux-jobs", type=int, required=True)
    ap.add_argument("--windows-jobs", type=int, required=True)
    ap.add_argument("--module", action="append", default=[],
                    help="a PE file whose code is summed by its name (the plugin's, wine's DLLs)")
    ap.add_argument("--native", help="the folder of the native runs' user CPU seconds, by case")
    ap.add_argument("--json")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    worker_image = image(args.worker)
    modules = []
    for path in args.module:
        if os.path.isfile(path):
            base, end, _ = image(path)
            modules.append((base, end, os.path.basename(path)))
    report = {}
    for case in sorted(os.listdir(args.dir)):
        jobs = 1 if case.endswith("oneoff") else (args.linux_jobs if case.startswith("linux") else args.windows_jobs)
        runs = collections.defaultdict(dict)
        for run in os.listdir(os.path.join(args.dir, case)):
            side, r = run.rsplit("-", 1)
            runs[int(r)][side] = processes(os.path.join(args.dir, case, run), worker_image)
        pairs = [runs[r] for r in sorted(runs) if {"pinned", "real"} <= runs[r].keys()]
        if len(pairs) < 2:
            print(f"{case}: fewer than two runs a side", file=sys.stderr)
            continue

        def total(procs, only_workers):
            return sum(n for _, n, _, worker in procs if worker or not only_workers)

        def tree(procs):
            # What a native run's rusage covers: render-one and what it
            # waited for, not wine's services (wineboot, services.exe,
            # explorer), which start under callgrind in each run but
            # natively not, the prefix's server kept up.
            return sum(n for cmd, n, _, _ in procs if not re.search(r"(?i)c:\\+windows\\+system32", cmd))

        row = {"jobs": jobs, "runs": len(pairs)}
        for key, only in (("workers", True), ("all", False)):
            diffs = [(total(p["pinned"], only) - total(p["real"], only)) / jobs for p in pairs]
            mean, margin = mean_margin(diffs)
            row[key] = {"mean": mean, "margin": margin,
                        "real": sum(total(p["real"], only) for p in pairs) / len(pairs) / jobs}
        parts = collections.Counter()
        for p in pairs:
            for side, sign in (("pinned", 1), ("real", -1)):
                for _, _, path, worker in p[side]:
                    if worker:
                        for name, n in functions(path, worker_image, modules).items():
                            parts[name] += sign * n
        parts = {k: v / len(pairs) / jobs for k, v in parts.items() if v}
        scrub = sum(v for k, v in parts.items() if SCRUB.search(k))
        row["scrub_bytes"] = scrub
        row["workers_less_scrub"] = row["workers"]["mean"] - scrub
        row["parts"] = dict(sorted(parts.items(), key=lambda kv: -abs(kv[1]))[: args.top])
        native = os.path.join(args.native, case) if args.native else None
        if case.endswith("oneoff") and native and os.path.isdir(native):
            seconds = [float(open(os.path.join(native, f)).read()) for f in os.listdir(native)]
            counted = sum(tree(p["real"]) for p in pairs) / len(pairs)
            row["native"] = {"runs": len(seconds), "user_ms_a_run": sum(seconds) / len(seconds) * 1e3,
                             "instructions_a_run": counted, "ns_an_instruction": sum(seconds) / len(seconds) * 1e9 / counted}
        report[case] = row
    # One rate for every case, the slower of the one-offs' (a batch's own
    # would read too fast: under callgrind its plugin's threads poll more
    # than natively, and a forked job's CPU is not in every rusage).
    rated = {c: r["native"] for c, r in report.items() if "native" in r}
    ns = max((n["ns_an_instruction"] for n in rated.values()), default=None)
    if rated:
        print("this machine's rate: " + "; ".join(
            f"{c} {n['ns_an_instruction']:.3f} ns an instruction ({n['user_ms_a_run']:.1f} ms of user CPU a native "
            f"real run, {n['runs']} runs, over {n['instructions_a_run']:,.0f} instructions under callgrind)"
            for c, n in sorted(rated.items())) + f"; taken: {ns:.3f}")
    for case, row in report.items():
        w, a, jobs = row["workers"], row["all"], row["jobs"]
        print(f"{case} ({row['runs']} runs a side, {jobs} job{'s' if jobs > 1 else ''} a run), instructions a job, "
              f"pinned less real:")
        print(f"  the workers: {w['mean']:+,.0f} +- {w['margin']:,.0f} (of {w['real']:,.0f} real)")
        print(f"  every process: {a['mean']:+,.0f} +- {a['margin']:,.0f} (of {a['real']:,.0f} real)")
        if row["scrub_bytes"]:
            print(f"  of the workers', the Windows stack scrub's rep stosb: {row['scrub_bytes']:+,.0f} (bytes zeroed); "
                  f"the rest {row['workers_less_scrub']:+,.0f}")
        if ns:
            row["workers_less_scrub_us"] = row["workers_less_scrub"] * ns / 1e3
            row["margin_us"] = w["margin"] * ns / 1e3
            print(f"  at {ns:.3f} ns an instruction, the workers' difference less the scrub: "
                  f"{row['workers_less_scrub_us']:+.1f} +- {row['margin_us']:.1f} us a job")
        for name, n in row["parts"].items():
            print(f"    {n:>+12,.0f}  {name[:110]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
