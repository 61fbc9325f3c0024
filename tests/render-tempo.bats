#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Host tempo and transport: what the plugin's play head says, frame by
# frame, seen through the test synth's play-head mode (tests/plugins/README.md,
# "Play head"), checked by tests/tools/play-head-check.py against a tempo map
# written from the MIDI file's own definition; the fields of records; the
# errors for tempos and time signatures that are not ones.
bats_require_minimum_version 1.5.0
load helper
load tempo-helper

FORMATS="vst3 $VR_TEST_SYNTH_VST3
vst2 $VR_TEST_SYNTH_VST2
lv2 $VR_TEST_SYNTH_LV2"

setup_file() {
    mkdir -p "$BATS_FILE_TMPDIR/midi"
    write_midi "$BATS_FILE_TMPDIR/midi"
}

setup() {
    MIDI="$BATS_FILE_TMPDIR/midi"
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

@test "the play head says a constant tempo and time signature at every block, through the tail, in VST3, VST2 and LV2" {
    local name plugin
    while read -r name plugin; do
        run env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$plugin" --bpm 90 --time-signature 7/8 \
            --duration 0.5 --tail 1 --block-size 480 -o "$OUT/$name.npy"
        assert_success
        # 1.5 s at 480 frames a block: 150 blocks, every field exact
        run play_head_line "$OUT/$name.npy" "$name" '{"bpm": 90, "sig": [7, 8]}' 480
        assert_output "150 True True True -1"
    done <<<"$FORMATS"
}

@test "a MIDI file's tempo changes and time signature reach the plugin on their frame, in VST3, VST2 and LV2" {
    local name plugin
    while read -r name plugin; do
        run env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$plugin" --midi "$MIDI/tempo.mid" --tail 0.5 \
            -o "$OUT/$name.npy"
        assert_success
        run play_head_line "$OUT/$name.npy" "$name" "$TEMPO_MAP"
        assert_line --regexp '^[0-9]+ True True True -1$'
    done <<<"$FORMATS"
}

@test "a change one block late is seen: the checker fails a render whose map it was not given" {
    run env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --midi "$MIDI/tempo.mid" \
        --tail 0 -o "$OUT/r.npy"
    assert_success
    # The same render against a map whose first change is 512 frames late.
    run play_head_line "$OUT/r.npy" vst3 \
        '{"bpm": 120, "sig": [4, 4], "changes": [{"s": 1.0106666666666666, "q": 2, "bpm": 150}, {"s": 1.8, "q": 4, "sig": [3, 4]}, {"s": 2.2, "q": 5, "bpm": 80}]}'
    refute_line --regexp ' True True True -1$'
}

@test "a chain's stages and a song's track play on the job's one timeline" {
    # The chain: the synth, then the effect variant (LV2: its bundle makes
    # it one), whose output is what its own play head says.
    run env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --then "$VR_TEST_SYNTH_LV2_EFFECT" \
        --midi "$MIDI/tempo.mid" --tail 0.5 -o "$OUT/chain.npy"
    assert_success
    run play_head_line "$OUT/chain.npy" lv2 "$TEMPO_MAP"
    assert_line --regexp '^[0-9]+ True True True -1$'
    # A song of the file's one track.
    local tracks
    tracks="{\"0\": [{\"plugin_path\": \"$VR_TEST_SYNTH_VST2\"}]}"
    run env VR_TEST_SYNTH_PLAY_HEAD=1 render-one --tracks "$tracks" --midi "$MIDI/tempo.mid" --tail 0.5 \
        -o "$OUT/song.npy"
    assert_success
    run play_head_line "$OUT/song.npy" vst2 "$TEMPO_MAP"
    assert_line --regexp '^[0-9]+ True True True -1$'
}

@test "the default is --bpm 120 --time-signature 4/4, to the byte; another tempo gives other bytes" {
    VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0.2 -o "$OUT/default.wav"
    VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0.2 --bpm 120 \
        --time-signature 4/4 -o "$OUT/given.wav"
    VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0.2 --bpm 121 -o "$OUT/other.wav"
    cmp "$OUT/default.wav" "$OUT/given.wav"
    run cmp -s "$OUT/default.wav" "$OUT/other.wav"
    assert_failure
}

@test "records carry bpm and time_signature; a MIDI job's record renders again to the byte" {
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --bpm 92.5 --time-signature 6/8 --tail 0 \
        -o "$OUT/n.wav"
    assert_success
    assert_equal "$(jq -c '[.bpm, .time_signature]' <<<"$output")" '[92.5,"6/8"]'
    local record
    record=$(echo "{\"output_path\": \"$OUT/m.npy\", \"midi_path\": \"$MIDI/tempo.mid\"}" \
        | VR_TEST_SYNTH_PLAY_HEAD=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0.1 2>/dev/null)
    assert_equal "$(jq -c '[.status, .bpm, .time_signature]' <<<"$record")" '["ok",120,"4/4"]'
    cp "$OUT/m.npy" "$OUT/first.npy"
    jq -c ".output_path = \"$OUT/m.npy\"" <<<"$record" | VR_TEST_SYNTH_PLAY_HEAD=1 render-one >/dev/null
    cmp "$OUT/first.npy" "$OUT/m.npy"
    # A file at 100 bpm: its record says 100, and the flag's 120 (a default,
    # not given) does not contradict it.
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --midi "$MIDI/at100.mid" --tail 0 \
        -o "$OUT/a.wav"
    assert_success
    assert_equal "$(jq -c '.bpm' <<<"$output")" 100
}

@test "a bpm or time signature that is not one is a usage error naming it" {
    local bad
    for bad in 0 1000 -5 abc; do
        run -2 render-one --plugin "$VR_TEST_SYNTH_VST3" --bpm "$bad" -o "$OUT/x.wav"
        assert_output --partial "$bad"
    done
    for bad in 4/0 0/4 4/3 4; do
        run -2 render-one --plugin "$VR_TEST_SYNTH_VST3" --time-signature "$bad" -o "$OUT/x.wav"
        assert_output --partial "--time-signature: '$bad'"
    done
    run -2 render-one --plugin "$VR_TEST_SYNTH_VST3" --automation-unit bars -o "$OUT/x.wav"
    assert_output --partial "--automation-unit: seconds or beats, not 'bars'"
}

@test "bad tempos in jobs and MIDI files cost their job only, each error naming the value" {
    {
        echo "{\"output_path\": \"$OUT/1.wav\", \"bpm\": 0}"
        echo "{\"output_path\": \"$OUT/2.wav\", \"time_signature\": \"4/3\"}"
        echo "{\"output_path\": \"$OUT/3.wav\", \"midi_path\": \"$MIDI/zero-tempo.mid\"}"
        echo "{\"output_path\": \"$OUT/4.wav\", \"midi_path\": \"$MIDI/fast.mid\"}"
        echo "{\"output_path\": \"$OUT/5.wav\", \"midi_path\": \"$MIDI/at100.mid\", \"bpm\": 90}"
        echo "{\"output_path\": \"$OUT/6.wav\", \"midi_path\": \"$MIDI/bad-meter.mid\"}"
        echo "{\"output_path\": \"$OUT/7.wav\", \"bpm\": 140, \"time_signature\": \"5/4\"}"
        echo "{\"output_path\": \"$OUT/8.wav\", \"bpm\": \"fast\"}"
    } >"$BATS_TEST_TMPDIR/jobs"
    run -1 --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0 <"$BATS_TEST_TMPDIR/jobs"
    local errors
    errors=$(jq -r '.error.message // .status' <<<"$output")
    assert_equal "$(sed -n 1p <<<"$errors")" "field 'bpm' is 0, outside 1..999"
    assert_equal "$(sed -n 2p <<<"$errors")" \
        "field 'time_signature': '4/3': the note value of a beat (D) must be 1, 2, 4, 8, 16, 32 or 64"
    assert_equal "$(sed -n 3p <<<"$errors")" "$MIDI/zero-tempo.mid: the tempo at 0 s is 0 us per quarter note"
    assert_equal "$(sed -n 4p <<<"$errors")" \
        "$MIDI/fast.mid: the tempo at 0 s (50000 us per quarter note): 1200 bpm is outside 1 to 999 bpm"
    assert_equal "$(sed -n 5p <<<"$errors")" \
        "bpm 90 is not the MIDI file's tempo, 100 bpm ($MIDI/at100.mid): leave bpm out, or give the file's"
    sed -n 6p <<<"$errors" | grep -F "$MIDI/bad-meter.mid: the time signature at 0 s, 4/2^9, is not one"
    assert_equal "$(sed -n 7p <<<"$errors")" ok
    sed -n 8p <<<"$errors" | grep -F "'bpm'"
    assert_equal "$(sed -n 7p <<<"$output" | jq -c '[.bpm, .time_signature]')" '[140,"5/4"]'
}

@test "automation in beats follows the tempo: a ramp over two beats at 120 bpm is a ramp over one second" {
    "$PY" -c "import numpy as np; np.save('$OUT/half.npy', np.full((48000, 2), 0.5, np.float32))"
    VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --input "$OUT/half.npy" --tail 0 \
        --automation '{"level": [[0, 0], [1, 1]]}' -o "$OUT/seconds.npy"
    VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --input "$OUT/half.npy" --tail 0 \
        --automation '{"level": [[0, 0], [2, 1]]}' --automation-unit beats -o "$OUT/beats.npy"
    cmp "$OUT/seconds.npy" "$OUT/beats.npy"
    # At 60 bpm two beats last two seconds: half way at the end.
    run --separate-stderr env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$VR_TEST_SYNTH_VST3" \
        --input "$OUT/half.npy" --tail 0 --bpm 60 \
        --automation '{"level": [[0, 0], [2, 1]]}' --automation-unit beats -o "$OUT/slow.npy"
    assert_success
    assert_equal "$(jq -r .automation_unit <<<"$output")" beats
    run "$PY" -c "import numpy as np; a = np.load('$OUT/slow.npy'); print(round(float(a[-1, 0]), 2))"
    assert_output 0.5
}
