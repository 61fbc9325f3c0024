#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints one measurement as a line of JSON: its key, round, job count and
wall time, the user and system CPU seconds of the processes it ran (given
the shell's `times` before and after), and what the result records of the
run say (jobs ok and failed, time inside the plugin's process calls, worker
memory)."""
import argparse
import json
import sys


def summarize(path):
    """What a run's result records add up to; fields render-one does not
    write (yet) come out as None."""
    s = {"records": 0, "ok": 0, "errors": 0, "first_error": None, "fresh_instance": 0,
         "plugin_process_s": None, "render_s": 0.0, "plugin_load_s_max": 0.0,
         "worker_rss_mb": [], "plugin_name": None, "plugin_version": None, "isolations": []}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                s["errors"] += 1
                s["first_error"] = s["first_error"] or "not JSON: " + line[:200]
                continue
            s["records"] += 1
            # Tools that only add fields (serum-unwrap) write no status.
            if r.get("status", "ok") != "error":
                s["ok"] += 1
            else:
                s["errors"] += 1
                if s["first_error"] is None:
                    s["first_error"] = json.dumps(r.get("error", r))[:300]
            if r.get("fresh_instance"):
                s["fresh_instance"] += 1
            if isinstance(r.get("isolation"), str) and r["isolation"] not in s["isolations"]:
                s["isolations"].append(r["isolation"])
            if isinstance(r.get("plugin_process_s"), (int, float)):
                s["plugin_process_s"] = (s["plugin_process_s"] or 0.0) + r["plugin_process_s"]
            if isinstance(r.get("render_s"), (int, float)):
                s["render_s"] += r["render_s"]
            if isinstance(r.get("plugin_load_s"), (int, float)):
                s["plugin_load_s_max"] = max(s["plugin_load_s_max"], r["plugin_load_s"])
            # Kept per record, so that the value after job 100 can be read.
            rss = r.get("worker_rss_mb")
            s["worker_rss_mb"].append(rss if isinstance(rss, (int, float)) else None)
            for k in ("plugin_name", "plugin_version"):
                if s[k] is None and r.get(k) is not None:
                    s[k] = r[k]
    rss = s.pop("worker_rss_mb")
    known = [v for v in rss if v is not None]
    # After job 100 and after the last job (render-one's own figure, H1).
    s["worker_rss_mb"] = None if not known else {
        "after_100": rss[99] if len(rss) >= 100 else None, "last": rss[-1], "max": max(known)}
    return s


def cpu_seconds(times_line):
    """User and system seconds from a line of bash's `times`: `0m1.250s 0m0.031s`."""
    out = []
    for part in times_line.split():
        minutes, seconds = part.rstrip("s").split("m")
        out.append(int(minutes) * 60 + float(seconds))
    return out[0], out[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--key", required=True)
    ap.add_argument("--round", type=int, default=0)
    ap.add_argument("--jobs", type=int, required=True)
    ap.add_argument("--start", type=float, required=True, help="seconds since the epoch")
    ap.add_argument("--end", type=float, required=True)
    ap.add_argument("--status", type=int, default=0, help="the command's exit status")
    ap.add_argument("--results", help="the run's result records")
    ap.add_argument("--extra", default="{}", help="a JSON object of further fields")
    ap.add_argument("--cpu-start", help="the children line of bash's `times` before the command")
    ap.add_argument("--cpu-end", help="the same after it")
    ap.add_argument("--cpu-exact", help="USER_S SYS_S [MINOR_FAULTS] of the command, CPU to the microsecond "
                    "(bench/child_cpu.cpp)")
    a = ap.parse_args()
    m = {"key": a.key, "round": a.round, "jobs": a.jobs, "seconds": round(a.end - a.start, 6),
         "exit_status": a.status}
    if a.cpu_start and a.cpu_end:
        (u0, s0), (u1, s1) = cpu_seconds(a.cpu_start), cpu_seconds(a.cpu_end)
        m["cpu_s"] = round(u1 + s1 - u0 - s0, 3)
        m["user_s"] = round(u1 - u0, 3)
        m["sys_s"] = round(s1 - s0, 3)  # the kernel's share: forks, faults, files
    if a.cpu_exact:
        fields = a.cpu_exact.split()
        user, system = float(fields[0]), float(fields[1])
        m["cpu_s"], m["user_s"], m["sys_s"] = round(user + system, 6), round(user, 6), round(system, 6)
        if len(fields) > 2:
            m["minor_faults"] = int(fields[2])
    if a.results:
        m["results"] = summarize(a.results)
    m.update(json.loads(a.extra))
    print(json.dumps(m, separators=(",", ":")))
    # Progress for whoever watches the run.
    line = f"  {a.key} (round {a.round}): {a.jobs} in {m['seconds']:.2f} s, {a.jobs / max(m['seconds'], 1e-9):.1f}/s"
    if a.results:
        r = m["results"]
        line += f", {r['errors']} failed" + (f" ({r['first_error']})" if r["errors"] else "")
    print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
