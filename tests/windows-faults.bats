#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A Windows plugin that crashes costs its job and nothing else; one that
# prints costs nothing. The one
# Windows suite the sanitized pass runs too: its render-one is sanitized,
# the Windows worker is the plain build's (a mingw build has no sanitizers).

load helper
bats_require_minimum_version 1.5.0

setup() {
    require_wine warm
    cd "$BATS_TEST_TMPDIR" || exit 1
}

# Kills the Windows worker of render-one $1 by SIGKILL once the hang
# plugin has begun to hang (it makes ./hanging, VR_WIN_HANG_MARK), then
# waits for render-one: its exit status in status.
kill_worker_once_hanging() {
    local pid=$1 win
    win=$(await_windows_worker_of "$pid") || fail "the job's Windows worker never started"
    for _ in $(seq 6000); do if [ -e hanging ]; then break; fi; sleep 0.01; done
    [ -e hanging ] || fail "the plugin never began to hang"
    kill -KILL "$win"
    status=0
    wait "$pid" || status=$?
}

@test "a batch goes on past a Windows plugin that crashes: its job's record names the exception, the next renders" {
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' '{"note":100,"output_path":"b.npy"}' \
        '{"note":64,"output_path":"c.npy"}' '{"note":64,"output_path":"d.npy","isolation":"process"}' >jobs.ndjson
    run --separate-stderr render-one --plugin "$VR_WIN_CRASH_VST2" <jobs.ndjson
    assert_failure 1
    assert_equal "$(jq -rc '[.output_path, .status, .error.message // .isolation] | join(" ")' <<<"$output")" \
        "a.npy ok reset
b.npy error the plugin crashed in the Windows worker (access violation, 0xC0000005 in crash.dll)
c.npy ok reset
d.npy ok process"
    # The jobs after the crash sound as the one before it did, note for note.
    run /usr/bin/python3 -c "import numpy as np; a, c, d = (np.load(f) for f in ('a.npy', 'c.npy', 'd.npy'))
print(float(np.abs(a).max()) > 0.05, np.array_equal(c, d))"
    assert_output "True True"
    [[ ! -e b.npy ]] || fail "the crashed job left b.npy"
}

# A Windows worker killed from outside (the kernel's OOM killer, a user's
# kill -9) costs the job in flight, whose record names the signal, in its
# message and in error.signal, as a job's child's death does (before:
# "signal 9", and no error.signal).
@test "a Windows worker killed by SIGKILL fails its job, the record naming SIGKILL, and the next job renders" {
    # Note 100 hangs in the plugin's process call: its job stays in flight.
    printf '%s\n' '{"note":100,"output_path":"a.npy"}' '{"note":60,"output_path":"b.npy"}' >jobs.ndjson
    VR_WIN_HANG_MARK="Z:$PWD/hanging" render-one --plugin "$VR_WIN_HANG_VST2" --timeout 120 \
        <jobs.ndjson >results 2>err &
    # Killed once the plugin hangs in the render.
    kill_worker_once_hanging $!
    assert_equal "$status" 1
    assert_equal "$(jq -rc '[.output_path, .status, .error.message // "-", .error.signal // "-"] | join(" ")' results)" \
        "a.npy error the Windows worker was killed (signal SIGKILL) SIGKILL
b.npy ok - -"
    assert_equal "$(/usr/bin/python3 -c "import numpy as np; print(float(np.abs(np.load('b.npy')).max()) > 0.05)")" True
    [[ ! -e a.npy ]] || fail "the killed job left a.npy"
}

# Killed by SIGKILL as its plugin loads, the Windows worker is not taken
# for one whose plugin needs a window (which fails to load, or crashes
# loading, where wine has no display): SIGKILL comes only from outside.
# Before, the load was tried again under an Xvfb started for it, said on
# stderr ("did not load with no display"), and the hang plugin hung there
# until the load's time-out.
@test "a Windows worker killed by SIGKILL as its plugin loads fails the job naming SIGKILL, with no display started" {
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' >jobs.ndjson
    # The plugin hangs as it loads (VR_WIN_FAULT_AT_LOAD), making the mark.
    env -u DISPLAY VR_WIN_FAULT_AT_LOAD=1 VR_WIN_HANG_MARK="Z:$PWD/hanging" \
        render-one --plugin "$VR_WIN_HANG_VST2" --timeout 30 <jobs.ndjson >results 2>err &
    kill_worker_once_hanging $!
    assert_equal "$status" 1
    assert_equal "$(jq -rc '[.output_path, .status, .error.message // "-", .error.signal // "-"] | join(" ")' results)" \
        "a.npy error the Windows worker was killed (signal SIGKILL) SIGKILL"
    if grep -q 'did not load with no display' err; then fail "the load was tried again with a display: $(cat err)"; fi
}

# --retries tries a job again in a new worker when its plugin crashed:
# the Windows worker's death is such a crash (before: one try, whatever N).
@test "--retries: a Windows plugin that crashes is tried N+1 times; a flaky one renders on a retry" {
    run --separate-stderr render-one --plugin "$VR_WIN_CRASH_VST2" --retries 2 <<<'{"note":100,"output_path":"a.npy"}'
    assert_failure 1
    assert_equal "$(jq -rc '[.status, .attempts, .error.message] | join(" ")' <<<"$output")" \
        "error 3 the plugin crashed in the Windows worker (access violation, 0xC0000005 in crash.dll)"
    [[ ! -e a.npy ]] || fail "the crashed job left a.npy"
    # Crashes at its first try only (which makes the file), renders at the second.
    VR_WIN_CRASH_ONCE="Z:$PWD/crashed" run --separate-stderr render-one --plugin "$VR_WIN_CRASH_VST2" \
        --retries 1 <<<'{"note":100,"output_path":"b.npy"}'
    assert_success
    assert_equal "$(jq -rc '[.status, .attempts] | join(" ")' <<<"$output")" "ok 2"
    run /usr/bin/python3 -c "import numpy as np; print(float(np.abs(np.load('b.npy')).max()) > 0.05)"
    assert_output "True"
    # One that crashes as it loads, too (before c50e218: one try, the
    # load's failure kept as a plain error). DISPLAY set: no Xvfb is
    # started for the load's crash.
    DISPLAY=:99 VR_WIN_FAULT_AT_LOAD=1 run --separate-stderr render-one --plugin "$VR_WIN_CRASH_VST2" --retries 1 \
        <<<'{"note":60,"output_path":"c.npy"}'
    assert_failure 1
    assert_equal "$(jq -rc '[.status, .attempts, .error.message] | join(" ")' <<<"$output")" \
        "error 2 the plugin crashed in the Windows worker (access violation, 0xC0000005 in crash.dll)"
}

# A plugin's prints on the Windows worker's standard output (printf, and
# WriteFile on the handle) go to stderr, never onto the wire (before:
# every job waited out its load's time-out, the worker's answer garbled).
@test "a Windows plugin that prints on its standard output renders as a quiet one; the noise goes to stderr" {
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' '{"note":64,"output_path":"b.npy"}' >jobs.ndjson
    VR_WIN_PRINT=1 run --separate-stderr render-one --plugin "$VR_WIN_CRASH_VST2" <jobs.ndjson
    assert_success
    assert_equal "$(jq -rc '[.output_path, .status] | join(" ")' <<<"$output")" "a.npy ok
b.npy ok"
    # (printf's lines end in CR LF: the plugin's C runtime writes text.)
    local noise
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    noise=$(tr -d '\r' <<<"$stderr")
    assert_equal "$(grep -cx 'vr-win-vst2: note 64' <<<"$noise")" 1
    assert_equal "$(grep -cx 'vr-win-vst2: note on' <<<"$noise")" "$(grep -c 'vr-win-vst2: note [0-9]' <<<"$noise")"
    mkdir quiet
    run render-one --plugin "$VR_WIN_CRASH_VST2" -o quiet/b.npy --note 64
    assert_success
    run /usr/bin/python3 -c "import numpy as np; b, q = np.load('b.npy'), np.load('quiet/b.npy')
print(float(np.abs(b).max()) > 0.05, np.array_equal(b, q))"
    assert_output "True True"
}
