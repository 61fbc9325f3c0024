#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Chains of plugins (a job's chain, --then): one signal path, the first
# stage playing the notes or the input, each later one processing the audio
# of the one before. Proved on the samples: a chain equals its stages
# rendered one at a time through files, bit for bit; fifty transparent
# stages give the input back; jobs in either order give the same bytes.
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
MVERB=/usr/lib/vst/MVerb-vst.so
NEKOBI=/usr/lib/vst/Nekobi-vst.so
BALANCE=/usr/lib/lv2/balance.lv2
PY=/usr/bin/python3

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# A job record with a chain: $1 output, $2 the chain (JSON), $3 more fields.
chain_job() {
    printf '{"output_path":"%s","chain":%s%s}\n' "$1" "$2" "${3:+,$3}"
}

@test "amsynth then MVerb as one chain equals amsynth to a float32 file, then MVerb on it, bit for bit" {
    # Batches both ways (JUCE's program walk and the probe as in any batch).
    jq -cn --arg a "$AMSYNTH" --arg m "$MVERB" --arg o "$OUT/chain.npy" '{output_path: $o, note: 48,
        chain: [{plugin_path: $a, program_index: 3}, {plugin_path: $m, set_params: {"0": 0.7}}]}' > "$OUT/job"
    sh_run "render-one < '$OUT/job' 2>/dev/null"
    assert_success
    local rec=$output
    printf '{"output_path":"%s","note":48,"program_index":3}\n' "$OUT/dry.npy" \
        | render-one --plugin "$AMSYNTH" > /dev/null 2>&1
    printf '{"output_path":"%s","input_path":"%s","set_params":{"0":0.7}}\n' "$OUT/wet.npy" "$OUT/dry.npy" \
        | render-one --plugin "$MVERB" > /dev/null 2>&1
    cmp "$OUT/chain.npy" "$OUT/wet.npy"
    run cmp -s "$OUT/chain.npy" "$OUT/dry.npy"
    assert_failure
    # Each stage in the result, the top-level plugin fields the first one's
    # (MVerb's stage only sets a parameter: its param_values, no state hash).
    run jq -c '[.status, .plugin_name, (.chain | map([.plugin_name, .program_index, (.state_sha256 | length),
                (.param_values | length)])), has("plugin_path"), has("program_index"), (.peak_dbfs > -30)]' <<<"$rec"
    assert_output '["ok","amsynth_vst",[["amsynth_vst",3,64,0],["MVerb-vst",null,0,9]],false,false,true]'
}

@test "--then appends a stage to every job; the result, read again as a job, renders the same bytes" {
    sh_run_lines "render-one --plugin '$NEKOBI' --then '$MVERB' --duration 0.3 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.wav\",\"note\":40}" "{\"output_path\":\"$OUT/b.wav\",\"note\":52}"
    assert_success
    local recs=$output
    run jq -c '[(.chain | length), .chain[1].plugin_name, .isolation]' <<<"$recs"
    assert_line --index 0 '[2,"MVerb-vst","fork"]'
    assert_line --index 1 '[2,"MVerb-vst","fork"]'
    # Fed back without flags, each result renders its file again.
    mkdir -p "$OUT/again"
    jq -c --arg d "$OUT/again/" '.output_path |= $d + (split("/") | last)' <<<"$recs" | render-one > /dev/null 2>&1
    cmp "$OUT/a.wav" "$OUT/again/a.wav"
    cmp "$OUT/b.wav" "$OUT/again/b.wav"
}

@test "chain jobs in either order render the same bytes" {
    local i chain
    chain=$(printf '[{"plugin_path":"%s"},{"plugin_path":"%s"},{"plugin_path":"%s"}]' "$AMSYNTH" "$MVERB" "$BALANCE")
    mkdir -p "$OUT/f" "$OUT/r"
    for i in 36 48 60; do chain_job "$OUT/f/$i.wav" "$chain" "\"note\":$i,\"duration_s\":0.2,\"tail_s\":0.3"; done \
        | render-one > "$OUT/f.ndjson" 2>/dev/null
    for i in 60 48 36; do chain_job "$OUT/r/$i.wav" "$chain" "\"note\":$i,\"duration_s\":0.2,\"tail_s\":0.3"; done \
        | render-one > "$OUT/r.ndjson" 2>/dev/null
    run jq -c '[.status, .isolation, (.peak_dbfs > -40)]' "$OUT/f.ndjson"
    assert_output '["ok","fork",true]
["ok","fork",true]
["ok","fork",true]'
    for i in 36 48 60; do cmp "$OUT/f/$i.wav" "$OUT/r/$i.wav"; done
}

@test "fifty transparent stages give the input back bit for bit; 65 stages are refused" {
    "$PY" -c "import numpy as np; r = np.random.default_rng(3)
np.save('$OUT/in.npy', (r.standard_normal((4800, 2)) * 0.1).astype(np.float32))"
    local chain
    chain=$(jq -cn --arg p "$BALANCE" '[range(50) | {plugin_path: $p}]')
    chain_job "$OUT/fifty.npy" "$chain" "\"input_path\":\"$OUT/in.npy\",\"tail_s\":0" | render-one > "$OUT/r.ndjson" 2>/dev/null
    run jq -c '[.status, (.chain | length)]' "$OUT/r.ndjson"
    assert_output '["ok",50]'
    run "$PY" -c "import numpy as np; print(bool((np.load('$OUT/in.npy') == np.load('$OUT/fifty.npy')).all()))"
    assert_output True
    chain=$(jq -cn --arg p "$BALANCE" '[range(65) | {plugin_path: $p}]')
    chain_job "$OUT/x.npy" "$chain" > "$OUT/job"
    sh_run "render-one < '$OUT/job' 2>/dev/null"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" "field 'chain' has 65 stages; at most 64"
}

@test "a bad chain fails its job naming the stage; a crashing stage costs only its job" {
    sh_run_lines "render-one --tail 0.1 --duration 0.1 2>/dev/null" \
        "{\"output_path\":\"$OUT/1.wav\",\"chain\":[]}" \
        "{\"output_path\":\"$OUT/2.wav\",\"chain\":[{\"plugin_path\":\"$NEKOBI\"},{\"plugin_path\":\"$MVERB\",\"set_params\":{\"dampng\":0.5}}]}" \
        "{\"output_path\":\"$OUT/3.wav\",\"chain\":[{\"plugin_path\":\"$NEKOBI\"},{\"plugin_path\":\"$NEKOBI\"}]}" \
        "{\"output_path\":\"$OUT/4.wav\",\"chain\":[{\"plugin_path\":\"$NEKOBI\"},{\"plugin_path\":\"/nowhere/x.so\"}]}" \
        "{\"output_path\":\"$OUT/5.wav\",\"plugin_path\":\"$NEKOBI\",\"chain\":[{\"plugin_path\":\"$NEKOBI\"}]}" \
        "{\"output_path\":\"$OUT/6.wav\",\"chain\":[{\"plugin_path\":\"$NEKOBI\",\"program_index\":\"x\"}]}" \
        "{\"output_path\":\"$OUT/7.wav\",\"chain\":[{\"plugin_path\":\"$VR_TEST_SYNTH_VST3\",\"set_params\":{\"crash\":1}},{\"plugin_path\":\"$MVERB\"}]}" \
        "{\"output_path\":\"$OUT/8.wav\",\"chain\":[{\"plugin_path\":\"$NEKOBI\"},{\"plugin_path\":\"$MVERB\"}]}"
    assert_failure 1
    run jq -r '[.status, .error.message // "-"] | @tsv' <<<"$output"
    assert_line --index 0 "error	field 'chain' must be a non-empty array of stages {\"plugin_path\": ...}"
    assert_line --index 1 --partial "error	chain stage 1 (MVerb-vst): set_params: the plugin has no parameter 'dampng'; the nearest of its 9: 'Damping'"
    assert_line --index 2 --partial "error	chain stage 1 (Nekobi-vst): the plugin takes no audio input"
    assert_line --index 3 --partial "error	chain stage 1 (/nowhere/x.so):"
    assert_line --index 4 --partial "error	field 'plugin_path' and a chain"
    assert_line --index 5 --partial "error	chain stage 0: field 'program_index' must be"
    assert_line --index 6 --partial "error	chain stage 0 (vr-test-synth): "
    assert_line --index 6 --partial "SIGSEGV"
    assert_line --index 7 "ok	-"
    assert_equal "$(names_in "$OUT")" 8.wav
}
