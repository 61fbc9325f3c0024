// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/plugin_stack.hpp"

#include <cstring>

#include "windows/pinned_imports.hpp"

namespace vr::windows {

namespace {

// A frame of scrub_bytes: GCC probes each of its pages from the top down
// (___chkstk_ms) before the body runs, so the guard page moves down as it
// would for any deep call.
__attribute__((noinline)) void zero_below() noexcept {
    char area[scrub_bytes];
    std::memset(area, 0, sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");  // the zeros are the point: keep them
}

}  // namespace

void scrub_stack() noexcept {
    if (pinned::enabled()) zero_below();
}

}  // namespace vr::windows
