// SPDX-License-Identifier: GPL-3.0-or-later
// The stack a Windows plugin's call runs on (render-one(1),
// Reproducibility): at every entry (host/plugin_call.hpp calls
// scrub_stack just before the call), the scrub_bytes below the stack
// pointer are zero, so a plugin that reads a local it never set reads
// zeros, not what the worker's own work left there.
//
// Not a stack of our own, as on Linux (linux/fixed_stack.hpp): under wine
// the worker's main thread, where every call runs, has its stack at the
// same address in every process (measured, wine 8.0: 0x22000 to 0x220000,
// whatever the environment's size), so the addresses a plugin's locals
// have are already the same; what differs is what lies below the stack
// pointer. A stack of our own would need the thread's stack bounds in the
// TEB switched with it (wine's and Windows' unwinding, which C++
// exceptions of mingw and MSVC code use, refuse frames outside them) and
// unwind information for the switch; zeroing in place needs neither.
// The pages are touched downward first (the compiler's stack probe, as
// __chkstk does: a plain memset below the guard page faults). Costs about
// 2.7 us a call (64 KiB zeroed; measured under wine 8.0 on the 2-core
// build VM): 2.5 ms of CPU for 10 s rendered in blocks of 512 frames.
// Off with the pins (--real-randomness).
//
// Not covered: what the registers hold at entry, bytes deeper than
// scrub_bytes, calls on another thread than the main one (none the worker
// makes), and what the worker's own code between the entry and the
// plugin (JUCE's wrapper) writes there.
#pragma once
#include <cstddef>

namespace vr::windows {

constexpr std::size_t scrub_bytes = std::size_t{64} << 10;

// Zeroes the scrub_bytes below the caller's frame when pinning is on.
void scrub_stack() noexcept;

}  // namespace vr::windows
