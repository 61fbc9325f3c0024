// SPDX-License-Identifier: GPL-3.0-or-later
// The heap imports of windows/pinned_imports.hpp, split from it along their
// seam: what a plugin's own modules allocate while the worker is inside a
// call into the plugin (core/plugin_clock.hpp's clock_inside(), set by
// host/plugin_call.hpp) comes from the plugin arena (windows/
// plugin_arena.hpp): the same addresses and zeroed bytes in every process.
//
// Replaced, from kernel32, kernelbase and api-ms-win-core-heap-*:
// GetProcessHeap, HeapCreate, HeapDestroy, HeapAlloc, HeapFree,
// HeapReAlloc, HeapSize, and, for their handles, HeapValidate,
// HeapCompact, HeapLock, HeapUnlock, HeapWalk, HeapSetInformation,
// HeapQueryInformation; from the C runtimes (msvcrt,
// msvcr*, ucrtbase, api-ms-win-crt-heap-*): malloc, calloc, realloc, free,
// _msize, _recalloc, _aligned_malloc, _aligned_free, _aligned_realloc.
//
// - Inside a call every allocation, on any heap handle, is the arena's;
//   outside one (the plugin's own threads, what it does from a timer) each
//   goes where it would have. Blocks carry no header: a free, a size or a
//   reallocation goes by the block's address, so an arena block freed
//   outside a call goes back to the arena and a real block freed inside one
//   to its own heap. A real block reallocated inside a call moves into the
//   arena (but by _aligned_realloc, which keeps it on its heap).
// - GetProcessHeap answers a handle of ours, and HeapCreate one for each
//   live heap (up to 255, then real ones): values no real heap has, the
//   same in every process. What is allocated on them outside a call comes
//   from the process heap and from a real heap made for each. HeapDestroy
//   gives back every arena block of its heap. The other heap functions
//   given our handle work on the real heap behind it: HeapWalk sees only
//   what was allocated outside calls.
// - A C runtime's own blocks stay its own: each runtime's real functions
//   (found from the address the loader bound) serve what is not the
//   arena's (windows/pinned_crt.hpp).
// - HeapSize and _msize answer a block's room, at least what was asked
//   (as malloc_usable_size does), not the very size.
// Not covered: what a C runtime allocates inside its own functions
// (_strdup, fopen's buffers: not through the plugin's imports), a C runtime
// linked into the plugin that reaches the heap by other means than these
// imports (VirtualAlloc, NtAllocateVirtualMemory), LocalAlloc and
// GlobalAlloc, HeapCreate with HEAP_CREATE_ENABLE_EXECUTE (the arena's
// pages do not execute: a real heap), a delay-loaded C runtime's heap
// functions, allocations over 256 MiB (the real heap's).
#pragma once
#include <cstdint>
#include <span>

#include "windows/import_choice.hpp"

namespace vr::windows::pinned {

// Which of our HeapCreate heaps are live, for windows/module_restore.hpp:
// taken when a plugin's module has loaded, put back before each job's new
// instance there.
struct heap_table {
    bool live[256] = {};
    std::uint32_t options[256] = {};
};
heap_table heaps_now();
// Heaps made since `then` go (their real heaps with them; their arena
// blocks are the arena's restore's to free); heaps destroyed since are live
// again, with nothing allocated on them outside calls.
void heaps_back(const heap_table& then);

// What a pinned module gets in place of each kernel32 heap function (the C
// runtimes' are windows/pinned_crt.hpp's), and whether they replace
// anything: only while the plugin arena is up.
std::span<const pin_entry> heap_pins();
bool heap_pins_on();

}  // namespace vr::windows::pinned
