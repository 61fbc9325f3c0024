// SPDX-License-Identifier: GPL-3.0-or-later
// What a plugin's own thread says of the wait it blocks in, for a rest
// (linux/thread_rest.hpp): the waits render-one interposes (linux/
// pinned_clocks.cpp) note, before the thread blocks and until it is back,
// which wait it is in (a condition with no timeout or with a deadline, a
// sleep asked for so long or until an instant). A rest reads the note in
// place of the thread's /proc files (linux/task_files.hpp) when it says
// the thread cannot wake by itself before the rest's checks end and no
// condition was signalled since it began: a check of such a thread then
// costs no system call. Raw memory only, nothing allocated. No JUCE here.
#pragma once
#include <ctime>

namespace vr::host {

// What a thread waits in.
enum class wait_kind : int {
    none = 0,
    condition,        // a condition wait: ends when signalled, or at deadline_ns if timed
    relative_sleep,   // a sleep asked for asked_ns
    sleep_until,      // a sleep until deadline_ns on clock
};

struct wait_said {
    wait_kind kind = wait_kind::none;
    bool timed = false;         // condition: with a deadline
    clockid_t clock = CLOCK_MONOTONIC;
    long deadline_ns = 0;       // on clock
    long asked_ns = 0;
};

// The calling thread (a plugin's own, outside any call into a plugin) is
// about to block in the wait said, until the matching wait_ended. Nests
// nowhere: a thread is in one interposed wait at a time.
void wait_begins(const wait_said& said) noexcept;
void wait_ended() noexcept;

// Said by the interposed pthread_cond_signal and pthread_cond_broadcast
// after the real call, for any thread: a thread noted in a condition wait
// since before it may have been woken, and its note is not taken.
void condition_signalled() noexcept;

// Whether notes about conditions can be taken: only where every signal of
// the process passes through condition_signalled (not in a sanitized
// build, whose runtime keeps those calls).
bool conditions_seen() noexcept;

// What a rest reads of thread tid: its note's sequence (odd while it is in
// a noted wait, moving at each wait's start and end; 0: it never noted
// one) and whether the note says it waits where it cannot wake by itself
// before ahead_ns from now (a deadline further ahead) nor after a sleep
// asked for under asked_ns, and no condition it waits on was signalled
// since. hint: where the thread's note was found last, or that it had
// none while no thread took a slot since (kept by the caller from one
// read to the next: a thread that never notes costs no search).
struct note_read {
    unsigned long seq = 0;
    bool parked = false;
};
struct note_hint {
    int slot = -1;
    unsigned long taken = ~0UL;  // slots taken, when slot was last sought in vain
};
note_read read_note(long tid, note_hint& hint, long ahead_ns, long asked_ns) noexcept;

}  // namespace vr::host
