// SPDX-License-Identifier: GPL-3.0-or-later
// What each Windows monotonic clock answers from an instance's virtual clock
// (core/plugin_clock.hpp), in that clock's own units and width, and what a
// wait the plugin made inside a call adds to it: the arithmetic of
// windows/pinned_clocks.cpp, kept free of <windows.h> so that the unit
// tests (tests/unit/windows_clock_units_test.cpp) check it on Linux. Each
// reading is one read() of the clock: it moves on by read_step_ns.
#pragma once
#include <cstdint>

#include "core/plugin_clock.hpp"

namespace vr::windows::clock_units {

// QueryPerformanceFrequency's answer: 10 MHz, what Windows 10 and later
// and wine report, so a plugin that cached the real frequency on a thread
// of its own still counts seconds right in a call. The counter then counts
// 100 ns, as does QueryUnbiasedInterruptTime.
inline constexpr std::int64_t qpc_frequency = 10'000'000;
inline constexpr std::int64_t ns_per_qpc_tick = 1'000'000'000 / qpc_frequency;
inline constexpr std::int64_t ns_per_ms = 1'000'000;

// QueryPerformanceCounter, msvcp140's _Query_perf_counter.
inline std::int64_t qpc_ticks(plugin_clock& clock) noexcept { return clock.read() / ns_per_qpc_tick; }

// QueryUnbiasedInterruptTime: 100 ns units.
inline std::uint64_t interrupt_time(plugin_clock& clock) noexcept {
    return static_cast<std::uint64_t>(clock.read() / ns_per_qpc_tick);
}

// GetTickCount64: milliseconds.
inline std::uint64_t milliseconds(plugin_clock& clock) noexcept {
    return static_cast<std::uint64_t>(clock.read() / ns_per_ms);
}

// GetTickCount, timeGetTime: milliseconds in 32 bits, wrapping as theirs do.
inline std::uint32_t milliseconds32(plugin_clock& clock) noexcept {
    return static_cast<std::uint32_t>(milliseconds(clock));
}

// INFINITE: a wait with no timeout, which adds nothing.
inline constexpr std::uint32_t infinite = 0xFFFFFFFF;

// A wait of `ms` (Sleep's length, a timeout that ran out) lasted all of it.
inline void waited_ms(plugin_clock& clock, std::uint32_t ms) noexcept {
    if (ms != infinite) clock.waited(static_cast<std::int64_t>(ms) * ns_per_ms);
}

}  // namespace vr::windows::clock_units
