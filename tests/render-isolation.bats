#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one's isolation chosen by hand (--isolation, the job field
# isolation): the choices checked, the mode reaching the worker, whose
# record says the mode each job got, and the same audio in every mode from
# a plugin that keeps no history.
bats_require_minimum_version 1.5.0
load helper

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

@test "--isolation takes auto, reset, fork or fresh; anything else is a usage error naming them" {
    assert_usage_error render-one --isolation sometimes
    assert_output --partial "--isolation: isolation 'sometimes' is not one of auto, reset, fork, fresh"
    assert_usage_error render-one --isolation Fresh
    assert_output --partial "not one of auto, reset, fork, fresh"
    assert_usage_error render-one --isolation ''
    assert_output --partial "not one of auto, reset, fork, fresh"
}

@test "a bad isolation field fails its job naming the choices; the next job renders" {
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.wav\",\"isolation\":\"never\"}" \
        "{\"output_path\":\"$OUT/b.wav\",\"isolation\":1}" \
        "{\"output_path\":\"$OUT/c.wav\",\"isolation\":\"fork\"}"
    assert_failure 1
    run jq -c '[.status, .error.message, .isolation]' <<<"$output"
    assert_output "[\"error\",\"isolation 'never' is not one of auto, reset, fork, fresh\",\"never\"]
[\"error\",\"field 'isolation' must be a string, not a number (1)\",1]
[\"ok\",null,\"fork\"]"
    [ "$(names_in "$OUT")" = c.wav ]
}

@test "each mode, by flag or field, reaches the worker: the record says it, the audio is the same" {
    local mode
    for mode in reset fork fresh; do
        sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.2 --tail 0.1 --isolation $mode 2>/dev/null" \
            "{\"output_path\":\"$OUT/$mode-1.wav\"}" "{\"output_path\":\"$OUT/$mode-2.wav\",\"note\":72}"
        assert_success
        run jq -c '[.status, .isolation]' <<<"$output"
        assert_output "[\"ok\",\"$mode\"]
[\"ok\",\"$mode\"]"
    done
    # A job's field wins over the flag, each job its own mode.
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.2 --tail 0.1 --isolation fresh 2>/dev/null" \
        "{\"output_path\":\"$OUT/auto-1.wav\",\"isolation\":\"auto\"}" \
        "{\"output_path\":\"$OUT/field-2.wav\",\"note\":72,\"isolation\":\"reset\"}"
    assert_success
    run jq -c '[.status, .isolation]' <<<"$output"
    # auto probes the test synth, whose reset restores it.
    assert_output '["ok","reset"]
["ok","reset"]'
    for mode in fork fresh auto; do cmp "$OUT/reset-1.wav" "$OUT/$mode-1.wav"; done
    for mode in fork fresh field; do cmp "$OUT/reset-2.wav" "$OUT/$mode-2.wav"; done
    "$VR_BIN/../tests/audio-probe" "$OUT/reset-2.wav" | jq -e '.frames == 14400 and .peak_dbfs > -20'
    run ! cmp -s "$OUT/reset-1.wav" "$OUT/reset-2.wav"
}

@test "a result read again keeps the mode it got over --isolation, and stderr says so" {
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --isolation fork -o "$OUT/a.wav"
    assert_success
    local result=$output
    assert_equal "$(jq -r .isolation <<<"$result")" fork
    run --separate-stderr bash -c "jq -c '.output_path = \"$OUT/again.wav\"' <<<'$result' \
        | render-one --isolation fresh"
    assert_success
    assert_equal "$(jq -r .isolation <<<"$output")" fork
    cmp "$OUT/a.wav" "$OUT/again.wav"
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    [[ "$stderr" == *"--isolation by isolation in 1 job"* ]] || fail "stderr: $stderr"
}

@test "a single job (-o) skips the probe and JUCE's program walk, and renders the bytes the same job renders in a batch" {
    local amsynth=/usr/lib/vst/amsynth_vst.so
    [ -e "$amsynth" ] || skip "amsynth is not installed"
    mkdir -p "$HOME/.local/share"
    run render-one --plugin "$amsynth" -o "$OUT/one.wav" --note 48 --duration 0.5 --tail 0.3
    assert_success
    [ "$(jq -r .isolation <<<"$output")" = fresh ]
    one_state=$(jq -r .state_sha256 <<<"$output")
    # In a batch the probe runs (amsynth's reset does not restore it: each
    # job is forked from the never-played instance, walked by JUCE).
    sh_run_lines "render-one --plugin '$amsynth' 2>/dev/null" \
        "{\"output_path\":\"$OUT/batch.wav\",\"note\":48,\"duration_s\":0.5,\"tail_s\":0.3}" \
        "{\"output_path\":\"$OUT/nine.wav\",\"note\":48,\"duration_s\":0.5,\"tail_s\":0.3,\"program_index\":9}"
    assert_success
    [ "$(jq -r .isolation <<<"${lines[0]}")" = fork ]
    [ "$(jq -r .state_sha256 <<<"${lines[0]}")" = "$one_state" ]
    cmp "$OUT/one.wav" "$OUT/batch.wav"
    "$VR_BIN/../tests/audio-probe" "$OUT/one.wav" | jq -e '.peak_dbfs > -30'
    # A program picked by index (on an instance JUCE walked) is another sound.
    cmp -s "$OUT/one.wav" "$OUT/nine.wav" && fail "program 9 rendered as program 0"
    # The first program keeps its name (with the walk skipped whole, it
    # came out empty: the plugin had never switched to it).
    run render-one --plugin "$amsynth" --list-programs
    assert_success
    name=$(head -n 1 <<<"$output" | jq -r .preset_name)
    [ -n "$name" ] && [ "$name" != null ]
}
