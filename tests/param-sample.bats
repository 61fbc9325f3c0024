#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# param-sample: jobs that sample a plugin's parameters, the space file and
# its errors, reproducibility across ranges, --around. The samplers'
# properties are unit-tested (tests/unit/dataset_sample_test.cpp).
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so

# A plugin record as plugin-scan --params writes it: four continuous
# parameters (two named alike), a 5-step one with texts, a read-only meter.
plugin_record() {
    jq -cn '{plugin_path: "/x/synth.so", note: 60, params: [
        {index: 0, name: "cutoff", value: 0.5, text: "", default: 0.5, automatable: true},
        {index: 1, name: "lfo_rate", value: 0.1, text: "", automatable: true},
        {index: 2, name: "lfo_depth", value: 0.2, text: "", automatable: true},
        {index: 3, name: "wave", value: 0.75, text: "saw", steps: 5,
         step_texts: ["sine", "tri", "square", "saw", "noise"], automatable: true},
        {index: 4, name: "level", value: 0.3, text: "", automatable: false},
        {index: 5, name: "level", value: 0.3, text: "", automatable: true},
        {index: 6, name: "meter", value: 0.0, text: "", read_only: true}]}'
}

setup() {
    REC="$BATS_TEST_TMPDIR/plugin.ndjson"
    plugin_record >"$REC"
}

@test "param-sample --help prints usage on stdout and exits 0" {
    run --separate-stderr param-sample --help
    assert_success
    assert_output --partial "--count"
    assert_output --partial "--step-probability"
}

@test "param-sample refuses bad options with exit 2, before reading input" {
    assert_usage_error param-sample --no-such-flag
    assert_usage_error param-sample
    assert_output --partial "--count N is needed"
    assert_usage_error param-sample -n 10 --method halton
    assert_usage_error param-sample -n 10 --range 5-10
    assert_output --partial "goes past the last sample, 9"
    assert_usage_error param-sample -n 10 --range 7-3
    assert_usage_error param-sample -n 10 --sigma 0.1
    assert_usage_error param-sample -n 10 --around --method sobol
    assert_usage_error param-sample -n 0
    assert_usage_error param-sample -n 10 --space "$BATS_TEST_TMPDIR/none.json"
}

@test "param-sample follows the record contract" {
    check_record_tool_contract "param-sample --count 3"
    sh_run "yes '$(cat "$REC")' | head -100 | param-sample -n 100000 | head -1"
    assert_success
    assert_output --partial '"sample_index":0,'
}

@test "param-sample writes one job per sample: fields kept, params dropped, set_params keyed by unique names" {
    sh_run "param-sample -n 3 --seed 5 < '$REC'"
    assert_success
    assert_equal "${#lines[@]}" 3
    run jq -c '[keys_unsorted, (.set_params | keys_unsorted), .sample_index, .sample_seed, .sample_method]' <<<"$output"
    assert_line --index 0 '[["plugin_path","note","set_params","sample_index","sample_seed","sample_method"],["cutoff","lfo_rate","lfo_depth","wave","4","5"],0,5,"uniform"]'
    assert_line --index 2 --partial '],2,5,"uniform"]'
    # Values are in [0, 1], the stepped one on its steps, no two samples alike.
    sh_run "param-sample -n 200 < '$REC' | jq -s -e 'all(.[].set_params[]; . >= 0 and . <= 1)
        and ([.[].set_params.wave] | unique) == [0, 0.25, 0.5, 0.75, 1]
        and ([.[].set_params.cutoff] | unique | length) == 200'"
    assert_success
    # An input's own set_params and the read-back fields of a render do not survive.
    sh_run "jq -c '.set_params = {\"x\": 1} | .param_values = [1] | .params_adjusted = 0' '$REC' | param-sample -n 1 | jq -c 'keys'"
    assert_output '["note","plugin_path","sample_index","sample_method","sample_seed","set_params"]'
}

@test "param-sample: sample i is the same whatever --range and, for uniform and sobol, --count" {
    for m in uniform sobol lhs; do
        param-sample -n 40 -m "$m" --seed 3 <"$REC" >"$BATS_TEST_TMPDIR/all"
        { param-sample -n 40 -m "$m" --seed 3 --range 0-19 <"$REC"
          param-sample -n 40 -m "$m" --seed 3 --range 20-39 <"$REC"; } >"$BATS_TEST_TMPDIR/cut"
        cmp "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/cut" || fail "$m: ranges differ from the whole"
        run param-sample -n 40 -m "$m" --seed 3 --range 25 <"$REC"
        assert_output "$(sed -n 26p "$BATS_TEST_TMPDIR/all")"
        param-sample -n 1000 -m "$m" --seed 3 --range 0-39 <"$REC" >"$BATS_TEST_TMPDIR/more"
        if [ "$m" = lhs ]; then
            cmp -s "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/more" && fail "lhs: a design of 1000 equals one of 40"
        else
            cmp "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/more" || fail "$m: --count changed sample i"
        fi
        param-sample -n 40 -m "$m" --seed 4 <"$REC" >"$BATS_TEST_TMPDIR/other"
        cmp -s "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/other" && fail "$m: seeds 3 and 4 give the same samples"
    done
    # The values themselves are pinned: the same on any machine, in any version.
    run param-sample -n 2 -m sobol --seed 0 --range 1 <"$REC"
    assert_output '{"plugin_path":"/x/synth.so","note":60,"set_params":{"cutoff":0.2646756,"lfo_rate":0.7954448,"lfo_depth":0.8490301,"wave":0.25,"4":0.98121536,"5":0.83160865},"sample_index":1,"sample_seed":0,"sample_method":"sobol"}'
    run param-sample -n 2 --seed 0 --range 1 <"$REC"
    assert_output '{"plugin_path":"/x/synth.so","note":60,"set_params":{"cutoff":0.86182266,"lfo_rate":0.21398947,"lfo_depth":0.3397618,"wave":0.5,"4":0.3337794,"5":0.2319655},"sample_index":1,"sample_seed":0,"sample_method":"uniform"}'
}

@test "param-sample: lhs puts one sample in each tenth of every continuous parameter" {
    sh_run "param-sample -n 10 -m lhs --seed 9 < '$REC' | jq -s -e '[.[].set_params] as \$s
        | [\$s[0] | keys[] | select(. != \"wave\")] as \$ks
        | all(\$ks[]; . as \$k | [\$s[][\$k] * 10 | floor] | sort == [range(10)])'"
    assert_success
}

@test "param-sample: a record without params is an error record naming its line; the others are sampled" {
    sh_run "{ echo '{\"plugin_path\":\"/a.so\"}'; echo; cat '$REC'; } | param-sample -n 2"
    assert_failure 1
    assert_equal "${#lines[@]}" 3
    assert_line --index 0 --partial '"message":"line 1: no '"'"'params'"'"' field'
    assert_line --index 1 --partial '"sample_index":0'
}

@test "param-sample --space: fixed, excluded, ranges, exact names over globs" {
    printf '%s\n' '{"*": [0, 0.5], "lfo_*": "exclude", "lfo_rate": [0.2, 0.3], "0": 0.125,' \
        '"wave": {"range": [0.5, 1]}, "5": {"steps": 3}}' >"$BATS_TEST_TMPDIR/space.json"
    sh_run "param-sample -n 300 --space '$BATS_TEST_TMPDIR/space.json' < '$REC' | jq -c -s '
        [(.[0].set_params | keys_unsorted), ([.[].set_params.cutoff] | unique),
         ([.[].set_params.lfo_rate] | min >= 0.2 and max <= 0.3), ([.[].set_params.wave] | unique),
         ([.[].set_params[\"4\"]] | max <= 0.5), ([.[].set_params[\"5\"]] | unique)]'"
    assert_success
    assert_output '[["cutoff","lfo_rate","wave","4","5"],[0.125],true,[0.5,0.75,1],true,[0,0.5,1]]'
}

@test "param-sample --space errors exit 2 naming the file and key" {
    local s="$BATS_TEST_TMPDIR/s.json"
    echo '{"cutof": [0, 1]}' >"$s"
    run --separate-stderr param-sample -n 2 --space "$s" <"$REC"
    assert_failure 2
    assert_output ""
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "${stderr%%$'\n'*}" "param-sample: $s: \"cutof\": no parameter of that name; did you mean \"cutoff\"?"
    echo '{"cutoff": [0.5, 1.5]}' >"$s"
    assert_usage_error param-sample -n 2 --space "$s"
    assert_output --partial '"cutoff": range [0.5, 1.5] must lie in [0, 1]'
    echo '{"*LFO*": 0.5}' >"$s"
    run param-sample -n 2 --space "$s" <"$REC"
    assert_failure 2
    assert_output --partial '"*LFO*": the glob matches no parameter name'
    echo '{"cutoff": 0.5,' >"$s"
    assert_usage_error param-sample -n 2 --space "$s"
    assert_output --partial "$s: not JSON"
    echo '{"meter": 0.5}' >"$s"
    run param-sample -n 2 --space "$s" <"$REC"
    assert_failure 2
    assert_output --partial "is read-only"
    echo '{"99": 0.5}' >"$s"
    run param-sample -n 2 --space "$s" <"$REC"
    assert_failure 2
    assert_output --partial "no parameter has index 99"
}

@test "param-sample never varies a read-only parameter, and --around stays near the record's values" {
    sh_run "param-sample -n 50 < '$REC' | jq -e -s 'all(.[].set_params; has(\"6\") or has(\"meter\") | not)'"
    assert_success
    sh_run "param-sample -n 500 --around --sigma 0.02 --step-probability 0.2 < '$REC' | jq -c -s '
        [.[0].sample_method, ([.[].set_params.cutoff] | (min > 0.4 and max < 0.6)),
         ([.[].set_params.wave] | unique), ([.[].set_params.wave | select(. != 0.75)] | length | . > 50 and . < 150)]'"
    assert_success
    assert_output '["around",true,[0.5,0.75,1],true]'
}

@test "param-sample leaves out the parameters plugin-scan --params reads as read-only from a VST3 controller" {
    # vr-dpf-synth's output parameter peak (one object, component and
    # controller) and the test synth's three CRC meters (a controller of
    # its own, made from the module's factory).
    plugin-scan --params "$VR_DPF_VST3" "$VR_TEST_SYNTH_VST3" >"$BATS_TEST_TMPDIR/vst3.ndjson" 2>/dev/null
    sh_run "param-sample -n 3 < '$BATS_TEST_TMPDIR/vst3.ndjson' | jq -c '[.sample_index, (.set_params | length),
        (.set_params | has(\"peak\") or has(\"state_crc\") or has(\"state_crc_hi\") or has(\"state_crc_lo\")),
        (.set_params | has(\"level\") and has(\"release\"))]'"
    assert_success
    assert_output '[0,2083,false,true]
[1,2083,false,true]
[2,2083,false,true]
[0,13,false,true]
[1,13,false,true]
[2,13,false,true]'
}

@test "param-sample samples amsynth's 41 parameters from plugin-scan --params" {
    plugin-scan --params "$AMSYNTH" >"$BATS_TEST_TMPDIR/amsynth.ndjson" 2>/dev/null
    sh_run "param-sample -n 5 -m sobol < '$BATS_TEST_TMPDIR/amsynth.ndjson' | jq -c '[(.set_params | length), has(\"params\"), .plugin_path]'"
    assert_success
    assert_equal "${#lines[@]}" 5
    assert_line --index 4 "[41,false,\"$AMSYNTH\"]"
}
