#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one --edit (render-one(1), "Editors and pictures"): the job's editor
# on the user's display (here an Xvfb of the file's own, driven with
# xdotool and tests/x11_window.py), the render and --save-state and
# --save-preset from what the user set once the window is closed. The test
# synth's editor draws its level as a grey (tests/plugins/README.md,
# "Editor") and sets it with a slider.
bats_require_minimum_version 1.5.0
load helper
load editor-helper

setup_file() { start_user_display; }
teardown_file() { stop_user_display; }

setup() {
    # Each test's own probe cache: nothing learnt elsewhere changes it.
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
    cd "$BATS_TEST_TMPDIR" || fail "no test folder"
}

@test "--edit: the slider moved with xdotool and the window closed, the render, its saved state and preset sound as set_params of the new level, not as the job's (VST2, VST3, LV2)" {
    edit_and_check "$VR_TEST_SYNTH_VST2" vst2 vst2.fxp
    edit_and_check "$VR_TEST_SYNTH_VST3" vst3 vst3.vstpreset
    # An LV2 plugin's presets are bundles: its state is saved.
    edit_and_check "$VR_TEST_SYNTH_LV2" lv2
}

@test "--edit is refused without a display, in a sandbox, in a warm render-one, with --screenshots or --timeout, and for more than one job" {
    local synth=$VR_TEST_SYNTH_VST3
    run --separate-stderr env -u DISPLAY render-one --plugin "$synth" -o a.wav --edit
    assert_failure 3
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$stderr" "render-one: --edit shows the plugin's editor on your display, and DISPLAY is not set"
    assert_usage_error render-one --plugin "$synth" -o a.wav --edit --sandbox --output-root .
    assert_output --partial "not with --sandbox"
    assert_usage_error render-one --plugin "$synth" -o a.wav --edit --warm 10
    assert_output --partial "not with --warm"
    assert_usage_error render-one --plugin "$synth" -o a.wav --edit --screenshots
    assert_output --partial "not both"
    assert_usage_error render-one --plugin "$synth" -o a.wav --edit --timeout 5
    assert_output --partial "not with --timeout"
    assert_usage_error render-one --plugin "$synth" --edit
    assert_output --partial "with -o or --job"
    [[ ! -e a.wav ]] || fail "a refused run wrote a.wav"
}

@test "--edit: a plugin with no editor, and a Faust program, fail their job before anything renders, saying so" {
    run --separate-stderr env VR_TEST_SYNTH_EDITOR=none render-one --plugin "$VR_TEST_SYNTH_VST3" -o a.wav --edit \
        --save-state a.state
    assert_failure 1
    assert_equal "$(jq -c '[.status, .error.message]' <<<"$output")" '["error","edit: the plugin has no editor"]'
    printf 'import("stdfaust.lib");\nprocess = os.osc(440) * 0.1;\n' >tone.dsp
    run --separate-stderr render-one --plugin tone.dsp -o b.wav --edit
    assert_failure 1
    assert_equal "$(jq -c '[.status, .error.message]' <<<"$output")" '["error","edit: the plugin has no editor"]'
    [[ ! -e a.wav && ! -e a.state && ! -e b.wav ]] || fail "a failed edit wrote a file: $(ls)"
}
