// SPDX-License-Identifier: GPL-3.0-or-later
// What the heap's replacements (windows/pinned_heap.cpp, windows/
// pinned_crt.cpp) ask at every call: whether this thread is inside a call
// into the plugin (its allocations are then the arena's), whether a block
// is the arena's, and a replacement's address as an import table holds it.
#pragma once
#include "core/plugin_clock.hpp"
#include "windows/plugin_arena.hpp"

namespace vr::windows::pinned {

inline size_class_arena& arena() { return plugin_arena(); }
inline bool inside() { return clock_inside() != nullptr; }
inline bool ours(const void* p) { return arena().contains(p); }

template <typename F>
void* fn(F f) {
    return reinterpret_cast<void*>(f);
}

}  // namespace vr::windows::pinned
