#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A Windows plugin's probe verdicts in the probe cache (render-one(1),
# "Probe cache", "Windows plugins"): kept as a Linux plugin's are, keyed by
# the prefix, its wine and the Windows worker too; taken by later one-offs
# and batches, which render the same bytes; a kept verdict spares a batch
# the probe's instances. Plain pass only, like tests/windows.bats.
# windows-memory.bats runs with the cache too: its notes read memory the
# plugin never wrote, which a kept verdict must not change.

load helper
bats_require_minimum_version 1.5.0

setup() {
    require_wine warm
    cd "$BATS_TEST_TMPDIR" || exit 1
    # Each test its own cache.
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
}

# The one note every one-off here renders, into a float32 .npy.
NOTE=(--note 69 --duration 0.5 --tail 0.5)

# Windows plugins' probe verdicts are kept as Linux plugins' are
# (render-one(1), "Probe cache"), keyed by the prefix, its wine and the
# Windows worker too. At 7ec1518 none was: every batch of a Windows plugin
# probed, and every record said probe_cached false.
@test "a Windows plugin's verdict is kept: later one-offs and batches take it and render the same bytes; another Windows worker is probed anew" {
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST3" "${NOTE[@]}" -o none.npy --no-cache
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" false
    [ ! -e "$XDG_CACHE_HOME" ] || fail "--no-cache wrote $XDG_CACHE_HOME"
    # First sight: rendered, then probed for the next process.
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST3" "${NOTE[@]}" -o cold.npy
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" false
    run jq -c '[.key.windows.prefix, .verdict.isolation, .verdict.warm_up]' "$XDG_CACHE_HOME"/vst-render/probe-*.json
    assert_output "[\"$VR_TEST_WINEPREFIX\",\"reset\",null]"
    # Taken: one instance, and the same bytes.
    VR_TEST_SYNTH_COUNT_MADE="Z:$BATS_TEST_TMPDIR/made" run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST3" "${NOTE[@]}" -o warm.npy
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" true
    assert_equal "$(jq -c '.peak_dbfs > -20' <<<"$output")" true
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/made")" 1
    # A batch whose jobs set parameters (a new instance each) spares the
    # probe's instances: fewer made than with --no-cache, the same bytes.
    local way flags
    for way in cached no-cache; do
        flags=()
        if [ "$way" = no-cache ]; then flags=(--no-cache); fi
        printf '{"output_path":"%s%d.npy","note":%d,"set_params":{"level":0.5}}\n' "$way" 1 69 "$way" 2 64 "$way" 3 69 |
            VR_TEST_SYNTH_COUNT_MADE="Z:$BATS_TEST_TMPDIR/made-$way" \
                render-one --plugin "$VR_WIN_SYNTH_VST3" --duration 0.5 --tail 0.5 "${flags[@]}" >"$way.ndjson" 2>/dev/null
        assert_equal "$(jq -r .status "$way.ndjson" | sort -u)" ok
    done
    assert_equal "$(jq -c .probe_cached cached.ndjson | sort -u)" true
    (($(wc -l <made-cached) < $(wc -l <made-no-cache))) ||
        fail "the kept verdict spared no instance: $(wc -l <made-cached) made, $(wc -l <made-no-cache) with --no-cache"
    for f in cold warm; do
        assert_equal "$(npy_diff none.npy "$f.npy")" "0.0 0"
    done
    for i in 1 2 3; do
        assert_equal "$(npy_diff "no-cache$i.npy" "cached$i.npy")" "0.0 0"
    done
    # Another Windows worker file: another key, probed again.
    cp "$VR_BIN/../win/vr-win-worker.exe" "$BATS_TEST_TMPDIR/other-worker.exe" || fail "no Windows worker beside $VR_BIN"
    VR_WIN_WORKER="$BATS_TEST_TMPDIR/other-worker.exe" run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST3" "${NOTE[@]}" -o other.npy
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" false
    assert_equal "$(npy_diff none.npy other.npy)" "0.0 0"
    assert_equal "$(find "$XDG_CACHE_HOME/vst-render" -name 'probe-*.json' | wc -l)" 2
}
