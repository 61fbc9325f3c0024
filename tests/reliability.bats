#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one's supervision: a plugin that crashes, exits, hangs, prints or
# makes NaN costs its job and never the batch; killed runs resume.
load helper

SYNTH="$VR_TEST_SYNTH_VST3"
SHIM_SRC="$TESTS_DIR/reliability_shim.c"

# The 200-job batch writing into folder $1; $2 lists faults as "POS:PARAM ..."
# (each turns the test synth's switch PARAM on in job POS). Tiny renders of
# varied notes, formats and levels; ids count from 1.
make_jobs() {
    awk -v dir="$1" -v faults="${2:-}" 'BEGIN {
        n = split(faults, f, " ")
        for (k = 1; k <= n; k++) { split(f[k], p, ":"); fault[p[1]] = p[2] }
        for (i = 1; i <= 200; i++) {
            ext = (i % 5 == 0) ? "flac" : "wav"
            params = (i % 10 == 0) ? "\"level\":0.3" : ""
            if (i in fault) params = params (params == "" ? "" : ",") "\"" fault[i] "\":1"
            printf "{\"id\":%d,\"output_path\":\"%s/job-%03d.%s\",\"note\":%d,\"velocity\":%d,\"duration_s\":0.05,\"tail_s\":0.05", \
                i, dir, i, ext, 36 + (i * 7) % 48, 20 + (i * 13) % 100
            if (i % 3 == 0 && ext == "wav") printf ",\"sample_format\":\"float32\""
            if (params != "") printf ",\"set_params\":{%s}", params
            printf "}\n"
        }
    }'
}

setup_file() {
    export B="$BATS_FILE_TMPDIR"
    # Six faults at seeded random places (never the first job, which loads
    # the plugin and so gets a longer time limit).
    FAULTS=$(awk 'BEGIN { srand(20261121); split("crash abort exit hang nan print", kind, " ")
        for (k = 1; k <= 6; k++) { do p = 2 + int(rand() * 199); while (p in used); used[p]; printf "%d:%s ", p, kind[k] } }')
    export FAULTS
    make_jobs "$B/clean" >"$B/clean.jobs"
    render-one --plugin "$SYNTH" <"$B/clean.jobs" >"$B/clean.ndjson" 2>"$B/clean.err" || true
    gcc -shared -fPIC -O2 -o "$B/shim.so" "$SHIM_SRC" -ldl
}

# One job record: job OUTPUT [extra "key":value pairs]
job() {
    local out="$1" extra=""
    shift
    for kv in "$@"; do extra+=",$kv"; done
    printf '{"output_path":"%s"%s}\n' "$out" "$extra"
}
export -f job

# The position of fault $1 in $FAULTS.
pos() { tr ' ' '\n' <<<"$FAULTS" | awk -F: -v k="$1" '$2 == k { print $1 }'; }

# The file of job $2 in folder $1.
file_of() { printf '%s/job-%03d.%s' "$1" "$2" "$( (($2 % 5 == 0)) && echo flac || echo wav)"; }

# Checks the results ($1, one record per job) of the faulty batch rendered
# into folder $2: valid records, the fault jobs (and only they) errors with
# the right reason, every other file identical to the clean batch's, no file
# and no temporary for the errors. $3 = "ordered": records in input order.
check_faulty() {
    local results="$1" dir="$2" order="${3:-}"
    [ "$(wc -l <"$results")" -eq 200 ] || fail "$(wc -l <"$results") records, not 200"
    while IFS= read -r line; do
        jq -e 'type == "object"' <<<"$line" >/dev/null || fail "not a record: $line"
    done <"$results"
    if [ "$order" = ordered ]; then
        [ "$(jq -r .id "$results" | paste -sd,)" = "$(seq -s, 1 200)" ] || fail "records out of order"
    else
        [ "$(jq -r .id "$results" | sort -n | paste -sd,)" = "$(seq -s, 1 200)" ] || fail "not one record per job"
    fi
    local want got
    want=$(for k in crash abort exit hang nan; do pos "$k"; done | sort -n | paste -sd,)
    got=$(jq -r 'select(.status == "error") | .id' "$results" | sort -n | paste -sd,)
    [ "$got" = "$want" ] || fail "errors: jobs $got, expected $want ($FAULTS)"
    reason() { jq -r --argjson id "$1" 'select(.id == $id) | [.error.message, (.error.signal // "-")] | join("|")' "$results"; }
    assert_equal "$(reason "$(pos crash)")" "the plugin crashed (signal SIGSEGV)|SIGSEGV"
    assert_equal "$(reason "$(pos abort)")" "the plugin crashed (signal SIGABRT)|SIGABRT"
    assert_equal "$(reason "$(pos exit)")" "the plugin ended the render process (exit status 3)|-"
    # (Split among workers, the hang could be a worker's first job, which
    # gets 120 s more to load the plugin: see render-one(1).)
    if [ "$order" = ordered ]; then
        assert_equal "$(reason "$(pos hang)")" "timeout after 2.0 s|-"
    else
        reason "$(pos hang)" | grep -qxE 'timeout after (2|122)\.0 s\|-' || fail "the hang: $(reason "$(pos hang)")"
    fi
    # NaN: reported by render_worker (H2's --allow-nonfinite work).
    reason "$(pos nan)" | grep -qiE 'nan|non-?finite' || fail "the NaN job: $(reason "$(pos nan)")"
    local id
    for id in $(jq -r 'select(.status == "ok") | .id' "$results"); do
        cmp -s "$(file_of "$dir" "$id")" "$(file_of "$B/clean" "$id")" || fail "job $id differs from the clean batch"
    done
    for id in ${want//,/ }; do
        [ ! -e "$(file_of "$dir" "$id")" ] || fail "job $id failed but left a file"
    done
    [ "$(jq -r 'select(.status == "ok") | .attempts' "$results" | sort -u)" = 1 ] || fail "attempts"
    assert_no_tmp_left "$dir"
}

@test "the clean batch renders every job" {
    [ "$(jq -r .status "$B/clean.ndjson" | sort | uniq -c | awk '{print $1, $2}')" = "200 ok" ] ||
        fail "$(grep -v '"ok"' "$B/clean.ndjson" | head -3)"
    run jq -r '[.attempts, (.worker_rss_mb > 1)] | @tsv' "$B/clean.ndjson"
    assert_line --index 0 "$(printf '1\ttrue')"
    [ "$(sort -u <<<"$output")" = "$(printf '1\ttrue')" ]
}

@test "a 200-job batch with crash, abort, exit, hang, NaN and printing jobs: exactly those fail, each saying why" {
    make_jobs "$B/faulty" "$FAULTS" >"$B/faulty.jobs"
    VR_TEST_SYNTH_PRINT=1 render-one --plugin "$SYNTH" --timeout 2 <"$B/faulty.jobs" >"$B/faulty.ndjson" 2>"$B/faulty.err" &&
        fail "exit status 0 with failed jobs"
    check_faulty "$B/faulty.ndjson" "$B/faulty" ordered
    # The printing job is ok, its lines went to stderr.
    assert_equal "$(jq -r --argjson id "$(pos print)" 'select(.id == $id) | .status' "$B/faulty.ndjson")" ok
    grep -q "this line is not a record" "$B/faulty.err"
}

@test "the same batch under parallel --pipe --round-robin -j2 and under xargs -P2: the same results" {
    make_jobs "$B/par" "$FAULTS" >"$B/par.jobs"
    parallel --pipe --round-robin --block 16k --line-buffer -j2 render-one --plugin "$SYNTH" --timeout 2 \
        <"$B/par.jobs" >"$B/par.ndjson" 2>/dev/null || true
    check_faulty "$B/par.ndjson" "$B/par"

    make_jobs "$B/xargs" "$FAULTS" >"$B/xargs.jobs"
    split -n l/4 "$B/xargs.jobs" "$B/chunk."
    # shellcheck disable=SC2016 # $0 and $1 are the inner sh's arguments
    printf '%s\n' "$B"/chunk.* | xargs -P2 -I{} sh -c 'render-one --plugin "$0" --timeout 2 <"$1" >"$1.out" 2>/dev/null; true' "$SYNTH" {}
    cat "$B"/chunk.*.out >"$B/xargs.ndjson"
    check_faulty "$B/xargs.ndjson" "$B/xargs"
}

# How many outputs of make_jobs are in folder $1.
outputs_in() { compgen -G "$1/job-*" | wc -l; }

@test "kill -9 of the pipeline at random points, then a resume: the clean run's files, byte for byte, nothing partial" {
    local dir="$B/killed" fifo="$B/killed.events" k pid parallel_pid groups event more
    make_jobs "$dir" >"$B/killed.jobs"
    gcc -shared -fPIC -O2 -o "$B/hold.so" "$TESTS_DIR/reliability_hold.c" -ldl
    # The pipeline tells on this FIFO that it stands at the kill point, or
    # that it ended. Open for reading and writing, its opens never block.
    mkfifo "$fifo"
    exec {events}<>"$fifo"
    RANDOM=5
    local counts=() target=0
    for k in 1 2 3; do
        # Kill once a random number more of the outputs are there: a point
        # in the batch, not in time, so that a slow machine tests the same.
        # The pipeline stops there itself (tests/reliability_hold.c): it
        # puts exactly that many files in place, then holds each job that
        # would put one more, its temporary written, until the kill. No
        # time limit (--timeout 0) ends a held job meanwhile. (Not on bats'
        # fd 3: a pipeline that a failure leaves behind must not hang bats.)
        more=$((10 + RANDOM % 50))
        target=$((target + more))
        setsid bash -c "VR_HOLD_NAME=job- VR_HOLD_AFTER=$more VR_HOLD_COUNTER='$B/killed-$k.count' VR_HOLD_FIFO='$fifo' \
            parallel --pipe --round-robin --block 16k --line-buffer -j2 \
            env LD_PRELOAD='$B/hold.so' ASAN_OPTIONS='${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0' \
            render-one --plugin '$SYNTH' --skip-existing --timeout 0 \
            <'$B/killed.jobs' >'$B/killed-$k.ndjson' 2>/dev/null; echo ended >'$fifo'" 3>&- &
        pid=$!
        read -r -t 600 -u "$events" event || fail "run $k: the batch neither stopped nor ended"
        [ "$event" = held ] || fail "the batch was done before the kill of run $k, $more more outputs"
        # Jobs are in flight at the kill: the held one at least, its temporary there.
        compgen -G "$dir/.job-*.vr-tmp-*" >/dev/null || fail "run $k: no job in flight at the kill"
        # kill -9 of the whole pipeline: bash and parallel (the session's
        # process group) and parallel's jobs, the render-one supervisors
        # (parallel gives each job a process group of its own). Their
        # workers are left to die with them (PR_SET_PDEATHSIG). A supervisor
        # that had run out of jobs may be gone already.
        parallel_pid=$(pgrep -P "$pid")
        groups=$(pgrep -P "$parallel_pid" | sed 's/^/-/')
        [ -n "$groups" ] || fail "run $k: parallel runs no job"
        # shellcheck disable=SC2086 # one argument per process group
        kill -9 -- "-$pid" $groups 2>/dev/null || true
        wait "$pid" || true
        # Workers die a moment later: wait until no process of the pipeline's
        # session lives (zombies aside: pid 1 here may not reap the orphans
        # it adopts), with a generous bound.
        for _ in $(seq 3000); do pgrep -s "$pid" -r R,S,D,T >/dev/null || break; sleep 0.01; done
        pgrep -s "$pid" -r R,S,D,T >/dev/null && fail "run $k: the pipeline lives on: $(pgrep -a -s "$pid")"
        # Every whole line written before the kill is a record.
        head -n "$(wc -l <"$B/killed-$k.ndjson")" "$B/killed-$k.ndjson" | jq -s -e 'all(type == "object")' >/dev/null ||
            fail "run $k: a broken record"
        counts+=("$(outputs_in "$dir")")
        [ "${counts[-1]}" -eq "$target" ] || fail "run $k: ${counts[-1]} outputs after the kill, not $target"
    done
    exec {events}>&-
    echo "# jobs done after each kill: ${counts[*]} of 200; temporaries left: $(compgen -G "$dir/.*.vr-tmp-*" | wc -l)" >&3
    [ "${counts[2]}" -lt 200 ] || fail "the batch was done before the last kill: ${counts[*]}"
    local done_before ids_before
    done_before=$(outputs_in "$dir")
    ids_before=$(compgen -G "$dir/job-*" | sed -E 's|.*/job-0*([0-9]+)\..*|\1|' | sort -n | paste -sd,)
    render-one --plugin "$SYNTH" --skip-existing <"$B/killed.jobs" >"$B/resume.ndjson" 2>/dev/null ||
        fail "the resume failed: $(grep -v '"ok"\|"skipped"' "$B/resume.ndjson" | head -3)"
    [ "$(jq -r 'select(.status == "skipped") | .id' "$B/resume.ndjson" | wc -l)" -eq "$done_before" ] ||
        fail "the resume did not skip exactly the $done_before jobs done before"
    [ "$(jq -r 'select(.status == "skipped") | .id' "$B/resume.ndjson" | sort -n | paste -sd,)" = "$ids_before" ] ||
        fail "the resume skipped other jobs than those done before ($ids_before)"
    for id in $(seq 1 200); do
        cmp -s "$(file_of "$dir" "$id")" "$(file_of "$B/clean" "$id")" || fail "job $id differs from the clean run"
    done
    # Nothing but the 200 outputs: no partial file, no temporary.
    local stray
    stray=$(find "$dir" -mindepth 1 -regextype posix-extended ! -regex '.*/job-[0-9]{3}\.(wav|flac)')
    [ -z "$stray" ] || fail "stray files: $stray"
}

@test "a plugin that hangs ignoring SIGTERM is a timeout within its limit plus a few seconds; the batch goes on" {
    local start end
    start=$(date +%s.%N)
    sh_run "{ job '$B/h1.wav'; job '$B/h2.wav' '\"set_params\":{\"hang\":1}'; job '$B/h3.wav'; } \
            | render-one --plugin '$SYNTH' --duration 0.05 --tail 0 --timeout 2 2>/dev/null"
    end=$(date +%s.%N)
    assert_failure 1
    assert_equal "${#lines[@]}" 3
    run jq -r '.status + " " + (.error.message // "")' <<<"$output"
    assert_output "$(printf 'ok \nerror timeout after 2.0 s\nok ')"
    awk -v s="$start" -v e="$end" 'BEGIN { exit !(e - s >= 2 && e - s < 2 + 8) }' || fail "took $(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }') s"
}


@test "--retries: a plugin that crashes the worker at load is tried N+1 times; a flaky one renders on a retry" {
    local out="$B/retry"
    mkdir -p "$out"
    # With DISPLAY set (to none that is there: these plugins open none), no
    # try on a display of render-one's comes first (render-one(1), "Plugins
    # that need a display"; linux-display.bats counts that one): the tries
    # are --retries' alone.
    export DISPLAY=:99999
    export VR_SHIM_PLUGIN="$VR_TEST_SYNTH_VST2" VR_SHIM_COUNTER="$out/count"
    # Always crashing: three tries, each in a fresh worker, then the error.
    VR_SHIM_FAULT=segv run bash -c "{ echo '{\"output_path\":\"$out/a.wav\"}'; echo '{\"output_path\":\"$out/n.wav\",\"plugin_path\":\"$VR_TEST_SYNTH_VST3\"}'; } \
        | render-one --plugin '$B/shim.so' --duration 0.1 --tail 0 --retries 2 2>/dev/null"
    assert_failure 1
    assert_line --index 0 --partial '"error":{"tool":"render-one","message":"the plugin crashed (signal SIGSEGV)","signal":"SIGSEGV"},"attempts":3'
    assert_line --index 1 --partial '"status":"ok"'
    assert_equal "$(cat "$out/count")" 3
    # Without --retries, one try.
    rm "$out/count"
    VR_SHIM_FAULT=abort run bash -c "echo '{\"output_path\":\"$out/a.wav\"}' | render-one --plugin '$B/shim.so' 2>/dev/null"
    assert_failure 1
    # The record holds the job's settings, as an ok one does, and nothing measured.
    run jq -r '[.error.message, .error.signal, .attempts, .sample_rate_hz, .sample_format, .plugin_path, has("frames")] | @tsv' <<<"$output"
    assert_output "$(printf 'the plugin crashed (signal SIGABRT)\tSIGABRT\t1\t48000\tpcm24\t%s\tfalse' "$B/shim.so")"
    # shellcheck disable=SC2209 # exit is the value of VR_SHIM_FAULT, not a command
    VR_SHIM_FAULT=exit run bash -c "echo '{\"output_path\":\"$out/a.wav\"}' | render-one --plugin '$B/shim.so' 2>/dev/null"
    run jq -r '.error.message' <<<"$output"
    assert_output "the plugin ended the render process (exit status 3)"
    # Crashes on its first two loads, then works: the third try renders, the
    # same audio as the plugin itself gives.
    rm "$out/count"
    VR_SHIM_FAULT=segv VR_SHIM_FAULTS=2 run bash -c "echo '{\"output_path\":\"$out/f.wav\"}' \
        | render-one --plugin '$B/shim.so' --duration 0.1 --tail 0 --retries 3 2>/dev/null"
    assert_success
    run jq -r '[.status, .attempts] | @tsv' <<<"$output"
    assert_output "$(printf 'ok\t3')"
    render-one --plugin "$VR_TEST_SYNTH_VST2" --duration 0.1 --tail 0 -o "$out/real.wav" >/dev/null 2>&1
    cmp "$out/f.wav" "$out/real.wav"
}

@test "--max-rss replaces the worker between jobs once it is past the bound" {
    local out="$B/rss"
    mkdir -p "$out"
    for i in 1 2 3; do job "$out/$i.wav"; done >"$out/jobs"
    # The test synth prints at each construction (VR_TEST_SYNTH_PRINT): count workers' loads by it.
    # (--no-cache: every worker probes, as the first does; with the probe
    # cache a later worker's first job renders on its first instance.)
    VR_TEST_SYNTH_PRINT=1 render-one --no-cache --plugin "$SYNTH" --duration 0.05 --tail 0 <"$out/jobs" 2>"$out/one.err" >"$out/one.ndjson"
    VR_TEST_SYNTH_PRINT=1 render-one --no-cache --plugin "$SYNTH" --duration 0.05 --tail 0 --max-rss 1 <"$out/jobs" 2>"$out/three.err" >"$out/three.ndjson"
    local one three
    one=$(grep -c constructor "$out/one.err")
    three=$(grep -c constructor "$out/three.err")
    [ "$one" -gt 0 ] && [ "$three" -eq $((3 * one)) ] || fail "constructions: $one with one worker, $three with --max-rss 1"
    [ "$(jq -r .status "$out/three.ndjson" | sort -u)" = ok ]
    jq -e '.worker_rss_mb > 1' "$out/three.ndjson" >/dev/null
    cmp "$out/1.wav" "$out/3.wav"
}

@test "--no-isolate renders in this process: the same files; a crash in a job's child still costs only the job" {
    local out="$B/inproc"
    make_jobs "$out" "$(pos crash):crash" | head -n 30 >"$out.jobs"
    run bash -c "render-one --plugin '$SYNTH' --no-isolate <'$out.jobs' 2>/dev/null"
    if [ "$(pos crash)" -le 30 ]; then assert_failure 1; fi
    [ "${#lines[@]}" -eq 30 ]
    for id in $(jq -r 'select(.status == "ok") | .id' <<<"$output"); do
        cmp -s "$(file_of "$out" "$id")" "$(file_of "$B/clean" "$id")" || fail "job $id differs"
    done
    [ "$(jq -r '[.attempts, (.worker_rss_mb > 1)] | @tsv' <<<"$output" | sort -u)" = "$(printf '1\ttrue')" ]
}

@test "temporaries of a killed run are removed, never taken for results; --skip-existing renders their jobs" {
    local out="$B/stale"
    mkdir -p "$out"
    # pid_max is at most 4194304: no process has pid 9999999.
    : >"$out/.a.wav.vr-tmp-9999999-0"
    : >"$out/.b.wav.vr-tmp-$$-0"  # a live writer's: kept
    run bash -c "{ echo '{\"output_path\":\"$out/a.wav\"}'; } | render-one --plugin '$SYNTH' --duration 0.05 --tail 0 --skip-existing 2>/dev/null"
    assert_success
    assert_output --partial '"status":"ok"'
    [ -s "$out/a.wav" ]
    [ ! -e "$out/.a.wav.vr-tmp-9999999-0" ]
    [ -e "$out/.b.wav.vr-tmp-$$-0" ]
}

@test "render-one --help lists the supervision options; bad values exit 2" {
    run render-one --help
    assert_success
    for o in --timeout --retries --max-rss --no-isolate; do assert_output --partial -- "$o"; done
    run render-one --retries -1
    assert_failure 2
    run render-one --timeout -1
    assert_failure 2
    run render-one --timeout 1 --job-timeout 1
    assert_failure 2
}

@test "examples/resume.sh and examples/render.mk render a batch and resume it" {
    local out="$B/ex"
    mkdir -p "$out"
    for i in 1 2 3 4 5 6; do job "$out/a/$i.wav" "\"note\":$((50 + i))" '"duration_s":0.05' '"tail_s":0.05'; done >"$out/a.jobs"
    run "$TESTS_DIR/../examples/resume.sh" -p "$SYNTH" -i "$out/a.jobs" -o "$out/a-state" -j 2 -b 2
    assert_success
    [ "$(names_in "$out/a" | wc -l)" -eq 6 ]
    cp -r "$out/a" "$out/a-first"
    # As if the run had been killed once the first block was done: the
    # joblog knows that block only, and some later outputs are missing.
    awk -F'\t' 'NR == 1 || $1 == 1' "$out/a-state/joblog" >"$out/joblog" && mv "$out/joblog" "$out/a-state/joblog"
    rm "$out/a/3.wav" "$out/a/4.wav" "$out/a/6.wav"
    run "$TESTS_DIR/../examples/resume.sh" -p "$SYNTH" -i "$out/a.jobs" -o "$out/a-state" -j 2 -b 2
    assert_success
    diff -r "$out/a" "$out/a-first"
    # The first block was not run again; the third rendered 6.wav and skipped 5.wav.
    [ "$(wc -l <"$out/a-state/results/b000000.ndjson")" -eq 2 ]
    [ "$(jq -r .status "$out/a-state/results/b000002.ndjson" | paste -sd,)" = "ok,ok,skipped,ok" ]

    for i in 1 2 3 4; do job "$out/m/$i.wav" "\"note\":$((60 + i))" '"duration_s":0.05' '"tail_s":0.05'; done >"$out/m.jobs"
    # WARM=0: cold, as this test is not about warm render-ones (render.mk's
    # default would leave one running WARM seconds after make; warm.bats).
    run make -s -f "$TESTS_DIR/../examples/render.mk" -j2 WARM=0 JOBS="$out/m.jobs" STATE="$out/m-state" PLUGIN="$SYNTH"
    assert_success
    [ "$(names_in "$out/m" | wc -l)" -eq 4 ]
    [ "$(jq -r .status "$out/m-state/results.ndjson" | sort | uniq -c | awk '{print $1, $2}')" = "4 ok" ]
    mv "$out/m/3.wav" "$out/3-before.wav"
    run make -f "$TESTS_DIR/../examples/render.mk" -j2 WARM=0 JOBS="$out/m.jobs" STATE="$out/m-state" PLUGIN="$SYNTH"
    assert_success
    [ "$(grep -c 'render-one' <<<"$output")" -eq 1 ] || fail "make rendered more than the missing file: $output"
    cmp "$out/m/3.wav" "$out/3-before.wav"
}
