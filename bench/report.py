#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns bench/run's measurements (raw.ndjson) into the table: medians over
the rounds, the ratios between the two sides of each comparison, each figure
beside its goal. Prints the table as Markdown and writes results.json and
results.md beside raw.ndjson."""
import argparse
import datetime
import json
import os
import platform
import statistics

PLUGINS = {"nekobi": "Nekobi", "amsynth": "amsynth"}
KIND = {"nekobi": "history-free", "amsynth": "history-dependent"}
RSS_FLAT_PCT = 5.0  # "flat": the peak after the last step within this of the first


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    os_name = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cores": os.cpu_count(), "cpu": model, "os": os_name, "arch": platform.machine(),
            "memory_gb": round(mem_kb / 1024 / 1024, 1)}


class Runs:
    def __init__(self, path):
        self.by_key = {}
        with open(path) as f:
            for line in f:
                m = json.loads(line)
                self.by_key.setdefault(m["key"], []).append(m)

    def get(self, key):
        return self.by_key.get(key, [])

    def median_s(self, key):
        runs = self.get(key)
        return statistics.median(m["seconds"] for m in runs) if runs else None

    def rate(self, key):
        """Jobs per second over the median round."""
        runs = self.get(key)
        s = self.median_s(key)
        return runs[0]["jobs"] / s if runs and s else None

    def cpu_per_job(self, key):
        """CPU seconds per job over the rounds (median), or None."""
        runs = [m for m in self.get(key) if "cpu_s" in m]
        return statistics.median(m["cpu_s"] / m["jobs"] for m in runs) if runs else None

    def failures(self, key):
        """Why a run of key cannot be trusted, or None."""
        for m in self.get(key):
            r = m.get("results")
            if r and r["errors"]:
                return f"{key}: {r['errors']} of {r['records']} jobs failed: {r['first_error']}"
            if r and r["records"] != m["jobs"]:
                return f"{key}: {r['records']} records for {m['jobs']} jobs"
        return None


def fmt(x, digits=3):
    """A figure with about `digits` significant digits."""
    if x is None:
        return "?"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def verdict(ok):
    return "pass" if ok else "miss"


def build_rows(runs, meta):
    rows = []
    notes = []

    def row(rid, measure, subject, figure, value, goal, result, **details):
        rows.append({"id": rid, "measure": measure, "subject": subject, "figure": figure,
                     "value": value, "goal": goal, "result": result, "details": details})

    def checked(keys, result):
        bad = [f for f in (runs.failures(k) for k in keys) if f]
        notes.extend(bad)
        return "check" if bad else result

    short = "short (0.1 s + 0.1 s tail)"
    one_s = "1 s (0.5 s + 0.5 s tail)"
    for p, name in PLUGINS.items():
        warm, single = runs.rate(f"warm.short.{p}"), runs.rate(f"single.short.{p}")
        ratio = warm / single if warm and single else None
        cpu_warm, cpu_single = runs.cpu_per_job(f"warm.short.{p}"), runs.cpu_per_job(f"single.short.{p}")
        cpu_ratio = cpu_single / cpu_warm if cpu_warm and cpu_single else None
        row(f"warm_vs_single.{p}", "warm batch vs one process per job", f"{name}, {short}",
            f"{fmt(warm)} vs {fmt(single)} renders/s = {fmt(ratio)}x"
            + (f" (CPU time per render: {fmt(cpu_ratio)}x)" if cpu_ratio else ""), ratio, ">= 10x",
            checked([f"warm.short.{p}", f"single.short.{p}"], verdict(ratio is not None and ratio >= 10)),
            warm_renders_per_s=warm, single_renders_per_s=single, cpu_s_per_render_warm=cpu_warm,
            cpu_s_per_render_single=cpu_single, cpu_ratio=cpu_ratio,
            warm_jobs=meta["warm_jobs"], single_jobs=meta["perproc_jobs"])

    for p, name in PLUGINS.items():
        for set_key, set_name in (("short", short), ("1s", one_s)):
            key = f"warm.{set_key}.{p}"
            per_round = [(m["seconds"], m["results"]["plugin_process_s"]) for m in runs.get(key)
                         if m.get("results") and m["results"]["plugin_process_s"]]
            if not per_round:
                row(f"host_overhead.{set_key}.{p}", "host overhead (batch wall / plugin process calls)",
                    f"{name}, {set_name}", "pending: render-one does not report plugin_process_s yet",
                    None, "<= 5%", "pending")
                continue
            wall, inside = min(per_round, key=lambda t: abs(t[0] - runs.median_s(key)))
            overhead = statistics.median(w / i - 1 for w, i in per_round) * 100
            # Per job once started: the batch less a batch of one job, over
            # the plugin time of the jobs in between.
            one = [(m["seconds"], m["results"]["plugin_process_s"]) for m in runs.get(f"warm1.{set_key}.{p}")
                   if m.get("results") and m["results"]["plugin_process_s"]]
            marginal = None
            if one:
                one_wall = statistics.median(w for w, _ in one)
                one_inside = statistics.median(i for _, i in one)
                marginal = ((wall - one_wall) / (inside - one_inside) - 1) * 100 if inside > one_inside else None
            figure = f"{fmt(wall)} s / {fmt(inside)} s = {overhead:+.1f}%"
            if marginal is not None:
                figure += f" ({marginal:+.1f}% per job after start-up)"
            row(f"host_overhead.{set_key}.{p}", "host overhead (batch wall / plugin process calls)",
                f"{name}, {set_name}", figure, overhead, "<= 5%",
                checked([key], verdict(overhead <= 5)), wall_s=wall, plugin_process_s=inside,
                per_job_after_startup_pct=marginal)

    for p, name in PLUGINS.items():
        j1, j2 = runs.rate(f"parallel.j1.{p}"), runs.rate(f"parallel.j2.{p}")
        ratio = j2 / j1 if j1 and j2 else None
        row(f"parallel.{p}", "parallel -j2 vs -j1", f"{name}, {one_s}",
            f"{fmt(j2)} vs {fmt(j1)} renders/s = {fmt(ratio)}x", ratio, ">= 1.8x",
            checked([f"parallel.j1.{p}", f"parallel.j2.{p}"], verdict(ratio is not None and ratio >= 1.8)),
            j1_renders_per_s=j1, j2_renders_per_s=j2, jobs=meta["par_jobs"], block=meta["par_block"])

    for p, name in PLUGINS.items():
        iso, raw = runs.median_s(f"warm.1s.{p}"), runs.median_s(f"noisolate.1s.{p}")
        if meta["no_isolate"] != "yes" or raw is None:
            row(f"isolation.{p}", "isolation cost (supervised vs --no-isolate)", f"{name}, {one_s}",
                "pending: render-one has no --no-isolate yet", None, "< 5%", "pending")
            continue
        cost = (iso / raw - 1) * 100
        cpu_iso, cpu_raw = runs.cpu_per_job(f"warm.1s.{p}"), runs.cpu_per_job(f"noisolate.1s.{p}")
        cpu_cost = (cpu_iso / cpu_raw - 1) * 100 if cpu_iso and cpu_raw else None
        figure = f"{fmt(iso)} s vs {fmt(raw)} s = {cost:+.1f}%"
        if cpu_cost is not None:
            figure += f" (CPU time: {cpu_cost:+.1f}%)"
        row(f"isolation.{p}", "isolation cost (supervised vs --no-isolate)", f"{name}, {one_s}",
            figure, cost, "< 5%",
            checked([f"warm.1s.{p}", f"noisolate.1s.{p}"], verdict(cost < 5)),
            supervised_s=iso, no_isolate_s=raw, cpu_cost_pct=cpu_cost)

    steps = meta["rss_steps"].split(",")
    for p, name in PLUGINS.items():
        m = (runs.get(f"rss.{p}") or [None])[0]
        if not m:
            continue
        peaks = m["proc_peaks"]

        def tree_peak(step):
            s = peaks[step]
            return max(v for v in (s["render_one_mb"], s["largest_child_mb"]) if v is not None)

        first, last = tree_peak(steps[0]), tree_peak(steps[-1])
        figure = f"peak (VmHWM) {fmt(first)} MB, {fmt(last)} MB ({(last / first - 1) * 100:+.1f}%)"
        own = m["results"].get("worker_rss_mb")
        source = "VmHWM from /proc: the largest of render-one and the processes under it"
        if own and own.get("after_100") is not None:
            # render-one's own figure decides when it is there.
            first, last = own["after_100"], own["last"]
            figure = (f"worker_rss_mb {fmt(first)} MB, {fmt(last)} MB ({(last / first - 1) * 100:+.1f}%); "
                      + figure)
            source = "worker_rss_mb from the records (RSS after the job); VmHWM from /proc beside it"
        growth = (last / first - 1) * 100
        row(f"worker_rss.{p}", f"worker RSS after {steps[0]} and {steps[-1]} jobs", f"{name}, {short}",
            figure, growth, f"flat (<= {RSS_FLAT_PCT:g}% growth)",
            checked([f"rss.{p}"], verdict(growth <= RSS_FLAT_PCT)), source=source,
            proc_peaks=peaks, worker_rss_mb=own)

    rate = runs.rate("serum-unwrap")
    row("serum_unwrap", "serum-unwrap conversions per second",
        f"6 Serum 2 fixtures x {meta['serum_loops']}, one process", f"{fmt(rate)} conversions/s", rate,
        "none set", checked(["serum-unwrap"], "-"))

    scan, listing, by_ext = (runs.median_s(k) for k in ("preset-scan", "find", "preset-scan.by-extension"))
    files = int(meta["tree_files"])
    if scan and listing:
        row("preset_scan", "preset-scan vs find -type f", f"{files:,} files, 1 in 10 a preset",
            f"{fmt(files / scan)} vs {fmt(files / listing)} files/s = {fmt(scan / listing)}x the time of find",
            scan / listing, "none set", "-", preset_scan_s=scan, find_s=listing, by_extension_s=by_ext)
    if by_ext and listing:
        row("preset_scan_by_extension", "preset-scan --by-extension vs find -type f",
            f"{files:,} files, 1 in 10 a preset",
            f"{fmt(files / by_ext)} vs {fmt(files / listing)} files/s = {fmt(by_ext / listing)}x the time of find",
            by_ext / listing, "none set", "-")

    # Where a job's time goes, from render-one's own fields.
    for p, name in PLUGINS.items():
        for m in runs.get(f"warm.1s.{p}")[:1]:
            r = m.get("results")
            if r and r["plugin_process_s"] and r["records"]:
                n = r["records"]
                notes.append(f"{name}, {one_s}, round {m['round']}: per job {fmt(m['seconds'] / n * 1000)} ms wall,"
                             f" {fmt(r['render_s'] / n * 1000)} ms render_s,"
                             f" {fmt(r['plugin_process_s'] / n * 1000)} ms in the plugin's process calls")
    # How render-one ran each plugin's jobs (fresh_instance: a clean instance per job).
    for p, name in PLUGINS.items():
        runs_of = runs.get(f"warm.short.{p}")
        if runs_of and runs_of[0].get("results"):
            r = runs_of[0]["results"]
            notes.append(f"{name} ({KIND[p]}): {r['plugin_name']} {r['plugin_version'] or ''}".rstrip()
                         + f", fresh_instance in {r['fresh_instance']} of {r['records']} jobs,"
                         f" load {fmt(r['plugin_load_s_max'])} s")
    return rows, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta", nargs="*", default=[], help="KEY=VALUE facts about the run")
    a = ap.parse_args()
    meta = dict(kv.split("=", 1) for kv in a.meta)
    runs = Runs(a.raw)
    rows, notes = build_rows(runs, meta)
    now = datetime.datetime.now(datetime.timezone.utc)
    mach = machine()
    lines = [
        f"Run {now:%Y-%m-%d %H:%M} UTC on {mach['cores']} cores ({mach['cpu']}, {mach['memory_gb']} GB), "
        f"{mach['os']}, vst-render {meta.get('version', '?')} at {meta.get('commit', '?')}; "
        f"load average {meta.get('load_start', '?')} at the start, {meta.get('load_end', '?')} at the end; "
        f"medians of {meta.get('rounds', '?')} round(s), the two sides of each comparison back to back; "
        f"`make bench` took {meta.get('elapsed_s', '?')} s.",
        "",
        "| measure | plugin, job set | figure | goal | result |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['measure']} | {r['subject']} | {r['figure']} | {r['goal']} | {r['result']} |")
    loads = [float(meta[k].split()[0]) for k in ("load_start", "load_end") if meta.get(k)]
    if loads and max(loads) > mach["cores"]:
        notes.insert(0, f"The machine was busy: load average up to {max(loads):g} on {mach['cores']} cores."
                     " Wall-time figures carry that noise; the CPU-time figures beside them much less.")
    lines.append("")
    lines.extend(f"- {n}" for n in notes)
    text = "\n".join(lines) + "\n"
    print(text, end="")
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(text)
    doc = {"date": now.isoformat(timespec="seconds"), "machine": mach, "run": meta, "rows": rows,
           "notes": notes, "measurements": [m for ms in runs.by_key.values() for m in ms]}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"bench: wrote {os.path.join(a.out, 'results.json')}")


if __name__ == "__main__":
    main()
