// SPDX-License-Identifier: GPL-3.0-or-later
// Waiting for a plugin's own threads to finish their work. Some plugins do
// part of their job on threads they start themselves: padthv1 builds its
// wave tables on one, which its run() wakes. Until that thread is done the
// plugin plays from tables not yet made, and an instance destroyed meanwhile
// leaves the thread working on freed memory. The host cannot see into the
// plugin, but it can see the threads: /proc says whether each is running.
// No JUCE here.
#pragma once
#include <set>

namespace vr::host {

// The ids of this process's threads, the caller's included.
std::set<int> thread_ids();

// The threads that exist now and were not in `before` (started since).
std::set<int> threads_started_since(const std::set<int>& before);

// Seconds of CPU time the threads ids have used so far (those gone count
// nothing).
double threads_cpu_s(const std::set<int>& ids);

// Waits until no thread of this process but the caller's is running or in
// uninterruptible sleep (R or D in /proc/self/task/*/stat) at 5 checks in a
// row, 1 ms apart, or until about 10 s passed. Returns false when it gave
// up at that cap (some thread kept busy). Returns at once, true, in a
// process with no other thread (a forked child).
bool wait_for_quiet_threads();

// The wait made inside a call into a plugin (linux/pinned_clocks.cpp)
// before the calling thread goes on: returns once no thread of this
// process but the caller's is running or in uninterruptible sleep at
// `checks` checks in a row, `every_us` microseconds apart, or once those
// threads used 50 ms of CPU time since it began (one keeps busy), or after
// 2 s; while one is running, checks under 250 us apart draw apart, up to
// four times every_us. Sooner, at a check where none is running and each
// waits where it cannot wake by itself before the last of those checks
// (a futex wait with no timeout or one ending later, a relative sleep of
// ten times every_us or more: /proc/self/task/TID/syscall), or, when
// ran_is_rest, has been on a CPU since the first check of the wait before
// this one. At once in a process with no other thread. It keeps the
// threads' /proc files open from one wait to the next (a check costs the
// caller a few microseconds, not 24). It allocates nothing
// and calls nothing of libc's that render-one interposes (raw system
// calls): it runs on the plugin arena and the fixed stack, and reads no
// clock a plugin reads.
void let_other_threads_rest(int checks, int every_us, bool ran_is_rest = false) noexcept;

// Said by a thread outside any call into a plugin (a plugin's own thread)
// as it is about to block in a wait render-one interposes (linux/
// pinned_clocks.cpp): a rest that waits for that thread to stop running
// checks again at once. An atomic load when no rest waits for it.
void about_to_wait() noexcept;

// The thread a rest now sleeps on the bell for (0: none), for the tests.
long rest_waits_for() noexcept;

// What the calling thread's last let_other_threads_rest did (zeros before
// any), for the tests: the checks it made and the times the bell woke it.
struct rest_made {
    int checks = 0;
    int rings = 0;
};
rest_made last_rest() noexcept;

}  // namespace vr::host
