#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The monotonic clocks a plugin reads while render-one's worker is inside a
# call into it are the instance's virtual clock (render-one(1),
# Reproducibility; lib/linux/pinned_clocks.hpp): a plugin seeding from
# CLOCK_MONOTONIC, std::chrono::steady_clock, a reading taken as it is made
# or times() renders the same bytes in every process, every environment and
# every order (tests/everywhere.bash), and --real-randomness makes them
# differ, so these tests can fail. A wait the plugin makes inside a process
# call lasts the 50 ms it meant, on the virtual clock, and ends.
#
# Before this work (main at 7cf530d) every clock note failed here: run with
# VR_BIN=/work/main/build/bin, the five one-off processes of note 60 gave
# five different files ("one-off process 2: one2.wav differs from the first
# one-off render"), and likewise notes 61, 62 and 63; note 64 too, its real
# wait lasting 50 ms in one process and 51 in another; notes 65..68 said
# 20,780 and 20,860 microseconds where the virtual clock says 20,001.
bats_require_minimum_version 1.5.0
load helper
load everywhere

CLOCKS=$VR_TEST_CLOCKS_VST2

# Notes of tests/plugins/clocks (README.md there).
MONOTONIC=60 STEADY=61 BIRTH=62 TIMES=63 WAIT=64

# Prints the number of frames of .npy file $1 and the set of its values.
npy_values() {
    /usr/bin/python3 -c "import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape[0], sorted(set(a.ravel().tolist())))" "$1"
}

@test "a note seeded from clock_gettime(CLOCK_MONOTONIC) in the note-on: the same bytes everywhere" {
    same_everywhere "$CLOCKS" "$MONOTONIC" --duration 0.1 --tail 0
    differs_with_real_randomness "$CLOCKS" "$MONOTONIC" --duration 0.1 --tail 0
}

@test "a note seeded from std::chrono::steady_clock (libstdc++.so's, through libc's clock_gettime): the same bytes everywhere" {
    same_everywhere "$CLOCKS" "$STEADY" --duration 0.1 --tail 0
    differs_with_real_randomness "$CLOCKS" "$STEADY" --duration 0.1 --tail 0
}

@test "a note seeded from CLOCK_MONOTONIC read as the instance is made: the same bytes everywhere" {
    same_everywhere "$CLOCKS" "$BIRTH" --duration 0.1 --tail 0
    differs_with_real_randomness "$CLOCKS" "$BIRTH" --duration 0.1 --tail 0
}

@test "a note seeded from times(): the same bytes everywhere" {
    same_everywhere "$CLOCKS" "$TIMES" --duration 0.1 --tail 0
    differs_with_real_randomness "$CLOCKS" "$TIMES" --duration 0.1 --tail 0
}

@test "a worker that ends frees its last instance outside the instance's context: the test synth's destructor reads the real clock" {
    assert_last_instance_destroyed_on_real_clock "$VR_TEST_SYNTH_VST3" ""
}

@test "a 50 ms wait_for on an unsignalled condition inside a process call takes 50 ms of the virtual clock, ends, and renders the same bytes everywhere" {
    # The plugin outputs min(w, 100) / 100, w the whole milliseconds
    # steady_clock said the wait took: 0.5 when 50 <= w < 51; a wait that
    # returned at once (a deadline on the real clock, long past) gives 0.
    render-one --plugin "$CLOCKS" --note "$WAIT" --duration 0.1 --tail 0 -o "$BATS_TEST_TMPDIR/wait.npy" \
        > "$BATS_TEST_TMPDIR/wait.json"
    run jq -r .status "$BATS_TEST_TMPDIR/wait.json"
    assert_output ok
    run npy_values "$BATS_TEST_TMPDIR/wait.npy"
    assert_output "4800 [0.5]"
    same_everywhere "$CLOCKS" "$WAIT" --duration 0.1 --tail 0
}

@test "a 20 ms pthread_cond_timedwait (CLOCK_MONOTONIC condition), clock_nanosleep to an instant, nanosleep and usleep inside a process call each take exactly 20 ms of the virtual clock" {
    # Notes 65..68 output the whole microseconds between the readings
    # before and after the wait, over 100000: 20000 waited, 1 the second
    # reading's step. The real clock would say 20000 and some scheduling.
    local note i
    for note in 65 66 67 68; do
        for i in 1 2 3; do
            render-one --plugin "$CLOCKS" --note "$note" --duration 0.05 --tail 0 \
                -o "$BATS_TEST_TMPDIR/w$note-$i.npy" > /dev/null
            run npy_values "$BATS_TEST_TMPDIR/w$note-$i.npy"
            assert_output "2400 [0.2000100016593933]"
        done
        cmp "$BATS_TEST_TMPDIR/w$note-1.npy" "$BATS_TEST_TMPDIR/w$note-3.npy" || fail "note $note: two processes differ"
    done
}

@test "a 20 ms wait until a wall-clock deadline inside a process call (JUCE 5's WaitableEvent, wait_until on system_clock with a predicate, sem_timedwait) lasts 20 ms of the virtual clock, not none, and ends" {
    # Notes 69..71 compute their deadline from the pinned wall clock, which
    # reads 2020: handed to libc as it is, the wait ended at once (the
    # plugin then said 0.00002: two readings' steps) and note 70, whose
    # libstdc++ loop ends only once system_clock reads the deadline, spun
    # until its time limit. Waited for as far ahead as the deadline lies
    # ahead of the pinned clock, each takes 20000 us and the second
    # reading's step, in every process.
    local note i
    for note in 69 70 71; do
        for i in 1 2; do
            render-one --plugin "$CLOCKS" --note "$note" --duration 0.05 --tail 0 --timeout 20 \
                -o "$BATS_TEST_TMPDIR/w$note-$i.npy" > "$BATS_TEST_TMPDIR/w$note-$i.json"
            run jq -r .status "$BATS_TEST_TMPDIR/w$note-$i.json"
            assert_output ok
            run npy_values "$BATS_TEST_TMPDIR/w$note-$i.npy"
            assert_output "2400 [0.2000100016593933]"
        done
        cmp "$BATS_TEST_TMPDIR/w$note-1.npy" "$BATS_TEST_TMPDIR/w$note-2.npy" || fail "note $note: two processes differ"
    done
}

@test "with --real-randomness a wall-clock wait is libc's own and still lasts its 20 ms" {
    render-one --plugin "$CLOCKS" --note 69 --duration 0.05 --tail 0 --real-randomness \
        -o "$BATS_TEST_TMPDIR/real.npy" > /dev/null
    run /usr/bin/python3 -c "import numpy as np, sys; v = float(np.load(sys.argv[1]).min()); sys.exit(0 if v >= 0.2 else 1)" \
        "$BATS_TEST_TMPDIR/real.npy"
    assert_success
}
