// SPDX-License-Identifier: GPL-3.0-or-later
// A Windows plugin's pinned wall clock (windows/pinned_imports.hpp lists
// the functions: GetSystemTimeAsFileTime and its kin, the C runtimes' time
// and _ftime families, msvcp's _Xtime_get_ticks), the Windows side of
// linux/pinned_randomness.hpp's wall_now_ns. Each thread reads its own:
// the job's instant (wall_clock_epoch + seed seconds) at each pin(), moved
// on, on that thread alone, only by what the thread itself waited through
// a pinned wait (windows/pinned_clocks.hpp, pinned_timers.hpp,
// pinned_msvcp.hpp: a sleep by what it slept, a wait that timed out by its
// length, a wait until a deadline of the pinned clock to that deadline).
// So a plugin's loop that waits until the wall clock reaches an instant
// ends, and another thread's waits change nothing the calling thread reads.
// Read at every pinned wall clock reading, so kept cheap: the thread's
// count lives in a TLS slot of the system's (as core/thread_mark.hpp's
// mark does, not a thread_local, which mingw emulates slowly), packed with
// the pin() it counts from; a count from before the last pin() is stale,
// and the thread reads the job's instant again. No JUCE.
#pragma once
#include <cstdint>
#include <span>

#include "windows/import_choice.hpp"

namespace vr::windows::pinned {

// FILETIME's units: 100 ns since 1601-01-01 UTC.
inline constexpr std::int64_t ticks_per_second = 10'000'000;
inline constexpr std::int64_t ticks_per_ms = 10'000;
// Seconds from 1601-01-01 to 1970-01-01.
inline constexpr std::int64_t filetime_to_unix_s = 11644473600;

// Every thread's wall clock reads unix_seconds (since 1970) from now on,
// until it waits (pin() calls it at each seed).
void set_wall_seconds(std::int64_t unix_seconds) noexcept;

// The calling thread's pinned wall clock, in FILETIME ticks.
std::int64_t wall_ticks() noexcept;

// The calling thread slept, or timed out a wait, for `ticks`: its wall
// clock moves on by that much (at most some 30 hours a job).
void wall_waited_ticks(std::int64_t ticks) noexcept;

// The calling thread waited until the FILETIME `deadline` of the pinned
// clock (a timer that fired): it reads at least that from now on.
void wall_waited_until(std::int64_t deadline) noexcept;

// What a pinned module gets in place of each wall clock function, which
// answer from the calling thread's clock.
std::span<const pin_entry> wall_pins();

}  // namespace vr::windows::pinned
