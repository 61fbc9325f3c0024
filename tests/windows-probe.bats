#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The Windows probe compares renders made as a job's are (issue 68): every
# job's instance has its state read before the notes, and a plugin whose
# state read changes what it renders next (vr-test-chunk-read, as a
# vendor's VST2 effect) must not be sent to a Windows worker per job when a
# new instance per job gives each job a new process's bytes. Its reset
# keeps history, so the probe still refuses reset. Plain pass only, like
# the other Windows suites.
bats_require_minimum_version 1.5.0
load helper

PLUGIN=$VR_WIN_CHUNK_READ_VST2

setup() {
    require_wine warm
    [[ -f "$PLUGIN" ]] || fail "the Windows chunk-read plugin is not built ($PLUGIN): make test-plugins"
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# Two jobs, notes 60 and 64, into folder $1 (1.npy, 2.npy) in one
# render-one with the options after ($2...); both ok and sounding.
render_two() {
    local dir=$1
    shift
    mkdir -p "$dir"
    printf '{"note":60,"output_path":"%s/1.npy"}\n{"note":64,"output_path":"%s/2.npy"}\n' "$dir" "$dir" |
        render-one --plugin "$PLUGIN" --duration 0.1 --tail 0 --no-cache "$@" \
            > "$dir.ndjson" 2> "$dir.err" || fail "render-one failed: $(cat "$dir.err")"
    run jq -c 'select(.status != "ok" or .peak_dbfs < -30) | [.status, .peak_dbfs, .error]' "$dir.ndjson"
    assert_output ""
}

@test "auto picks fresh for a plugin whose state read changes its next render, with a new process's bytes" {
    render_two "$OUT/auto"
    run jq -r .isolation "$OUT/auto.ndjson"
    assert_output $'fresh\nfresh'
    render_two "$OUT/process" --isolation process
    cmp "$OUT/auto/1.npy" "$OUT/process/1.npy"
    cmp "$OUT/auto/2.npy" "$OUT/process/2.npy"
    # The second job alone, the first job of a new process.
    render-one --plugin "$PLUGIN" --duration 0.1 --tail 0 --no-cache --note 64 -o "$OUT/alone.npy" > /dev/null
    cmp "$OUT/alone.npy" "$OUT/auto/2.npy"
}

@test "its reset keeps history: reset gives the second job other bytes, and the probe refuses it" {
    render_two "$OUT/reset" --isolation reset
    render_two "$OUT/process" --isolation process
    cmp "$OUT/reset/1.npy" "$OUT/process/1.npy"
    run ! cmp -s "$OUT/reset/2.npy" "$OUT/process/2.npy"
    render_two "$OUT/auto"
    run jq -r .isolation "$OUT/auto.ndjson"
    refute_line reset
    assert_line fresh
}

@test "--explain-probe prints each way tried and the verdict" {
    run render-one --plugin "$PLUGIN" --explain-probe
    assert_success
    local records=$output
    run jq -r '[.way // "verdict", .same, .first_frame, .isolation] | map(tostring) | join(" ")' <<< "$records"
    assert_output $'reset false 0 null\nfresh true null null\nverdict null null fresh'
    # The steps the cache keeps with the verdict are the records above, not a field of it.
    run jq -c 'select(has("steps"))' <<< "$records"
    assert_output ''
}

@test "--explain-probe goes alone, with --plugin, without -o" {
    run -2 render-one --plugin "$PLUGIN" --explain-probe --list-programs
    assert_output --partial "go one at a time"
    run -2 render-one --plugin "$PLUGIN" --explain-probe -o "$OUT/x.wav"
    assert_output --partial "need --plugin PATH and no --output"
}
