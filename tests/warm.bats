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

AMSYNTH=/usr/lib/vst/amsynth_vst.so
NEKOBI=/usr/lib/vst/Nekobi-vst.so

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT" "$HOME/.local/share"
    # Each test its own warm render-ones.
    export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    WARM="$XDG_RUNTIME_DIR/vst-render"
    FLAGS=(--note 57 --velocity 110 --duration 0.3 --tail 0.3)
}

teardown() {
    pkill -f -- "$WARM/render-one-" || true
}

# Waits until $1 warm render-ones of this test take callers (their sockets).
await_warm() {
    local want=${1:-1} i
    for i in $(seq 600); do
        if [ "$(find "$WARM" -name 'render-one-*.sock' 2>/dev/null | wc -l)" -ge "$want" ]; then return 0; fi
        sleep 0.05
    done
    fail "no warm render-one came up in $WARM"
}

# The number of warm render-ones of this test running (the sessions one
# makes ahead, and their workers, are its forks: their parents match too).
warm_count() {
    local all pid n=0
    all=" $(pgrep -d ' ' -f -- "$WARM/render-one-") "
    for pid in $all; do
        if [[ "$all" != *" $(ps -o ppid= -p "$pid" | tr -d ' ') "* ]]; then n=$((n + 1)); fi
    done
    echo "$n"
}

# The number of processes of this test's warm render-ones: each, its
# sessions and their workers.
warm_processes() { pgrep -fc -- "$WARM/render-one-" || true; }

# Waits until a warm render-one that would not serve has said why (its
# .failed, written before its warm-up and again when it knows more) and
# has ended, so the file says its last word.
await_warm_failed() {
    local i
    for i in $(seq 600); do
        if compgen -G "$WARM/*.failed" >/dev/null && [ "$(warm_count)" = 0 ]; then return 0; fi
        sleep 0.05
    done
    fail "no warm render-one in $WARM wrote its .failed and ended"
}

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

# Waits until this test's warm render-ones run $1 processes.
# How many sessions a warm render-one makes ahead: one for each processor,
# at most 8.
sessions_ahead() {
    local n
    n=$(getconf _NPROCESSORS_ONLN)
    echo $((n < 8 ? n : 8))
}

await_processes() {
    local i
    for i in $(seq 600); do
        if [ "$(warm_processes)" = "$1" ]; then return 0; fi
        sleep 0.05
    done
    fail "$(warm_processes) processes of warm render-ones, not $1"
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
    # The sessions that ran have ended; others wait made ahead.
    await_processes $((1 + 2 * ahead))
    assert_equal "$(warm_count)" 1
    assert_equal "$(orphan_zombies_since "$since")" 0
}

@test "a session taken is made again once no session runs (unless none is left ahead): a caller's render never shares a processor with the making of the next" {
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
    # Now it is made again.
    await_processes $((1 + 2 * ahead))
    assert_equal "$(warm_count)" 1
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
    # The session taken is made again.
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
    set -m
    render-one --warm 60 -p "$VR_TEST_HOSTILE_VST2" "${FLAGS[@]}" \
        <<<"{\"output_path\":\"$OUT/hang.wav\",\"note\":95}" >"$OUT/records" 2>/dev/null &
    local pid=$! status=0 i
    set +m
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

@test "many callers at once share one warm render-one (make -j2 over 12 jobs): every job ok, the bytes a cold run gives" {
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
