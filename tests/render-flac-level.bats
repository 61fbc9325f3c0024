#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one's FLAC compression level (--flac-level, the job field
# flac_level): checked like every range, echoed by .flac results only, and
# asserted on the files: level 5 is libsndfile's default byte for byte,
# each level is FLAC's own preset, every level decodes to the same samples.
bats_require_minimum_version 1.5.0
load helper

PROBE="$VR_BIN/../tests/audio-probe"

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# The test synth's sine (the same on both channels), 0.5 s held and 0.5 s
# of tail; extra arguments go to render-one.
render() { render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.5 --tail 0.5 "$@" 2>/dev/null; }

# Both channels' decoded samples of a file, as text.
samples() { "$PROBE" --samples 0 "$1" && "$PROBE" --samples 1 "$1"; }

@test "--flac-level out of 0-8 or not an integer is a usage error" {
    assert_usage_error render-one --flac-level 9
    assert_output --partial "--flac-level must be between 0 and 8"
    assert_usage_error render-one --flac-level -1
    assert_output --partial "--flac-level must be between 0 and 8"
    assert_usage_error render-one --flac-level 2.5
    assert_output --partial "--flac-level"
    assert_usage_error render-one --flac-level fast
    assert_output --partial "--flac-level"
}

@test "a bad flac_level fails its job naming the field; the next job renders" {
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.flac\",\"flac_level\":9}" \
        "{\"output_path\":\"$OUT/b.wav\",\"flac_level\":-1}" \
        "{\"output_path\":\"$OUT/c.flac\",\"flac_level\":\"max\"}" \
        "{\"output_path\":\"$OUT/d.flac\",\"flac_level\":8}"
    assert_failure 1
    run jq -c '[.status, .error.message]' <<<"$output"
    assert_output "[\"error\",\"field 'flac_level' is 9, outside 0..8\"]
[\"error\",\"field 'flac_level' is -1, outside 0..8\"]
[\"error\",\"field 'flac_level' must be a whole number, not a string (\\\"max\\\")\"]
[\"ok\",null]"
    [ "$(names_in "$OUT")" = d.flac ]
    [ "$(samples "$OUT/d.flac" | sort -u | wc -l)" -gt 100 ]
}

@test "level 5, by field or flag, is the default's bytes; 0 and 8 differ in size, not in samples" {
    render -o "$OUT/default.flac"
    render -o "$OUT/flag5.flac" --flac-level 5
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.5 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/field5.flac\",\"flac_level\":5}" \
        "{\"output_path\":\"$OUT/l0.flac\",\"flac_level\":0}" \
        "{\"output_path\":\"$OUT/l8.flac\",\"flac_level\":8}"
    assert_success
    run jq -c '[.status, .flac_level]' <<<"$output"
    assert_output '["ok",5]
["ok",0]
["ok",8]'
    cmp "$OUT/default.flac" "$OUT/flag5.flac"
    cmp "$OUT/default.flac" "$OUT/field5.flac"
    local s0 s5 s8
    s0=$(stat -c %s "$OUT/l0.flac")
    s5=$(stat -c %s "$OUT/default.flac")
    s8=$(stat -c %s "$OUT/l8.flac")
    # FLAC's -0 leaves the two equal channels apart (twice the bytes); -8
    # beats -5.
    [ "$s0" -gt $((s5 * 3 / 2)) ] || fail "level 0: $s0 bytes, level 5: $s5"
    [ "$s8" -lt "$s5" ] || fail "level 8: $s8 bytes, level 5: $s5"
    samples "$OUT/default.flac" >"$OUT/default.txt"
    [ "$(sort -u "$OUT/default.txt" | wc -l)" -gt 100 ] || fail "the sine is not there"
    cmp "$OUT/default.txt" <(samples "$OUT/l0.flac")
    cmp "$OUT/default.txt" <(samples "$OUT/l8.flac")
}

@test "only .flac results echo flac_level; read again, a result keeps its level over the flag" {
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.2 --tail 0 --flac-level 1 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.flac\"}" \
        "{\"output_path\":\"$OUT/a.wav\",\"flac_level\":3}" \
        "{\"output_path\":\"$OUT/a.ogg\"}"
    assert_success
    local results=("${lines[@]}")
    run jq -c '[.status, .flac_level]' <<<"$output"
    assert_output '["ok",1]
["ok",null]
["ok",null]'
    # The .flac result rendered again with another --flac-level: the field
    # wins, the same bytes, and stderr says which flag was shadowed.
    run --separate-stderr bash -c "jq -c '.output_path = \"$OUT/again.flac\"' <<<'${results[0]}' \
        | render-one --flac-level 8"
    assert_success
    cmp "$OUT/a.flac" "$OUT/again.flac"
    assert_equal "$(jq -c .flac_level <<<"$output")" 1
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    [[ "$stderr" == *"--flac-level by flac_level in 1 job"* ]] || fail "stderr: $stderr"
}
