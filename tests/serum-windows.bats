#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Serum's own formats through the Windows worker, end to end (issue 31):
# stand-ins built from source for Serum 1's VST2 (Serum_x64.dll, XfsX, zlib
# chunks) and Serum 2's VST3 (Serum2.vst3, the processor envelope), each
# sounding as a function of the state it took (tests/plugins/README.md,
# "Serum stand-ins"). The .SerumPreset files are the dev fixtures; the
# Serum 1 .fxp files are written here. Plain pass only, as windows.bats.

load helper
bats_require_minimum_version 1.5.0

: "${VR_WIN_SERUM1_VST2:=$TESTS_DIR/../build/plugins/win/serum/Serum_x64.dll}"
: "${VR_WIN_SERUM2_VST3:=$TESTS_DIR/../build/plugins/win/serum/Serum2.vst3}"
: "${VR_WIN_FIRST_CALL:=$TESTS_DIR/../build/plugins/win/hosts/first-call.exe}"

setup() {
    require_wine warm
    [[ -f "$VR_WIN_SERUM1_VST2" ]] || fail "the Serum stand-ins are not built ($VR_WIN_SERUM1_VST2): make test-plugins"
    cd "$BATS_TEST_TMPDIR" || exit 1
    SERUM1="$VR_WIN_SERUM1_VST2"
    SERUM2="$VR_WIN_SERUM2_VST3"
}

# A Serum 1 preset as Serum 1 writes one: 'CcnK', byteSize the whole file's
# size (not size - 8), 'FPCh', fxID XfsX, the name, the chunk a zlib stream.
# $1 the file, $2 the name, $3 the text the chunk inflates to.
write_serum1_fxp() {
    /usr/bin/python3 - "$@" <<'EOF'
import struct, sys, zlib
path, name, text = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
chunk = zlib.compress(text)
body = (b'FPCh' + struct.pack('>i', 1) + b'XfsX' + struct.pack('>ii', 1, 0) +
        name.ljust(28, b'\0')[:28] + struct.pack('>i', len(chunk)) + chunk)
open(path, 'wb').write(b'CcnK' + struct.pack('>i', 8 + len(body)) + body)
EOF
}

# The dev fixtures' .SerumPreset files and three Serum 1 presets, in $1.
preset_folder() {
    mkdir -p "$1/serum2" "$1/serum1"
    find "$FIXTURES/serum2/files" -name '*.SerumPreset' -exec cp {} "$1/serum2/" \;
    write_serum1_fxp "$1/serum1/Lead.fxp" Lead "osc A saw, filter 0.42, env 0.1 0.3 0.8 0.2"
    write_serum1_fxp "$1/serum1/Pad.fxp" Pad "osc A wavetable 12, filter 0.9, env 1.5 0.0 1.0 2.5"
    write_serum1_fxp "$1/serum1/Bass.fxp" Bass "osc A square, sub on, filter 0.2, env 0.0 0.2 0.5 0.1"
}

# One note of the init patch of plugin $1 into $2.
render_init() {
    render-one --plugin "$1" -o "$2" --note 60 --duration 0.2 --tail 0.05
}

# Fails naming the pair unless every two of the files differ somewhere by
# more than 1e-3, and unless each sounds (peak over 0.02) below full scale.
assert_all_different() {
    run /usr/bin/python3 -c '
import itertools, sys
import numpy as np
a = {f: np.load(f) for f in sys.argv[1:]}
for f, x in a.items():
    p = float(np.abs(x).max())
    if not 0.02 < p < 1.0: sys.exit(f"{f}: peak {p}")
for f, g in itertools.combinations(a, 2):
    d = float(np.abs(a[f] - a[g]).max()) if a[f].shape == a[g].shape else 1.0
    if d <= 1e-3: sys.exit(f"{f} and {g} differ by {d} at most")
print(len(a))' "$@"
    assert_success
    assert_output "$#"
}

@test "preset-scan of .fxp and .SerumPreset files into render-one -p fxp=Serum_x64.dll -p serum2=Serum2.vst3: one batch, each preset its own sound" {
    preset_folder presets
    run --separate-stderr render_init "$SERUM1" init1.npy
    assert_success
    run --separate-stderr render_init "$SERUM2" init2.npy
    assert_success
    sh_run "preset-scan presets | assign-paths --out renders --ext npy |
        render-one -p fxp='$SERUM1' -p serum2='$SERUM2' --note 60 --duration 0.2 --tail 0.05 >results.ndjson"
    assert_success
    assert_equal "$(jq -r '[.preset_format, .plugin_format, .status, .preset_applied_as, .preset_changed_state] | join(" ")' \
        results.ndjson | sort | uniq -c | tr -s ' ')" \
        " 3 fxp vst2 ok fxp-chunk true
 6 serum2 vst3 ok serum2 true"
    assert_equal "$(jq -r .plugin_platform results.ndjson | sort -u)" windows-x86_64
    mapfile -t files < <(jq -r .output_path results.ndjson)
    assert_equal "${#files[@]}" 9
    # Pairwise different, and none the init patch of either stand-in.
    assert_all_different "${files[@]}" init1.npy init2.npy
}

@test "a .SerumPreset through the stand-in sounds as the state serum-unwrap wrote, loaded with --state; not as the init patch" {
    preset=$FIXTURES/serum2/files/wiillownet/test_preset.SerumPreset
    run --separate-stderr render_init "$SERUM2" init.npy
    assert_success
    run --separate-stderr render-one --plugin "$SERUM2" --preset "$preset" -o preset.npy --note 60 --duration 0.2 --tail 0.05
    assert_success
    assert_equal "$(jq -r '[.preset_applied_as, .preset_changed_state] | join(" ")' <<<"$output")" "serum2 true"
    run serum-unwrap -o state.bin "$preset"
    assert_success
    run --separate-stderr render-one --plugin "$SERUM2" --state state.bin -o state.npy --note 60 --duration 0.2 --tail 0.05
    assert_success
    assert_equal "$(jq -r '[.preset_applied_as, .preset_changed_state, has("warning")] | join(" ")' <<<"$output")" \
        "state true false"
    assert_equal "$(npy_diff preset.npy state.npy)" "0.0 0"
    assert_all_different preset.npy init.npy
    # The pipeline's way: serum-unwrap's records carry state_path beside the preset.
    mkdir p
    cp "$preset" p/
    sh_run "preset-scan p | serum-unwrap --state-dir states | jq -c '.output_path = \"$PWD/piped.npy\"' |
        render-one -p serum2='$SERUM2' --note 60 --duration 0.2 --tail 0.05 2>stderr.txt"
    assert_success
    assert_equal "$(jq -r '[.status, .preset_changed_state] | join(" ")' <<<"$output")" "ok true"
    assert_equal "$(npy_diff preset.npy piped.npy)" "0.0 0"
}

@test "a raw .SerumPreset given with --state leaves the stand-in at its init patch: the job fails, saying to give it as --preset" {
    preset=$FIXTURES/serum2/files/CharlesBT/temp1.SerumPreset
    run --separate-stderr render_init "$SERUM2" init.npy
    assert_success
    run --separate-stderr render-one --plugin "$SERUM2" --state "$preset" -o raw.npy --note 60 --duration 0.2 --tail 0.05
    assert_failure 1
    assert_output --partial "$preset: the plugin ignored or refused this state: its state after loading is the one it had before"
    assert_output --partial "; a Serum preset, not the processor's state: give it as --preset"
    [ ! -e raw.npy ] || fail "a state the plugin ignored rendered its init patch"
    # A chain's stage fails alike.
    job='{"output_path":"chain.npy","note":60,"chain":[{"plugin_path":"'$SERUM2'","state_path":"'$preset'"},{"plugin_path":"'$VR_TEST_SYNTH_LV2_EFFECT'"}]}'
    run --separate-stderr render-one <<<"$job"
    assert_failure 1
    assert_output --partial "give it as --preset"
    # The same file as a preset loads (no warning) and sounds otherwise.
    run --separate-stderr render-one --plugin "$SERUM2" --preset "$preset" -o preset.npy --note 60 --duration 0.2 --tail 0.05
    assert_success
    assert_equal "$(jq -r 'has("warning")' <<<"$output")" false
    assert_all_different preset.npy init.npy
}

@test "a Serum 1 chunk that does not inflate leaves the stand-in at its init patch: the job fails, saying the plugin ignored it" {
    write_serum1_fxp good.fxp Good "osc A saw"
    /usr/bin/python3 -c '
import sys
b = bytearray(open("good.fxp", "rb").read())
b[62:66] = b"\xff\xff\xff\xff"  # into the deflate data: the stream no longer inflates
open("bad.fxp", "wb").write(b)'
    run --separate-stderr render_init "$SERUM1" init.npy
    assert_success
    run --separate-stderr render-one --plugin "$SERUM1" --preset bad.fxp -o bad.npy --note 60 --duration 0.2 --tail 0.05
    assert_failure 1
    assert_output --partial "bad.fxp: the plugin ignored or refused this preset: its state after loading is the one it had before"
    [ ! -e bad.npy ] || fail "a chunk the plugin ignored rendered its init patch"
    run --separate-stderr render-one --plugin "$SERUM1" --preset good.fxp -o good.npy --note 60 --duration 0.2 --tail 0.05
    assert_success
    assert_equal "$(jq -r .preset_changed_state <<<"$output")" true
    assert_all_different good.npy init.npy
}

@test "the stand-ins' first process call is 10x loud: a host without a warm-up hears it" {
    # The plugins by their Windows paths (wine's Z: drive is the Linux
    # root); the VST3 by the module file inside its bundle.
    for plugin in "$SERUM1" "$SERUM2/Contents/x86_64-win/Serum2.vst3"; do
        run --separate-stderr env WINEDEBUG=-all wine "$VR_WIN_FIRST_CALL" "Z:${plugin//\//\\}" 3>&-
        # The prefix's server (the file's, kept up) goes now, with the
        # session this wine may have started holding the test's descriptors;
        # the next test's setup starts it again.
        wineserver -k 2>/dev/null || true
        wineserver -w
        assert_success
        read -r first second <<<"$output"
        /usr/bin/python3 -c "import sys; f, s = map(float, sys.argv[1:]); assert s > 0.01 and abs(f / s - 10) < 1e-5, (f, s)" \
            "$first" "$second"
    done
}

# 100 jobs, the two stand-ins in turn, into folder $1; with presets unless $2 is "init".
hundred_jobs() {
    local dir="$1" init="${2:-}" i
    for i in $(seq -w 1 100); do
        if [[ -n "$init" ]]; then
            if ((10#$i % 2)); then plugin=$SERUM1; else plugin=$SERUM2; fi
            printf '{"plugin_path":"%s","output_path":"%s/%s.npy"}\n' "$plugin" "$PWD/$dir" "$i"
        elif ((10#$i % 2)); then
            printf '{"preset_path":"%s","preset_format":"fxp","output_path":"%s/%s.npy"}\n' "$PWD/Lead.fxp" "$PWD/$dir" "$i"
        else
            printf '{"preset_path":"%s","preset_format":"serum2","output_path":"%s/%s.npy"}\n' \
                "$FIXTURES/serum2/files/CharlesBT/temp1.SerumPreset" "$PWD/$dir" "$i"
        fi
    done
}

@test "render-one's first job equals its hundredth in reset, fresh and process isolation (the warm-up takes the 10x call)" {
    write_serum1_fxp Lead.fxp Lead "osc A saw, filter 0.42"
    for mode in reset fresh process; do
        if [[ $mode == reset ]]; then hundred_jobs $mode init >jobs.ndjson; else hundred_jobs $mode >jobs.ndjson; fi
        run --separate-stderr render-one -p fxp="$SERUM1" -p serum2="$SERUM2" --isolation "$mode" \
            --note 60 --duration 0.05 --tail 0.01 <jobs.ndjson
        assert_success
        assert_equal "$(jq -r '[.status, .isolation] | join(" ")' <<<"$output" | sort | uniq -c | tr -s ' ')" " 100 ok $mode"
        # Every job of a stand-in equals its first, the hundredth too.
        assert_equal "$(npy_diff $mode/001.npy $mode/099.npy)" "0.0 0"
        assert_equal "$(npy_diff $mode/002.npy $mode/100.npy)" "0.0 0"
        assert_equal "$(cd $mode && sha256sum 0[0-9][13579].npy | cut -d' ' -f1 | sort -u | wc -l)" 1
        assert_equal "$(cd $mode && sha256sum 0[0-9][02468].npy 100.npy | cut -d' ' -f1 | sort -u | wc -l)" 1
    done
    # A single job renders on an instance nothing has played but the warm-up.
    run --separate-stderr render-one --plugin "$SERUM2" --preset "$FIXTURES/serum2/files/CharlesBT/temp1.SerumPreset" \
        -o one.npy --note 60 --duration 0.05 --tail 0.01
    assert_success
    assert_equal "$(npy_diff one.npy fresh/002.npy)" "0.0 0"
    assert_equal "$(npy_diff one.npy process/100.npy)" "0.0 0"
    # And the first job sounds, within full scale (not the 10x call).
    run /usr/bin/python3 -c "import numpy as np; p = float(np.abs(np.load('process/001.npy')).max()); print(0.02 < p < 1.0)"
    assert_output True
}

# The probe's search for a shorter warm-up (worker/windows_probe.cpp) must
# not take the untouched try for the stand-ins: a job's new instance would
# then hear the 10x call. Preset jobs each get a new instance; in auto
# isolation (the probe's warm-up) they render what fully warmed instances
# render (--isolation fresh, no probe), and within full scale.
@test "the probe keeps a warm-up for the stand-ins, whose first call is 10x: preset jobs render a fully warmed instance's bytes" {
    write_serum1_fxp Lead.fxp Lead "osc A saw, filter 0.42"
    for mode in auto fresh; do
        mkdir "$mode"
        for i in 1 2 3; do
            printf '{"preset_path":"%s","preset_format":"fxp","note":%d,"output_path":"%s/%s.npy"}\n' \
                "$PWD/Lead.fxp" $((57 + i)) "$PWD/$mode" "$i"
        done >"$mode.ndjson"
        run --separate-stderr render-one -p fxp="$SERUM1" --isolation "$mode" --duration 0.05 --tail 0.01 <"$mode.ndjson"
        assert_success
        assert_equal "$(jq -r '[.status, .isolation] | join(" ")' <<<"$output" | sort | uniq -c | tr -s ' ')" " 3 ok fresh"
    done
    for i in 1 2 3; do
        assert_equal "$(npy_diff "auto/$i.npy" "fresh/$i.npy")" "0.0 0"
    done
    run /usr/bin/python3 -c "import numpy as np; p = float(np.abs(np.load('auto/1.npy')).max()); print(0.02 < p < 1.0)"
    assert_output True
}

@test "the 32-bit trap: a 32-bit Serum.dll beside the 64-bit Serum_x64.dll fails naming it, the 64-bit one renders" {
    mkdir vst
    cp "$VR_WIN32_VST2" vst/Serum.dll
    cp "$SERUM1" vst/Serum_x64.dll
    write_serum1_fxp Lead.fxp Lead "osc A saw"
    run --separate-stderr render-one --plugin vst/Serum.dll --preset Lead.fxp -o wrong.npy
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "cannot load plugin $(realpath vst/Serum.dll): 32-bit Windows plugin; only 64-bit plugins are hosted"
    run --separate-stderr render-one --plugin vst/Serum_x64.dll --preset Lead.fxp -o right.npy
    assert_success
    assert_equal "$(jq -r '[.plugin_id, .preset_changed_state] | join(" ")' <<<"$output")" "XfsX true"
}
