#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# One rule for blank lines, in every tool that reads records (vst-render(7),
# RECORDS): a line of nothing but spaces, tabs and carriage returns is
# skipped, as jq skips whitespace between values, and still counts in the
# line numbers; a record ending in CRLF is read as the record.
load helper

SYNTH="$VR_TEST_SYNTH_VST3"

# Runs command line $1 on records $2 $3 $4 (objects with "id" 1, 2, 3) set
# among blank lines: line 1 is $2; 2 empty; 3 spaces and tabs; 4 a lone CR;
# 5 is $3 ending in CRLF; 6 not JSON; 7 spaces, a tab and a CR; 8 is $4; 9
# empty; 10 a space and a tab with no newline after it. The records out must
# be exactly those of the four lines that are not blank, in order: the three
# records and an error record for line 6 (exit status 1).
run_among_blank_lines() {
    local cmd=$1
    printf '%s\n\n \t  \t\n\r\n%s\r\nnot json\n \t\r\n%s\n\n \t' "$2" "$3" "$4" >"$BATS_TEST_TMPDIR/in"
    sh_run "$cmd <'$BATS_TEST_TMPDIR/in'"
    assert_failure 1
    assert_ndjson
    assert_equal "${#lines[@]}" 4
    assert_equal "$(jq -c '[.id, .error.line]' <<<"$output" | paste -sd' ')" "[1,null] [2,null] [null,6] [3,null]"
}

@test "job-grid skips blank lines" {
    run_among_blank_lines "job-grid --notes 60 --velocities 90" '{"id":1}' '{"id":2}' '{"id":3}'
    assert_equal "$(jq -r 'select(.id) | "\(.note) \(.velocity)"' <<<"$output" | sort -u)" "60 90"
}

@test "assign-paths skips blank lines" {
    local out="$BATS_TEST_TMPDIR/out"
    run_among_blank_lines "assign-paths --out '$out'" \
        '{"id":1,"preset_name":"a"}' '{"id":2,"preset_name":"b"}' '{"id":3,"preset_name":"c"}'
    assert_equal "$(jq -r 'select(.id) | .output_path' <<<"$output" | paste -sd,)" "$out/a.wav,$out/b.wav,$out/c.wav"
}

@test "param-sample skips blank lines" {
    local p='"params":[{"index":0,"name":"a","value":0.5}]'
    run_among_blank_lines "param-sample --count 1" "{\"id\":1,$p}" "{\"id\":2,$p}" "{\"id\":3,$p}"
    assert_equal "$(jq -r 'select(.id) | .sample_index' <<<"$output" | paste -sd,)" "0,0,0"
}

@test "dataset-pack skips blank lines" {
    local out="$BATS_TEST_TMPDIR/shards"
    run_among_blank_lines "dataset-pack --shards '$out' 2>/dev/null" '{"id":1}' '{"id":2}' '{"id":3}'
    assert_equal "$(cat "$out/shards.txt")" ""
}

@test "midi-duration skips blank lines" {
    local mid="$FIXTURES/midi/files/github-misc/MrsWatson__c-scale.mid"
    run_among_blank_lines midi-duration \
        "{\"id\":1,\"midi_path\":\"$mid\"}" '{"id":2}' "{\"id\":3,\"midi_path\":\"$mid\"}"
    assert_equal "$(jq -c 'select(.id) | .midi_duration_s' <<<"$output" | paste -sd,)" "1.875,null,1.875"
}

@test "preset-scan (records mode) skips blank lines" {
    local fxp="$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp"
    run_among_blank_lines preset-scan \
        "{\"id\":1,\"preset_path\":\"$fxp\"}" '{"id":2}' "{\"id\":3,\"preset_path\":\"$fxp\"}"
    assert_equal "$(jq -c 'select(.id) | .preset_format' <<<"$output" | paste -sd,)" '"fxp",null,"fxp"'
    # Passed on unchanged, the CRLF record is its input line, CR and all.
    assert_equal "${lines[1]}" $'{"id":2}\r'
}

@test "serum-unwrap (records mode) skips blank lines" {
    local p="$FIXTURES/serum2/files/CharlesBT/temp1.SerumPreset"
    run_among_blank_lines "serum-unwrap --state-dir '$BATS_TEST_TMPDIR/states'" \
        "{\"id\":1,\"preset_format\":\"serum2\",\"preset_path\":\"$p\"}" '{"id":2}' \
        "{\"id\":3,\"preset_format\":\"serum2\",\"preset_path\":\"$p\"}"
    run jq -r 'select(.id == 1 or .id == 3) | .state_path' <<<"$output"
    assert_equal "${#lines[@]}" 2
    for f in "${lines[@]}"; do [ -s "$f" ] || fail "no state at $f"; done
}

@test "render-one skips blank lines" {
    local d="$BATS_TEST_TMPDIR/r"
    run_among_blank_lines "render-one --plugin '$SYNTH' --duration 0.05 --tail 0.05" \
        "{\"id\":1,\"note\":60,\"output_path\":\"$d/1.wav\"}" \
        "{\"id\":2,\"note\":64,\"output_path\":\"$d/2.wav\"}" \
        "{\"id\":3,\"note\":67,\"output_path\":\"$d/3.wav\"}"
    assert_equal "$(jq -r 'select(.id) | "\(.status) \(.silent)"' <<<"$output" | sort | uniq -c | awk '{ print $1, $2, $3 }')" "3 ok false"
    assert_equal "$(names_in "$d" | paste -sd,)" "1.wav,2.wav,3.wav"
}

@test "render-index skips blank lines" {
    local d="$BATS_TEST_TMPDIR/r" results
    results=$(for i in 1 2 3; do printf '{"id":%d,"note":%d,"output_path":"%s/%d.wav"}\n' "$i" $((57 + i)) "$d" "$i"; done |
        render-one --plugin "$SYNTH" --duration 0.05 --tail 0.05)
    assert_equal "$(jq -r .status <<<"$results" | paste -sd,)" "ok,ok,ok"
    mapfile -t rec <<<"$results"
    run_among_blank_lines "render-index --out '$BATS_TEST_TMPDIR/page'" "${rec[0]}" "${rec[1]}" "${rec[2]}"
    # A row per record read: the three renders, the line that was not JSON.
    assert_equal "$(grep -c '<audio' "$BATS_TEST_TMPDIR/page/index.html")" 3
    grep -q 'line 6' "$BATS_TEST_TMPDIR/page/index.html" || fail "no row for the bad line"
}
