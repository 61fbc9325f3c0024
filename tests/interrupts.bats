#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one ended by SIGINT or SIGTERM, with a job in flight or waiting for
# its next line: it dies of the signal, its records so far whole, no
# temporary, no output of the job in flight, no worker left (wine's side:
# tests/windows.bats).
load helper
bats_require_minimum_version 1.5.0

SYNTH="$VR_TEST_SYNTH_VST3"

setup_file() {
    export B="$BATS_FILE_TMPDIR"
}

# One job record: job OUTPUT [extra "key":value pair]
job() {
    printf '{"output_path":"%s"%s}\n' "$1" "${2:+,$2}"
}

# Starts render-one on a job that renders and one that hangs, waits until
# the second is in flight, plants the temporary its worker would be writing,
# then sends signal $1; the run must end by that signal ($2 = 128 + N).
interrupt_mid_job() {
    local sig="$1" code="$2" out="$B/int-$1" pid worker
    mkdir -p "$out"
    { job "$out/a.wav"; job "$out/b.wav" '"set_params":{"hang":1}'; job "$out/c.wav"; } >"$out/jobs"
    # The default dispositions, whatever this test's caller ignores: a
    # shell makes its background commands ignore SIGINT and SIGQUIT, one
    # that was started in the background ignores them itself (POSIX), and
    # render-one leaves an ignored signal ignored. (Job control, set -m,
    # restores neither what the shell inherited ignored.)
    VR_TEST_SYNTH_HANG_MARK="$out/hanging" "${DEFAULT_SIGNALS[@]}" \
        render-one --plugin "$SYNTH" --duration 0.05 --tail 0 --timeout 60 <"$out/jobs" >"$out/results" 2>/dev/null &
    pid=$!
    # The second job is in flight once the plugin hangs in it (the test
    # synth writes the file then), with a generous bound.
    wait_for_file "$out/hanging" "the second job never started"
    worker=$(pgrep -P "$pid" | head -1)
    [ -n "$worker" ] || fail "no worker process"
    : >"$out/.b.wav.vr-tmp-$worker-0"
    kill "-$sig" "$pid"
    local status=0
    wait "$pid" || status=$?
    [ "$status" -eq "$code" ] || fail "exit status $status, expected $code"
    [ "$(wc -l <"$out/results")" -eq 1 ] || fail "records: $(cat "$out/results")"
    jq -e '.status == "ok" and .output_path == "'"$out"'/a.wav"' "$out/results"
    [ ! -e "$out/.b.wav.vr-tmp-$worker-0" ] || fail "the temporary of the job in flight was left"
    [ ! -e "$out/b.wav" ] || fail "the job in flight left $out/b.wav"
    [ ! -e "$out/c.wav" ] || fail "the job never started left $out/c.wav"
    # The worker's group dies a moment after render-one: wait until none of
    # it lives, with a generous bound. (Zombies aside: pid 1 here may not
    # reap the orphans it adopts.)
    for _ in $(seq 3000); do pgrep -g "$worker" -r R,S,D,T >/dev/null || break; sleep 0.01; done
    ! pgrep -g "$worker" -r R,S,D,T >/dev/null || fail "the worker's process group lives on: $(pgrep -g "$worker" -a)"
}

@test "SIGTERM to render-one mid-job: exit 143, the records so far, no partial file, no worker left" {
    interrupt_mid_job TERM 143
}

@test "SIGINT to render-one mid-job: exit 130, the records so far, no partial file, no worker left" {
    interrupt_mid_job INT 130
}

# Waits for render-one $1, which a signal from outside during job b of
# a.wav, b.wav, c.wav (in folder $3) ended: exit status $2, job a's record
# alone (in $3/results), no b.wav, no c.wav.
assert_ended_in_b() {
    local pid=$1 code=$2 out=$3 status=0
    wait "$pid" || status=$?
    assert_equal "$status" "$code"
    assert_equal "$(jq -c '[.status, .output_path]' "$out/results")" "[\"ok\",\"$out/a.wav\"]"
    [ ! -e "$out/b.wav" ] || fail "the job in flight left $out/b.wav"
    [ ! -e "$out/c.wav" ] || fail "the job never started left $out/c.wav"
}

# A scheduler that cancels a task (scancel) signals each of its processes:
# the worker may die of it before render-one has its own. The job in
# flight is then not the plugin's crash: the run ends by the signal as if
# render-one had caught it, the job without a record, so that a resume
# renders it again (it was recorded as "the plugin crashed (signal
# SIGTERM)" before, which slurm.bats's resume test caught once in a CI
# run). The worker is held at the rename that puts the second job's file
# in place (tests/reliability_hold.c), then sent SIGTERM alone.
@test "SIGTERM to the worker alone mid-job ends the run by it: exit 143, no record for the job in flight, no file, no temporary" {
    local out="$B/term-worker" pid worker
    mkdir -p "$out"
    gcc -shared -fPIC -O2 -o "$B/hold.so" "$TESTS_DIR/reliability_hold.c" -ldl
    { job "$out/a.wav"; job "$out/b.wav"; job "$out/c.wav"; } >"$out/jobs"
    mkfifo "$out/held"
    env LD_PRELOAD="$B/hold.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        VR_HOLD_NAME=b.wav VR_HOLD_AFTER=0 VR_HOLD_COUNTER="$out/count" VR_HOLD_FIFO="$out/held" \
        "${DEFAULT_SIGNALS[@]}" render-one --plugin "$SYNTH" --duration 0.05 --tail 0 \
        <"$out/jobs" >"$out/results" 2>"$out/err" 3>&- &
    pid=$!
    run timeout 120 cat "$out/held"
    assert_output held
    worker=$(pgrep -P "$pid" | head -1)
    [ -n "$worker" ] || fail "no worker process"
    kill -TERM "$worker"
    assert_ended_in_b "$pid" 143 "$out"
    run find "$out" -name '*.vr-tmp-*'
    assert_output ""
}

# The worker tells a signal from outside from the plugin's own by who sent
# it (supervise/interrupts.hpp): a plugin that raises SIGTERM or SIGINT, or
# sends SIGTERM to its process group (the worker's), has crashed; its job
# gets the crash's record and the batch goes on, in the worker (reset) and
# in a job's forked child (fork). (Until the worker told the two apart, a
# worker dead of SIGTERM or SIGINT ended the run: exit 143 at job b.)
@test "a plugin's own SIGTERM or SIGINT fails its job as a crash, in the worker and in a job's child; the batch goes on" {
    local out="$B/own-signals" iso
    mkdir -p "$out"
    for iso in reset fork; do
        { job "$out/$iso-a.wav"; job "$out/$iso-b.wav" '"note":96'; job "$out/$iso-c.wav" '"note":97'
          job "$out/$iso-d.wav" '"note":98'; job "$out/$iso-e.wav"; } >"$out/jobs"
        run --separate-stderr "${DEFAULT_SIGNALS[@]}" render-one --plugin "$VR_TEST_HOSTILE_VST2" \
            --isolation "$iso" --duration 0.1 <"$out/jobs"
        assert_failure 1
        assert_equal "$(jq -c '[.status, .error.signal, .isolation]' <<<"$output" | paste -sd ' ')" \
            "[\"ok\",null,\"$iso\"] [\"error\",\"SIGTERM\",null] [\"error\",\"SIGINT\",null] [\"error\",\"SIGTERM\",null] [\"ok\",null,\"$iso\"]"
        assert_equal "$(jq -c 'select(.status == "ok") | .peak_dbfs > -20' <<<"$output" | paste -sd ' ')" "true true"
        cmp "$out/$iso-a.wav" "$out/$iso-e.wav"
    done
}

# A signal from outside that reaches a job's forked child first (a
# scheduler signals every process of a task, in no set order) ends the run
# as one that reaches the worker does: before, the worker recorded the job
# as the plugin's crash (signal SIGINT) and the run went on. The plugin
# hangs in job b's child (note 95, which ignores SIGTERM: SIGINT here).
@test "SIGINT to a job's child alone ends the run by it: exit 130, no record for the job in flight, no file" {
    local out="$B/int-child" pid child worker
    mkdir -p "$out"
    { job "$out/a.wav"; job "$out/b.wav" '"note":95'; job "$out/c.wav"; } >"$out/jobs"
    VR_HOSTILE_HANG_MARK="$out/hanging" "${DEFAULT_SIGNALS[@]}" render-one --plugin "$VR_TEST_HOSTILE_VST2" \
        --isolation fork --duration 0.1 <"$out/jobs" >"$out/results" 2>"$out/err" &
    pid=$!
    # In flight once the plugin hangs in it, its pid written (a generous bound).
    for _ in $(seq 3000); do if [ -s "$out/hanging" ]; then break; fi; sleep 0.01; done
    [ -s "$out/hanging" ] || fail "the second job never started"
    child=$(cat "$out/hanging")
    worker=$(pgrep -P "$pid" | head -1)
    # The hanging process is the worker's child, not the worker.
    assert_equal "$(ps -o ppid= -p "$child" | tr -d ' ')" "$worker"
    kill -INT "$child"
    assert_ended_in_b "$pid" 130 "$out"
}

@test "SIGINT to render-one between jobs, waiting for its next line: exit 130, the records so far, no worker left" {
    local out="$B/int-idle" pid worker feed status=0
    mkdir -p "$out"
    mkfifo "$out/jobs"
    "${DEFAULT_SIGNALS[@]}" render-one --plugin "$SYNTH" --duration 0.05 --tail 0 <"$out/jobs" >"$out/results" 2>/dev/null &
    pid=$!
    exec {feed}>"$out/jobs"
    job "$out/a.wav" >&"$feed"
    # Between jobs once the first record is out (a generous bound); the
    # input stays open.
    for _ in $(seq 3000); do if [ -s "$out/results" ]; then break; fi; sleep 0.01; done
    [ -s "$out/results" ] || fail "the first job's record never came"
    worker=$(pgrep -P "$pid" | head -1)
    [ -n "$worker" ] || fail "no worker process"
    kill -INT "$pid"
    # Closed before the wait: a render-one that went on would end at the
    # input's end, never hang the test.
    exec {feed}>&-
    wait "$pid" || status=$?
    assert_equal "$status" 130
    assert_equal "$(jq -c '[.status, .peak_dbfs > -40]' "$out/results")" '["ok",true]'
    for _ in $(seq 3000); do pgrep -g "$worker" -r R,S,D,T >/dev/null || break; sleep 0.01; done
    pgrep -g "$worker" -r R,S,D,T >/dev/null && fail "the worker's process group lives on: $(pgrep -g "$worker" -a)"
    return 0
}
