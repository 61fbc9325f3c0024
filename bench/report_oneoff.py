# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 33's rows of the bench table (bench/oneoff.bash measures them):
one job a process against the minimal C host on the same render."""
import statistics

GOAL_ONEOFF_RATIO = 1.1  # render-one -o, and a batch of one seen before, over the minimal host's process
GOAL_MAKE_RATIO = 1.3    # render.mk -j2 per job over the minimal host's, two at a time

PLUGINS = {"nekobi": "Nekobi", "amsynth": "amsynth"}
RENDER = "note 60, 1 s + 0.5 s, 44.1 kHz"


def oneoff_rows(runs, row, checked, fmt, verdict):
    def med(key, field="seconds"):
        values = [m[field] for m in runs.get(key) if field in m]
        return statistics.median(values) if values else None

    for p, name in PLUGINS.items():
        base, base_cpu = med(f"min1.{p}"), med(f"min1.{p}", "cpu_s")
        if base is None:
            continue
        # The goals are checked on --warm's rows (a warm render-one up); the
        # same runs without --warm are figures. A session's CPU is the warm
        # render-one's, not the caller's: --warm's rows give wall time only.
        cases = [("oneoff.wav", "render-one -o (WAV), seen before, no --warm", False),
                 ("oneoff.flac", "render-one -o (FLAC), seen before, no --warm", False),
                 ("batch1", "a batch of one job on stdin, seen before, no --warm", False),
                 ("firstsight", "a batch of one job on stdin, first sight (the probe's cost)", False),
                 ("warm.wav", "render-one --warm -o (WAV), its warm render-one up", True),
                 ("warm.flac", "render-one --warm -o (FLAC), its warm render-one up", True),
                 ("warm.batch1", "a batch of one job on stdin with --warm, its warm render-one up", True)]
        for key, measure, goal in cases:
            wall, cpu = med(f"{key}.{p}"), med(f"{key}.{p}", "cpu_s")
            if key.startswith("warm."):
                cpu = None
            if wall is None:
                continue
            ratio = wall / base
            figure = (f"{fmt(wall * 1000)} vs {fmt(base * 1000)} ms = {fmt(ratio)}x wall"
                      + (f" (CPU {fmt(cpu * 1000)} vs {fmt(base_cpu * 1000)} ms)" if cpu and base_cpu else ""))
            keys = [f"{key}.{p}", f"min1.{p}"]
            row(f"{key}.{p}", measure + " vs the minimal C host", f"{name}, {RENDER}", figure, ratio,
                f"<= {GOAL_ONEOFF_RATIO:g}x" if goal else "none (a figure)",
                checked(keys, verdict(ratio <= GOAL_ONEOFF_RATIO) if goal else "-"),
                wall_s=wall, cpu_s=cpu, minimal_wall_s=base, minimal_cpu_s=base_cpu, runs=len(runs.get(f"{key}.{p}")))
        for key, flags, goal in [("make.j2", "", False), ("make.j2.warm", " RENDER_FLAGS=--warm", True)]:
            mk, mn = runs.get(f"{key}.{p}"), runs.get(f"min.j2.{p}")
            if not (mk and mn):
                continue
            per, per_min = med(f"{key}.{p}") / mk[0]["jobs"], med(f"min.j2.{p}") / mn[0]["jobs"]
            ratio = per / per_min
            row(f"{key}.{p}", f"make -f examples/render.mk -j2{flags} vs minimal hosts two at a time",
                f"{name}, {mk[0]['jobs']} jobs, {RENDER}",
                f"{fmt(per * 1000)} vs {fmt(per_min * 1000)} ms a job = {fmt(ratio)}x", ratio,
                f"<= {GOAL_MAKE_RATIO:g}x" if goal else "none (a figure)",
                checked([f"{key}.{p}", f"min.j2.{p}"], verdict(ratio <= GOAL_MAKE_RATIO) if goal else "-"),
                s_per_job=per, minimal_s_per_job=per_min, jobs=mk[0]["jobs"])
