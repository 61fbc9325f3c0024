#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The job fields and render-one options that tests/windows.bats does not
# take through a Windows plugin (issue 30: every job field works the same):
# a MIDI file, a program, presets of both kinds, a saved state, songs,
# input and sidechain audio, output formats and measurements, sidecars,
# --export-programs, --skip-existing and --max-rss. Each is compared with
# the test synth's Linux build (within 1e-5: the C libraries' libm differ in
# the last bits) or with itself. Plain pass only, like windows.bats.

load helper
bats_require_minimum_version 1.5.0

SONG="$BATS_TEST_DIRNAME/fixtures/songs/song.mid"

setup() {
    require_wine warm
    cd "$BATS_TEST_TMPDIR" || exit 1
}

# Sets vst2 and vst3 to the test synth's Linux (l) or Windows (w) builds.
builds() {
    if [[ $1 == w ]]; then
        vst2=$VR_WIN_SYNTH_VST2 vst3=$VR_WIN_SYNTH_VST3
    else
        vst2=$VR_TEST_SYNTH_VST2 vst3=$VR_TEST_SYNTH_VST3
    fi
}

# Fails unless float32 .npy files $1 and $2 differ by at most 1e-5, and $1 sounds.
close_and_sounding() {
    local max
    read -r max _ < <(npy_diff "$1" "$2")
    /usr/bin/python3 - "$1" "$max" <<'EOF'
import sys
import numpy as np
a = np.load(sys.argv[1])
assert float(sys.argv[2]) <= 1e-5, f"differs by {sys.argv[2]}"
assert float(np.abs(a).max()) > 0.01, "silent"
EOF
}

@test "a MIDI file, a program, an .fxp and a .vstpreset, a saved state: the Windows builds render what the Linux build renders" {
    # Programs exported by each build are the same files.
    mkdir lx wx
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST2" --export-programs lx
    assert_success
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --export-programs wx
    assert_success
    assert_equal "$(jq -r .preset_name <<<"$output" | paste -sd,)" "Init,Quiet,Loud,Full"
    for f in lx/*.fxp; do cmp "$f" "wx/${f#lx/}"; done
    # A program by index, a MIDI file, a preset of each format.
    for build in l w; do
        builds "$build"
        jq -cn --arg p "$vst2" --arg m "$SONG" --arg b "$build" \
            '{plugin_path: $p, program_index: 2, output_path: "\($b)-prog.npy"},
             {plugin_path: $p, midi_path: $m, tail_s: 0.2, output_path: "\($b)-midi.npy"},
             {plugin_path: $p, preset_path: "lx/Quiet.fxp", note: 64, output_path: "\($b)-fxp.npy"}' >jobs.ndjson
        run --separate-stderr render-one <jobs.ndjson
        assert_success
        mkdir "$build-vst3"
        run --separate-stderr render-one --plugin "$vst3" --export-programs "$build-vst3"
        assert_success
        run --separate-stderr render-one --plugin "$vst3" --preset l-vst3/Loud.vstpreset -o "$build-vst3.npy"
        assert_success
        assert_equal "$(jq -r .preset_sha256 <<<"$output")" "$(sha256sum l-vst3/Loud.vstpreset | cut -d' ' -f1)"
    done
    cmp l-vst3/Loud.vstpreset w-vst3/Loud.vstpreset
    for r in prog midi fxp vst3; do close_and_sounding "w-$r.npy" "l-$r.npy"; done
    # The programs sound different from each other (a preset that did not
    # arrive would sound like Init).
    run npy_diff w-prog.npy w-fxp.npy
    refute_output "0.0 0"
    # A state saved by the Windows build loads into the Linux build.
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --preset wx/Full.fxp --save-state w.state -o w-saved.npy
    assert_success
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST2" --state w.state -o l-state.npy
    assert_success
    close_and_sounding w-saved.npy l-state.npy
}

@test "a song whose tracks play the Windows synth, and an effect fed input and sidechain audio: as the Linux build" {
    for build in l w; do
        builds "$build"
        jq -cn --arg p "$vst2" --arg m "$SONG" --arg b "$build" \
            '{midi_path: $m, tracks: {"1": [{plugin_path: $p}], "name:lead": [{plugin_path: $p}]},
              stems_dir: "\($b)-stems", tail_s: 0.2, output_path: "\($b)-song.npy"}' >song.ndjson
        run --separate-stderr render-one <song.ndjson
        assert_success
        assert_equal "$(jq -c '[.stems[].chain[0].plugin_platform]' <<<"$output")" \
            "$(if [[ $build == w ]]; then echo '["windows-x86_64","windows-x86_64"]'; else echo '["linux-x86_64","linux-x86_64"]'; fi)"
        # The effect with its sidechain switched on: input and sidechain both heard.
        run --separate-stderr render-one --plugin "$vst2" -o dry.npy --note 57 --duration 0.3 --tail 0.1
        assert_success
        run --separate-stderr render-one --plugin "$vst2" -o key.npy --note 76 --duration 0.3 --tail 0.1
        assert_success
        run --separate-stderr env VR_TEST_SYNTH_SIDECHAIN=1 render-one --plugin "$vst3" --input dry.npy \
            --sidechain key.npy --tail 0.1 -o "$build-sc.npy"
        assert_success
        assert_equal "$(jq -r .sidechain_sha256 <<<"$output")" "$(sha256sum key.npy | cut -d' ' -f1)"
        run --separate-stderr env VR_TEST_SYNTH_SIDECHAIN=1 render-one --plugin "$vst3" --input dry.npy \
            --tail 0.1 -o "$build-nosc.npy"
        assert_success
        run npy_diff "$build-sc.npy" "$build-nosc.npy"
        refute_output "0.0 0"
    done
    close_and_sounding w-song.npy l-song.npy
    for stem in l-stems/*; do close_and_sounding "w-stems/${stem#l-stems/}" "$stem"; done
    close_and_sounding w-sc.npy l-sc.npy
}

@test "output formats, measurements, sidecars and --skip-existing through a Windows plugin" {
    for ext in wav flac ogg; do
        run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST2" -o "l.$ext" --normalize lufs:-20 --sidecar
        assert_success
        linux=$output
        run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" -o "w.$ext" --normalize lufs:-20 --sidecar
        assert_success
        # Measured on the Linux side, the same code: equal to 0.01 dB.
        /usr/bin/python3 - "$linux" "$output" <<'EOF'
import json, sys
l, w = (json.loads(a) for a in sys.argv[1:])
for k in ("peak_dbfs", "rms_dbfs", "loudness_lufs", "true_peak_dbtp", "gain_db", "frames"):
    assert abs(l[k] - w[k]) <= 0.01, (k, l[k], w[k])
assert w["loudness_lufs"] == -20, w["loudness_lufs"]
EOF
        assert_equal "$(jq -c '[(.params | length), .plugin_platform]' "w.$ext.json")" '[14,"windows-x86_64"]'
        assert_equal "$(jq -c '[.params[].name]' "w.$ext.json")" "$(jq -c '[.params[].name]' "l.$ext.json")"
    done
    # A second run skips what exists and leaves it as it was.
    sum=$(sha256sum w.flac)
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" -o w.flac --skip-existing
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" skipped
    assert_equal "$(sha256sum w.flac)" "$sum"
}

@test "--max-rss counts the Windows worker's memory: a bound between the worker's own and the two together replaces it each job" {
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' '{"note":64,"output_path":"b.npy"}' \
        '{"note":67,"output_path":"c.npy"}' >jobs.ndjson
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" <jobs.ndjson
    assert_success
    # One worker: the plugin loaded once, every record the same load time.
    assert_equal "$(jq -r .plugin_load_s <<<"$output" | sort -u | wc -l)" 1
    read -r own windows < <(jq -r '"\(.worker_rss_mb) \(.windows_worker_rss_mb)"' <<<"$output" | tail -n 1)
    bound=$(/usr/bin/python3 -c "import sys; o, w = map(float, sys.argv[1:]); assert w > 1, w; print(round(o + w / 2, 1))" "$own" "$windows")
    mv c.npy c1.npy
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --max-rss "$bound" <jobs.ndjson
    assert_success
    # A worker (and its Windows worker) per job: three loads.
    assert_equal "$(jq -r .plugin_load_s <<<"$output" | sort -u | wc -l)" 3
    assert_equal "$(npy_diff c.npy c1.npy)" "0.0 0"
}

@test "a Windows plugin's play head says the job's tempo and a MIDI file's tempo map on their frames, VST2 and VST3" {
    load tempo-helper
    write_midi .
    local name plugin
    while read -r name plugin; do
        run --separate-stderr env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$plugin" --bpm 90 \
            --time-signature 7/8 --duration 0.5 --tail 0.5 -o "c.$name.npy"
        assert_success
        run play_head_line "c.$name.npy" "$name" '{"bpm": 90, "sig": [7, 8]}'
        assert_output --regexp '^[0-9]+ True True True -1$'
        run --separate-stderr env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$plugin" --midi tempo.mid \
            --tail 0.5 -o "m.$name.npy"
        assert_success
        run play_head_line "m.$name.npy" "$name" "$TEMPO_MAP"
        assert_output --regexp '^[0-9]+ True True True -1$'
    done <<<"vst2 $VR_WIN_SYNTH_VST2
vst3 $VR_WIN_SYNTH_VST3"
    # A chain whose Windows stage comes after a Linux one (both effects, so
    # that the second takes the first's audio), and a song's Windows track:
    # the same timeline.
    run --separate-stderr env VR_TEST_SYNTH_PLAY_HEAD=1 VR_TEST_SYNTH_EFFECT=1 render-one \
        --plugin "$VR_TEST_SYNTH_VST3" --then "$VR_WIN_SYNTH_VST2" --midi tempo.mid --tail 0.5 -o chain.npy
    assert_success
    run play_head_line chain.npy vst2 "$TEMPO_MAP"
    assert_output --regexp '^[0-9]+ True True True -1$'
    run --separate-stderr env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --midi tempo.mid --tail 0.5 -o song.npy \
        --tracks "{\"0\": [{\"plugin_path\": \"$VR_WIN_SYNTH_VST3\"}]}"
    assert_success
    run play_head_line song.npy vst3 "$TEMPO_MAP"
    assert_output --regexp '^[0-9]+ True True True -1$'
}
