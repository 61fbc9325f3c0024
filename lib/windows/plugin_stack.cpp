// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/plugin_stack.hpp"

#include "core/zero_chunks.hpp"
#include "windows/pinned_imports.hpp"

namespace vr::windows {

namespace {

// A frame of scrub_bytes: GCC probes each of its pages from the top down
// (___chkstk_ms) before the body runs, so the guard page moves down as it
// would for any deep call. Only the chunks not zero are written (most are:
// the calls before left them so), with SSE2, not msvcrt's memset.
__attribute__((noinline)) void zero_below() noexcept {
    alignas(zero_chunk_bytes) char area[scrub_bytes];
    __asm__ volatile("" : : "r"(area) : "memory");  // what lies there is what is read
    zero_dirty_chunks(area, area + sizeof area);
    __asm__ volatile("" : : "r"(area) : "memory");  // the zeros are the point: keep them
}

}  // namespace

void scrub_stack() noexcept {
    if (pinned::enabled()) zero_below();
}

}  // namespace vr::windows
