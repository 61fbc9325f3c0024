// SPDX-License-Identifier: GPL-3.0-or-later
// The stack a Windows plugin's call runs on (render-one(1),
// Reproducibility): at every entry (host/plugin_call.hpp calls
// scrub_stack just before the call), the scrub_bytes below the stack
// pointer are the same in every process, so a plugin that reads a local it
// never set reads what it would read anywhere, not what the worker's own
// work left there: zeros, or what the plugin's own previous block left.
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
// __chkstk does: a plain memset below the guard page faults).
//
// What it costs: zeroing 64 KiB took about 1.8 us a call inside a render
// (the region cold after the plugin's block; 0.6 us in a loop), 0.21 ms of
// a fresh job's 115 calls (perf, under wine 8.0 on the 2-core build VM).
// Between two process calls of one render the worker's own work (the next
// block's MIDI and input, the block's samples stored) writes at most 512
// bytes below the call's frame (measured on every render path of the
// suites: a pattern laid below after each block, read back before the
// next): that call zeroes block_scrub_bytes only (2 KiB: four times that,
// within one page, so no stack probe either; 90 to 100 ns a call where
// 4 KiB and its probe took 130 to 180, and a JUCE one-off makes 378 such
// calls with the probe's renders), and the rest below holds what the
// plugin's own previous block left, the same in every process.
// Every other call, and a render's first block, zeroes scrub_bytes.
// VR_STACK_CHECK=1 in the worker's environment (the tests') lays that
// pattern down and stops the worker, saying so, where the worker wrote
// deeper between two blocks. Off with the pins (--real-randomness).
//
// Not covered: what the registers hold at entry, bytes deeper than
// scrub_bytes, calls on another thread than the main one (none the worker
// makes), and what the worker's own code between the entry and the
// plugin (JUCE's wrapper) writes there.
#pragma once
#include <cstddef>

namespace vr::windows {

constexpr std::size_t scrub_bytes = std::size_t{64} << 10;
constexpr std::size_t block_scrub_bytes = std::size_t{2} << 10;

// Just before a call into the plugin (block: a process call), when
// pinning is on: zeroes scrub_bytes below the caller's frame, or
// block_scrub_bytes for a block that follows the render's previous block
// with no other call between.
void scrub_stack(bool block) noexcept;

// Just after the call returned (threw: false): whether it was a block.
void call_returned(bool block) noexcept;

// A render begins: its first block zeroes scrub_bytes.
void render_begins() noexcept;

}  // namespace vr::windows
