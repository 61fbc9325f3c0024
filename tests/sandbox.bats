#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The sandbox (render-one(1), --sandbox, the sandbox field): the hostile test
# plugin (tests/plugins/hostile) tries to write outside the output root, to
# reach a TCP listener of ours, to read a file the sandbox hides, and to
# leave a daemon behind. With --sandbox every attempt fails and the files
# are byte for byte those of a run without it; without it every attempt
# succeeds, so the checks can fail. No sleeps: a listener told to stop after
# render-one ends, and a lock the daemon holds while it lives.
load helper
bats_require_minimum_version 1.5.0

HOSTILE="${VR_TEST_HOSTILE_VST2:-$TESTS_DIR/../build/plugins/hostile/vr-test-hostile.so}"
NOTES='[60, 90, 91, 92, 93]'

# Accepts connections on 127.0.0.1 (a free port, printed first) and logs
# what each sends, until one sends "done".
LISTENER='
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
log = open(sys.argv[1], "w")
while True:
    c, _ = s.accept()
    data = c.recv(64)
    c.close()
    if data == b"done\n":
        break
    log.write(data.decode(errors="replace"))
    log.flush()
'

setup() {
    T="$BATS_TEST_TMPDIR"
    # Hidden by the sandbox (/var/tmp), and read-only in it (the build tree).
    SECRET_DIR=$(mktemp -d /var/tmp/vr-sandbox-secret.XXXXXX)
    printf 'the secret %s\n' "$RANDOM" >"$SECRET_DIR/secret.txt"
    RO_DIR=$(mktemp -d "$VR_BIN/../sandbox-test.XXXXXX")
    # A write there fails as read-only; or, where the build tree lies in a
    # tree the sandbox hides (a clone below /tmp), for want of the folder.
    case "$(realpath "$RO_DIR")/" in
        /home/* | /root/* | /tmp/* | /var/tmp/* | /run/*) RO_ERR="No such file or directory" ;;
        *) RO_ERR="Read-only file system" ;;
    esac
    DAEMON_PIDS=()
}

teardown() {
    local pid
    # Daemons of runs without the sandbox (their pids are ours to kill).
    for pid in "${DAEMON_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -n "${LISTENER_PID:-}" ] && kill -0 "$LISTENER_PID" 2>/dev/null; then kill "$LISTENER_PID"; fi
    # A hanging run a failed test left (its own --timeout would end it later).
    if [ -n "${HANGING:-}" ]; then kill -KILL "$HANGING" 2>/dev/null || true; fi
    rm -rf "$SECRET_DIR" "$RO_DIR"
}

start_listener() {
    mkfifo "$T/port"
    /usr/bin/python3 -c "$LISTENER" "$T/connections.log" >"$T/port" 2>"$T/listener.err" 3>&- &
    LISTENER_PID=$!
    read -r PORT <"$T/port"
}

# Tells the listener to stop (after render-one ended) and waits for it.
stop_listener() {
    /usr/bin/python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"done\n")' "$PORT"
    wait "$LISTENER_PID"
    LISTENER_PID=
}

# One job per note of $NOTES below the output root $1; the plugin's targets
# in the environment; render-one's other arguments after $1.
run_hostile() {
    local out=$1
    shift
    mkdir -p "$out"
    jq -nc --arg out "$out" "$NOTES"'[] | {note: ., output_path: "\($out)/n\(.).wav"}' >"$T/jobs"
    VR_HOSTILE_REPORT="$out" VR_HOSTILE_WRITE="$T/escaped.txt:$RO_DIR/escaped.txt" VR_HOSTILE_PORT="$PORT" \
        VR_HOSTILE_READ="$SECRET_DIR/secret.txt" VR_HOSTILE_DAEMON_DELAY_S=3600 \
        VR_HOSTILE_DAEMON_FILE="$RO_DIR/late.txt" \
        run render-one --plugin "$HOSTILE" --output-root "$out" --duration 0.05 --tail 0 "$@" <"$T/jobs"
}

# The five renders below $1 are those below $2, byte for byte, and not silent.
assert_same_renders() {
    local n
    for n in 60 90 91 92 93; do
        cmp "$1/n$n.wav" "$2/n$n.wav" || fail "note $n differs from the render without the sandbox"
    done
    "$VR_BIN/../tests/audio-probe" "$1/n60.wav" | jq -e '.peak_dbfs > -14.2 and .peak_dbfs < -14' >/dev/null ||
        fail "note 60 is not the plugin's sine at 0.25 x 100/127 (-14.1 dBFS)"
}

@test "without --sandbox the hostile plugin's every attempt succeeds (so the sandbox test can fail)" {
    start_listener
    run_hostile "$T/free"
    stop_listener
    assert_success
    assert_equal "$(jq -sc 'map([.status, .sandbox])' <<<"$output")" \
        '[["ok",null],["ok",null],["ok",null],["ok",null],["ok",null]]'
    assert_equal "$(cat "$T/escaped.txt")" "escaped"
    assert_equal "$(cat "$RO_DIR/escaped.txt")" "escaped"
    assert_equal "$(cat "$T/connections.log")" "hostile"
    cmp "$T/free/read.txt" "$SECRET_DIR/secret.txt"
    # The daemon outlived render-one: it still holds its lock.
    DAEMON_PIDS+=("$(cat "$T/free/daemon.pid")")
    kill -0 "${DAEMON_PIDS[0]}"
    run ! flock -n "$T/free/daemon.lock" true
}

@test "with --sandbox every attempt fails, nothing outlives render-one, and the files are those of a run without it" {
    # The reference: the same jobs, no sandbox, the plugin given no targets.
    jq -nc --arg out "$T/ref" "$NOTES"'[] | {note: ., output_path: "\($out)/n\(.).wav"}' |
        render-one --plugin "$HOSTILE" --duration 0.05 --tail 0 >/dev/null
    start_listener
    run_hostile "$T/boxed" --sandbox
    stop_listener
    assert_success
    assert_equal "$(jq -sc 'map([.status, .sandbox])' <<<"$output")" \
        '[["ok",true],["ok",true],["ok",true],["ok",true],["ok",true]]'
    assert_same_renders "$T/boxed" "$T/ref"
    # Writing: /tmp is the sandbox's own (the file went nowhere), the rest read-only.
    assert_equal "$(cat "$T/boxed/90.txt")" "$T/escaped.txt: ok
$RO_DIR/escaped.txt: $RO_ERR"
    assert_equal "$(names_in "$T")" "$(printf '%s\n' boxed connections.log jobs listener.err port ref | LC_ALL=C sort)"
    assert_equal "$(names_in "$RO_DIR")" ""
    # The network: no connection reached the listener.
    assert_equal "$(cat "$T/boxed/91.txt")" "connect: Connection refused"
    assert_equal "$(stat -c %s "$T/connections.log")" 0
    # Reading: the secret's folder is hidden.
    assert_equal "$(cat "$T/boxed/92.txt")" "$SECRET_DIR/secret.txt: No such file or directory"
    assert_equal "$(stat -c %s "$T/boxed/read.txt")" 0
    # The daemon started (its pid, in the sandbox's own numbering) and died
    # with the sandbox: nobody holds its lock.
    assert_equal "$(cat "$T/boxed/93.txt")" "daemon: ok"
    [[ "$(cat "$T/boxed/daemon.pid")" =~ ^[0-9]+$ ]] || fail "the daemon wrote no pid"
    run flock -n "$T/boxed/daemon.lock" echo free
    assert_output "free"
}

@test "the sandbox field: only the jobs asking for it are sandboxed, each kind in a worker of its own" {
    jq -nc --arg out "$T/out" '[true, false, true][] | {note: 90, sandbox: ., output_path: "\($out)/n90.wav"}' \
        >"$T/jobs"
    VR_HOSTILE_REPORT="$T/out" VR_HOSTILE_WRITE="$RO_DIR/escaped.txt" \
        run render-one --plugin "$HOSTILE" --output-root "$T/out" --duration 0.05 --tail 0 <"$T/jobs"
    assert_success
    assert_equal "$(jq -sc 'map([.status, .sandbox])' <<<"$output")" '[["ok",true],["ok",false],["ok",true]]'
    assert_equal "$(cat "$T/out/90.txt")" "$RO_DIR/escaped.txt: $RO_ERR
$RO_DIR/escaped.txt: ok
$RO_DIR/escaped.txt: $RO_ERR"
}

@test "--sandbox is a floor: a job's sandbox false is sandboxed all the same" {
    jq -nc --arg out "$T/out" '{note: 90, sandbox: false, output_path: "\($out)/n90.wav"}' >"$T/jobs"
    VR_HOSTILE_REPORT="$T/out" VR_HOSTILE_WRITE="$RO_DIR/escaped.txt" \
        run render-one --plugin "$HOSTILE" --output-root "$T/out" --duration 0.05 --tail 0 --sandbox <"$T/jobs"
    assert_success
    assert_equal "$(jq -c '[.status, .sandbox]' <<<"$output")" '["ok",true]'
    assert_equal "$(cat "$T/out/90.txt")" "$RO_DIR/escaped.txt: $RO_ERR"
}

@test "a sandboxed job reads a MIDI file from a folder the sandbox hides: the render is the one without it" {
    mkdir -p "$T/midi"
    cp "$FIXTURES/midi/files/debian-songwrite/son_guitare.mid" "$T/midi/song.mid"
    for box in "" --sandbox; do
        run render-one --plugin "$VR_TEST_SYNTH_VST3" --midi "$T/midi/song.mid" --tail 0 --sample-rate 22050 \
            --output-root "$T/out$box" -o "$T/out$box/song.wav" $box
        assert_success
        assert_equal "$(jq -c '[.status, .sandbox]' <<<"$output")" "[\"ok\",$([ -n "$box" ] && echo true || echo null)]"
    done
    cmp "$T/out/song.wav" "$T/out--sandbox/song.wav"
    "$VR_BIN/../tests/audio-probe" "$T/out--sandbox/song.wav" | jq -e '.peak_dbfs > -40' >/dev/null ||
        fail "the song rendered silent"
}

@test "--sandbox misused: no output root for -o, --no-isolate, --list-programs: exit 2" {
    assert_usage_error render-one --plugin "$HOSTILE" --sandbox -o "$T/x.wav"
    assert_output --partial "--sandbox needs an output root"
    assert_usage_error render-one --plugin "$HOSTILE" --sandbox --no-isolate --output-root "$T"
    assert_output --partial "not with --no-isolate"
    assert_usage_error render-one --plugin "$HOSTILE" --sandbox --list-programs
    assert_output --partial "not with --list-programs"
}

@test "a sandboxed job without an output root fails alone" {
    sh_run_lines "render-one --plugin '$HOSTILE' --duration 0.05 --tail 0" \
        "{\"note\":60,\"sandbox\":true,\"output_path\":\"$T/a.wav\"}" "{\"note\":60,\"output_path\":\"$T/b.wav\"}"
    assert_failure 1
    assert_equal "$(jq -sc 'map(.status)' <<<"$output")" '["error","ok"]'
    assert_equal "$(jq -sr '.[0].error.message' <<<"$output")" \
        "sandbox: a sandboxed job needs an output root: set output_root (assign-paths does) or give --output-root"
}

@test "no sandbox to be had: --sandbox is fatal (exit 3), a job asking for one fails alone, nothing runs unsandboxed" {
    for bwrap in /nonexistent/bwrap false; do
        VR_BWRAP=$bwrap run render-one --plugin "$HOSTILE" --sandbox --output-root "$T/out" -o "$T/out/a.wav"
        assert_failure 3
        assert_output --partial "render-one: --sandbox: the sandbox is not available here ($bwrap --die-with-parent"
        [ ! -e "$T/out/a.wav" ] || fail "rendered without the sandbox"
    done
    jq -nc --arg out "$T/out" '[true, null][] | {note: 90, sandbox: ., output_path: "\($out)/n\(. // 0).wav"}' \
        >"$T/jobs"
    mkdir -p "$T/out"
    VR_BWRAP=/nonexistent/bwrap VR_HOSTILE_REPORT="$T/out" VR_HOSTILE_WRITE="$RO_DIR/escaped.txt" \
        run --separate-stderr render-one --plugin "$HOSTILE" --output-root "$T/out" --duration 0.05 --tail 0 <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -sc 'map([.status, .sandbox])' <<<"$output")" '[["error",true],["ok",null]]'
    jq -se '.[0].error.message | startswith("the sandbox is not available here (/nonexistent/bwrap")' \
        <<<"$output" >/dev/null || fail "no reason given: $output"
    # Only the unsandboxed job ran the plugin.
    assert_equal "$(cat "$T/out/90.txt")" "$RO_DIR/escaped.txt: ok"
}

@test "a sandbox bwrap cannot make for the worker fails the job saying so, not blaming the plugin" {
    # Passes the availability check (its command ends in `true`), fails
    # every worker's sandbox as bwrap does: a message on stderr, exit 1.
    cat >"$T/bwrap" <<'SH'
#!/bin/sh
for last; do :; done
[ "$last" = true ] && exec bwrap "$@"
echo "bwrap: Can't bind mount /oldroot/x on /newroot/x: No such file or directory" >&2
exit 1
SH
    chmod +x "$T/bwrap"
    mkdir -p "$T/out"
    VR_BWRAP="$T/bwrap" run --separate-stderr render-one --plugin "$HOSTILE" --sandbox --output-root "$T/out" \
        -o "$T/out/a.wav" --duration 0.05 --tail 0
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "the sandboxed render process ended before its first answer (exit status 1): bwrap's message on stderr, if it could not make the sandbox, or the plugin's exit"
    # shellcheck disable=SC2154 # $stderr is set by bats' run --separate-stderr
    [[ "$stderr" == *"bwrap: Can't bind mount"* ]] || fail "bwrap's message is not on stderr: $stderr"
    [ ! -e "$T/out/a.wav" ] || fail "a job with no sandbox left an output"
}

@test "a private plugin home a killed run left behind is removed by the next run; a living run's is kept" {
    export TMPDIR="$T/tmp"
    mkdir -p "$TMPDIR" "$T/out"
    jq -cn --arg o "$T/out/hang.wav" --arg p "$VR_TEST_SYNTH_VST2" \
        '{output_path: $o, plugin_path: $p, set_params: {hang: 1}}' >"$T/hang.job"
    # Starts a sandboxed run whose plugin hangs; returns once it hangs (the mark).
    start_hanging() {
        VR_TEST_SYNTH_HANG_MARK="$T/out/$1" render-one --sandbox --output-root "$T/out" --timeout 600 \
            <"$T/hang.job" >/dev/null 2>&1 &
        HANGING=$!
        wait_for_file "$T/out/$1" "the plugin never hung"
    }
    start_hanging first
    local killed_home living_home
    killed_home=$(names_in "$TMPDIR")
    [[ $killed_home == vr-plugin-home.?????? ]] || fail "no private home: '$killed_home'"
    kill -KILL "$HANGING"
    wait "$HANGING" || true
    assert_equal "$(names_in "$TMPDIR")" "$killed_home"
    start_hanging second
    living_home=$(names_in "$TMPDIR" | grep -vx "$killed_home")
    # A third run sweeps the killed one's home, and not the living one's.
    run render-one --sandbox --plugin "$VR_TEST_SYNTH_VST2" --output-root "$T/out" -o "$T/out/note.wav"
    assert_success
    jq -e '.status == "ok" and .peak_dbfs > -30' <<<"$output" >/dev/null || fail "the third run did not render: $output"
    assert_equal "$(names_in "$TMPDIR")" "$living_home"
    kill -TERM "$HANGING"
    wait "$HANGING" || true
    HANGING=
    assert_equal "$(names_in "$TMPDIR")" ""
}
