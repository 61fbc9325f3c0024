#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A real Debian plugin follows the host's tempo (issue 47): synthv1 (LV2)
# reads time:beatsPerMinute from the play head, and its delay with Delay
# BPM at 0 ("sync to host") waits Delay Delay beats, here 1, a quarter note.
# One short note, a loud wet delay with feedback: the echoes' onsets,
# measured on the output, lie 1 s apart at 60 bpm and 0.25 s apart at 240.
# The same delay at its own 180 bpm renders the same bytes at both tempos,
# so the difference is the play head's doing.
bats_require_minimum_version 1.5.0
load helper

SYNTHV1=http://synthv1.sourceforge.net/lv2
PY=/usr/bin/python3
RATE=48000
# The delay fully wet, 1 beat, feedback 0.5 (synthv1 scales it by 0.95: each
# echo 6.5 dB below the one before), and no release on the note: an echo is
# a burst of about 52 ms with silence around it. Values are normalised
# 0..1; Delay BPM spans 0..360, so 0 is "host" and 0.5 its own 180 bpm.
DELAY='"Delay Wet": 1, "Delay Delay": 1, "Delay Feedback": 0.5, "DCA1 Release": 0, "DCA2 Release": 0'

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# A job record: output $1, tempo $2, Delay BPM (normalised) $3. A 50 ms
# note, then 3.2 s: at 60 bpm the dry note and three echoes.
delay_job() {
    echo "{\"output_path\": \"$OUT/$1\", \"bpm\": $2, \"duration_s\": 0.05, \"tail_s\": 3.2," \
        "\"set_params\": {$DELAY, \"Delay BPM\": $3}}"
}

# Prints the frames between the onsets of the first four bursts of the
# .npy file $1 (the dry note and its first three echoes): a burst starts at
# the first frame above -60 dB of the file's peak after 50 ms below it.
# Fails if it finds fewer than four.
echo_periods() {
    "$PY" - "$1" <<'PY'
import sys
import numpy as np
a = np.abs(np.load(sys.argv[1])).max(axis=1)
loud = np.flatnonzero(a > a.max() * 1e-3)
starts = loud[np.r_[True, np.diff(loud) > 2400]]
if len(starts) < 4:
    sys.exit(f"{len(starts)} bursts, not 4 or more, at frames {starts.tolist()}")
print(*np.diff(starts[:4]).tolist())
PY
}

# Asserts that there is a period (frames) in $1 and that each lies within
# 2% of $2.
assert_periods_near() {
    local p want=$2
    [[ -n $1 ]] || fail "no echo periods to compare with $want"
    for p in $1; do
        ((100 * (p > want ? p - want : want - p) <= 2 * want)) ||
            fail "echo period $p frames is not within 2% of $want (periods: $1)"
    done
}

@test "synthv1's delay synced to the host echoes a quarter note apart: 1 s at 60 bpm, 0.25 s at 240 bpm" {
    # Both jobs in one run: the second plays in a reused instance, which
    # must hear the new tempo too.
    run --separate-stderr render-one --plugin "$SYNTHV1" < <(delay_job 60.npy 60 0; delay_job 240.npy 240 0)
    assert_success
    assert_equal "$(jq -sc 'map([.status, .bpm])' <<<"$output")" '[["ok",60],["ok",240]]'
    local p60 p240
    p60=$(echo_periods "$OUT/60.npy")
    p240=$(echo_periods "$OUT/240.npy")
    # A quarter note: 60 / bpm seconds.
    assert_periods_near "$p60" "$RATE"
    assert_periods_near "$p240" $((RATE / 4))
    # The ratio of the mean periods is 4, within 2%.
    local s60=0 s240=0 p
    for p in $p60; do s60=$((s60 + p)); done
    for p in $p240; do s240=$((s240 + p)); done
    ((100 * (s60 > 4 * s240 ? s60 - 4 * s240 : 4 * s240 - s60) <= 2 * 4 * s240)) ||
        fail "the periods at 60 bpm ($p60) are not 4 times those at 240 bpm ($p240), within 2%"
    run cmp -s "$OUT/60.npy" "$OUT/240.npy"
    assert_failure
}

@test "synthv1's delay at its own 180 bpm ignores the host's: 60 and 240 bpm give the same bytes, echoes 1/3 s apart" {
    run --separate-stderr render-one --plugin "$SYNTHV1" < <(delay_job 60.npy 60 0.5; delay_job 240.npy 240 0.5)
    assert_success
    assert_equal "$(jq -sc 'map([.status, .bpm])' <<<"$output")" '[["ok",60],["ok",240]]'
    cmp "$OUT/60.npy" "$OUT/240.npy"
    local periods
    periods=$(echo_periods "$OUT/60.npy")
    assert_periods_near "$periods" $((RATE / 3))
}
