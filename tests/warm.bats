#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one --warm (render-one(1), "Warm render-one"): the first run renders
# itself and starts a warm render-one; later runs of the same kind run as its
# sessions and write the same bytes; a session ends as the render-one would
# (its records, errors, exit status, an interrupt); the warm render-one ends
# after --warm's seconds without a session; another plugin binary or
# environment gets another; where it cannot be used, render-one renders
# itself.
bats_require_minimum_version 1.5.0
load helper
load warm-helper

@test "the first --warm run renders itself and starts a warm render-one; the next run in it, -o and a batch of one, with the same bytes" {
    local plugin ext n=0
    for plugin in "$NEKOBI:flac" "$AMSYNTH:wav" "$VR_DPF_VST2:wav"; do
        n=$((n + 1))
        ext=${plugin##*:} plugin=${plugin%:*}
        rm -rf "$OUT" && mkdir -p "$OUT"
        render-one -p "$plugin" -o "$OUT/cold.$ext" "${FLAGS[@]}" >/dev/null 2>&1
        run --separate-stderr render-one --warm 60 -p "$plugin" -o "$OUT/first.$ext" "${FLAGS[@]}"
        assert_success
        assert_equal "$(jq -c .warm_process <<<"$output")" null
        await_warm "$n"
        run --separate-stderr render-one --warm 60 -p "$plugin" -o "$OUT/warm.$ext" "${FLAGS[@]}"
        assert_success
        assert_equal "$(jq -c '[.status, .warm_process, .output_path]' <<<"$output")" "[\"ok\",true,\"$OUT/warm.$ext\"]"
        run --separate-stderr render-one --warm 60 -p "$plugin" "${FLAGS[@]}" <<<"{\"output_path\":\"$OUT/batch.$ext\"}"
        assert_success
        assert_equal "$(jq -c '[.status, .warm_process]' <<<"$output")" '["ok",true]'
        for f in first warm batch; do cmp "$OUT/cold.$ext" "$OUT/$f.$ext"; done
        "$VR_BIN/../tests/audio-probe" "$OUT/warm.$ext" | jq -e '.peak_dbfs > -40' >/dev/null
    done
    # One warm render-one a plugin.
    assert_equal "$(warm_count)" 3
}

@test "a session tells its caller how the run ended before its worker is taken down, then reaps it: one-offs leave no orphaned zombie" {
    render-one --warm 60 -p "$NEKOBI" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    local ahead since i
    ahead=$(sessions_ahead)
    await_processes $((1 + 2 * ahead))
    since=$(ticks_now)
    for i in 1 2 3 4 5 6 7 8; do
        render-one --warm 60 -p "$NEKOBI" -o "$OUT/$i.wav" "${FLAGS[@]}" >/dev/null
        cmp "$OUT/first.wav" "$OUT/$i.wav"
    done
    # The session that ran waits for the next caller, with its worker
    # (kept, or killed, reaped and forked again).
    await_processes $((1 + 2 * ahead))
    assert_equal "$(warm_count)" 1
    assert_equal "$(orphan_zombies_since "$since")" 0
}

@test "while a session runs none is made in its place (unless none is left ahead): a caller's render never shares a processor with the making of the next" {
    render-one --warm 60 -p "$NEKOBI" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    local ahead
    ahead=$(sessions_ahead)
    await_processes $((1 + 2 * ahead))
    # A batch whose caller keeps its standard input open: its session runs
    # on after its first record.
    mkfifo "$OUT/jobs"
    render-one --warm 60 -p "$NEKOBI" "${FLAGS[@]}" <"$OUT/jobs" >"$OUT/records.ndjson" 2>/dev/null &
    local caller=$! jobs
    exec {jobs}>"$OUT/jobs"
    printf '{"output_path":"%s/a.wav"}\n' "$OUT" >&"$jobs"
    local i
    for i in $(seq 600); do
        if [ "$(wc -l <"$OUT/records.ndjson")" -ge 1 ]; then break; fi
        sleep 0.05
    done
    assert_equal "$(wc -l <"$OUT/records.ndjson")" 1
    # The session and its worker in the place of one made ahead, and none
    # made in its place yet.
    assert_equal "$(warm_processes)" $((1 + 2 * ahead))
    exec {jobs}>&-
    wait "$caller"
    assert_equal "$(jq -c '[.status, .warm_process]' "$OUT/records.ndjson")" '["ok",true]'
    cmp "$OUT/first.wav" "$OUT/a.wav"
    # Now it waits for the next caller again.
    await_processes $((1 + 2 * ahead))
    assert_equal "$(warm_count)" 1
}

@test "a session serves later callers in its turn, every run's first job on a never-played instance: the same sessions, their workers kept or new (VR_WARM_KEEP_WORKER), a cold run's bytes, no caller's file held after its run" {
    render-one -p "$NEKOBI" -o "$OUT/cold.wav" "${FLAGS[@]}" >/dev/null 2>&1
    local ahead keep before after i held
    ahead=$(sessions_ahead)
    for keep in always never; do
        export VR_WARM_KEEP_WORKER=$keep
        render-one --warm 60 -p "$NEKOBI" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
        await_warm 1
        await_processes $((1 + 2 * ahead))
        before=$(warm_tree)
        # Standard output to a file, then the records to one (--records),
        # then a batch of one on a pipe.
        render-one --warm 60 -p "$NEKOBI" -o "$OUT/$keep-1.wav" "${FLAGS[@]}" >"$OUT/$keep-1.out"
        render-one --warm 60 -p "$NEKOBI" -o "$OUT/$keep-2.wav" "${FLAGS[@]}" --records "$OUT/$keep-2.out"
        printf '{"output_path":"%s"}\n' "$OUT/$keep-3.wav" |
            render-one --warm 60 -p "$NEKOBI" "${FLAGS[@]}" >"$OUT/$keep-3.out"
        for i in 1 2 3; do
            cmp "$OUT/cold.wav" "$OUT/$keep-$i.wav"
            assert_equal "$(jq -c '[.status, .warm_process, .isolation]' "$OUT/$keep-$i.out")" '["ok",true,"fresh"]'
        done
        await_processes $((1 + 2 * ahead))
        after=$(warm_tree)
        # The sessions that served are the ones made ahead: none ended.
        assert_equal "$(awk '{print $1}' <<<"$after")" "$(awk '{print $1}' <<<"$before")"
        if [ "$keep" = always ]; then
            assert_equal "$after" "$before"
        else
            [ "$after" != "$before" ] || fail "no session forked a new worker: $after"
        fi
        # A run's files are closed in its session before it takes the next.
        held=$(for i in $(pgrep -f -- "$WARM/render-one-"); do ls -l "/proc/$i/fd" 2>/dev/null; done |
            grep -F -e "$OUT/$keep-1." -e "$OUT/$keep-2." || true)
        assert_equal "$held" ""
        pkill -f -- "$WARM/render-one-"
        for i in $(seq 600); do
            if [ "$(warm_processes)" = 0 ]; then break; fi
            sleep 0.05
        done
        assert_equal "$(warm_processes)" 0
        rm -rf "${WARM:?}"/*
    done
}

@test "a worker kept for its session's next run reads that run's presets anew: a preset file rewritten between two runs, each run the bytes of its own cold render" {
    render-one --plugin "$AMSYNTH" --export-programs "$OUT/programs" >/dev/null 2>&1
    local p before
    for p in basic11 DXish; do
        cp "$OUT/programs/$p.fxp" "$OUT/p.fxp"
        render-one -p "$AMSYNTH" "${FLAGS[@]}" <<<"{\"output_path\":\"$OUT/cold-$p.wav\",\"preset_path\":\"$OUT/p.fxp\"}" \
            >/dev/null 2>&1
    done
    if cmp -s "$OUT/cold-basic11.wav" "$OUT/cold-DXish.wav"; then fail "the two presets render alike"; fi
    VR_WARM_KEEP_WORKER=always render-one --warm 60 -p "$AMSYNTH" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    await_processes $((1 + 2 * $(sessions_ahead)))
    before=$(warm_tree)
    for p in basic11 DXish basic11; do
        cp "$OUT/programs/$p.fxp" "$OUT/p.fxp"
        run --separate-stderr env VR_WARM_KEEP_WORKER=always render-one --warm 60 -p "$AMSYNTH" "${FLAGS[@]}" \
            <<<"{\"output_path\":\"$OUT/warm.wav\",\"preset_path\":\"$OUT/p.fxp\"}"
        assert_success
        assert_equal "$(jq -c '[.status, .warm_process]' <<<"$output")" '["ok",true]'
        cmp "$OUT/cold-$p.wav" "$OUT/warm.wav"
    done
    # One session served the three, with the same worker.
    assert_equal "$(warm_tree)" "$before"
}

@test "sessions wait made ahead, each with its worker; a batch's first job renders on the warm instance itself, the next forks from a new one: the bytes of a cold batch" {
    printf '{"output_path":"%s/%s.wav","note":%d}\n' "$OUT" a 57 "$OUT" b 60 >"$OUT/jobs.ndjson"
    render-one -p "$AMSYNTH" "${FLAGS[@]}" <"$OUT/jobs.ndjson" >/dev/null 2>&1
    mkdir "$OUT/cold" && mv "$OUT"/[ab].wav "$OUT/cold/"
    render-one --warm 60 -p "$AMSYNTH" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    # The warm render-one, a session made ahead for each processor (at
    # most 8), and their workers.
    local ahead
    ahead=$(sessions_ahead)
    await_processes $((1 + 2 * ahead))
    run --separate-stderr render-one --warm 60 -p "$AMSYNTH" "${FLAGS[@]}" <"$OUT/jobs.ndjson"
    assert_success
    assert_equal "$(jq -c '[.status, .warm_process, .isolation]' <<<"$output" | paste -sd ' ')" \
        '["ok",true,"fresh"] ["ok",true,"fork"]'
    cmp "$OUT/cold/a.wav" "$OUT/a.wav"
    cmp "$OUT/cold/b.wav" "$OUT/b.wav"
    # The session taken waits for the next caller again.
    await_processes $((1 + 2 * ahead))
    assert_equal "$(warm_count)" 1
    # A first job that crashes the plugin on the warm instance takes the
    # session's worker along; the supervisor forks another, and the batch
    # goes on.
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" -o "$OUT/h.wav" "${FLAGS[@]}"
    await_warm 2
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" "${FLAGS[@]}" \
        <<<"{\"output_path\":\"$OUT/crash.wav\",\"note\":94}
{\"output_path\":\"$OUT/h2.wav\"}"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .warm_process, .error.signal]' <<<"$output" | paste -sd ' ')" \
        '["error",true,"SIGSEGV"] ["ok",true,null]'
    cmp "$OUT/h.wav" "$OUT/h2.wav"
    [ ! -e "$OUT/crash.wav" ] || fail "the crashed job left a file"
}

@test "a session ends as the render-one would: error records and exit 1, relative paths from the caller's folder" {
    render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    mkdir -p "$OUT/here"
    cd "$OUT/here"
    # Note 94 crashes the plugin (in its job's child, in the session).
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" "${FLAGS[@]}" <<EOF
{"output_path":"rel.wav"}
{"output_path":"missing-midi.wav","midi_path":"no-such.mid"}
{"output_path":"crash.wav","note":94}
{"output_path":"after.wav"}
EOF
    assert_failure 1
    run jq -c '[.status, .warm_process, (.error.message // "" | test("no-such.mid|SIGSEGV"))]' <<<"$output"
    assert_output '["ok",true,false]
["error",true,true]
["error",true,true]
["ok",true,false]'
    [ -f "$OUT/here/rel.wav" ] || fail "the relative path was not the caller's folder's"
    cmp "$OUT/here/rel.wav" "$OUT/here/after.wav"
    "$VR_BIN/../tests/audio-probe" "$OUT/here/rel.wav" | jq -e '.peak_dbfs > -40' >/dev/null
    [ ! -e "$OUT/here/crash.wav" ] || fail "the crashed job left a file"
    # The same job without --warm: the same bytes, no warm_process.
    run --separate-stderr render-one -p "$VR_TEST_HOSTILE_VST2" "${FLAGS[@]}" <<<'{"output_path":"cold.wav"}'
    assert_equal "$(jq -c '[.status, .warm_process]' <<<"$output")" '["ok",null]'
    cmp "$OUT/here/rel.wav" "$OUT/here/cold.wav"
    # The warm render-one serves on.
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" -o "$OUT/again.wav" "${FLAGS[@]}"
    assert_equal "$(jq -c .warm_process <<<"$output")" true
}

@test "SIGINT to a render-one running in a warm one ends its session by the signal: no file, no temporary; the warm one serves on" {
    # (The environment is in the key: the mark is set for the first run too.)
    export VR_HOSTILE_HANG_MARK="$BATS_TEST_TMPDIR/hang"
    render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    # SIGINT at its default, whatever this test's caller ignores (a shell
    # started in the background ignores it, and so would render-one).
    env --default-signal=INT,QUIT,TERM render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" "${FLAGS[@]}" \
        <<<"{\"output_path\":\"$OUT/hang.wav\",\"note\":95}" >"$OUT/records" 2>/dev/null &
    local pid=$! status=0 i
    for i in $(seq 600); do
        if [ -s "$VR_HOSTILE_HANG_MARK" ]; then break; fi
        sleep 0.05
    done
    [ -s "$VR_HOSTILE_HANG_MARK" ] || fail "the plugin never hung"
    # It hangs in the warm render-one's session, not under this process.
    pgrep -P "$pid" >/dev/null && fail "the render-one rendered itself"
    kill -INT "$pid"
    wait "$pid" || status=$?
    assert_equal "$status" 130
    assert_equal "$(find "$OUT" -name '*hang*' | wc -l)" 0
    assert_equal "$(wc -c <"$OUT/records")" 0
    run kill -0 "$(cat "$VR_HOSTILE_HANG_MARK")"
    assert_failure
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" -o "$OUT/after.wav" "${FLAGS[@]}"
    assert_equal "$(jq -c '[.status, .warm_process]' <<<"$output")" '["ok",true]'
}

@test "a warm render-one ends after --warm's seconds without a session, and takes its socket along" {
    render-one --warm 1 -p "$VR_DPF_VST2" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    render-one --warm 1 -p "$VR_DPF_VST2" -o "$OUT/warm.wav" "${FLAGS[@]}" | jq -e '.warm_process' >/dev/null
    local i
    for i in $(seq 600); do
        if [ "$(warm_count)" = 0 ]; then break; fi
        sleep 0.05
    done
    assert_equal "$(warm_count)" 0
    assert_equal "$(find "$WARM" -name '*.sock' | wc -l)" 0
    # The next --warm run renders itself and starts one again.
    run --separate-stderr render-one --warm 1 -p "$VR_DPF_VST2" -o "$OUT/next.wav" "${FLAGS[@]}"
    assert_equal "$(jq -c '[.status, .warm_process]' <<<"$output")" '["ok",null]'
    cmp "$OUT/first.wav" "$OUT/next.wav"
}

@test "many callers at once share one warm render-one (make -j2 over 12 jobs): every job ok, the bytes a cold run gives; run again, its sessions serve it all" {
    local i
    for i in $(seq 12); do printf '{"output_path":"%s/m%02d.wav","note":%d}\n' "$OUT" "$i" $((40 + i)); done >"$OUT/jobs.ndjson"
    render-one -p "$AMSYNTH" "${FLAGS[@]}" <"$OUT/jobs.ndjson" >/dev/null 2>&1
    mkdir -p "$OUT/cold" && mv "$OUT"/m*.wav "$OUT/cold/"
    make -s -f "$TESTS_DIR/../examples/render.mk" -j2 JOBS="$OUT/jobs.ndjson" STATE="$OUT/state" PLUGIN="$AMSYNTH" \
        RENDER_FLAGS="--warm 60 ${FLAGS[*]}" >/dev/null 2>&1
    for i in $(seq -w 12); do cmp "$OUT/cold/m$i.wav" "$OUT/m$i.wav"; done
    # Make's own variables (MAKEFLAGS ...) are not in the key, so every
    # target of the run has the same one; the callers that found none
    # started but one.
    assert_equal "$(warm_count)" 1
    if cmp -s "$OUT/cold/m01.wav" "$OUT/cold/m02.wav"; then fail "two notes rendered the same"; fi
    # A make -j2 as wide as the sessions made ahead: those sessions serve
    # its targets, each back for the next one; none of them ends.
    local ahead before
    ahead=$(sessions_ahead)
    if [ "$ahead" -ge 2 ]; then
        await_processes $((1 + 2 * ahead))
        before=$(warm_tree | awk '{print $1}')
        rm -rf "$OUT/state" "$OUT"/m*.wav
        make -s -f "$TESTS_DIR/../examples/render.mk" -j2 JOBS="$OUT/jobs.ndjson" STATE="$OUT/state" \
            PLUGIN="$AMSYNTH" RENDER_FLAGS="--warm 60 ${FLAGS[*]}" >/dev/null 2>&1
        for i in $(seq -w 12); do cmp "$OUT/cold/m$i.wav" "$OUT/m$i.wav"; done
        await_processes $((1 + 2 * ahead))
        assert_equal "$(warm_tree | awk '{print $1}')" "$before"
    fi
}

@test "a plugin binary changed on disk, or another environment, gets a warm render-one of its own" {
    cp "$VR_DPF_VST2" "$OUT/synth.so"
    render-one --warm 60 -p "$OUT/synth.so" -o "$OUT/first.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm 1
    render-one --warm 60 -p "$OUT/synth.so" -o "$OUT/a.wav" "${FLAGS[@]}" | jq -e '.warm_process' >/dev/null
    # Written over in place (the same inode): a new key, rendered cold.
    cat "$VR_DPF_VST2" >"$OUT/synth.so"
    run --separate-stderr render-one --warm 60 -p "$OUT/synth.so" -o "$OUT/b.wav" "${FLAGS[@]}"
    assert_equal "$(jq -c .warm_process <<<"$output")" null
    await_warm 2
    HOME="$BATS_TEST_TMPDIR/other-home" run --separate-stderr render-one --warm 60 -p "$OUT/synth.so" -o "$OUT/c.wav" "${FLAGS[@]}"
    assert_equal "$(jq -c .warm_process <<<"$output")" null
    await_warm 3
    cmp "$OUT/first.wav" "$OUT/c.wav"
}

@test "where a warm render-one cannot serve, --warm renders here: a folder open to others, --no-isolate, Slurm, a plugin with threads or that crashes" {
    chmod 777 "$XDG_RUNTIME_DIR" && mkdir -m 777 "$WARM"
    run --separate-stderr render-one --warm 60 -p "$VR_DPF_VST2" -o "$OUT/open.wav" "${FLAGS[@]}"
    assert_success
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    [[ "$stderr" == *"$WARM is open to other users"* ]] || fail "stderr: $stderr"
    rmdir "$WARM" && chmod 700 "$XDG_RUNTIME_DIR"
    render-one --warm 60 --no-isolate -p "$VR_DPF_VST2" -o "$OUT/a.wav" "${FLAGS[@]}" >/dev/null 2>&1
    SLURM_JOB_ID=1 render-one --warm 60 -p "$VR_DPF_VST2" -o "$OUT/b.wav" "${FLAGS[@]}" >/dev/null 2>&1
    assert_equal "$(find "$WARM" -name '*.lock' 2>/dev/null | wc -l)" 0
    # The test synth is a JUCE plugin: JUCE's message thread runs in the
    # process that loaded it, so a forked session could not use it.
    render-one --warm 60 -p "$VR_TEST_SYNTH_VST2" -o "$OUT/t1.wav" "${FLAGS[@]}" >/dev/null 2>&1
    await_warm_failed
    run cat "$WARM"/*.failed
    assert_output "the plugin runs threads of its own, which a forked session lacks"
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_SYNTH_VST2" -o "$OUT/t2.wav" "${FLAGS[@]}"
    assert_equal "$(jq -c '[.status, .warm_process]' <<<"$output")" '["ok",null]'
    cmp "$OUT/t1.wav" "$OUT/t2.wav"
    rm "$WARM"/*.failed
    # A plugin that crashes as it loads: its warm render-one dies in its
    # warm-up, which it said it began; no other starts for the key, and
    # every run renders (fails) itself.
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_BAD_DIR/crash-on-load.so" -o "$OUT/c.wav" "${FLAGS[@]}"
    assert_failure
    await_warm_failed
    assert_equal "$(cat "$WARM"/*.failed)" "the warm-up job did not finish"
    run --separate-stderr render-one --warm 60 -p "$VR_TEST_BAD_DIR/crash-on-load.so" -o "$OUT/d.wav" "${FLAGS[@]}"
    assert_failure
    assert_equal "$(jq -c .warm_process <<<"$output")" null
    assert_equal "$(warm_count)" 0
}

@test "render-one, the command a --warm run starts, holds no plugin host: none of JUCE's libraries, and in a plain build only the C runtime (the C++ one linked in)" {
    run ldd "$VR_BIN/render-one"
    assert_success
    local libs
    libs=$(awk '{print $1}' <<<"$output" | sort | paste -sd ' ')
    if [[ "$libs" == *libfreetype* || "$libs" == *libpng* || "$libs" == *libjpeg* ]]; then fail "JUCE's libraries: $libs"; fi
    # A sanitized build links its tools in one step (Makefile): the
    # libraries libvr's objects name come along there.
    if [[ "$libs" != *libasan* ]]; then
        assert_equal "$libs" "/lib64/ld-linux-x86-64.so.2 libc.so.6 libm.so.6 linux-vdso.so.1"
    fi
    # The host is another file, and the command runs it.
    [ -x "$VR_BIN/../lib/vst-render/render-one-host" ] || fail "no host beside $VR_BIN"
    run render-one --version
    assert_success
    assert_output --regexp '^render-one [0-9]+\.[0-9]+\.[0-9]+'
}
