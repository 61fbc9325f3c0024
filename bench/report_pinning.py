# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 45's rows of the bench table (bench/pinning measures them): the
CPU time a job costs pinned against --real-randomness, the JUCE test synth
in its juce::Random mode, one-off and in a batch, on Linux and under wine."""
import statistics

GOAL_MS = 0.1  # pinned may cost at most this much more CPU a job than real
SYSTEMS = {"linux": "Linux, VST3", "windows": "Windows under wine, VST3"}
CASES = {"oneoff": "one job a process (render-one -o)",
         "batch": "a batch, --isolation fork (Linux) / fresh (Windows)"}
SUBJECT = "vr-test-synth in its juce::Random mode, note 0.5 s + 0.5 s, WAV"


def paired_differences(runs, keys):
    """Each round's CPU a job pinned less real (seconds): the two sides of
    a round ran back to back, so the difference leaves out what the
    machine did from round to round, which a difference of the two sides'
    medians keeps."""
    sides = [{m["round"]: m["cpu_s"] / m["jobs"] for m in runs.get(k) if "cpu_s" in m and m["jobs"]} for k in keys]
    return [sides[0][r] - sides[1][r] for r in sorted(set(sides[0]) & set(sides[1]))]


def pinning_rows(runs, row, checked, fmt):
    for sys_key, sys_name in SYSTEMS.items():
        skipped = runs.get(f"pin.{sys_key}.not_measured")
        if skipped:
            for case, measure in CASES.items():
                row(f"pinning.{sys_key}.{case}", f"what pinning costs: {measure}", f"{SUBJECT}, {sys_name}",
                    f"not measured: {skipped[0]['why']}", None, f"<= +{GOAL_MS:g} ms CPU a job", "-")
            continue
        for case, measure in CASES.items():
            keys = [f"pin.{sys_key}.{case}.pinned", f"pin.{sys_key}.{case}.real"]
            per_job = {}
            for k in keys:
                ms = [m["cpu_s"] / m["jobs"] for m in runs.get(k) if "cpu_s" in m and m["jobs"]]
                per_job[k] = statistics.median(ms) if ms else None
            pinned, real = (per_job[k] for k in keys)
            diffs = paired_differences(runs, keys)
            if pinned is None or real is None or not diffs:
                row(f"pinning.{sys_key}.{case}", f"what pinning costs: {measure}", f"{SUBJECT}, {sys_name}",
                    "no measurement", None, f"<= +{GOAL_MS:g} ms CPU a job", "check")
                continue
            extra_ms = statistics.median(diffs) * 1000
            jobs = runs.get(keys[0])[0]["jobs"]
            walls = [statistics.median(m["seconds"] / m["jobs"] for m in runs.get(k)) for k in keys]
            row(f"pinning.{sys_key}.{case}", f"what pinning costs: {measure}",
                f"{SUBJECT}, {sys_name}, {jobs} jobs a run",
                f"CPU {fmt(pinned * 1000)} ms a job pinned vs {fmt(real * 1000)} ms real: {extra_ms:+.3f} ms"
                f" (the median of {len(diffs)} rounds' differences, {min(diffs) * 1000:+.2f} to"
                f" {max(diffs) * 1000:+.2f} ms; wall {fmt(walls[0] * 1000)} vs {fmt(walls[1] * 1000)} ms)", extra_ms,
                f"<= +{GOAL_MS:g} ms CPU a job",
                checked(keys, "pass" if extra_ms <= GOAL_MS else "miss"),
                pinned_cpu_s=pinned, real_cpu_s=real, pinned_wall_s=walls[0], real_wall_s=walls[1], jobs=jobs)
