// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows worker's plugin arena: what a Windows plugin allocates from
// the heap while the worker is inside a call into it comes from a region
// at a fixed address, handed out by core/size_classes.hpp (the allocator
// linux/plugin_arena.hpp uses), zeroed. windows/pinned_heap.hpp routes the
// plugin's heap and C runtime imports here; pinned_imports.cpp reserves
// the region when pinning starts.
//
// Where: arena_base, the address linux/plugin_arena.hpp uses, 26 GiB
// reserved and committed 16 MiB at a time, as blocks are first handed out
// in each 16 MiB (plugin_arena.cpp says why not at once). It
// is free under wine for the reason it is on Linux: wine puts what it maps
// for Windows code low (measured, wine 8.0: the main thread's stack at
// 0x22000, the heaps, exe at 0x140000000, its builtin DLLs below 8 GiB, a
// plugin DLL at its preferred base, MSVC's 0x180000000 or mingw's
// 0x2xxxxxxxx), and the kernel maps the Unix side's libraries and thread
// stacks down from the top of the 47-bit space; a 64-bit Windows process
// since 8.1 has 128 TiB too. Where it is taken anyway, or with
// VR_PLUGIN_ARENA=off, the plugin keeps the real heap.
#pragma once
#include <cstdint>

#include "core/size_classes.hpp"

namespace vr::windows {

constexpr std::uintptr_t arena_base = 0x3f0000000000;  // 1 GiB aligned

// Reserves the region's first chunk when it is not yet (once a process);
// false when it cannot be (the address taken, VR_PLUGIN_ARENA=off). A
// later chunk found taken fails the allocations that need it.
bool start_arena() noexcept;

// The arena (started or not: one not started hands out nothing).
size_class_arena& plugin_arena() noexcept;

}  // namespace vr::windows
