#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The examples run as tests: the demo pipeline, end to end, on a real plugin.
load helper

@test "the demo pipeline renders amsynth programs through parallel workers and sums them up" {
    out="$BATS_TEST_TMPDIR/demo"
    DEMO_OUT="$out" DEMO_EVERY=900 DEMO_JOBS=2 run "$TESTS_DIR/../examples/demo.sh"
    assert_success
    assert_output --partial "jobs:         12 (12 ok, 0 failed, 0 skipped)"
    assert_output --partial "failed:       none"
    assert_output --partial "preview/index.html"
    run grep -c "<audio" "$out/preview/index.html"
    assert_output 12
    # One result per job, each a real, non-silent render at the asked length.
    run jq -s 'length' "$out/results.ndjson"
    assert_output 12
    run jq -r 'select(.status == "ok" and .silent == false and .frames == 72000) | .output_path' "$out/results.ndjson"
    assert_equal "${#lines[@]}" 12
    for f in "${lines[@]}"; do
        [ -s "$f" ] || fail "missing $f"
    done
    # Exported .fxp files, found by preset-scan, render through their preset.
    run jq -r 'select(.status == "ok" and .preset_format == "fxp" and .silent == false) | .preset_applied_as' \
        "$out/from-presets.ndjson"
    assert_output "fxp-chunk"
    # Every program of the grid got its three notes, whichever worker rendered them.
    run jq -r '"\(.program_index) \(.note)"' "$out/results.ndjson"
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 12
}

@test "the same job gives the same FLAC bytes in the pipeline and alone" {
    out="$BATS_TEST_TMPDIR/demo"
    DEMO_OUT="$out" DEMO_EVERY=1800 DEMO_JOBS=2 run "$TESTS_DIR/../examples/demo.sh"
    assert_success
    first=$(jq -c 'select(.note == 60)' "$out/results.ndjson" | head -1)
    path=$(jq -r .output_path <<<"$first")
    # The same job, alone in a fresh process.
    job=$(jq -c --arg o "$BATS_TEST_TMPDIR/alone.flac" \
        '{plugin_path, program_index, note, velocity, output_path: $o}' <<<"$first")
    run bash -c "render-one --plugin-home '$BATS_TEST_TMPDIR/h' --duration 1 --tail 0.5 <<<'$job'"
    assert_success
    cmp "$path" "$BATS_TEST_TMPDIR/alone.flac"
}
