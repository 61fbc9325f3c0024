// SPDX-License-Identifier: GPL-3.0-or-later
// A Windows plugin's waitable timers while the pinning is on, on any
// thread (windows/pinned_imports.hpp): SetWaitableTimer and
// SetWaitableTimerEx, whose positive due time is an absolute FILETIME
// (UTC). A plugin computes it from the wall clock it reads, which is
// pinned years before the real one (windows/pinned_wall.hpp): handed to
// Windows as it is, the timer would fire at once. So a due time is taken
// to be of whichever wall clock it lies nearer to:
//   - the pinned one, as the calling thread reads it: the timer is set to
//     fire as far ahead, relatively (at once when it has passed), so never
//     later nor sooner than the plugin meant;
//   - the real one (a deadline from a clock render-one does not pin):
//     handed on as it is.
// Each pinned timer's deadline on the pinned clock is kept (a relative
// due time's too: the setting thread's reading plus its length; and a
// periodic timer's period), so that a wait that ends because the timer
// fired moves the waiting thread's wall clock to it, and inside a call the
// instance's virtual clock by what lay between (windows/pinned_clocks.cpp's
// waits). CancelWaitableTimer and CloseHandle forget a timer; so does each
// pin() (timer deadlines of an earlier job are not this job's). No JUCE.
#pragma once
#include <windows.h>

#include <cstdint>
#include <span>

#include "windows/import_choice.hpp"

namespace vr::windows::pinned {

// What a pinned module gets in place of SetWaitableTimer,
// SetWaitableTimerEx, CancelWaitableTimer and CloseHandle.
std::span<const pin_entry> timer_pins();

// Whether any timer's deadline is kept (one load: the waits ask it first).
bool timers_set() noexcept;

// The pinned deadline (FILETIME ticks) at which timer h fires, the first
// one after `after` for a periodic timer whose first has passed; 0: no
// timer kept.
std::int64_t timer_deadline(HANDLE h, std::int64_t after) noexcept;

// Every timer forgotten (at each pin()).
void forget_timers() noexcept;

}  // namespace vr::windows::pinned
