#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The plugin's own editor (render-one(1), "Editors and pictures"): a PNG of
# its window after the render (screenshot_path, --screenshots), drawn on the
# run's own Xvfb, and --editor-first for plugins that take a state only
# once their editor was made. The test synth's editor draws its level, its
# background a grey as light as the level (tests/plugins/README.md).
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
NEKOBI_LV2=/usr/lib/lv2/Nekobi.lv2

setup() {
    OUT=$BATS_TEST_TMPDIR
    cd "$OUT" || fail "no test folder"
}

png() { /usr/bin/python3 "$TESTS_DIR/png_pixels.py" "$@"; }
peak_for() { /usr/bin/python3 -c "import math; print(round(20 * math.log10(100 / 127 * $1), 2))"; }

# A job of the test synth at level $2 writing $1.wav (and, with
# --screenshots, $1.wav.png).
level_job() { jq -nc --arg o "$1.wav" --argjson v "$2" '{output_path: $o, set_params: {level: $v}}'; }

@test "--screenshots: the test synth's editor as VST2, VST3 and LV2, each picture showing its job's level, beside its audio" {
    local format
    for format in vst2 vst3 lv2; do
        # The third job sets nothing: its picture shows the default level,
        # not the job's before it (the picture instance is given back its
        # first values), and its audio is the same as without a picture.
        sh_run_lines "render-one --plugin '$(synth_of "$format")' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
            "$(level_job "$format-low" 0.2)" "$(level_job "$format-high" 0.8)" \
            "$(jq -nc --arg o "$format-default.wav" '{output_path: $o}')"
        assert_success
        run jq -sc '[.[] | [.status, (.screenshot_path | split("/") | last), .screenshot_width,
            .screenshot_height, .virtual_display, .peak_dbfs]]' <<<"$output"
        assert_output "[[\"ok\",\"$format-low.wav.png\",320,160,true,$(peak_for 0.2)],[\"ok\",\"$format-high.wav.png\",320,160,true,$(peak_for 0.8)],[\"ok\",\"$format-default.wav.png\",320,160,true,$(peak_for 0.5)]]"
        run png "$format-default.wav.png" 5,5
        assert_equal "$(jq -c '.["5,5"]' <<<"$output")" '[128,128,128]'
        # The audio is what the same jobs render without pictures (in the
        # plugin's usual isolation: a picture is drawn by an instance of its
        # own).
        sh_run_lines "render-one --plugin '$(synth_of "$format")' --duration 0.1 --tail 0 2>/dev/null" \
            "$(level_job "$format-low-plain" 0.2)" "$(level_job "$format-high-plain" 0.8)" \
            "$(jq -nc --arg o "$format-default-plain.wav" '{output_path: $o}')"
        assert_success
        cmp "$format-low.wav" "$format-low-plain.wav"
        cmp "$format-high.wav" "$format-high-plain.wav"
        cmp "$format-default.wav" "$format-default-plain.wav"
        [[ ! -e $format-low-plain.wav.png ]] || fail "a picture without --screenshots"
        # The background's grey is the level's (0.2: 51, 0.8: 204); the
        # level's digits and the slider are drawn on it.
        run png "$format-low.wav.png" 5,5 300,5
        assert_success
        assert_equal "$(jq -c '[.width, .height, .["5,5"], .["300,5"], .colours > 8]' <<<"$output")" \
            '[320,160,[51,51,51],[51,51,51],true]'
        run png "$format-high.wav.png" 5,5
        assert_equal "$(jq -c '[.width, .height, .["5,5"], .colours > 8]' <<<"$output")" '[320,160,[204,204,204],true]'
    done
    cmp vst2-low.wav.png vst3-low.wav.png
    cmp vst2-high.wav.png lv2-high.wav.png
    # A job that loads a state (level 0.8), then one that loads nothing: the
    # state's level does not stay in the picture instance. (This state is
    # its parameters, which are given back anyway; the state's own give-back
    # is proved by the payload test below.)
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 \
        --job "$(level_job saved 0.8)" --save-state saved.state
    assert_success
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
        "$(jq -nc --arg s "$OUT/saved.state" '{output_path: "state.wav", state_path: $s}')" \
        '{"output_path": "after.wav"}'
    assert_success
    run png state.wav.png 5,5
    assert_equal "$(jq -c '.["5,5"]' <<<"$output")" '[204,204,204]'
    run png after.wav.png 5,5
    assert_equal "$(jq -c '.["5,5"]' <<<"$output")" '[128,128,128]'
}

@test "pictures are drawn on a display of the run's own even when DISPLAY is set, and the Xvfb goes with the run" {
    run --separate-stderr env DISPLAY=:987 render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 -o a.wav \
        --screenshots
    assert_success
    assert_equal "$(jq -c '[.status, .virtual_display, .screenshot_width]' <<<"$output")" '["ok",true,320]'
    run png a.wav.png 5,5
    assert_equal "$(jq -c '.["5,5"]' <<<"$output")" '[128,128,128]'
    # Its own Xvfb: none of the user's (:987 does not exist), none left.
    run pgrep -f 'Xvfb :1[0-9]* -displayfd'
    assert_failure
}

@test "amsynth: pictures of three of its programs, each its own panel, differ from each other" {
    local i
    for i in 1 2 3; do
        jq -nc --arg o "p$i.wav" --argjson i "$i" '{output_path: $o, program_index: $i}'
    done >jobs.ndjson
    run --separate-stderr render-one --plugin "$AMSYNTH" --duration 0.2 --tail 0 --screenshots <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc '[.[] | [.status, .screenshot_width, .screenshot_height]] | unique' <<<"$output")" \
        '[["ok",600,400]]'
    for i in 1 2 3; do
        run png "p$i.wav.png"
        assert_success
        (($(jq .colours <<<"$output") > 1000)) || fail "p$i.wav.png has $(jq .colours <<<"$output") colours: blank?"
    done
    assert_equal "$(sha256sum p1.wav.png p2.wav.png p3.wav.png | cut -c1-64 | sort -u | wc -l)" 3
}

@test "DPF's Nekobi (LV2): a picture of its panel" {
    run --separate-stderr render-one --plugin "$NEKOBI_LV2" --duration 0.2 --tail 0 -o n.wav --screenshots
    assert_success
    assert_equal "$(jq -c '[.status, .screenshot_width > 100, .screenshot_height > 50]' <<<"$output")" '["ok",true,true]'
    run png n.wav.png
    (($(jq .colours <<<"$output") > 100)) || fail "n.wav.png has $(jq .colours <<<"$output") colours: blank?"
}

@test "--editor-first: a plugin that takes a state only once its editor was made renders the state's sound with it, and says why without" {
    printf '{"plugin": "vr-test-synth", "version": 1, "program": 0, "values": [0.8, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n' >s.json
    export VR_TEST_SYNTH_STATE=json VR_TEST_SYNTH_EDITOR=after
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --state s.json -o without.wav
    assert_failure
    assert_equal "$(jq -r .status <<<"$output")" error
    assert_output --partial 'the plugin ignored or refused this state'
    assert_output --partial '--editor-first'
    [[ ! -e without.wav ]] || fail "a job that failed left its audio"
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --state s.json -o with.wav \
        --editor-first
    assert_success
    assert_equal "$(jq -c '[.status, .editor_first, .isolation, .peak_dbfs]' <<<"$output")" \
        "[\"ok\",true,\"fresh\",$(peak_for 0.8)]"
    # The same job field, with a picture: the state's level drawn.
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 \
        --job '{"output_path": "field.wav", "state_path": "s.json", "editor_first": true, "screenshot_path": "f.png"}'
    assert_success
    assert_equal "$(jq -c '[.status, .editor_first, .peak_dbfs]' <<<"$output")" "[\"ok\",true,$(peak_for 0.8)]"
    cmp with.wav field.wav
    run png f.png 5,5
    assert_equal "$(jq -c '.["5,5"]' <<<"$output")" '[204,204,204]'
}

@test "a plugin with no editor fails its job before it renders; so does a picture outside the output root, or in place" {
    run env VR_TEST_SYNTH_EDITOR=none render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 \
        -o none.wav --screenshots
    assert_failure
    assert_equal "$(jq -r .error.message <<<"$output")" 'screenshot_path: the plugin has no editor'
    [[ ! -e none.wav && ! -e none.wav.png ]] || fail "the failed job left files"
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --output-root "$OUT/root" \
        --job "{\"output_path\": \"$OUT/root/a.wav\", \"screenshot_path\": \"$OUT/elsewhere.png\"}"
    assert_failure
    assert_output --partial 'elsewhere.png'
    [[ ! -e root/a.wav ]] || fail "the job rendered"
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 -o inplace.wav --screenshots --no-isolate
    assert_failure
    assert_output --partial 'shows no editor'
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --output-root "$OUT/root" \
        -o "$OUT/root/in.wav" --screenshots
    assert_success
    [[ -s root/in.wav.png ]] || fail "no picture below the root"
}

@test "an editor that crashes or hangs fails its own job alone; the next job of the batch has its picture" {
    local kind
    for kind in crash hang; do
        # The editor opens before the render: a hang there is the load's
        # (--load-timeout; its 120 s default would be this test's time).
        sh_run_lines "VR_TEST_SYNTH_EDITOR=$kind render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --timeout 3 --load-timeout 5 2>/dev/null" \
            '{"output_path": "bad.wav", "screenshot_path": "bad.png"}' \
            '{"output_path": "good.wav", "set_params": {"level": 0.8}}'
        assert_failure 1
        run jq -sc '[.[] | [.status, (.error.signal // .error.message // null | tostring | .[0:40])]]' <<<"$output"
        if [[ $kind == crash ]]; then
            assert_output '[["error","SIGSEGV"],["ok","null"]]'
        else
            assert_output --partial '[["error","timeout after '
            assert_output --partial '["ok","null"]]'
        fi
        [[ ! -e bad.png ]] || fail "$kind: the failed job left a picture"
        rm -f bad.wav good.wav
    done
}

@test "an editor that hides its window fails its job's picture, saying so, rather than save the host's pixels; the next job renders" {
    # The test synth's "hidden" editor hides its window once a parameter
    # changes: shown when the picture instance opens it, gone once the
    # job's level is given to it after the render.
    sh_run_lines "VR_TEST_SYNTH_EDITOR=hidden render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 2>/dev/null" \
        '{"output_path": "bad.wav", "screenshot_path": "bad.png", "set_params": {"level": 0.3}}' \
        "$(level_job good 0.8)"
    assert_failure 1
    local records=$output
    run jq -sc '[.[0].status, .[1].status, .[1].peak_dbfs]' <<<"$records"
    assert_output "[\"error\",\"ok\",$(peak_for 0.8)]"
    run jq -sr '.[0].error.message' <<<"$records"
    assert_output "screenshot_path: the audio was written but its picture was not: the plugin's editor hid its window: a picture would hold none of its pixels"
    [[ ! -e bad.png ]] || fail "a picture of the host's own window"
    [[ -s bad.wav ]] || fail "the audio was not written"
}

@test "an editor whose window never shows fails its job after 10 s, before its render, saying so; the next job has its audio" {
    # The "unmapped" editor marks its window not to be mapped (XEmbed) and
    # hides it whenever it is shown: the wait for it runs out.
    sh_run_lines "VR_TEST_SYNTH_EDITOR=unmapped render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 2>/dev/null" \
        '{"output_path": "bad.wav", "screenshot_path": "bad.png"}' "$(level_job good 0.8)"
    assert_failure 1
    local records=$output
    run jq -sc '[.[0].status, .[0].error.message, .[1].status, .[1].peak_dbfs]' <<<"$records"
    assert_output "[\"error\",\"screenshot_path: the plugin's editor did not show its window within 10 s\",\"ok\",$(peak_for 0.8)]"
    [[ ! -e bad.png && ! -e bad.wav ]] || fail "the job whose editor never showed left a file"
}

@test "a state's payload, drawn by the editor but no parameter, does not stay in the picture of the job after it" {
    # The editor draws the state's payload at its top left (polled on a
    # 30 Hz timer, as many editors poll what they draw); this state's level
    # is the default's, so only the payload tells the pictures apart.
    vrts_state "$OUT/named.state" 0.5 0.3 "BRIGHT PAD"
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
        "$(jq -nc --arg s "$OUT/named.state" '{output_path: "named.wav", state_path: $s}')" \
        '{"output_path": "after.wav"}'
    assert_success
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
        '{"output_path": "alone.wav"}'
    assert_success
    # The payload's letters darken the top left of the state's picture only.
    run png named.wav.png 6,6 6,12 10,12 14,12 20,12 30,12
    assert_success
    run jq -c '[.["6,6"], .["6,12"], .["10,12"], .["14,12"], .["20,12"], .["30,12"]] | map(max) | min < 100' <<<"$output"
    assert_output true
    run png alone.wav.png 6,6 6,12 10,12 14,12 20,12 30,12
    run jq -c '[.["6,6"], .["6,12"], .["10,12"], .["14,12"], .["20,12"], .["30,12"]] | unique' <<<"$output"
    assert_output '[[128,128,128]]'
    # The job after it is given back the picture instance's first state.
    cmp after.wav.png alone.wav.png
}

@test "render-index shows each picture in its row, linked as the audio is, and the page stays the same bytes" {
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
        "$(level_job out/low 0.2)" "$(level_job out/high 0.8)"
    assert_success
    printf '%s\n' "$output" >results.ndjson
    run render-index --out page <results.ndjson
    assert_success
    run grep -o '<img class="shot" tabindex="0" loading="lazy" alt="[^"]*" src="[^"]*">' page/index.html
    assert_output - <<'HTML'
<img class="shot" tabindex="0" loading="lazy" alt="the plugin's editor" src="../out/low.wav.png">
<img class="shot" tabindex="0" loading="lazy" alt="the plugin's editor" src="../out/high.wav.png">
HTML
    # A click (focus) shows it whole over the page: CSS alone, no script.
    run grep -c 'img.shot:focus' page/index.html
    assert_output 1
    cp page/index.html first.html
    run render-index --out page <results.ndjson
    cmp first.html page/index.html
}

@test "in headless Chromium, a click on a row's picture shows it whole in the middle of the window, and a click elsewhere puts it back" {
    browser_ready
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
        "$(level_job out/low 0.2)" "$(level_job out/high 0.8)"
    assert_success
    printf '%s\n' "$output" | render-index --out page >/dev/null
    run node "$TESTS_DIR/browser/check-picture.js" page/index.html 1 5,5 300,5
    assert_success
    local seen=$output
    # Both pictures load from file://, nothing else is asked for.
    run jq -c '[.natural, .problems]' <<<"$seen"
    assert_output '[[[320,160],[320,160]],[]]'
    # In its row, a thumbnail at most 120 px high; clicked, focused and
    # whole (320x160), centred in the 1280x800 window (to its 2 px top
    # margin); then back in its row.
    run jq -c '[.in_row.height <= 120, .in_row.focused, .clicked.focused, .clicked.width, .clicked.height,
                (.clicked.x + .clicked.width / 2 - 640 | fabs <= 3), (.clicked.y + .clicked.height / 2 - 400 | fabs <= 3),
                .after.focused, .after == .in_row]' <<<"$seen"
    assert_output '[true,false,true,320,160,true,true,false,true]'
    # What the window shows is the picture of the row's job (level 0.8).
    run jq -c '.enlarged | [.width, .height, .["5,5"], .["300,5"]]' <<<"$seen"
    assert_output '[320,160,[204,204,204],[204,204,204]]'
}

@test "--save-preset: the job's program as an .fxp (VST2) or .vstpreset (VST3), read back by preset-scan and render-one to the same bytes; another extension or an LV2 plugin is a usage error" {
    printf '{"plugin": "vr-test-synth", "version": 1, "program": 0, "values": [0.8, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n' >s.json
    local format ext
    for format in vst2 vst3; do
        case $format in
            vst2) ext=fxp ;;
            vst3) ext=vstpreset ;;
        esac
        run --separate-stderr env VR_TEST_SYNTH_STATE=json render-one --plugin "$(synth_of "$format")" \
            --duration 0.1 --tail 0 --state s.json -o "$format-a.wav" --save-preset "$format.$ext"
        assert_success
        assert_equal "$(jq -c '[.status, .peak_dbfs]' <<<"$output")" "[\"ok\",$(peak_for 0.8)]"
        run preset-scan "$format.$ext"
        assert_success
        assert_equal "$(jq -r .preset_format <<<"$output")" "$ext"
        run --separate-stderr env VR_TEST_SYNTH_STATE=json render-one --plugin "$(synth_of "$format")" \
            --duration 0.1 --tail 0 --preset "$format.$ext" -o "$format-b.wav"
        assert_success
        cmp "$format-a.wav" "$format-b.wav"
    done
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST3" -o x.wav --save-preset x.fxp
    assert_output --partial "a VST3 plugin's preset is a .vstpreset file"
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_LV2" -o x.wav --save-preset x.fxp
    assert_output --partial "an LV2 plugin's state goes to --save-state"
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST2" --save-preset x.fxp
    [[ ! -e x.fxp && ! -e x.wav ]] || fail "a refused run wrote files"
}

@test "--skip-existing renders again a job whose picture is missing, and skips it once both are there" {
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 -o a.wav --screenshots
    assert_success
    rm a.wav.png
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --screenshots \
        --skip-existing --job '{"output_path": "a.wav"}'
    assert_success
    assert_equal "$(jq -c '[.status, .screenshot_width]' <<<"$output")" '["ok",320]'
    run png a.wav.png 5,5
    assert_equal "$(jq -c '.["5,5"]' <<<"$output")" '[128,128,128]'
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --screenshots \
        --skip-existing --job '{"output_path": "a.wav"}'
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" skipped
}


@test "a batch's pictures are drawn while its later jobs render, each the picture of its job alone; records keep the jobs' order" {
    # Twelve jobs: up to eight pictures are drawn at once, their windows on
    # top of each other at the screen's top left (their pixels kept apart).
    local i lines=()
    for ((i = 0; i < 12; i++)); do lines+=("$(level_job "j$i" "0.$((i % 10))$i")"); done
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" "${lines[@]}"
    assert_success
    run jq -sc '[.[] | [(.output_path | split("/") | last), .status, .screenshot_width]]' <<<"$output"
    assert_output "$(for ((i = 0; i < 12; i++)); do echo "[\"j$i.wav\",\"ok\",320]"; done | jq -sc .)"
    # Twelve levels, twelve pictures; some jobs alone, in a run of their
    # own: the same picture.
    run bash -c 'sha256sum j*.wav.png | cut -d" " -f1 | sort -u | wc -l'
    assert_output 12
    for i in 0 4 7 11; do
        sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" \
            "$(level_job "alone$i" "0.$((i % 10))$i")"
        assert_success
        cmp "j$i.wav.png" "alone$i.wav.png" || fail "job $i's picture is not its picture alone"
    done
}

@test "an editor that crashes as it draws one job's values fails that job alone: the pictures drawn beside it are drawn again" {
    # The crash-drawing editor dies as it draws a level of 1: in the
    # worker, as the earlier jobs' pictures are still drawn.
    local v lines=()
    for v in 0.1 0.2 0.3 0.4 0.5 1 0.6 0.7; do lines+=("$(level_job "l$v" "$v")"); done
    sh_run_lines "VR_TEST_SYNTH_EDITOR=crash-drawing render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 --screenshots 2>/dev/null" "${lines[@]}"
    assert_failure 1
    run jq -sc '[.[] | [(.output_path | split("/") | last), .status, .error.signal // .screenshot_width]]' <<<"$output"
    assert_output '[["l0.1.wav","ok",320],["l0.2.wav","ok",320],["l0.3.wav","ok",320],["l0.4.wav","ok",320],["l0.5.wav","ok",320],["l1.wav","error","SIGSEGV"],["l0.6.wav","ok",320],["l0.7.wav","ok",320]]'
    for v in 0.1 0.2 0.3 0.4 0.5 0.6 0.7; do
        run png "l$v.wav.png" 5,5
        assert_equal "$(jq -c '.["5,5"][0]' <<<"$output")" "$(python3 -c "print(round($v * 255))")"
    done
    [[ ! -e l1.wav.png ]] || fail "the crashed job left a picture"
}
