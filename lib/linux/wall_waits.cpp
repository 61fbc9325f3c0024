// SPDX-License-Identifier: GPL-3.0-or-later
// Waits until a deadline of a wall clock while the pinning is on:
// wall_waits.hpp says what they last. The semaphore's and the mutex's
// timed waits are defined here and exported to plugins (exports.list).
#include "linux/wall_waits.hpp"

#include <pthread.h>
#include <semaphore.h>

#include <cerrno>

#include "linux/libc_next.hpp"
#include "linux/noted_wait.hpp"
#include "linux/pinned_clocks.hpp"
#include "linux/pinned_randomness.hpp"
#include "linux/raw_clock.hpp"

namespace vr::host::pinned {

namespace {

bool wall(clockid_t clock) { return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE || clock == CLOCK_TAI; }

std::int64_t distance(std::int64_t a, std::int64_t b) { return a > b ? a - b : b - a; }

}  // namespace

bool pinned_wall_wait(clockid_t clock, const timespec* abstime) noexcept {
    return abstime && wall(clock) && enabled();
}

wall_deadline wall_deadline_for(clockid_t clock, const timespec* abstime) noexcept {
    return pinned_wall_wait(clock, abstime) ? wall_deadline_of(*abstime) : wall_deadline{};
}

wall_deadline wall_deadline_of(const timespec& deadline) noexcept {
    wall_deadline w;
    // Past about 2255 a deadline has no nanosecond count in 64 bits: it is
    // no pinned clock's (which reads 2020 plus a 32-bit seed's seconds).
    constexpr time_t last_second = 9'000'000'000;
    if (deadline.tv_sec < 0 || deadline.tv_sec > last_second) return w;
    w.deadline_ns = ns_of(deadline);
    const std::int64_t pinned_now = wall_now_ns();
    if (distance(w.deadline_ns, raw_now_ns(CLOCK_REALTIME)) < distance(w.deadline_ns, pinned_now)) return w;
    w.pinned = true;
    w.ahead_ns = w.deadline_ns > pinned_now ? w.deadline_ns - pinned_now : 0;
    const std::int64_t until = raw_now_ns(CLOCK_MONOTONIC) + w.ahead_ns;
    w.until = {static_cast<time_t>(until / 1'000'000'000), static_cast<long>(until % 1'000'000'000)};
    return w;
}

void wall_waited(const wall_deadline& w, plugin_clock* clock) noexcept {
    wall_waited_until(w.deadline_ns);
    if (clock) {
        let_others_rest();
        clock->waited(w.ahead_ns);
    }
}

// A condition wait until a deadline of a wall clock (pthread_cond_timedwait
// on a condition of the wall clock, pthread_cond_clockwait on one), when
// pinned_wall_wait.
int wall_condition_wait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock, const timespec& abstime,
                        plugin_clock* c) {
    static const auto clockwait = VR_LIBC(pthread_cond_clockwait, "GLIBC_2.34");
    const wall_deadline w = wall_deadline_of(abstime);
    const clockid_t on = w.pinned ? CLOCK_MONOTONIC : clock;
    const timespec& until = w.pinned ? w.until : abstime;
    int result;
    if (c) {
        result = clockwait(cond, mutex, on, &until);
    } else {
        const said_wait said(condition_until(on, &until));
        result = clockwait(cond, mutex, on, &until);
    }
    if (result == ETIMEDOUT && w.pinned) wall_waited(w, c);
    return result;
}

// A sleep until a deadline of a wall clock (clock_nanosleep with
// TIMER_ABSTIME), when pinned_wall_wait.
int wall_sleep(clockid_t clock, const timespec& deadline, plugin_clock* c) {
    static const auto real = VR_LIBC(clock_nanosleep, "GLIBC_2.17");
    const wall_deadline w = wall_deadline_of(deadline);
    const clockid_t on = w.pinned ? CLOCK_MONOTONIC : clock;
    const timespec& until = w.pinned ? w.until : deadline;
    int result;
    if (c) {
        result = real(on, TIMER_ABSTIME, &until, nullptr);
    } else {
        wait_said said;
        said.kind = wait_kind::sleep_until;
        said.clock = on;
        said.deadline_ns = ns_of(until);
        const said_wait noted(said);
        result = real(on, TIMER_ABSTIME, &until, nullptr);
    }
    if (result == 0 && w.pinned) wall_waited(w, c);
    return result;
}

}  // namespace vr::host::pinned

using namespace vr::host::pinned;

extern "C" {

// Neither is noted for a rest (linux/wait_notes.hpp): a thread blocked in
// one is read from its /proc files.
int sem_timedwait(sem_t* sem, const struct timespec* abstime) { return sem_clockwait(sem, CLOCK_REALTIME, abstime); }

int sem_clockwait(sem_t* sem, clockid_t clock, const struct timespec* abstime) {
    static const auto real = VR_LIBC(sem_clockwait, "GLIBC_2.30");
    const wall_deadline w = wall_deadline_for(clock, abstime);
    if (!w.pinned) return real(sem, clock, abstime);
    const int result = real(sem, CLOCK_MONOTONIC, &w.until);
    if (result != 0 && errno == ETIMEDOUT) {
        wall_waited(w, vr::clock_inside());
        errno = ETIMEDOUT;
    }
    return result;
}

int pthread_mutex_timedlock(pthread_mutex_t* mutex, const struct timespec* abstime) {
    return pthread_mutex_clocklock(mutex, CLOCK_REALTIME, abstime);
}

int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock, const struct timespec* abstime) {
    static const auto real = VR_LIBC(pthread_mutex_clocklock, "GLIBC_2.30");
    const wall_deadline w = wall_deadline_for(clock, abstime);
    if (!w.pinned) return real(mutex, clock, abstime);
    const int result = real(mutex, CLOCK_MONOTONIC, &w.until);
    if (result == ETIMEDOUT) wall_waited(w, vr::clock_inside());
    return result;
}

}  // extern "C"
