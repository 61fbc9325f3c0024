#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# plugin-scan of Windows plugins (issue 30): the test synth's Windows
# builds described by the Windows worker under wine as its Linux build is
# described natively; a prefix's standard folders; what cannot load says
# why, one record each, and the scan goes on; nothing of wine is left.
# The scratch prefix is the run's (tests/with-wine-prefix); what a test puts
# in it, teardown takes out. Plain pass only.

load helper
bats_require_minimum_version 1.5.0

# Records hold absolute paths without `..`: so do the expectations.
for v in VR_TEST_SYNTH_VST2 VR_TEST_SYNTH_VST3 VR_WIN_SYNTH_VST2 VR_WIN_SYNTH_VST3 VR_WIN_CRASH_VST2 \
    VR_WIN_HANG_VST2 VR_WIN32_VST2 VR_WIN_NEEDS_MFC_VST2 VR_WIN_NO_ENTRY_DLL; do
    printf -v "$v" '%s' "$(realpath -m "${!v}")"
done

# What differs between a Linux and a Windows build's records by nature.
WHERE='del(.plugin_path, .plugin_sha256, .plugin_load_s, .plugin_platform, .wine_version)'

setup() {
    require_wine
    cd "$BATS_TEST_TMPDIR" || exit 1
}

# The prefix's standard plugin folders, as a test fills them.
prefix_folders() {
    local files="$VR_TEST_WINEPREFIX/drive_c/Program Files"
    printf '%s\n' "$files/Common Files/VST3" "$files/VSTPlugins" "$files/Steinberg/VstPlugins" "$files/Common Files/VST2"
}

teardown() {
    # Only what a test made: the run's prefix is shared by every suite.
    local folder
    while read -r folder; do
        if [[ -f "$folder/.vr-windows-scan" ]]; then rm -rf "$folder"; fi
    done < <(prefix_folders)
    rmdir "$VR_TEST_WINEPREFIX/drive_c/Program Files/Steinberg" 2>/dev/null || true
    # A server a test started by hand goes with the test, passed or failed.
    if [[ -n "${started_server:-}" ]]; then
        wineserver -k
        wineserver -w
    fi
}

# No wineserver runs for the scratch prefix (wineserver -k0 fails when none does).
assert_no_wineserver() {
    run wineserver -k0
    assert_failure 1
}

@test "the test synth's Windows VST2 and VST3 are described as its Linux build is, and say where they run" {
    run --separate-stderr plugin-scan "$VR_TEST_SYNTH_VST2" "$VR_TEST_SYNTH_VST3"
    assert_success
    linux="$output"
    run --separate-stderr plugin-scan "$VR_WIN_SYNTH_VST2" "$VR_WIN_SYNTH_VST3"
    assert_success
    assert_equal "$(jq -c "$WHERE" <<<"$output")" "$(jq -c "$WHERE" <<<"$linux")"
    # And the records are whole: a scan that described nothing would be equal too.
    assert_equal "$(jq -c '[.plugin_format, .category, .output_channels, .param_count, .plugin_program_count]' <<<"$output")" \
        '["vst2","instrument",2,14,4]
["vst3","instrument",2,16,4]'
    assert_equal "$(jq -r '[.plugin_path, .plugin_platform, .wine_version] | @tsv' <<<"$output")" \
        "$VR_WIN_SYNTH_VST2	windows-x86_64	$(wine --version)
$VR_WIN_SYNTH_VST3	windows-x86_64	$(wine --version)"
    assert_equal "$(jq -r '.plugin_sha256' <<<"$output")" \
        "$(sha256sum <"$VR_WIN_SYNTH_VST2" | cut -d' ' -f1)
$(sha256sum <"$VR_WIN_SYNTH_VST3/Contents/x86_64-win/vr-test-synth.vst3" | cut -d' ' -f1)"
    assert_equal "$(jq -r '[.plugin_platform, has("wine_version")] | @tsv' <<<"$linux")" "linux-x86_64	false
linux-x86_64	false"
    # One stderr line says which prefix and wine the run used.
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$stderr" "plugin-scan: Windows plugins run in the wine prefix $(realpath "$VR_TEST_WINEPREFIX") with $(wine --version)"
    assert_no_wineserver
}

@test "--params on the Windows builds gives the Linux build's parameters, steps and step texts" {
    run --separate-stderr plugin-scan --params "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_VST2"
    assert_success
    linux="$(jq -c .params <<<"$output")"
    run --separate-stderr plugin-scan --params "$VR_WIN_SYNTH_VST3" "$VR_WIN_SYNTH_VST2"
    assert_success
    assert_equal "$(jq -c .params <<<"$output")" "$linux"
    # Stepped parameters are among them (the VST3's): the comparison covers steps.
    assert_equal "$(jq -c '[.params | length] + [.params[] | select(.steps) | [.name, .steps]]' <<<"$output")" \
        '[16,["Bypass",2],["Program",4]]
[14]'
    # So does read_only: the VST3's controller, made from the DLL's own
    # factory, flags the CRC meters; VST2 has no such flag.
    assert_equal "$(jq -c '[.params[] | select(.read_only) | .name], ([.params[] | select(.read_only == false)] | length)' \
        <<<"$output")" '["state_crc","state_crc_hi","state_crc_lo"]
13
[]
14'
}

@test "--params on vr-dpf-synth's Windows VST3 gives its Linux VST3's parameters: read_only on peak alone" {
    run --separate-stderr plugin-scan --params "$VR_DPF_VST3"
    assert_success
    linux="$(jq -c .params <<<"$output")"
    run --separate-stderr plugin-scan --params "$VR_WIN_DPF_VST3"
    assert_success
    assert_equal "$(jq -c .params <<<"$output")" "$linux"
    assert_equal "$(jq -c '.params | [length, map(select(.read_only) | .name), (map(select(.read_only == false)) | length)]' \
        <<<"$output")" '[2084,["peak"],2083]'
}

@test "--wine-prefix with no operands scans the prefix's four standard folders, each plugin once" {
    local f=() folder
    while read -r folder; do
        # Teardown removes the folders this test made, never the prefix's own.
        if [[ -e "$folder" ]]; then fail "the run's prefix has $folder already: this test would mix its plugins in"; fi
        mkdir -p "$folder"
        touch "$folder/.vr-windows-scan"
        f+=("$folder")
    done < <(prefix_folders)
    cp -R "$VR_WIN_SYNTH_VST3" "${f[0]}/"
    cp "$VR_WIN_SYNTH_VST2" "${f[1]}/"
    cp "$VR_WIN_NO_ENTRY_DLL" "${f[2]}/"
    cp "$VR_WIN32_VST2" "${f[3]}/"
    # Not a VST3 where VST2 plugins are looked for, nor the reverse.
    cp -R "$VR_WIN_SYNTH_VST3" "${f[1]}/"
    cp "$VR_WIN_SYNTH_VST2" "${f[0]}/"
    run --separate-stderr env WINEPREFIX="$PWD/elsewhere" plugin-scan --wine-prefix "$VR_TEST_WINEPREFIX"
    assert_failure 1
    assert_equal "$(jq -r '[.plugin_path, .plugin_format, .status // "ok"] | @tsv' <<<"$output")" \
        "${f[0]}/vr-test-synth.vst3	vst3	ok
${f[1]}/vr-test-synth.dll	vst2	ok
${f[2]}/no-entry.dll	vst2	error
${f[3]}/win32.dll	vst2	error"
    assert_no_wineserver
}

@test "with operands, --wine-prefix names the prefix they load in; one that is no prefix is a usage error" {
    run --separate-stderr env WINEPREFIX="$PWD/none" plugin-scan "$VR_WIN_SYNTH_VST2"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "no wine prefix at $PWD/none: make one with WINEPREFIX=$PWD/none wineboot"
    run --separate-stderr env WINEPREFIX="$PWD/none" plugin-scan --wine-prefix "$VR_TEST_WINEPREFIX" "$VR_WIN_SYNTH_VST2"
    assert_success
    assert_equal "$(jq -r .plugin_name <<<"$output")" vr-test-synth
    run --separate-stderr plugin-scan --wine-prefix "$PWD/none" "$VR_WIN_SYNTH_VST2"
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "$stderr" "plugin-scan: no wine prefix at $PWD/none: make one with WINEPREFIX=$PWD/none wineboot
plugin-scan: try 'plugin-scan --help'"
    assert_no_wineserver
}

@test "what cannot load says why, as render-one does; a crash and a hang at load cost their own records" {
    mkdir bad
    cp "$VR_WIN32_VST2" "$VR_WIN_NO_ENTRY_DLL" "$VR_WIN_NEEDS_MFC_VST2" "$VR_WIN_CRASH_VST2" "$VR_WIN_HANG_VST2" bad/
    # A VST2 plugin is named by its file, by JUCE's host on either system.
    cp "$VR_WIN_SYNTH_VST2" bad/synth.dll
    mkdir -p bad/mac.vst3/Contents/MacOS
    printf '\xcf\xfa\xed\xfe\x07\x00\x00\x01' >bad/mac.vst3/Contents/MacOS/mac
    local b="$PWD/bad"
    run --separate-stderr env VR_WIN_FAULT_AT_LOAD=1 plugin-scan --timeout 5 bad
    assert_failure 1
    assert_equal "$(jq -r '[(.plugin_path | split("/") | last), .plugin_platform, .error.message // .plugin_name] | @tsv' <<<"$output")" \
        "crash.dll	windows-x86_64	the plugin crashed in the Windows worker (access violation, 0xC0000005 in crash.dll)
hang.dll	windows-x86_64	timeout after 5.0 s
mac.vst3	linux-x86_64	cannot load plugin $b/mac.vst3: the bundle has no Contents/x86_64-linux folder, so no build for this machine; it has Contents/MacOS: a macOS build (MacOS); Linux cannot load macOS plugins
needs-mfc.dll	windows-x86_64	cannot load plugin $b/needs-mfc.dll: needs MFC140U.dll, not in this prefix (the Visual C++ runtime)
no-entry.dll	windows-x86_64	cannot load plugin $b/no-entry.dll: it exports vr_not_a_plugin, but neither VSTPluginMain or main (VST2) nor GetPluginFactory (VST3): no VST2 or VST3 plugin
synth.dll	windows-x86_64	synth
win32.dll	windows-x86_64	cannot load plugin $b/win32.dll: 32-bit Windows plugin; only 64-bit plugins are hosted"
    # Each in render-one's words.
    local scanned="$output" name
    for name in mac.vst3 needs-mfc.dll no-entry.dll win32.dll; do
        run --separate-stderr render-one --plugin "bad/$name" -o x.wav
        assert_failure 1
        assert_equal "$(jq -r --arg p "$b/$name" 'select(.plugin_path == $p) | .error.message' <<<"$scanned")" \
            "$(jq -r .error.message <<<"$output")"
    done
    assert_no_wineserver
}

@test "no wine, or no Windows worker: each Windows plugin's record says so, the Linux plugin beside it is scanned" {
    mkdir bin
    ln -s "$(command -v jq)" bin/jq
    run --separate-stderr env PATH="$PWD/bin" "$VR_BIN/plugin-scan" "$VR_WIN_SYNTH_VST2" "$VR_TEST_SYNTH_VST2" "$VR_WIN_SYNTH_VST3"
    assert_failure 1
    assert_equal "$(jq -r '[.plugin_platform, .error.message // .plugin_name] | @tsv' <<<"$output")" \
        "windows-x86_64	a Windows plugin needs wine: apt-get install wine wine64
linux-x86_64	vr-test-synth
windows-x86_64	a Windows plugin needs wine: apt-get install wine wine64"
    run --separate-stderr env VR_WIN_WORKER="$PWD/nothing.exe" plugin-scan "$VR_WIN_SYNTH_VST2"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" "VR_WIN_WORKER names $PWD/nothing.exe, which is not there"
    assert_no_wineserver
}

@test "--no-load: what a Windows plugin's files say, and why it cannot load, without wine" {
    mkdir bin
    ln -s "$(command -v jq)" bin/jq
    run --separate-stderr env PATH="$PWD/bin" "$VR_BIN/plugin-scan" --no-load "$VR_WIN_SYNTH_VST2" "$VR_WIN_SYNTH_VST3" \
        "$VR_WIN32_VST2" "$VR_WIN_NEEDS_MFC_VST2"
    assert_failure 1
    assert_equal "$(jq -c '[.plugin_format, .plugin_platform, .plugin_name, .wine_version, .plugin_load_s, .error.message]' <<<"$output")" \
        "[\"vst2\",\"windows-x86_64\",\"vr-test-synth\",null,null,null]
[\"vst3\",\"windows-x86_64\",\"vr-test-synth\",null,null,null]
[\"vst2\",\"windows-x86_64\",\"win32\",null,null,\"cannot load plugin $VR_WIN32_VST2: 32-bit Windows plugin; only 64-bit plugins are hosted\"]
[\"vst2\",\"windows-x86_64\",\"needs-mfc\",null,null,\"cannot load plugin $VR_WIN_NEEDS_MFC_VST2: needs MFC140U.dll, not in this prefix (the Visual C++ runtime)\"]"
}

@test "a wineserver that ran before the scan is left running" {
    wineserver -p 3>&-
    started_server=1
    run --separate-stderr plugin-scan "$VR_WIN_SYNTH_VST2"
    assert_success
    run wineserver -k0
    assert_success
}

@test "a plugin-scan interrupted while a Windows plugin loads stops the prefix's server it started" {
    assert_no_wineserver
    # The plugin hangs as it loads. It starts with the default SIGINT,
    # whatever this test's caller ignores.
    VR_WIN_FAULT_AT_LOAD=1 "${DEFAULT_SIGNALS[@]}" plugin-scan --timeout 600 "$VR_WIN_HANG_VST2" >records 2>/dev/null &
    local pid=$! status=0
    # Loading once its Windows worker runs.
    interrupt_once_windows_worker_runs "$pid" "the plugin's Windows worker never started" || status=$?
    assert_equal "$status" 130
    assert_equal "$(wc -c <records)" 0
    assert_no_wineserver
}

@test "a plugin-scan interrupted between plugins, while it holds the prefix's server, stops it" {
    assert_no_wineserver
    # The Windows plugin loads first (its server is up from then on); then
    # come FIFOs named as plugins, each an error record of about 300 bytes,
    # more than a pipe holds: with its reader stopped the scan waits, idle,
    # to write one.
    local d="$BATS_TEST_TMPDIR/plugins" long i first status=0
    mkdir -p "$d"
    ln -s "$VR_WIN_SYNTH_VST2" "$d/a.dll"
    long=$(printf 'x%.0s' $(seq 200))
    for i in $(seq 300); do mkfifo "$d/b-$long-$i.dll"; done
    mkfifo "$BATS_TEST_TMPDIR/records"
    "${DEFAULT_SIGNALS[@]}" plugin-scan "$d" >"$BATS_TEST_TMPDIR/records" 2>/dev/null &
    local pid=$!
    exec 5<"$BATS_TEST_TMPDIR/records"
    read -r first <&5
    assert_equal "$(jq -c '[(.plugin_path | endswith("/a.dll")), has("error"), .plugin_platform]' <<<"$first")" \
        '[true,false,"windows-x86_64"]'
    kill -INT "$pid"
    # Read on: the record being written ends whole, then the scan ends.
    cat <&5 >"$BATS_TEST_TMPDIR/rest"
    exec 5<&-
    wait "$pid" || status=$?
    assert_equal "$status" 130
    assert_no_wineserver
    jq -e 'has("error")' "$BATS_TEST_TMPDIR/rest" >/dev/null
    [ "$(wc -l <"$BATS_TEST_TMPDIR/rest")" -lt 300 ] || fail "the scan went on to the end of its walk"
}
