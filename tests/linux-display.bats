#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Linux plugins that need a display (render-one(1), "Plugins that need a
# display"; issue 65). vr-test-needs-display (tests/plugins/needs_display)
# opens the X display in its entry point and, with DISPLAY unset, prints
# "Failed to connect to the X Server." and exits 1, as a JUCE 5 VST2 does,
# taking its worker with it. render-one then loads it once more on an Xvfb
# of its own (one a run, said on stderr, gone when render-one ends) and its
# record says virtual_display; the probe cache keeps that, so a later run
# starts the Xvfb before the plugin loads; plugin-scan does the same; a
# sandbox gives it an Xvfb of its own. A plugin that loads without a
# display never starts one, and one that dies loading for another reason
# fails with its own error after that one more try. Plain pass only (the
# Makefile says why): its code is the supervisor's, which supervise_test
# runs sanitized.

load helper
load display-helper
bats_require_minimum_version 1.5.0

# As render-one names it: absolute, without "..".
PLUGIN=$(realpath "$VR_TEST_NEEDS_DISPLAY_VST2")
HOSTILE="${VR_TEST_HOSTILE_VST2:-$TESTS_DIR/../build/plugins/hostile/vr-test-hostile.so}"
: "${VR_TEST_BAD_DIR:=$TESTS_DIR/../build/plugins/bad}"

setup() {
    [[ -f "$PLUGIN" ]] || fail "not built: $PLUGIN (make test-plugins)"
    command -v Xvfb >/dev/null || fail "Xvfb is not installed (apt-get install xvfb)"
    unset DISPLAY
    # Each test's own probe cache: what one run keeps is a test of its own.
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
    cd "$BATS_TEST_TMPDIR" || exit 1
    mkdir out
}

teardown() {
    # A warm render-one a test started (render-one --warm), by its folder.
    if [[ -n "${WARM:-}" ]]; then pkill -f -- "$WARM/render-one-" || true; fi
}

# The peak and RMS of out/$1.npy's first channel over the note's 0.5 s (to
# 4 places) and its pitch in Hz (the FFT's strongest bin, 2 Hz wide).
tone() {
    /usr/bin/python3 -c "
import numpy as np, sys
a = np.load(sys.argv[1])[:24000, 0].astype(np.float64)
hz = np.argmax(np.abs(np.fft.rfft(a))) * 48000 / len(a)
print(round(float(np.abs(a).max()), 4), round(float(np.sqrt(np.mean(a * a))), 4), round(hz))" "out/$1.npy"
}

# The sine the plugin plays for note 69 at velocity 100 (README.md beside
# it): 0.25 * (100 / 127) * sin(2 pi 440 t), RMS that / sqrt(2).
TONE="0.1969 0.1392 440"

RETRY_LINE='ended its process as it loaded with no display \(it may need one\): Xvfb :([0-9]+) \(pid ([0-9]+)\) started for it; loading it again$'

@test "with DISPLAY unset, the plugin that exits without a display renders its tone on render-one's Xvfb, said in its record" {
    jobs_of "$PLUGIN" a >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -c '[.status, .virtual_display, .attempts]' <<<"$output")" '["ok",true,2]'
    assert_equal "$(tone a)" "$TONE"
    # Its first load had no display (the plugin's own words), its second an
    # Xvfb render-one started, named on stderr and gone after render-one.
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$(grep -c '^Failed to connect to the X Server\.$' <<<"$stderr")" 1
    assert_equal "$(grep -cE "^render-one: $PLUGIN $RETRY_LINE" <<<"$stderr")" 1
    [[ "$(grep -E "$RETRY_LINE" <<<"$stderr")" =~ $RETRY_LINE ]]
    assert_xvfb_gone "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}

@test "without an Xvfb to start, the job fails with the plugin's exit and why no display was given (so the test above can fail)" {
    jobs_of "$PLUGIN" a >jobs.ndjson
    bin_without_xvfb bin
    PATH="$VR_BIN:$PWD/bin" run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_failure 1
    assert_equal "$(jq -c '[.status, .virtual_display, .attempts]' <<<"$output")" '["error",null,1]'
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "the plugin ended the render process (exit status 1); if it needs a display: Xvfb is not installed and there is no display: apt-get install xvfb"
    [ ! -e out/a.npy ] || fail "a failed job left its output"
}

@test "a batch starts one Xvfb for the plugin's jobs, which all get it; a plugin that needs none gets no field" {
    { jobs_of "$PLUGIN" a b; jobs_of "$HOSTILE" h; jobs_of "$PLUGIN" c; } >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map([.status, .virtual_display, .attempts])' <<<"$output")" \
        '[["ok",true,2],["ok",true,1],["ok",null,1],["ok",true,1]]'
    # One Xvfb started (its one event on stderr), one death of a worker.
    assert_equal "$(grep -c 'Xvfb' <<<"$stderr")" 1
    assert_equal "$(grep -c '^Failed to connect to the X Server\.$' <<<"$stderr")" 1
    assert_equal "$(tone a)" "$TONE"
    assert_equal "$(npy_diff out/a.npy out/b.npy)" "0.0 0"
    assert_equal "$(npy_diff out/a.npy out/c.npy)" "0.0 0"
    assert_equal "$(npy_diff out/a.npy out/h.npy)" "0.0 0"  # hostile's sine is the same
}

@test "--list-programs and --export-programs list the plugin's program on render-one's Xvfb; without Xvfb, an error record" {
    run --separate-stderr render-one --plugin "$PLUGIN" --list-programs
    assert_success
    assert_equal "$(jq -c '[.program_index, .preset_name]' <<<"$output")" '[0,"Init"]'
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$(grep -c '^Failed to connect to the X Server\.$' <<<"$stderr")" 1
    [[ "$(grep -E "$RETRY_LINE" <<<"$stderr")" =~ $RETRY_LINE ]] || fail "no retry said: $stderr"
    assert_xvfb_gone "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    run --separate-stderr render-one --plugin "$PLUGIN" --export-programs progs
    assert_success
    assert_equal "$(jq -r .preset_format <<<"$output")" fxp
    [[ -s progs/Init.fxp ]] || fail "no Init.fxp written"
    # A plugin that needs none lists its programs with no Xvfb; with no Xvfb
    # to start, the plugin's end is an error record.
    run --separate-stderr render-one --plugin "$HOSTILE" --list-programs
    assert_success
    run grep -c Xvfb <<<"$stderr"
    assert_output 0
    bin_without_xvfb bin
    PATH="$VR_BIN:$PWD/bin" run --separate-stderr render-one --plugin "$PLUGIN" --list-programs
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "the plugin ended the process as it loaded (exit status 1); if it needs a display: Xvfb is not installed and there is no display: apt-get install xvfb"
}

@test "a plugin that loads without a display never starts an Xvfb" {
    jobs_of "$HOSTILE" a b >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map([.status, .virtual_display, .attempts])' <<<"$output")" '[["ok",null,1],["ok",null,1]]'
    run grep -c Xvfb <<<"$stderr"
    assert_output 0
    assert_equal "$(tone a)" "$TONE"
}

@test "the probe cache keeps the need: a later run starts the Xvfb before the plugin loads; --no-cache reads and writes none of it" {
    jobs_of "$PLUGIN" first >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -c '[.virtual_display, .attempts]' <<<"$output")" '[true,2]'
    # The next run: its first load has the display, no worker dies.
    jobs_of "$PLUGIN" second >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -c '[.status, .virtual_display, .attempts]' <<<"$output")" '["ok",true,1]'
    local line="^render-one: Xvfb :([0-9]+) \(pid ([0-9]+)\) started for $PLUGIN, which needs a display \(the probe cache says so\)$"
    assert_equal "$(grep -c Xvfb <<<"$stderr")" 1
    [[ "$(grep Xvfb <<<"$stderr")" =~ $line ]] || fail "not the cache's start: $stderr"
    run grep -c 'Failed to connect' <<<"$stderr"
    assert_output 0
    assert_xvfb_gone "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    assert_equal "$(npy_diff out/first.npy out/second.npy)" "0.0 0"
    # --no-cache takes nothing from it: the worker dies first again.
    jobs_of "$PLUGIN" third >jobs.ndjson
    run --separate-stderr render-one --no-cache --output-root out <jobs.ndjson
    assert_equal "$(jq -c '[.status, .virtual_display, .attempts]' <<<"$output")" '["ok",true,2]'
    # ...and keeps nothing: a run with a new cache after it learns anew.
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache2"
    run --separate-stderr render-one --no-cache --output-root out <jobs.ndjson
    assert_success
    [ ! -e "$XDG_CACHE_HOME" ] || fail "--no-cache wrote $(find "$XDG_CACHE_HOME")"
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_equal "$(jq -c '[.status, .virtual_display, .attempts]' <<<"$output")" '["ok",true,2]'
}

@test "plugin-scan describes the plugin, loaded on an Xvfb of its own, and its record says so" {
    local dir
    dir=$(dirname "$PLUGIN")
    run --separate-stderr plugin-scan "$dir"
    assert_success
    assert_equal "$(jq -c '[has("error"), .plugin_name, .plugin_id, .plugin_vendor, .virtual_display]' <<<"$output")" \
        '[false,"vr-test-needs-display","VrNd","vst-render",true]'
    local line="^plugin-scan: $PLUGIN $RETRY_LINE"
    assert_equal "$(grep -c Xvfb <<<"$stderr")" 1
    [[ "$(grep Xvfb <<<"$stderr")" =~ $line ]] || fail "no Xvfb said: $stderr"
    assert_xvfb_gone "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    # Without an Xvfb to start, the record has the plugin's exit (so the
    # test can fail).
    bin_without_xvfb bin
    PATH="$VR_BIN:$PWD/bin" run --separate-stderr plugin-scan "$dir"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .virtual_display]' <<<"$output")" '["error",null]'
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "the plugin ended the render process (exit status 1); if it needs a display: Xvfb is not installed and there is no display: apt-get install xvfb"
}

@test "in the sandbox the plugin gets an Xvfb of the sandbox's own, and renders the same" {
    MORE='{"sandbox": true}' jobs_of "$PLUGIN" boxed >jobs.ndjson
    jobs_of "$PLUGIN" free >>jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    # The sandboxed job's worker died first; the plugin's next job, out of
    # the sandbox, gets the supervisor's Xvfb before it loads.
    assert_equal "$(jq -sc 'map([.status, .sandbox, .virtual_display, .attempts])' <<<"$output")" \
        '[["ok",true,true,2],["ok",null,true,1]]'
    assert_equal "$(tone boxed)" "$TONE"
    assert_equal "$(npy_diff out/free.npy out/boxed.npy)" "0.0 0"
    # Two Xvfbs: the sandbox's (which never sees the other), and the
    # supervisor's, for the unsandboxed worker.
    assert_equal "$(grep -c Xvfb <<<"$stderr")" 3
    assert_equal "$(grep -cE "^render-one: $PLUGIN ended its process as it loaded with no display \(it may need one\): loading it again in its sandbox, on an Xvfb of the sandbox's own$" <<<"$stderr")" 1
    assert_equal "$(grep -cE '^render-one: Xvfb :[0-9]+ \(pid [0-9]+\) started in the sandbox for the plugins that need a display$' <<<"$stderr")" 1
    assert_equal "$(grep -cE "^render-one: Xvfb :[0-9]+ \(pid [0-9]+\) started for $PLUGIN, which needs a display \(its load ended a worker before\)$" <<<"$stderr")" 1
}

@test "a plugin that dies loading for another reason fails with its own error after one more try; SIGKILL gets none" {
    run --separate-stderr render-one --plugin "$VR_TEST_BAD_DIR/crash-on-load.so" -o out/a.npy --duration 0.1 --tail 0
    assert_failure 1
    assert_equal "$(jq -c '[.error.message, .error.signal, .attempts, .virtual_display]' <<<"$output")" \
        '["the plugin crashed (signal SIGSEGV)","SIGSEGV",2,null]'
    assert_equal "$(grep -c Xvfb <<<"$stderr")" 1
    # --retries follow that try, without the display.
    run --separate-stderr render-one --plugin "$VR_TEST_BAD_DIR/crash-on-load.so" -o out/a.npy --duration 0.1 --tail 0 \
        --retries 1
    assert_equal "$(jq -c '[.error.message, .attempts]' <<<"$output")" '["the plugin crashed (signal SIGSEGV)",3]'
    # A worker killed by SIGKILL as the plugin loads is never taken for one
    # that wants a display.
    jobs_of "$PLUGIN" a >jobs.ndjson
    VR_TEST_NEEDS_DISPLAY_SIGKILL=1 run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_failure 1
    assert_equal "$(jq -c '[.error.message, .error.signal, .attempts]' <<<"$output")" \
        '["the render process was killed (signal SIGKILL; out of memory?)","SIGKILL",1]'
    run grep -c Xvfb <<<"$stderr"
    assert_output 0
}

@test "with DISPLAY set, a death at load is the job's error: no Xvfb, no second try" {
    jobs_of "$PLUGIN" a >jobs.ndjson
    # A display that is not there: the plugin exits as without one.
    DISPLAY=:99999 run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_failure 1
    assert_equal "$(jq -c '[.error.message, .attempts, .virtual_display]' <<<"$output")" \
        '["the plugin ended the render process (exit status 1)",1,null]'
    run grep -c Xvfb <<<"$stderr"
    assert_output 0
}

@test "a warm render-one's session hands the worker it made ahead the display before the plugin loads" {
    export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    WARM="$XDG_RUNTIME_DIR/vst-render"
    # The need, learnt by a run of its own and kept in the probe cache.
    jobs_of "$PLUGIN" learnt >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_equal "$(jq -c '[.virtual_display, .attempts]' <<<"$output")" '[true,2]'
    # A warm render-one warmed up on a plugin that needs no display (its
    # warm-up job writes beside its socket: no --output-root); its sessions
    # make their workers ahead, before any Xvfb.
    local warm=(--warm 60 --plugin "$HOSTILE")
    jobs_of "$HOSTILE" cold >jobs.ndjson
    run --separate-stderr render-one "${warm[@]}" <jobs.ndjson
    assert_success
    local _
    for _ in $(seq 600); do
        if [ "$(find "$WARM" -name 'render-one-*.sock' 2>/dev/null | wc -l)" -ge 1 ]; then break; fi
        sleep 0.05
    done
    [ "$(find "$WARM" -name 'render-one-*.sock' | wc -l)" -ge 1 ] || fail "no warm render-one came up in $WARM"
    # A session's job of the plugin: its worker, made ahead, loads it on
    # the Xvfb the session started, at the first try.
    jobs_of "$PLUGIN" warm >jobs.ndjson
    run --separate-stderr render-one "${warm[@]}" <jobs.ndjson
    assert_success
    assert_equal "$(jq -c '[.status, .warm_process, .virtual_display, .attempts]' <<<"$output")" '["ok",true,true,1]'
    assert_equal "$(tone warm)" "$TONE"
    local line="^render-one: Xvfb :([0-9]+) \(pid ([0-9]+)\) started for $PLUGIN, which needs a display \(the probe cache says so\)$"
    assert_equal "$(grep -c Xvfb <<<"$stderr")" 1
    [[ "$(grep Xvfb <<<"$stderr")" =~ $line ]] || fail "not the cache's start: $stderr"
    assert_xvfb_gone "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}
