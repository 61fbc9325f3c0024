#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The probe cache (render-one(1), "Probe cache"): a plugin seen before on
# this machine is not probed again; its verdicts never change a byte: a
# one-off, a first job, a warm batch and examples/render.mk render the same
# files with the cache and without; a plugin updated in place is probed
# anew; a verdict keeps its reasons (the probe's steps); a plugin binary's
# hash is kept by its identity; a bad cache file (one of version 1, whose
# verdicts kept no reasons, among them) is ignored and rewritten; many
# render-ones at once leave a readable cache.
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
NEKOBI=/usr/lib/vst/Nekobi-vst.so
EXAMPLES="$TESTS_DIR/../examples"

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
    # Each test its own cache.
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
    CACHE="$XDG_CACHE_HOME/vst-render"
}

# one_job PLUGIN OUTPUT [more render-one options]: a single job from flags.
one_job() {
    local plugin=$1 out=$2
    shift 2
    render-one --plugin "$plugin" -o "$out" --note 48 --velocity 110 --duration 0.3 --tail 0.3 "$@" 2>/dev/null
}

@test "first sight probes and keeps the verdict; the next process takes it (probe_cached); --no-cache neither reads nor writes" {
    run one_job "$VR_TEST_SYNTH_VST2" "$OUT/a.wav" --no-cache
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" false
    [ ! -e "$CACHE" ] || fail "--no-cache wrote $CACHE"
    run one_job "$VR_TEST_SYNTH_VST2" "$OUT/b.wav"
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" false
    run jq -c '[.version, .key.plugin, .key.sample_rate, (.verdict.isolation | type)]' "$CACHE"/probe-*.json
    assert_output "[2,\"$VR_TEST_SYNTH_VST2\",48000,\"string\"]"
    # With its reasons: each way the probe tried, as --explain-probe says it.
    run jq -c '.verdict.steps | map([.way, .same, .explained])' "$CACHE"/probe-*.json
    assert_output '[["reset",true,"same"],["fork",true,"same"]]'
    run one_job "$VR_TEST_SYNTH_VST2" "$OUT/c.wav"
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" true
    # A batch takes it too; with --no-cache it probes again.
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST2' --note 48 --velocity 110 --duration 0.3 --tail 0.3 2>/dev/null" \
        "{\"output_path\":\"$OUT/d.wav\"}" "{\"output_path\":\"$OUT/e.wav\",\"note\":60}"
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output" | sort -u)" true
    sh_run_lines "render-one --no-cache --plugin '$VR_TEST_SYNTH_VST2' --note 48 --velocity 110 --duration 0.3 --tail 0.3 2>/dev/null" \
        "{\"output_path\":\"$OUT/f.wav\"}"
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" false
    for f in b c d f; do cmp "$OUT/a.wav" "$OUT/$f.wav"; done
    "$VR_BIN/../tests/audio-probe" "$OUT/a.wav" | jq -e '.peak_dbfs > -30'
    # No XDG_CACHE_HOME: under HOME's .cache.
    local home="$BATS_TEST_TMPDIR/home"
    mkdir -p "$home"
    env -u XDG_CACHE_HOME HOME="$home" render-one --plugin "$VR_TEST_SYNTH_VST2" -o "$OUT/g.wav" \
        --duration 0.1 --tail 0 >/dev/null 2>&1
    compgen -G "$home/.cache/vst-render/probe-*.json" >/dev/null || fail "nothing under $home/.cache/vst-render"
}

# same_everywhere PLUGIN EXT: the same two jobs as one-offs (uncached,
# then cached), a batch without and with the cache (first job in place,
# then forked or reset), and examples/render.mk: every file the same.
same_everywhere() {
    local plugin=$1 ext=$2 note way
    for way in --no-cache --cache-cold --cache-warm; do
        mkdir -p "$OUT/one$way"
        for note in 40 64; do
            if [ "$way" = --no-cache ]; then
                one_job "$plugin" "$OUT/one$way/$note.$ext" --note "$note" --no-cache >/dev/null
            else
                one_job "$plugin" "$OUT/one$way/$note.$ext" --note "$note" >/dev/null
            fi
        done
    done
    for way in --no-cache ""; do
        mkdir -p "$OUT/batch$way"
        printf '{"output_path":"%s","note":%s}\n' "$OUT/batch$way/40.$ext" 40 "$OUT/batch$way/64.$ext" 64 |
            render-one --plugin "$plugin" --velocity 110 --duration 0.3 --tail 0.3 ${way:+"$way"} >"$OUT/batch$way.ndjson" 2>/dev/null
        # Backwards too: order changes nothing.
        mkdir -p "$OUT/back$way"
        printf '{"output_path":"%s","note":%s}\n' "$OUT/back$way/64.$ext" 64 "$OUT/back$way/40.$ext" 40 |
            render-one --plugin "$plugin" --velocity 110 --duration 0.3 --tail 0.3 ${way:+"$way"} >/dev/null 2>&1
    done
    printf '{"output_path":"%s","note":%s}\n' "$OUT/make/40.$ext" 40 "$OUT/make/64.$ext" 64 >"$OUT/jobs.ndjson"
    mkdir -p "$OUT/make"
    # WARM=0: cold, as this test is not about warm render-ones (render.mk's
    # default would leave one running WARM seconds after make; warm.bats).
    make -s -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$OUT/jobs.ndjson" STATE="$OUT/state" PLUGIN="$plugin" \
        RENDER_FLAGS="--velocity 110 --duration 0.3 --tail 0.3" >/dev/null 2>&1
    assert_equal "$(jq -c .probe_cached "$OUT/batch.ndjson")" "true
true"
    for note in 40 64; do
        for d in one--cache-cold one--cache-warm batch--no-cache batch back--no-cache back make; do
            cmp "$OUT/one--no-cache/$note.$ext" "$OUT/$d/$note.$ext"
        done
    done
    cmp -s "$OUT/one--no-cache/40.$ext" "$OUT/one--no-cache/64.$ext" && fail "two notes rendered the same"
    return 0
}

@test "amsynth: one-offs, batches both ways and render.mk render the same WAV bytes with the cache and without" {
    [ -e "$AMSYNTH" ] || skip "amsynth is not installed"
    mkdir -p "$HOME/.local/share"
    same_everywhere "$AMSYNTH" wav
}

@test "Nekobi: the same FLAC bytes with the cache and without (its accent keeps the full warm-up)" {
    [ -e "$NEKOBI" ] || skip "Nekobi is not installed"
    same_everywhere "$NEKOBI" flac
    run jq -c .verdict.warm_up "$CACHE"/probe-*.json
    assert_output '{"note":true,"seconds":3}'
}

@test "the test synth (VST3): the same bytes with the cache and without (its kept verdict plays no warm-up)" {
    same_everywhere "$VR_TEST_SYNTH_VST3" wav
    run jq -c '.verdict | [.isolation, .warm_up]' "$CACHE"/probe-*.json
    assert_output '["reset",null]'
}

@test "a plugin updated in place gets a new key and a new probe" {
    cp "$VR_TEST_SYNTH_VST2" "$OUT/synth.so"
    one_job "$OUT/synth.so" "$OUT/a.wav" >/dev/null
    run one_job "$OUT/synth.so" "$OUT/b.wav"
    assert_equal "$(jq -c .probe_cached <<<"$output")" true
    # Written over in place (the same inode), as an upgrade may do.
    cat "$VR_TEST_SYNTH_VST2" >"$OUT/synth.so"
    printf 'x' >>"$OUT/synth.so"
    run one_job "$OUT/synth.so" "$OUT/c.wav"
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" false
    assert_equal "$(find "$CACHE" -name 'probe-*.json' | wc -l)" 2
    run one_job "$OUT/synth.so" "$OUT/d.wav"
    assert_equal "$(jq -c .probe_cached <<<"$output")" true
    cmp "$OUT/a.wav" "$OUT/d.wav"
}

@test "a plugin binary's SHA-256 is kept by its identity: the next process takes it unread; a binary changed in place is hashed anew" {
    cp "$VR_TEST_SYNTH_VST2" "$OUT/synth.so"
    local sha
    sha=$(sha256sum "$OUT/synth.so" | cut -d' ' -f1)
    run one_job "$OUT/synth.so" "$OUT/a.wav"
    assert_success
    assert_equal "$(jq -r .plugin_sha256 <<<"$output")" "$sha"
    local kept
    kept=$(compgen -G "$CACHE/binary-*.json")
    assert_equal "$(jq -r .verdict.sha256 "$kept")" "$sha"
    assert_equal "$(jq -r '.key.binary[0]' "$kept")" "$OUT/synth.so"
    # What the next process takes is the kept hash, not the file's bytes
    # hashed again: a kept value changed by hand shows in its record.
    # (By sed: jq would round the key's nanosecond times.)
    sed -i "s/$sha/$(printf '%064d' 7)/" "$kept"
    run one_job "$OUT/synth.so" "$OUT/b.wav"
    assert_success
    assert_equal "$(jq -r .plugin_sha256 <<<"$output")" "$(printf '%064d' 7)"
    cmp "$OUT/a.wav" "$OUT/b.wav"
    # Written over in place (the same inode), as an upgrade may do: hashed
    # again, and the new hash kept beside the old one.
    cat "$VR_TEST_SYNTH_VST2" >"$OUT/synth.so"
    printf 'x' >>"$OUT/synth.so"
    sha=$(sha256sum "$OUT/synth.so" | cut -d' ' -f1)
    run one_job "$OUT/synth.so" "$OUT/c.wav"
    assert_success
    assert_equal "$(jq -r .plugin_sha256 <<<"$output")" "$sha"
    cmp "$OUT/a.wav" "$OUT/c.wav"
    assert_equal "$(compgen -G "$CACHE/binary-*.json" | wc -l)" 2
    # --no-cache hashes the bytes.
    local f
    for f in "$CACHE"/binary-*.json; do
        sed -i "s/\"sha256\":\"[0-9a-f]*\"/\"sha256\":\"$(printf '%064d' 7)\"/" "$f"
        grep -q "$(printf '%064d' 7)" "$f" || fail "$f: not changed"
    done
    run one_job "$OUT/synth.so" "$OUT/d.wav" --no-cache
    assert_success
    assert_equal "$(jq -r .plugin_sha256 <<<"$output")" "$sha"
}

@test "a corrupt, truncated, other-version or linked cache file is ignored and rewritten, never fatal" {
    one_job "$VR_TEST_SYNTH_VST2" "$OUT/ref.wav" >/dev/null
    local file
    file=$(compgen -G "$CACHE/probe-*.json")
    cp "$file" "$OUT/good.json"
    head -c 40 "$OUT/good.json" >"$OUT/truncated.json"
    jq -c '.version = 99' "$OUT/good.json" >"$OUT/other-version.json"
    printf '\0\1garbage' >"$OUT/corrupt.json"
    jq -c '.verdict.isolation = "sometimes"' "$OUT/good.json" >"$OUT/bad-verdict.json"
    # Kept before verdicts kept their reasons: version 1, or no steps.
    jq -c '.version = 1 | del(.verdict.steps)' "$OUT/good.json" >"$OUT/version-1.json"
    jq -c 'del(.verdict.steps)' "$OUT/good.json" >"$OUT/no-steps.json"
    local bad
    for bad in truncated other-version corrupt bad-verdict version-1 no-steps link; do
        rm -f "$file"
        if [ "$bad" = link ]; then
            cp "$OUT/good.json" "$OUT/elsewhere.json"
            ln -s "$OUT/elsewhere.json" "$file"
        else
            cp "$OUT/$bad.json" "$file"
        fi
        run one_job "$VR_TEST_SYNTH_VST2" "$OUT/$bad.wav"
        assert_success
        assert_equal "$(jq -c '[.status, .probe_cached]' <<<"$output")" '["ok",false]'
        cmp "$OUT/ref.wav" "$OUT/$bad.wav"
        [ ! -L "$file" ] || fail "$bad: the link is still there"
        cmp "$file" "$OUT/good.json" || fail "$bad: not rewritten"
    done
    # The link's target was never written.
    cmp "$OUT/elsewhere.json" "$OUT/good.json"
    # A cache folder that cannot be made: rendered all the same.
    printf x >"$BATS_TEST_TMPDIR/blocked"
    XDG_CACHE_HOME="$BATS_TEST_TMPDIR/blocked" run one_job "$VR_TEST_SYNTH_VST2" "$OUT/blocked.wav"
    assert_success
    cmp "$OUT/ref.wav" "$OUT/blocked.wav"
}

@test "parallel -j2 one-job render-ones on an empty cache: every job ok, the same bytes, the cache readable after" {
    local n
    for n in 1 2 3 4 5 6 7 8; do echo "$n"; done >"$OUT/n"
    run parallel --will-cite -j2 "render-one --plugin '$VR_TEST_SYNTH_VST2' -o '$OUT/{}.wav' --note 48 --velocity 110 --duration 0.3 --tail 0.3 2>/dev/null" <"$OUT/n"
    assert_success
    assert_equal "$(jq -r .status <<<"$output" | sort | uniq -c | awk '{print $1, $2}')" "8 ok"
    for n in 2 3 4 5 6 7 8; do cmp "$OUT/1.wav" "$OUT/$n.wav"; done
    # A verdict and the binary's hash, each written whole once.
    assert_equal "$(find "$CACHE" -type f | sed 's|.*/||; s|-.*||' | sort | tr '\n' ' ')" "binary probe "
    jq -e '.version == 2 and (.verdict | type) == "object"' "$CACHE"/probe-*.json
    assert_equal "$(jq -r .verdict.sha256 "$CACHE"/binary-*.json)" "$(sha256sum "$VR_TEST_SYNTH_VST2" | cut -d' ' -f1)"
    run one_job "$VR_TEST_SYNTH_VST2" "$OUT/after.wav"
    assert_equal "$(jq -c .probe_cached <<<"$output")" true
    cmp "$OUT/1.wav" "$OUT/after.wav"
}
