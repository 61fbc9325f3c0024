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

}  // namespace vr::host
