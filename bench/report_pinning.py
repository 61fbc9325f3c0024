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


def paired_differences(runs, keys, field="cpu_s"):
    """Each round's CPU a job (or, with field, another figure a job)
    pinned less real: the two sides of a round ran back to back, so the
    difference leaves out what the machine did from round to round, which
    a difference of the two sides' medians keeps."""
    sides = [{m["round"]: m[field] / m["jobs"] for m in runs.get(k) if field in m and m["jobs"]} for k in keys]
    return [sides[0][r] - sides[1][r] for r in sorted(set(sides[0]) & set(sides[1]))]


def faults_text(runs, keys):
    """The page faults a job that read no file, pinned against real, and
    the mean of the paired differences ("" where child-cpu did not count
    them): a fresh page costs its fault and the kernel's zeroing of it,
    whichever side touches it."""
    medians = []
    for k in keys:
        per_job = [m["minor_faults"] / m["jobs"] for m in runs.get(k) if "minor_faults" in m and m["jobs"]]
        if not per_job:
            return "", None
        medians.append(statistics.median(per_job))
    diffs = paired_differences(runs, keys, "minor_faults")
    if not diffs:
        return "", None
    mean = statistics.mean(diffs)
    return (f"; page faults a job {medians[0]:.1f} vs {medians[1]:.1f}, {mean:+.1f} (mean of the pairs',"
            f" range {min(diffs):+.1f} to {max(diffs):+.1f})"), mean


def calls_text(runs, sys_key, case):
    """The system calls a job of the one run a side made under strace
    (bench/calls.py), pinned against real, and the calls that differ most
    ("" where none was counted)."""
    sides = []
    for side in ("pinned", "real"):
        counted = [m for m in runs.get(f"pin.{sys_key}.{case}.calls.{side}") if "syscalls" in m and m["jobs"]]
        if not counted:
            return ""
        sides.append(counted[0])
    pinned, real = sides
    jobs = pinned["jobs"]
    names = set(pinned["by_call"]) | set(real["by_call"])
    moved = sorted(((pinned["by_call"].get(n, 0) - real["by_call"].get(n, 0), n) for n in names),
                   key=lambda d: (-abs(d[0]), d[1]))
    most = ", ".join(f"{n} {d / jobs:+.1f}" for d, n in moved[:4] if d)
    return (f"; system calls a job {pinned['syscalls'] / jobs:.1f} vs {real['syscalls'] / jobs:.1f},"
            f" {(pinned['syscalls'] - real['syscalls']) / jobs:+.1f} (one run a side under strace"
            f"{': ' + most if most else ''})")


def mean_and_margin(diffs):
    """The mean of the differences and the half width of its 95% interval
    (1.96 standard errors; none from a single difference), in ms."""
    mean = statistics.mean(diffs) * 1000
    half = 1.96 * statistics.stdev(diffs) * 1000 / len(diffs) ** 0.5 if len(diffs) > 1 else float("inf")
    return mean, half


def verdict(mean_ms, half_ms):
    """pass when the whole interval is within the goal, miss when all of it
    is past it; else the machine's spread hides the answer."""
    if mean_ms + half_ms <= GOAL_MS:
        return "pass"
    if mean_ms - half_ms > GOAL_MS:
        return "miss"
    return "within the spread"


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
            mean_ms, half_ms = mean_and_margin(diffs)
            jobs = runs.get(keys[0])[0]["jobs"]
            walls = [statistics.median(m["seconds"] / m["jobs"] for m in runs.get(k)) for k in keys]
            pairs = "pairs of processes'" if case == "oneoff" else "rounds'"
            faults, extra_faults = faults_text(runs, keys)
            faults += calls_text(runs, sys_key, case)
            row(f"pinning.{sys_key}.{case}", f"what pinning costs: {measure}",
                f"{SUBJECT}, {sys_name}, {jobs} jobs a run",
                f"CPU {fmt(pinned * 1000)} ms a job pinned vs {fmt(real * 1000)} ms real: {mean_ms:+.3f}"
                f" +- {half_ms:.3f} ms (the mean of {len(diffs)} {pairs} differences and its 95% margin;"
                f" median {statistics.median(diffs) * 1000:+.3f}, range {min(diffs) * 1000:+.2f} to"
                f" {max(diffs) * 1000:+.2f} ms; wall {fmt(walls[0] * 1000)} vs {fmt(walls[1] * 1000)} ms{faults})",
                mean_ms,
                f"<= +{GOAL_MS:g} ms CPU a job",
                checked(keys, verdict(mean_ms, half_ms)),
                pinned_cpu_s=pinned, real_cpu_s=real, pinned_wall_s=walls[0], real_wall_s=walls[1], jobs=jobs,
                extra_ms_margin=half_ms, differences=len(diffs), extra_faults_a_job=extra_faults)
