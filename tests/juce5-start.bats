#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A JUCE 5 plugin's start-up loads every time under the pinned wall clock
# (render-one(1), Reproducibility; lib/linux/wall_waits.hpp): its entry
# point starts a message thread that first waits up to 10 s, on a deadline
# of gettimeofday, for the event the entry point then signals, and the
# entry point polls until the thread runs. tests/plugins/juce5_start does
# the same; its -late build signals only once the thread has begun its
# wait, the interleaving that hung: the deadline, computed from the pinned
# clock (2020), was handed to libc as it was and had passed, the wait
# ended at once, the thread ended without running, and the load spun until
# the load allowance ran out ("timeout after 150.0 s (loading the
# plugin)"; here --load-timeout 20 bounds it). And a load that times out
# is retried (--retries), with an allowance --load-timeout gives.
bats_require_minimum_version 1.5.0
load helper

START=$VR_TEST_JUCE5_START_VST2
LATE=$VR_TEST_JUCE5_START_LATE_VST2
PY=/usr/bin/python3

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
    export HOME="$BATS_TEST_TMPDIR/home"
    mkdir -p "$HOME"
}

# The .npy $1 is note 69's sine: its FFT peak within a bin of 440 Hz and
# its peak 0.5 (within 1%).
assert_a440() {
    run "$PY" - "$1" <<'EOF'
import sys
import numpy as np
x = np.load(sys.argv[1])[:, 0].astype(np.float64)
f = np.argmax(np.abs(np.fft.rfft(x * np.hanning(len(x))))) * 48000 / len(x)
peak = np.max(np.abs(x))
ok = abs(f - 440) <= 48000 / len(x) and abs(peak - 0.5) < 0.005
print("ok" if ok else f"frequency {f}, peak {peak}")
EOF
    assert_output ok
}

@test "the JUCE 5 start-up that hung (the thread waits before the signal) loads and plays, one-off and in a batch" {
    render-one --plugin "$LATE" --note 69 --duration 0.5 --tail 0 --load-timeout 20 -o "$OUT/one.npy" \
        > "$OUT/one.json"
    run jq -r '.status + " " + (.error.message // "")' "$OUT/one.json"
    assert_output "ok "
    assert_a440 "$OUT/one.npy"
    # A batch: the probe's instances and every job's share the process's
    # one message thread, started once.
    printf '{"output_path":"%s/b%d.npy"}\n' "$OUT" 1 "$OUT" 2 "$OUT" 3 \
        | render-one --plugin "$LATE" --note 69 --duration 0.5 --tail 0 --load-timeout 20 > "$OUT/batch.ndjson"
    run jq -r .status "$OUT/batch.ndjson"
    assert_output "ok
ok
ok"
    cmp "$OUT/one.npy" "$OUT/b1.npy" || fail "the batch's first job differs from the one-off"
    cmp "$OUT/b1.npy" "$OUT/b3.npy" || fail "the batch's jobs differ"
}

@test "the JUCE 5 start-up loads in every isolation, and with the real wall clock" {
    local isolation
    for isolation in reset fork fresh process; do
        render-one --plugin "$LATE" --note 69 --duration 0.5 --tail 0 --load-timeout 20 --isolation "$isolation" \
            -o "$OUT/$isolation.npy" > "$OUT/$isolation.json"
        run jq -r .status "$OUT/$isolation.json"
        assert_output ok
        cmp "$OUT/reset.npy" "$OUT/$isolation.npy" || fail "$isolation differs"
    done
    render-one --plugin "$LATE" --note 69 --duration 0.5 --tail 0 --load-timeout 20 --real-randomness \
        -o "$OUT/real.npy" > "$OUT/real.json"
    run jq -r .status "$OUT/real.json"
    assert_output ok
    assert_a440 "$OUT/real.npy"
}

@test "the start-up as the scheduler interleaves it: five one-off loads each play" {
    local i
    for i in 1 2 3 4 5; do
        render-one --plugin "$START" --note 69 --duration 0.2 --tail 0 --load-timeout 20 --no-cache \
            -o "$OUT/s$i.npy" > "$OUT/s$i.json"
        run jq -r .status "$OUT/s$i.json"
        assert_output ok
    done
    cmp "$OUT/s1.npy" "$OUT/s5.npy" || fail "two loads render otherwise"
}

@test "--load-timeout bounds a load that hangs, and --retries tries it again in a new worker" {
    local hang=$VR_TEST_BAD_DIR/hang-on-load.so
    run -1 render-one --plugin "$hang" --duration 0.1 --timeout 0.5 --load-timeout 0.5 -o "$OUT/hang.wav" \
        --records "$OUT/hang.json"
    run jq -c '[.status, .error.message, .attempts]' "$OUT/hang.json"
    assert_output '["error","timeout after 1.0 s (loading the plugin)",1]'
    run -1 render-one --plugin "$hang" --duration 0.1 --timeout 0.5 --load-timeout 0 --retries 2 -o "$OUT/hang.wav" \
        --records "$OUT/retried.json"
    run jq -c '[.status, .error.message, .attempts]' "$OUT/retried.json"
    assert_output '["error","timeout after 0.5 s (loading the plugin)",3]'
    [ ! -e "$OUT/hang.wav" ] || fail "a job whose load hung left an output"
}

@test "--load-timeout takes seconds, 0 or more" {
    run render-one --plugin "$START" --load-timeout -1 -o "$OUT/x.wav"
    assert_failure 2
    assert_output --partial "--load-timeout"
}
