// SPDX-License-Identifier: GPL-3.0-or-later
// The C runtimes' heap functions of windows/pinned_heap.hpp: malloc,
// calloc, realloc, free, _msize, _recalloc and the _aligned_ three, as a
// pinned module imports them from a C runtime DLL (msvcrt, ucrtbase, the
// api-ms-win-crt-* sets, msvcr*). Inside a call into the plugin a block
// comes from the plugin arena (windows/plugin_arena.hpp); anywhere else,
// and for every block that is not the arena's, from that runtime's own
// function, found once a runtime (eight at most) by the address the
// loader bound.
#pragma once
#include <string_view>
#include <vector>

namespace vr::windows::pinned {

// What a pinned module gets in place of the C runtime function `name`,
// which the loader bound to `real` (nullptr: not one of them, no `real`,
// a ninth runtime).
void* crt_replacement(const char* name, void* real);

// Every name crt_replacement replaces.
std::vector<std::string_view> crt_names();

}  // namespace vr::windows::pinned
