#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# A plugin that seeds from addresses or from memory it never wrote renders
# the same bytes in every process (issue 45 item 1; render-one(1),
# Reproducibility): what it allocates inside a call comes from the plugin
# arena at a fixed address, zeroed (lib/linux/plugin_arena.hpp); its calls
# run on a fixed stack zeroed below the entry (lib/linux/fixed_stack.hpp);
# render-one turns ASLR off for its host, which places the plugin's module
# where it was. Proved with the memory test plugin (tests/plugins/memory:
# note 60 + k seeds from source k), each note everywhere a user runs it
# (tests/everywhere.bash). Against main's commit 7cf530d, before any of
# this, every note rendered otherwise in each of five processes.
#
# The sanitized build leaves malloc to the sanitizer and calls on their own
# stack: the notes that need the arena or the fixed stack skip there,
# saying so.
bats_require_minimum_version 1.5.0
load helper
load everywhere

: "${VR_TEST_MEMORY_VST2:=$TESTS_DIR/../build/plugins/memory/vr-test-memory.so}"
MEMORY=$VR_TEST_MEMORY_VST2
HOST="$VR_BIN/../lib/vst-render/render-one-host"

# Skips in the sanitized build (its host links the AddressSanitizer).
needs_arena() {
    if grep -qa __asan_init "$HOST"; then
        skip "the sanitized build: the sanitizer owns malloc and the stack, so no plugin arena or fixed stack"
    fi
}

@test "note 60, a heap block the plugin never wrote, renders the same bytes everywhere" {
    needs_arena
    same_everywhere "$MEMORY" 60 --duration 0.1 --tail 0
}

@test "note 61, a stack array the plugin never set, renders the same bytes everywhere" {
    needs_arena
    same_everywhere "$MEMORY" 61 --duration 0.1 --tail 0
}

@test "note 62, the instance's address, renders the same bytes everywhere" {
    needs_arena
    same_everywhere "$MEMORY" 62 --duration 0.1 --tail 0
}

@test "note 63, a static's address, renders the same bytes everywhere; with --real-randomness it differs" {
    # The sanitizer's allocator maps its memory with mmap, as many times as
    # the host's allocations ask, so where the plugin's module is then
    # mapped moves with the environment's size (env -i differed, in the
    # sanitized pass of 2026-11-26): no arena, no fixed module address.
    needs_arena
    same_everywhere "$MEMORY" 63 --duration 0.1 --tail 0
    differs_with_real_randomness "$MEMORY" 63 --duration 0.1 --tail 0
}

@test "a host whose addresses are randomized says so: a warning and reproducible false" {
    local level
    level=$(cat /proc/sys/kernel/randomize_va_space)
    [ "$level" != 0 ] || skip "this kernel randomizes no address (randomize_va_space 0)"
    # The host run without render-one keeps the caller's randomization, as
    # where personality(ADDR_NO_RANDOMIZE) is refused.
    run -0 "$HOST" --plugin "$MEMORY" --note 63 --duration 0.1 --tail 0 -o "$BATS_TEST_TMPDIR/r.wav"
    run jq -r '[.status, .reproducible, (.warning | contains("addresses are randomized in this process"))] | @tsv' <<<"$output"
    assert_output "ok	false	true"
    # Through render-one the same job has neither.
    run -0 render-one --plugin "$MEMORY" --note 63 --duration 0.1 --tail 0 -o "$BATS_TEST_TMPDIR/p.wav"
    run jq -r '[.status, has("reproducible"), has("warning")] | @tsv' <<<"$output"
    assert_output "ok	false	false"
}

# Under --isolation fresh and reset the job's instance is a second one of
# the process (the worker's first stays): its addresses may differ from a
# one-off's, but not from job to job.
@test "each note renders the same bytes in every job of a batch, in either order, under every isolation mode" {
    needs_arena
    local dir="$BATS_TEST_TMPDIR" mode order note i
    render-one --plugin "$MEMORY" --note 60 --duration 0.1 --tail 0 -o "$dir/alone60.wav" > /dev/null
    for mode in fork fresh reset; do
        for order in fwd back; do
            mkdir -p "$dir/$mode-$order"
            for i in 1 2; do
                for note in 60 61 62 63; do
                    printf '{"note":%d,"output_path":"%s/%d-%d.wav"}\n' "$note" "$dir/$mode-$order" "$note" "$i"
                done
            done > "$dir/$mode-$order.jobs"
            if [ "$order" = back ]; then
                tac "$dir/$mode-$order.jobs" > "$dir/jobs.tac"
                mv "$dir/jobs.tac" "$dir/$mode-$order.jobs"
            fi
            render-one --plugin "$MEMORY" --isolation "$mode" --duration 0.1 --tail 0 < "$dir/$mode-$order.jobs" \
                > "$dir/$mode-$order.ndjson"
            run jq -s -r --arg mode "$mode" '[.[] | select(.status == "ok" and .isolation == $mode)] | length' \
                "$dir/$mode-$order.ndjson"
            assert_output 8
            for i in 1 2; do
                for note in 60 61 62 63; do
                    cmp -s "$dir/$mode-fwd/$note-1.wav" "$dir/$mode-$order/$note-$i.wav" ||
                        fail "--isolation $mode ($order): note $note, job $i of its kind, differs from the first"
                done
            done
        done
    done
    # Forked from the worker's first instance, as a one-off renders on it.
    cmp -s "$dir/alone60.wav" "$dir/fork-fwd/60-1.wav" || fail "--isolation fork: note 60 differs from a one-off"
}
