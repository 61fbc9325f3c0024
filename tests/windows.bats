#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Windows plugins through the Windows worker under wine (issue 30): the
# test synth and the DPF synth built for Windows render as their Linux
# builds do; records say where a plugin ran; what cannot load says why.
# The scratch prefix is made once per run (tests/with-wine-prefix). Plain
# pass only: the sanitized pass runs tests/windows-faults.bats.

load helper
bats_require_minimum_version 1.5.0

# The prefix's server is kept up (require_wine warm) but for the tests of
# its life, which start with none running (require_wine).
setup() {
    require_wine warm
    cd "$BATS_TEST_TMPDIR" || exit 1
}

teardown() {
    # A server a test started by hand (with descriptor 3 closed: bats's
    # output, tests/setup_suite.bash) goes with the test, passed or failed.
    if [[ -n "${started_server:-}" ]] && wineserver -k0 2>/dev/null; then
        wineserver -k
        wineserver -w
    fi
}

# Renders one note of plugin $1 into $2 (float32 .npy), with more options after.
render_npy() {
    local plugin="$1" out="$2"
    shift 2
    render-one --plugin "$plugin" -o "$out" --note 69 --duration 0.5 --tail 0.5 "$@"
}

@test "the test synth's Windows VST2 and VST3 render the Linux build's samples within 1e-5" {
    run --separate-stderr render_npy "$VR_TEST_SYNTH_VST2" linux.npy
    assert_success
    run --separate-stderr render_npy "$VR_WIN_SYNTH_VST2" win2.npy
    assert_success
    assert_equal "$(jq -r .plugin_platform <<<"$output")" windows-x86_64
    run --separate-stderr render_npy "$VR_WIN_SYNTH_VST3" win3.npy
    assert_success
    assert_equal "$(jq -r .plugin_format <<<"$output")" vst3
    read -r max _ < <(npy_diff linux.npy win2.npy)
    /usr/bin/python3 -c "import sys; assert float(sys.argv[1]) <= 1e-5, sys.argv[1]" "$max"
    assert_equal "$(npy_diff win2.npy win3.npy)" "0.0 0"
    # And it sounds: a silent render would pass the comparisons.
    run /usr/bin/python3 -c "import numpy as np; a = np.load('win2.npy'); print(round(float(np.abs(a).max()), 4))"
    assert_output 0.3937
}

@test "a Windows VST3 is made once to render a job, no throwaway instance to describe it; the record names it as plugin-scan does" {
    # 2 made at 4f8dc22, before f47ecb1 (host/vst3_classes: the class list of the
    # module's factory names the class, not an instance of JUCE's scan).
    # The plugin writes through wine: Z: is the root of the Linux tree.
    # --no-cache: with none kept, a first job's worker probes after it for
    # the next process, making instances of its own.
    VR_TEST_SYNTH_COUNT_MADE="Z:$BATS_TEST_TMPDIR/made" run --separate-stderr \
        render_npy "$VR_WIN_SYNTH_VST3" once.npy --isolation process --no-cache
    assert_success
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/made")" 1
    record=$output
    run /usr/bin/python3 -c "import numpy as np; a = np.load('once.npy'); print(round(float(np.abs(a).max()), 4))"
    assert_output 0.3937
    run --separate-stderr plugin-scan "$VR_WIN_SYNTH_VST3"
    assert_success
    for field in plugin_name plugin_id plugin_version plugin_format; do
        assert_equal "$(jq -r ".$field" <<<"$record")" "$(jq -r ".$field" <<<"$output")"
    done
}

@test "a worker that ends frees its last Windows instance outside the instance's context: its destructor reads the real clock" {
    # At 7ec1518 the Windows worker destroyed it inside, on the virtual
    # clock: both processes' destructors read 10034500020.
    assert_last_instance_destroyed_on_real_clock "$VR_WIN_SYNTH_VST3" Z:
}

@test "the DPF synth (no libm in its sound) is bit for bit the same on Linux and under wine, VST2 and VST3" {
    run --separate-stderr render_npy "$VR_DPF_VST2" linux.npy
    assert_success
    run --separate-stderr render_npy "$VR_WIN_DPF_VST2" win2.npy
    assert_success
    run --separate-stderr render_npy "$VR_WIN_DPF_VST3" win3.npy
    assert_success
    assert_equal "$(npy_diff linux.npy win2.npy)" "0.0 0"
    assert_equal "$(npy_diff win2.npy win3.npy)" "0.0 0"
    run /usr/bin/python3 -c "import numpy as np; print(float(np.abs(np.load('win3.npy')).max()) > 0.1)"
    assert_output True
}

@test "a record says where the plugin ran and which wine ran it; a Linux plugin's says linux-x86_64" {
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" -o w.wav
    assert_success
    assert_equal "$(jq -r .plugin_platform <<<"$output")" windows-x86_64
    assert_equal "$(jq -r .wine_version <<<"$output")" "$(WINEDEBUG=-all wine --version)"
    assert_equal "$(jq -r .plugin_id <<<"$output")" Vrts
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST2" -o l.wav
    assert_success
    assert_equal "$(jq -c '[.plugin_platform, has("wine_version")]' <<<"$output")" '["linux-x86_64",false]'
}

@test "a batch goes on past a Windows plugin that hangs: its job fails at --timeout, the others render" {
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' '{"note":100,"output_path":"b.npy"}' \
        '{"note":64,"output_path":"c.npy"}' >jobs.ndjson
    run --separate-stderr render-one --plugin "$VR_WIN_HANG_VST2" --timeout 5 <jobs.ndjson
    assert_failure 1
    assert_equal "$(jq -rc '[.output_path, .status] | join(" ")' <<<"$output" | sort | paste -sd,)" \
        "a.npy ok,b.npy error,c.npy ok"
    assert_equal "$(jq -r 'select(.output_path == "b.npy") | .error.message' <<<"$output")" "timeout after 5.0 s"
    run /usr/bin/python3 -c "import numpy as np; print(float(np.abs(np.load('c.npy')).max()) > 0.01)"
    assert_output True
}

@test "what keeps a Windows plugin from loading is said: 32-bit, no entry point, imports the prefix lacks" {
    run --separate-stderr render-one --plugin "$VR_WIN32_VST2" -o x.wav
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "cannot load plugin $(realpath "$VR_WIN32_VST2"): 32-bit Windows plugin; only 64-bit plugins are hosted"
    run --separate-stderr render-one --plugin "$VR_WIN_NO_ENTRY_DLL" -o x.wav
    assert_failure 1
    jq -e '.error.message | test("neither VSTPluginMain or main \\(VST2\\) nor GetPluginFactory")' <<<"$output"
    run --separate-stderr render-one --plugin "$VR_WIN_NEEDS_MFC_VST2" -o x.wav
    assert_failure 1
    jq -e '.error.message | test("needs MFC140U.dll, not in this prefix \\(the Visual C\\+\\+ runtime\\)")' <<<"$output"
    # wine 8 ships the Visual C++ runtime DLLs themselves: that plugin loads.
    run --separate-stderr render-one --plugin "$VR_WIN_NEEDS_MSVC_VST2" -o y.wav
    assert_success
}

@test "no wine, no Windows worker, no prefix: the job fails saying what to do, the batch goes on" {
    mkdir bin
    ln -s "$(command -v jq)" bin/jq
    printf '%s\n' "{\"plugin_path\":\"$VR_WIN_SYNTH_VST2\",\"output_path\":\"w.wav\"}" \
        "{\"plugin_path\":\"$VR_TEST_SYNTH_VST2\",\"output_path\":\"l.wav\"}" >jobs.ndjson
    run --separate-stderr env PATH="$PWD/bin" "$VR_BIN/render-one" <jobs.ndjson
    assert_failure 1
    assert_equal "$(jq -rc '[.output_path, .status, .error.message // ""] | join(" ")' <<<"$output")" \
        "w.wav error a Windows plugin needs wine: apt-get install wine wine64
l.wav ok "
    run --separate-stderr env VR_WIN_WORKER="$PWD/nothing.exe" render-one --plugin "$VR_WIN_SYNTH_VST2" -o w.wav
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" "VR_WIN_WORKER names $PWD/nothing.exe, which is not there"
    run --separate-stderr env WINEPREFIX="$PWD/no-prefix" render-one --plugin "$VR_WIN_SYNTH_VST2" -o w.wav
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "no wine prefix at $PWD/no-prefix: make one with WINEPREFIX=$PWD/no-prefix wineboot"
}

@test "isolation: fork is refused for a Windows plugin naming process; process, restore and fresh give reset's samples" {
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --isolation fork -o f.wav
    assert_failure 1
    jq -e '.error.message | test("isolation process")' <<<"$output"
    for mode in reset fresh restore process; do
        printf '%s\n' '{"note":60,"output_path":"'$mode'1.npy"}' '{"note":67,"output_path":"'$mode'2.npy"}' >jobs.ndjson
        run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --isolation "$mode" <jobs.ndjson
        assert_success
        assert_equal "$(jq -r .isolation <<<"$output" | sort -u)" "$mode"
    done
    assert_equal "$(npy_diff reset2.npy fresh2.npy)" "0.0 0"
    assert_equal "$(npy_diff reset2.npy process2.npy)" "0.0 0"
    assert_equal "$(npy_diff reset2.npy restore2.npy)" "0.0 0"
}

@test "a warm Windows worker, its large blocks and message buffers kept from job to job, writes a worker per job's bytes" {
    # Lengths that grow and shrink, so that kept blocks are reused for
    # shorter and longer audio than they first held.
    for mode in reset process; do
        note=45
        for d in 0.3 1.5 0.2 0.9 2.5 0.4; do
            note=$((note + 5))
            echo "{\"note\":$note,\"duration_s\":$d,\"tail_s\":0.5,\"output_path\":\"$mode-$d.wav\"}"
        done >"$mode.ndjson"
        run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --isolation "$mode" <"$mode.ndjson"
        assert_success
        assert_equal "$(jq -r '.status + " " + .isolation' <<<"$output" | sort -u)" "ok $mode"
    done
    for d in 0.3 1.5 0.2 0.9 2.5 0.4; do
        cmp "reset-$d.wav" "process-$d.wav" || fail "$d s: the warm worker's file differs from a fresh worker's"
    done
    run "$VR_BIN/../tests/audio-probe" reset-2.5.wav
    assert_success
    assert_output --partial '"frames":144000,'
}

@test "a Windows plugin with history renders each job as if it came first, in any order (the probe picks)" {
    printf '%s\n' '{"note":60,"output_path":"a.npy","set_params":{"history":1}}' \
        '{"note":64,"output_path":"b.npy","set_params":{"history":1}}' >ab
    printf '%s\n' '{"note":64,"output_path":"b2.npy","set_params":{"history":1}}' \
        '{"note":60,"output_path":"a2.npy","set_params":{"history":1}}' >ba
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" <ab
    assert_success
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" <ba
    assert_success
    assert_equal "$(npy_diff a.npy a2.npy)" "0.0 0"
    assert_equal "$(npy_diff b.npy b2.npy)" "0.0 0"
}

# Jobs that set parameters each get a new instance (a Windows plugin has no
# fork): each played the full warm-up (a note and a 3 s tail) before the
# probe searched for a shorter one, as on Linux, with new instances where
# Linux forks (worker/windows_probe.cpp). The search makes three instances
# for a plugin that needs none (the full warm-up's reference, then the
# untouched try's two renders, both equal); the jobs' instances play none,
# and render the bytes a fully warmed instance renders (--isolation fresh,
# no probe). (Without the search the counts are equal: checked.) The
# Serum stand-ins, which do need a warm-up, are in serum-windows.bats.
@test "the probe finds a Windows plugin that needs no warm-up: new instances render a fully warmed one's bytes" {
    for i in 1 2 3 4 5 6; do
        printf '{"note":%d,"output_path":"%s.npy","set_params":{"level":0.%d}}\n' $((55 + i)) "$i" "$i"
    done >jobs.ndjson
    mkdir auto fresh
    for mode in auto fresh; do
        # --no-cache: a verdict kept by an earlier test would spare auto its probe.
        (cd "$mode" && VR_TEST_SYNTH_COUNT_MADE="Z:$BATS_TEST_TMPDIR/made-$mode" \
            render-one --plugin "$VR_WIN_SYNTH_VST3" --isolation "$mode" --no-cache <../jobs.ndjson >records 2>err) ||
            fail "$mode: $(cat "$mode/err")"
        assert_equal "$(jq -r '.status + " " + .isolation' "$mode/records" | sort | uniq -c | tr -s ' ')" " 6 ok fresh"
    done
    for i in 1 2 3 4 5 6; do
        assert_equal "$(npy_diff "auto/$i.npy" "fresh/$i.npy")" "0.0 0"
    done
    assert_equal "$(jq -c '.peak_dbfs > -40' auto/records | sort -u)" true
    assert_equal "$(($(wc -l <made-auto) - $(wc -l <made-fresh)))" 3
}

@test "a chain mixes platforms: a Windows synth into a Linux effect, a Linux synth into a Windows effect" {
    # The chain's audio equals its stages rendered one at a time through float32 files.
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" -o dry.npy --note 60 --duration 0.3 --tail 0.2
    assert_success
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_LV2_EFFECT" --input dry.npy --tail 0.2 -o wet.npy
    assert_success
    jobs='{"output_path":"chain.npy","note":60,"duration_s":0.3,"tail_s":0.2,"chain":[{"plugin_path":"'$VR_WIN_SYNTH_VST2'"},{"plugin_path":"'$VR_TEST_SYNTH_LV2_EFFECT'"}]}'
    run --separate-stderr render-one <<<"$jobs"
    assert_success
    assert_equal "$(jq -c '[.chain[].plugin_platform]' <<<"$output")" '["windows-x86_64","linux-x86_64"]'
    assert_equal "$(npy_diff wet.npy chain.npy)" "0.0 0"
    # The reverse: the Windows build as an effect (VR_TEST_SYNTH_EFFECT=1 reaches it through wine).
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_LV2" -o dry2.npy --note 64 --duration 0.3 --tail 0.2
    assert_success
    run --separate-stderr env VR_TEST_SYNTH_EFFECT=1 render-one --plugin "$VR_WIN_SYNTH_VST2" --input dry2.npy --tail 0.2 -o wet2.npy
    assert_success
    jobs='{"output_path":"chain2.npy","note":64,"duration_s":0.3,"tail_s":0.2,"chain":[{"plugin_path":"'$VR_TEST_SYNTH_LV2'"},{"plugin_path":"'$VR_WIN_SYNTH_VST2'"}]}'
    run --separate-stderr env VR_TEST_SYNTH_EFFECT=1 render-one <<<"$jobs"
    assert_success
    assert_equal "$(jq -c '[.chain[].plugin_platform]' <<<"$output")" '["linux-x86_64","windows-x86_64"]'
    assert_equal "$(npy_diff wet2.npy chain2.npy)" "0.0 0"
}

@test "set_params, automation, a saved state and --list-programs work through the Windows worker" {
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" <<<'{"output_path":"quiet.npy","set_params":{"level":0.25}}'
    assert_success
    assert_equal "$(jq -r '.param_values[0]' <<<"$output")" 0.25
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST2" <<<'{"output_path":"lquiet.npy","set_params":{"level":0.25}}'
    assert_success
    read -r max _ < <(npy_diff lquiet.npy quiet.npy)
    /usr/bin/python3 -c "import sys; assert float(sys.argv[1]) <= 1e-5, sys.argv[1]" "$max"
    auto='{"output_path":"auto.npy","automation":{"level":[[0,0.1],[1,0.9]]}}'
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" <<<"$auto"
    assert_success
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST2" <<<"${auto/auto.npy/lauto.npy}"
    assert_success
    read -r max _ < <(npy_diff lauto.npy auto.npy)
    /usr/bin/python3 -c "import sys; assert float(sys.argv[1]) <= 1e-5, sys.argv[1]" "$max"
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --list-programs
    assert_success
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST2" --list-programs
    assert_success
    linux="$output"
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" --list-programs
    assert_equal "$(jq -c .program_name <<<"$output")" "$(jq -c .program_name <<<"$linux")"
}

@test "a render-one interrupted with a Windows job in flight stops the prefix's server it started" {
    require_wine
    # No server before: one that ran before any render-one is never stopped.
    run wineserver -k0
    assert_failure 1
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' >jobs.ndjson
    # The plugin hangs as it loads: the job stays in flight. It starts with
    # the default SIGINT, whatever this test's caller ignores.
    VR_WIN_FAULT_AT_LOAD=1 "${DEFAULT_SIGNALS[@]}" render-one --plugin "$VR_WIN_HANG_VST2" --timeout 600 <jobs.ndjson >results 2>/dev/null &
    local pid=$! status=0
    # In flight once its Windows worker runs.
    interrupt_once_windows_worker_runs "$pid" "the job's Windows worker never started" || status=$?
    assert_equal "$status" 130
    assert_equal "$(wc -c <results)" 0
    # The server it started went with it (-k0 fails when none runs).
    run wineserver -k0
    assert_failure 1
}

# A scheduler cancelling a task signals each of its processes, the wine
# one that runs the Windows worker too, in no set order: a Windows worker
# dead of SIGTERM ends the run by it (nothing of ours sends it that, nor
# can a Windows plugin), not the job with "the Windows worker was killed
# (signal SIGTERM)", which a resume would take for done.
@test "SIGTERM to the Windows worker alone ends the run by it: exit 143, no record for the job in flight" {
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' >jobs.ndjson
    # The plugin hangs as it loads: the job stays in flight.
    VR_WIN_FAULT_AT_LOAD=1 "${DEFAULT_SIGNALS[@]}" render-one --plugin "$VR_WIN_HANG_VST2" --timeout 120 \
        <jobs.ndjson >results 2>err &
    local pid=$! status=0 win
    win=$(await_windows_worker_of "$pid") || fail "the job's Windows worker never started"
    kill -TERM "$win"
    wait "$pid" || status=$?
    assert_equal "$status" 143
    assert_equal "$(wc -c <results)" 0
    [ ! -e a.npy ] || fail "the job in flight left a.npy"
}

@test "a render-one interrupted between jobs, waiting for its next line, stops the prefix's server it started" {
    require_wine
    run wineserver -k0
    assert_failure 1
    mkfifo feed.fifo
    "${DEFAULT_SIGNALS[@]}" render-one --plugin "$VR_WIN_SYNTH_VST2" <feed.fifo >results 2>/dev/null &
    local pid=$! status=0 feed
    exec {feed}>feed.fifo
    printf '%s\n' '{"note":60,"output_path":"a.npy"}' >&"$feed"
    # Between jobs once the first record is out (with a generous bound);
    # the input stays open: render-one waits for its next line.
    for _ in $(seq 6000); do if [ -s results ]; then break; fi; sleep 0.01; done
    [ -s results ] || fail "the first job's record never came"
    kill -INT "$pid"
    # Closed before the wait: a render-one that went on would end at the
    # input's end, never hang the test.
    exec {feed}>&-
    wait "$pid" || status=$?
    assert_equal "$status" 130
    assert_equal "$(jq -c '[.status, .peak_dbfs > -40]' results)" '["ok",true]'
    # The server it started went with it (-k0 fails when none runs).
    run wineserver -k0
    assert_failure 1
}

@test "the prefix's session is started once per server: a later render-one finds the note and starts none" {
    require_wine
    # A wine that writes down what it is asked to run, then runs it.
    mkdir bin
    printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/wine.log"\nexec "%s" "$@"\n' "$PWD" "$(command -v wine)" >bin/wine
    chmod +x bin/wine
    # A server that ran before any render-one: none of them stops it.
    wineserver -p 3>&-
    started_server=1
    for n in 1 2 3; do
        run --separate-stderr env PATH="$PWD/bin:$PATH" render-one --plugin "$VR_WIN_SYNTH_VST2" -o "s$n.npy" --note 60
        assert_success
    done
    # The first started the session (a quiet cmd /c exit); the others found its note.
    assert_equal "$(grep -c '^cmd /c exit$' wine.log)" 1
    # Another server has no note: its session is started again.
    wineserver -k
    wineserver -w
    wineserver -p 3>&-
    run --separate-stderr env PATH="$PWD/bin:$PATH" render-one --plugin "$VR_WIN_SYNTH_VST2" -o s4.npy --note 60
    assert_success
    assert_equal "$(grep -c '^cmd /c exit$' wine.log)" 2
    wineserver -k
    wineserver -w
    # The same note, the same samples, and a sound.
    assert_equal "$(npy_diff s1.npy s2.npy)" "0.0 0"
    assert_equal "$(npy_diff s1.npy s3.npy)" "0.0 0"
    assert_equal "$(npy_diff s1.npy s4.npy)" "0.0 0"
    run /usr/bin/python3 -c "import numpy as np; print(float(np.abs(np.load('s1.npy')).max()) > 0.1)"
    assert_output True
}

@test "two render-ones on one prefix under parallel -j2 both render, and no wine process is left after them" {
    require_wine
    for n in 1 2 3 4 5 6; do
        printf '{"plugin_path":"%s","note":%d,"output_path":"n%d.npy"}\n' "$VR_WIN_SYNTH_VST2" $((58 + n)) "$n"
    done >jobs.ndjson
    run --separate-stderr parallel -j2 --pipe -N3 render-one <jobs.ndjson
    assert_success
    assert_equal "$(jq -r .status <<<"$output" | sort | uniq -c | tr -s ' ')" " 6 ok"
    # The prefix's server, which the render-ones started, went with the last
    # of them (wineserver -k0 fails when no server runs for the prefix).
    run wineserver -k0
    assert_failure 1
    # And one left before them by hand is never stopped by a render-one.
    wineserver -p 3>&-
    started_server=1
    run --separate-stderr render-one --plugin "$VR_WIN_SYNTH_VST2" -o kept.npy
    assert_success
    run wineserver -k0
    assert_success
    wineserver -k
    wineserver -w
}
