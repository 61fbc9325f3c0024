#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Effects on input audio (input_path, --input, --downmix): Debian's DPF
# MVerb, MaFreeverb and 3BandEQ (VST2, LV2) and x42's stereo balance (LV2),
# fed files render-one reads itself (.npy, WAV at another rate). Checked on
# the samples: an impulse rings past the input's end, a transparent setting
# gives the input back bit for bit, another setting changes it.
bats_require_minimum_version 1.5.0
load helper

MVERB=/usr/lib/vst/MVerb-vst.so
FREEVERB=/usr/lib/vst/MaFreeverb-vst.so
EQ=/usr/lib/vst/3BandEQ-vst.so
BALANCE=/usr/lib/lv2/balance.lv2
PY=/usr/bin/python3

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    IN="$BATS_TEST_TMPDIR/in"
    mkdir -p "$OUT" "$IN"
    # noise.npy (0.1 s, stereo) and sine44k.wav (helper.bash), a stereo
    # impulse (0.1 s) and mono noise (0.5 s).
    write_test_audio "$IN" 7
    "$PY" -c "import numpy as np; x = np.zeros((4800, 2), np.float32); x[0] = 1.0; np.save('$IN/impulse.npy', x)
r = np.random.default_rng(8); np.save('$IN/mono.npy', (r.standard_normal((24000, 1)) * 0.1).astype(np.float32))"
}

# Prints the RMS in dBFS of the frames [from_s, to_s) of an .npy file.
npy_rms_db() {
    "$PY" -c "import numpy as np, sys; a = np.load(sys.argv[1]).astype(np.float64); r = 48000
s = a[int(float(sys.argv[2]) * r):int(float(sys.argv[3]) * r)]
print(round(10 * np.log10(max(np.mean(s * s), 1e-30)), 1))" "$1" "$2" "$3"
}

@test "an impulse through a reverb rings past the input's end; tail auto keeps the decay, and the record says what went in" {
    sh_run "render-one --plugin '$MVERB' --input '$IN/impulse.npy' --tail auto --max-tail 20 -o '$OUT/auto.npy' 2>/dev/null"
    assert_success
    local rec=$output
    run jq -c '[.status, .isolation, .tail_capped, (.tail_rendered_s > 0.5), .input_duration_s, has("note"),
                .input_sha256 == $sha]' --arg sha "$(sha256sum "$IN/impulse.npy" | cut -d' ' -f1)" <<<"$rec"
    assert_output '["ok","fresh",false,true,0.1,false,true]'
    # The input (0.1 s) is one sample and silence; 0.4 s after its end the
    # reverb still sounds.
    run npy_rms_db "$OUT/auto.npy" 0.5 1.0
    [ "${output%.*}" -gt -80 ] || fail "no decay after the input's end: $output dBFS"
    # A fixed tail renders exactly the input's length plus it.
    sh_run "render-one --plugin '$MVERB' --input '$IN/impulse.npy' --tail 0.5 -o '$OUT/fixed.npy' 2>/dev/null"
    assert_success
    assert_equal "$(jq .frames <<<"$output")" 28800
}

@test "a transparent setting gives the input back bit for bit; another setting changes exactly what it should" {
    sh_run "render-one --plugin '$BALANCE' --input '$IN/noise.npy' --tail 0 -o '$OUT/same.npy' 2>/dev/null"
    assert_success
    run npy_diff "$IN/noise.npy" "$OUT/same.npy"
    assert_output "0.0 0"
    # Phase Invert Left: the left channel negated, the right untouched
    sh_run "echo '{\"set_params\":{\"Phase Invert Left\":1},\"output_path\":\"$OUT/inv.npy\"}' \
            | render-one --plugin '$BALANCE' --input '$IN/noise.npy' --tail 0"
    assert_success
    # (after the 64 samples x42 crossfades over)
    run "$PY" -c "import numpy as np; a = np.load('$IN/noise.npy'); b = np.load('$OUT/inv.npy');
print(bool((b[64:, 0] == -a[64:, 0]).all()), bool((b[:, 1] == a[:, 1]).all()), bool((b[:64, 0] != a[:64, 0]).any()))"
    assert_output "True True True"
    # Two settings of a reverb on one input: different audio.
    sh_run_lines "render-one --plugin '$MVERB' --input '$IN/noise.npy' --tail 1 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.npy\"}" "{\"output_path\":\"$OUT/b.npy\",\"set_params\":{\"0\":0.9}}" \
        "{\"output_path\":\"$OUT/c.npy\"}"
    assert_success
    run npy_diff "$OUT/a.npy" "$OUT/c.npy"
    assert_output "0.0 0"
    run npy_diff "$OUT/a.npy" "$OUT/b.npy"
    [ "${output##* }" -gt 1000 ] || fail "two settings of MVerb sound the same: $output"
}

@test "a 44.1 kHz WAV is resampled to the job's rate; mono fills both channels; more channels need --downmix" {
    sh_run "render-one --plugin '$BALANCE' --input '$IN/sine44k.wav' --tail 0 -o '$OUT/r.npy' 2>/dev/null"
    assert_success
    run jq -c '[.status, .input_resampled_from_hz, .input_duration_s, .frames, (.input_loudness_lufs | type)]' <<<"$output"
    assert_output '["ok",44100,0.5,24000,"number"]'
    # The level of the 44.1 kHz samples, to 0.05 dB, through a very high
    # quality resampler.
    run "$PY" -c "import wave, numpy as np; w = wave.open('$IN/sine44k.wav');
a = np.frombuffer(w.readframes(22050), '<i2').astype(np.float64) / 32768; b = np.load('$OUT/r.npy').astype(np.float64)
db = lambda x: 10 * np.log10(np.mean(x * x)); print(abs(db(a) - db(b[2400:21600])) < 0.05)"
    assert_output True
    # Mono into a stereo bus: both channels the same samples.
    sh_run "render-one --plugin '$BALANCE' --input '$IN/mono.npy' --tail 0 -o '$OUT/m.npy' 2>/dev/null"
    assert_success
    run "$PY" -c "import numpy as np; a = np.load('$IN/mono.npy')[:, 0]; b = np.load('$OUT/m.npy');
print(bool((b[:, 0] == a).all()), bool((b[:, 1] == a).all()))"
    assert_output "True True"
    # Stereo into MaFreeverb's mono input: refused, then mixed down on request.
    sh_run "render-one --plugin '$FREEVERB' --input '$IN/noise.npy' --tail 0 -o '$OUT/f.wav' 2>/dev/null"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "$IN/noise.npy: 2 channels, more than the input bus's 1; set downmix (--downmix) to mix it down, or give a file with 1"
    sh_run "render-one --plugin '$FREEVERB' --input '$IN/noise.npy' --downmix --tail 0.5 -o '$OUT/f.wav' 2>/dev/null"
    assert_success
    run jq -c '[.status, .downmix, (.peak_dbfs > -40)]' <<<"$output"
    assert_output '["ok",true,true]'
}

@test "no silent ok: an effect given only MIDI, an instrument given an input, MIDI to an effect with its input" {
    sh_run_lines "render-one --tail 0 2>/dev/null" \
        "{\"plugin_path\":\"$MVERB\",\"output_path\":\"$OUT/1.wav\"}" \
        "{\"plugin_path\":\"$VR_TEST_SYNTH_VST3\",\"output_path\":\"$OUT/2.wav\",\"input_path\":\"$IN/noise.npy\"}" \
        "{\"plugin_path\":\"$MVERB\",\"output_path\":\"$OUT/3.wav\",\"input_path\":\"$IN/noise.npy\",\"note\":60}" \
        "{\"plugin_path\":\"$MVERB\",\"output_path\":\"$OUT/4.wav\",\"input_path\":\"$IN/noise.npy\"}"
    assert_failure 1
    run jq -r '[.status, .error.message // .peak_dbfs] | @tsv' <<<"$output"
    assert_line --index 0 "error	the plugin takes no MIDI (it has 2 audio inputs, 2 outputs: input buses: 'Input' (Stereo); output buses: 'Output' (Stereo)): give it audio to process with input_path or --input"
    assert_line --index 1 --partial "error	the plugin takes no audio input (it has 0 audio inputs, 2 outputs: input buses: none; output buses: 'Output'"
    assert_line --index 2 --partial "error	the plugin takes no MIDI (it has 2 audio inputs"
    assert_line --index 2 --partial "process input_path alone, with no note, midi_path, --note or --midi"
    assert_line --index 3 --regexp "^ok	-[0-9]"
    assert_equal "$(names_in "$OUT")" 4.wav
}

@test "bad input audio fails its job naming the file; the next job renders" {
    head -c 3000 "$IN/sine44k.wav" > "$IN/cut.wav"
    printf 'not audio at all\n' > "$IN/text.wav"
    sh_run_lines "render-one --plugin '$EQ' --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/1.wav\",\"input_path\":\"$IN/cut.wav\"}" \
        "{\"output_path\":\"$OUT/2.wav\",\"input_path\":\"$IN/text.wav\"}" \
        "{\"output_path\":\"$OUT/3.wav\",\"input_path\":\"$IN/missing.wav\"}" \
        "{\"output_path\":\"$OUT/4.wav\",\"input_path\":\"$IN\"}" \
        "{\"output_path\":\"$OUT/5.wav\",\"input_path\":\"$IN/noise.npy\"}"
    assert_failure 1
    run jq -r '[.status, .error.message // "-"] | @tsv' <<<"$output"
    assert_line --index 0 --partial "error	$IN/cut.wav: truncated"
    assert_line --index 1 --partial "error	$IN/text.wav:"
    assert_line --index 2 --partial "error	$IN/missing.wav:"
    assert_line --index 3 --partial "error	$IN:"
    assert_line --index 4 "ok	-"
    assert_equal "$(names_in "$OUT")" 5.wav
}

@test "job-grid --inputs crosses presets with inputs; assign-paths names each; a batch renders them in order" {
    printf '%s\n' "$IN/noise.npy" "$IN/mono.npy" > "$IN/list"
    sh_run "printf '{\"preset_name\":\"hall\"}\n{\"preset_name\":\"room\",\"set_params\":{\"0\":0.2}}\n' \
            | job-grid --inputs-from '$IN/list' | assign-paths -o '$OUT' \
            | render-one --plugin '$MVERB' --tail 0.2 2>/dev/null"
    assert_success
    run jq -r '[(.output_path | split("/") | last), .input_path, .status] | @tsv' <<<"$output"
    assert_output "$(printf 'hall_noise.wav\t%s\tok\nhall_mono.wav\t%s\tok\nroom_noise.wav\t%s\tok\nroom_mono.wav\t%s\tok' \
        "$IN/noise.npy" "$IN/mono.npy" "$IN/noise.npy" "$IN/mono.npy")"
    run cmp -s "$OUT/hall_noise.wav" "$OUT/room_noise.wav"
    assert_failure
    assert_usage_error job-grid --inputs a.wav,,b.wav
    assert_output --partial "--inputs: an empty path"
    assert_usage_error job-grid --inputs-from "$IN/nothing-here"
}
