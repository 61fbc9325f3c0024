// SPDX-License-Identifier: GPL-3.0-or-later
// The monotonic clocks and the waits of windows/pinned_imports.hpp, split
// from it along their seam: unlike the randomness and the wall clocks,
// which are pinned on every thread, the clocks answer from the virtual
// clock (core/plugin_clock.hpp, in windows/clock_units.hpp's units) only
// on a thread inside a call into the plugin (clock_inside(), set by host/
// plugin_call.hpp) while pinning is on; anywhere else they are the real
// functions, so the plugin's own threads, the worker and wine keep real
// time. A wait, on any thread, waits for real and, when it ran its length
// (Sleep, SleepEx unwoken, a wait or a condition variable's sleep that
// timed out), moves the thread's pinned wall clock (windows/
// pinned_wall.hpp) on by that length, and inside a call the virtual clock
// too: a plugin that waits until its wall clock or its counter reaches a
// deadline sees the time pass, neither spinning nor hanging. A wait that
// a timer of windows/pinned_timers.hpp ended moves both to its deadline.
#pragma once
#include <cstdint>
#include <span>

#include "windows/import_choice.hpp"

namespace vr::windows::pinned {

// What a pinned module gets in place of each monotonic clock and wait.
// Which DLLs they are taken from is windows/import_choice.hpp's
// provider().
std::span<const pin_entry> clock_pins();

// The calling thread waited `ms` (a sleep, a wait that timed out; INFINITE
// adds nothing): its pinned wall clock (windows/pinned_wall.hpp) moves on
// by that much, and inside a call the instance's virtual clock too. Does
// nothing unless pinning is on.
void waited_out_ms(std::uint32_t ms) noexcept;

// The calling thread, whose wall clock read `start` (FILETIME ticks) as
// it began to wait, waited until the pinned `deadline`: its wall clock
// reads the deadline, and inside a call the virtual clock moves on by what
// lay between (nothing for a deadline not ahead of start).
void waited_until_deadline(std::int64_t deadline, std::int64_t start) noexcept;

}  // namespace vr::windows::pinned
