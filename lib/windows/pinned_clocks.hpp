// SPDX-License-Identifier: GPL-3.0-or-later
// The monotonic clocks and the waits of windows/pinned_imports.hpp, split
// from it along their seam: unlike the randomness and the wall clocks,
// which are pinned on every thread, these answer from the virtual clock
// (core/plugin_clock.hpp, in windows/clock_units.hpp's units) only on a
// thread inside a call into the plugin (clock_inside(), set by host/
// plugin_call.hpp) while pinning is on; anywhere else they are the real
// functions, so the plugin's own threads, the worker and wine keep real
// time. A wait inside a call waits for real and, when it ran its length
// (Sleep, SleepEx unwoken, a wait that timed out), moves the virtual clock
// on by that length: a plugin that waits until its counter reaches a
// deadline sees the time pass, neither spinning nor hanging.
#pragma once
#include <span>

#include "windows/import_choice.hpp"

namespace vr::windows::pinned {

// What a pinned module gets in place of each monotonic clock and wait.
// Which DLLs they are taken from is windows/import_choice.hpp's
// provider().
std::span<const pin_entry> clock_pins();

}  // namespace vr::windows::pinned
