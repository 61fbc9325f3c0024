#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A display for Windows plugins that need a window (render-one(1), issue
# 30): with DISPLAY unset, a plugin whose window wine cannot make without
# X (tests/plugins/windows, needs-window.dll) fails its first load; the
# worker starts one Xvfb then, starts the prefix's wine session again with
# it (wine picks a session's display as the session starts), says so on
# stderr and loads the plugin again, and every later Windows worker of the
# run has it; it is gone when render-one has exited. A plugin that needs no
# window never starts one; a session render-one may not restart is said.
# In the sandbox the Xvfb is the sandbox's own. Plain pass only.

load helper
load display-helper
bats_require_minimum_version 1.5.0

setup() {
    require_wine
    [[ -f "$VR_WIN_NEEDS_WINDOW_VST2" ]] || fail "not built: $VR_WIN_NEEDS_WINDOW_VST2 (make test-plugins)"
    command -v Xvfb >/dev/null || fail "Xvfb is not installed (apt-get install xvfb)"
    unset DISPLAY
    cd "$BATS_TEST_TMPDIR" || exit 1
    mkdir out
}

teardown() {
    # A server a test started by hand (with descriptor 3 closed: bats's
    # output, tests/setup_suite.bash) goes with the test, passed or failed.
    if [[ -n "${started_server:-}" ]] && wineserver -k0 2>/dev/null; then
        wineserver -k
        wineserver -w
    fi
}

# The peak of out/$1.npy, to 4 places.
peak() {
    /usr/bin/python3 -c "import numpy as np, sys; print(round(float(np.abs(np.load(sys.argv[1])).max()), 4))" "out/$1.npy"
}

XVFB_LINE='^render-one: .*needs-window\.dll did not load with no display \(it may need a window\): Xvfb :([0-9]+) \(pid ([0-9]+)\) started for the Windows plugins from now on; loading it again$'

@test "a Windows plugin that needs a window renders with no DISPLAY: one Xvfb, said on stderr, gone after render-one" {
    jobs_of "$VR_WIN_NEEDS_WINDOW_VST2" a b >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map(.status)' <<<"$output")" '["ok","ok"]'
    # It sounds (the window opened), and the same in both jobs.
    assert_equal "$(peak a)" 0.1969
    assert_equal "$(npy_diff out/a.npy out/b.npy)" "0.0 0"
    # One Xvfb for the run, named on stderr; after render-one, neither it
    # nor its socket is left.
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$(grep -cE "$XVFB_LINE" <<<"$stderr")" 1
    [[ "$(grep -E "$XVFB_LINE" <<<"$stderr")" =~ $XVFB_LINE ]]
    assert_xvfb_gone "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}

@test "without a display to be had, the plugin that needs a window fails to load (so the test above can fail)" {
    jobs_of "$VR_WIN_NEEDS_WINDOW_VST2" a >jobs.ndjson
    bin_without_xvfb bin
    PATH="$VR_BIN:$PWD/bin" run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_failure 1
    local dll
    dll="Z:$(realpath "$VR_WIN_NEEDS_WINDOW_VST2" | tr / "\\\\")"
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "cannot load plugin $dll: not a vst2 plugin JUCE can open; if it needs a window: a Windows plugin needs a window and there is no display: apt-get install xvfb"
}

@test "a wine session that ran before render-one, without a display, is not restarted: the job says how to render it" {
    jobs_of "$VR_WIN_NEEDS_WINDOW_VST2" a >jobs.ndjson
    wineserver -p 3>&-
    started_server=1
    WINEDEBUG=-all wine cmd /c exit </dev/null >/dev/null 2>&1 3>&-
    run --separate-stderr render-one --output-root out <jobs.ndjson
    wineserver -k
    wineserver -w
    assert_failure 1
    local dll
    dll="Z:$(realpath "$VR_WIN_NEEDS_WINDOW_VST2" | tr / "\\\\")"
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "cannot load plugin $dll: not a vst2 plugin JUCE can open; if it needs a window: the wine session of $(realpath "$WINEPREFIX") started without a display, and render-one cannot start it again (other render-ones use it, or it ran before): render it with --sandbox (a sandbox's wine session is its own), or with DISPLAY set"
    run grep -c Xvfb <<<"$stderr"
    assert_output 0
}

@test "a Windows plugin that needs no window never starts an Xvfb" {
    { jobs_of "$VR_WIN_SYNTH_VST2" a; jobs_of "$VR_WIN_HANG_VST2" b; } >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map(.status)' <<<"$output")" '["ok","ok"]'
    assert_equal "$(peak a)" 0.3937
    run grep -c Xvfb <<<"$stderr"
    assert_output 0
}

@test "in the sandbox the plugin that needs a window gets an Xvfb of the sandbox's own, and renders the same" {
    jobs_of "$VR_WIN_NEEDS_WINDOW_VST2" free >jobs.ndjson
    MORE='{"sandbox": true}' jobs_of "$VR_WIN_NEEDS_WINDOW_VST2" boxed >>jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map([.status, .sandbox])' <<<"$output")" '[["ok",null],["ok",true]]'
    assert_equal "$(npy_diff out/free.npy out/boxed.npy)" "0.0 0"
    # Two: the unsandboxed worker's, and the sandbox's (which never sees the other).
    assert_equal "$(grep -cE "$XVFB_LINE" <<<"$stderr")" 2
}
