#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# DX7 voices over MIDI SysEx, end to end: preset-scan finds a cartridge
# and expands it into its voices, render-one sends each voice's dump and
# program change before the job (tests/plugins/dx7_voice: each voice's
# operator 1 is its pitch and level), a result read again renders the same
# bytes, param-sample --around and dataset-pack take the jobs; --sysex
# sends any SysEx file; a plugin that ignores SysEx, and a broken dump,
# fail their job alone.
# shellcheck disable=SC2016 # jq filters: $x is jq's
bats_require_minimum_version 1.5.0
load helper

setup() {
    PLUGIN=$VR_TEST_DX7_VST2
    [[ -f "$PLUGIN" ]] || fail "the DX7 test synth is not built: $PLUGIN (make test-plugins)"
    SYX="$BATS_TEST_DIRNAME/tools/dx7-syx.py"
    cd "$BATS_TEST_TMPDIR" || exit 1
    mkdir out
}

# The peak and RMS of out/$1.npy's first channel over its first 0.5 s (to
# 4 places) and its pitch in Hz (the FFT's strongest bin, 2 Hz wide).
tone() {
    /usr/bin/python3 -c "
import numpy as np, sys
a = np.load(sys.argv[1])[:24000, 0].astype(np.float64)
hz = np.argmax(np.abs(np.fft.rfft(a))) * 48000 / len(a)
print(round(float(np.abs(a).max()), 4), round(float(np.sqrt(np.mean(a * a))), 4), round(hz))" "out/$1.npy"
}

# What the synth plays for note 69 with operator 1 at COARSE, LEVEL (fine 0),
# as tone prints it.
tone_for() {
    /usr/bin/python3 -c "
import math, sys
c, l = int(sys.argv[1]), int(sys.argv[2])
a = 0.5 * 10 ** (-0.75 * (99 - l) / 20)
print(round(a, 4), round(a / math.sqrt(2), 4), round(440 * (0.5 if c == 0 else c)))" "$1" "$2"
}

# The cartridge's voice K: coarse 1 + K % 4, level 99 - 2K (tools/dx7-syx.py).
voice_tone() { tone_for $((1 + $1 % 4)) $((99 - 2 * $1)); }

# Jobs of note 69 for 0.5 s from preset-scan records on stdin, each to
# out/<program_index or the file's stem>.npy.
jobs_from_scan() {
    jq -c '. + {output_path: ("out/" + ((.program_index // (.preset_path | split("/") | last | split(".") | first)) | tostring) + ".npy"),
                note: 69, duration_s: 0.5, tail_s: 0.1}'
}

@test "every voice of a cartridge, found and expanded by preset-scan, renders its own pitch and level through SysEx" {
    "$SYX" cartridge cart.syx
    preset-scan --expand-banks cart.syx | jobs_from_scan >jobs.ndjson
    assert_equal "$(wc -l <jobs.ndjson)" 32
    run --separate-stderr render-one -p "DX7=$PLUGIN" <jobs.ndjson
    assert_success
    assert_equal "$(jq -r '[.status, .preset_applied_as, .preset_format] | join(" ")' <<<"$output" | sort | uniq -c | xargs)" \
        "32 ok sysex dx7-sysex"
    local k
    for k in $(seq 0 31); do
        assert_equal "voice $k: $(tone "$k")" "voice $k: $(voice_tone "$k")"
    done
    # Voices 0 and 4 share a pitch, not a level: the program change chose.
    [[ "$(tone 0)" != "$(tone 4)" ]] || fail "voices 0 and 4 rendered alike"
}

@test "a DX7 result read again as a job renders the same bytes, in another process and in a batch beside other voices" {
    "$SYX" cartridge cart.syx
    preset-scan --expand-banks cart.syx | jobs_from_scan | sed -n '6p' >one.ndjson
    render-one -p "DX7=$PLUGIN" <one.ndjson >first.ndjson
    assert_equal "$(jq -r .status first.ndjson)" ok
    jq -c '.output_path = "out/again.npy"' first.ndjson >again.ndjson
    # Read again with no --plugin: the result names its plugin; then
    # after other voices in one worker, where no voice may leak into the next.
    render-one <again.ndjson >/dev/null
    cmp out/5.npy out/again.npy
    { preset-scan --expand-banks cart.syx | jobs_from_scan | sed -n '12p'; jq -c '.output_path = "out/batch.npy"' first.ndjson; } |
        render-one -p "DX7=$PLUGIN" >/dev/null
    cmp out/5.npy out/batch.npy
    # A plain job after a voice in the same worker plays the synth's own voice.
    { jq -c '.output_path = "out/v.npy"' first.ndjson; jobs_of "$PLUGIN" plain; } | render-one >/dev/null
    assert_equal "$(tone plain)" "$(tone_for 1 99)"
}

@test "a single-voice dump, and the voice a file of several dumps names, render as that voice" {
    "$SYX" voice solo.syx 3 0 91 SOLO
    "$SYX" cartridge cart.syx
    cat solo.syx cart.syx >both.syx
    {
        jq -nc '{preset_path: "solo.syx", output_path: "out/solo.npy"}'
        jq -nc '{preset_path: "both.syx", output_path: "out/both0.npy"}'
        jq -nc '{preset_path: "both.syx", program_index: 8, output_path: "out/both8.npy"}'
    } | jq -c '. + {note: 69, duration_s: 0.5, tail_s: 0.1}' >jobs.ndjson
    run --separate-stderr render-one --plugin "$PLUGIN" <jobs.ndjson
    assert_success
    assert_equal "$(jq -r .status <<<"$output" | sort | uniq -c | xargs)" "3 ok"
    assert_equal "$(tone solo)" "$(tone_for 3 91)"
    assert_equal "$(tone both0)" "$(tone_for 3 91)"
    # Voice 8 of the file is the cartridge's voice 7 (the single voice is 0).
    assert_equal "$(tone both8)" "$(voice_tone 7)"
}

@test "a cartridge the synth holds already renders ok: its voice with another name changes the state, so SysEx is taken" {
    "$SYX" init init.syx
    jobs_of "$PLUGIN" own >own.ndjson
    run --separate-stderr render-one --preset init.syx <own.ndjson
    assert_success
    assert_equal "$(jq -r '[.status, .preset_applied_as, .preset_changed_state] | join(" ")' <<<"$output")" "ok sysex false"
    assert_equal "$(tone own)" "$(tone_for 1 99)"
    # The same cartridge through --sysex cannot be told from one ignored.
    run --separate-stderr render-one --sysex init.syx <own.ndjson
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output" | sed "s|$PWD/||")" \
        "init.syx: the plugin's state after the SysEx is the one it had before: it takes no SysEx, ignored these messages, or held what they set already"
}

@test "--sysex sends a file's messages before set_params; records carry sysex_path and sysex_sha256" {
    "$SYX" voice solo.syx 2 50 99 SOLO
    run --separate-stderr render-one --plugin "$PLUGIN" --sysex solo.syx --note 69 --duration 0.5 --tail 0.1 -o out/s.npy
    assert_success
    assert_equal "$(jq -r '[.status, .sysex_path, .sysex_sha256] | join(" ")' <<<"$output")" \
        "ok $PWD/solo.syx $(sha256sum solo.syx | cut -d' ' -f1)"
    # Coarse 2, fine 50: 440 * 2 * 1.5.
    assert_equal "$(tone s | cut -d' ' -f3)" 1320
    # set_params come after the SysEx: operator 1's level set to 59 of 99.
    jq -nc --arg p "$PLUGIN" '{plugin_path: $p, sysex_path: "solo.syx", set_params: {"OP1 Level": 0.5959596},
                               note: 69, duration_s: 0.5, tail_s: 0.1, output_path: "out/p.npy"}' | render-one >/dev/null
    assert_equal "$(tone p)" "$(tone_for 3 59 | awk '{ print $1, $2, 1320 }')"
}

@test "a plugin that takes no SysEx fails its job, saying its state did not change, and the batch goes on" {
    "$SYX" cartridge cart.syx
    {
        jq -nc --arg p "$VR_TEST_JUCE5_START_VST2" '{plugin_path: $p, preset_path: "cart.syx", output_path: "out/a.npy"}'
        jq -nc --arg p "$VR_TEST_JUCE5_START_VST2" '{plugin_path: $p, sysex_path: "cart.syx", output_path: "out/b.npy"}'
        jq -nc --arg p "$PLUGIN" '{plugin_path: $p, preset_path: "cart.syx", program_index: 2, output_path: "out/c.npy"}'
    } | jq -c '. + {note: 69, duration_s: 0.5, tail_s: 0.1}' >jobs.ndjson
    run --separate-stderr render-one <jobs.ndjson
    assert_failure 1
    assert_equal "$(jq -r '.error.message // .status' <<<"$output" | sed "s|$PWD/||")" "$(printf '%s\n' \
        "cart.syx: the plugin's state after the SysEx is the one it had before: it takes no SysEx, or ignored this DX7 voice dump (one with another name changed nothing either)" \
        "cart.syx: the plugin's state after the SysEx is the one it had before: it takes no SysEx, ignored these messages, or held what they set already" \
        ok)"
    [[ ! -e out/a.npy && ! -e out/b.npy ]] || fail "a failed job left its output"
    assert_equal "$(tone c)" "$(voice_tone 2)"
}

@test "a broken dump, a voice the file lacks and a file that is not SysEx fail their job naming the byte" {
    "$SYX" cartridge cart.syx
    head -c 4000 cart.syx >cut.syx
    cp cart.syx sum.syx
    printf '\x00' | dd of=sum.syx bs=1 seek=4102 conv=notrunc status=none
    printf '\xf0\x41\x10\x42\x12\x40\x00\x7f\x00\x41\xf7' >roland.syx
    printf 'MThd' >song.syx
    printf '\xf0\x01\x02' >open.syx
    {
        for f in cut sum roland; do jq -nc --arg f "$f.syx" '{preset_path: $f}'; done
        jq -nc '{preset_path: "cart.syx", program_index: 32}'
        jq -nc '{sysex_path: "song.syx"}'
        jq -nc '{sysex_path: "open.syx"}'
    } | jq -c --arg p "$PLUGIN" '. + {plugin_path: $p, output_path: "out/x.npy"}' >jobs.ndjson
    run --separate-stderr render-one <jobs.ndjson
    assert_failure 1
    assert_ndjson
    assert_equal "$(jq -r .error.message <<<"$output" | sed "s|$PWD/||")" "$(printf '%s\n' \
        "preset cut.syx: truncated at byte 4000: a 32-voice dump starting at byte 0 needs 4104 bytes, the file has 4000" \
        "preset sum.syx: byte 4102: checksum 0x00, but the data's is $(printf '0x%02x' "$(od -An -tu1 -j4102 -N1 cart.syx)")" \
        "preset roland.syx: not a preset render-one can load (.fxp, .fxb, .vstpreset, .SerumPreset, .vital, JUCE XML, DX7 .syx): MIDI System Exclusive data of manufacturer 0x41 (byte 1)" \
        "preset cart.syx: program_index 32: the file holds 32 DX7 voices (0-31)" \
        "sysex song.syx: byte 0: 4D where a SysEx message (F0) should start: not a .syx file" \
        "sysex open.syx: byte 0: the SysEx message starting there has no F7: the file is cut short after 3 bytes")"
    [[ ! -e out/x.npy ]] || fail "a failed job left its output"
}

@test "param-sample --around varies a voice's parameters, and dataset-pack packs the renders" {
    "$SYX" cartridge cart.syx
    preset-scan --expand-banks cart.syx | jobs_from_scan | sed -n '1p;4p' >jobs.ndjson
    render-one -p "DX7=$PLUGIN" --params <jobs.ndjson >voices.ndjson
    # What each voice holds: operator 1's coarse, fine and level (voice 3: coarse 4, level 93).
    assert_equal "$(jq -c '[.program_index, (.params | map(.text))]' voices.ndjson)" \
        "$(printf '%s\n' '[0,["1","0","99"]]' '[3,["4","0","93"]]')"
    param-sample --around --count 3 --seed 7 --sigma 0.2 <voices.ndjson |
        jq -c '.output_path = "out/around-\(.program_index)-\(.sample_index).npy"' >around.ndjson
    assert_equal "$(wc -l <around.ndjson)" 6
    render-one -p "DX7=$PLUGIN" --params <around.ndjson >rendered.ndjson
    assert_equal "$(jq -r .status rendered.ndjson | sort | uniq -c | xargs)" "6 ok"
    # Each render holds the values it asked for (to the parameter's steps:
    # coarse 0-31, fine and level 0-99), and sounds operator 1's level and
    # pitch as it holds them.
    /usr/bin/python3 - rendered.ndjson <<'PY'
import json, sys
import numpy as np
steps = [31, 99, 99]
for line in open(sys.argv[1]):
    r = json.loads(line)
    held = {p["name"]: p for p in r["params"]}
    assert r["set_params"], line
    for key, v in r["set_params"].items():
        p = held[key] if key in held else r["params"][int(key)]
        n = steps[p["index"]]
        assert abs(p["value"] - round(v * n) / n) < 1e-6, (key, v, p)
    coarse, fine, level = (int(p["text"]) for p in r["params"])
    a = np.load(r["output_path"])[:24000, 0].astype(np.float64)
    hz = np.argmax(np.abs(np.fft.rfft(a))) * 48000 / len(a)
    want = 440 * (0.5 if coarse == 0 else coarse) * (1 + fine / 100)
    assert abs(hz - want) <= 2, (line, hz, want)
    assert abs(np.abs(a).max() - 0.5 * 10 ** (-0.75 * (99 - level) / 20)) < 1e-3, line
PY
    run dataset-pack --shards shards <rendered.ndjson
    assert_success
    assert_equal "$(tar -tf shards/000000.tar | grep -c '\.npy$')" 6
}
