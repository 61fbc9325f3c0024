#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A Windows plugin's editor under wine (render-one(1), "Editors and
# pictures"): the Windows worker makes it, wine draws it in an X window of
# its own on the display, and render-one reads the pixels from the X
# server as for a Linux plugin. The Windows test synth's editor draws its
# level as a grey (tests/plugins/README.md, "Editor"). Pictures on the
# run's own Xvfb; --edit on an Xvfb of the file's own standing for the
# user's (tests/editor-helper.bash). Plain pass only, as the other Windows
# suites: its Linux side is editor.bats' and edit.bats'.
bats_require_minimum_version 1.5.0
load helper
load editor-helper

setup_file() { start_user_display; }
teardown_file() { stop_user_display; }

setup() {
    require_wine warm
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
    cd "$BATS_TEST_TMPDIR" || fail "no test folder"
}

png() { /usr/bin/python3 "$TESTS_DIR/png_pixels.py" "$@"; }

# A job of the test synth at level $2 writing $1.wav (and, with
# --screenshots, $1.wav.png).
level_job() { jq -nc --arg o "$1.wav" --argjson v "$2" '{output_path: $o, set_params: {level: $v}}'; }

@test "--screenshots of the Windows test synth (VST2, VST3): each picture shows its job's level, drawn by wine on the run's own Xvfb" {
    local format synth
    for format in vst2 vst3; do
        [[ $format == vst2 ]] && synth=$VR_WIN_SYNTH_VST2 || synth=$VR_WIN_SYNTH_VST3
        sh_run_lines "render-one --plugin '$synth' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
            "$(level_job "$format-low" 0.2)" "$(level_job "$format-high" 0.8)"
        assert_success
        run jq -sc '[.[] | [.status, .screenshot_width, .screenshot_height, .isolation, .virtual_display]]' <<<"$output"
        assert_output '[["ok",320,160,"fresh",true],["ok",320,160,"fresh",true]]'
        run png "$format-low.wav.png" 5,5 300,5
        assert_success
        assert_equal "$(jq -c '[.["5,5"], .["300,5"], .colours > 8]' <<<"$output")" '[[51,51,51],[51,51,51],true]'
        run png "$format-high.wav.png" 5,5
        assert_equal "$(jq -c '[.["5,5"], .colours > 8]' <<<"$output")" '[[204,204,204],true]'
    done
    cmp vst2-low.wav.png vst3-low.wav.png
    cmp vst2-high.wav.png vst3-high.wav.png
}

@test "--edit of the Windows test synth: the slider moved and the window closed, the render, its saved state and preset sound as set_params of the new level (VST2, VST3)" {
    edit_and_check "$VR_WIN_SYNTH_VST2" vst2 vst2.fxp
    edit_and_check "$VR_WIN_SYNTH_VST3" vst3 vst3.vstpreset
}

@test "a Windows plugin with no editor fails its job before the render; one whose editor crashes fails its job alone, the next renders" {
    run --separate-stderr env VR_TEST_SYNTH_EDITOR=none render-one --plugin "$VR_WIN_SYNTH_VST3" --duration 0.1 --tail 0 \
        -o none.wav --screenshots
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" 'screenshot_path: the plugin has no editor'
    [[ ! -e none.wav && ! -e none.wav.png ]] || fail "the failed job left files"
    sh_run_lines "VR_TEST_SYNTH_EDITOR=crash render-one --plugin '$VR_WIN_SYNTH_VST3' --duration 0.1 --tail 0 2>/dev/null" \
        '{"output_path": "bad.wav", "screenshot_path": "bad.png"}' \
        '{"output_path": "good.wav", "set_params": {"level": 0.8}}'
    assert_failure 1
    run jq -sc '[.[] | [.status, (.error.message // "" | test("crashed"))]]' <<<"$output"
    assert_output '[["error",true],["ok",false]]'
    [[ ! -e bad.png ]] || fail "the crashed job left a picture"
}

@test "a Windows plugin's editor that hides its window fails its job's picture, saying so, rather than save wine's empty window; the next job renders" {
    # The "hidden" editor hides its window once a parameter changes: wine
    # still draws the host's window in its X window, so the Windows worker
    # is asked whether the plugin shows one of its own.
    sh_run_lines "VR_TEST_SYNTH_EDITOR=hidden render-one --plugin '$VR_WIN_SYNTH_VST3' --duration 0.1 --tail 0 2>/dev/null" \
        '{"output_path": "bad.wav", "screenshot_path": "bad.png", "set_params": {"level": 0.3}}' \
        "$(level_job good 0.8)"
    assert_failure 1
    local records=$output
    run jq -sc '[.[0].status, .[0].error.message, .[1].status]' <<<"$records"
    assert_output '["error","screenshot_path: the audio was written but its picture was not: the plugin'"'"'s editor hid its window: a picture would hold none of its pixels","ok"]'
    [[ ! -e bad.png ]] || fail "a picture of wine's window without the plugin's"
    [[ -s bad.wav && -s good.wav ]] || fail "the audio was not written"
}

@test "--editor-first: the Windows test synth that takes a state only once its editor was made renders the state's sound with it, not without" {
    printf '{"plugin": "vr-test-synth", "version": 1, "program": 0, "values": [0.8, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n' >s.json
    export VR_TEST_SYNTH_STATE=json VR_TEST_SYNTH_EDITOR=after
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST3" --duration 0.1 --tail 0 --state s.json -o without.wav
    assert_failure 1
    assert_output --partial '--editor-first'
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST3" --duration 0.1 --tail 0 \
        --job '{"output_path": "with.wav", "state_path": "s.json", "editor_first": true, "screenshot_path": "f.png"}'
    assert_success
    assert_equal "$(jq -c '[.status, .editor_first, .isolation]' <<<"$output")" '["ok",true,"fresh"]'
    run png f.png 5,5
    assert_equal "$(jq -c '.["5,5"]' <<<"$output")" '[204,204,204]'
}
