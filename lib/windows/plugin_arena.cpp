// SPDX-License-Identifier: GPL-3.0-or-later
#include "windows/plugin_arena.hpp"

#include <windows.h>

#include <algorithm>
#include <bitset>
#include <cstdlib>
#include <cstring>

namespace vr::windows {

namespace {

size_class_arena g_arena;

// The region is reserved a chunk at a time, as its pages are first
// needed: wine keeps a byte a page of every reservation and fills it as
// the reservation is made, so the whole 26 GiB at once cost about 3.3 ms of
// every Windows worker's start (and 0.5 ms to give back), against about
// 3 us a chunk (measured under wine 8.0 on the 2-core build VM). A chunk is
// committed whole as it is reserved, in the same call, which costs no more
// than the reservation alone: a commit of its own costs as much again
// (about 3.2 us, 1.2 us where the pages were already committed), and a
// one-off of the JUCE test synth made 39 of them beside its 18
// reservations (strace of the worker): about 0.12 ms of CPU a pinned
// worker. Pages committed but never touched cost no memory (Linux maps
// them on touch), only commit charge: 16 MiB a chunk under a strict
// overcommit policy.
constexpr std::size_t chunk_bytes = std::size_t{16} << 20;
constexpr std::size_t chunks = size_class_arena::region_bytes / chunk_bytes;
static_assert(size_class_arena::region_bytes % chunk_bytes == 0);
static_assert(size_class_arena::span % chunk_bytes == 0);
// Written under the arena's lock, or before it starts.
std::bitset<chunks> g_reserved;
std::bitset<chunks> g_whole;  // every page of the chunk committed: nothing to do for a commit

std::size_t chunk_of(const char* p) { return (reinterpret_cast<std::uintptr_t>(p) - arena_base) / chunk_bytes; }
char* chunk_start(std::size_t k) { return reinterpret_cast<char*>(arena_base + k * chunk_bytes); }

bool reserve(std::size_t k) noexcept {
    if (g_reserved.test(k)) return true;
    void* want = chunk_start(k);
    void* at = VirtualAlloc(want, chunk_bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (at != want) {
        if (at) VirtualFree(at, 0, MEM_RELEASE);
        return false;
    }
    g_reserved.set(k);
    g_whole.set(k);
    return true;
}

// Calls f(piece, bytes) for each part of [p, p + bytes) that lies in one
// chunk (a commit or decommit cannot cross from one reservation into the
// next); false at the first that f refuses.
template <typename F>
bool each_chunk_piece(void* p, std::size_t bytes, F f) noexcept {
    char* at = static_cast<char*>(p);
    char* const end = at + bytes;
    while (at < end) {
        const std::size_t k = chunk_of(at);
        char* const piece_end = std::min(end, chunk_start(k + 1));
        if (!f(k, at, static_cast<std::size_t>(piece_end - at))) return false;
        at = piece_end;
    }
    return true;
}

// Committed pages read zero until written; a decommitted range reads zero
// at its next commit. A chunk with a decommitted range is committed a
// range at a time from then on.
bool commit(void* p, std::size_t bytes) noexcept {
    return each_chunk_piece(p, bytes, [](std::size_t k, char* piece, std::size_t n) {
        if (!reserve(k)) return false;
        return g_whole.test(k) || VirtualAlloc(piece, n, MEM_COMMIT, PAGE_READWRITE) != nullptr;
    });
}
void discard(void* p, std::size_t bytes) noexcept {
    each_chunk_piece(p, bytes, [](std::size_t k, char* piece, std::size_t n) {
        if (!g_reserved.test(k)) return true;
        VirtualFree(piece, n, MEM_DECOMMIT);
        g_whole.reset(k);
        return true;
    });
}

}  // namespace

bool start_arena() noexcept {
    static const bool started = [] {
        const char* off = std::getenv("VR_PLUGIN_ARENA");
        if (off && std::strcmp(off, "off") == 0) return false;
        if (!reserve(0)) return false;  // the address taken: the rest would be too
        g_arena.start(arena_base, {commit, discard});
        return true;
    }();
    return started;
}

size_class_arena& plugin_arena() noexcept { return g_arena; }

}  // namespace vr::windows
