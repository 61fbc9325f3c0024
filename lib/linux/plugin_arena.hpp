// SPDX-License-Identifier: GPL-3.0-or-later
// The plugin arena: what a thread allocates while it is inside a call to a
// plugin (host/plugin_call.hpp) comes from a region at a fixed address,
// handed out by an algorithm that depends on nothing but the sizes asked
// and the blocks that are live, and zeroed: a plugin that reads memory it
// never wrote, or seeds from a block's address, renders the same bytes in
// every process (render-one(1), Reproducibility).
//
// The region is reserved (MAP_NORESERVE, MAP_FIXED_NOREPLACE) at
// arena_base when a process first enters a call; its blocks are handed out
// by core/size_classes.hpp (size classes, the free block of lowest
// address, zeroed, no headers), the allocator the Windows worker's arena
// shares (windows/plugin_arena.hpp). free, realloc and malloc_usable_size
// find a block's class from its address, whoever calls them and wherever
// the block came from (the malloc family of linux/child_heap.cpp routes by
// address).
//
// A forked child inherits the arena as its parent left it: the job's calls
// in the child allocate from that state, as they would have in the parent,
// and the pages they write are the child's own copies. A child that
// entered its child heap still allocates from the arena inside plugin
// calls, and from its child heap outside them.
//
// Not covered: what a plugin's own threads allocate (they are never inside
// a call), allocations over 256 MiB (glibc's), threads of one process
// racing in the arena (each gets a block; which one is the race's).
// Off in a sanitized build (the sanitizer owns malloc) and with
// VR_PLUGIN_ARENA=off in the environment.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/size_classes.hpp"

namespace vr {

constexpr std::uintptr_t arena_base = 0x3f0000000000;  // 1 GiB aligned

namespace detail {
inline thread_local int inside_arena = 0;
}

// Maps the region when it is not yet (once a process); false when it
// cannot be (the address taken, a sanitized build, VR_PLUGIN_ARENA=off).
bool start_arena() noexcept;

// Whether the region is mapped.
bool arena_started() noexcept;

// While one lives (and the arena is started), what this thread allocates
// comes from the arena. Nests. The fences keep the compiler from moving
// the mark past a malloc it inlined knowledge of (it assumes malloc reads
// no memory of ours, and once dropped a ++ and -- around realloc).
class in_arena_scope {
public:
    in_arena_scope() noexcept {
        ++detail::inside_arena;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~in_arena_scope() {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        --detail::inside_arena;
    }
    in_arena_scope(const in_arena_scope&) = delete;
    in_arena_scope& operator=(const in_arena_scope&) = delete;
};

// Whether this thread's allocations go to the arena now.
inline bool arena_wanted() noexcept { return detail::inside_arena > 0 && arena_started(); }

// Whether p is a block of the arena (or inside one).
inline bool in_arena(const void* p) noexcept {
    // Below the base the offset wraps past the region's end.
    return size_class_arena::holds(reinterpret_cast<std::uintptr_t>(p) - arena_base);
}

// A zeroed block of at least bytes, aligned to align (a power of two);
// nullptr when no class is that large or the class is full.
void* arena_alloc(std::size_t bytes, std::size_t align) noexcept;

// Gives back the block p points into (p from arena_alloc).
void arena_free(void* p) noexcept;

// The bytes usable from p to its block's end.
std::size_t arena_room(const void* p) noexcept;

}  // namespace vr
