#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# examples/slurm.sh on a real single-node Slurm cluster of the test's own
# (tests/slurm-cluster.bash): slurmctld and slurmd as children of the test,
# everything of theirs under the test's temporary folder.
load helper
load slurm-cluster

SLURM_SH="$TESTS_DIR/../examples/slurm.sh"
AMSYNTH=/usr/lib/vst/amsynth_vst.so
RENDER=(--duration 0.3 --tail 0.2)

setup_file() {
    local why
    if why=$(slurm_cannot_run); then
        export SLURM_SKIP=$why
        return 0
    fi
    for t in slurmctld slurmd sbatch squeue scontrol sinfo srun scancel; do
        command -v "$t" >/dev/null ||
            { echo "$t is missing: run make deps (it installs the Slurm packages)" >&2; return 1; }
    done
    [ -f "$AMSYNTH" ] || { echo "$AMSYNTH is missing: run make deps" >&2; return 1; }
    # Stops a render at an exact output, whatever the machine's speed.
    gcc -shared -fPIC -O2 -o "$BATS_FILE_TMPDIR/hold.so" "$TESTS_DIR/reliability_hold.c" -ldl
    slurm_start "$BATS_FILE_TMPDIR/cluster"

    # 24 jobs: six of amsynth's programs at four notes; the reference is
    # the same jobs rendered here by one render-one, in one folder.
    export REF="$BATS_FILE_TMPDIR/ref"
    mkdir -p "$REF"
    render-one --plugin "$AMSYNTH" --list-programs | head -n 6 \
        | job-grid --notes 48,60,72,84 --velocities 100 > "$REF/jobs.ndjson"
    [ "$(wc -l < "$REF/jobs.ndjson")" -eq 24 ]
    assign-paths --out "$REF" < "$REF/jobs.ndjson" \
        | render-one --plugin "$AMSYNTH" "${RENDER[@]}" > "$REF/results.ndjson"
    [ "$(jq -r 'select(.status == "ok") | .output_path' "$REF/results.ndjson" | wc -l)" -eq 24 ]
}

teardown_file() {
    slurm_stop
}

setup() {
    [ -z "${SLURM_SKIP:-}" ] || skip "$SLURM_SKIP"
}

# A record without what differs from run to run or between folders: the
# timings, the worker's memory, whether the job had a fresh plugin instance
# and how it was isolated (the first job of each render-one renders on the
# worker's first instance), whether its probe came from the cache, and the
# folder of its file. The files themselves are compared byte for byte.
NORMALIZE='del(.plugin_load_s, .render_s, .plugin_process_s, .worker_rss_mb, .fresh_instance, .isolation,
               .probe_cached, .output_root)
    | .output_path |= (split("/") | last)'

# Folder $1's results: every record ok; their files, byte for byte, and
# their records, field by field (NORMALIZE), those of the reference jobs
# whose lines are $2 (a sed range; default all 24), in that order.
assert_same_as_ref() {
    local out=$1 range=${2:-1,24}
    run jq -r 'select(.status != "ok") | .output_path' "$out/results.ndjson"
    assert_output ""
    run diff <(jq -c "$NORMALIZE" "$out/results.ndjson") \
        <(jq -c "$NORMALIZE" "$REF/results.ndjson" | cut_lines "$range")
    assert_success
    local ours refs i
    mapfile -t ours < <(jq -r .output_path "$out/results.ndjson")
    mapfile -t refs < <(jq -r .output_path "$REF/results.ndjson" | cut_lines "$range")
    assert_equal "${#ours[@]}" "${#refs[@]}"
    for i in "${!ours[@]}"; do
        cmp "${ours[i]}" "${refs[i]}" || fail "${ours[i]} differs from the local render ${refs[i]}"
    done
}

# Lines $1 (a sed range: "1,24") of standard input.
cut_lines() { sed -n "${1}p"; }

# The first $1 reference jobs, into file $2.
ref_jobs() { head -n "$1" "$REF/jobs.ndjson" > "$2"; }

# The files below folder $1 with their inode and modification time.
file_stamps() { find "$1" -type f ! -name '.*' -printf '%p %i %T@\n' | sort; }

# The job ids DIR $1 notes for its last submission: $2 "arrays" (one a
# line) or "merge".
# shellcheck disable=SC2154 # arrays and merge come from jobs.conf
batch_ids() {
    # shellcheck source=/dev/null
    . "$1/jobs.conf"
    if [ "$2" = merge ]; then echo "$merge"; else printf '%s\n' "${arrays[@]}"; fi
}

# Waits until job $1 has left the queue (60 s at most).
wait_gone() {
    for _ in $(seq 600); do
        if [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; then return 0; fi
        sleep 0.1
    done
    fail "job $1 is still in the queue: $(squeue -j "$1")"
}

# What slurm.sh's tasks and merge in DIR $1 (or its log file $2) said
# (the plugin's own chatter aside).
task_logs() {
    if [ -n "${2-}" ]; then cat "$1/logs/$2"; else cat "$1"/logs/*.out; fi | grep '^slurm.sh: '
}

@test "--help; an unknown option; no sbatch on PATH: exit 2 and nothing submitted" {
    run "$SLURM_SH" --help
    assert_success
    assert_output --partial "Usage: slurm.sh -p PLUGIN -o DIR"
    assert_output --partial "--sbatch OPTS"
    local before
    before=$(slurm_all_jobs)
    run "$SLURM_SH" --bogus -p "$AMSYNTH" -o "$BATS_TEST_TMPDIR/o"
    assert_failure 2
    assert_output "slurm.sh: unknown option '--bogus' (try --help)"
    # A PATH with jq and dirname but no Slurm.
    mkdir "$BATS_TEST_TMPDIR/bin"
    ln -s "$(command -v jq)" "$(command -v dirname)" "$BATS_TEST_TMPDIR/bin/"
    ref_jobs 2 "$BATS_TEST_TMPDIR/jobs"
    run env PATH="$BATS_TEST_TMPDIR/bin" VR_BIN="$BATS_TEST_TMPDIR/bin" "$BASH" "$SLURM_SH" \
        -p "$AMSYNTH" -o "$BATS_TEST_TMPDIR/o" -i "$BATS_TEST_TMPDIR/jobs"
    assert_failure 2
    assert_output "slurm.sh: no sbatch on PATH: run this where Slurm jobs are submitted"
    [ ! -e "$BATS_TEST_TMPDIR/o" ] || fail "a folder was made: $(ls -A "$BATS_TEST_TMPDIR/o")"
    assert_equal "$(slurm_all_jobs)" "$before"
}

@test "a job outside DIR, a .. path, options sbatch refuses, a DIR with a batch: exit 2 and nothing submitted" {
    local out="$BATS_TEST_TMPDIR/out" before
    before=$(slurm_all_jobs)
    { head -n 1 "$REF/jobs.ndjson"
      jq -c '.output_path = "/tmp/elsewhere.wav"' <(sed -n 2p "$REF/jobs.ndjson")
      jq -c --arg p "$out/x/../../y.wav" '.output_path = $p' <(sed -n 3p "$REF/jobs.ndjson")
    } > "$BATS_TEST_TMPDIR/jobs"
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" -- "${RENDER[@]}"
    assert_failure 2
    assert_line "slurm.sh: line 2: output_path /tmp/elsewhere.wav is not below $out"
    assert_line "slurm.sh: line 3: output_path $out/x/../../y.wav holds a .. component"
    assert_line "slurm.sh: jobs refused; nothing submitted"
    [ ! -e "$out/batch.conf" ] || fail "the refused batch left batch.conf"
    ref_jobs 2 "$BATS_TEST_TMPDIR/jobs"
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" --sbatch '--partition=nowhere'
    assert_failure 2
    assert_output --partial "slurm.sh: sbatch refuses the options '--partition=nowhere': "
    assert_output --partial "invalid partition"
    assert_equal "$(slurm_all_jobs)" "$before"

    # The same folder takes a batch once (held here: nothing need run); a
    # second is refused.
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" --sbatch --hold -- "${RENDER[@]}"
    assert_success
    before=$(slurm_all_jobs)
    local conf id
    conf=$(cat "$out/batch.conf" "$out/jobs.conf")
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" -- "${RENDER[@]}"
    assert_failure 2
    assert_output "slurm.sh: $out already holds a batch: --resume it, or choose another folder"
    assert_equal "$(slurm_all_jobs)" "$before"
    assert_equal "$(cat "$out/batch.conf" "$out/jobs.conf")" "$conf"
    # --resume takes everything from the folder.
    run "$SLURM_SH" --resume -o "$out" -p "$AMSYNTH"
    assert_failure 2
    assert_output --partial "take the batch's settings from DIR"
    # Nor while it runs (it is queued, held).
    run "$SLURM_SH" --resume -o "$out"
    assert_failure 2
    assert_output --partial "slurm.sh: the batch in $out is still running (jobs "
    assert_equal "$(slurm_all_jobs)" "$before"
    for id in $(batch_ids "$out" arrays) $(batch_ids "$out" merge); do scancel "$id"; done
}

@test "--check: each partition runs render-one and loads the plugin, or says why not" {
    run "$SLURM_SH" --check -p "$AMSYNTH"
    assert_success
    assert_line --regexp "^main	ready: render-one [0-9.]+; the plugin loads$"
    assert_line --regexp "^other	ready: render-one [0-9.]+; the plugin loads$"
    assert_equal "${#lines[@]}" 2
    run "$SLURM_SH" --check -p /nonexistent/synth.so
    assert_failure 2
    assert_line --regexp "^main	not ready: .*/nonexistent/synth.so"
    assert_line --regexp "^other	not ready: .*/nonexistent/synth.so"
    assert_equal "${#lines[@]}" 2
    # srun's own words, not merged into the probe's: said where the probe
    # never ran (no node has the feature asked for).
    run "$SLURM_SH" --check -p "$AMSYNTH" --sbatch '--constraint=nosuchfeature'
    assert_failure 2
    assert_line --regexp "^main	not ready: srun: .*feature"
    assert_line --regexp "^other	not ready: srun: .*feature"
    assert_equal "${#lines[@]}" 2
}

@test "24 jobs in 6 blocks over two arrays: merged in job order, equal to a local render" {
    local out="$BATS_TEST_TMPDIR/out"
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$REF/jobs.ndjson" -b 4 --wait -- "${RENDER[@]}"
    assert_success
    assert_line --partial "slurm.sh: 6 of 6 blocks done, 24 of 24 jobs"
    assert_line "slurm.sh: 24 jobs done (0 failed); records in $out/results.ndjson"
    # MaxArraySize is 4: two arrays, of 4 blocks and 2.
    run cat "$out/arrays/0.list" "$out/arrays/1.list"
    assert_output $'b000000\nb000001\nb000002\nb000003\nb000004\nb000005'
    assert_equal "$(batch_ids "$out" arrays | wc -l)" 2
    run task_logs "$out"
    assert_equal "$(grep -c 'slurm.sh: block b00000[0-5]: 4 of 4 jobs to render, by 1 render-one' <<<"$output")" 6
    # Job order: the notes and programs in the order of the jobs.
    assert_equal "$(jq -c '[.program_index, .note]' "$out/results.ndjson")" \
        "$(jq -c '[.program_index, .note]' "$REF/jobs.ndjson")"
    # Each block's files in its own folder.
    run jq -r '.output_path | ltrimstr("'"$out"'/renders/") | split("/") | first' "$out/results.ndjson"
    assert_equal "$(printf '%s\n' "${lines[@]}" | uniq -c | awk '{ print $1 }' | sort -u)" 4
    assert_same_as_ref "$out"
}

@test "a task killed mid-run: --wait exits 75 naming its block, --resume renders exactly what is missing" {
    local out="$BATS_TEST_TMPDIR/out" held pid rc
    # Job 10, the second of block b000002, is held before its file is put
    # in place (tests/reliability_hold.c), and its task killed there.
    held=$(sed -n 10p "$REF/results.ndjson" | jq -r '.output_path | split("/") | last')
    mkfifo "$BATS_TEST_TMPDIR/held"
    LD_PRELOAD="$BATS_FILE_TMPDIR/hold.so" VR_HOLD_NAME="$held" VR_HOLD_AFTER=0 \
        VR_HOLD_COUNTER="$BATS_TEST_TMPDIR/count" VR_HOLD_FIFO="$BATS_TEST_TMPDIR/held" \
        "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$REF/jobs.ndjson" -b 4 --wait -- "${RENDER[@]}" \
        > "$BATS_TEST_TMPDIR/first.log" 2>&1 3>&- &
    pid=$!
    run timeout 120 cat "$BATS_TEST_TMPDIR/held"
    assert_output held
    scancel "$(batch_ids "$out" arrays | head -n 1)_2"
    wait "$pid" && rc=0 || rc=$?
    run cat "$BATS_TEST_TMPDIR/first.log"
    assert_equal "$rc" 75
    assert_line "slurm.sh: 1 of 6 blocks are not complete: b000002; finish them with: $SLURM_SH --resume -o $out"
    # The merge could never run: Slurm cancelled it (--kill-on-invalid-dep).
    run scontrol -o show job "$(batch_ids "$out" merge)"
    assert_output --partial "JobState=CANCELLED"
    assert_output --partial "Reason=DependencyNeverSatisfied"
    # 21 files: five blocks and the first job of b000002.
    file_stamps "$out/renders" > "$BATS_TEST_TMPDIR/before"
    assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/before")" 21

    run "$SLURM_SH" --resume -o "$out" --wait
    assert_success
    assert_line "slurm.sh: 1 of 6 blocks to finish: b000002"
    assert_line "slurm.sh: 24 jobs done (0 failed); records in $out/results.ndjson"
    # The new array rendered the three jobs left of b000002, and nothing
    # else: the 21 files already there are the same files, untouched.
    run task_logs "$out" "$(batch_ids "$out" arrays)_0.out"
    assert_output "slurm.sh: block b000002: 3 of 4 jobs to render, by 1 render-one"
    file_stamps "$out/renders" > "$BATS_TEST_TMPDIR/after"
    assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/after")" 24
    run comm -23 "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
    assert_output ""
    assert_same_as_ref "$out"
}

@test "two CPUs a task, two render-ones; an output deleted after the run is lost, and --resume renders only it" {
    local out="$BATS_TEST_TMPDIR/out" lost
    ref_jobs 4 "$BATS_TEST_TMPDIR/jobs"
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" -b 2 \
        --sbatch '--cpus-per-task=2' --wait -- "${RENDER[@]}"
    assert_success
    run task_logs "$out"
    assert_line "slurm.sh: block b000000: 2 of 2 jobs to render, by 2 render-one"
    assert_line "slurm.sh: block b000001: 2 of 2 jobs to render, by 2 render-one"
    assert_same_as_ref "$out" 1,4
    lost=$(sed -n 3p "$out/results.ndjson" | jq -r .output_path)
    rm "$lost"
    file_stamps "$out/renders" > "$BATS_TEST_TMPDIR/before"
    run "$SLURM_SH" --wait -o "$out"
    assert_failure 75
    assert_line --partial "slurm.sh: 1 of 2 blocks are not complete: b000001;"
    run "$SLURM_SH" --resume -o "$out" --wait
    assert_success
    run task_logs "$out" "$(batch_ids "$out" arrays)_0.out"
    assert_output "slurm.sh: block b000001: 1 of 2 jobs to render, by 1 render-one"
    [ -f "$lost" ] || fail "$lost was not rendered again"
    run comm -23 "$BATS_TEST_TMPDIR/before" <(file_stamps "$out/renders")
    assert_output ""
    assert_same_as_ref "$out" 1,4
}

@test "--wait exits 1 when jobs are error records, kept in job order; a job's own output_path below DIR stays" {
    local out="$BATS_TEST_TMPDIR/out"
    { sed -n 1p "$REF/jobs.ndjson"
      echo '{"preset_name":"broken","preset_path":"/nonexistent/broken.fxp","note":60}'
      echo 'not json'
      jq -c --arg p "$out/mine/own.wav" '.output_path = $p' <(sed -n 2p "$REF/jobs.ndjson")
    } > "$BATS_TEST_TMPDIR/jobs"
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" -b 2 --wait -- "${RENDER[@]}"
    assert_failure 1
    assert_line "slurm.sh: 4 jobs done (2 failed); records in $out/results.ndjson"
    run jq -r '"\(.preset_name) \(.status)"' "$out/results.ndjson"
    assert_output "$(jq -r '.preset_name' <(sed -n 1p "$REF/jobs.ndjson")) ok
broken error
null error
$(jq -r '.preset_name' <(sed -n 2p "$REF/jobs.ndjson")) ok"
    run jq -r 'select(.status == "error") | .error.message' "$out/results.ndjson"
    assert_line --index 0 --partial "/nonexistent/broken.fxp"
    assert_line --index 1 "line 3 of the jobs is not a JSON object"
    assert_equal "$(sed -n 4p "$out/results.ndjson" | jq -r .output_path)" "$out/mine/own.wav"
    cmp "$out/mine/own.wav" "$(sed -n 2p "$REF/results.ndjson" | jq -r .output_path)"
}

@test "a node that cannot see DIR fails its task, --wait says why, and --resume --sbatch '' finishes" {
    local out="$BATS_TEST_TMPDIR/out" id
    ref_jobs 2 "$BATS_TEST_TMPDIR/jobs"
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" -b 1 --sbatch '--hold' -- "${RENDER[@]}"
    assert_success
    # As on a node where DIR is another folder: the marker is not there.
    mv "$out/.vr-slurm-marker" "$BATS_TEST_TMPDIR/marker"
    for id in $(batch_ids "$out" arrays) $(batch_ids "$out" merge); do scontrol release "$id"; done
    run "$SLURM_SH" --wait -o "$out"
    assert_failure 75
    assert_line "slurm.sh: on $(hostname), $out is not the folder the batch was started in: put it on storage every node mounts at the same path"
    assert_line --partial "slurm.sh: 2 of 2 blocks are not complete: b000000 b000001;"
    run task_logs "$out"
    assert_output --partial "$out/.vr-slurm-marker is not there"
    mv "$BATS_TEST_TMPDIR/marker" "$out/.vr-slurm-marker"
    run "$SLURM_SH" --resume -o "$out" --sbatch '' --wait
    assert_success
    assert_same_as_ref "$out" 1,2
}

@test "--resume cancels the old merge while it is queued, and a new one merges what is done" {
    local out="$BATS_TEST_TMPDIR/out" array merge
    ref_jobs 2 "$BATS_TEST_TMPDIR/jobs"
    run "$SLURM_SH" -p "$AMSYNTH" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" --sbatch '--hold' -- "${RENDER[@]}"
    assert_success
    array=$(batch_ids "$out" arrays)
    merge=$(batch_ids "$out" merge)
    # The array renders; the merge stays held in the queue.
    scontrol release "$array"
    wait_gone "$array"
    assert_equal "$(squeue -h -j "$merge" -o %T)" PENDING
    run "$SLURM_SH" --resume -o "$out" --sbatch '' --wait
    assert_success
    assert_line "slurm.sh: 0 of 1 blocks to finish: none"
    run scontrol -o show job "$merge"
    assert_output --partial "JobState=CANCELLED"
    [ "$(batch_ids "$out" merge)" != "$merge" ] || fail "no new merge was submitted"
    # Nothing rendered twice: one task ever ran.
    run task_logs "$out"
    assert_output "slurm.sh: block b000000: 2 of 2 jobs to render, by 1 render-one"
    assert_same_as_ref "$out" 1,2
}
