# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 46's rows of the bench table (bench/clean_state measures them):
what a clean state per job costs a Windows plugin, auto isolation (the
mode the probe picks) against --isolation fresh, and the same plugin's
Linux build forked, as a figure."""
import statistics

JOB_GOAL = 1.5    # a job's clean state: at most this times a fresh job
BATCH_GOAL = 1.25  # a batch in auto: at most this times the batch in fresh
SUBJECTS = {"static-pinned": "vr-test-static-state, pinned (C, VST2)",
            "synth-vst3": "vr-test-synth (JUCE, VST3)"}
JOBS_OF = "0.2 s + 0.1 s to WAV"


def _median(runs, key, f):
    vals = [f(m) for m in runs.get(key) if m.get("jobs")]
    return statistics.median(vals) if vals else None


def clean_state_rows(runs, row, checked, fmt):
    for s, name in SUBJECTS.items():
        skipped = runs.get(f"clean.{s}.not_measured")
        if skipped:
            for rid, measure in (("job", "a job's clean state after start-up"),
                                 ("batch", "a batch in auto isolation")):
                row(f"clean_state.{s}.{rid}", f"{measure} against --isolation fresh", name,
                    f"not measured: {skipped[0]['why']}", None, "-", "-")
            continue
        per_job, batch, modes = {}, {}, {}
        for side in ("auto", "fresh", "fork"):
            b, o = f"clean.{s}.{side}.batch", f"clean.{s}.{side}.one"
            tb = _median(runs, b, lambda m: m["seconds"])
            to = _median(runs, o, lambda m: m["seconds"])
            jobs = runs.get(b)[0]["jobs"] if runs.get(b) else None
            per_job[side] = (tb - to) / (jobs - 1) if tb is not None and to is not None and jobs > 1 else None
            batch[side] = tb
            got = [i for m in runs.get(b) for i in (m.get("results") or {}).get("isolations", [])]
            modes[side] = "/".join(sorted(set(got))) or "?"
        keys = [f"clean.{s}.{side}.{k}" for side in ("auto", "fresh") for k in ("batch", "one")]
        auto, fresh, fork = per_job["auto"], per_job["fresh"], per_job["fork"]
        if auto is None or fresh is None or fresh <= 0:
            row(f"clean_state.{s}.job", "a job's clean state after start-up against --isolation fresh", name,
                "no measurement", None, f"<= {JOB_GOAL:g}x fresh", "check")
            continue
        ratio = auto / fresh
        fork_text = f"; its Linux build forked {fmt(fork * 1000)} ms a job" if fork is not None else ""
        jobs = runs.get(keys[0])[0]["jobs"]
        row(f"clean_state.{s}.job", "a job's clean state after start-up against --isolation fresh",
            f"{name}, {JOBS_OF}, {jobs} jobs a batch, probe cache cold",
            f"auto ({modes['auto']}) {fmt(auto * 1000)} ms a job vs fresh {fmt(fresh * 1000)} ms = "
            f"{ratio:.2f}x{fork_text}", ratio, f"<= {JOB_GOAL:g}x fresh",
            checked(keys, "pass" if ratio <= JOB_GOAL else "miss"),
            auto_s=auto, fresh_s=fresh, fork_s=fork, auto_mode=modes["auto"])
        bratio = batch["auto"] / batch["fresh"]
        row(f"clean_state.{s}.batch", "a batch in auto isolation against the same in --isolation fresh",
            f"{name}, {JOBS_OF}, {jobs} jobs",
            f"auto ({modes['auto']}) {fmt(batch['auto'])} s vs fresh {fmt(batch['fresh'])} s = {bratio:.2f}x",
            bratio, f"<= {BATCH_GOAL:g}x fresh", checked(keys, "pass" if bratio <= BATCH_GOAL else "miss"),
            auto_batch_s=batch["auto"], fresh_batch_s=batch["fresh"])
