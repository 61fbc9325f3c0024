// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/plugin_arena.hpp"

#include <windows.h>

#include <cstdlib>
#include <cstring>

namespace vr::windows {

namespace {

size_class_arena g_arena;

// Committed pages read zero until written; a decommitted range reads zero
// at its next commit.
bool commit(void* p, std::size_t bytes) noexcept {
    return bytes == 0 || VirtualAlloc(p, bytes, MEM_COMMIT, PAGE_READWRITE) != nullptr;
}
void discard(void* p, std::size_t bytes) noexcept { VirtualFree(p, bytes, MEM_DECOMMIT); }

}  // namespace

bool start_arena() noexcept {
    static const bool started = [] {
        const char* off = std::getenv("VR_PLUGIN_ARENA");
        if (off && std::strcmp(off, "off") == 0) return false;
        void* at = VirtualAlloc(reinterpret_cast<void*>(arena_base), size_class_arena::region_bytes, MEM_RESERVE,
                                PAGE_NOACCESS);
        if (at != reinterpret_cast<void*>(arena_base)) {
            if (at) VirtualFree(at, 0, MEM_RELEASE);
            return false;
        }
        g_arena.start(arena_base, {commit, discard});
        return true;
    }();
    return started;
}

size_class_arena& plugin_arena() noexcept { return g_arena; }

}  // namespace vr::windows
