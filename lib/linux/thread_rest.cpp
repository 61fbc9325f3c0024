// SPDX-License-Identifier: GPL-3.0-or-later
#include "linux/thread_rest.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "linux/raw_clock.hpp"
#include "linux/task_files.hpp"

namespace vr::host {

namespace {

constexpr long rest_cpu_cap_ns = 50'000'000;
constexpr long rest_wall_cap_ns = 2'000'000'000;

// --- what ran since the rest before ----------------------------------------
//
// Each rest marks, at its first check, how many times each other thread
// has been put on a CPU (schedstat's third field) and its note's sequence
// (linux/wait_notes.hpp). A thread whose count or sequence has moved since
// has run since (a note moves as its thread begins or ends a wait); one
// the marks lack started since. A thread taken by its note has no count
// read: its mark has none (-1). Marks go by thread id and stay true
// whoever rests next (a count never goes back; an id taken again is a
// thread that started since).

// A thread's runs and note at the first check of a rest, for the next rest.
struct run_mark {
    long tid = 0;
    long runs = 0;
    unsigned long note_seq = 0;
};

// Kept with the kept files (used by their holder only).
struct {
    int count = 0;
    run_mark marks[kept_max];
} g_marks;

// Whether t was put on a CPU since marks were taken (a thread they lack
// counts as not).
bool ran_since(const kept_thread& t, const run_mark* marks, int marked) {
    for (int i = 0; i < marked; ++i)
        if (marks[i].tid == t.tid)
            return t.note_seq != marks[i].note_seq || (!t.noted && marks[i].runs >= 0 && t.runs > marks[i].runs);
    return false;
}

// Whether marks lack t: it started since they were taken.
bool unmarked(const kept_thread& t, const run_mark* marks, int marked) {
    for (int i = 0; i < marked; ++i)
        if (marks[i].tid == t.tid) return false;
    return true;
}

thread_local rest_made g_rest;

// --- a process with no other thread ---------------------------------------
//
// unshare(CLONE_THREAD) fails with EINVAL in a process with more than one
// thread and does nothing in one with one (unshare(2)): 0.13 us, where
// the task folder's listing cost a cold rest 10 to 13 us (a plugin with
// no thread of its own, Nekobi's, rests a hundred times a render). A
// sandbox may refuse the call (EPERM, ENOSYS): the folder says it then.

std::atomic<bool> g_unshare_refused{false};

bool alone() {
    if (g_unshare_refused.load(std::memory_order_relaxed)) return false;
    if (::syscall(SYS_unshare, CLONE_THREAD) == 0) return true;
    if (errno != EINVAL) g_unshare_refused.store(true, std::memory_order_relaxed);
    return false;
}

// --- the bell: a busy thread that goes to wait says so --------------------
//
// A sleep between checks costs the caller about 19 us of CPU here,
// whatever its length, and a thread just started works a millisecond or
// two before it first waits (a JUCE plugin's message thread loads X11's
// libraries): checks 100 to 400 us apart made four or five such sleeps
// of every JUCE plugin's load. A rest with the kept files names the busy
// thread it waits for (g_waiting_on) and sleeps on the bell, which that
// thread rings as it is about to block in a wait render-one interposes
// (about_to_wait, from linux/pinned_clocks.cpp): the rest then checks at
// once. A thread started since the rest before sleeps it up to 4 ms, one
// seen before up to the usual spacing (a busy thread that blocks where it
// does not ring, a lock or a pipe, is seen no later than before).

std::atomic<long> g_waiting_on{0};
std::atomic<int> g_bell{0};
thread_local long t_tid = 0;
constexpr long starting_thread_wait_us = 4000;

// Sleeps step_us, or less when the bell rings for thread busy_tid (0:
// none named); true when it rang.
bool sleep_or_bell(long step_us, long busy_tid) {
    const timespec step{step_us / 1'000'000, step_us % 1'000'000 * 1000L};
    if (busy_tid == 0) {
        ::syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &step, nullptr);
        return false;
    }
    // The bell read before the thread is named: a ring after the naming
    // moves it on, and the futex wait returns at once.
    const int rung = g_bell.load(std::memory_order_acquire);
    g_waiting_on.store(busy_tid, std::memory_order_seq_cst);
    ::syscall(SYS_futex, &g_bell, FUTEX_WAIT_PRIVATE, rung, &step, nullptr, 0);
    g_waiting_on.store(0, std::memory_order_relaxed);
    return g_bell.load(std::memory_order_acquire) != rung;
}

}  // namespace

void about_to_wait() noexcept {
    const long on = g_waiting_on.load(std::memory_order_relaxed);
    if (on == 0) return;
    if (t_tid == 0) t_tid = ::syscall(SYS_gettid);
    if (on != t_tid) return;
    const int saved_errno = errno;
    g_bell.fetch_add(1, std::memory_order_release);
    ::syscall(SYS_futex, &g_bell, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    errno = saved_errno;
}

rest_made last_rest() noexcept { return g_rest; }

long rest_waits_for() noexcept { return g_waiting_on.load(std::memory_order_relaxed); }

void let_other_threads_rest(int checks, int every_us, bool ran_is_rest) noexcept {
    const int saved_errno = errno;
    g_rest = {};
    if (alone()) {
        g_rest.checks = 1;
        g_rest.alone = true;
        errno = saved_errno;
        return;
    }
    const long self = ::syscall(SYS_gettid);
    const long give_up = raw_now_ns(CLOCK_MONOTONIC) + rest_wall_cap_ns;
    long cpu_before = -1;
    // A traced thread's CPU time counts its tracer's stops at each system
    // call (strace -f): a JUCE plugin's message thread starting, which
    // uses 1 or 2 ms untraced, used over 50 ms so on a loaded machine, and
    // the rest ended before it did (another file than an untraced
    // one-off's). The CPU time ends a rest at a check that finds a thread
    // busy with no tracer; once one has a tracer, only the 2 s do.
    bool tracer_seen = false;
    // The kept files, unless another thread's rest has them: the path then.
    kept_threads* const kept = take_kept_threads();
    // While a thread is at work, checks under 250 us apart draw apart,
    // twice as far each time up to four times every_us, since a check and
    // its sleep cost the caller's CPU (about 19 us a sleep here) and a
    // starting thread can work a millisecond or two; the quiet checks that
    // end the rest are every_us apart, as asked. (Up to 1 ms cost a warm
    // render-one's sessions, whose rests see the other session's thread
    // rendering, 0.9 ms a job under examples/render.mk -j2.)
    const long slowest_us = every_us >= 250 ? every_us : 4L * every_us;
    long step_us = every_us;
    // The marks of the rest before this one, and of this one's first check.
    run_mark before[kept_max];
    int marked_before = 0;
    const long ahead_ns = (checks - 1) * every_us * 1000L, asked_ns = 10L * every_us * 1000L;
    long rang = 0;   // the thread that rang the bell last
    int yields = 0;  // yields left for it to get to its wait
    for (int quiet = 0, check = 0;; ++check) {
        g_rest.checks = check + 1;
        others_now now;
        const bool by_kept = kept && check_kept(*kept, self, now, ahead_ns, asked_ns);
        if (!by_kept) now = check_by_path(self);
        g_rest.by_notes = now.noted;
        if (now.threads == 0) break;  // nothing else can run
        if (by_kept && check == 0) {
            marked_before = g_marks.count;
            std::memcpy(before, g_marks.marks, sizeof(run_mark) * static_cast<std::size_t>(marked_before));
            for (int i = 0; i < kept->count; ++i) {
                const kept_thread& t = kept->threads[i];
                g_marks.marks[i] = {t.tid, t.noted ? -1 : t.runs, t.note_seq};
            }
            g_marks.count = kept->count;
        }
        if (cpu_before < 0) cpu_before = now.cpu_ns;
        quiet = now.busy ? 0 : quiet + 1;
        if (quiet >= checks || raw_now_ns(CLOCK_MONOTONIC) >= give_up) break;
        if (now.busy && !tracer_seen && now.cpu_ns - cpu_before >= rest_cpu_cap_ns) {
            tracer_seen = traced(now.busy_tid);
            if (!tracer_seen) {
                g_rest.by_cpu = true;
                break;
            }
        }
        // Quiet, and none can wake by itself before the checks still to
        // come would see it (or, when ran_is_rest, each has run since the
        // rest before): they would add nothing.
        if (!now.busy && by_kept) {
            bool settled = true;
            for (int i = 0; i < kept->count && settled; ++i)
                settled = (ran_is_rest && ran_since(kept->threads[i], before, marked_before)) ||
                          parked(kept->threads[i], ahead_ns, asked_ns);
            if (settled) break;
        }
        // The thread that rang is about to wait but may not be there yet
        // (this thread's wake can preempt it on its CPU): a yield lets it.
        if (now.busy && now.busy_tid == rang && yields > 0) {
            --yields;
            ::syscall(SYS_sched_yield);
            continue;
        }
        step_us = !now.busy ? every_us : step_us * 2 < slowest_us ? step_us * 2 : slowest_us;
        long wait_us = step_us, bell_for = 0;
        if (now.busy && by_kept) {
            bell_for = now.busy_tid;
            for (int i = 0; i < kept->count; ++i)
                if (kept->threads[i].tid == bell_for && unmarked(kept->threads[i], before, marked_before))
                    wait_us = starting_thread_wait_us;
        }
        rang = sleep_or_bell(wait_us, bell_for) ? bell_for : 0;
        if (rang) ++g_rest.rings;
        yields = 3;
    }
    give_back_kept_threads(kept);
    errno = saved_errno;
}

}  // namespace vr::host
