#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Sidechains: a job's (or a chain stage's) sidechain_path feeds the plugin's
# second input bus. Seen through the test synth's sidechain variant
# (tests/plugins/README.md, "Sidechain"), which adds that bus to its output:
# with a silent main input the output is the sidechain, sample for sample.
# Then a real one, DPF's Amplitude Imposer, and the ways a job fails.
bats_require_minimum_version 1.5.0
load helper

LV2_SIDECHAIN="$VR_TEST_SYNTH_LV2_SIDECHAIN"
IMPOSER=/usr/lib/lv2/AmplitudeImposer.lv2
PY=/usr/bin/python3
# name and plugin, one format a line (VST2 has no sidechain bus)
FORMATS="vst3 $VR_TEST_SYNTH_VST3
lv2 $LV2_SIDECHAIN"

# The inputs, written once: sine44k.wav (0.5 s, stereo; helper.bash), 1 s
# of silence and of noise, 0.5 s of noise in 2, 1 and 3 channels, float32
# at 48 kHz. A test's own files go beside its out folder.
setup_file() {
    local in="$BATS_FILE_TMPDIR/in"
    mkdir -p "$in"
    write_test_audio "$in" 16
    "$PY" -c "import numpy as np; r = np.random.default_rng(7)
noise = lambda c, n=24000: (r.standard_normal((n, c)) * 0.1).astype(np.float32)
np.save('$in/silence.npy', np.zeros((48000, 2), np.float32)); np.save('$in/main.npy', noise(2, 48000))
for name, c in [('sc', 2), ('sc-b', 2), ('sc-mono', 1), ('sc-3ch', 3)]: np.save('$in/' + name + '.npy', noise(c))"
}

setup() {
    IN="$BATS_FILE_TMPDIR/in"
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# Prints whether the float32 .npy render FILE equals, sample for sample,
# MAIN (a .npy, or 0 for silence) times SCALE plus SIDE (a .npy, each
# channel c its channel min(c, channels - 1)) followed by silence; the sum
# in double, then cast, as the plugin computes it.
equals_main_plus_side() {
    "$PY" - "$@" <<'PY'
import sys
import numpy as np
path, main, scale, side = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
a = np.load(path)
want = np.zeros(a.shape)
if main != "0":
    want += np.load(main).astype(np.float64) * scale
s = np.load(side).astype(np.float64)
s = s[:, [min(c, s.shape[1] - 1) for c in range(a.shape[1])]]
want[:len(s)] += s
print(a.dtype, a.shape, bool((a == want.astype(np.float32)).all()))
PY
}

@test "with a silent main input the output is the sidechain, then silence, in VST3 and LV2" {
    local name plugin
    while read -r name plugin; do
        # The flag, and a job's own file in its place.
        sh_run_lines "VR_TEST_SYNTH_SIDECHAIN=1 render-one --plugin '$plugin' --input '$IN/silence.npy' \
                --sidechain '$IN/sc.npy' --tail 0 2>/dev/null" \
            "{\"output_path\":\"$OUT/$name.npy\"}" \
            "{\"output_path\":\"$OUT/$name-b.npy\",\"sidechain_path\":\"$IN/sc-b.npy\"}"
        assert_success
        local recs=$output
        run jq -c '[.status, .plugin_format, .frames, .sidechain_path, .sidechain_duration_s,
                    has("sidechain_resampled_from_hz"), .input_duration_s]' <<<"$recs"
        assert_output "[\"ok\",\"$name\",48000,\"$IN/sc.npy\",0.5,false,1]
[\"ok\",\"$name\",48000,\"$IN/sc-b.npy\",0.5,false,1]"
        # The hashes are of the files' bytes, as input_sha256.
        run jq -r .sidechain_sha256 <<<"$recs"
        assert_output "$(sha256sum "$IN/sc.npy" "$IN/sc-b.npy" | cut -d' ' -f1)"
        run equals_main_plus_side "$OUT/$name.npy" 0 0 "$IN/sc.npy"
        assert_output "float32 (48000, 2) True"
        run equals_main_plus_side "$OUT/$name-b.npy" 0 0 "$IN/sc-b.npy"
        assert_output "float32 (48000, 2) True"
    done <<<"$FORMATS"
    cmp "$OUT/vst3.npy" "$OUT/lv2.npy"
}

@test "a mono sidechain feeds both channels; a 44.1 kHz one is resampled, its level kept" {
    local name plugin
    while read -r name plugin; do
        sh_run_lines "VR_TEST_SYNTH_SIDECHAIN=1 render-one --plugin '$plugin' --input '$IN/silence.npy' --tail 0 2>/dev/null" \
            "{\"output_path\":\"$OUT/$name-mono.npy\",\"sidechain_path\":\"$IN/sc-mono.npy\"}" \
            "{\"output_path\":\"$OUT/$name-44k.npy\",\"sidechain_path\":\"$IN/sine44k.wav\"}"
        assert_success
        run jq -c '[.status, .sidechain_duration_s, .sidechain_resampled_from_hz, .frames]' <<<"$output"
        assert_output '["ok",0.5,null,48000]
["ok",0.5,44100,48000]'
        run equals_main_plus_side "$OUT/$name-mono.npy" 0 0 "$IN/sc-mono.npy"
        assert_output "float32 (48000, 2) True"
    done <<<"$FORMATS"
    # The level of the 44.1 kHz samples to 0.05 dB (away from the
    # resampler's edges), and silence after its 24000 frames.
    run "$PY" -c "import wave, numpy as np; w = wave.open('$IN/sine44k.wav')
a = np.frombuffer(w.readframes(22050), '<i2').astype(np.float64) / 32768; b = np.load('$OUT/vst3-44k.npy').astype(np.float64)
db = lambda x: 10 * np.log10(np.mean(x * x)); print(round(db(a), 1), abs(db(a) - db(b[2400:21600])) < 0.05, bool((b[24000:] == 0).all()))"
    assert_output "-23.8 True True"
    cmp "$OUT/vst3-44k.npy" "$OUT/lv2-44k.npy"
    cmp "$OUT/vst3-mono.npy" "$OUT/lv2-mono.npy"
}

@test "a 3-channel sidechain fails naming its channels; with downmix 0 and 2 go left, 1 right" {
    sh_run_lines "VR_TEST_SYNTH_SIDECHAIN=1 render-one --plugin '$VR_TEST_SYNTH_VST3' --input '$IN/silence.npy' --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/refused.npy\",\"sidechain_path\":\"$IN/sc-3ch.npy\"}" \
        "{\"output_path\":\"$OUT/mixed.npy\",\"sidechain_path\":\"$IN/sc-3ch.npy\",\"downmix\":true}"
    assert_failure 1
    run jq -r '[.status, .downmix, .error.message // "-"] | @tsv' <<<"$output"
    assert_line --index 0 "error	false	$IN/sc-3ch.npy: 3 channels, more than the sidechain bus's 2; set downmix (--downmix) to mix it down, or give a file with 2 or 1"
    assert_line --index 1 "ok	true	-"
    assert_equal "$(names_in "$OUT")" mixed.npy
    run "$PY" -c "import numpy as np; a = np.load('$OUT/mixed.npy'); s = np.load('$IN/sc-3ch.npy').astype(np.float64)
want = np.stack([(s[:, 0] + s[:, 2]) / 2, s[:, 1]], 1)
print(bool(np.abs(a[:24000] - want).max() < 1e-7), bool((a[24000:] == 0).all()))"
    assert_output "True True"
}

@test "a plugin without a sidechain bus fails the job listing its buses: VST2, the plain effect" {
    local why="sidechain_path needs a second input bus, a VST3 auxiliary input or an LV2 second input group (VST2 has no sidechain bus)"
    # The sidechain variant's VST2: its four input pins are mono buses.
    run env VR_TEST_SYNTH_SIDECHAIN=1 render-one --plugin "$VR_TEST_SYNTH_VST2" --input "$IN/silence.npy" \
        --sidechain "$IN/sc.npy" --tail 0 -o "$OUT/vst2.npy"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "the plugin has no sidechain bus (input buses: 'Input L' (Mono), 'Input R' (Mono), 'Sidechain L' (Mono), 'Sidechain R' (Mono); output buses: 'Output L' (Mono), 'Output R' (Mono)): $why"
    # The effect variant has one input bus, in VST3 and LV2.
    local plugin
    for plugin in "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_LV2_EFFECT"; do
        run env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$plugin" --input "$IN/silence.npy" \
            --sidechain "$IN/sc.npy" --tail 0 -o "$OUT/effect.npy"
        assert_failure 1
        run jq -r '[.status, .error.message] | @tsv' <<<"$output"
        assert_output "error	the plugin has no sidechain bus (input buses: 'Input' (Stereo); output buses: 'Output' (Stereo)): $why"
    done
    [ -z "$(names_in "$OUT")" ] || fail "written: $(names_in "$OUT")"
}

@test "a chain stage's sidechain goes to that stage alone, in VST3 and LV2" {
    # Stage 0 is the same plugin with its sidechain bus left off: the
    # effect, halving the main input (level 0.25); stage 1 passes that on
    # (level 0.5) and adds its sidechain.
    local name plugin
    while read -r name plugin; do
        jq -cn --arg p "$plugin" --arg o "$OUT/$name.npy" --arg i "$IN/main.npy" --arg s "$IN/sc.npy" \
            '{output_path: $o, input_path: $i, tail_s: 0,
              chain: [{plugin_path: $p, set_params: {level: 0.25}}, {plugin_path: $p, sidechain_path: $s}]}' \
            > "$BATS_TEST_TMPDIR/job"
        sh_run "VR_TEST_SYNTH_SIDECHAIN=1 render-one < '$BATS_TEST_TMPDIR/job' 2>/dev/null"
        assert_success
        run jq -c '[.status, has("sidechain_sha256"), (.chain | map([.sidechain_path, .sidechain_sha256, .sidechain_duration_s]))]' <<<"$output"
        assert_output "[\"ok\",false,[[null,null,null],[\"$IN/sc.npy\",\"$(sha256sum "$IN/sc.npy" | cut -d' ' -f1)\",0.5]]]"
        run equals_main_plus_side "$OUT/$name.npy" "$IN/main.npy" 0.5 "$IN/sc.npy"
        assert_output "float32 (48000, 2) True"
    done <<<"$FORMATS"
    cmp "$OUT/vst3.npy" "$OUT/lv2.npy"
}

@test "a second LV2 bundle of a URI already loaded fails its jobs, naming both bundles; the first renders" {
    # lilv keeps the first bundle of a URI: the effect's, then the
    # sidechain's, in one run would be the effect twice.
    jq -cn --arg e "$VR_TEST_SYNTH_LV2_EFFECT" --arg s "$LV2_SIDECHAIN" --arg o "$OUT" --arg i "$IN/silence.npy" \
        --arg sc "$IN/sc.npy" '
        {output_path: ($o + "/effect.npy"), plugin_path: $e, input_path: $i, tail_s: 0},
        {output_path: ($o + "/side.npy"), plugin_path: $s, input_path: $i, sidechain_path: $sc, tail_s: 0},
        {output_path: ($o + "/chain.npy"), input_path: $i, tail_s: 0,
         chain: [{plugin_path: $e}, {plugin_path: $s, sidechain_path: $sc}]}' > "$BATS_TEST_TMPDIR/jobs"
    sh_run "render-one < '$BATS_TEST_TMPDIR/jobs' 2>/dev/null"
    assert_failure 1
    run jq -r '[.status, .error.message // "-"] | @tsv' <<<"$output"
    assert_line --index 0 "ok	-"
    assert_line --index 1 "error	LV2 bundle $LV2_SIDECHAIN declares urn:vst-render:test-synth, which this process loaded from $VR_TEST_SYNTH_LV2_EFFECT already: LV2 hosts keep one plugin per URI (render the other bundle in a run of its own)"
    assert_line --index 2 "error	chain stage 1 ($LV2_SIDECHAIN): LV2 bundle $LV2_SIDECHAIN declares urn:vst-render:test-synth, which this process loaded from $VR_TEST_SYNTH_LV2_EFFECT already: LV2 hosts keep one plugin per URI (render the other bundle in a run of its own)"
    [ ! -e "$OUT/side.npy" ] || fail "a refused job left its output"
    run "$PY" -c "import numpy as np; a = np.load('$OUT/effect.npy'); print(a.shape, float(np.abs(a).max()))"
    assert_output "(48000, 2) 0.0"
}

@test "Amplitude Imposer (DPF, LV2) takes its amplitude from the sidechain" {
    [ -d "$IMPOSER" ] || skip "$IMPOSER is not installed (dpf-plugins-lv2)"
    "$PY" -c "import numpy as np; t = np.arange(48000) / 48000; s = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
np.save('$BATS_TEST_TMPDIR/sine.npy', np.stack([s, s], 1)); np.save('$BATS_TEST_TMPDIR/loud.npy', np.full((48000, 2), 0.8, np.float32))"
    sh_run_lines "render-one --plugin '$IMPOSER' --input '$BATS_TEST_TMPDIR/sine.npy' --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/silent.npy\",\"sidechain_path\":\"$IN/silence.npy\"}" \
        "{\"output_path\":\"$OUT/loud.npy\",\"sidechain_path\":\"$BATS_TEST_TMPDIR/loud.npy\"}" \
        "{\"output_path\":\"$OUT/none.npy\"}"
    assert_success
    run jq -c '[.status, .plugin_name, .sidechain_duration_s, .silent]' <<<"$output"
    assert_output '["ok","Amplitude Imposer",1,true]
["ok","Amplitude Imposer",1,false]
["ok","Amplitude Imposer",null,true]'
    # After its first 0.5 s (its envelope settles): silence, then the
    # sine at about the sidechain's 0.8 x 0.5.
    run "$PY" -c "import numpy as np
for f in ['silent', 'loud', 'none']:
    a = np.load('$OUT/' + f + '.npy')[24000:].astype(np.float64); print(f, round(float(np.sqrt(np.mean(a * a))), 2))"
    assert_output "silent 0.0
loud 0.4
none 0.0"
}

@test "a missing or corrupt sidechain file fails its job naming the file; the run goes on" {
    # 4000 bytes of noise (a fixed seed) named .wav.
    "$PY" -c "import numpy as np; open('$BATS_TEST_TMPDIR/bad.wav', 'wb').write(np.random.default_rng(5).bytes(4000))"
    sh_run_lines "VR_TEST_SYNTH_SIDECHAIN=1 render-one --plugin '$VR_TEST_SYNTH_VST3' --input '$IN/silence.npy' --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/1.npy\",\"sidechain_path\":\"$BATS_TEST_TMPDIR/none.wav\"}" \
        "{\"output_path\":\"$OUT/2.npy\",\"sidechain_path\":\"$BATS_TEST_TMPDIR/bad.wav\"}" \
        "{\"output_path\":\"$OUT/3.npy\",\"sidechain_path\":\"$IN/sc.npy\"}"
    assert_failure 1
    run jq -r '[.status, .error.message // "-"] | @tsv' <<<"$output"
    assert_output "error	$BATS_TEST_TMPDIR/none.wav: cannot open: No such file or directory
error	$BATS_TEST_TMPDIR/bad.wav: cannot read it as audio: Format not recognised.
ok	-"
    assert_equal "$(names_in "$OUT")" 3.npy
    run equals_main_plus_side "$OUT/3.npy" 0 0 "$IN/sc.npy"
    assert_output "float32 (48000, 2) True"
}
