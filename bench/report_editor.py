# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 67's row of the bench table (bench/editor measures it): a batch
with a picture of the plugin's editor a job against the same batch
without, the two sides of each pair back to back."""
import statistics

GOAL = 1.3  # with pictures at most this times without, in wall time
SUBJECT = "test synth VST3, level 0..1, note 60, 1 s + 0.5 s, one render-one"


def editor_rows(runs, row, checked, fmt):
    skipped = runs.get("editor.not_measured")
    if skipped:
        row("editor", "a batch with pictures against without", SUBJECT, f"not measured: {skipped[0]['why']}",
            None, "-", "-")
        return
    plain = {m["round"]: m for m in runs.get("editor.plain")}
    shots = {m["round"]: m for m in runs.get("editor.shots")}
    pairs = [(plain[r], shots[r]) for r in sorted(plain) if r in shots]
    if not pairs:
        return
    facts = (runs.get("editor.facts") or [{}])[0]
    jobs = pairs[0][0]["jobs"]
    without = statistics.median(p["seconds"] for p, _ in pairs) / jobs
    with_ = statistics.median(s["seconds"] for _, s in pairs) / jobs
    ratio = statistics.median(s["seconds"] / p["seconds"] for p, s in pairs)
    same = facts.get("files_differ") == 0 and facts.get("pictures") == jobs
    note = "" if same else (f"; {facts.get('files_differ', '?')} of {jobs} files differ, "
                            f"{facts.get('pictures', '?')} pictures")
    result = "pass" if ratio <= GOAL else "miss"
    row("editor", "a batch with pictures against without", f"{SUBJECT}, {jobs} jobs",
        f"{fmt(with_ * 1000)} ms a job with a picture vs {fmt(without * 1000)} ms without = {ratio:.2f}x "
        f"(median of {len(pairs)} pairs' ratios){note}",
        ratio, f"<= {GOAL:g}x", checked(["editor.plain", "editor.shots"], result if same else "check"),
        with_s=with_, without_s=without, pairs=len(pairs))
