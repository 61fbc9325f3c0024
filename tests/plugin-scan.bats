#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# plugin-scan: our test plugins (tests/plugins), the Debian-packaged ones of
# build-aux/packages.txt and the bad ones of tests/plugins/bad, each scanned
# from its own folder or bundle (never the whole machine), and the values
# of their records checked against what the plugins are.
bats_require_minimum_version 1.5.0
load helper

: "${VR_TEST_SEEDS_VST2:=$TESTS_DIR/../build/plugins/seeds/vr-test-seeds.so}"
: "${VR_TEST_BAD_DIR:=$TESTS_DIR/../build/plugins/bad}"
: "${VR_TEST_SYNTH_LV2_SIDECHAIN:=$TESTS_DIR/../build/plugins/lv2-sidechain/vr-test-synth.lv2}"
# Records hold absolute paths without `..`: so do the expectations.
for v in VR_TEST_SYNTH_VST2 VR_TEST_SYNTH_VST3 VR_TEST_SYNTH_LV2 VR_TEST_SYNTH_LV2_EFFECT VR_TEST_SYNTH_LV2_SIDECHAIN \
    VR_TEST_LV2_PATH VR_TEST_SEEDS_VST2 VR_TEST_BAD_DIR; do
    printf -v "$v" '%s' "$(realpath -m "${!v}")"
done

# What the tests compare: the fields that say what a plugin is.
SHAPE='[.plugin_format, .plugin_name, .category, .input_channels, .output_channels, .sidechain_channels, .midi_input, .param_count, .plugin_program_count]'

@test "plugin-scan --help prints usage on stdout and exits 0; misuse exits 2" {
    run plugin-scan --help
    assert_success
    assert_output --partial "--no-load"
    assert_output --partial "--timeout"
    assert_usage_error plugin-scan --bogus
    assert_usage_error plugin-scan --timeout -1 "$BATS_TEST_TMPDIR"
    assert_usage_error plugin-scan --no-load --params "$BATS_TEST_TMPDIR"
    assert_output --partial "--params needs the plugins loaded"
}

@test "the test synth in VST2, VST3 and LV2: an instrument, stereo out, MIDI in, its ids, programs and binary's hash" {
    run plugin-scan "${VR_TEST_SYNTH_VST2%/*}" "${VR_TEST_SYNTH_VST3%/*}" "$VR_TEST_SYNTH_LV2"
    assert_success
    assert_equal "${#lines[@]}" 3
    run jq -c "$SHAPE + [.plugin_id, .plugin_vendor]" <<<"$output"
    assert_output '["vst2","vr-test-synth","instrument",0,2,0,true,14,4,"Vrts","vst-render"]
["vst3","vr-test-synth","instrument",0,2,0,true,16,4,"ABCDEF019182FAEB56726E6456727473","vst-render"]
["lv2","vr-test-synth","instrument",0,2,0,true,15,4,"urn:vst-render:test-synth","vst-render"]'
    # Each record names what render-one loads, and the hash is the binary's.
    sh_run "plugin-scan '$VR_TEST_SYNTH_VST2' '$VR_TEST_SYNTH_VST3' '$VR_TEST_SYNTH_LV2' | jq -r '[.plugin_path, .plugin_sha256] | @tsv'"
    assert_success
    assert_output "$VR_TEST_SYNTH_VST2	$(sha256sum <"$VR_TEST_SYNTH_VST2" | cut -d' ' -f1)
$VR_TEST_SYNTH_VST3	$(sha256sum <"$VR_TEST_SYNTH_VST3/Contents/x86_64-linux/vr-test-synth.so" | cut -d' ' -f1)
$VR_TEST_SYNTH_LV2	$(sha256sum <"$VR_TEST_SYNTH_LV2/libvr-test-synth.so" | cut -d' ' -f1)"
    run jq -c '[.plugin_uri, .plugin_bundle]' <<<"$(plugin-scan "$VR_TEST_SYNTH_LV2")"
    assert_output "[\"urn:vst-render:test-synth\",\"$VR_TEST_SYNTH_LV2\"]"
}

@test "effect and sidechain variants: the main input and the second input bus counted apart" {
    # VST3 and VST2 take the variant from the environment, LV2 from the bundle.
    sh_run "VR_TEST_SYNTH_SIDECHAIN=1 plugin-scan '$VR_TEST_SYNTH_VST3' '$VR_TEST_SYNTH_VST2' '$VR_TEST_SYNTH_LV2_SIDECHAIN' \
            | jq -c '$SHAPE'"
    assert_success
    # VST2 has no sidechain bus: its four input pins are all inputs.
    assert_output '["vst3","vr-test-synth","instrument",2,2,2,true,16,4]
["vst2","vr-test-synth","instrument",4,2,0,true,14,4]
["lv2","vr-test-synth","instrument",2,2,2,true,15,4]'
    sh_run "VR_TEST_SYNTH_EFFECT=1 plugin-scan '$VR_TEST_SYNTH_VST3' '$VR_TEST_SYNTH_LV2_EFFECT' | jq -c '$SHAPE'"
    assert_success
    assert_output '["vst3","vr-test-synth","instrument",2,2,0,true,16,4]
["lv2","vr-test-synth","instrument",2,2,0,true,15,4]'
}

@test "Debian's plugins: instruments, effects, channels and MIDI input as the plugins declare them" {
    local lv2=/usr/lib/lv2 vst=/usr/lib/vst
    # so-synth prints a banner as it loads (plugin-scan sends it to stderr).
    run --separate-stderr plugin-scan "$vst/amsynth_vst.so" "$vst/ZynAddSubFX.so" "$vst/ZynReverb.so" "$vst/Nekobi-vst.so" \
        "$vst/MVerb-vst.so" "$lv2/Nekobi.lv2" "$lv2/Kars.lv2" "$lv2/MVerb.lv2" "$lv2/balance.lv2" "$lv2/synthv1.lv2" \
        "$lv2/padthv1.lv2" "$lv2/AmplitudeImposer.lv2" "$lv2/so-synth.lv2"
    assert_success
    run jq -c '[.plugin_format, .plugin_id, .category, .input_channels, .output_channels, .sidechain_channels, .midi_input]' <<<"$output"
    assert_output '["vst2","amsy","instrument",0,2,0,true]
["vst2","ZASF","instrument",0,2,0,true]
["vst2","ZXrv","effect",2,2,0,false]
["vst2","DNek","instrument",0,1,0,true]
["vst2","MVrb","effect",2,2,0,false]
["lv2","http://distrho.sf.net/plugins/Nekobi","instrument",0,1,0,true]
["lv2","http://distrho.sf.net/plugins/Kars","instrument",0,1,0,true]
["lv2","http://distrho.sf.net/plugins/MVerb","effect",2,2,0,false]
["lv2","http://gareus.org/oss/lv2/balance","effect",2,2,0,false]
["lv2","http://synthv1.sourceforge.net/lv2","instrument",2,2,0,true]
["lv2","http://padthv1.sourceforge.net/lv2","instrument",2,2,0,true]
["lv2","http://www.niallmoody.com/ndcplugs/ampimposer.htm","effect",2,2,2,false]
["lv2","urn:50m30n3:plugins:SO-666","instrument",0,1,0,true]
["lv2","urn:50m30n3:plugins:SO-kl5","instrument",0,1,0,true]
["lv2","urn:50m30n3:plugins:SO-404","instrument",0,1,0,true]'
    # amsynth's programs and parameters (a fresh HOME: 28 banks of 128).
    run jq -c 'select(.plugin_id == "amsy") | [.plugin_program_count, .param_count, .plugin_name]' <<<"$(plugin-scan "$vst/amsynth_vst.so")"
    assert_output '[3584,41,"amsynth_vst"]'
    # so-synth's bundle holds three plugins: each is named by its URI, the
    # bundle beside it.
    sh_run "plugin-scan '$lv2/so-synth.lv2' 2>/dev/null | jq -r '[.plugin_path == .plugin_uri, .plugin_bundle] | @tsv' | sort -u"
    assert_output "true	$lv2/so-synth.lv2"
}

@test "x42's MIDI filters are MIDI effects, read from the Turtle with --no-load" {
    sh_run "plugin-scan --no-load /usr/lib/lv2/midifilter.lv2 | jq -c '[.category, .input_channels, .output_channels, .midi_input, .plugin_vendor]' | sort | uniq -c"
    assert_success
    assert_output '     33 ["midi_effect",0,0,true,"Robin Gareus"]'
}

@test "--no-load: LV2 from its Turtle, VST3 and VST2 named by their files, nothing loaded, nothing hashed" {
    run plugin-scan --no-load "$VR_TEST_SYNTH_VST2" "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_LV2" "$VR_TEST_SYNTH_LV2_SIDECHAIN"
    assert_success
    run jq -c "$SHAPE + [.plugin_id, .plugin_sha256, .plugin_load_s]" <<<"$output"
    assert_output '["vst2","vr-test-synth",null,null,null,null,null,null,null,null,null,null]
["vst3","vr-test-synth",null,null,null,null,null,null,null,null,null,null]
["lv2","vr-test-synth","instrument",0,2,0,true,16,null,"urn:vst-render:test-synth",null,null]
["lv2","vr-test-synth","instrument",2,2,2,true,16,null,"urn:vst-render:test-synth",null,null]'
}

@test "--params: every parameter with its value, text, default and whether it is automatable or read-only" {
    run plugin-scan --params "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_VST2"
    assert_success
    # The CRC parameters are not automatable; JUCE's VST3 wrapper flags
    # them kIsReadOnly (they are meters), which our own look at its
    # controller reads; VST2 knows no defaults and no read-only flag.
    run jq -c '.params | length, .[0], .[1], map(select(.automatable | not) | .name),
        map(select(.read_only) | .name), (map(select(.read_only == false)) | length)' <<<"$output"
    assert_output '16
{"index":0,"name":"level","value":0.5,"text":"0.500","default":0.5,"automatable":true,"read_only":false}
{"index":1,"name":"release","value":0.10000000149011612,"text":"100.0 ms","default":0.10000000149011612,"automatable":true,"read_only":false}
["state_crc","state_crc_hi","state_crc_lo"]
["state_crc","state_crc_hi","state_crc_lo"]
13
14
{"index":0,"name":"level","value":0.5,"text":"0.500","default":null,"automatable":true,"read_only":false}
{"index":1,"name":"release","value":0.10000000149011612,"text":"100.0 ms","default":null,"automatable":true,"read_only":false}
["state_crc","state_crc_hi","state_crc_lo"]
[]
14'
}

@test "--params: read_only where the format says so: a VST3 kIsReadOnly, never in VST2 or among JUCE's LV2 parameters" {
    # vr-dpf-synth's output parameter peak: DPF's VST3 flags it kIsReadOnly
    # (its component is its controller), its VST2 and LV2 hide it from JUCE;
    # amsynth's 41 parameters are all not automatable, none read-only.
    run --separate-stderr plugin-scan --params "$VR_DPF_VST3" "$VR_DPF_VST2" "$VR_DPF_LV2" /usr/lib/vst/amsynth_vst.so
    assert_success
    run jq -c '[.plugin_format, .param_count, (.params | map(select(.read_only) | .name)),
        (.params | map(select(.read_only == false)) | length), (.params | map(select(.automatable | not)) | length)]' \
        <<<"$output"
    assert_output '["vst3",2084,["peak"],2083,1]
["vst2",3,[],3,0]
["lv2",3,[],3,0]
["vst2",41,[],41,41]'
}

@test "a plugin that crashes or hangs as it loads costs its own record; the one beside it is scanned" {
    local d="$BATS_TEST_TMPDIR/bad"
    mkdir -p "$d"
    cp "$VR_TEST_BAD_DIR/crash-on-load.so" "$VR_TEST_BAD_DIR/hang-on-load.so" "$d/"
    cp "$VR_TEST_SEEDS_VST2" "$d/good.so"
    run --separate-stderr plugin-scan --timeout 3 "$d"
    assert_failure 1
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    local said="$stderr"
    run jq -c '[(.plugin_path | split("/") | last), .status, .error.message, .error.signal, .plugin_id]' <<<"$output"
    assert_output '["crash-on-load.so","error","the plugin crashed (signal SIGSEGV)","SIGSEGV",null]
["good.so",null,null,null,"VrSd"]
["hang-on-load.so","error","timeout after 3.0 s",null,null]'
    # With DISPLAY unset, the crash got one more try on a display, and
    # stderr says so (linux-display.bats); the hang none.
    if [[ -z "${DISPLAY:-}" ]]; then
        assert_equal "$(grep -c 'ended its process as it loaded with no display' <<<"$said")" 1
    fi
}

@test "a symlink loop, a missing operand and a file that is no plugin are error records; the walk goes on" {
    local d="$BATS_TEST_TMPDIR/tree"
    mkdir -p "$d/sub"
    ln -s "$d" "$d/sub/loop"
    cp "$VR_TEST_SEEDS_VST2" "$d/sub/seeds.so"
    echo text >"$d/notes.txt"
    run plugin-scan --no-load "$d/missing" "$d/notes.txt" "$d"
    assert_failure 1
    run jq -c '[.plugin_path, .plugin_name, .error.message]' <<<"$output"
    assert_output "[\"$d/missing\",null,\"$d/missing: cannot read: No such file or directory\"]
[\"$d/notes.txt\",null,\"$d/notes.txt: not a plugin: a VST2 plugin is a .so file (a .dll on Windows), a VST3 plugin a .vst3 bundle, an LV2 plugin a .lv2 bundle\"]
[\"$d/sub/loop\",null,\"$d/sub/loop: a symlink loop: this folder contains itself; not walked again\"]
[\"$d/sub/seeds.so\",\"seeds\",null]"
}

@test "with no operands: VST_PATH, ~/.vst3 and LV2_PATH, each for its own format" {
    local h="$BATS_TEST_TMPDIR/home" vst="$BATS_TEST_TMPDIR/vst"
    mkdir -p "$h/.vst3" "$vst"
    cp "$VR_TEST_SEEDS_VST2" "$vst/seeds.so"
    ln -s "$VR_TEST_SYNTH_VST3" "$h/.vst3/synth.vst3"
    # An LV2 bundle in the VST2 folder is not a VST2 plugin: not listed.
    ln -s "$VR_TEST_SYNTH_LV2" "$vst/synth.lv2"
    sh_run "HOME='$h' VST_PATH='$vst:/nonexistent' LV2_PATH='$VR_TEST_LV2_PATH' plugin-scan --no-load \
            | jq -r '[.plugin_format, .plugin_path] | @tsv'"
    assert_success
    # /usr/lib/vst3 and /usr/local/lib/vst3 are walked too: other machines may have plugins there.
    run grep -v -e '^vst3	/usr/lib/vst3/' -e '^vst3	/usr/local/lib/vst3/' <<<"$output"
    assert_output "vst2	$vst/seeds.so
vst3	$h/.vst3/synth.vst3
lv2	$VR_TEST_SYNTH_LV2"
}

@test "its records are render-one's jobs: through job-grid and assign-paths to audio, an LV2 URI too" {
    local out="$BATS_TEST_TMPDIR/renders"
    sh_run "plugin-scan '$VR_TEST_SYNTH_VST2' /usr/lib/lv2/so-synth.lv2 2>/dev/null \
            | jq -c 'select(.plugin_id == \"Vrts\" or .plugin_id == \"urn:50m30n3:plugins:SO-404\") | .preset_name = .plugin_id' \
            | job-grid --notes 60 --velocities 100 | assign-paths --out '$out' --ext wav \
            | render-one --duration 0.2 --tail 0 2>/dev/null"
    assert_success
    local results="$output"
    run jq -c '[.status, .plugin_path, .preset_name, .frames, .silent]' <<<"$results"
    assert_output "[\"ok\",\"$VR_TEST_SYNTH_VST2\",\"Vrts\",9600,false]
[\"ok\",\"urn:50m30n3:plugins:SO-404\",\"urn:50m30n3:plugins:SO-404\",9600,false]"
    # The test synth's note: velocity 100 at level 0.5 peaks at 100/127 x 0.5.
    run jq -r 'select(.preset_name == "Vrts") | .peak_dbfs * 100 | round' <<<"$results"
    assert_output "$(awk 'BEGIN { printf "%d", 20 * log(100 / 127 * 0.5) / log(10) * 100 - 0.5 }')"
}

@test "stdout that cannot be written is fatal; a reader that closes the pipe is not" {
    sh_run "plugin-scan --no-load '$VR_TEST_SYNTH_VST2' >/dev/full"
    assert_failure 3
    assert_output --partial "cannot write standard output"
    sh_run "plugin-scan '$VR_TEST_SYNTH_VST2' '$VR_TEST_SYNTH_VST3' '$VR_TEST_SYNTH_LV2' | head -1 | jq -r .plugin_format"
    assert_success
    assert_output vst2
}
