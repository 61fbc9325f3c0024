#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The same job gives the same bytes in any process, in any order: render-one
# pins the libc randomness and the wall clock plugins seed from to each job's
# seed (render-one(1), REPRODUCIBILITY). Proved with the seeds test plugin
# (tests/plugins/seeds: note 60 + k draws from source k) and DPF Kars, which
# calls rand(); --real-randomness gives the plugins libc's own, and the same
# jobs then differ, so these tests can fail.
bats_require_minimum_version 1.5.0
load helper

: "${VR_TEST_SEEDS_VST2:=$TESTS_DIR/../build/plugins/seeds/vr-test-seeds.so}"
SEEDS=$VR_TEST_SEEDS_VST2
KARS=/usr/lib/vst/Kars-vst.so

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# seed_jobs and the checks are in tests/helper.bash, reading these.
# shellcheck disable=SC2034
SEED_FIRST=60 SEED_LAST=76 SEED_EXT=wav

@test "every pinned source renders the same bytes in five separate processes; with --real-randomness they differ" {
    local i
    for i in 1 2 3 4 5; do
        mkdir -p "$OUT/$i"
        seed_jobs "$OUT/$i" | render-one --plugin "$SEEDS" --duration 0.2 --tail 0 > "$OUT/$i.ndjson" 2>/dev/null
        assert_all_sound "$OUT/$i.ndjson" 0
    done
    for i in 2 3 4 5; do assert_same_files "$OUT/1" "$OUT/$i"; done
    run jq -r .randomness "$OUT/1.ndjson"
    assert_equal "$(sort -u <<<"$output")" pinned
    # libc's own: the kernel's randomness (65), the microseconds (68) and
    # /dev/urandom (70) differ from run to run.
    for i in a b; do
        mkdir -p "$OUT/$i"
        seed_jobs "$OUT/$i" 65 68 70 | render-one --plugin "$SEEDS" --real-randomness --duration 0.2 --tail 0 \
            > "$OUT/$i.ndjson" 2>/dev/null
        assert_all_sound "$OUT/$i.ndjson" 0
    done
    for i in 65 68 70; do
        cmp -s "$OUT/a/n$i.wav" "$OUT/b/n$i.wav" && fail "note $i came out the same twice with --real-randomness"
    done
    run jq -r .randomness "$OUT/a.ndjson"
    assert_equal "$(sort -u <<<"$output")" real
}

@test "Kars (rand) renders the same bytes in five one-off processes, and in a batch in either order" {
    local i
    for i in 1 2 3 4 5; do
        render-one --plugin "$KARS" --note 48 --duration 0.3 --tail 0.3 -o "$OUT/k$i.wav" > "$OUT/k$i.json" 2>/dev/null
        assert_all_sound "$OUT/k$i.json" 0
    done
    for i in 2 3 4 5; do cmp "$OUT/k1.wav" "$OUT/k$i.wav"; done
    # The same job among others, first and last: the same bytes as alone.
    sh_run_lines "render-one --plugin '$KARS' --duration 0.3 --tail 0.3 2>/dev/null" \
        "{\"note\":48,\"output_path\":\"$OUT/first.wav\"}" "{\"note\":60,\"output_path\":\"$OUT/x.wav\"}" \
        "{\"note\":55,\"output_path\":\"$OUT/y.wav\"}" "{\"note\":48,\"output_path\":\"$OUT/last.wav\"}"
    assert_success
    cmp "$OUT/k1.wav" "$OUT/first.wav"
    cmp "$OUT/k1.wav" "$OUT/last.wav"
}

@test "under parallel -j2, forwards and backwards, every file equals a single process's (seeds plugin, Kars)" {
    mkdir -p "$OUT/one" "$OUT/fwd" "$OUT/back"
    seed_jobs "$OUT/one" | render-one --plugin "$SEEDS" --duration 0.2 --tail 0 > /dev/null 2>&1
    seed_jobs "$OUT/fwd" | parallel --will-cite --pipe -N2 -j2 render-one --plugin "$SEEDS" --duration 0.2 --tail 0 \
        > "$OUT/fwd.ndjson" 2>/dev/null
    seed_jobs "$OUT/back" $(seq 76 -1 60) |
        parallel --will-cite --pipe -N3 -j2 render-one --plugin "$SEEDS" --duration 0.2 --tail 0 \
        > "$OUT/back.ndjson" 2>/dev/null
    assert_all_sound "$OUT/fwd.ndjson" 0
    assert_all_sound "$OUT/back.ndjson" 0
    assert_same_files "$OUT/one" "$OUT/fwd"
    assert_same_files "$OUT/one" "$OUT/back"    # Kars too: four notes, each job alone in a process, then two workers.
    local n
    mkdir -p "$OUT/kone" "$OUT/kfwd" "$OUT/kback"
    for n in 40 45 50 55; do
        render-one --plugin "$KARS" --note "$n" --duration 0.2 --tail 0.2 -o "$OUT/kone/n$n.wav" > /dev/null 2>&1
    done
    seed_jobs "$OUT/kfwd" 40 45 50 55 | parallel --will-cite --pipe -N1 -j2 render-one --plugin "$KARS" \
        --duration 0.2 --tail 0.2 > "$OUT/kfwd.ndjson" 2>/dev/null
    seed_jobs "$OUT/kback" 55 50 45 40 | parallel --will-cite --pipe -N1 -j2 render-one --plugin "$KARS" \
        --duration 0.2 --tail 0.2 > "$OUT/kback.ndjson" 2>/dev/null
    assert_all_sound "$OUT/kfwd.ndjson" 0
    assert_same_files "$OUT/kone" "$OUT/kfwd" 4
    assert_same_files "$OUT/kone" "$OUT/kback" 4
}

@test "every isolation mode renders the same bytes" {
    local mode
    mkdir -p "$OUT/auto"
    seed_jobs "$OUT/auto" | render-one --plugin "$SEEDS" --duration 0.2 --tail 0 > /dev/null 2>&1
    for mode in reset fork fresh; do
        mkdir -p "$OUT/$mode"
        seed_jobs "$OUT/$mode" | render-one --plugin "$SEEDS" --isolation "$mode" --duration 0.2 --tail 0 \
            > "$OUT/$mode.ndjson" 2>/dev/null
        run jq -r .isolation "$OUT/$mode.ndjson"
        assert_equal "$(sort -u <<<"$output")" "$mode"
        assert_same_files "$OUT/auto" "$OUT/$mode"
    done
}

@test "seeds 1 and 2 give different audio, seed 1 repeats exactly; job-grid --seeds crosses them, assign-paths names them" {
    sh_run "printf '{\"preset_name\":\"s\"}\n' | job-grid --notes 65,68,74 --seeds 1,2 | assign-paths -o '$OUT/a'"
    assert_success
    local jobs=$output
    run jq -r '[.note, .seed, (.output_path | split("/") | last)] | @tsv' <<<"$jobs"
    assert_output "$(printf '65\t1\ts_65_100_s1.wav\n65\t2\ts_65_100_s2.wav\n68\t1\ts_68_100_s1.wav\n68\t2\ts_68_100_s2.wav\n74\t1\ts_74_100_s1.wav\n74\t2\ts_74_100_s2.wav')"
    render-one --plugin "$SEEDS" --duration 0.2 --tail 0 <<<"$jobs" > "$OUT/a.ndjson" 2>/dev/null
    run jq -c 'select(.status != "ok" or .peak_dbfs < -40)' "$OUT/a.ndjson"
    assert_output ""
    local note
    for note in 65 68 74; do
        cmp -s "$OUT/a/s_${note}_100_s1.wav" "$OUT/a/s_${note}_100_s2.wav" && fail "note $note: seeds 1 and 2 sound the same"
        render-one --plugin "$SEEDS" --seed 1 --note "$note" --duration 0.2 --tail 0 -o "$OUT/again.wav" >/dev/null 2>&1
        cmp "$OUT/a/s_${note}_100_s1.wav" "$OUT/again.wav"
    done
    # Kars, too.
    render-one --plugin "$KARS" --note 48 --seed 1 -o "$OUT/k1.wav" > /dev/null 2>&1
    render-one --plugin "$KARS" --note 48 --seed 2 -o "$OUT/k2.wav" > /dev/null 2>&1
    render-one --plugin "$KARS" --note 48 --seed 1 -o "$OUT/k1b.wav" > /dev/null 2>&1
    cmp "$OUT/k1.wav" "$OUT/k1b.wav"
    run cmp -s "$OUT/k1.wav" "$OUT/k2.wav"
    assert_failure
}

@test "a bad seed fails its job naming the field; --seed outside 0-4294967295 is a usage error" {
    sh_run_lines "render-one --plugin '$SEEDS' --duration 0.1 --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.wav\",\"seed\":-1}" \
        "{\"output_path\":\"$OUT/b.wav\",\"seed\":4294967296}" \
        "{\"output_path\":\"$OUT/c.wav\",\"seed\":\"1\"}" \
        "{\"output_path\":\"$OUT/d.wav\",\"seed\":4294967295}"
    assert_failure 1
    run jq -r '[.status, (.error.message // .seed)] | @tsv' <<<"$output"
    assert_line --index 0 --partial "error	field 'seed'"
    assert_line --index 1 --partial "error	field 'seed'"
    assert_line --index 2 --partial "error	field 'seed'"
    assert_line --index 3 "ok	4294967295"
    assert_equal "$(names_in "$OUT")" d.wav
    assert_usage_error render-one --seed -1
    assert_output --partial "--seed must be between 0 and 4294967295"
    assert_usage_error job-grid --seeds 3-1
}

@test "--check-reproducible: pinned, every record says reproducible true; libc's own, false, and stderr says why once" {
    assert_check_reproducible 65 68
    # Without the flag, no check and no field.
    seed_jobs "$OUT" 65 | render-one --plugin "$SEEDS" --duration 0.2 --tail 0 > "$OUT/plain.ndjson" 2>/dev/null
    run jq -c 'has("reproducible")' "$OUT/plain.ndjson"
    assert_output false
}

@test "--check-reproducible checks an effect that takes no MIDI: the second process plays its input alone" {
    write_test_audio "$OUT" 7
    # Before issue 45, the second process got --note beside --input, which
    # render-one refuses for an effect: no check, and stderr said so.
    run --separate-stderr render-one --plugin /usr/lib/vst/MVerb-vst.so --input "$OUT/noise.npy" \
        --check-reproducible --tail 0.2 -o "$OUT/wet.wav"
    assert_success
    assert_equal "$(jq -c '[.status, .reproducible]' <<<"$output")" '["ok",true]'
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    [[ $stderr != *"no reproducibility check"* ]] || fail "the check did not run: $stderr"
}
