// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/plugin_stack.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "windows/pinned_imports.hpp"

namespace vr::windows {

namespace {

// The last call into the plugin was a block of the render under way (only
// the main thread calls).
bool g_after_block = false;

// A frame of `bytes`, zeroed: GCC probes each of its pages from the top
// down (___chkstk_ms) before the body runs, so the guard page moves down
// as it would for any deep call. Zeroed by rep stosb, not a call to the C
// runtime's memset: under wine msvcrt's took 32 +- 14 us of a pinned JUCE
// one-off (perf of 200 pairs against real, bench/pinning_profile), and a
// loop of 16-byte stores twice what rep stosb takes (natively, 64 KiB:
// 1.2 us against 0.6).
template <std::size_t bytes>
__attribute__((noinline)) void zero_below() noexcept {
    char area[bytes];
    char* at = area;
    std::size_t n = sizeof area;
    __asm__ volatile("rep stosb" : "+D"(at), "+c"(n) : "a"(0) : "memory");  // kept: the zeros are the point
}

// --- VR_STACK_CHECK: the worker's own writes between two blocks ----------

constexpr unsigned char laid = 0xA5;

bool checking() {
    static const bool on = [] {
        const char* v = std::getenv("VR_STACK_CHECK");
        return v && *v && std::strcmp(v, "0") != 0;
    }();
    return on;
}

// The part of the stack below the call the shallow scrub leaves, laid
// after a block from a frame a little below the one the check reads from
// before the next (call_returned's and scrub_stack's, both called from
// call_plugin's): laid 1 KiB wider each way than it is read.
constexpr std::size_t margin = 1024;

__attribute__((noinline)) void lay_pattern() noexcept {
    auto* sp = static_cast<unsigned char*>(__builtin_frame_address(0));
    std::memset(sp - scrub_bytes, laid, scrub_bytes - block_scrub_bytes + margin);
    __asm__ volatile("" : : "r"(sp) : "memory");
}

__attribute__((noinline)) void check_pattern() noexcept {
    const auto* sp = static_cast<const volatile unsigned char*>(__builtin_frame_address(0));
    for (std::size_t depth = scrub_bytes - margin; depth > block_scrub_bytes; --depth)
        if (sp[-static_cast<long>(depth)] != laid) {
            std::fprintf(stderr,
                         "vr-win-worker: VR_STACK_CHECK: the worker's own work between two blocks wrote %zu "
                         "bytes below the call, deeper than the %zu its scrub zeroes\n",
                         depth, block_scrub_bytes);
            std::fflush(stderr);
            std::abort();
        }
}

}  // namespace

void scrub_stack(bool block) noexcept {
    const bool follows = block && g_after_block;
    g_after_block = false;
    if (!pinned::enabled()) return;
    if (!follows) {
        zero_below<scrub_bytes>();
        return;
    }
    if (checking()) check_pattern();
    zero_below<block_scrub_bytes>();
}

void call_returned(bool block) noexcept {
    g_after_block = block;
    if (block && checking() && pinned::enabled()) lay_pattern();
}

void render_begins() noexcept { g_after_block = false; }

}  // namespace vr::windows
