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

# The window --edit shows, printed once the plugin drew the level whose
# grey is $1 (0.2: 51) in it.
edit_window() {
    local w
    w=$(timeout 60 xdotool search --sync --onlyvisible --name ' \(render-one --edit\)$' | head -1)
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
