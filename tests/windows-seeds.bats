#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The same job gives the same bytes in any process for Windows plugins too
# (issue 31): the Windows worker pins the randomness and wall clocks a
# Windows plugin draws from its C runtimes and system DLLs to the job's
# seed (render-one(1), REPRODUCIBILITY). Proved with the seeds test plugin
# built for Windows (tests/plugins/seeds/README.md, "Windows": note 60 + k
# draws from source k through its DLL), each note's first frames checked
# against the value its source must give under the seed
# (tests/tools/win-seeds-expect.py); --real-randomness pins nothing and the
# same jobs then differ, so these tests can fail. Plain pass only, like
# tests/windows.bats.
bats_require_minimum_version 1.5.0
load helper

SEEDS=$VR_WIN_SEEDS_VST2
EXPECT=$TESTS_DIR/tools/win-seeds-expect.py

setup() {
    require_wine warm
    [[ -f "$SEEDS" ]] || fail "the Windows seeds plugin is not built ($SEEDS): make test-plugins"
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# seed_jobs and the checks are in tests/helper.bash, reading these.
# shellcheck disable=SC2034
SEED_FIRST=60 SEED_LAST=82 SEED_EXT=npy

# Every note file nNN.npy in folder $1 plays what its source gives under
# seed $2.
assert_pinned_values() {
    local f note
    for f in "$1"/n*.npy; do
        note=${f##*/n}
        note=${note%.npy}
        run "$EXPECT" "$f" "$2" "$note"
        assert_success
    done
}

@test "every Windows source renders the same bytes in five separate processes, each the value its source gives under the seed" {
    local i
    for i in 1 2 3 4 5; do
        mkdir -p "$OUT/$i"
        seed_jobs "$OUT/$i" | render-one --plugin "$SEEDS" --duration 0.2 --tail 0 > "$OUT/$i.ndjson" 2>/dev/null
        assert_all_sound "$OUT/$i.ndjson" 0 pinned
    done
    for i in 2 3 4 5; do assert_same_files "$OUT/1" "$OUT/$i"; done
    assert_pinned_values "$OUT/1" 0
    run jq -r .plugin_platform "$OUT/1.ndjson"
    assert_equal "$(sort -u <<<"$output")" windows-x86_64
}

@test "--real-randomness pins nothing: every source but the unseeded ucrt rand and the seconds differs between two runs" {
    local i note
    # ucrt's rand (61, 62) unseeded starts where it always does; time()'s
    # seconds (63, 74, 75, 77) may not have moved: neither is compared.
    local moving=(60 64 65 66 67 68 69 70 71 72 73 76 78 79 80 81 82)
    for i in a b; do
        mkdir -p "$OUT/$i"
        seed_jobs "$OUT/$i" "${moving[@]}" | render-one --plugin "$SEEDS" --real-randomness --duration 0.2 --tail 0 \
            > "$OUT/$i.ndjson" 2>/dev/null
        assert_all_sound "$OUT/$i.ndjson" 0 real
    done
    for note in "${moving[@]}"; do
        cmp -s "$OUT/a/n$note.npy" "$OUT/b/n$note.npy" && fail "note $note came out the same twice with --real-randomness"
        run "$EXPECT" "$OUT/a/n$note.npy" 0 "$note"
        assert_failure
    done
}

@test "under parallel -j2, forwards and backwards, every file equals a single process's" {
    mkdir -p "$OUT/one" "$OUT/fwd" "$OUT/back"
    seed_jobs "$OUT/one" | render-one --plugin "$SEEDS" --duration 0.2 --tail 0 > /dev/null 2>&1
    seed_jobs "$OUT/fwd" | parallel --will-cite --pipe -N4 -j2 render-one --plugin "$SEEDS" --duration 0.2 --tail 0 \
        > "$OUT/fwd.ndjson" 2>/dev/null
    seed_jobs "$OUT/back" $(seq 82 -1 60) |
        parallel --will-cite --pipe -N5 -j2 render-one --plugin "$SEEDS" --duration 0.2 --tail 0 \
        > "$OUT/back.ndjson" 2>/dev/null
    assert_all_sound "$OUT/fwd.ndjson" 0 pinned
    assert_all_sound "$OUT/back.ndjson" 0 pinned
    assert_same_files "$OUT/one" "$OUT/fwd"
    assert_same_files "$OUT/one" "$OUT/back"
}

@test "seeds 1 and 2 give different audio, seed 1 repeats exactly, in every isolation mode a Windows plugin has" {
    local note mode
    for mode in reset fresh process; do
        mkdir -p "$OUT/$mode"
        for note in $(seq 60 82); do
            printf '{"note":%d,"seed":1,"output_path":"%s/s1_n%d.npy"}\n{"note":%d,"seed":2,"output_path":"%s/s2_n%d.npy"}\n' \
                "$note" "$OUT/$mode" "$note" "$note" "$OUT/$mode" "$note"
        done | render-one --plugin "$SEEDS" --isolation "$mode" --duration 0.2 --tail 0 > "$OUT/$mode.ndjson" 2>/dev/null
        run jq -r '[.status, .isolation, .randomness] | @tsv' "$OUT/$mode.ndjson"
        assert_equal "$(sort -u <<<"$output")" "$(printf 'ok\t%s\tpinned' "$mode")"
    done
    for note in $(seq 60 82); do
        run "$EXPECT" "$OUT/reset/s1_n$note.npy" 1 "$note"
        assert_success
        run "$EXPECT" "$OUT/reset/s2_n$note.npy" 2 "$note"
        assert_success
        # The birth value (76) and the load value (80) are drawn when the
        # instance is made and the DLL loaded, under seed 0 whatever the job's.
        if [[ $note != 76 && $note != 80 ]]; then
            cmp -s "$OUT/reset/s1_n$note.npy" "$OUT/reset/s2_n$note.npy" && fail "note $note: seeds 1 and 2 sound the same"
        fi
        for mode in fresh process; do
            cmp "$OUT/reset/s1_n$note.npy" "$OUT/$mode/s1_n$note.npy"
            cmp "$OUT/reset/s2_n$note.npy" "$OUT/$mode/s2_n$note.npy"
        done
    done
    # A second process, one job: the same bytes.
    render-one --plugin "$SEEDS" --seed 1 --note 67 --duration 0.2 --tail 0 -o "$OUT/again.npy" >/dev/null 2>&1
    cmp "$OUT/reset/s1_n67.npy" "$OUT/again.npy"
}

@test "--check-reproducible for a Windows plugin, in any isolation: pinned, reproducible true; real, false, and stderr says why once" {
    assert_check_reproducible 65 70
    # A job's isolation asked for keeps no instance to fork: the check
    # renders on one of its own (there is no fork under wine).
    local mode
    for mode in reset fresh process; do
        seed_jobs "$OUT" 65 | render-one --plugin "$SEEDS" --isolation "$mode" --check-reproducible --duration 0.2 \
            --tail 0 > "$OUT/$mode.ndjson" 2> "$OUT/$mode.err"
        run jq -c '[.status, .isolation, .reproducible]' "$OUT/$mode.ndjson"
        assert_output "[\"ok\",\"$mode\",true]"
        run grep -c "reproducib" "$OUT/$mode.err"
        assert_output 0
    done
}
