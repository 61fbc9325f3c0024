// SPDX-License-Identifier: GPL-3.0-or-later
// Waits until a deadline of a wall clock (CLOCK_REALTIME, its coarse form,
// CLOCK_TAI: a condition variable's default clock, clock_nanosleep's with
// TIMER_ABSTIME on one, sem_timedwait's, pthread_mutex_timedlock's) while
// the pinning is on, on any thread. A plugin computes such a deadline from
// the wall clock it reads, which render-one pins years from the real one
// (linux/pinned_randomness.hpp): handed to libc as it is, the wait would
// end at once, or last years. So a deadline is taken to be of whichever
// wall clock it lies nearer to:
//   - the pinned one, as the thread reads it (wall_now_ns): waited for on
//     the real monotonic clock as far ahead as it lies ahead of that
//     reading (at once when it has passed), so never longer than the
//     plugin meant; when the wait runs out, the thread's pinned wall clock
//     reads the deadline (wall_waited_until), so that a loop that waits
//     until the clock reaches its deadline ends, and inside a call into
//     the plugin the instance's virtual clock moves on by what the wait
//     lasted;
//   - the real one (a deadline from a clock render-one does not pin: a raw
//     system call, the vDSO called directly): waited for until then, as
//     libc would, so never longer than the plugin asked.
// The condition waits and sleeps are pinned_clocks.cpp's definitions, which
// ask here first; the semaphore's and the mutex's are defined here. No JUCE.
#pragma once
#include <pthread.h>

#include <cstdint>
#include <ctime>

#include "core/plugin_clock.hpp"

namespace vr::host::pinned {

struct wall_deadline {
    bool pinned = false;           // the deadline is of the pinned wall clock
    std::int64_t deadline_ns = 0;  // as the plugin gave it
    std::int64_t ahead_ns = 0;     // pinned: how long the wait lasts at most
    timespec until{};              // pinned: the real CLOCK_MONOTONIC instant it ends
};

// Whether a wait on clock until *abstime is on a wall clock while the
// pinning is on: then wall_deadline_of says how long it lasts.
bool pinned_wall_wait(clockid_t clock, const timespec* abstime) noexcept;

wall_deadline wall_deadline_of(const timespec& deadline) noexcept;

// The same when pinned_wall_wait, else a deadline that is not pinned (libc
// waits as asked).
wall_deadline wall_deadline_for(clockid_t clock, const timespec* abstime) noexcept;

// A wait on a pinned deadline ran out, on the calling thread, inside a call
// into the instance whose clock is given (nullptr: outside any).
void wall_waited(const wall_deadline& w, plugin_clock* clock) noexcept;

// The condition wait (pthread_cond_timedwait on a condition of the wall
// clock, pthread_cond_clockwait on one) and the sleep (clock_nanosleep with
// TIMER_ABSTIME) until a deadline of clock, when pinned_wall_wait, inside a
// call into the instance whose clock is c (nullptr: outside any, the wait
// then noted for a rest). They answer as libc's would.
int wall_condition_wait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock, const timespec& abstime,
                        plugin_clock* c);
int wall_sleep(clockid_t clock, const timespec& deadline, plugin_clock* c);

}  // namespace vr::host::pinned
