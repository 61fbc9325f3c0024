// SPDX-License-Identifier: GPL-3.0-or-later
// What a rest (linux/thread_rest.hpp) sees of this process's other
// threads: what a thread's note says of the wait it is in (linux/
// wait_notes.hpp), when that settles it; else its state, CPU time and
// times put on a CPU, read from its /proc/self/task files, which are kept
// open from one check to the next, and where a blocked one waits. Raw
// system calls only, nothing allocated: a rest runs inside a call into a
// plugin, on the plugin arena and the fixed stack. No JUCE here.
#pragma once
#include <atomic>

#include "linux/wait_notes.hpp"

namespace vr::host {

constexpr int kept_max = 32;

// One thread's files, and what the last check read of it.
struct kept_thread {
    long tid = 0;
    int stat = -1;
    int schedstat = -1;
    int syscall = -1;  // what it waits in, opened when first asked (-2: cannot be)
    long runs = 0;     // times it was put on a CPU, as the last check that read its files read
    note_hint note;              // where its note was found
    unsigned long note_seq = 0;  // its note's sequence at the last check
    bool noted = false;          // the last check took its note: parked, files not read
};

// The files kept, for one user at a time (take_kept_threads).
struct kept_threads {
    std::atomic_flag busy = ATOMIC_FLAG_INIT;
    long pid = 0;   // the process they were opened in
    long self = 0;  // the thread they were listed for
    int count = 0;
    kept_thread threads[kept_max];
};

// What the threads of this process other than self do now: whether one is
// running, runnable, in uninterruptible sleep or stopped (and the first
// such), and
// the CPU time they used (schedstat's first field, ns); how many of them
// were taken by their notes.
struct others_now {
    int threads = 0;
    int noted = 0;
    bool busy = false;
    long busy_tid = 0;
    long cpu_ns = 0;
};

// The kept files, or nullptr while another thread uses them; given back
// with give_back_kept_threads.
kept_threads* take_kept_threads() noexcept;
void give_back_kept_threads(kept_threads* k) noexcept;

// A check through the kept files (k.threads then hold each thread's runs
// or note); false when they could not answer it (more than kept_max
// threads, or threads came and went while it read), and the caller checks
// by path. A thread whose note says it is parked (parked's ahead_ns and
// asked_ns, below) counts as quiet, its files not read.
bool check_kept(kept_threads& k, long self, others_now& now, long ahead_ns, long asked_ns) noexcept;

// A check by the path: each thread's files opened, read and closed.
others_now check_by_path(long self) noexcept;

// Whether t, quiet, waits where it cannot wake by itself before ahead_ns
// from now: a futex wait with no timeout or a deadline further ahead, or
// a relative sleep (or futex wait) asked for asked_ns or more; by its
// note when the last check took it, else by its syscall file.
bool parked(kept_thread& t, long ahead_ns, long asked_ns) noexcept;

// Whether thread tid of this process has a tracer (strace -f, a
// debugger): its status file's TracerPid is not 0.
bool traced(long tid) noexcept;

}  // namespace vr::host
