#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A Windows plugin that seeds from a monotonic clock renders the same bytes
# in every process (issue 45 item 2, render-one(1) REPRODUCIBILITY): inside
# a call into the plugin, the Windows worker answers its
# QueryPerformanceCounter, GetTickCount64, timeGetTime and the like from
# the instance's virtual clock (windows/pinned_clocks.hpp), and its _ftime
# from the pinned wall clock; a wait there lasts what the plugin meant and
# the clock says it passed, and a wait until a deadline of the pinned wall
# clock (issue 65) lasts until then and moves the thread's wall clock to it. Proved with the clocks test plugin built for
# Windows (tests/plugins/clocks/README.md, "Windows"). Against main's
# commit 7cf530d, which left these clocks real, every clock note differs
# between processes: run this file with VR_BIN=/work/main/build/bin
# tests/with-wine-prefix bats (its render-one starts its own build's
# worker). --real-randomness leaves them real still, and the same jobs
# differ, so these tests can fail.
#
# A Windows render-one takes a second or more to start: the whole of
# tests/everywhere.bash (five processes, other environments, parallel -j2
# both ways, a batch of 100, --check-reproducible) runs on note 66, which
# reads all four clocks, and the other clock notes are checked in five
# processes that each render all of them, and twice with --real-randomness
# the same way (two processes, not two a note), to keep the suite within
# its 3 minutes. Plain pass only, like tests/windows-seeds.bats.
bats_require_minimum_version 1.5.0
load helper
load everywhere

CLOCKS=$VR_WIN_CLOCKS_VST2

# The notes that draw from a clock: QueryPerformanceCounter, GetTickCount64,
# the birth reading (QueryPerformanceCounter as the plugin is made),
# timeGetTime, _ftime64_s, all four at once.
CLOCK_NOTES=(60 61 62 63 65 66)
WAIT_NOTE=64
# The waits until 20 ms of the wall clock: a loop of WaitForSingleObject
# until GetSystemTimeAsFileTime reads its deadline, wait_until on
# system_clock with a false predicate (libstdc++ and winpthreads), a timer
# with an absolute due time, sleep_until as MSVC's C++ library makes it
# (wine's msvcp140.dll).
WALL_WAIT_NOTES=(67 68 69 70)

setup() {
    require_wine warm
    [[ -f "$CLOCKS" ]] || fail "the Windows clocks plugin is not built ($CLOCKS): make test-plugins"
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# One job a note of $2... into folder $1, as .npy.
clock_jobs() {
    local dir=$1 note
    shift
    for note in "$@"; do printf '{"note":%d,"output_path":"%s/n%d.npy"}\n' "$note" "$dir" "$note"; done
}

# Renders every clock note in one render-one into folder $1, with more
# options after; every job ok and sounding.
render_clock_notes() {
    local dir=$1
    shift
    mkdir -p "$dir"
    clock_jobs "$dir" "${CLOCK_NOTES[@]}" | render-one --plugin "$CLOCKS" --duration 0.1 --tail 0 "$@" \
        > "$dir.ndjson" 2> "$dir.err" || fail "render-one failed: $(cat "$dir.err")"
    run jq -c 'select(.status != "ok" or .peak_dbfs < -40) | [.note, .status, .peak_dbfs]' "$dir.ndjson"
    assert_output ""
    run jq -s length "$dir.ndjson"
    assert_output "${#CLOCK_NOTES[@]}"
}

@test "note 66 (all four clocks) gives one file in every way render-one runs" {
    same_everywhere "$CLOCKS" 66 --duration 0.1 --tail 0
}

@test "every clock note renders the same bytes in five separate processes; _ftime64_s reads the pinned wall clock" {
    local i note
    for i in 1 2 3 4 5; do render_clock_notes "$OUT/$i"; done
    for i in 2 3 4 5; do
        for note in "${CLOCK_NOTES[@]}"; do
            cmp "$OUT/1/n$note.npy" "$OUT/$i/n$note.npy" || fail "note $note differs between processes 1 and $i"
        done
    done
    # Note 65 plays the noise of time x 1000 + millitm: under seed 0,
    # 2020-01-01 00:00:00 UTC and no milliseconds (render-one(1)).
    run /usr/bin/python3 - "$OUT/1/n65.npy" 1577836800000 <<'EOF'
import sys
import numpy as np
M = (1 << 64) - 1
x = int(sys.argv[2])
want = []
for _ in range(64):
    x ^= x >> 12
    x ^= (x << 25) & M
    x ^= x >> 27
    r = (x * 0x2545F4914F6CDD1D) & M
    want.append(0.25 * (100 / 127.0) * ((r >> 11) * 2.0**-53 * 2.0 - 1.0))
got = np.load(sys.argv[1])[:64, 0]
if not (got == np.array(want, dtype=np.float32)).all():
    sys.exit("note 65 is not the noise of %s" % sys.argv[2])
EOF
    assert_success
}

@test "--real-randomness leaves the clocks real: every clock note differs between two processes" {
    local note
    render_clock_notes "$OUT/a" --real-randomness
    render_clock_notes "$OUT/b" --real-randomness
    run jq -r .randomness "$OUT/a.ndjson"
    assert_equal "$(sort -u <<<"$output")" real
    for note in "${CLOCK_NOTES[@]}"; do
        if cmp -s "$OUT/a/n$note.npy" "$OUT/b/n$note.npy"; then
            fail "note $note rendered the same bytes twice with --real-randomness"
        fi
    done
}

@test "a 50 ms wait inside a call lasts 50 ms of the virtual clock: the wait note plays 0.5 throughout" {
    render-one --plugin "$CLOCKS" --note "$WAIT_NOTE" --duration 0.1 --tail 0 -o "$OUT/wait.npy" \
        > "$OUT/wait.json" 2> "$OUT/wait.err" || fail "render-one failed: $(cat "$OUT/wait.err")"
    run jq -r '[.status, .randomness] | @tsv' "$OUT/wait.json"
    assert_output "ok	pinned"
    # Every sample, both channels: min(w, 100) / 100 for w whole
    # milliseconds the plugin's QueryPerformanceCounter said the wait took:
    # 0 if the wait left the virtual clock where it was, nothing if it hung.
    # (With the real clock, as at 7cf530d, a real 50 ms says 0.5 too.)
    run /usr/bin/python3 -c '
import sys
import numpy as np
a = np.load(sys.argv[1])
if a.size == 0 or not (a == np.float32(0.5)).all():
    sys.exit("the wait note plays %s, not 0.5" % sorted(set(a.ravel().tolist()))[:4])
' "$OUT/wait.npy"
    assert_success
}

# Prints the number of frames of .npy file $1 and the set of its values.
npy_values() {
    /usr/bin/python3 -c "import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape[0], sorted(set(a.ravel().tolist())))" "$1"
}

@test "a 20 ms wait until a wall-clock deadline inside a process call (a loop on GetSystemTimeAsFileTime, wait_until on system_clock, an absolute waitable timer, msvcp140's sleep_until) lasts 20 ms of the virtual clock, ends, and is the same in two processes" {
    # Each note computes its deadline from the pinned wall clock. When that
    # clock stood still (before the Windows worker moved a thread's wall
    # clock by its own waits, issue 65), notes 67 and 68, whose loops end
    # only once the wall clock reads the deadline, waited 20 ms after 20 ms
    # until their time limit; the timer of note 69, due in 2020 by the real
    # clock, fired at once (the plugin said 0.00001: one reading's step);
    # and msvcp140's _Thrd_sleep of note 70, which compares its deadline
    # with the real clock, returned at once, so its loop spun until the
    # time limit. Now each plays the whole microseconds QueryPerformanceCounter
    # said the wait took over 100000: 20000 waited, 1 the second reading's
    # step, and for note 68 2 more: winpthreads reads GetTickCount64 before
    # and after its wait (each reading of the virtual clock one step).
    local i note
    for i in 1 2; do
        mkdir -p "$OUT/w$i"
        clock_jobs "$OUT/w$i" "${WALL_WAIT_NOTES[@]}" |
            render-one --plugin "$CLOCKS" --duration 0.05 --tail 0 --timeout 10 > "$OUT/w$i.ndjson" \
                2> "$OUT/w$i.err" || fail "render-one failed: $(cat "$OUT/w$i.err") $(cat "$OUT/w$i.ndjson")"
        run jq -s -r 'sort_by(.note) | map("\(.note) \(.status) \(.randomness)") | join(",")' "$OUT/w$i.ndjson"
        assert_output "67 ok pinned,68 ok pinned,69 ok pinned,70 ok pinned"
        for note in 67 69 70; do
            run npy_values "$OUT/w$i/n$note.npy"
            assert_output "2400 [0.2000100016593933]"
        done
        run npy_values "$OUT/w$i/n68.npy"
        assert_output "2400 [0.20002999901771545]"
    done
    for note in "${WALL_WAIT_NOTES[@]}"; do
        cmp "$OUT/w1/n$note.npy" "$OUT/w2/n$note.npy" || fail "note $note: two processes differ"
    done
}

@test "each job starts at the seed's instant again: _ftime64_s after the waits of earlier jobs in the same worker reads what it reads alone" {
    # The wall clock a thread's waits moved on is reset at each job: note
    # 65 (the noise of _ftime64_s) rendered after the four wall-clock waits,
    # on the same worker thread, equals note 65 rendered alone.
    mkdir -p "$OUT/after" "$OUT/alone"
    clock_jobs "$OUT/after" "${WALL_WAIT_NOTES[@]}" 65 |
        render-one --plugin "$CLOCKS" --duration 0.05 --tail 0 --timeout 10 > "$OUT/after.ndjson" \
            2> "$OUT/after.err" || fail "render-one failed: $(cat "$OUT/after.err")"
    clock_jobs "$OUT/alone" 65 | render-one --plugin "$CLOCKS" --duration 0.05 --tail 0 > "$OUT/alone.ndjson" \
        2> "$OUT/alone.err" || fail "render-one failed: $(cat "$OUT/alone.err")"
    cmp "$OUT/after/n65.npy" "$OUT/alone/n65.npy" || fail "_ftime64_s read a wall clock an earlier job's waits moved"
}
