#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# examples/render.mk renders warm by default (WARM=10 seconds; WARM=0
# cold; a --warm in RENDER_FLAGS wins), and what it leaves running keeps
# nothing waiting: a pipeline reading make's output sees its end when make
# ends, so does a terminal, and nothing of ours runs WARM + 5 s after
# make's last target. (An ssh login running make: tests/distributed.bats.)
bats_require_minimum_version 1.5.0
load helper
load warm-helper

RENDER_MK="$TESTS_DIR/../examples/render.mk"

# Four jobs of the DPF synth, into $OUT, in $OUT/jobs.ndjson.
four_jobs() {
    local i
    for i in 1 2 3 4; do
        printf '{"output_path":"%s/%d.wav","note":%d}\n' "$OUT" "$i" $((50 + i))
    done >"$OUT/jobs.ndjson"
}

# make -j2 -f render.mk over $OUT/jobs.ndjson, its STATE made afresh, with
# make's further arguments $@ (a later one wins). The same STATE each time:
# make's command-line variables are in its targets' environment, which is
# in a warm render-one's key. WARM is never taken from this environment.
make_jobs() {
    rm -rf "$OUT/state"
    env -u WARM make -s -f "$RENDER_MK" -j2 JOBS="$OUT/jobs.ndjson" STATE="$OUT/state" PLUGIN="$VR_DPF_VST2" \
        RENDER_FLAGS="${FLAGS[*]}" "$@"
}

# The --warm options of the commands make would run (make -n), counted:
# "4 --warm 10", say; nothing when there are none.
warm_options() {
    make_jobs -n "$@" | grep -o -- ' --warm[ =][0-9]*' | sort | uniq -c | awk '{ $1 = $1; print }'
}

# Waits until every process $2... has ended (a zombie has: an init that
# reaps nothing keeps it), until $1, a time in EPOCHREALTIME's microseconds;
# fails naming those that still run then.
await_ended_by() {
    local deadline=$1 pid left
    shift
    for pid in "$@"; do
        while ps -o stat= -p "$pid" | grep -qv Z; do
            if [ "${EPOCHREALTIME/./}" -gt "$deadline" ]; then
                left=$(ps -o pid=,stat=,args= -p "$(tr ' ' , <<<"$*")" | awk '$2 !~ /Z/')
                fail "still running: $left"
            fi
            sleep 0.05
        done
    done
}

@test "render.mk's commands: --warm 10 by default, --warm N with WARM=N, none with WARM=0; a --warm in RENDER_FLAGS wins over WARM" {
    four_jobs
    assert_equal "$(warm_options)" "4 --warm 10"
    assert_equal "$(warm_options WARM=3)" "4 --warm 3"
    assert_equal "$(warm_options WARM=0)" ""
    assert_equal "$(make_jobs -n WARM=0 | grep -c -- ' --job ')" 4
    assert_equal "$(warm_options WARM=3 RENDER_FLAGS="--warm 7 ${FLAGS[*]}")" "4 --warm 7"
    assert_equal "$(warm_options WARM=0 RENDER_FLAGS="--warm=7 ${FLAGS[*]}")" "4 --warm=7"
}

@test "render.mk renders warm by default: the first make starts a warm render-one waiting 10 s, a second make's targets run in it with a cold run's bytes; WARM=0 renders cold and looks for none" {
    four_jobs
    make_jobs WARM=0
    assert_equal "$(jq -c .warm_process "$OUT/state/results.ndjson" | sort -u)" null
    [ ! -e "$WARM" ] || fail "WARM=0 looked for a warm render-one: $(ls -A "$WARM")"
    mkdir "$OUT/cold"
    mv "$OUT"/[1-4].wav "$OUT/cold/"
    make_jobs
    await_warm 1
    run pgrep -af -- "$WARM/render-one-"
    assert_output --partial " --warm 10 "
    make_jobs
    assert_equal "$(jq -c .warm_process "$OUT/state/results.ndjson" | sort -u)" true
    local i
    for i in 1 2 3 4; do cmp "$OUT/cold/$i.wav" "$OUT/$i.wav"; done
}

@test "a pipeline reading render.mk's output sees its end when make ends, the warm render-one it started running on (WARM=600): the make that starts it, then one whose targets run in it" {
    four_jobs
    # A warm render-one that held the pipe would keep the reader waiting
    # for 600 s: the reader gives up after 120 s (status 124), far beyond
    # the few seconds the make takes.
    local status=0
    make_jobs WARM=600 2>&1 | timeout 120 cat >/dev/null || status=$?
    [ "$status" -eq 0 ] || fail "the reader of the first make: status $status (124: still waiting after 120 s)"
    await_warm 1
    assert_equal "$(warm_count)" 1
    # Sessions run with the caller's descriptors, the pipe among them, and
    # close them when their run is over.
    make_jobs WARM=600 2>&1 | timeout 120 cat >/dev/null || status=$?
    [ "$status" -eq 0 ] || fail "the reader of the second make: status $status (124: still waiting after 120 s)"
    assert_equal "$(jq -c .warm_process "$OUT/state/results.ndjson" | sort -u)" true
    assert_equal "$(warm_count)" 1
}

@test "render.mk run in a terminal (script's) ends when make ends; the warm render-one it leaves (WARM=600) has no controlling terminal and no descriptor of it" {
    four_jobs
    local cmd status=0 pids pid
    printf -v cmd '%q ' env -u WARM make -s -f "$RENDER_MK" -j2 WARM=600 JOBS="$OUT/jobs.ndjson" STATE="$OUT/state" \
        PLUGIN="$VR_DPF_VST2" RENDER_FLAGS="${FLAGS[*]}"
    # A warm render-one that held the terminal would keep script waiting:
    # it is given up after 120 s (status 124).
    timeout 120 script -qec "$cmd" /dev/null </dev/null >"$OUT/typescript" 2>&1 || status=$?
    [ "$status" -eq 0 ] || fail "script: status $status (124: still waiting after 120 s): $(cat "$OUT/typescript")"
    assert_equal "$(jq -r .status "$OUT/state/results.ndjson" | sort -u)" ok
    await_warm 1
    pids=$(pgrep -d ' ' -f -- "$WARM/render-one-") || fail "no warm render-one runs"
    for pid in $pids; do
        assert_equal "$(ps -o tty= -p "$pid" | tr -d ' ')" "?"
        assert_equal "$(find "/proc/$pid/fd" -lname '/dev/pts/*' 2>/dev/null | wc -l)" 0
    done
}

@test "nothing of ours runs WARM + 5 s after render.mk's last target (WARM=2): the warm render-one, its sessions and their workers end, and its socket goes" {
    four_jobs
    make_jobs WARM=2
    local deadline=$((${EPOCHREALTIME/./} + (2 + 5) * 1000000)) pids
    await_warm 1
    pids=$(pgrep -d ' ' -f -- "$WARM/render-one-")
    [ -n "$pids" ] || fail "no warm render-one runs"
    # shellcheck disable=SC2086 # one pid a word
    await_ended_by "$deadline" $pids
    run pgrep -af -r R,S,D,T -- "$WARM/render-one-"
    assert_failure
    assert_equal "$(find "$WARM" -name '*.sock' | wc -l)" 0
}
