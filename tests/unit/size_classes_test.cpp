// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for core/size_classes, the plugin arena's allocator on both
// systems: handing blocks out (size_classes_restore_test.cpp: snapshots
// and restores), on a region of the test's own (size_classes_region.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "core/size_classes.hpp"
#include "size_classes_region.hpp"

namespace {

using namespace size_classes_region;

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
    region fresh;
    EXPECT_EQ(r.offset(p), fresh.offset(fresh.arena.alloc(100, 16)));  // the refused block was not taken
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
    // One row of 16 bytes apart, but for the step from the class's head
    // (in the first span) to its row.
    int steps = 0;
    for (std::size_t i = 1; i < blocks.size(); ++i) {
        ASSERT_GT(r.offset(blocks[i]), r.offset(blocks[i - 1]));
        if (r.offset(blocks[i]) - r.offset(blocks[i - 1]) != 16) ++steps;
    }
    EXPECT_EQ(steps, 1);
    EXPECT_LT(r.offset(blocks.front()), size_class_arena::span);
    EXPECT_GE(r.offset(blocks.back()), size_class_arena::span);
    r.arena.free_owned(1);
    EXPECT_EQ(r.arena.alloc(16, 16), blocks[1]);
}

TEST(SizeClasses, BlocksOfOwnerZeroWriteNoOwnerByte) {
    // Under wine every page first written costs a fault: a class whose
    // blocks are all owner 0's (the process heap's, the C runtime's) takes
    // one page of the index span (its bitmap's), not two.
    region r;
    for (int n = 0; n < 100; ++n) ASSERT_NE(r.arena.alloc(100, 16), nullptr);
    EXPECT_EQ(resident_pages(r.base, size_class_arena::span), 1u);
    void* other = r.arena.alloc(100, 16, 9);
    EXPECT_EQ(resident_pages(r.base, size_class_arena::span), 2u);
    // Once an owner byte is written, owner 0's block in that place is
    // owner 0's again.
    r.arena.free(other);
    void* again = r.arena.alloc(100, 16);
    EXPECT_EQ(again, other);
    r.arena.free_owned(9);
    EXPECT_NE(r.arena.alloc(100, 16), again);  // still live
}

TEST(SizeClasses, TheFirstBlocksOfEveryClassUpTo64KiBLieInOne16MiBAndEveryClasssFirstBitsInOnePage) {
    // Under wine each 16 MiB of the region first committed is a
    // reservation and a page of wine's records, each page first written a
    // fault: a plugin that takes a few blocks of each class pays them once,
    // not once a class. Beyond its head a class's blocks lie in its row.
    region r;
    g_committed.clear();
    std::vector<unsigned char*> first;
    for (std::size_t size = 16; size <= (std::size_t{64} << 10); size *= 2)
        for (int n = 0; n < 3; ++n) {
            first.push_back(static_cast<unsigned char*>(r.arena.alloc(size, 16)));
            ASSERT_NE(first.back(), nullptr);
            first.back()[size - 1] = 1;
            EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first.back()) % size, 0u);
            EXPECT_EQ(r.arena.room(first.back()), size);
            EXPECT_TRUE(r.arena.contains(first.back()));
        }
    ASSERT_FALSE(g_committed.empty());
    for (std::uintptr_t at : g_committed) EXPECT_LT(at - r.base, std::size_t{16} << 20);
    EXPECT_EQ(resident_pages(r.base, 4096), 1u);  // the bits
    EXPECT_EQ(resident_pages(r.base + 4096, (std::size_t{4} << 20) - 4096), 0u);
    // A larger block lies in its row, its class's bits in the same page.
    ASSERT_NE(r.arena.alloc(std::size_t{100} << 10, 16), nullptr);
    ASSERT_NE(r.arena.alloc(std::size_t{3} << 20, 16), nullptr);
    EXPECT_EQ(resident_pages(r.base, std::size_t{4} << 20), 1u);
    EXPECT_EQ(resident_pages(r.base + (std::size_t{16} << 20), std::size_t{240} << 20), 0u);  // the rows' bitmaps
    // A head's blocks are freed and taken again as a row's are.
    r.arena.free(first[1] + 5);
    r.arena.free(first[0]);
    EXPECT_EQ(r.arena.alloc(10, 16), first[0]);
    EXPECT_EQ(r.arena.alloc(16, 16), first[1]);
    // Past the head of 64 KiB blocks (64 of them), the row.
    std::vector<void*> more;
    for (int n = 0; n < 70; ++n) more.push_back(r.arena.alloc(std::size_t{64} << 10, 16));
    EXPECT_LT(r.offset(more[60]), size_class_arena::span);
    EXPECT_EQ(r.offset(more[61]), 13 * size_class_arena::span + 64 * (std::size_t{64} << 10));
    EXPECT_TRUE(r.arena.contains(more[61]));
    r.arena.free(more[61]);
    EXPECT_EQ(r.arena.alloc(std::size_t{64} << 10, 16), more[61]);
}

TEST(SizeClasses, AClassWithNoOwnerButZeroCommitsNoOwnerBytes) {
    // Under wine each 16 MiB of the region first committed is a
    // reservation: owner bytes no block needs cost three a JUCE one-off.
    // They lie in the index span from 256 MiB (size_classes.cpp).
    const auto in_owner_bytes = [](const region& r) {
        return std::count_if(g_committed.begin(), g_committed.end(), [&](std::uintptr_t at) {
            return at >= r.base + (std::size_t{256} << 20) && at < r.base + size_class_arena::span;
        });
    };
    region r;
    g_committed.clear();
    void* first = nullptr;
    for (int n = 0; n < 1000; ++n) {
        void* p = r.arena.alloc(100, 16);
        ASSERT_NE(p, nullptr);
        if (!first) first = p;
    }
    EXPECT_EQ(in_owner_bytes(r), 0);
    // free_owned(0) gives back every block of such a class without reading
    // owner bytes it does not have (an access the arena did not commit
    // kills the test).
    r.arena.free_owned(0);
    EXPECT_EQ(r.arena.alloc(100, 16), first);
    // The first other owner commits them, all 0 for the blocks before.
    void* other = r.arena.alloc(100, 16, 9);
    ASSERT_NE(other, nullptr);
    EXPECT_GT(in_owner_bytes(r), 0);
    r.arena.free_owned(9);
    EXPECT_EQ(r.arena.alloc(100, 16, 9), other);
    r.arena.free_owned(0);  // owner 0's, the first among them: 9's stays
    EXPECT_EQ(r.arena.alloc(100, 16), first);
    EXPECT_NE(r.arena.alloc(100, 16, 9), other);
}

}  // namespace
