# SPDX-License-Identifier: GPL-3.0-or-later
"""The Windows rows of the bench table (issue 30's goals), from what
bench/windows measured: the test synth's Windows VST2 under wine beside its
Linux VST2 natively, 1 s jobs (0.5 s + 0.5 s) to WAV."""

AUDIO_S = 1.0           # a job's audio: 0.5 s held + 0.5 s tail
GOAL_HOST_RATIO = 1.5   # a warm job's host cost under wine: at most this times the native one...
GOAL_HOST_MS_PER_S = 1.0  # ...plus this many ms per second of audio
GOAL_PROCESS_MS = 100.0  # --isolation process: tens of milliseconds a job, not half a second
SUBJECT = "vr-test-synth VST2, 1 s (0.5 s + 0.5 s), WAV"


def windows_rows(runs, meta, row, checked, host_cost, fmt):
    """Appends the Windows rows through row(); checked() flags a run that
    failed, host_cost() is report.py's (batch of N less batch of one)."""
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
