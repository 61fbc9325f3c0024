# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 69's rows of the bench table (bench/against measures them): a
job's wall time now against an older commit's, one-off and in a batch, the
two sides of each pair back to back."""
import statistics

GOAL = 1.02  # now at most this times then, in wall time
SUBJECT = "amsynth, note 60, 1 s + 0.5 s"


def _pairs(runs, kind):
    """(then, now) wall times and CPU times of each round both sides ran."""
    old = {m["round"]: m for m in runs.get(f"against.{kind}.old")}
    new = {m["round"]: m for m in runs.get(f"against.{kind}.new")}
    return [(old[r], new[r]) for r in sorted(old) if r in new]


def against_rows(runs, row, checked, fmt):
    skipped = runs.get("against.not_measured")
    if skipped:
        why, commit = skipped[0]["why"], skipped[0].get("commit", "?")
        for kind, measure in (("oneoff", "a one-off's wall time"), ("batch", "a batch job's wall time")):
            row(f"against.{kind}", f"{measure} against {commit}", SUBJECT, f"not measured: {why}", None, "-", "-")
        return
    facts = (runs.get("against.facts") or [{}])[0]
    commit = facts.get("commit", "?")
    same = facts.get("files_differ") == 0
    bytes_note = "" if same else f"; {facts.get('files_differ', '?')} of {facts.get('files', '?')} files differ"
    for kind, measure, subject in (
            ("oneoff", "a one-off's wall time", f"{SUBJECT}, render-one -o"),
            ("batch", "a batch job's wall time", f"{SUBJECT}, 59 programs on stdin, one render-one")):
        pairs = _pairs(runs, kind)
        if not pairs:
            continue
        jobs = pairs[0][0]["jobs"]
        then = statistics.median(o["seconds"] for o, _ in pairs) / jobs
        now = statistics.median(n["seconds"] for _, n in pairs) / jobs
        ratio = statistics.median(n["seconds"] / o["seconds"] for o, n in pairs)
        cpus = [n["cpu_s"] / o["cpu_s"] for o, n in pairs if o.get("cpu_s") and n.get("cpu_s") is not None]
        cpu_ratio = statistics.median(cpus) if cpus else None
        cpu_text = f"; CPU {cpu_ratio:.3f}x" if cpu_ratio is not None else ""
        per = "" if jobs == 1 else " a job"
        keys = [f"against.{kind}.old", f"against.{kind}.new"]
        result = "pass" if ratio <= GOAL else "miss"
        row(f"against.{kind}", f"{measure} against {commit}", subject,
            f"now {fmt(now * 1000)} ms vs then {fmt(then * 1000)} ms{per} = {ratio:.3f}x "
            f"(median of {len(pairs)} pairs' ratios{cpu_text}){bytes_note}",
            ratio, f"<= {GOAL:g}x then", checked(keys, result if same else "check"),
            now_s=now, then_s=then, pairs=len(pairs), cpu_ratio=cpu_ratio, commit=commit)
