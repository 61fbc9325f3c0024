// SPDX-License-Identifier: GPL-3.0-or-later
// What the heap's replacements (windows/pinned_heap.cpp, windows/
// pinned_crt.cpp) ask at every call: whether this thread is inside a call
// into the plugin (its allocations are then the arena's) and whether a
// block is the arena's. (A replacement's address as an import table holds
// it is windows/import_choice.hpp's fn().)
#pragma once
#include "core/plugin_clock.hpp"
#include "windows/import_choice.hpp"
#include "windows/plugin_arena.hpp"

namespace vr::windows::pinned {

inline size_class_arena& arena() { return plugin_arena(); }
inline bool inside() { return clock_inside() != nullptr; }
inline bool ours(const void* p) { return arena().contains(p); }

}  // namespace vr::windows::pinned
