#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# What the plugin really held: render-one reads a job's parameters back
# after its preset and set_params (param_values, param_names_sha256,
# params_adjusted), never passes on a params field it did not read, and
# plugin-scan --params says a discrete parameter's steps and their texts.
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
NEKOBI_VST2=/usr/lib/vst/Nekobi-vst.so
NEKOBI_LV2=/usr/lib/lv2/Nekobi.lv2

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

@test "a render that sets parameters carries every value the plugin holds, in index order, and its names' hash" {
    plugin-scan --params "$AMSYNTH" >"$BATS_TEST_TMPDIR/scan.ndjson" 2>/dev/null
    # filter_cutoff by name, index 5 by index, at values no preset holds.
    jq -c --arg out "$OUT/a.wav" '{plugin_path, params, note: 60, duration_s: 0.3, tail_s: 0.1, output_path: $out,
        set_params: {filter_cutoff: 0.3, "5": 0.123456789}}' "$BATS_TEST_TMPDIR/scan.ndjson" >"$BATS_TEST_TMPDIR/job.ndjson"
    run --separate-stderr render-one <"$BATS_TEST_TMPDIR/job.ndjson"
    assert_success
    local cutoff names
    cutoff=$(jq '.params[] | select(.name == "filter_cutoff") | .index' "$BATS_TEST_TMPDIR/scan.ndjson")
    names=$(jq -r '.params[].name' "$BATS_TEST_TMPDIR/scan.ndjson" | sha256sum | cut -d' ' -f1)
    run jq -c --argjson c "$cutoff" '[.status, (.param_values | length), .param_values[$c], .param_values[5],
        .params_adjusted, has("params")]' <<<"$output"
    assert_output '["ok",41,0.3,0.12345679,0,false]'
    run jq -r .param_names_sha256 <<<"$(render-one <"$BATS_TEST_TMPDIR/job.ndjson" 2>/dev/null)"
    assert_output "$names"
    # The values it did not set are the plugin's own, as plugin-scan read them.
    run jq -s -c --argjson c "$cutoff" '[(.[0].params | map(.value)[]), .[1].param_values[]] as $all
        | [range(41) | select(. != $c and . != 5)] | map(($all[.] - $all[41 + .]) | fabs < 1e-6) | all' \
        "$BATS_TEST_TMPDIR/scan.ndjson" <(render-one <"$BATS_TEST_TMPDIR/job.ndjson" 2>/dev/null)
    assert_output true
}

# One Nekobi job on stdin: $1 the output file, $2 its set_params (JSON).
nekobi_job() {
    jq -cn --arg p "$NEKOBI_VST2" --arg out "$1" --argjson sp "$2" \
        '{plugin_path: $p, note: 48, duration_s: 0.3, tail_s: 0.1, output_path: $out, set_params: $sp}'
}

@test "values the plugin rounds are recorded as it holds them, and params_adjusted counts them" {
    # Nekobi's Waveform takes two values: 0.3 becomes 0 (Square).
    run render-one <<<"$(nekobi_job "$OUT/n.wav" '{"0": 0.3, "1": 0.25}')"
    assert_success
    run jq -c '[.param_values[0], .param_values[1], .params_adjusted, .peak_dbfs > -30]' <<<"$output"
    assert_output '[0,0.25,1,true]'
    # What the record says is what made the sound: the same render asked
    # for the value the plugin held is the same file, byte for byte, and
    # the other waveform is not.
    render-one <<<"$(nekobi_job "$OUT/held.wav" '{"0": 0, "1": 0.25}')" >/dev/null
    cmp "$OUT/n.wav" "$OUT/held.wav"
    run render-one <<<"$(nekobi_job "$OUT/tri.wav" '{"0": 1, "1": 0.25}')"
    run jq -c '[.param_values[0], .params_adjusted]' <<<"$output"
    assert_output '[1,0]'
    run cmp -s "$OUT/n.wav" "$OUT/tri.wav"
    assert_failure
}

@test "a params field render-one did not read back is dropped, or replaced with --params" {
    plugin-scan --params "$AMSYNTH" >"$BATS_TEST_TMPDIR/scan.ndjson" 2>/dev/null
    jq -c --arg out "$OUT/b.wav" '{plugin_path, params, note: 60, duration_s: 0.3, tail_s: 0.1, output_path: $out,
        set_params: {filter_cutoff: 0.3}}' "$BATS_TEST_TMPDIR/scan.ndjson" >"$BATS_TEST_TMPDIR/job.ndjson"
    local stale
    stale=$(jq '.params[] | select(.name == "filter_cutoff") | .value' "$BATS_TEST_TMPDIR/scan.ndjson")
    [ "$stale" != 0.3 ] || fail "the scan's value should differ from the one set"
    run --separate-stderr render-one <"$BATS_TEST_TMPDIR/job.ndjson"
    assert_success
    run jq -c '[.status, has("params")]' <<<"$output"
    assert_output '["ok",false]'
    run --separate-stderr render-one --params <"$BATS_TEST_TMPDIR/job.ndjson"
    assert_success
    run jq -c '[.status, (.params[] | select(.name == "filter_cutoff") | .value)]' <<<"$output"
    assert_output '["ok",0.30000001192092896]'
}

@test "a name means the parameter that bore it when the plugin was loaded, whatever renamed it since; a later name is looked up then" {
    # With VR_TEST_SYNTH_RENAMES=1 the test synth's VST2 calls level "gain"
    # and release "level" while level >= 0.9 (program 3, "Full", sets 1.0).
    local isolation job=$BATS_TEST_TMPDIR/job.ndjson
    jq -cn --arg p "$VR_TEST_SYNTH_VST2" --arg out "$OUT/by-index.wav" \
        '{plugin_path: $p, program_index: 3, note: 69, velocity: 127, duration_s: 0.3, tail_s: 0.3,
          output_path: $out, set_params: {"0": 0.95, "1": 0.25}}' >"$job"
    run render-one <"$job"
    assert_success
    run jq -c '[.status, .param_values[0], .param_values[1], .peak_dbfs > -3]' <<<"$output"
    assert_output '["ok",0.95,0.25,true]'
    for isolation in fork reset fresh; do
        run env VR_TEST_SYNTH_RENAMES=1 render-one --isolation "$isolation" <<<"$(jq -c --arg out "$OUT/$isolation.wav" \
            '.output_path = $out | .set_params = {level: 0.95, release: 0.25}' "$job")"
        assert_success
        run jq -c '[.status, .param_values[0], .param_values[1], .params_adjusted]' <<<"$output"
        assert_output '["ok",0.95,0.25,0]'
        cmp "$OUT/by-index.wav" "$OUT/$isolation.wav" || fail "$isolation: the renamed job sounds otherwise"
    done
    # "gain" is no name of the loaded plugin: asked of it after the program.
    run env VR_TEST_SYNTH_RENAMES=1 render-one <<<"$(jq -c --arg out "$OUT/gain.wav" \
        '.output_path = $out | .set_params = {gain: 0.95, "1": 0.25}' "$job")"
    assert_success
    run jq -c '[.status, .param_values[0], .param_values[1]]' <<<"$output"
    assert_output '["ok",0.95,0.25]'
    cmp "$OUT/by-index.wav" "$OUT/gain.wav" || fail "gain did not name level"
    # And the scan lists the names of a loaded plugin.
    run env VR_TEST_SYNTH_RENAMES=1 plugin-scan --params "$VR_TEST_SYNTH_VST2"
    assert_success
    run jq -c '[.params[0].name, .params[1].name]' <<<"$output"
    assert_output '["level","release"]'
}

@test "a render that sets no parameter carries no param_values" {
    run render-one <<<"$(jq -cn --arg p "$NEKOBI_VST2" --arg out "$OUT/plain.wav" \
        '{plugin_path: $p, note: 48, duration_s: 0.3, tail_s: 0.1, output_path: $out}')"
    assert_success
    run jq -c '[.status, has("param_values"), has("param_names_sha256"), has("params_adjusted")]' <<<"$output"
    assert_output '["ok",false,false,false]'
}

@test "a job that only sets parameters carries no state_sha256; with a program, a saved state or no parameters it does" {
    local name jobs=$BATS_TEST_TMPDIR/jobs.ndjson
    for name in sets program plain; do
        jq -cn --arg p "$NEKOBI_VST2" --arg out "$OUT/$name.wav" --arg name "$name" \
            '{plugin_path: $p, note: 48, duration_s: 0.3, tail_s: 0.1, output_path: $out}
             + if $name == "plain" then {} else {set_params: {"0": 0.7}} end
             + if $name == "program" then {program_index: 0} else {} end'
    done >"$jobs"
    run --separate-stderr render-one <"$jobs"
    assert_success
    run jq -c '[.status, (.param_values | length > 0), (.state_sha256 | length)]' <<<"$output"
    assert_output '["ok",true,0]
["ok",true,64]
["ok",false,64]'
    # Automation sets its start values as set_params do.
    run render-one --plugin "$NEKOBI_VST2" -o "$OUT/moved.wav" --automation '{"0": [[0, 0.7]]}' \
        --note 48 --duration 0.3 --tail 0.1
    assert_success
    run jq -c '[.status, (.state_sha256 | length)]' <<<"$output"
    assert_output '["ok",0]'
    run render-one --plugin "$NEKOBI_VST2" -o "$OUT/saved.wav" --save-state "$OUT/saved.fxb" \
        --automation '{"0": [[0, 0.7]]}' --note 48 --duration 0.3 --tail 0.1
    assert_success
    run jq -c '[.status, (.state_sha256 | length)]' <<<"$output"
    assert_output '["ok",64]'
    cmp "$OUT/moved.wav" "$OUT/saved.wav"
}

@test "each chain stage that sets parameters carries its own values" {
    run render-one <<<"$(jq -cn --arg s "$NEKOBI_VST2" --arg e /usr/lib/vst/MaFreeverb-vst.so --arg out "$OUT/c.wav" \
        '{note: 48, duration_s: 0.3, tail_s: 0.1, output_path: $out,
          chain: [{plugin_path: $s, set_params: {"0": 0.7}}, {plugin_path: $e}]}')"
    assert_success
    run jq -c '[.status, .chain[0].param_values[0], .chain[0].params_adjusted, (.chain[1] | has("param_values")),
        .peak_dbfs > -40]' <<<"$output"
    assert_output '["ok",1,1,false,true]'
}

@test "plugin-scan --params gives a discrete parameter's steps and the text of each" {
    run plugin-scan --params "$NEKOBI_LV2"
    assert_success
    run jq -c '.params[] | select(.name == "Waveform") | [.steps, .step_texts]' <<<"$output"
    assert_output '[2,["Square","Triangle"]]'
    # A continuous one has neither.
    run jq -c '[.params[] | select(.name == "Cutoff") | has("steps"), has("step_texts")]' \
        <<<"$(plugin-scan --params "$NEKOBI_LV2")"
    assert_output '[false,false]'
}

@test "amsynth: a batch's first job that sets parameters (in place, without JUCE's program walk) equals the same job forked" {
    mkdir -p "$HOME/.local/share"
    # A cache of this test's own: the first run is the plugin's first sight.
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
    # A, the same note with no parameter set, then A again (forked from
    # an instance JUCE walked through amsynth's 3,584 programs).
    local sp='{"filter_cutoff": 0.3, "osc1_waveform": 0.8, "amp_release": 0.1}' f
    jq -cn --arg p "$AMSYNTH" --arg d "$OUT" --argjson sp "$sp" '
        {plugin_path: $p, note: 57, duration_s: 0.3, tail_s: 0.2} as $j
        | ($j + {output_path: "\($d)/a.wav", set_params: $sp}),
          ($j + {output_path: "\($d)/plain.wav"}),
          ($j + {output_path: "\($d)/a-again.wav", set_params: $sp})' >"$BATS_TEST_TMPDIR/jobs.ndjson"
    # At first sight the plugin is probed and A forked; the verdict is kept.
    head -n 1 "$BATS_TEST_TMPDIR/jobs.ndjson" | jq -c --arg out "$OUT/a-first-sight.wav" '.output_path = $out' |
        render-one >"$BATS_TEST_TMPDIR/first.ndjson" 2>/dev/null
    run jq -c '[.status, .isolation, .probe_cached]' "$BATS_TEST_TMPDIR/first.ndjson"
    assert_output '["ok","fork",false]'
    # Seen before: a batch's first job renders in place.
    run --separate-stderr render-one <"$BATS_TEST_TMPDIR/jobs.ndjson"
    assert_success
    run jq -s -c 'map([.status, .isolation, .probe_cached])' <<<"$output"
    assert_output '[["ok","fresh",true],["ok","fork",true],["ok","fork",true]]'
    # And a batch of A alone (render.mk's case).
    head -n 1 "$BATS_TEST_TMPDIR/jobs.ndjson" | jq -c --arg out "$OUT/a-alone.wav" '.output_path = $out' |
        render-one >/dev/null 2>&1
    for f in a-again a-first-sight a-alone; do cmp "$OUT/a.wav" "$OUT/$f.wav"; done
    cmp -s "$OUT/a.wav" "$OUT/plain.wav" && fail "the parameters set changed nothing"
    for f in a plain; do "$VR_BIN/../tests/audio-probe" "$OUT/$f.wav" | jq -e '.peak_dbfs > -40' >/dev/null; done
}
