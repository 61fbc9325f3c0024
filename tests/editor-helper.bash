# SPDX-License-Identifier: GPL-3.0-or-later
# For the suites that drive a plugin's editor on a display standing for the
# user's (edit.bats, windows-editor.bats): an Xvfb of the file's own, and
# the window `render-one --edit` shows. The test synth's editor draws its
# level as a grey (tests/plugins/README.md, "Editor").

# Starts an Xvfb on a number no other X server holds (render-one's own
# start at 10) and exports DISPLAY; its pid in $BATS_FILE_TMPDIR/xvfb.pid.
start_user_display() {
    command -v Xvfb >/dev/null || fail "Xvfb is not installed (apt-get install xvfb)"
    command -v xdotool >/dev/null || fail "xdotool is not installed (apt-get install xdotool)"
    local n=200
    while [[ -e /tmp/.X$n-lock || -e /tmp/.X11-unix/X$n ]]; do n=$((n + 1)); done
    Xvfb ":$n" -nolisten tcp -screen 0 1280x1024x24 >"$BATS_FILE_TMPDIR/xvfb.log" 2>&1 &
    echo $! >"$BATS_FILE_TMPDIR/xvfb.pid"
    # It takes clients once its socket is there.
    until [[ -S /tmp/.X11-unix/X$n ]]; do
        [[ "$(cut -d' ' -f3 "/proc/$!/stat" 2>/dev/null)" =~ ^[RSD]$ ]] ||
            fail "Xvfb :$n ended before it took clients: $(cat "$BATS_FILE_TMPDIR/xvfb.log")"
    done
    export DISPLAY=:$n
}

stop_user_display() {
    kill "$(cat "$BATS_FILE_TMPDIR/xvfb.pid")" 2>/dev/null || true
}

win() { /usr/bin/python3 "$TESTS_DIR/x11_window.py" "$@"; }

# The window that render-one --edit (pid $2) shows, printed once the
# plugin drew the level whose grey is $1 (0.2: 51) in it; status 1 when
# render-one ends first, or after 60 s. xdotool search walks the window
# tree, and Xlib ends it on an X error when a window goes as it walks
# (BadWindow in X_QueryTree: wine makes and drops windows as its editor
# opens), so each search that finds nothing is made again.
edit_window() {
    local w=
    for _ in $(seq 6000); do
        w=$(xdotool search --onlyvisible --name ' \(render-one --edit\)$' 2>/dev/null | head -1)
        [[ -z "$w" ]] || break
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.01
    done
    [[ -n "$w" ]] && win until "$w" 5 5 "$1,$1,$1" >/dev/null && echo "$w"
}

# Moves the slider of the test synth's editor in window $1 from the level
# whose grey is $2 to a higher one (a click on its right part: the
# editor's top left is the window's), waits until that is drawn, and
# closes the window.
raise_level_and_close() {
    xdotool mousemove --window "$1" 250 132 click 1
    run win until-not "$1" 5 5 "$2,$2,$2"
    assert_success
    run win close "$1"
    assert_success
}

# The test synth's job at level 0.2 (a grey of 51) writing $1.
low_job() { jq -nc --arg o "$1" '{output_path: $o, set_params: {level: 0.2}}'; }

# With the test synth $1 (a format's build): its job at level 0.2 rendered
# as $2-job.wav, then with --edit as $2-edited.wav, the level raised in its
# window and the window closed, the state saved to $2.state and, when $3
# names a file, the program as a preset there. Then the edited render must
# be the bytes of the job with set_params of the new level, of the saved
# state, and of the saved preset as preset-scan reads it back; not the
# job's.
edit_and_check() {
    local synth=$1 name=$2 preset=${3:-} w level pid
    local -a save=(--save-state "$name.state")
    [[ -z $preset ]] || save+=(--save-preset "$preset")
    render-one --plugin "$synth" --duration 0.2 --tail 0 --job "$(low_job "$name-job.wav")" >/dev/null 2>&1
    render-one --plugin "$synth" --duration 0.2 --tail 0 --job "$(low_job "$name-edited.wav")" --edit --params \
        "${save[@]}" >edited.json 2>edited.err &
    pid=$!
    w=$(edit_window 51 "$pid") || fail "$name: no window titled '... (render-one --edit)' showed: $(cat edited.err)"
    raise_level_and_close "$w" 51
    wait "$pid" || fail "$name: render-one --edit ended with $?: $(cat edited.err)"
    assert_equal "$(jq -c '[.status, .edited, .isolation]' edited.json)" '["ok",true,"fresh"]'
    level=$(jq '.params[] | select(.name == "level") | .value' edited.json)
    assert_equal "$(jq -n "$level > 0.6 and $level < 1")" true
    render-one --plugin "$synth" --duration 0.2 --tail 0 --job \
        "$(jq -nc --arg o "$name-set.wav" --argjson v "$level" '{output_path: $o, set_params: {level: $v}}')" \
        >/dev/null 2>&1
    cmp "$name-edited.wav" "$name-set.wav"
    render-one --plugin "$synth" --duration 0.2 --tail 0 --state "$name.state" -o "$name-state.wav" >/dev/null 2>&1
    cmp "$name-edited.wav" "$name-state.wav"
    if [[ -n $preset ]]; then
        run preset-scan "$preset"
        assert_success
        # shellcheck disable=SC2154 # $output is set by bats' run
        jq -c --arg o "$name-preset.wav" '{preset_path, output_path: $o}' <<<"$output" |
            render-one --plugin "$synth" --duration 0.2 --tail 0 >/dev/null 2>&1
        cmp "$name-edited.wav" "$name-preset.wav"
    fi
    run cmp -s "$name-edited.wav" "$name-job.wav"
    assert_failure 1
}
