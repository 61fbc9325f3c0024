#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A Windows plugin that keeps state where a static C runtime keeps it (a
# generator in a static, a table in its data segment, heap blocks only a
# global points to: tests/plugins/static_state/README.md) gets from each
# isolation mode what that mode promises, and the probe picks the mode that
# renders every job as a new process would (issue 46, render-one(1)
# --isolation). The Windows worker keeps a plugin's module loaded once it
# has loaded it, so `fresh` and `reset` leave the module's state to the
# next job (equal jobs differ, state kind by kind); `restore` puts the
# module and the plugin arena back as they were loaded, and renders each
# job as a new process does, in one Windows worker; `auto` picks it.
# `process` (a new Windows worker a job) renders the same. Built pinning
# its module (as plugins do that keep themselves loaded) or not: the same.
# The same plugin's Linux build forks each job from the never-played
# instance. Plain pass only, like the other Windows suites.
bats_require_minimum_version 1.5.0
load helper

WIN=$VR_WIN_STATIC_STATE_VST2
PINNED=$VR_WIN_STATIC_STATE_PINNED_VST2
LINUX=$VR_TEST_STATIC_STATE_VST2

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

teardown() {
    # A server a test started by hand goes with the test, passed or failed:
    # later render-ones would take one left running for a server that ran
    # before them, and never stop it.
    if [[ -n "${started_server:-}" ]] && wineserver -k0 2>/dev/null; then
        wineserver -k
        wineserver -w
    fi
}

# Two equal jobs of each note given (NOTE-a.npy, NOTE-b.npy in folder $1),
# in that order, in one render-one with the plugin $2 and the options after
# ($3...); every job ok and sounding.
render_twice() {
    local dir=$1 plugin=$2 note
    shift 2
    mkdir -p "$dir"
    for note in 60 61 62 63; do
        printf '{"note":%d,"output_path":"%s/%d-a.npy"}\n{"note":%d,"output_path":"%s/%d-b.npy"}\n' \
            "$note" "$dir" "$note" "$note" "$dir" "$note"
    done | render-one --plugin "$plugin" --duration 0.1 --tail 0 "$@" \
        > "$dir.ndjson" 2> "$dir.err" || fail "render-one failed: $(cat "$dir.err")"
    run jq -c 'select(.status != "ok" or .peak_dbfs < -40) | [.note, .status, .peak_dbfs, .error]' "$dir.ndjson"
    assert_output ""
    run jq -s length "$dir.ndjson"
    assert_output 8
}

# Whether each note of $2... rendered equal jobs alike (same) or not
# (differ) in folder $1: "same" or "differ" first.
expect() {
    local want=$1 dir=$2 note
    shift 2
    for note in "$@"; do
        if cmp -s "$dir/$note-a.npy" "$dir/$note-b.npy"; then
            [[ $want == same ]] || fail "note $note: two equal jobs rendered the same bytes in $dir"
        else
            [[ $want == differ ]] || fail "note $note: two equal jobs rendered different bytes in $dir"
        fi
    done
}

# require_win PLUGIN: wine and that build of the plugin are there; the
# prefix's server is kept up.
require_win() {
    require_wine warm
    [[ -f "$1" ]] || fail "the Windows static-state plugin is not built ($1): make test-plugins"
}

# Each note alone, one render-one each (the first job of a new process),
# renders what job NOTE-a did in folder $2, with plugin $1.
same_as_alone() {
    local plugin=$1 dir=$2 note
    for note in 60 61 62 63; do
        render-one --plugin "$plugin" --note "$note" --duration 0.1 --tail 0 -o "$dir/alone-$note.npy" \
            > "$dir/alone-$note.json" 2> "$dir/alone.err" || fail "render-one failed: $(cat "$dir/alone.err")"
        cmp "$dir/alone-$note.npy" "$dir/$note-a.npy" ||
            fail "note $note: the batch's job differs from the same job alone in a new process"
    done
}

@test "pinned, fresh: a new instance starts from the module state the job before left; only the instance's own is new" {
    require_win "$PINNED"
    render_twice "$OUT/fresh" "$PINNED" --isolation fresh
    expect differ "$OUT/fresh" 60 61 62
    expect same "$OUT/fresh" 63
}

@test "pinned, reset: the instance keeps its count of notes too" {
    require_win "$PINNED"
    render_twice "$OUT/reset" "$PINNED" --isolation reset
    expect differ "$OUT/reset" 60 61 62 63
}

@test "pinned, auto: the probe picks restore, and every job renders the bytes of a job alone in a new process" {
    require_win "$PINNED"
    render_twice "$OUT/auto" "$PINNED"
    run jq -r .isolation "$OUT/auto.ndjson"
    assert_equal "$(sort -u <<<"$output")" restore
    expect same "$OUT/auto" 60 61 62 63
    same_as_alone "$PINNED" "$OUT/auto"
}

@test "pinned, process: a Windows worker a job renders what restore does" {
    require_win "$PINNED"
    render_twice "$OUT/process" "$PINNED" --isolation process
    run jq -r .isolation "$OUT/process.ndjson"
    assert_equal "$(sort -u <<<"$output")" process
    expect same "$OUT/process" 60 61 62 63
    same_as_alone "$PINNED" "$OUT/process"
}

@test "not pinned, auto: the worker keeps the module loaded, so the probe picks restore too, and renders as a new process" {
    require_win "$WIN"
    render_twice "$OUT/auto" "$WIN"
    run jq -r .isolation "$OUT/auto.ndjson"
    assert_equal "$(sort -u <<<"$output")" restore
    expect same "$OUT/auto" 60 61 62 63
    same_as_alone "$WIN" "$OUT/auto"
}

@test "restore needs the pinned randomness: with --real-randomness it is refused in the record, and auto takes process" {
    require_win "$PINNED"
    printf '{"note":60,"output_path":"%s/a.npy"}\n' "$OUT" |
        render-one --plugin "$PINNED" --duration 0.1 --tail 0 --isolation restore --real-randomness \
            > "$OUT/refused.ndjson" 2> "$OUT/refused.err" || true
    run jq -r '[.status, .error.message] | @tsv' "$OUT/refused.ndjson"
    assert_output --regexp "^error"
    assert_output --partial "isolation restore"
    assert_output --partial "real-randomness"
    [[ ! -e "$OUT/a.npy" ]] || fail "the refused job left an output"
    render_twice "$OUT/real" "$PINNED" --real-randomness
    run jq -r .isolation "$OUT/real.ndjson"
    assert_equal "$(sort -u <<<"$output")" process
}

# The Windows worker's answers to a pinned load of $PINNED whose request
# says restores=$1, the instance's free, a restore and a second load
# (tests/tools/win-worker-talk.py speaks its wire), one JSON line each.
talk_to_worker() {
    local worker=${VR_WIN_WORKER:-$BATS_TEST_DIRNAME/../build/win/vr-win-worker.exe} load
    [[ -f "$worker" ]] || fail "the Windows worker is not built ($worker): make"
    load=$(jq -cn --arg at "Z:${PINNED//\//\\}" --argjson restores "$1" \
        '{op: "load", seed: 1, ref: {location: $at, format: 0}, rate: 44100, block: 512, sidechain: false,
          restores: $restores}')
    printf '%s\n' "$load" '{"op":"free","id":1}' '{"op":"restore"}' "$load" |
        python3 "$BATS_TEST_DIRNAME/tools/win-worker-talk.py" "$worker" 3>&-
}

@test "a Windows worker whose load needs no restore takes no snapshot, and refuses a restore; one that does restores" {
    require_win "$PINNED"
    # The worker is started here with no render-one around it: its server
    # is this test's, started persistent (descriptor 3 closed:
    # tests/setup_suite.bash) and stopped by teardown.
    if ! wineserver -k0 2>/dev/null; then
        wineserver -p 3>&-
        started_server=1
    fi
    # What render-one's worker asks of its Windows workers but those it
    # keeps for restore: the snapshot's copies cost a one-off about 90
    # fresh pages (bench/README.md, What pinning costs).
    run talk_to_worker false
    assert_success
    assert_line --index 0 --partial '"name": "vr-test-static-state-pinned"'
    assert_line --index 1 '{"ok": null}'
    assert_line --index 2 --partial '"error": "no restore: this Windows worker took no snapshot as it loaded the plugin'
    assert_line --index 3 --partial '"id": 2'
    run talk_to_worker true
    assert_success
    assert_line --index 1 '{"ok": null}'
    assert_line --index 2 '{"ok": null}'
    assert_line --index 3 --partial '"id": 2'
}

@test "the Linux build: auto forks each job from the never-played instance, and fresh leaves the module's state" {
    [[ -f "$LINUX" ]] || fail "the Linux static-state plugin is not built ($LINUX): make test-plugins"
    render_twice "$OUT/linux-auto" "$LINUX"
    run jq -r .isolation "$OUT/linux-auto.ndjson"
    assert_equal "$(sort -u <<<"$output")" fork
    expect same "$OUT/linux-auto" 60 61 62 63
    render_twice "$OUT/linux-fresh" "$LINUX" --isolation fresh
    expect differ "$OUT/linux-fresh" 60 61 62
    expect same "$OUT/linux-fresh" 63
}
