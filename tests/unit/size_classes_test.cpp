// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for core/size_classes, the plugin arena's allocator on both
// systems, run on a region of the test's own: mapped inaccessible, its
// pages made usable only by the arena's commit and taken away again by its
// discard, as Windows' VirtualAlloc and VirtualFree do (an access the
// arena did not commit first kills the test).
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/size_classes.hpp"

namespace {

using vr::size_class_arena;

bool g_refuse_commits = false;
std::size_t g_discarded = 0;

bool commit(void* p, std::size_t bytes) noexcept {
    if (g_refuse_commits) return false;
    const auto page = reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{4095};
    const std::size_t length = reinterpret_cast<std::uintptr_t>(p) + bytes - page;
    return ::mprotect(reinterpret_cast<void*>(page), length, PROT_READ | PROT_WRITE) == 0;
}

void discard(void* p, std::size_t bytes) noexcept {
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

// A plugin's allocations, some freed on the way, as offsets from the base.
std::vector<std::uintptr_t> sequence(region& r) {
    std::vector<std::uintptr_t> seen;
    void* kept[12];
    for (int i = 0; i < 12; ++i) {
        kept[i] = r.arena.alloc(static_cast<std::size_t>(24 + 300 * i), 16);
        seen.push_back(r.offset(kept[i]));
    }
    for (int i = 0; i < 12; i += 3) r.arena.free(kept[i]);
    for (int i = 0; i < 12; i += 3) {
        kept[i] = r.arena.alloc(static_cast<std::size_t>(24 + 300 * i), 16);
        seen.push_back(r.offset(kept[i]));
    }
    for (int i = 11; i >= 0; --i) r.arena.free(kept[i]);
    return seen;
}

TEST(SizeClasses, TheSameSequenceGetsTheSameOffsetsInEveryRegion) {
    region a, b;
    void* before = b.arena.alloc(5000, 16);  // b saw another call first, since freed
    b.arena.free(before);
    EXPECT_EQ(sequence(a), sequence(b));
    EXPECT_EQ(sequence(a), sequence(a));
}

TEST(SizeClasses, AnAllocationTakesTheLowestFreeBlockWhateverOrderTheyWereFreedIn) {
    region r;
    void* x = r.arena.alloc(40, 16);
    void* y = r.arena.alloc(40, 16);
    void* z = r.arena.alloc(40, 16);
    EXPECT_EQ(r.offset(y) - r.offset(x), 64u);  // one class, one row
    EXPECT_EQ(r.offset(z) - r.offset(y), 64u);
    r.arena.free(z);
    r.arena.free(x);
    r.arena.free(y);
    EXPECT_EQ(r.arena.alloc(33, 16), x);
    EXPECT_EQ(r.arena.alloc(64, 16), y);
    EXPECT_EQ(r.arena.alloc(50, 16), z);
}

TEST(SizeClasses, BlocksComeZeroedAlignedToTheirSizeWithTheirRoom) {
    region r;
    auto* p = static_cast<unsigned char*>(r.arena.alloc(3000, 16));
    ASSERT_NE(p, nullptr);
    std::memset(p, 0xab, 4096);
    EXPECT_EQ(r.arena.room(p), 4096u);
    EXPECT_EQ(r.arena.room(p + 100), 3996u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 4096, 0u);
    EXPECT_TRUE(r.arena.contains(p + 4095));
    r.arena.free(p + 10);  // an address inside the block frees it
    auto* again = static_cast<unsigned char*>(r.arena.alloc(4000, 16));
    ASSERT_EQ(again, p);
    for (int i = 0; i < 4096; ++i) ASSERT_EQ(again[i], 0) << "byte " << i;
    void* aligned = r.arena.alloc(100, 65536);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned) % 65536, 0u);
    EXPECT_EQ(r.arena.room(aligned), 65536u);
    int outside = 0;
    EXPECT_FALSE(r.arena.contains(&outside));
    EXPECT_FALSE(r.arena.contains(reinterpret_cast<void*>(r.base)));  // the index span holds no blocks
}

TEST(SizeClasses, ALargeBlockGivesItsPagesBackAndReadsZeroAgain) {
    region r;
    g_discarded = 0;
    auto* p = static_cast<unsigned char*>(r.arena.alloc(3 << 20, 16));
    ASSERT_NE(p, nullptr);
    std::memset(p, 0x5a, 3 << 20);
    r.arena.free(p);
    EXPECT_EQ(g_discarded, std::size_t{4} << 20);
    auto* again = static_cast<unsigned char*>(r.arena.alloc(4 << 20, 16));
    ASSERT_EQ(again, p);
    for (std::size_t i = 0; i < (std::size_t{4} << 20); i += 4093) ASSERT_EQ(again[i], 0) << "byte " << i;
}

TEST(SizeClasses, FreeOwnedGivesBackOneOwnersBlocksOnly) {
    region r;
    void* mine1 = r.arena.alloc(100, 16, 7);
    void* other = r.arena.alloc(100, 16, 0);
    void* mine2 = r.arena.alloc(100000, 16, 7);
    void* mine3 = r.arena.alloc(100, 16, 7);
    r.arena.free_owned(7);
    EXPECT_EQ(r.arena.alloc(100, 16), mine1);
    EXPECT_EQ(r.arena.alloc(100, 16), mine3);
    EXPECT_EQ(r.arena.alloc(100000, 16), mine2);
    EXPECT_NE(r.arena.alloc(100, 16), other);  // still live
}

TEST(SizeClasses, WhatCannotBeHadIsNull) {
    region r;
    EXPECT_EQ(r.arena.alloc(std::size_t{512} << 20, 16), nullptr);  // no class that large
    g_refuse_commits = true;
    void* refused = r.arena.alloc(100, 16);
    g_refuse_commits = false;
    EXPECT_EQ(refused, nullptr);
    void* p = r.arena.alloc(100, 16);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(r.offset(p) % size_class_arena::span, 0u);  // the refused block was not taken
    size_class_arena idle;
    EXPECT_FALSE(idle.started());
    EXPECT_EQ(idle.alloc(16, 16), nullptr);
    EXPECT_FALSE(idle.contains(p));
}

// Thousands of blocks of one class cross the bitmap's and the owner bytes'
// commit steps, and the blocks' own.
TEST(SizeClasses, ManyBlocksCrossEveryCommitStep) {
    region r;
    std::vector<void*> blocks;
    for (int i = 0; i < 70000; ++i) {
        void* p = r.arena.alloc(16, 16, static_cast<std::uint8_t>(i % 3));
        ASSERT_NE(p, nullptr);
        static_cast<char*>(p)[15] = 1;
        blocks.push_back(p);
    }
    EXPECT_EQ(r.offset(blocks.back()) - r.offset(blocks.front()), 69999u * 16);
    r.arena.free_owned(1);
    EXPECT_EQ(r.arena.alloc(16, 16), blocks[1]);
}

}  // namespace
