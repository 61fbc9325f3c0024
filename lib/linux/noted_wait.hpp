// SPDX-License-Identifier: GPL-3.0-or-later
// How the waits render-one defines for plugins (linux/pinned_clocks.cpp,
// linux/wall_waits.cpp) note, on a plugin's own thread, the wait it is
// about to block in, for a rest (linux/wait_notes.hpp, linux/
// thread_rest.hpp). Header only. No JUCE here.
#pragma once
#include <cstdint>
#include <ctime>

#include "linux/pinned_randomness.hpp"
#include "linux/raw_clock.hpp"
#include "linux/thread_rest.hpp"
#include "linux/wait_notes.hpp"

namespace vr::host::pinned {

// A plugin's own thread, outside any call into a plugin, about to block
// in a wait of these: it notes which (linux/wait_notes.hpp; only where
// pinning is on, as only then does anything rest) until the wait returns
// or unwinds, and then rings for a rest waiting for it.
class said_wait {
public:
    explicit said_wait(const wait_said& said) noexcept {
        if (enabled()) wait_begins(said);
        about_to_wait();
    }
    ~said_wait() { wait_ended(); }
    said_wait(const said_wait&) = delete;
    said_wait& operator=(const said_wait&) = delete;
};

inline wait_said condition_until(clockid_t clock, const timespec* abstime) {
    wait_said said;
    said.kind = wait_kind::condition;
    if (abstime) {
        said.timed = true;
        said.clock = clock;
        said.deadline_ns = ns_of(*abstime);
    }
    return said;
}

inline wait_said sleep_for(std::int64_t ns) {
    wait_said said;
    said.kind = wait_kind::relative_sleep;
    said.asked_ns = ns;
    return said;
}

}  // namespace vr::host::pinned
