#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Automation: a job's (or a chain stage's) `automation` moves parameters
# during the render. Seen through the test synth's effect variant
# (tests/plugins/README.md, "Effect"): it reads `level` at the start of each
# process call and plays input x 2 x level, so a constant 0.5 input comes out
# as the level itself, sub-block by sub-block: a scope of the automation.
bats_require_minimum_version 1.5.0
load helper

LV2_EFFECT="$VR_TEST_SYNTH_LV2_EFFECT"
PY=/usr/bin/python3
# name, plugin and the index of `level` as the host numbers the parameters
# (JUCE's LV2 host lists Bypass first, then the names in C order)
FORMATS="vst3 $VR_TEST_SYNTH_VST3 0
vst2 $VR_TEST_SYNTH_VST2 0
lv2 $LV2_EFFECT 8"
RAMP='{"level":[[0,0],[1,1]]}'

# The inputs, written once: noise.npy (0.1 s, stereo; helper.bash) and
# half.npy, 1 s of 0.5. A test's own files go beside its out folder.
setup_file() {
    local in="$BATS_FILE_TMPDIR/in"
    mkdir -p "$in"
    write_test_audio "$in" 16
    "$PY" -c "import numpy as np; np.save('$in/half.npy', np.full((48000, 2), 0.5, np.float32))"
}

setup() {
    IN="$BATS_FILE_TMPDIR/in"
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# FILE: a render whose sample n follows n / DEN in steps of STEP frames
# (half.npy under the level ramp 0 to 1 over 1 s: DEN 48000; halved by a
# stage before the ramp: 96000). Prints: whether every sample
# is within STEP frames of the ramp, the number of distinct values, whether
# each aligned STEP-frame piece holds one value, and whether that value is
# exactly the ramp's at the piece's first frame (in float32, as the plugin
# gets it); then whether both channels are the same.
ramp_figures() {
    "$PY" - "$@" <<'PY'
import sys
import numpy as np
path, step, den = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = np.load(path)
x = a[:, 0].astype(np.float64)
n = np.arange(len(x))
pieces = x.reshape(-1, step)
starts = (np.arange(0, len(x), step) / den).astype(np.float32)
print(bool(np.abs(x - n / den).max() <= step / den), len(np.unique(x)),
      bool((pieces == pieces[:, :1]).all()), bool((a[::step, 0] == starts).all()),
      bool((a[:, 0] == a[:, 1]).all()))
PY
}

@test "a ramp reaches the plugin at each sub-block's first frame, in VST3, VST2 and LV2" {
    local name plugin idx
    while read -r name plugin idx; do
        # The default step (32) and --automation-step's job field.
        sh_run_lines "VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$plugin' --input '$IN/half.npy' --tail 0 2>/dev/null" \
            "{\"output_path\":\"$OUT/$name-32.npy\",\"automation\":$RAMP}" \
            "{\"output_path\":\"$OUT/$name-8.npy\",\"automation\":$RAMP,\"automation_step\":8}"
        assert_success
        run jq -c '[.status, .plugin_format, .frames, .automation_step]' <<<"$output"
        assert_output "[\"ok\",\"$name\",48000,32]
[\"ok\",\"$name\",48000,8]"
        # 48000 / 32 sub-blocks, each off the ramp by less than its length.
        run ramp_figures "$OUT/$name-32.npy" 32 48000
        assert_output "True 1500 True True True"
        run ramp_figures "$OUT/$name-8.npy" 8 48000
        assert_output "True 6000 True True True"
    done <<<"$FORMATS"
    cmp "$OUT/vst3-32.npy" "$OUT/vst2-32.npy"
    cmp "$OUT/vst3-32.npy" "$OUT/lv2-32.npy"
}

@test "a constant automation, one point or several equal ones, is set_params bit for bit; the next job is untouched" {
    local name plugin idx
    while read -r name plugin idx; do
        sh_run_lines "VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$plugin' --input '$IN/noise.npy' --tail 0 2>/dev/null" \
            "{\"output_path\":\"$OUT/$name-set.npy\",\"set_params\":{\"level\":0.3}}" \
            "{\"output_path\":\"$OUT/$name-one.npy\",\"automation\":{\"level\":[[0.02,0.3]]}}" \
            "{\"output_path\":\"$OUT/$name-equal.npy\",\"automation\":{\"$idx\":[[0,0.3],[0.05,0.3],[0.09,0.3]]}}" \
            "{\"output_path\":\"$OUT/$name-plain.npy\"}"
        assert_success
        run jq -c '[.status, .automation_step]' <<<"$output"
        assert_output '["ok",null]
["ok",32]
["ok",32]
["ok",null]'
        cmp "$OUT/$name-set.npy" "$OUT/$name-one.npy"
        cmp "$OUT/$name-set.npy" "$OUT/$name-equal.npy"
        # The level 0.3 took: the input times 0.6 (to 1 ulp of the cast).
        run "$PY" -c "import numpy as np; x = np.load('$IN/noise.npy').astype(np.float64); y = np.load('$OUT/$name-set.npy')
print(bool(np.abs(y - x * 0.6).max() < 1e-7), bool(np.abs(x).max() > 0.1))"
        assert_output "True True"
        # A job after them gets the default level 0.5 back: the input.
        run npy_diff "$IN/noise.npy" "$OUT/$name-plain.npy"
        assert_output "0.0 0"
    done <<<"$FORMATS"
}

@test "two points at one time make a step on the exact frame, in VST3, VST2 and LV2" {
    local name plugin idx
    while read -r name plugin idx; do
        # 0.3125 s is frame 15000, in the middle of a 512-frame block.
        run env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$plugin" --input "$IN/half.npy" --tail 0 \
            --automation '{"level":[[0.3125,0.25],[0.3125,1]]}' -o "$OUT/$name.npy"
        assert_success
        assert_equal "$(jq -r .status <<<"$output")" ok
        run "$PY" -c "import numpy as np; x = np.load('$OUT/$name.npy')[:, 0]
print((np.flatnonzero(np.diff(x)) + 1).tolist(), x[0], x[-1])"
        assert_output "[15000] 0.25 1.0"
    done <<<"$FORMATS"
}

@test "a chain stage's automation moves that stage alone; the same plugin twice is two instances" {
    jq -cn --arg a "$VR_TEST_SYNTH_VST3" --arg b "$VR_TEST_SYNTH_VST2" --arg l "$LV2_EFFECT" \
        --arg o "$OUT" --arg i "$IN/half.npy" --argjson r "$RAMP" '
        {output_path: ($o + "/mixed.npy"), input_path: $i, tail_s: 0,
         chain: [{plugin_path: $a}, {plugin_path: $b, automation: $r}]},
        {output_path: ($o + "/twice.npy"), input_path: $i, tail_s: 0,
         chain: [{plugin_path: $a, set_params: {level: 0.25}}, {plugin_path: $a, set_params: {level: 0.75}}]},
        {output_path: ($o + "/twice-lv2.npy"), input_path: $i, tail_s: 0,
         chain: [{plugin_path: $l, set_params: {level: 0.25}}, {plugin_path: $l, automation: $r}]}' > "$BATS_TEST_TMPDIR/jobs"
    sh_run "VR_TEST_SYNTH_EFFECT=1 render-one < '$BATS_TEST_TMPDIR/jobs' 2>/dev/null"
    assert_success
    run jq -c '[.status, has("automation"), .automation_step, (.chain | map(.automation))]' <<<"$output"
    assert_line --index 0 "[\"ok\",false,32,[null,$RAMP]]"
    assert_line --index 1 '["ok",false,null,[null,null]]'
    assert_line --index 2 "[\"ok\",false,32,[null,$RAMP]]"
    # Stage 0 at its default level passes the 0.5 on; stage 1 plays the ramp.
    run ramp_figures "$OUT/mixed.npy" 32 48000
    assert_output "True 1500 True True True"
    # 0.5 x (2 x 0.25) x (2 x 0.75); one instance for both would give
    # 0.125 or 1.125.
    run "$PY" -c "import numpy as np; print(np.unique(np.load('$OUT/twice.npy')).tolist())"
    assert_output "[0.375]"
    # Stage 0 halves the 0.5; stage 1's ramp, not stage 0's level, moves.
    run ramp_figures "$OUT/twice-lv2.npy" 32 96000
    assert_output "True 1500 True True True"
}

@test "the record echoes automation and automation_step; --params reads the values after the render" {
    # --automation and --automation-step for the job without its own.
    sh_run_lines "VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$VR_TEST_SYNTH_VST3' --input '$IN/half.npy' --tail 0 \
            --params --automation '{\"level\":[[0,0],[0.5,1]]}' --automation-step 64 2>/dev/null" \
        "{\"output_path\":\"$OUT/flags.npy\"}" \
        "{\"output_path\":\"$OUT/own.npy\",\"automation\":{\"release\":[[0,0.25]],\"0\":[[0,0.25]]},\"automation_step\":16}"
    assert_success
    run jq -c '[.status, .automation, .automation_step, (.params[:2] | map([.name, .value, .text]))]' <<<"$output"
    assert_line --index 0 '["ok",{"level":[[0,0],[0.5,1]]},64,[["level",1,"1.000"],["release",0.10000000149011612,"100.0 ms"]]]'
    assert_line --index 1 '["ok",{"release":[[0,0.25]],"0":[[0,0.25]]},16,[["level",0.25,"0.250"],["release",0.25,"250.0 ms"]]]'
    # Held after the last point: 375 sub-blocks of the ramp, then 1.
    run "$PY" -c "import numpy as np; x = np.load('$OUT/flags.npy')[:, 0]
print(len(np.unique(x[:24000])), bool((x[24000:] == 1).all()), np.unique(np.load('$OUT/own.npy')).tolist())"
    assert_output "375 True [0.25]"
}

@test "bad automation fails its job naming the parameter or the field; the run goes on" {
    local chain="[{\"plugin_path\":\"$VR_TEST_SYNTH_VST3\"}]"
    sh_run_lines "VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$VR_TEST_SYNTH_VST3' --input '$IN/noise.npy' --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/1.npy\",\"automation\":{\"level\":[[0.5,0.1],[0.2,0.3]]}}" \
        "{\"output_path\":\"$OUT/2.npy\",\"automation\":{\"level\":[[0,1e999]]}}" \
        "{\"output_path\":\"$OUT/3.npy\",\"automation\":{\"level\":[[0,1.5]]}}" \
        "{\"output_path\":\"$OUT/4.npy\",\"automation\":{\"level\":[[0,-0.1]]}}" \
        "{\"output_path\":\"$OUT/5.npy\",\"automation\":{\"level\":[[-0.5,0.1]]}}" \
        "{\"output_path\":\"$OUT/6.npy\",\"automation\":{\"level\":[]}}" \
        "{\"output_path\":\"$OUT/7.npy\",\"automation\":{\"level\":[[0.1]]}}" \
        "{\"output_path\":\"$OUT/8.npy\",\"automation\":{\"lvl\":[[0,0.1]]}}" \
        "{\"output_path\":\"$OUT/9.npy\",\"automation\":[[0,0.1]]}" \
        "{\"output_path\":\"$OUT/10.npy\",\"automation\":{\"level\":[[0,0.1]]},\"chain\":$chain}" \
        "{\"output_path\":\"$OUT/11.npy\",\"automation\":{\"level\":[[0,\"x\"]]}}" \
        "{\"output_path\":\"$OUT/12.npy\",\"automation\":{\"99\":[[0,0.1]]}}" \
        "{\"output_path\":\"$OUT/13.npy\",\"automation\":{\"level\":[[4000,0.1]]}}" \
        "{\"output_path\":\"$OUT/14.npy\",\"automation\":{\"level\":[[0,0.1]]},\"automation_step\":0}" \
        "{\"output_path\":\"$OUT/15.npy\",\"automation\":{\"level\":[[0,0.1]]},\"automation_step\":8193}" \
        "{\"output_path\":\"$OUT/ok.npy\",\"automation\":{\"level\":[[0,0.25]]}}"
    assert_failure 1
    run jq -r '[.status, .error.message // "-"] | @tsv' <<<"$output"
    assert_line --index 0 "error	automation: parameter 'level': point 1 at 0.2 s comes before point 0 at 0.5 s: points must be sorted by time"
    # A number JSON cannot hold makes the line a bad one, as anywhere.
    assert_line --index 1 "error	line 2: not JSON: number overflow parsing '1e999'"
    assert_line --index 2 "error	automation: parameter 'level': point 0: value 1.5 is outside 0 to 1"
    assert_line --index 3 "error	automation: parameter 'level': point 0: value -0.1 is outside 0 to 1"
    assert_line --index 4 "error	automation: parameter 'level': point 0: time -0.5 s is outside 0 to 3600 s"
    assert_line --index 5 "error	automation: parameter 'level': must be a non-empty array of points [time_s, value]"
    assert_line --index 6 "error	automation: parameter 'level': point 0 must be [time_s, value], not 1 numbers"
    assert_line --index 7 "error	automation: the plugin has no parameter 'lvl'; the nearest of its 16: 'level' (0) (a job rendered with --params lists them all)"
    assert_line --index 8 "error	field 'automation' must be an object {\"<parameter index or name>\": [[time_s, value], ...]}"
    assert_line --index 9 "error	field 'automation' and a chain: give each stage's plugin, program, state, preset, set_params, automation and sidechain in its stage"
    assert_line --index 10 "error	automation: parameter 'level': point 0: value is not a number"
    assert_line --index 11 "error	automation: the plugin has no parameter '99': it has 16, indexes 0 to 15"
    assert_line --index 12 "error	automation: parameter 'level': point 0: time 4000 s is outside 0 to 3600 s"
    assert_line --index 13 "error	field 'automation_step' is 0, outside 1..8192"
    assert_line --index 14 "error	field 'automation_step' is 8193, outside 1..8192"
    assert_line --index 15 "ok	-"
    assert_equal "$(names_in "$OUT")" ok.npy
    run "$PY" -c "import numpy as np; print(bool((np.load('$OUT/ok.npy') == np.load('$IN/noise.npy') * np.float32(0.5)).all()))"
    assert_output True
    # The flags are checked before anything renders.
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST3" --automation '{"level":[[0,1e999]]}' -o "$OUT/x.npy"
    assert_output --partial "render-one: --automation: not JSON: number overflow parsing '1e999'"
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST3" --automation '{"level":[[0,1.5]]}' -o "$OUT/x.npy"
    assert_output --partial "render-one: --automation: automation: parameter 'level': point 0: value 1.5 is outside 0 to 1"
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST3" --automation-step 0 -o "$OUT/x.npy"
    assert_output --partial "render-one: --automation-step must be between 1 and 8192"
    assert_equal "$(names_in "$OUT")" ok.npy
}

@test "100,000 points of alternating ramps render every frame on the lines between them" {
    # A point every 10 us alternating 0 and 1: every frame is inside a ramp
    # of its own, so each is processed alone and gets its value exactly.
    "$PY" -c "import json; print(json.dumps({'output_path': '$OUT/dense.npy',
'automation': {'level': [[round(i * 1e-5, 5), i % 2] for i in range(100000)]}}, separators=(',', ':')))" > "$BATS_TEST_TMPDIR/job"
    sh_run "VR_TEST_SYNTH_EFFECT=1 render-one --plugin '$VR_TEST_SYNTH_VST3' --input '$IN/half.npy' --tail 0 \
            < '$BATS_TEST_TMPDIR/job' 2>/dev/null"
    assert_success
    run jq -c '[.status, .frames, (.automation.level | length)]' <<<"$output"
    assert_output '["ok",48000,100000]'
    run "$PY" -c "import numpy as np; x = np.load('$OUT/dense.npy')[:, 0].astype(np.float64); i = np.arange(100000)
want = np.interp(np.arange(48000) / 48000, i * 1e-5, i % 2)
print(x.min() >= 0, x.max() <= 1, bool(np.abs(x - want).max() < 1e-7), len(np.unique(x)) > 10)"
    assert_output "True True True True"
}

@test "a MIDI file and automation together: the CC ends the note, the automated release decides how" {
    # Note 69 at 0 s, CC 123 (all notes off) at 0.25 s, its note-off at
    # 0.5 s; 480 ticks a quarter note at 120 bpm. VST2 passes CCs on (VST3
    # has no CC events).
    "$PY" -c "import struct; ev = bytes([0, 0x90, 69, 127, 0x81, 0x70, 0xB0, 123, 0, 0x81, 0x70, 0x80, 69, 0, 0, 0xFF, 0x2F, 0])
open('$OUT/cc.mid', 'wb').write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, 480) + b'MTrk' + struct.pack('>I', len(ev)) + ev)"
    run render-one --plugin "$VR_TEST_SYNTH_VST2" --midi "$OUT/cc.mid" --tail 0 -o "$OUT/release.npy" \
        --automation '{"release":[[0.2,0.1],[0.2,0]]}'
    assert_success
    assert_equal "$(jq -c '[.status, .frames, .peak_dbfs]' <<<"$output")" '["ok",24000,-6.02]'
    run render-one --plugin "$VR_TEST_SYNTH_VST2" --midi "$OUT/cc.mid" --tail 0 -o "$OUT/plain.npy"
    assert_success
    # With release 0 the voice ends at the CC (frame 12000), with the
    # default 0.1 s 4800 frames later; before it, the README's sine.
    run "$PY" -c "import numpy as np
for f in ['release', 'plain']:
    x = np.load('$OUT/' + f + '.npy')[:, 0]; t = np.arange(12000)
    s = 0.5 * np.sin(2 * 3.141592653589793 * 440.0 * t / 48000)
    print(f, int(np.flatnonzero(x)[-1]) + 1, bool(np.abs(x[:12000] - s).max() < 1e-6))"
    assert_output "release 12000 True
plain 16800 True"
}
