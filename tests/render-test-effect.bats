#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Our own effect: the test synth with VR_TEST_SYNTH_EFFECT=1 (VST3, VST2),
# or its bundle build/plugins/lv2-effect (LV2), has a stereo main input and
# plays output = input x (2 x level) + its voices (tests/plugins/README.md,
# "Effect"). So every sample is known: level 0.5 gives the input back bit
# for bit, 0.25 exactly half of it, a note adds the README's sine.
bats_require_minimum_version 1.5.0
load helper

LV2_EFFECT="$VR_TEST_SYNTH_LV2_EFFECT"
PY=/usr/bin/python3
# name and plugin, one format a line
FORMATS="vst3 $VR_TEST_SYNTH_VST3
vst2 $VR_TEST_SYNTH_VST2
lv2 $LV2_EFFECT"

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    IN="$BATS_TEST_TMPDIR/in"
    mkdir -p "$OUT" "$IN"
    # noise.npy (0.1 s, stereo) and sine44k.wav (helper.bash).
    write_test_audio "$IN" 16
}

# The largest difference between the float32 .npy render FILE of the input
# INPUT (silence after its end) and README.md's formula at 48 kHz: the input
# times 2 x LEVEL plus one note NOTE VELOCITY (release 0.1) with its
# note-off at frame OFF.
formula_error() {
    "$PY" - "$@" <<'PY'
import math, sys
import numpy as np
path, inp, level, note, vel, off = sys.argv[1:]
a, x = np.load(path), np.load(inp).astype(np.float64)
x = np.concatenate([x, np.zeros((a.shape[0] - x.shape[0], x.shape[1]))])
note, vel, off, sr = int(note), int(vel), int(off), 48000
level = float(np.float32(level))
f = 440.0 * math.pow(2.0, (note - 69) / 12.0)
amp = (vel / 127.0) * level
r = round(float(np.float32(0.1)) * sr)
t = np.arange(a.shape[0])
env = np.where(t < off, 1.0, 1.0 - (t - off) / r)
env[t >= off + r] = 0.0
voice = amp * env * np.sin(2.0 * math.pi * f * t.astype(np.float64) / sr)
y = (x * (2.0 * level) + voice[:, None]).astype(np.float32)
assert a.shape == x.shape and a.dtype == np.float32, (a.shape, a.dtype)
print(float(np.abs(a - y).max()))
PY
}

@test "the effect's bundle is the test synth's binary and a marker; its TTL adds two audio inputs" {
    cmp "$VR_TEST_SYNTH_LV2/libvr-test-synth.so" "$LV2_EFFECT/libvr-test-synth.so"
    cmp "$VR_TEST_SYNTH_LV2/manifest.ttl" "$LV2_EFFECT/manifest.ttl"
    # ui.ttl: JUCE's helper describes the synth's editor (tests/plugins/README.md, "Editor").
    assert_equal "$(names_in "$LV2_EFFECT")" "$(printf '%s\n' dsp.ttl effect libvr-test-synth.so manifest.ttl ui.ttl)"
    run grep -c 'a lv2:InputPort , lv2:AudioPort ;' "$VR_TEST_SYNTH_LV2/dsp.ttl"
    assert_output 0
    run grep -c 'a lv2:InputPort , lv2:AudioPort ;' "$LV2_EFFECT/dsp.ttl"
    assert_output 2
}

@test "at level 0.5 the input comes back bit for bit, in VST3, VST2 and LV2, with latency on too" {
    local name plugin
    while read -r name plugin; do
        run env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$plugin" --input "$IN/noise.npy" --tail 0 \
            -o "$OUT/$name.npy"
        assert_success
        run jq -c '[.status, .plugin_format, .frames, .channels, .input_duration_s, has("note")]' <<<"$output"
        assert_output "[\"ok\",\"$name\",4800,2,0.1,false]"
        run npy_diff "$IN/noise.npy" "$OUT/$name.npy"
        assert_output "0.0 0"
        # The input goes through the 64-sample delay as well, which the host
        # compensates.
        sh_run "echo '{\"output_path\":\"$OUT/$name-late.npy\",\"set_params\":{\"latency\":1}}' \
                | VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$plugin' --input '$IN/noise.npy' --tail 0 2>/dev/null"
        assert_success
        assert_equal "$(jq -r .status <<<"$output")" ok
        run npy_diff "$IN/noise.npy" "$OUT/$name-late.npy"
        assert_output "0.0 0"
    done <<<"$FORMATS"
}

@test "at level 0.25 the output is exactly half the input, in VST3, VST2 and LV2" {
    local name plugin
    while read -r name plugin; do
        sh_run "echo '{\"output_path\":\"$OUT/$name.npy\",\"set_params\":{\"level\":0.25}}' \
                | VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$plugin' --input '$IN/noise.npy' --tail 0 2>/dev/null"
        assert_success
        assert_equal "$(jq -r .status <<<"$output")" ok
        # x * 0.5 is exact in float32 (a power of two), so equality is.
        run "$PY" -c "import numpy as np; a = np.load('$IN/noise.npy'); b = np.load('$OUT/$name.npy')
print(b.dtype, b.shape, bool((b == a * np.float32(0.5)).all()), bool((b != a).any()))"
        assert_output "float32 (4800, 2) True True"
    done <<<"$FORMATS"
}

@test "an input and a note: the input times 2 x level plus the README's sine, in VST3, VST2 and LV2" {
    local name plugin
    while read -r name plugin; do
        # The key is released after 0.05 s, the input lasts 0.1 s, then
        # 0.01 s of tail.
        sh_run "echo '{\"output_path\":\"$OUT/$name.npy\",\"set_params\":{\"level\":0.75},\"note\":64,\"velocity\":110,\"duration_s\":0.05}' \
                | VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$plugin' --input '$IN/noise.npy' --tail 0.01 2>/dev/null"
        assert_success
        run jq -c '[.status, .frames, .note]' <<<"$output"
        assert_output '["ok",5280,64]'
        run formula_error "$OUT/$name.npy" "$IN/noise.npy" 0.75 64 110 2400
        assert_success
        awk -v e="$output" 'BEGIN { exit !(e <= 1e-6) }' || fail "$name: largest difference from the formula: $output"
        # The same without the note: the note is what differs.
        run formula_error "$OUT/$name.npy" "$IN/noise.npy" 0.75 64 0 2400
        assert_success
        awk -v e="$output" 'BEGIN { exit !(e > 0.5) }' || fail "$name: the note is missing: $output"
    done <<<"$FORMATS"
    cmp "$OUT/vst3.npy" "$OUT/vst2.npy"
    cmp "$OUT/vst3.npy" "$OUT/lv2.npy"
}

@test "a 44.1 kHz WAV input is resampled to the job's rate, its level kept, the same in every format" {
    local name plugin
    while read -r name plugin; do
        sh_run "echo '{\"output_path\":\"$OUT/$name.npy\",\"input_path\":\"$IN/sine44k.wav\"}' \
                | VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$plugin' --tail 0 2>/dev/null"
        assert_success
        run jq -c '[.status, .input_resampled_from_hz, .input_duration_s, .frames, .channels]' <<<"$output"
        assert_output '["ok",44100,0.5,24000,2]'
    done <<<"$FORMATS"
    # The level of the 44.1 kHz samples, to 0.05 dB (away from the
    # resampler's edges).
    run "$PY" -c "import wave, numpy as np; w = wave.open('$IN/sine44k.wav');
a = np.frombuffer(w.readframes(22050), '<i2').astype(np.float64) / 32768; b = np.load('$OUT/vst3.npy').astype(np.float64)
db = lambda x: 10 * np.log10(np.mean(x * x)); print(round(db(a), 1), abs(db(a) - db(b[2400:21600])) < 0.05)"
    assert_output "-23.8 True"
    cmp "$OUT/vst3.npy" "$OUT/vst2.npy"
    cmp "$OUT/vst3.npy" "$OUT/lv2.npy"
}

@test "without VR_TEST_SYNTH_EFFECT the test synth takes no input; in LV2 the bundle decides" {
    local msg="the plugin takes no audio input (it has 0 audio inputs, 2 outputs: input buses: none; output buses:"
    local plugin
    for plugin in "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_VST2" "$VR_TEST_SYNTH_LV2"; do
        sh_run "env -u VR_TEST_SYNTH_EFFECT render-one --plugin '$plugin' --input '$IN/noise.npy' --tail 0 \
                -o '$OUT/x.npy' 2>/dev/null"
        assert_failure 1
        run jq -r '[.status, .error.message] | @tsv' <<<"$output"
        assert_output --partial "error	$msg"
        assert_output --partial "): input_path is for effects"
    done
    # The ordinary bundle stays an instrument with the variable set, and the
    # effect's bundle an effect without it: their TTLs say so.
    sh_run "VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$VR_TEST_SYNTH_LV2' --input '$IN/noise.npy' --tail 0 \
            -o '$OUT/x.npy' 2>/dev/null"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "$msg 'Output' (Stereo)): input_path is for effects"
    [ -z "$(names_in "$OUT")" ] || fail "written: $(names_in "$OUT")"
    sh_run "env -u VR_TEST_SYNTH_EFFECT render-one --plugin '$LV2_EFFECT' --input '$IN/noise.npy' --tail 0 \
            -o '$OUT/lv2.npy' 2>/dev/null"
    assert_success
    run npy_diff "$IN/noise.npy" "$OUT/lv2.npy"
    assert_output "0.0 0"
}

@test "with no input, the effect variant plays the instrument's very samples" {
    local name plugin synth
    while read -r name plugin; do
        synth=$plugin
        [ "$name" != lv2 ] || synth=$VR_TEST_SYNTH_LV2
        run env -u VR_TEST_SYNTH_EFFECT render-one --plugin "$synth" --duration 0.1 --tail 0.1 -o "$OUT/$name-synth.npy"
        assert_success
        run env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$plugin" --duration 0.1 --tail 0.1 -o "$OUT/$name-effect.npy"
        assert_success
        assert_equal "$(jq -c '[.status, .note, .peak_dbfs]' <<<"$output")" '["ok",60,-8.1]'
        cmp "$OUT/$name-synth.npy" "$OUT/$name-effect.npy"
    done <<<"$FORMATS"
}

@test "an input longer than the note: the note-off comes at the note's end, as without the input" {
    "$PY" -c "import numpy as np; np.save('$IN/zeros.npy', np.zeros((4800, 2), np.float32))"
    run env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --input "$IN/zeros.npy" --note 64 \
        --duration 0.05 --tail 0 -o "$OUT/long-input.npy"
    assert_success
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --note 64 --duration 0.05 --tail 0.05 -o "$OUT/note.npy"
    assert_success
    # Silent input: the note alone, released at 0.05 s (2400 frames) in both.
    run npy_diff "$OUT/long-input.npy" "$OUT/note.npy"
    assert_output "0.0 0"
}
