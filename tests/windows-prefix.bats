#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Every path that starts a Windows worker honours --wine-prefix and a job's
# wine_prefix (issue 46, part 2): --export-programs, --export-bank,
# --list-programs, --check-reproducible's second process, the probe, the
# spare worker of --isolation process, restore's worker, chain stages, a song's tracks and
# --sandbox. Each test runs with WINEPREFIX unset and a HOME without
# .wine, so that a path falling back to either fails (the first test shows
# that it would). Plain pass only.

load helper
bats_require_minimum_version 1.5.0

SONG="$BATS_TEST_DIRNAME/fixtures/songs/song.mid"

setup() {
    require_wine
    PREFIX=$VR_TEST_WINEPREFIX
    unset WINEPREFIX
    # The probe cache starts empty in this HOME: every test's first job is
    # probed, in the prefix.
    export HOME="$BATS_TEST_TMPDIR/home"
    mkdir -p "$HOME"
    cd "$BATS_TEST_TMPDIR" || exit 1
}

# The peak of an .npy file, to 4 places.
peak() { /usr/bin/python3 -c "import numpy as np, sys; print(round(float(np.abs(np.load(sys.argv[1])).max()), 4))" "$1"; }

@test "without --wine-prefix, in this environment, a Windows plugin finds no prefix (so the tests below can fail)" {
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --note 60 --duration 0.1 --tail 0 -o none.npy
    assert_failure
    assert_equal "$(jq -r .status <<<"$output")" error
    [[ "$(jq -r .error.message <<<"$output")" == *"$HOME/.wine"* ]] || fail "the error does not name ~/.wine: $output"
}

@test "--list-programs, --export-programs and --export-bank run their Windows worker in --wine-prefix" {
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" --list-programs
    assert_success
    local programs
    programs=$(jq -s length <<<"$output")
    [ "$programs" -ge 2 ] || fail "--list-programs listed $programs programs: $output"
    assert_equal "$(jq -sc 'map(.program_name)' <<<"$output")" \
        "$(render-one --plugin "$VR_TEST_SYNTH_VST2" --list-programs | jq -sc 'map(.program_name)')"

    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" --export-programs progs
    assert_success
    assert_equal "$(jq -sc 'map(has("error")) | unique' <<<"$output")" '[false]'
    assert_equal "$(find progs -name '*.fxp' | wc -l)" "$programs"
    # Each file is the Linux build's program.
    render-one --plugin "$VR_TEST_SYNTH_VST2" --export-programs linux-progs >/dev/null
    diff -r linux-progs progs || fail "the Windows build's exported programs differ from the Linux build's"

    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" --export-bank bank.fxb
    assert_success
    assert_equal "$(head -c 4 bank.fxb)" CcnK
}

@test "--check-reproducible's second process runs in --wine-prefix: reproducible true" {
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" --note 60 \
        --duration 0.2 --tail 0 --check-reproducible -o a.npy
    assert_success
    assert_equal "$(jq -c '[.status, .reproducible]' <<<"$output")" '["ok",true]'
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    [[ $stderr != *"no reproducibility check"* ]] || fail "the check did not run: $stderr"
}

@test "the probe at first sight, --isolation process's spare worker and restore's run in the prefix; so does a job's wine_prefix" {
    printf '{"note":%d,"output_path":"p%d.npy","duration_s":0.2,"tail_s":0}\n' 60 1 64 2 67 3 >jobs.ndjson
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map(.status) | unique' <<<"$output")" '["ok"]'
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" --isolation process \
        <<<"$(sed 's/"p/"q/' jobs.ndjson)"
    assert_success
    assert_equal "$(jq -sc 'map([.status, .isolation]) | unique' <<<"$output")" '[["ok","process"]]'
    local i
    for i in 1 2 3; do assert_equal "$(npy_diff "p$i.npy" "q$i.npy")" "0.0 0"; done
    [[ "$(peak p1.npy)" != 0 ]] || fail "p1.npy is silent"
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" --isolation restore \
        <<<"$(sed 's/"p/"r/' jobs.ndjson)"
    assert_success
    assert_equal "$(jq -sc 'map([.status, .isolation]) | unique' <<<"$output")" '[["ok","restore"]]'
    for i in 1 2 3; do assert_equal "$(npy_diff "p$i.npy" "r$i.npy")" "0.0 0"; done
    # The field instead of the flag.
    jq -c --arg p "$PREFIX" '. + {wine_prefix: $p, output_path: ("f" + .output_path)}' jobs.ndjson >field.ndjson
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --isolation process <field.ndjson
    assert_success
    for i in 1 2 3; do assert_equal "$(npy_diff "p$i.npy" "fp$i.npy")" "0.0 0"; done
}

@test "a chain's Windows stage and a song's Windows tracks load in --wine-prefix" {
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_LV2" -o dry.npy --note 64 --duration 0.3 --tail 0.2
    assert_success
    run --separate-stderr env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" \
        --input dry.npy --tail 0.2 -o wet.npy
    assert_success
    jq -cn --arg l "$VR_TEST_SYNTH_LV2" --arg w "$VR_WIN_SYNTH_VST2" \
        '{output_path: "chain.npy", note: 64, duration_s: 0.3, tail_s: 0.2, chain: [{plugin_path: $l}, {plugin_path: $w}]}' \
        >chain.ndjson
    run --separate-stderr env VR_TEST_SYNTH_EFFECT=1 render-one --wine-prefix "$PREFIX" <chain.ndjson
    assert_success
    assert_equal "$(jq -c '[.status, [.chain[].plugin_platform]]' <<<"$output")" '["ok",["linux-x86_64","windows-x86_64"]]'
    assert_equal "$(npy_diff wet.npy chain.npy)" "0.0 0"

    jq -cn --arg p "$VR_WIN_SYNTH_VST2" --arg m "$SONG" \
        '{midi_path: $m, tracks: {"1": [{plugin_path: $p}], "name:lead": [{plugin_path: $p}]}, tail_s: 0.2,
          output_path: "song.npy"}' >song.ndjson
    run --separate-stderr render-one --wine-prefix "$PREFIX" <song.ndjson
    assert_success
    assert_equal "$(jq -c '[.status, [.stems[].chain[0].plugin_platform]]' <<<"$output")" \
        '["ok",["windows-x86_64","windows-x86_64"]]'
    [[ "$(peak song.npy)" != 0 ]] || fail "song.npy is silent"
}

@test "a sandboxed Windows job loads in --wine-prefix" {
    mkdir out
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --wine-prefix "$PREFIX" --output-root out --sandbox \
        <<<'{"note":69,"duration_s":0.5,"tail_s":0.5,"output_path":"out/boxed.npy"}'
    assert_success
    assert_equal "$(jq -c '[.status, .sandbox]' <<<"$output")" '["ok",true]'
    assert_equal "$(peak out/boxed.npy)" 0.3937
}
