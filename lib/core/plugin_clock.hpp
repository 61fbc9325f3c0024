// SPDX-License-Identifier: GPL-3.0-or-later
// The monotonic clock a plugin reads while the worker is inside a call to it
// (render-one(1), REPRODUCIBILITY): a virtual one, so that a plugin that
// seeds from CLOCK_MONOTONIC, steady_clock, QueryPerformanceCounter or
// GetTickCount renders the same bytes in every process. Each instance has
// one (host/plugin_call.hpp). It
//   - starts at start_ns when the instance is made;
//   - never goes backwards: a reused instance reads on from where it was;
//   - moves on with the audio the instance rendered (played), a fixed step
//     at every reading (read), so that a loop that spins until time passes
//     ends, and by what a wait inside the call was meant to last (waited,
//     waited_until).
// The interpositions that answer from it, on the calling thread only and
// only while it is inside a call (inside_plugin), are each system's:
// linux/pinned_clocks.cpp (clock_gettime's one definition is in
// linux/pinned_randomness.cpp), windows/pinned_clocks.cpp (reached
// through the import tables windows/pinned_imports.cpp rewrites). Header
// only: the Windows worker builds it too (the mark's slot there is
// windows/thread_mark.cpp's).
#pragma once
#include <atomic>
#include <cstdint>

#include "core/thread_mark.hpp"

namespace vr {

class plugin_clock {
public:
    // 1,000 s after an imagined boot: far from 0, so that a plugin that
    // subtracts a second finds no negative time.
    static constexpr std::int64_t start_ns = 1'000'000'000'000;
    // What every reading adds.
    static constexpr std::int64_t read_step_ns = 1'000;

    explicit plugin_clock(int sample_rate = 48000) noexcept : rate_(sample_rate > 0 ? sample_rate : 48000) {}
    plugin_clock(const plugin_clock&) = delete;
    plugin_clock& operator=(const plugin_clock&) = delete;

    // A reading: the time now, one step later than the reading before.
    std::int64_t read() noexcept {
        extra_.fetch_add(read_step_ns);
        return now();
    }

    // The time now, moving nothing.
    std::int64_t now() const noexcept { return start_ns + extra_.load() + played_ns(frames_.load()); }

    // The instance rendered `frames` frames more.
    void played(std::int64_t frames) noexcept {
        if (frames > 0) frames_.fetch_add(frames);
    }

    // A wait inside a call lasted `ns` (as the plugin meant it).
    void waited(std::int64_t ns) noexcept {
        if (ns > 0) extra_.fetch_add(ns);
    }

    // A wait for an instant of this clock timed out: the clock is at least
    // there now.
    void waited_until(std::int64_t t) noexcept { waited(t - now()); }

    int sample_rate() const noexcept { return rate_; }

private:
    std::int64_t played_ns(std::int64_t frames) const noexcept {
        return frames / rate_ * 1'000'000'000 + frames % rate_ * 1'000'000'000 / rate_;
    }

    const int rate_;
    std::atomic<std::int64_t> frames_{0};
    std::atomic<std::int64_t> extra_{0};  // readings' steps and waits
};

namespace detail {
// The mark (core/thread_mark.hpp): the clock's address, its lowest bit set
// for a process call (a plugin_clock is aligned to 8).
inline plugin_clock* marked_clock(void* mark) noexcept {
    return reinterpret_cast<plugin_clock*>(reinterpret_cast<std::uintptr_t>(mark) & ~std::uintptr_t{1});
}
inline bool marked_render(void* mark) noexcept { return reinterpret_cast<std::uintptr_t>(mark) & 1; }
}  // namespace detail

// The clock of the instance this thread is inside a call to; nullptr when
// it is in none (the worker's own code, the plugin's own threads).
inline plugin_clock* clock_inside() noexcept { return detail::marked_clock(detail::thread_mark()); }

// Whether the call this thread is inside renders audio (a process call).
inline bool rendering_inside() noexcept { return detail::marked_render(detail::thread_mark()); }

// While one lives, this thread is inside a call to the instance whose clock
// it names, a process call when renders. Nests: a call made from inside
// another restores the outer one.
class inside_plugin {
public:
    explicit inside_plugin(plugin_clock& clock, bool renders = false) noexcept : outer_(detail::thread_mark()) {
        static_assert(alignof(plugin_clock) >= 2);
        detail::set_thread_mark(reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(&clock) | (renders ? 1 : 0)));
    }
    ~inside_plugin() { detail::set_thread_mark(outer_); }
    inside_plugin(const inside_plugin&) = delete;
    inside_plugin& operator=(const inside_plugin&) = delete;

private:
    void* outer_;
};

}  // namespace vr
