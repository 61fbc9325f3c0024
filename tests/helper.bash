# SPDX-License-Identifier: GPL-3.0-or-later
# Shared set-up for the bats tests: tool paths, fixtures, assertions.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

TESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # used by the files that load this one
FIXTURES="$TESTS_DIR/fixtures"
: "${VR_BIN:=$TESTS_DIR/../build/bin}"
PATH="$VR_BIN:$PATH"
# The test plugins' paths: make exports them, and a bats run by hand finds
# the same build (tests/plugin-paths.bash).
# shellcheck source=tests/plugin-paths.bash
source "$TESTS_DIR/plugin-paths.bash"

# For a test of Windows plugins: fails saying why when wine, the scratch
# prefix of the run (tests/with-wine-prefix, which `make bats` runs bats
# under) or the Windows test plugins are missing; else sets WINEPREFIX to
# the scratch prefix. A Windows test never skips.
#
# With no argument no server runs for the prefix (one a `warm` test left
# is stopped), as before a user's first render-one. With `warm` it is up,
# as `wineserver -p` by hand keeps it (render-one(1): how many one-job
# runs start fastest): a one-off Windows render takes 0.3 s, not 2.2.
# For suites whose subject is not the server's life.
require_wine() {
    if [[ -n "${VR_TEST_WINE_MISSING:-}" ]]; then
        fail "no wine here: $VR_TEST_WINE_MISSING"
    fi
    if [[ -z "${VR_TEST_WINEPREFIX:-}" ]]; then
        fail "VR_TEST_WINEPREFIX is not set: run the Windows tests through tests/with-wine-prefix (make bats does)"
    fi
    if [[ ! -f "$VR_WIN_SYNTH_VST2" ]]; then
        fail "the Windows test plugins are not built ($VR_WIN_SYNTH_VST2): make test-plugins needs the mingw-w64 cross compiler"
    fi
    export WINEPREFIX="$VR_TEST_WINEPREFIX"
    if [[ ${1:-} == warm ]]; then
        wineserver -k0 2>/dev/null || wineserver -p 3>&- </dev/null >/dev/null 2>&1 ||
            fail "wineserver -p could not start the server of $WINEPREFIX"
    elif wineserver -k0 2>/dev/null; then
        wineserver -k 2>/dev/null
        wineserver -w
    fi
}

# Plugins that write to $HOME (amsynth) get a scratch one.
export HOME="${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/home"
mkdir -p "$HOME"
# render-one's probe cache (render-one(1)) lives in that HOME, shared by a
# file's tests (never in a cache folder of the user's). VR_TEST_NO_CACHE
# (make bats-no-cache) gives it a folder that cannot be made: nothing is
# kept, every run probes, as with --no-cache.
if [[ -n "${VR_TEST_NO_CACHE:-}" ]]; then
    export XDG_CACHE_HOME=/dev/null/vr-no-cache
else
    unset XDG_CACHE_HOME
fi

# Job records of plugin $1, one per name after it (out/NAME.npy): note 69
# (velocity 100) for 0.5 s and a 0.5 s tail, more fields as JSON in $MORE.
# The display suites' (windows-display.bats, linux-display.bats).
jobs_of() {
    local plugin="$1" name more="${MORE:-}"
    shift
    [[ -n "$more" ]] || more='{}'
    for name in "$@"; do
        jq -nc --arg p "$plugin" --arg o "out/$name.npy" --argjson more "$more" \
            '{plugin_path: $p, output_path: $o, note: 69, duration_s: 0.5, tail_s: 0.5} + $more'
    done
}

# The test synth's build of format $1: vst2, vst3 or lv2.
synth_of() {
    case $1 in
        vst2) echo "$VR_TEST_SYNTH_VST2" ;;
        vst3) echo "$VR_TEST_SYNTH_VST3" ;;
        lv2) echo "$VR_TEST_SYNTH_LV2" ;;
    esac
}

# Runs a command line through bash so that pipes and redirections work in `run`.
sh_run() { run bash -c "$1"; }

# sh_run with the other arguments on the command line's standard input, one
# a line: records written as they read, with no shell quoting around them.
sh_run_lines() {
    local cmd=$1
    shift
    sh_run "$cmd" < <(printf '%s\n' "$@")
}

# Runs the tool $1 with the other arguments and asserts that it refused them
# as misuse: exit 2 and the hint to try its --help. $output stays for more.
assert_usage_error() {
    run "$@"
    assert_failure 2
    assert_output --partial "try '$1 --help'"
}

# Each line of $output must be a JSON object.
# shellcheck disable=SC2154 # $output is set by bats' run
assert_ndjson() {
    # One jq for all lines (one per line cost seconds on long outputs).
    local bad
    bad=$(jq -R -r '. as $l | (try (fromjson | type) catch "not JSON") as $t
        | select($t != "object") | "line \(input_line_number) is not a JSON object: \($l)"' <<<"$output")
    [ -z "$bad" ] || fail "$bad"
}

# The standard checks every tool that reads records must pass (HOUSE-STYLE.md).
# $1: the tool and its arguments, reading records on stdin.
check_record_tool_contract() {
    local cmd="$1"
    # A malformed line becomes an error record with its line number; the run goes on.
    sh_run "printf '%s\n' 'not json' '[1,2]' | $cmd"
    assert_failure 1
    assert_line --index 0 --partial '"line":1'
    assert_line --index 1 --partial '"line":2'
    # A number JSON cannot hold is a bad line too, not a fatal error.
    sh_run "echo '{\"a\":1e999}' | $cmd"
    assert_failure 1
    assert_output --partial '"line":1'
    # An errored record passes through untouched.
    local err='{"x":1,"status":"error","error":{"tool":"other","message":"boom"}}'
    sh_run "echo '$err' | $cmd"
    assert_failure 1
    assert_output "$err"
    # stdout that cannot be written is fatal.
    sh_run "echo '$err' | $cmd >/dev/full"
    assert_failure 3
    assert_output --partial "cannot write standard output"
}

# Fails if any temporary file of ours (.vr-tmp-) is left below $1.
assert_no_tmp_left() {
    local left
    left=$(find "$1" -name '*.vr-tmp-*' 2>/dev/null)
    [ -z "$left" ] || fail "temporary files left behind: $left"
}

# Prints the process $1 and its descendants, stopping each before looking
# at its children so that none can fork a new one in between.
freeze_tree() {
    kill -STOP "$1" 2>/dev/null || return 0
    echo "$1"
    local child
    for child in $(ps -o pid= --ppid "$1"); do freeze_tree "$child"; done
}

# A TCP port nothing listens on.
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Waits for file $1 to appear (an event: a plugin's hang mark, say), with
# a generous bound; fails saying $2 when it never does.
wait_for_file() {
    for _ in $(seq 3000); do
        if [ -e "$1" ]; then return 0; fi
        sleep 0.01
    done
    fail "$2"
}

# Put before a command: runs it with SIGINT, SIGQUIT and SIGTERM at their
# defaults, so that a test signals render-one as a user's shell would
# start it, not as the test's caller left them. (A simple command: the
# background job is env, which execs render-one, so $! is render-one's pid;
# a function would be a subshell between them.)
# shellcheck disable=SC2054,SC2034 # the commas are env's list, one word
DEFAULT_SIGNALS=(env --default-signal=INT,QUIT,TERM)

# Sends SIGINT to background process $1 (started with DEFAULT_SIGNALS, so
# that it has the default SIGINT) once a Windows worker runs, with a generous bound
# (fails saying $2 if none starts), and waits for it: its exit status is
# this one's.
interrupt_once_windows_worker_runs() {
    local pid=$1
    await_windows_worker_of "$pid" >/dev/null || fail "$2" || return
    kill -INT "$pid"
    wait "$pid"
}

# Prints the pid of the Windows worker (wine's process that runs
# vr-win-worker.exe) that process $1 started, once one runs, with a
# generous bound; fails (status 1) if none does. Another render-one's on
# this machine is never taken for it.
await_windows_worker_of() {
    local p q
    for _ in $(seq 3000); do
        for p in $(pgrep -f 'vr-win-worker[.]exe'); do
            q=$p
            while [ -n "$q" ] && [ "$q" -gt 1 ]; do
                q=$(ps -o ppid= -p "$q" | tr -d ' ')
                if [ "$q" = "$1" ]; then
                    echo "$p"
                    return 0
                fi
            done
        done
        sleep 0.01
    done
    return 1
}

# Renders one note of the test synth build $1 in two render-one processes
# with VR_TEST_SYNTH_CLOCK_AT_END set ($2: what the plugin's path needs
# before the Linux one, "Z:" under wine): the two renders must be one file
# while the monotonic clock the plugin's destructor read for the last
# instance differs between them, as a worker that ends destroys its last
# instance outside the instance's context (host/plugin_call.hpp,
# set_renders_over), on the real clock.
assert_last_instance_destroyed_on_real_clock() {
    local plugin=$1 drive=$2 a b
    render_clock_at_end "$plugin" "$drive" 1
    render_clock_at_end "$plugin" "$drive" 2
    assert_equal "$(npy_diff "$BATS_TEST_TMPDIR/end1.npy" "$BATS_TEST_TMPDIR/end2.npy")" "0.0 0"
    # The last line (a cold probe cache adds the readings of instances
    # destroyed inside calls first), without the carriage return a Windows
    # plugin's text-mode file ends it with.
    a=$(tail -n 1 "$BATS_TEST_TMPDIR/end1" | tr -d '\r')
    b=$(tail -n 1 "$BATS_TEST_TMPDIR/end2" | tr -d '\r')
    [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] || fail "not clock readings: '$a', '$b'"
    [[ $a != "$b" ]] || fail "both processes' last instances read $a as they were destroyed: the virtual clock, inside the instance's context"
}

# Render $3 of assert_last_instance_destroyed_on_real_clock (its own
# function: bats's run sets variables of the caller's loops).
render_clock_at_end() {
    VR_TEST_SYNTH_CLOCK_AT_END="$2$BATS_TEST_TMPDIR/end$3" run --separate-stderr \
        render-one --plugin "$1" -o "$BATS_TEST_TMPDIR/end$3.npy" --note 69 --duration 0.2 --tail 0.2
    assert_success
    [[ -s $BATS_TEST_TMPDIR/end$3 ]] || fail "render $3: the plugin's destructor wrote no clock reading"
}

# The names in folder $1, hidden ones too, one a line, in C order.
names_in() { find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort; }

# The seeds test plugin's jobs and checks, shared by tests/reproducible.bats
# (Linux) and tests/windows-seeds.bats (Windows): the suite sets SEED_FIRST
# and SEED_LAST (the notes that each draw from one source) and SEED_EXT
# (the files' extension).

# Jobs for notes $2... (default every source's) into folder $1.
seed_jobs() {
    local dir=$1 note
    shift
    [ $# -gt 0 ] || set -- $(seq "$SEED_FIRST" "$SEED_LAST")
    for note in "$@"; do
        printf '{"note":%d,"output_path":"%s/n%d.%s"}\n' "$note" "$dir" "$note" "$SEED_EXT"
    done
}

# Folders $1 and $2 hold the same file names with the same bytes, and $3
# files (default one per source) of them.
assert_same_files() {
    local f n=0
    for f in "$1"/*."$SEED_EXT"; do
        cmp "$f" "$2/${f##*/}" || fail "${f##*/} differs between $1 and $2"
        n=$((n + 1))
    done
    assert_equal "$n" "${3:-$((SEED_LAST - SEED_FIRST + 1))}"
    assert_equal "$(names_in "$1")" "$(names_in "$2")"
}

# Every record in file $1 is ok, sounds (peak above -40 dBFS), has seed $2
# and, when $3 is given, randomness $3.
assert_all_sound() {
    run jq -c --argjson seed "$2" --arg how "${3:-}" \
        'select(.status != "ok" or .peak_dbfs < -40 or .seed != $seed or ($how != "" and .randomness != $how))
         | [.note, .status, .peak_dbfs, .seed, .randomness]' "$1"
    assert_output ""
    [ "$(wc -l < "$1")" -gt 0 ] || fail "$1 holds no record"
}

# --check-reproducible on the seeds plugin ($SEEDS), notes $1 and $2 into
# $OUT: pinned, both records say reproducible true and stderr nothing; with
# --real-randomness, false, and stderr says why once.
assert_check_reproducible() {
    seed_jobs "$OUT" "$1" "$2" | render-one --plugin "$SEEDS" --check-reproducible --duration 0.2 --tail 0 \
        > "$OUT/pinned.ndjson" 2> "$OUT/pinned.err"
    run jq -c '[.status, .reproducible]' "$OUT/pinned.ndjson"
    assert_output '["ok",true]
["ok",true]'
    run grep -c "not reproducible" "$OUT/pinned.err"
    assert_output 0
    seed_jobs "$OUT" "$1" "$2" | render-one --plugin "$SEEDS" --real-randomness --check-reproducible \
        --duration 0.2 --tail 0 > "$OUT/real.ndjson" 2> "$OUT/real.err"
    run jq -c '[.status, .reproducible]' "$OUT/real.ndjson"
    assert_output '["ok",false]
["ok",false]'
    run grep -c "vr-test-seeds: not reproducible: a second process renders the same note otherwise" "$OUT/real.err"
    assert_output 1
}

# Test audio in folder $1: noise.npy (0.1 s of stereo float32 noise at 48
# kHz, drawn from seed $2) and sine44k.wav (a 1 kHz sine at amplitude
# 3000/32768, stereo 16-bit, 44100 Hz, 0.5 s).
write_test_audio() {
    /usr/bin/python3 - "$1" "$2" <<'EOF'
import sys, wave
import numpy as np
d, seed = sys.argv[1], int(sys.argv[2])
r = np.random.default_rng(seed)
np.save(d + "/noise.npy", (r.standard_normal((4800, 2)) * 0.1).astype(np.float32))
t = np.arange(22050) / 44100
pcm = np.repeat(np.round(np.sin(2 * np.pi * 1000 * t) * 3000)[:, None], 2, axis=1).astype("<i2")
with wave.open(d + "/sine44k.wav", "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100); w.writeframes(pcm.tobytes())
EOF
}

# Prints the largest absolute difference between two .npy files (the second
# float32, of the first's shape), and how many samples differ.
npy_diff() {
    /usr/bin/python3 -c "import numpy as np, sys; a = np.load(sys.argv[1]); b = np.load(sys.argv[2]);
assert a.shape == b.shape and b.dtype == np.float32, (a.shape, b.shape, b.dtype)
print(float(np.abs(a - b).max()), int((a != b).sum()))" "$1" "$2"
}

# The clock tick (of /proc/PID/stat's start times) now.
ticks_now() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", $1 * hz }' /proc/uptime; }

# The zombies named render-one-host started after tick $1 whose parent is
# gone: init took them (this machine's reaps them a second or so later; an
# init that reaps nothing, a container's, keeps them for good).
orphan_zombies_since() {
    local f stat n=0
    for f in /proc/[0-9]*/stat; do
        stat=$(cat "$f" 2>/dev/null) || continue
        [[ $stat == *"(render-one-host) "* ]] || continue
        # The fields after the name: state, ppid, ... the start time 20th.
        read -r -a rest <<<"${stat##*) }"
        if [ "${rest[0]}" = Z ] && [ "${rest[1]}" = 1 ] && [ "${rest[19]}" -ge "$1" ]; then n=$((n + 1)); fi
    done
    echo "$n"
}

# Chromium and playwright-core (installed from the lock file on first use).
browser_ready() {
    command -v node >/dev/null || fail "node is missing (make deps)"
    [ -x /usr/bin/chromium ] || fail "chromium is missing (make deps)"
    local browser="$TESTS_DIR/browser"
    [ -d "$browser/node_modules/playwright-core" ] ||
        npm ci --prefix "$browser" --no-audit --no-fund >/dev/null 2>&1 || fail "npm ci --prefix $browser failed"
}

# The test synth's state (tests/plugins/README.md): level, release, payload.
# Also prints nothing; writes FILE.
vrts_state() {
    python3 - "$@" <<'PY'
import struct, sys
out, level, release, payload = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4].encode()
vals = [level, release] + [0.0] * 9
open(out, "wb").write(b"VRTS" + struct.pack("<II", 1, 11) + struct.pack("<11f", *vals)
                      + struct.pack("<II", 0, len(payload)) + payload)
PY
}
