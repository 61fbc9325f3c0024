#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns bench/run's measurements (raw.ndjson) into the table: medians over
the rounds, the ratios between the two sides of each comparison, each figure
beside its goal (issue 13's goals, in its order; issue 30's Windows rows
come from report_windows.py). Prints the table as Markdown and writes
results.json and results.md beside raw.ndjson."""
# over 400 lines: one row builder per goal of issue 13, sharing the goal
# constants and the row/checked helpers; split it along the goals if it grows.
import argparse
import datetime
import json
import os
import platform
import statistics

from report_windows import windows_rows
from report_oneoff import oneoff_rows
from report_pinning import pinning_rows
from report_clean_state import clean_state_rows
from report_against import against_rows
from report_editor import editor_rows

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
            if m.get("exit_status", 0) not in (0, 1) or (m.get("exit_status") and not m.get("results")):
                return f"{key}: exit status {m['exit_status']} in round {m['round']} (see stderr.log)"
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


GOAL_PAR = 1.85           # parallel -j2 over -j1
GOAL_STARTUP_SHARE = 0.02  # the -j2 batch long enough that start-up is under this share
GOAL_ONEOFF_S = 0.20
GOAL_TP_SPEEDUP, GOAL_TP_DB = 10.0, 0.05
GOAL_SCAN_FILES_S = 150_000
GOAL_SAMPLE_JOBS_S = 200_000  # param-sample, a 41-parameter space
GOAL_PACK_OF_TAR = 0.80       # dataset-pack's speed over tar's on the same files
GOAL_DATASET_RATE = 0.90      # a dataset's render rate with set_params over the same jobs' without
GOAL_SET_PARAMS_MS = 0.2      # setting and reading back 41 parameters, per job
GOAL_INDEX_ROWS_CORE = 200
# Linear in rows: rows per CPU-second at the large run at most this much
# below the small run's. Faster at scale passes: a fixed cost (start-up)
# weighs less on more rows; only cost growing faster than rows fails.
INDEX_LINEAR = 0.15
SETS = {"short": ("short (0.1 s + 0.1 s)", 0.2), "1s": ("1 s (0.5 s + 0.5 s)", 1.0)}


def host_goal_ms(audio_s):
    """Host cost allowed per job: 1.5 ms plus 1 ms per second of audio."""
    return 1.5 + 1.0 * audio_s


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def host_cost(runs, c):
    """Per job, medians over the rounds: wall after start-up (the N-job batch
    less the 1-job batch, over N-1), the plugin's process calls (the
    records' sum over N), the encoder alone on the batch's files; seconds."""
    batches = {m["round"]: m for m in runs.get(f"host.{c}")}
    ones = {m["round"]: m for m in runs.get(f"host1.{c}")}
    encs = {m["round"]: m for m in runs.get(f"encode.{c}") if m.get("encode_s") is not None}
    marginal, plugin, encoder = [], [], []
    for r, b in batches.items():
        res = b.get("results") or {}
        if r in ones:
            marginal.append((b["seconds"] - ones[r]["seconds"]) / (b["jobs"] - 1))
        if res.get("plugin_process_s") is not None and res["records"]:
            plugin.append(res["plugin_process_s"] / res["records"])
        if r in encs and encs[r]["files"]:
            encoder.append(encs[r]["encode_s"] / encs[r]["files"])
    m, pl, en = median(marginal), median(plugin), median(encoder)
    if m is None or pl is None or en is None:
        return None
    return {"wall_s": m, "plugin_s": pl, "encoder_s": en, "host_s": m - pl - en,
            "startup_s": median(o["seconds"] for o in ones.values()), "rounds": len(marginal)}


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

    if meta.get("only") == "windows":
        windows_rows(runs, meta, row, checked, host_cost, fmt)
        return rows, notes
    if meta.get("only") == "pinning":
        pinning_rows(runs, row, checked, fmt)
        return rows, notes
    if meta.get("only") == "clean-state":
        clean_state_rows(runs, row, checked, fmt)
        return rows, notes
    if meta.get("only") == "against":
        against_rows(runs, row, checked, fmt)
        return rows, notes
    if meta.get("only") == "editor":
        editor_rows(runs, row, checked, fmt)
        return rows, notes

    isolations = meta.get("isolations", "fork reset").split()
    one_s = SETS["1s"][0]

    # 1. Host cost per job, start-up excluded.
    hosts = {}
    for set_key, (set_name, audio_s) in SETS.items():
        goal = host_goal_ms(audio_s)
        for p, name in PLUGINS.items():
            for iso in isolations:
                for ext in ("wav", "flac"):
                    c = f"{set_key}.{iso}.{ext}.{p}"
                    h = hosts[c] = host_cost(runs, c)
                    subject = f"{name}, {set_name}, --isolation {iso}, {ext.upper()}"
                    if not h:
                        row(f"host.{c}", "host cost per job", subject, "no measurement", None,
                            f"<= {goal:g} ms", "check")
                        continue
                    ms = h["host_s"] * 1000
                    row(f"host.{c}", "host cost per job", subject,
                        f"plugin {fmt(h['plugin_s'] * 1000)} ms, encoder {fmt(h['encoder_s'] * 1000)} ms,"
                        f" host {fmt(ms)} ms (of {fmt(h['wall_s'] * 1000)} ms a job after start-up)",
                        ms, f"<= {goal:g} ms",
                        checked([f"host.{c}", f"host1.{c}", f"encode.{c}"], verdict(ms <= goal)),
                        **{k: v for k, v in h.items()})

    # 2. Two workers against one.
    for p, name in PLUGINS.items():
        k1, k2 = f"parallel.j1.{p}", f"parallel.j2.{p}"
        j1, j2 = runs.rate(k1), runs.rate(k2)
        ratio = j2 / j1 if j1 and j2 else None
        startup, wall2 = runs.median_s(f"warm1.1s.{p}"), runs.median_s(k2)
        share = startup / wall2 if startup and wall2 else None
        jobs = (runs.get(k1) or [{"jobs": "?"}])[0]["jobs"]
        cpu = {k: median(m.get("cpu_s") for m in runs.get(k)) for k in (k1, k2)}
        sys_ = {k: median(m.get("sys_s") for m in runs.get(k)) for k in (k1, k2)}
        figure = (f"{fmt(j2)} vs {fmt(j1)} renders/s = {fmt(ratio)}x; wall {fmt(runs.median_s(k1))} s -> "
                  f"{fmt(wall2)} s, CPU {fmt(cpu[k1])} s -> {fmt(cpu[k2])} s, of it system "
                  f"{fmt(sys_[k1])} s -> {fmt(sys_[k2])} s; start-up {fmt(startup)} s = "
                  f"{fmt(share * 100 if share else None, 2)}% of the -j2 run")
        result = verdict(ratio is not None and ratio >= GOAL_PAR)
        if runs.get(k2) and (share is None or share >= GOAL_STARTUP_SHARE):
            notes.append(f"{name} through parallel: start-up is {fmt(share * 100 if share else None, 2)}% of the"
                         f" -j2 run, not under {GOAL_STARTUP_SHARE * 100:g}%: raise BENCH_PAR_JOBS.")
            result = "check"
        row(f"parallel.{p}", "parallel -j2 vs -j1", f"{name}, {one_s}, {jobs} jobs", figure, ratio,
            f">= {GOAL_PAR:g}x (start-up < {GOAL_STARTUP_SHARE * 100:g}%)", checked([k1, k2], result),
            j1_renders_per_s=j1, j2_renders_per_s=j2, cpu_s=cpu, sys_s=sys_, startup_s=startup,
            startup_share=share, jobs=jobs, block=meta.get("par_block"))

    # 2b. The kernel's floor under fork isolation (bench/fork_floor.cpp): a
    # bare process as big as the worker, its children writing nothing (a
    # fork and an exit: the bound from below) and writing as many pages as a
    # job's take faults (from above: some of those are cheap first reads);
    # alone, against the fork-mode host cost of a short job, and two at once
    # (what -j2 can give fork isolation here).
    for p, name in PLUGINS.items():
        f1, f2 = runs.get(f"floor.j1.{p}"), runs.get(f"floor.j2.{p}")
        if not f1 or not f2:
            continue
        ms = median(m.get("ms_per_fork") for m in f1)
        bare = median(m.get("ms_per_fork") for m in runs.get(f"floor0.j1.{p}"))
        rate1, rate2 = median(m.get("forks_per_s") for m in f1), median(m.get("forks_per_s") for m in f2)
        scale = rate2 / rate1 if rate1 and rate2 else None
        h = hosts.get(f"short.fork.wav.{p}")
        ours = h["host_s"] * 1000 if h else None
        row(f"floor.{p}", "fork floor: the kernel's cost of a fork per job, nothing of ours",
            f"{name}: a {f1[0].get('mb')} MB process, children writing {f1[0].get('pages')} pages "
            f"(the worker's size, a short fork-mode job's faults)",
            f"{fmt(bare)} ms a fork and exit alone, {fmt(ms)} ms with the writes (our host cost: {fmt(ours)} ms"
            f" a job); two at once {fmt(rate2)} vs "
            f"{fmt(rate1)} forks/s = {fmt(scale)}x",
            ms, "none (the limit fork isolation meets here)",
            checked([f"floor.j1.{p}", f"floor.j2.{p}", f"floor0.j1.{p}"], "-"),
            ms_per_fork=ms, bare_ms_per_fork=bare, forks_per_s_j1=rate1, forks_per_s_j2=rate2, j2_scale=scale, ours_ms=ours)

    # 3. One-off render, and the warm batch against one process a job.
    oneoff = runs.get("oneoff.amsynth")
    if oneoff:
        wall = runs.median_s("oneoff.amsynth")
        cpu = median(m.get("cpu_s") for m in oneoff)
        row("oneoff", "one-off render (render-one --midi FILE -o out.wav)",
            "amsynth, one 1.5 s note (+ 1 s tail)",
            f"{fmt(wall)} s wall, {fmt(cpu)} s CPU (median of {len(oneoff)} runs)", wall,
            f"<= {GOAL_ONEOFF_S:g} s", checked(["oneoff.amsynth"], verdict(wall <= GOAL_ONEOFF_S)),
            cpu_s=cpu, runs=len(oneoff))
    short = SETS["short"][0]
    for p, name in PLUGINS.items():
        warm, single = runs.rate(f"warm.short.{p}"), runs.rate(f"single.short.{p}")
        ratio = warm / single if warm and single else None
        cpu_warm, cpu_single = runs.cpu_per_job(f"warm.short.{p}"), runs.cpu_per_job(f"single.short.{p}")
        cpu_ratio = cpu_single / cpu_warm if cpu_warm and cpu_single else None
        row(f"warm_vs_single.{p}", "warm batch vs one process per job", f"{name}, {short}",
            f"{fmt(warm)} vs {fmt(single)} renders/s = {fmt(ratio)}x"
            + (f" (CPU time per render: {fmt(cpu_ratio)}x)" if cpu_ratio else ""), ratio,
            "none (a figure: one process a job is meant to be cheap, issue 33)",
            checked([f"warm.short.{p}", f"single.short.{p}"], "-"),
            warm_renders_per_s=warm, single_renders_per_s=single, cpu_s_per_render_warm=cpu_warm,
            cpu_s_per_render_single=cpu_single, cpu_ratio=cpu_ratio,
            warm_jobs=meta.get("warm_jobs"), single_jobs=meta.get("perproc_jobs"))

    # 3b. One job a process against the minimal C host (issue 33).
    oneoff_rows(runs, row, checked, fmt, verdict)

    # 4. True peak against libebur128's.
    tp = (runs.get("true_peak") or [None])[0]
    if tp:
        speed, diff = tp.get("speedup"), tp.get("max_abs_diff_db")
        ok = speed is not None and speed >= GOAL_TP_SPEEDUP and diff is not None and diff <= GOAL_TP_DB
        diff_text = f"{diff:.3f} dB" if diff is not None else "silence against sound"
        row("true_peak", "true peak vs libebur128's",
            f"{tp.get('files', '?')} files ({fmt(tp.get('seconds_of_audio'))} s): the distinct 1 s renders"
            " of both plugins and the fixtures' audio",
            f"{fmt(speed)}x faster ({fmt(tp.get('ebur128_s'))} s -> {fmt(tp.get('ours_s'))} s), "
            f"max difference {diff_text} ({os.path.basename(tp.get('worst_file') or '?')})", speed,
            f">= {GOAL_TP_SPEEDUP:g}x, <= {GOAL_TP_DB:g} dB",
            "check" if tp["exit_status"] == 2 or speed is None else verdict(ok),
            **{k: tp.get(k) for k in ("ebur128_s", "ours_s", "max_abs_diff_db", "worst_file")})

    # 5. FLAC levels: size against encoding time, both ends and the default.
    levels = [lv for lv in meta.get("flac_levels", "0,5,8").split(",") if runs.get(f"flac_level.{lv}")]
    if levels:
        parts, details = [], {}
        for lv in levels:
            ms = runs.get(f"flac_level.{lv}")
            files = ms[0].get("files") or 0
            enc = median(m.get("encode_s") for m in ms)
            size = ms[0].get("bytes")
            details[lv] = {"encode_s": enc, "bytes": size, "files": files}
            parts.append(f"level {lv}: {fmt(size / 1e6 if size else None)} MB, "
                         f"{fmt(enc / files * 1000 if enc and files else None)} ms a file")
        row("flac_levels", "FLAC level: bytes and encoding time",
            f"{details[levels[0]]['files']} distinct 1 s renders", "; ".join(parts), None,
            "none (shows both ends)", checked([f"flac_level.{lv}" for lv in levels], "-"), levels=details)

    # 6. preset-scan against find.
    scan, listing, by_ext = (runs.median_s(k) for k in ("preset-scan", "find", "preset-scan.by-extension"))
    files = int(meta.get("tree_files", 0))
    if scan and listing:
        rate = files / scan
        row("preset_scan", "preset-scan vs find -type f", f"{files:,} files, 1 in 10 a preset",
            f"{fmt(rate)} vs {fmt(files / listing)} files/s = {fmt(scan / listing)}x the time of find",
            rate, f">= {GOAL_SCAN_FILES_S:,} files/s", checked(["preset-scan"], verdict(rate >= GOAL_SCAN_FILES_S)),
            preset_scan_s=scan, find_s=listing, by_extension_s=by_ext)
    if by_ext and listing:
        row("preset_scan_by_extension", "preset-scan --by-extension vs find -type f",
            f"{files:,} files, 1 in 10 a preset",
            f"{fmt(files / by_ext)} vs {fmt(files / listing)} files/s = {fmt(by_ext / listing)}x the time of find",
            by_ext / listing, "none set", "-")

    # 6b. param-sample's jobs per second; dataset-pack against tar.
    sampled = runs.median_s("param-sample")
    jobs = int(meta.get("sample_jobs", 0))
    if sampled:
        rate = jobs / sampled
        row("param_sample", "param-sample jobs per second", f"amsynth's 41 parameters, sobol, {jobs:,} jobs to a file",
            f"{fmt(rate)} jobs/s", rate, f">= {GOAL_SAMPLE_JOBS_S:,} jobs/s",
            checked(["param-sample"], verdict(rate >= GOAL_SAMPLE_JOBS_S)))
    packed, tarred = runs.median_s("dataset-pack"), runs.median_s("tar")
    files = int(meta.get("pack_files", 0))
    if packed and tarred:
        share = tarred / packed
        row("dataset_pack", "dataset-pack vs tar cf", f"{files:,} WAV files (0.5 s, 96 kB), one archive each",
            f"{fmt(files / packed)} vs {fmt(files / tarred)} files/s = {share:.0%} of tar's speed", share,
            f">= {GOAL_PACK_OF_TAR:.0%} of tar's speed",
            checked(["dataset-pack", "tar"], verdict(share >= GOAL_PACK_OF_TAR)))

    # 6c. A dataset's render rate with set_params against the same jobs
    # without: batches in alternation, summed. The sampled sounds cost the
    # plugin more to play than its first patch (the records' own
    # plugin_process_s says how much), so the goal is checked on jobs that
    # set all 41 parameters to the values the plugin holds: the same sound
    # as the plain jobs, and everything set_params costs us.
    def summed(key):
        ms = runs.get(key)
        if not ms:
            return None
        n = sum(m["jobs"] for m in ms)
        process = [(m.get("results") or {}).get("plugin_process_s") for m in ms]
        cpu = [m.get("cpu_s") for m in ms]
        return {"s": sum(m["seconds"] for m in ms), "n": n,
                "cpu_s": None if None in cpu else sum(cpu),
                "process_ms": None if None in process else sum(process) / n * 1000}

    sampled, plain, held = summed("dataset.params"), summed("dataset.plain"), summed("dataset.held")
    if sampled and plain:
        share = (sampled["n"] / sampled["s"]) / (plain["n"] / plain["s"])
        extra_ms = (sampled["s"] / sampled["n"] - plain["s"] / plain["n"]) * 1000
        played = ""
        if sampled["process_ms"] is not None and plain["process_ms"] is not None:
            played = (f"; the plugin's process calls {sampled['process_ms']:.2f} vs {plain['process_ms']:.2f} ms"
                      " a job (its own cost of the sampled sounds)")
        row("dataset_rate", "dataset render rate, uniform samples vs none",
            f"amsynth, {sampled['n']:,} uniform samples of 41 parameters (0.5 s + 0.5 s)",
            f"{fmt(sampled['n'] / sampled['s'])} vs {fmt(plain['n'] / plain['s'])} jobs/s = {share:.0%}; "
            f"{extra_ms:+.2f} ms a job{played}", share,
            "none (a figure: the sounds differ; the goal is on the next row)",
            checked(["dataset.params", "dataset.plain"], "-"))
    if held and plain:
        share = (held["n"] / held["s"]) / (plain["n"] / plain["s"])
        extra_ms = (held["s"] / held["n"] - plain["s"] / plain["n"]) * 1000
        # Each batch against the plain batch run beside it: how far the
        # machine's noise moves the figure.
        pairs = sorted((h["seconds"] / h["jobs"] - p["seconds"] / p["jobs"]) * 1000
                       for h, p in zip(runs.get("dataset.held"), runs.get("dataset.plain")))
        spread = ""
        if len(pairs) >= 4:
            q = len(pairs) // 4
            spread = (f" (batch by batch, {len(pairs)} pairs: median {statistics.median(pairs):+.2f}, "
                      f"middle half {pairs[q]:+.2f} to {pairs[-q - 1]:+.2f} ms)")
        # What set_params costs a job, in wall time and in the CPU time of
        # every process of the runs (render-one, its worker, the forked
        # children): the goal holds for both.
        cpu_ms = None
        if held["cpu_s"] is not None and plain["cpu_s"] is not None:
            cpu_ms = (held["cpu_s"] / held["n"] - plain["cpu_s"] / plain["n"]) * 1000
        cpu_pairs = sorted((h["cpu_s"] / h["jobs"] - p["cpu_s"] / p["jobs"]) * 1000
                           for h, p in zip(runs.get("dataset.held"), runs.get("dataset.plain"))
                           if h.get("cpu_s") is not None and p.get("cpu_s") is not None)
        cost = "no CPU time recorded" if cpu_ms is None else (
            f"CPU time of every process {cpu_ms:+.3f} ms a job"
            + (f" (batch by batch, median {statistics.median(cpu_pairs):+.3f})" if len(cpu_pairs) >= 4 else ""))
        row("dataset_set_params", "dataset render rate, set_params vs none, same sound",
            f"amsynth, {held['n']:,} jobs setting all 41 parameters to the values it holds (0.5 s + 0.5 s)",
            f"{fmt(held['n'] / held['s'])} vs {fmt(plain['n'] / plain['s'])} jobs/s = {share:.0%}; "
            f"wall {extra_ms:+.2f} ms a job{spread}; {cost}", share,
            f">= {GOAL_DATASET_RATE:.0%} of the rate; < {GOAL_SET_PARAMS_MS:g} ms a job, wall and CPU",
            checked(["dataset.held", "dataset.plain"],
                    verdict(share >= GOAL_DATASET_RATE and extra_ms < GOAL_SET_PARAMS_MS
                            and cpu_ms is not None and cpu_ms < GOAL_SET_PARAMS_MS)))

    # 7. render-index: speed per core, and linear in rows.
    per_core = {}
    for size in [s for s in meta.get("index_rows", "").split(",") if s]:
        ms = [m for m in runs.get(f"index.{size}") if m.get("cpu_s")]
        if not ms:
            if runs.get(f"index.{size}"):
                notes.append(runs.failures(f"index.{size}") or f"index.{size}: no figures (see stderr.log)")
            continue
        rate = median(m["rows"] / m["cpu_s"] for m in ms)
        per_core[size] = rate
        row(f"index.{size}", "render-index rows per second per core",
            f"amsynth 1 s renders, {int(size):,} rows (waveform + spectrogram each)",
            f"{fmt(rate)} rows/s per CPU-second; {fmt(median(m['wall_s'] for m in ms))} s wall,"
            f" {fmt(median(m['cpu_s'] for m in ms))} s CPU; pages of {ms[0].get('page_size')} rows,"
            f" index.html {fmt(ms[0].get('pages_bytes', 0) / 1e3)} kB", rate,
            f">= {GOAL_INDEX_ROWS_CORE} rows/s per core",
            checked([f"index.{size}"], verdict(rate >= GOAL_INDEX_ROWS_CORE)),
            wall_s=median(m["wall_s"] for m in ms), cpu_s=median(m["cpu_s"] for m in ms),
            page_size=ms[0].get("page_size"), pages_bytes=ms[0].get("pages_bytes"))
    if meta.get("index_skip"):
        notes.append(f"render-index: skipped {meta['index_skip']}.")
    if len(per_core) == 2:
        (small, r_small), (large, r_large) = sorted(per_core.items(), key=lambda kv: int(kv[0]))
        ratio = r_large / r_small
        row("index.linear", "render-index linear in rows",
            f"{int(large):,} rows against {int(small):,}",
            f"{fmt(r_large)} vs {fmt(r_small)} rows per CPU-second = {ratio - 1:+.1%}", ratio,
            f">= {1 - INDEX_LINEAR:.0%} of the {int(small):,}-row rate", verdict(ratio >= 1 - INDEX_LINEAR))

    # 8. The fast path writes the reference path's bytes.
    for p, name in PLUGINS.items():
        ms = [(runs.get(f"bytes.{ext}.{p}") or [None])[0] for ext in ("wav", "flac")]
        ms = [m for m in ms if m]
        if not ms:
            continue
        equal, compared = sum(m["equal"] for m in ms), sum(m["compared"] for m in ms)
        diff = [m["first_diff"] for m in ms if m["first_diff"]]
        row(f"bytes.{p}", "output bytes: --isolation fork vs fresh (the reference)", f"{name}, {one_s}",
            f"{equal} of {compared} files equal byte for byte (WAV and FLAC)"
            + (f"; first to differ: {diff[0]}" if diff else ""), equal, "all equal",
            checked([f"bytes.{e}.{p}" for e in ("wav", "flac")],
                    verdict(equal == compared and compared >= int(meta.get("check_jobs", 1)) * 2)))

    # 9. Isolation cost, worker memory, serum-unwrap.
    for p, name in PLUGINS.items():
        iso, raw = runs.median_s(f"warm.1s.{p}"), runs.median_s(f"noisolate.1s.{p}")
        if meta.get("no_isolate") != "yes" or raw is None:
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

    # The sandbox's cost (issue 18): its start-up, from batches of one job,
    # and per job after it, from the batches of N, each against the same run
    # without --sandbox.
    for p, name in PLUGINS.items():
        box, box1 = runs.median_s(f"sandbox.1s.{p}"), runs.median_s(f"sandbox1.1s.{p}")
        iso, iso1 = runs.median_s(f"warm.1s.{p}"), runs.median_s(f"warm1.1s.{p}")
        if meta.get("sandbox") != "yes" or None in (box, box1, iso, iso1):
            row(f"sandbox.{p}", "sandbox cost (--sandbox vs without)", f"{name}, {one_s}",
                "not measured: no --sandbox, or no sandbox can be made here (bwrap)", None, "none set", "-")
            continue
        n = int(meta.get("one_s_jobs", 2))
        per_job_ms = ((box - box1) - (iso - iso1)) / (n - 1) * 1000
        row(f"sandbox.{p}", "sandbox cost (--sandbox vs without)", f"{name}, {one_s}",
            f"start-up {(box1 - iso1) * 1000:+.1f} ms ({fmt(box1)} s vs {fmt(iso1)} s, one job); "
            f"{per_job_ms:+.2f} ms a job after it ({fmt(box)} s vs {fmt(iso)} s, {n} jobs)",
            per_job_ms, "none set", checked([f"sandbox.1s.{p}", f"sandbox1.1s.{p}"], "-"),
            start_s=box1 - iso1, per_job_ms=per_job_ms)

    for p, name in PLUGINS.items():
        m = (runs.get(f"rss.{p}") or [None])[0]
        if not m:
            continue
        peaks = m["proc_peaks"]
        steps = list(peaks)  # the job counts sampled after, in order

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

    windows_rows(runs, meta, row, checked, host_cost, fmt)
    pinning_rows(runs, row, checked, fmt)
    clean_state_rows(runs, row, checked, fmt)
    against_rows(runs, row, checked, fmt)

    rate = runs.rate("serum-unwrap")
    row("serum_unwrap", "serum-unwrap conversions per second",
        f"6 Serum 2 fixtures x {meta.get('serum_loops')}, one process", f"{fmt(rate)} conversions/s", rate,
        "none set", checked(["serum-unwrap"], "-"))

    # Where a job's time goes: the 1 s FLAC jobs in each mode.
    for p, name in PLUGINS.items():
        parts = []
        for iso in isolations:
            h = hosts.get(f"1s.{iso}.flac.{p}")
            if h:
                parts.append(f"{iso}: {fmt(h['wall_s'] * 1000)} ms = plugin {fmt(h['plugin_s'] * 1000)}"
                             f" + encoder {fmt(h['encoder_s'] * 1000)} + host {fmt(h['host_s'] * 1000)},"
                             f" start-up {fmt(h['startup_s'])} s")
        if parts:
            note = f"Where a job's time goes, {name}, {one_s} as FLAC (ms a job after start-up): " + "; ".join(parts)
            fork, reset = hosts.get(f"1s.fork.flac.{p}"), hosts.get(f"1s.reset.flac.{p}")
            if fork and reset and reset["plugin_s"] > 0:
                note += (f". The process calls take {fork['plugin_s'] / reset['plugin_s']:.2g}x as long in a"
                         " forked child as in place: the child's first touches of its memory (copy-on-write"
                         " page faults, cold caches) count here as the plugin's time")
            notes.append(note + ".")
    # How render-one ran each plugin's jobs by default (isolation auto).
    for p, name in PLUGINS.items():
        runs_of = runs.get(f"warm.short.{p}")
        if runs_of and runs_of[0].get("results"):
            r = runs_of[0]["results"]
            notes.append(f"{name} ({KIND[p]}): {r['plugin_name']} {r['plugin_version'] or ''}".rstrip()
                         + f", fresh_instance in {r['fresh_instance']} of {r['records']} jobs by default,"
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
    if meta.get("only") == "oneoff":  # BENCH_ONLY=oneoff: issue 33's rows alone
        rows = [r for r in rows if r["id"].split(".")[0] in ("oneoff", "batch1", "firstsight", "make", "warm")]
    if meta.get("only") == "preset-scan":  # BENCH_ONLY=preset-scan: its rows alone
        rows = [r for r in rows if r["id"].startswith("preset_scan")]
    if meta.get("only") == "dataset":  # BENCH_ONLY=dataset: issue 32's rows alone
        rows = [r for r in rows if r["id"] in ("param_sample", "dataset_pack", "dataset_rate", "dataset_set_params")]
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
