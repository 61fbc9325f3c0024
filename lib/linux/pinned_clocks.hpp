// SPDX-License-Identifier: GPL-3.0-or-later
// The monotonic clocks a plugin reads, and the waits it makes, while the
// worker is inside a call into it (core/plugin_clock.hpp's clock_inside(),
// host/plugin_call.hpp), answered from that instance's virtual clock once
// the pinning is on (pinned_randomness.hpp's enable(); --real-randomness
// leaves it off), on the calling thread only:
//   - clock_gettime on CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
//     CLOCK_MONOTONIC_COARSE and CLOCK_BOOTTIME reads the virtual clock
//     (one reading, one step on); std::chrono::steady_clock::now() is
//     libstdc++.so's call to libc's clock_gettime, so it reads it too;
//   - times() returns the virtual clock in clock ticks; its tms says the
//     virtual time since the clock's start as user time, nothing else;
//   - a wait with a deadline on the monotonic clock (pthread_cond_timedwait
//     on a condition whose clock is CLOCK_MONOTONIC, pthread_cond_clockwait,
//     clock_nanosleep with TIMER_ABSTIME) waits for real until real now +
//     (deadline - virtual now), and when it timed out the virtual clock is
//     at the deadline (waited_until); a relative sleep (nanosleep, usleep,
//     sleep, clock_nanosleep without TIMER_ABSTIME, on any clock) sleeps for
//     real and adds what it slept (waited).
// And the plugin's other threads are let rest (linux/thread_rest.hpp's
// let_other_threads_rest), so that what the calling thread sees of them
// does not depend on the scheduler: after such a sleep or a wait that timed
// out; after it woke a thread (pthread_cond_signal, pthread_cond_broadcast,
// defined here to mark it), at the pthread_mutex_unlock that follows or the
// next reading; and, longer, before a reading in a call that renders no
// audio (core/plugin_clock.hpp's rendering_inside) when the thread woke
// another since the last such rest, so that a thread polling a stop flag
// between sleeps of a millisecond has stopped.
// A wait until a deadline of the wall clock, on any thread, lasts what
// linux/wall_waits.hpp says. Everything else is libc's own: outside a
// call, on the plugin's own threads, CPU-time clocks, rdtsc, raw system
// calls.
#pragma once
#include <ctime>

namespace vr::host::pinned {

// When the pinning is on and this thread is inside a call into a plugin,
// and clock is one of the monotonic clocks above: *ts is a reading of the
// instance's virtual clock, and true. Else false, *ts untouched.
bool virtual_reading(clockid_t clock, timespec* ts) noexcept;

// Inside a call, after a sleep or a wait that timed out: the plugin's other
// threads run until they rest (see above).
void let_others_rest();

}  // namespace vr::host::pinned
