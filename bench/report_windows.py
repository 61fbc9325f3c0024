# SPDX-License-Identifier: GPL-3.0-or-later
"""The Windows rows of the bench table (issue 30's goals), from what
bench/windows measured: the test synth's Windows VST2 under wine beside its
Linux VST2 natively, 1 s jobs (0.5 s + 0.5 s) to WAV; and issue 68's,
vr-test-chunk-read's batch in auto isolation against --isolation fresh."""
import statistics

AUDIO_S = 1.0           # a job's audio: 0.5 s held + 0.5 s tail
GOAL_HOST_RATIO = 1.5   # a warm job's host cost under wine: at most this times the native one...
GOAL_HOST_MS_PER_S = 1.0  # ...plus this many ms per second of audio
GOAL_PROCESS_MS = 100.0  # --isolation process: tens of milliseconds a job, not half a second
SUBJECT = "vr-test-synth VST2, 1 s (0.5 s + 0.5 s), WAV"
CHUNK_GOAL = 1.25  # issue 68: a batch in auto at most this times the same in --isolation fresh
CHUNK_SUBJECT = "vr-test-chunk-read VST2 (Windows build), 0.2 s + 0.1 s to WAV"


def _modes(runs, key):
    got = [i for m in runs.get(key) for i in (m.get("results") or {}).get("isolations", [])]
    return "/".join(sorted(set(got))) or "?"


def chunk_read_row(runs, meta, row, checked, fmt):
    """Issue 68's row: vr-test-chunk-read's batch in auto against the same
    in --isolation fresh (the probe cache primed), with each side's cost a
    job after start-up and the auto batch with no cache as figures."""
    measure = "a batch in auto isolation against the same in --isolation fresh"
    skipped = runs.get("windows.chunk.not_measured") or runs.get("windows.not_measured")
    auto, fresh = runs.median_s("chunk.auto.batch"), runs.median_s("chunk.fresh.batch")
    if skipped or auto is None or fresh is None or fresh <= 0:
        why = skipped[0]["why"] if skipped else "bench/windows wrote no chunk-read figures"
        row("windows.chunk_read", measure, CHUNK_SUBJECT, f"not measured: {why}", None,
            f"<= {CHUNK_GOAL:g}x fresh", "-")
        return
    jobs = meta.get("win_chunk_jobs", "?")

    def per_job(side):
        b, o = runs.median_s(f"chunk.{side}.batch"), runs.median_s(f"chunk.{side}.one")
        n = runs.get(f"chunk.{side}.batch")[0]["jobs"]
        return (b - o) / (n - 1) if b is not None and o is not None and n > 1 else None

    def cpu(key):
        vals = [m["cpu_s"] for m in runs.get(key) if m.get("cpu_s") is not None]
        return statistics.median(vals) if vals else None

    ja, jf, cold = per_job("auto"), per_job("fresh"), runs.median_s("chunk.cold.batch")
    ca, cf = cpu("chunk.auto.batch"), cpu("chunk.fresh.batch")
    ratio = auto / fresh
    cpu_text = f"; CPU {fmt(ca)} vs {fmt(cf)} s = {ca / cf:.2f}x" if ca and cf else ""
    keys = [f"chunk.{side}.{k}" for side in ("auto", "fresh", "cold") for k in ("batch", "one")]
    jobs_text = (f"; a job after start-up {fmt(ja * 1000)} vs {fmt(jf * 1000)} ms"
                 if ja is not None and jf is not None else "")
    cold_text = (f"; auto with no cache ({_modes(runs, 'chunk.cold.batch')}, its probe in it) {fmt(cold)} s"
                 if cold is not None else "")
    row("windows.chunk_read", measure,
        f"{CHUNK_SUBJECT}, {jobs} jobs a batch, the probe cache primed",
        f"auto ({_modes(runs, 'chunk.auto.batch')}) {fmt(auto)} s vs fresh {fmt(fresh)} s = {ratio:.2f}x"
        f"{cpu_text}{jobs_text}{cold_text}", ratio, f"<= {CHUNK_GOAL:g}x fresh",
        checked(keys, "pass" if ratio <= CHUNK_GOAL else "miss"),
        auto_batch_s=auto, fresh_batch_s=fresh, auto_cpu_s=ca, fresh_cpu_s=cf, auto_job_s=ja, fresh_job_s=jf,
        cold_batch_s=cold)


def windows_rows(runs, meta, row, checked, host_cost, fmt):
    """Appends the Windows rows through row(); checked() flags a run that
    failed, host_cost() is report.py's (batch of N less batch of one)."""
    _synth_rows(runs, meta, row, checked, host_cost, fmt)
    chunk_read_row(runs, meta, row, checked, fmt)


def _synth_rows(runs, meta, row, checked, host_cost, fmt):
    """The test synth's rows (issue 30)."""
    skipped = runs.get("windows.not_measured")
    if skipped or not runs.get("host.1s.reset.wav.synth-win"):
        why = skipped[0]["why"] if skipped else "bench/windows wrote no figures (its messages on stderr say why)"
        for rid, measure in (("host", "host cost per job, Windows build under wine vs Linux build"),
                             ("startup", "start-up, Windows worker under wine vs native"),
                             ("process", "per-job cost of --isolation process (a Windows worker per job)")):
            row(f"windows.{rid}", measure, SUBJECT, f"not measured: {why}", None, "-", "-")
        return

    def keys(c):
        return [f"host.{c}", f"host1.{c}", f"encode.{c}"]

    def parts(h):
        return (f"plugin {fmt(h['plugin_s'] * 1000)} ms, encoder {fmt(h['encoder_s'] * 1000)} ms,"
                f" host {fmt(h['host_s'] * 1000)} ms (of {fmt(h['wall_s'] * 1000)} ms a job after start-up)")

    # A warm job's host cost, --isolation reset on both sides.
    win, lin = (host_cost(runs, f"1s.reset.wav.{s}") for s in ("synth-win", "synth-linux"))
    goal_text = f"<= {GOAL_HOST_RATIO:g}x native + {GOAL_HOST_MS_PER_S * AUDIO_S:g} ms"
    if win and lin:
        goal_ms = GOAL_HOST_RATIO * lin["host_s"] * 1000 + GOAL_HOST_MS_PER_S * AUDIO_S
        ms = win["host_s"] * 1000
        row("windows.host", "host cost per job, Windows build under wine vs Linux build",
            f"{SUBJECT}, --isolation reset, {meta.get('win_jobs', '?')} jobs a batch",
            f"wine: {parts(win)}; native: {parts(lin)}; {fmt(ms)} vs {fmt(goal_ms)} ms allowed",
            ms, f"{goal_text} (= {fmt(goal_ms)} ms)",
            checked(keys("1s.reset.wav.synth-win") + keys("1s.reset.wav.synth-linux"),
                    "pass" if ms <= goal_ms else "miss"),
            wine=win, native=lin, goal_ms=goal_ms)
    else:
        row("windows.host", "host cost per job, Windows build under wine vs Linux build", SUBJECT,
            "no measurement", None, goal_text, "check")

    # Start-up: a batch of one job (start, load, one render), the prefix made.
    cold = runs.median_s("start.cold.synth-win")
    up = runs.median_s("host1.1s.reset.wav.synth-win")
    native = runs.median_s("host1.1s.reset.wav.synth-linux")
    row("windows.startup", "start-up, Windows worker under wine vs native",
        f"{SUBJECT}: render-one with one job, the prefix made",
        f"wine {fmt(up)} s with the prefix's server up, {fmt(cold)} s with none running (render-one starts"
        f" it and the prefix's session); native {fmt(native)} s", up, "none (beside the native)",
        checked(["start.cold.synth-win", "host1.1s.reset.wav.synth-win", "host1.1s.reset.wav.synth-linux"], "-"),
        server_up_s=up, no_server_s=cold, native_s=native)

    # --isolation process: a Windows worker per job, beside the reset batch
    # and the native fork per job.
    proc, fork = host_cost(runs, "1s.process.wav.synth-win"), host_cost(runs, "1s.fork.wav.synth-linux")
    if proc and win:
        extra_ms = (proc["wall_s"] - win["wall_s"]) * 1000
        row("windows.process", "per-job cost of --isolation process (a Windows worker per job)",
            f"{SUBJECT}, {meta.get('win_proc_jobs', '?')} jobs a batch",
            f"{fmt(proc['wall_s'] * 1000)} ms a job after start-up ({parts(proc)}), {extra_ms:+.1f} ms a job"
            f" over --isolation reset; native --isolation fork {fmt(fork['wall_s'] * 1000) if fork else '?'} ms"
            " a job", extra_ms, f"< {GOAL_PROCESS_MS:g} ms a job over reset",
            checked(keys("1s.process.wav.synth-win") + keys("1s.fork.wav.synth-linux"),
                    "pass" if extra_ms < GOAL_PROCESS_MS else "miss"),
            process=proc, native_fork=fork)
    else:
        row("windows.process", "per-job cost of --isolation process (a Windows worker per job)", SUBJECT,
            "no measurement", None, f"< {GOAL_PROCESS_MS:g} ms a job over reset", "check")
