// SPDX-License-Identifier: GPL-3.0-or-later
// Definitions of libc's monotonic clock readings and timed waits, exported
// to plugins (exports.list): pinned_clocks.hpp says what they answer.
// clock_gettime itself is pinned_randomness.cpp's (one definition for the
// wall clock and these), which asks virtual_reading first.
#include "linux/pinned_clocks.hpp"

#include <pthread.h>
#include <sys/times.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "core/plugin_clock.hpp"
#include "linux/libc_next.hpp"
#include "linux/pinned_randomness.hpp"
#include "linux/raw_clock.hpp"
#include "linux/thread_rest.hpp"
#include "linux/noted_wait.hpp"
#include "linux/wait_notes.hpp"
#include "linux/wall_waits.hpp"

namespace vr::host::pinned {

namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;

bool monotonic(clockid_t clock) {
    return clock == CLOCK_MONOTONIC || clock == CLOCK_MONOTONIC_RAW || clock == CLOCK_MONOTONIC_COARSE ||
           clock == CLOCK_BOOTTIME;
}

// The virtual clock of the instance this thread is inside a call to, when
// the pinning is on.
plugin_clock* pinned_clock() { return enabled() ? clock_inside() : nullptr; }

// This thread, inside a call, woke another thread (a condition signalled)
// and has not let the others rest since.
thread_local bool woke_others = false;

// This thread, inside a call, woke another thread and has not let the
// others rest over a millisecond's polls since (rest_before_reading).
thread_local bool told_others = false;

// Inside a call, before the plugin's code goes on after a sleep, a timed
// out wait, or a wake it made (at the unlock that follows it or the next
// clock reading), the plugin's other threads run until they rest (quiet
// at 2 checks 100 us apart), so that what the caller then sees of them (a
// flag set, a thread gone) does not depend on how the scheduler ran them.
}  // namespace

void let_others_rest() {
    woke_others = false;
    let_other_threads_rest(2, 100);
}

namespace {

// Before a clock reading: after a wake, as above; in a call that renders
// no audio, when this thread woke another since the last such rest, over
// at least 2 ms (quiet at 3 checks 1 ms apart), so that a thread told to
// stop, which polls a flag between sleeps of a millisecond (JUCE's plugin
// message thread: Thread::stopThread sets the flag and signals), has
// stopped before the caller reads the clock and polls whether it has
// (Thread::waitForThreadToExit). A reading with no wake before it needs
// no rest: the virtual clock is this thread's alone, so the other threads
// change nothing it reads (a JUCE plugin's load reads the clock 10 or 20
// times, each rest about 2 ms).
void rest_before_reading() {
    if (!rendering_inside() && told_others) {
        // A thread that has run since the rest that followed the wake has
        // seen what the wake told it.
        const bool rested_since_wake = !woke_others;
        woke_others = told_others = false;
        let_other_threads_rest(3, 1000, rested_since_wake);
    } else if (woke_others) {
        let_others_rest();
    }
}

timespec timespec_of(std::int64_t ns) {
    if (ns < 0) ns = 0;
    return {static_cast<time_t>(ns / ns_per_s), static_cast<long>(ns % ns_per_s)};
}

// The real CLOCK_MONOTONIC instant as far from now as deadline (of the
// virtual clock) is from the virtual now; now, when it has passed.
timespec real_deadline(const plugin_clock& clock, const timespec& deadline) {
    timespec now{};
    VR_LIBC(clock_gettime, "GLIBC_2.17")(CLOCK_MONOTONIC, &now);
    const std::int64_t ahead = ns_of(deadline) - clock.now();
    return timespec_of(ns_of(now) + (ahead > 0 ? ahead : 0));
}

// glibc keeps a condition's clock in bit 1 of __data.__wrefs (set by
// pthread_condattr_setclock's attribute at init; bit 0 says shared).
bool waits_on_monotonic(const pthread_cond_t* cond) {
    constexpr unsigned int clock_monotonic_bit = 2;
    return (__atomic_load_n(&cond->__data.__wrefs, __ATOMIC_RELAXED) & clock_monotonic_bit) != 0;
}

// A relative sleep on any clock: what it slept moves the virtual clock on
// (all of it, or what an interruption left undone), once the other
// threads rest.
void slept(plugin_clock* clock, const timespec& asked, int result, const timespec* left) {
    std::int64_t ns = 0;
    if (result == 0)
        ns = ns_of(asked);
    else if (result == EINTR && left)
        ns = ns_of(asked) - ns_of(*left);
    wall_waited_for(ns);
    if (!clock) return;
    let_others_rest();
    clock->waited(ns);
}

// Inside a call, a wait until an instant of the virtual clock ran out: the
// clock is there, and the thread's wall clock moved on as far.
void waited_until(plugin_clock& clock, const timespec& deadline) {
    let_others_rest();
    const std::int64_t before = clock.now();
    clock.waited_until(ns_of(deadline));
    wall_waited_for(clock.now() - before);
}

// Outside calls, a wait until an instant of a monotonic clock, begun at
// start (on that clock), ran out: the thread's wall clock moved on as far.
void waited_until(clockid_t clock, std::int64_t start, const timespec* deadline, int result) {
    if (result == ETIMEDOUT && deadline && start && monotonic(clock)) wall_waited_for(ns_of(*deadline) - start);
}

// The start of a monotonic wait outside calls, for waited_until (0 when the
// pinning is off: nothing moves then).
std::int64_t wait_start(clockid_t clock) { return enabled() && monotonic(clock) ? raw_now_ns(clock) : 0; }

}  // namespace

bool virtual_reading(clockid_t clock, timespec* ts) noexcept {
    plugin_clock* c = pinned_clock();
    if (!c || !monotonic(clock) || !ts) return false;
    rest_before_reading();
    *ts = timespec_of(c->read());
    return true;
}

}  // namespace vr::host::pinned

using vr::plugin_clock;
using namespace vr::host::pinned;
using vr::host::about_to_wait;
using vr::host::ns_of;
using vr::host::wait_kind;
using vr::host::wait_said;

extern "C" {

clock_t times(struct tms* out) noexcept {
    plugin_clock* c = pinned_clock();
    if (!c) return VR_LIBC(times, "GLIBC_2.2.5")(out);
    static const long ticks_per_s = ::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100;
    rest_before_reading();
    const std::int64_t now = c->read();
    if (out)
        *out = {static_cast<clock_t>((now - plugin_clock::start_ns) * ticks_per_s / ns_per_s), 0, 0, 0};
    return static_cast<clock_t>(now * ticks_per_s / ns_per_s);
}

int pthread_cond_timedwait(pthread_cond_t* cond, pthread_mutex_t* mutex, const struct timespec* abstime) {
    static const auto real = VR_LIBC(pthread_cond_timedwait, "GLIBC_2.3.2");
    plugin_clock* c = pinned_clock();
    const clockid_t clock = waits_on_monotonic(cond) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
    if (pinned_wall_wait(clock, abstime)) return wall_condition_wait(cond, mutex, clock, *abstime, c);
    if (!c) {
        const std::int64_t start = wait_start(clock);
        const said_wait said(condition_until(clock, abstime));
        const int result = real(cond, mutex, abstime);
        waited_until(clock, start, abstime, result);
        return result;
    }
    if (clock != CLOCK_MONOTONIC) return real(cond, mutex, abstime);
    const timespec until = real_deadline(*c, *abstime);
    const int result = real(cond, mutex, &until);
    if (result == ETIMEDOUT) waited_until(*c, *abstime);
    return result;
}

int pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex, clockid_t clock,
                           const struct timespec* abstime) {
    static const auto real = VR_LIBC(pthread_cond_clockwait, "GLIBC_2.34");
    plugin_clock* c = pinned_clock();
    if (pinned_wall_wait(clock, abstime)) return wall_condition_wait(cond, mutex, clock, *abstime, c);
    if (!c) {
        const std::int64_t start = wait_start(clock);
        const said_wait said(condition_until(clock, abstime));
        const int result = real(cond, mutex, clock, abstime);
        waited_until(clock, start, abstime, result);
        return result;
    }
    if (!monotonic(clock)) return real(cond, mutex, clock, abstime);
    const timespec until = real_deadline(*c, *abstime);
    const int result = real(cond, mutex, CLOCK_MONOTONIC, &until);
    if (result == ETIMEDOUT) waited_until(*c, *abstime);
    return result;
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec* req, struct timespec* rem) {
    static const auto real = VR_LIBC(clock_nanosleep, "GLIBC_2.17");
    plugin_clock* c = pinned_clock();
    if (!req) return real(clock, flags, req, rem);
    if (!(flags & TIMER_ABSTIME)) {
        const timespec asked = *req;  // rem may be req
        int result;
        if (c) {
            result = real(clock, flags, req, rem);
        } else {
            const said_wait noted(sleep_for(ns_of(asked)));
            result = real(clock, flags, req, rem);
        }
        if (enabled()) slept(c, asked, result, rem);
        return result;
    }
    if (pinned_wall_wait(clock, req)) return wall_sleep(clock, *req, c);
    if (!c) {
        wait_said said;
        said.kind = wait_kind::sleep_until;
        said.clock = clock;
        said.deadline_ns = ns_of(*req);
        const std::int64_t start = wait_start(clock);
        const said_wait noted(said);
        const int result = real(clock, flags, req, rem);
        waited_until(clock, start, req, result == 0 ? ETIMEDOUT : result);
        return result;
    }
    if (!monotonic(clock)) return real(clock, flags, req, rem);
    const timespec until = real_deadline(*c, *req);
    const int result = real(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
    if (result == 0)
        waited_until(*c, *req);
    else
        let_others_rest();
    return result;
}

int nanosleep(const struct timespec* req, struct timespec* rem) {
    static const auto real = VR_LIBC(nanosleep, "GLIBC_2.2.5");
    plugin_clock* c = pinned_clock();
    if (!req) return real(req, rem);
    const timespec asked = *req;  // rem may be req
    int result;
    if (c) {
        result = real(req, rem);
    } else {
        const said_wait said(sleep_for(ns_of(asked)));
        result = real(req, rem);
    }
    if (enabled()) {
        const int error = errno;
        slept(c, asked, result == 0 ? 0 : error, rem);
        errno = error;
    }
    return result;
}

int usleep(useconds_t us) {
    static const auto real = VR_LIBC(usleep, "GLIBC_2.2.5");
    plugin_clock* c = pinned_clock();
    int result;
    if (c) {
        result = real(us);
    } else {
        const said_wait said(sleep_for(std::int64_t{us} * 1000));
        result = real(us);
    }
    if (enabled()) {
        const int error = errno;
        const timespec asked = timespec_of(std::int64_t{us} * 1000);
        slept(c, asked, result == 0 ? 0 : -1, nullptr);
        errno = error;
    }
    return result;
}

unsigned int sleep(unsigned int s) {
    static const auto real = VR_LIBC(sleep, "GLIBC_2.2.5");
    plugin_clock* c = pinned_clock();
    unsigned int left;
    if (c) {
        left = real(s);
    } else {
        const said_wait said(sleep_for(std::int64_t{s} * ns_per_s));
        left = real(s);
    }
    if (enabled() && left <= s) {
        const int error = errno;
        slept(c, timespec_of(std::int64_t{s - left} * ns_per_s), 0, nullptr);
        errno = error;
    }
    return left;
}

// A wake is marked for the rest above. Not in a sanitized build: the
// sanitizer's runtime has interceptors of its own on these, and every
// mutex of the process, the runtime's own among them, would pass through
// ours (the suites that need the rest, tests/juce-random.bats, run in the
// plain pass).
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
int pthread_cond_signal(pthread_cond_t* cond) {
    static const auto real = VR_LIBC(pthread_cond_signal, "GLIBC_2.3.2");
    const int result = real(cond);
    vr::host::condition_signalled();
    if (pinned_clock()) woke_others = told_others = true;
    return result;
}

int pthread_cond_broadcast(pthread_cond_t* cond) {
    static const auto real = VR_LIBC(pthread_cond_broadcast, "GLIBC_2.3.2");
    const int result = real(cond);
    vr::host::condition_signalled();
    if (pinned_clock()) woke_others = told_others = true;
    return result;
}

// A wait with no timeout pins nothing; a plugin's own thread says it is
// about to block, for a rest waiting for it (linux/thread_rest.hpp).
int pthread_cond_wait(pthread_cond_t* cond, pthread_mutex_t* mutex) {
    static const auto real = VR_LIBC(pthread_cond_wait, "GLIBC_2.3.2");
    if (pinned_clock()) return real(cond, mutex);
    const said_wait said(condition_until(CLOCK_MONOTONIC, nullptr));
    return real(cond, mutex);
}

int pthread_mutex_unlock(pthread_mutex_t* mutex) {
    static const auto real = VR_LIBC(pthread_mutex_unlock, "GLIBC_2.2.5");
    const int result = real(mutex);
    if (woke_others && pinned_clock()) let_others_rest();
    return result;
}
#endif

}  // extern "C"
