// SPDX-License-Identifier: GPL-3.0-or-later
// The rest: inside a call into a plugin, before the calling thread goes on
// after it woke another thread, slept or timed out (linux/
// pinned_clocks.cpp), the plugin's other threads run until they rest, so
// that what the caller then sees of them (a flag set, a thread gone) does
// not depend on how the scheduler ran them. It watches them through what
// they note of their waits and through /proc (linux/task_files.hpp). No
// JUCE here.
#pragma once

namespace vr::host {

// Returns once no thread of this process but the caller's is running, in
// uninterruptible sleep or stopped (a tracer's stop at each system call
// under strace -f, a stop signal's: it goes on once let go) at `checks`
// checks in a row, `every_us`
// microseconds apart, or once those threads used 50 ms of CPU time since
// it began (one keeps busy; not while a busy one has a tracer, whose stops
// count as its CPU time), or after 2 s; while one is running, checks
// under 250 us apart draw apart, up to four times every_us (4 ms for a
// thread started since the rest before), and the wait between them ends
// when that thread says it is about to block (about_to_wait, below).
// Sooner, at a check where none is running and each waits where it cannot
// wake by itself before the last of those checks (a futex wait with no
// timeout or one ending later, a relative sleep of ten times every_us or
// more: linux/task_files.hpp's parked, by the thread's note or its
// syscall file), or, when ran_is_rest, has been on a CPU (or begun or
// ended a noted wait) since the first check of the rest before this one.
// At once in a process with no other thread (asked of the kernel, not of
// /proc). It allocates nothing and calls nothing of libc's that
// render-one interposes (raw system calls): it runs on the plugin arena
// and the fixed stack, and reads no clock a plugin reads.
void let_other_threads_rest(int checks, int every_us, bool ran_is_rest = false) noexcept;

// Said by a thread outside any call into a plugin (a plugin's own thread)
// as it is about to block in a wait render-one interposes (linux/
// pinned_clocks.cpp): a rest that waits for that thread to stop running
// checks again at once. An atomic load when no rest waits for it.
void about_to_wait() noexcept;

// The thread a rest now sleeps on the bell for (0: none), for the tests.
long rest_waits_for() noexcept;

// What the calling thread's last let_other_threads_rest did (zeros before
// any), for the tests: the checks it made, the times the bell woke it,
// whether the kernel said no other thread was there (no /proc read), and
// how many threads its last check took by their notes (linux/
// wait_notes.hpp), their files unread; whether it ended on the other
// threads' CPU time.
struct rest_made {
    int checks = 0;
    int rings = 0;
    bool alone = false;
    int by_notes = 0;
    bool by_cpu = false;
};
rest_made last_rest() noexcept;

}  // namespace vr::host
