#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A plugin's own state through --state, in VST2, VST3 and LV2: the test
# synth whose state is a JSON document or JUCE binary XML with a root of
# its own (VR_TEST_SYNTH_STATE, tests/plugins/README.md "Text states")
# takes the state it saves through each format's door, and what
# --save-state wrote, to the same audio; a state it refuses (one of a newer
# version) fails the job, saying so, where a state equal to its own stays ok.
# shellcheck disable=SC2016 # jq filters: $x is jq's
bats_require_minimum_version 1.5.0
load helper

setup() {
    OUT=$BATS_TEST_TMPDIR
}

FORMATS=(vst2 vst3 lv2)
# The synth's own state as FORM (json or xml) into FILE, with LEVEL
# (parameter 0; release 0.1, the rest 0) and VERSION, byte for byte as the
# plugin writes it: floats with nine significant digits; XML on one line as
# JUCE's copyXmlToBinary writes it ("VC2!", the length, the text, a NUL).
own_state() {
    /usr/bin/python3 - "$@" <<'PY'
import struct, sys
form, out, level, version = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
f32 = lambda v: "%.9g" % struct.unpack("<f", struct.pack("<f", v))[0]
values = [f32(v) for v in [level, 0.1] + [0.0] * 9]
if form == "json":
    text = '{"plugin": "vr-test-synth", "version": %d, "program": 0, "values": [%s]}\n' % (version, ", ".join(values))
    open(out, "wb").write(text.encode())
else:
    text = ('<?xml version="1.0" encoding="UTF-8"?> <vrTestSynth version="%d" program="0" values="%s"/>'
            % (version, " ".join(values))).encode()
    open(out, "wb").write(b"VC2!" + struct.pack("<I", len(text)) + text + b"\0")
PY
}

# The peak in dBFS of a note at velocity 100 from the test synth at LEVEL.
peak_for() { /usr/bin/python3 -c "import math; print(round(20 * math.log10(100 / 127 * $1), 2))"; }

# render-one on the synth of FORMAT with its state as STATE_FORM, then the
# rest; standard error dropped.
synth() {
    local format=$1 form=$2
    shift 2
    VR_TEST_SYNTH_STATE=$form render-one --plugin "$(synth_of "$format")" --duration 0.1 --tail 0 --params "$@" 2>/dev/null
}

@test "the synth's own JSON and binary XML states go in through --state in VST2, VST3 and LV2 and sound as its parameters" {
    local form format
    for form in json xml; do
        own_state "$form" "$OUT/s.$form" 0.8 1
        for format in "${FORMATS[@]}"; do
            run synth "$format" "$form" --state "$OUT/s.$form" -o "$OUT/$format-$form.wav"
            assert_success
            assert_equal "$format $form: $(jq -r '[.status, .preset_applied_as, .preset_changed_state,
                (.params[] | select(.name == "level") | .value * 1000 | round), .peak_dbfs] | @tsv' <<<"$output")" \
                "$format $form: $(printf 'ok\tstate\ttrue\t800\t%s' "$(peak_for 0.8)")"
        done
        cmp "$OUT/vst2-$form.wav" "$OUT/vst3-$form.wav"
        cmp "$OUT/vst2-$form.wav" "$OUT/lv2-$form.wav"
    done
    cmp "$OUT/vst2-json.wav" "$OUT/vst2-xml.wav"
}

@test "--state reads back what --save-state wrote in every format, to the same audio; VST2's is still an .fxb of the chunk" {
    own_state json "$OUT/s.json" 0.3 1
    local format
    for format in "${FORMATS[@]}"; do
        run synth "$format" json --state "$OUT/s.json" -o "$OUT/$format-a.wav" --save-state "$OUT/$format.saved"
        assert_success
        run synth "$format" json --state "$OUT/$format.saved" -o "$OUT/$format-b.wav"
        assert_success
        assert_equal "$format: $(jq -r '[.status, .preset_changed_state, .peak_dbfs] | @tsv' <<<"$output")" \
            "$format: $(printf 'ok\ttrue\t%s' "$(peak_for 0.3)")"
        cmp "$OUT/$format-a.wav" "$OUT/$format-b.wav"
    done
    # JUCE's VST2 host saves a bank: FBCh, the plugin's chunk (its JSON) inside.
    assert_equal "$(head -c 12 "$OUT/vst2.saved" | tail -c 4)" FBCh
    assert_equal "$(tail -c +161 "$OUT/vst2.saved" | jq -r '[.plugin, .values[0]] | @tsv')" "$(printf 'vr-test-synth\t0.300000012')"
    # VST3's is JUCE's VST3 blob; LV2's a Turtle state document.
    assert_equal "$(head -c 4 "$OUT/vst3.saved")" 'VC2!'
    grep -q 'pset:Preset' "$OUT/lv2.saved" || fail "the LV2 state is no state document: $(head -c 300 "$OUT/lv2.saved")"
}

@test "a state of a newer version, which the synth refuses, fails the job saying so in every format; its own state stays ok" {
    local form format
    for form in json xml; do
        own_state "$form" "$OUT/new.$form" 0.8 2
        own_state "$form" "$OUT/default.$form" 0.5 1
        for format in "${FORMATS[@]}"; do
            run synth "$format" "$form" --state "$OUT/new.$form" -o "$OUT/$format-$form.wav"
            assert_failure 1
            assert_output --partial "$OUT/new.$form: the plugin ignored or refused this state: its state after loading is the one it had before"
            [ ! -e "$OUT/$format-$form.wav" ] || fail "$format $form: a refused state rendered"
            # Equal to the fresh instance's state: ok, and nothing changed.
            run synth "$format" "$form" --state "$OUT/default.$form" -o "$OUT/$format-$form-default.wav"
            assert_success
            assert_equal "$format $form: $(jq -r '[.status, .preset_changed_state] | @tsv' <<<"$output")" \
                "$format $form: $(printf 'ok\tfalse')"
        done
    done
    # The synth's binary state of another version is refused alike.
    /usr/bin/python3 -c 'import struct; open("'"$OUT"'/v2.vrts", "wb").write(b"VRTS" + struct.pack("<II", 2, 1) + struct.pack("<f", 0.9) + struct.pack("<II", 0, 0))'
    run synth vst3 "" --state "$OUT/v2.vrts" -o "$OUT/v2.wav"
    assert_failure 1
    assert_output --partial "the plugin ignored or refused this state"
}

@test "a state in another plugin's form fails as ignored: binary XML of another root, JSON into the binary synth" {
    own_state json "$OUT/s.json" 0.8 1
    local format
    for format in "${FORMATS[@]}"; do
        run synth "$format" xml --state "$OUT/s.json" -o "$OUT/$format.wav"
        assert_failure 1
        assert_output --partial "the plugin ignored or refused this state"
        run synth "$format" "" --state "$OUT/s.json" -o "$OUT/$format.wav"
        assert_failure 1
        assert_output --partial "the plugin ignored or refused this state"
    done
}

@test "a Vital preset and a JUCE XML preset are the plugin's own state: preset-scan names them, -p maps them, every format loads them" {
    # The test synth's JSON state with Vital's keys before its own (Vital
    # saves and loads its state as the preset's JSON), and its XML state
    # shaped as a JUCE XML preset (a <PARAM> child, as a value-tree
    # plugin's), as text: render-one hands it over as binary XML.
    local values="0.8, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0"
    printf '{"author": "vst-render", "preset_name": "Half", "preset_style": "Test", "synth_version": "1.0.0", "settings": {}, "plugin": "vr-test-synth", "version": 1, "program": 0, "values": [%s]}\n' \
        "$values" > "$OUT/half.vital"
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<vrTestSynth version="1" program="0" values="%s" presetName="Half"><PARAM id="level" value="0.8"/></vrTestSynth>\n' \
        "${values//,/}" > "$OUT/half.xml"
    run preset-scan "$OUT/half.vital" "$OUT/half.xml"
    assert_success
    assert_equal "$(jq -r '[.preset_format, .preset_plugin_id, .preset_name] | @tsv' <<<"$output")" \
        "$(printf 'vital\tVital\tHalf\njuce-xml\tvrTestSynth\tHalf')"
    local format form file kind
    own_state json "$OUT/s.json" 0.8 1
    synth vst2 json --state "$OUT/s.json" -o "$OUT/want.wav" > /dev/null
    for format in "${FORMATS[@]}"; do
        for form in json xml; do
            case $form in
                json) file=half.vital kind=vital ;;
                *) file=half.xml kind=juce-xml ;;
            esac
            run bash -c "preset-scan '$OUT/$file' | jq -c '. + {output_path: \"$OUT/$format-$form.wav\"}' |
                VR_TEST_SYNTH_STATE=$form render-one -p Vital='$(synth_of "$format")' \
                -p vrTestSynth='$(synth_of "$format")' --duration 0.1 --tail 0 2>/dev/null"
            assert_success
            assert_equal "$format $form: $(jq -r '[.status, .preset_format, .preset_applied_as, .preset_changed_state] | @tsv' <<<"$output")" \
                "$format $form: $(printf 'ok\t%s\tstate\ttrue' "$kind")"
            cmp "$OUT/want.wav" "$OUT/$format-$form.wav" || fail "$format $form: not the state's sound"
        done
    done
}

@test "a Vital and a JUCE XML preset's result read again renders the same bytes; param-sample --around and dataset-pack take their jobs" {
    local values="0.8, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0" form file
    printf '{"author": "vst-render", "preset_name": "Half", "synth_version": "1.0.0", "settings": {}, "plugin": "vr-test-synth", "version": 1, "program": 0, "values": [%s]}\n' \
        "$values" > "$OUT/half.vital"
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<vrTestSynth version="1" program="0" values="%s" presetName="Half"><PARAM id="level" value="0.8"/></vrTestSynth>\n' \
        "${values//,/}" > "$OUT/half.xml"
    for form in json xml; do
        [[ $form == json ]] && file=half.vital || file=half.xml
        preset-scan "$OUT/$file" | jq -c --arg o "$OUT/$form.wav" '. + {output_path: $o}' |
            VR_TEST_SYNTH_STATE=$form render-one -p Vital="$VR_TEST_SYNTH_VST3" -p vrTestSynth="$VR_TEST_SYNTH_VST3" \
                --duration 0.1 --tail 0 --params 2>/dev/null >"$OUT/$form.ndjson"
        assert_equal "$form: $(jq -r .status "$OUT/$form.ndjson")" "$form: ok"
        # Read again, with no -p: the result names its plugin and preset.
        jq -c --arg o "$OUT/$form-again.wav" '.output_path = $o' "$OUT/$form.ndjson" |
            VR_TEST_SYNTH_STATE=$form render-one 2>/dev/null >/dev/null
        cmp "$OUT/$form.wav" "$OUT/$form-again.wav"
        # Three samples around the preset's values, each rendered from the
        # preset with its values set after it: each holds what it asked.
        param-sample --around --count 3 --seed 5 --sigma 0.1 <"$OUT/$form.ndjson" |
            jq -c --arg o "$OUT/$form-around" '.output_path = "\($o)-\(.sample_index).wav"' |
            VR_TEST_SYNTH_STATE=$form render-one --params 2>/dev/null >"$OUT/$form-around.ndjson"
        assert_equal "$form: $(jq -r .status "$OUT/$form-around.ndjson" | sort | uniq -c | xargs)" "$form: 3 ok"
        assert_equal "$(jq -r '[.preset_format, .preset_applied_as] | @tsv' "$OUT/$form-around.ndjson" | sort -u | wc -l)" 1
        run jq -r '.params as $p | .set_params | to_entries[]
            | . as $e | ($p[] | select(.name == $e.key or (.index | tostring) == $e.key) | .value) as $held
            | select(($e.value - $held) | fabs > 1e-6) | $e.key' "$OUT/$form-around.ndjson"
        assert_output ""
        [[ "$(jq -r .set_params "$OUT/$form-around.ndjson" | sort -u | wc -l)" -gt 1 ]] || fail "$form: the samples did not move"
    done
    run dataset-pack --shards "$OUT/shards" < <(cat "$OUT/json-around.ndjson" "$OUT/xml-around.ndjson")
    assert_success
    assert_equal "$(tar -tf "$OUT/shards/000000.tar" | grep -c '\.wav$')" 6
}

@test "a Vital preset the plugin refuses (a newer version) fails its job, never an ok record with the init sound" {
    printf '{"author": "vst-render", "preset_name": "New", "synth_version": "9.0.0", "settings": {}, "plugin": "vr-test-synth", "version": 2, "program": 0, "values": [0.5, 0.1]}\n' \
        > "$OUT/new.vital"
    run -1 bash -c "VR_TEST_SYNTH_STATE=json render-one --plugin '$VR_TEST_SYNTH_VST3' --preset '$OUT/new.vital' --duration 0.1 --tail 0 -o '$OUT/new.wav' 2>/dev/null"
    run jq -r '[.status, (.error.message | test("ignored or refused"))] | @tsv' <<<"$output"
    assert_output "$(printf 'error\ttrue')"
    [ ! -e "$OUT/new.wav" ] || fail "a refused preset left an output"
}

