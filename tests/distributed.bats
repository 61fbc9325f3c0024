#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# examples/distributed.sh across two "hosts": two sshd servers of our own on
# loopback ports, each with its own home and login folder, so that what a
# host writes stays there until parallel's --return brings it back.
load helper

DIST="$TESTS_DIR/../examples/distributed.sh"

# Kills host $1 (a or b) the hard way: its sshd and every process of its
# sessions, as if the machine went away.
kill_host() {
    local pids
    pids=$(freeze_tree "$(cat "$SSHD/sshd-$1.pid")")
    # shellcheck disable=SC2086
    kill -KILL $pids
}

start_host() {
    local name=$1 port=$2
    mkdir -p "$SSHD/home-$name"
    # ForceCommand: a session starts in the host's own home, not the
    # user's, so that parallel's scratch folders (~/.parallel/tmp) differ
    # per host as they would on two machines.
    cat > "$SSHD/sshd-$name.conf" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $SSHD/host_key
AuthorizedKeysFile $SSHD/client_key.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
MaxStartups 100:30:200
PidFile $SSHD/sshd-$name.pid
SetEnv HOME=$SSHD/home-$name
ForceCommand cd $SSHD/home-$name && eval "\$SSH_ORIGINAL_COMMAND"
EOF
    /usr/sbin/sshd -f "$SSHD/sshd-$name.conf" -E "$SSHD/sshd-$name.log"
    cat >> "$SSHD/ssh_config" <<EOF
Host vr-$name
    HostName 127.0.0.1
    Port $port
EOF
}

setup_file() {
    command -v rsync >/dev/null ||
        { echo "rsync is missing: parallel's --transferfile and --return need it" >&2; return 1; }
    export SSHD="$BATS_FILE_TMPDIR/sshd"
    mkdir -p "$SSHD"
    [ -d /run/sshd ] || mkdir -p /run/sshd   # sshd's privilege separation folder
    # Control sockets want a short path (about 100 bytes at most).
    export SSH_CM_DIR
    SSH_CM_DIR=$(mktemp -d /tmp/vr-cm.XXXXXX)
    ssh-keygen -q -t ed25519 -N '' -C vr-test-host -f "$SSHD/host_key"
    ssh-keygen -q -t ed25519 -N '' -C vr-test-client -f "$SSHD/client_key"
    cat > "$SSHD/ssh_config" <<EOF
Host *
    User $(id -un)
    IdentityFile $SSHD/client_key
    IdentitiesOnly yes
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    BatchMode yes
    ConnectTimeout 10
    LogLevel QUIET
    # One connection per host for a block's eight logins, as vst-render(7)
    # advises.
    ControlMaster auto
    ControlPath $SSH_CM_DIR/%C
    ControlPersist 60
EOF
    start_host a "$(free_port)"
    start_host b "$(free_port)"
    local name
    for name in a b; do
        for _ in $(seq 100); do
            ssh -F "$SSHD/ssh_config" "vr-$name" true && break
            sleep 0.1
        done
        ssh -F "$SSHD/ssh_config" "vr-$name" true
    done
    printf '%s\n' vr-a vr-b > "$SSHD/hosts"

    # 16 jobs: the test synth's 4 programs at 4 notes, in 8 blocks of 2.
    render-one --plugin "$VR_TEST_SYNTH_VST3" --list-programs \
        | job-grid --notes 48,60,72,84 --velocities 100 > "$SSHD/jobs.ndjson"
    [ "$(wc -l < "$SSHD/jobs.ndjson")" -eq 16 ]
}

teardown_file() {
    local name pid
    for name in a b; do
        ssh -F "$SSHD/ssh_config" -O exit "vr-$name" 2>/dev/null || true
        pid=$(cat "$SSHD/sshd-$name.pid" 2>/dev/null) || continue
        # shellcheck disable=SC2046
        kill -KILL $(freeze_tree "$pid") 2>/dev/null || true
    done
    rm -rf "$SSH_CM_DIR"
}

# A test's warm render-ones (the render.mk test's, below) end with it.
teardown() {
    pkill -f -- "$BATS_TEST_TMPDIR/run/vst-render/render-one-" || true
}

# Runs distributed.sh against the test hosts; the hosts find render-one in
# this build.
dist() {
    VR_REMOTE_PATH="$VR_BIN" "$DIST" -H "$SSHD/hosts" --ssh "ssh -F $SSHD/ssh_config" "$@"
}

# The last `run dist` ended with status $2 (default 0); when not, shows
# why: its output and the joblog of OUT ($1).
assert_run_status() {
    [ "$status" -eq "${2:-0}" ] ||
        fail "status $status, not ${2:-0}:"$'\n'"$output"$'\n'"joblog:"$'\n'"$(cat "$1/joblog" 2>/dev/null)"
}

# Every record of $1/results.ndjson is ok, not silent, and its file equals,
# byte for byte, the same job rendered here in one local render-one.
assert_same_as_local() {
    local out=$1 ref="$BATS_TEST_TMPDIR/local"
    mkdir -p "$ref"
    run jq -r 'select(.status != "ok" or .silent != false)' "$out/results.ndjson"
    assert_output ""
    jq -c --arg ref "$ref/" '.output_path |= $ref + (split("/") | last)
        | {plugin_path, program_index, note, velocity, output_path}' "$out/results.ndjson" \
        | render-one --duration 0.3 --tail 0.2 > "$ref/results.ndjson"
    local f n=0
    while IFS= read -r f; do
        cmp "$f" "$ref/${f##*/}" || fail "$f differs from the local render"
        n=$((n + 1))
    done < <(jq -r .output_path "$out/results.ndjson")
    assert_equal "$n" 16
}

@test "--help, a bad option and a missing hosts file" {
    run "$DIST" --help
    assert_success
    assert_output --partial "Usage: distributed.sh"
    run "$DIST" --bogus
    assert_failure 2
    assert_output --partial "unknown option '--bogus'"
    run "$DIST" -H "$BATS_TEST_TMPDIR/none" -p x -o "$BATS_TEST_TMPDIR/o"
    assert_failure 2
    assert_output --partial "cannot read the hosts file"
}

@test "--check: each host runs render-one and loads the plugin, or says why not" {
    run dist --check -p "$VR_TEST_SYNTH_VST3"
    assert_success
    assert_line --regexp "^vr-a	ready: render-one [0-9.]+; the plugin loads$"
    assert_line --regexp "^vr-b	ready: render-one [0-9.]+; the plugin loads$"
    run dist --check -p /nonexistent/synth.vst3
    assert_failure 2
    assert_line --partial "vr-a	not ready:"
    assert_line --partial "vr-b	not ready:"
    assert_output --partial "cannot load plugin /nonexistent/synth.vst3"
}

@test "a batch runs on both hosts, and every file comes back equal to a local render" {
    out="$BATS_TEST_TMPDIR/out"
    run dist -p "$VR_TEST_SYNTH_VST3" -o "$out" -i "$SSHD/jobs.ndjson" -b 2 -j 1 \
        -- --duration 0.3 --tail 0.2
    assert_run_status "$out"
    assert_output --partial "16 of 16 jobs done (0 failed), 8 blocks"
    # The joblog's Host column: blocks ended well on each host.
    run awk -F'\t' 'NR > 1 && $7 == 0 { print $2 }' "$out/joblog"
    assert_equal "${#lines[@]}" 8
    assert_line vr-a
    assert_line vr-b
    # The hosts rendered into paths relative to their scratch folders, which
    # --cleanup removed: the audio reached this side through --return.
    run jq -r 'select(.output_path | startswith("renders/") | not)' "$out"/blocks/*.ndjson
    assert_output ""
    run find "$SSHD"/home-a "$SSHD"/home-b -name '*.flac'
    assert_output ""
    run jq -r '.output_path' "$out/results.ndjson"
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 16
    assert_line "$out/renders/Init_48_100.flac"
    assert_same_as_local "$out"
}

@test "a plugin that seeds from the clock and the kernel renders, on both hosts, the bytes it renders here" {
    # The seeds test plugin (tests/plugins/seeds): notes 61-76 draw from
    # random(), drand48, getrandom, the wall clock, /dev/urandom...
    : "${VR_TEST_SEEDS_VST2:=$TESTS_DIR/../build/plugins/seeds/vr-test-seeds.so}"
    out="$BATS_TEST_TMPDIR/seeds"
    render-one --plugin "$VR_TEST_SEEDS_VST2" --list-programs | job-grid --notes 61-76 > "$BATS_TEST_TMPDIR/jobs"
    run dist -p "$VR_TEST_SEEDS_VST2" -o "$out" -i "$BATS_TEST_TMPDIR/jobs" -b 2 -j 1 -- --duration 0.3 --tail 0.2
    assert_run_status "$out"
    assert_output --partial "16 of 16 jobs done (0 failed), 8 blocks"
    run awk -F'\t' 'NR > 1 && $7 == 0 { print $2 }' "$out/joblog"
    assert_line vr-a
    assert_line vr-b
    assert_same_as_local "$out"
}

@test "--shared: hosts write straight into a folder they all see" {
    out="$BATS_TEST_TMPDIR/shared"
    run dist --shared -p "$VR_TEST_SYNTH_VST3" -o "$out" -i "$SSHD/jobs.ndjson" -b 8 -j 1 \
        -- --duration 0.3 --tail 0.2
    assert_run_status "$out"
    assert_output --partial "16 of 16 jobs done (0 failed), 2 blocks"
    assert_same_as_local "$out"
}

@test "a job that fails is data: its block is done, and --resume renders nothing again" {
    out="$BATS_TEST_TMPDIR/bad"
    { head -n 2 "$SSHD/jobs.ndjson"
      echo '{"preset_name":"broken","preset_path":"/nonexistent/broken.fxp","note":60}'
    } > "$BATS_TEST_TMPDIR/jobs.ndjson"
    run dist --shared -p "$VR_TEST_SYNTH_VST3" -o "$out" -i "$BATS_TEST_TMPDIR/jobs.ndjson" -b 3 -j 1 \
        -- --duration 0.3 --tail 0.2
    assert_run_status "$out" 1
    assert_output --partial "3 of 3 jobs done (1 failed), 1 blocks"
    run jq -r '"\(.preset_name) \(.status)"' "$out/results.ndjson"
    assert_output $'Init ok\nInit ok\nbroken error'
    run jq -r 'select(.status == "error") | .error.message' "$out/results.ndjson"
    assert_output --partial "/nonexistent/broken.fxp"
    run dist --resume -o "$out"
    assert_run_status "$out" 1
    run awk 'END { print NR }' "$out/joblog"
    assert_output 2
}

@test "a host lost in the middle of a batch: --resume finishes it, no block rendered twice" {
    out="$BATS_TEST_TMPDIR/lost"
    dist -p "$VR_TEST_SYNTH_VST3" -o "$out" -i "$SSHD/jobs.ndjson" -b 2 -j 1 \
        -- --duration 0.3 --tail 0.2 > "$BATS_TEST_TMPDIR/first.log" 2>&1 3>&- &
    local pid=$! killed=""
    # Kill vr-b once it has finished a block and is busy with the next one
    # (a block in flight has its scratch folder on the host).
    for _ in $(seq 600); do
        if awk -F'\t' '$2 == "vr-b" && $7 == 0 { found = 1 } END { exit !found }' "$out/joblog" 2>/dev/null \
            && in_flight=$(find "$SSHD/home-b/.parallel/tmp" -maxdepth 1 -name '*-*-[0-9]*' 2>/dev/null | head -n 1) \
            && [ -n "$in_flight" ]; then
            kill_host b
            killed=yes
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    wait "$pid" && status=0 || status=$?
    [ -n "$killed" ] || fail "vr-b was never caught in the middle of a block: $(cat "$BATS_TEST_TMPDIR/first.log")"
    assert_equal "$status" 75
    run cat "$BATS_TEST_TMPDIR/first.log"
    assert_output --partial "blocks left; finish them with:"
    # The blocks vr-b was given from then on failed there, as ssh does
    # for a lost host.
    run awk -F'\t' '$2 == "vr-b" && $7 == 255 { print $1 }' "$out/joblog"
    [ "${#lines[@]}" -gt 0 ]
    local done_first n1
    done_first=$(awk -F'\t' 'NR > 1 && $7 == 0 { print $1 }' "$out/joblog" | tr '\n' ' ')
    [ -n "$done_first" ]
    n1=$(wc -l < "$out/joblog")

    run dist --check -p "$VR_TEST_SYNTH_VST3"
    assert_failure 1
    assert_line --regexp "^vr-a	ready: "
    assert_line "vr-b	not reachable (ssh failed)"

    # vr-b stays in the hosts file; --filter-hosts leaves it out.
    run dist --resume -o "$out"
    assert_run_status "$out"
    assert_output --partial "Removed vr-b"
    assert_output --partial "16 of 16 jobs done (0 failed), 8 blocks"
    # The rerun blocks ran on vr-a, none of them one the first run finished,
    # and over both runs each block ended well exactly once.
    run awk -F'\t' -v n1="$n1" 'NR > n1 { print $2 }' "$out/joblog"
    [ "${#lines[@]}" -gt 0 ]
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" vr-a
    run awk -F'\t' -v n1="$n1" -v done=" $done_first" 'NR > n1 && index(done, " " $1 " ")' "$out/joblog"
    assert_output ""
    run awk -F'\t' 'NR > 1 && $7 == 0 { print $1 }' "$out/joblog"
    assert_equal "${#lines[@]}" 8
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 8
    run jq -r .output_path "$out/results.ndjson"
    assert_equal "${#lines[@]}" 16
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 16
    assert_same_as_local "$out"
}

@test "make -f render.mk through ssh returns when make ends, the warm render-one it leaves (WARM=600) running on: the make that starts it, then one whose targets run in it" {
    local out="$BATS_TEST_TMPDIR/warm" run="$BATS_TEST_TMPDIR/run" make_cmd remote i
    mkdir -p "$out" && mkdir -m 700 "$run"
    for i in 1 2 3 4; do printf '{"output_path":"%s/%d.wav","note":%d}\n' "$out" "$i" $((50 + i)); done >"$out/jobs.ndjson"
    # The same command each time: what the remote make's targets have in
    # their environment (ssh's own variables too: one connection, the
    # ControlMaster's) is in the warm render-one's key.
    printf -v make_cmd '%q ' env XDG_RUNTIME_DIR="$run" PATH="$VR_BIN:/usr/bin:/bin" \
        make -s -f "$TESTS_DIR/../examples/render.mk" -j2 WARM=600 JOBS="$out/jobs.ndjson" STATE="$out/state" \
        PLUGIN="$VR_DPF_VST2" RENDER_FLAGS="--duration 0.3 --tail 0.1"
    printf -v remote 'rm -rf %q && %s' "$out/state" "$make_cmd"
    # A warm render-one that held the session's output would keep ssh
    # waiting for 600 s: it is given up after 120 s (status 124), far
    # beyond the few seconds the make takes. (The second make's targets run
    # in the warm render-one's sessions, with ssh's descriptors, which a
    # session closes when its run is over.)
    for i in 1 2; do
        run timeout 120 ssh -F "$SSHD/ssh_config" vr-a "$remote"
        [ "$status" -eq 0 ] || fail "make through ssh, run $i: status $status (124: still waiting after 120 s)${output:+: $output}"
        for _ in $(seq 600); do
            if compgen -G "$run/vst-render/*.sock" >/dev/null; then break; fi
            sleep 0.05
        done
        pgrep -f -- "$run/vst-render/render-one-" >/dev/null || fail "run $i: no warm render-one runs"
    done
    assert_equal "$(jq -c .warm_process "$out/state/results.ndjson" | sort -u)" true
}
