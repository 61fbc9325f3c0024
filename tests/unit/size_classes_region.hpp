// SPDX-License-Identifier: GPL-3.0-or-later
// The region the size classes' unit tests (size_classes_test.cpp,
// size_classes_restore_test.cpp) run the plugin arena's allocator on:
// mapped inaccessible, its pages made usable only by the arena's commit
// and taken away again by its discard, as Windows' VirtualAlloc and
// VirtualFree do (an access the arena did not commit first kills the
// test).
#pragma once
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "core/size_classes.hpp"

namespace size_classes_region {

using vr::size_class_arena;

inline bool g_refuse_commits = false;
inline std::size_t g_discarded = 0;
inline std::vector<std::uintptr_t> g_committed;  // where each commit began

inline bool commit(void* p, std::size_t bytes) noexcept {
    if (g_refuse_commits) return false;
    g_committed.push_back(reinterpret_cast<std::uintptr_t>(p));
    const auto page = reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{4095};
    const std::size_t length = reinterpret_cast<std::uintptr_t>(p) + bytes - page;
    return ::mprotect(reinterpret_cast<void*>(page), length, PROT_READ | PROT_WRITE) == 0;
}

inline void discard(void* p, std::size_t bytes) noexcept {
    ::madvise(p, bytes, MADV_DONTNEED);
    ::mprotect(p, bytes, PROT_NONE);
    g_discarded += bytes;
}

// The arena's region, reserved where the kernel likes and aligned to 1 GiB.
class region {
public:
    region() {
        map_ = ::mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (map_ == MAP_FAILED) throw std::runtime_error("cannot reserve the test's region");
        const auto at = reinterpret_cast<std::uintptr_t>(map_);
        base = (at + size_class_arena::span - 1) / size_class_arena::span * size_class_arena::span;
        arena.start(base, {commit, discard});
    }
    ~region() { ::munmap(map_, bytes); }
    region(const region&) = delete;
    region& operator=(const region&) = delete;

    std::uintptr_t offset(const void* p) const { return reinterpret_cast<std::uintptr_t>(p) - base; }

    std::uintptr_t base = 0;
    size_class_arena arena;

private:
    static constexpr std::size_t bytes = size_class_arena::region_bytes + size_class_arena::span;
    void* map_ = nullptr;
};

// The pages of [at, at + bytes) that hold memory now.
inline std::size_t resident_pages(std::uintptr_t at, std::size_t bytes) {
    std::vector<unsigned char> in(bytes / 4096);
    if (::mincore(reinterpret_cast<void*>(at), bytes, in.data()) != 0) return ~std::size_t{0};
    return static_cast<std::size_t>(std::count_if(in.begin(), in.end(), [](unsigned char b) { return b & 1; }));
}

}  // namespace size_classes_region
