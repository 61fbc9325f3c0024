// SPDX-License-Identifier: GPL-3.0-or-later
// A clock read by the raw system call (never libc's clock_gettime, which
// render-one interposes for plugins), in nanoseconds, for what watches a
// plugin's threads from inside a call (linux/thread_rest.cpp, linux/
// task_files.cpp, linux/wait_notes.cpp) and for the pinned clocks' own
// arithmetic (linux/pinned_clocks.cpp). No JUCE here.
#pragma once
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>

namespace vr::host {

inline std::int64_t ns_of(const timespec& t) { return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

// Now on clock (0 when it cannot be read).
inline std::int64_t raw_now_ns(clockid_t clock) noexcept {
    timespec t{};
    return ::syscall(SYS_clock_gettime, clock, &t) == 0 ? ns_of(t) : 0;
}

// Whether deadline_ns on clock is at least ns from now: a wait until then
// cannot end by itself sooner (linux/task_files.hpp's parked, and a note's,
// linux/wait_notes.hpp). A clock that cannot be read says no: the thread
// is then checked again rather than taken to be parked.
inline bool ends_at_least(clockid_t clock, std::int64_t deadline_ns, std::int64_t ns) noexcept {
    timespec now{};
    return ::syscall(SYS_clock_gettime, clock, &now) == 0 && deadline_ns - ns_of(now) >= ns;
}

}  // namespace vr::host
