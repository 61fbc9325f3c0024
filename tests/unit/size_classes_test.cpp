// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for core/size_classes, the plugin arena's allocator on both
// systems, run on a region of the test's own: mapped inaccessible, its
// pages made usable only by the arena's commit and taken away again by its
// discard, as Windows' VirtualAlloc and VirtualFree do (an access the
// arena did not commit first kills the test).
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "core/size_classes.hpp"

namespace {

using vr::size_class_arena;

bool g_refuse_commits = false;
std::size_t g_discarded = 0;
std::vector<std::uintptr_t> g_committed;  // where each commit began

bool commit(void* p, std::size_t bytes) noexcept {
    if (g_refuse_commits) return false;
    g_committed.push_back(reinterpret_cast<std::uintptr_t>(p));
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

// --- snapshot and restore: the Windows worker's clean state per job (issue 46)

// Whether the n bytes from p all read v.
bool reads(const void* p, std::size_t n, unsigned char v) {
    const auto* b = static_cast<const unsigned char*>(p);
    return std::all_of(b, b + n, [v](unsigned char x) { return x == v; });
}

unsigned char mark(std::size_t j) { return static_cast<unsigned char>(0x10 + j); }

// Whether two arenas are in the same state, wherever their regions are.
bool same_state(vr::arena_snapshot x, vr::arena_snapshot y) {
    x.base = y.base = 0;
    return x == y;
}

// What a plugin's module leaves when it has loaded: blocks of two small
// classes, of one whose blocks are larger than the commit step and of two
// large ones, every other one of owner 3; one small and one large freed
// again (free indices below their classes' ends). Those still live, block j
// filled with mark(j).
std::vector<unsigned char*> load(region& r) {
    const std::size_t sizes[] = {24, 24, 24, 5000, 100000, 3 << 20, 3 << 20, 3 << 20, 1 << 20};
    std::vector<unsigned char*> live;
    for (std::size_t i = 0; i < std::size(sizes); ++i) {
        live.push_back(static_cast<unsigned char*>(r.arena.alloc(sizes[i], 16, i % 2 ? 3 : 0)));
        if (!live.back()) throw std::runtime_error("the arena refused a block of load()");
    }
    r.arena.free(live[6]);
    r.arena.free(live[1]);
    live.erase(live.begin() + 6);
    live.erase(live.begin() + 1);
    for (std::size_t j = 0; j < live.size(); ++j) std::memset(live[j], mark(j), r.arena.room(live[j]));
    return live;
}

// A job after the load: blocks of every kind (a freed index taken again,
// fresh ones within the committed pages and beyond them, large ones taken
// again and fresh, a class the load never used), each checked to read
// zero and then scribbled over; a third freed and taken again, the rest
// left live. The blocks' offsets from the base.
std::vector<std::uintptr_t> job(region& r) {
    std::vector<std::size_t> sizes = {24, 24, 24};
    sizes.insert(sizes.end(), 10, 5000);  // 8 KiB blocks past the 64 KiB committed at the snapshot
    sizes.insert(sizes.end(), {100000, 100000, 3 << 20, 3 << 20, 3 << 20, 1 << 20, 2 << 20});
    std::vector<std::uintptr_t> seen;
    std::vector<void*> kept(sizes.size());
    auto take = [&](std::size_t i) {
        kept[i] = r.arena.alloc(sizes[i], 16, 5);
        if (!kept[i]) throw std::runtime_error("the arena refused a block of job()");
        const std::size_t room = r.arena.room(kept[i]);
        EXPECT_TRUE(reads(kept[i], room, 0)) << "a block of " << sizes[i] << " at " << r.offset(kept[i]);
        std::memset(kept[i], 0xee, room);
        seen.push_back(r.offset(kept[i]));
    };
    for (std::size_t i = 0; i < sizes.size(); ++i) take(i);
    for (std::size_t i = 0; i < sizes.size(); i += 3) r.arena.free(kept[i]);
    for (std::size_t i = sizes.size(); i-- > 0;)  // from the highest: the lowest free is taken anyway
        if (i % 3 == 0) take(i);
    return seen;
}

TEST(SizeClasses, ARestoreGivesBackTheSnapshotsBlocksAndTheAddressesOfAFreshProcess) {
    region a, b;
    const std::vector<unsigned char*> live = load(a);
    load(b);  // b is a process that loaded the same module and went on from there
    const vr::arena_snapshot loaded = a.arena.snapshot();
    // A job in a: blocks live at the snapshot freed (a small one, a large one whose pages
    // go) and taken again, others taken since and left live, all scribbled over.
    a.arena.free(live[0]);
    a.arena.free(live[4]);
    job(a);
    for (int i = 0; i < 5; ++i) std::memset(a.arena.alloc(24, 16), 0xdd, 32);
    std::memset(a.arena.alloc(3 << 20, 16), 0xdd, 4 << 20);
    std::memset(a.arena.alloc(2 << 20, 16), 0xdd, 2 << 20);  // past what the next job takes of its class
    ASSERT_TRUE(a.arena.restore(loaded));
    for (std::size_t j = 0; j < live.size(); ++j)
        EXPECT_TRUE(reads(live[j], a.arena.room(live[j]), mark(j))) << "block " << j;
    // The next job gets the addresses it gets in b, every block zeroed (job checks).
    EXPECT_EQ(job(a), job(b));
    // And leaves a as it leaves b, bit for bit and byte for byte (no live bit of
    // the blocks taken since left behind for a snapshot or free_owned to find).
    EXPECT_TRUE(same_state(a.arena.snapshot(), b.arena.snapshot()));
}

TEST(SizeClasses, EveryJobAfterARestoreFromOneSnapshotGetsTheSameAddresses) {
    region r;
    load(r);
    const vr::arena_snapshot loaded = r.arena.snapshot();
    const std::vector<std::uintptr_t> first = job(r);  // right after the snapshot
    ASSERT_TRUE(r.arena.restore(loaded));
    EXPECT_TRUE(r.arena.snapshot() == loaded);
    EXPECT_EQ(job(r), first);
    ASSERT_TRUE(r.arena.restore(loaded));
    EXPECT_EQ(job(r), first);
}

// The pages of [at, at + bytes) that hold memory now.
std::size_t resident_pages(std::uintptr_t at, std::size_t bytes) {
    std::vector<unsigned char> in(bytes / 4096);
    if (::mincore(reinterpret_cast<void*>(at), bytes, in.data()) != 0) return ~std::size_t{0};
    return static_cast<std::size_t>(std::count_if(in.begin(), in.end(), [](unsigned char b) { return b & 1; }));
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

TEST(SizeClasses, OwnersComeBackWithARestore) {
    region r;
    void* mine = r.arena.alloc(100, 16, 3);
    void* other = r.arena.alloc(100, 16, 0);
    void* big = r.arena.alloc(2 << 20, 16, 3);
    const vr::arena_snapshot s = r.arena.snapshot();
    r.arena.free_owned(3);
    EXPECT_EQ(r.arena.alloc(100, 16, 5), mine);  // their blocks another owner's since
    EXPECT_EQ(r.arena.alloc(2 << 20, 16, 5), big);
    ASSERT_TRUE(r.arena.restore(s));
    r.arena.free_owned(5);  // owned nothing at the snapshot: frees nothing
    EXPECT_NE(r.arena.alloc(100, 16), mine);
    r.arena.free_owned(3);
    EXPECT_EQ(r.arena.alloc(100, 16), mine);
    EXPECT_EQ(r.arena.alloc(2 << 20, 16), big);
    EXPECT_NE(r.arena.alloc(100, 16), other);  // still live
}

TEST(SizeClasses, ALargeBlockFreedSinceTheSnapshotComesBackWithItsBytes) {
    region r;
    auto* p = static_cast<unsigned char*>(r.arena.alloc(3 << 20, 16));
    ASSERT_NE(p, nullptr);
    std::memset(p, 0x77, 4 << 20);
    const vr::arena_snapshot s = r.arena.snapshot();
    g_discarded = 0;
    r.arena.free(p);
    ASSERT_EQ(g_discarded, std::size_t{4} << 20);  // its pages gone (inaccessible here)
    ASSERT_TRUE(r.arena.restore(s));
    EXPECT_TRUE(reads(p, 4 << 20, 0x77));
    EXPECT_NE(r.arena.alloc(3 << 20, 16), p);  // live again
}

TEST(SizeClasses, ARestoreThatCannotCommitChangesNothing) {
    region r;
    void* large = r.arena.alloc(3 << 20, 16);
    const vr::arena_snapshot s = r.arena.snapshot();
    r.arena.free(large);
    void* since = r.arena.alloc(100, 16);
    g_refuse_commits = true;
    const bool restored = r.arena.restore(s);  // large's pages cannot come back
    g_refuse_commits = false;
    EXPECT_FALSE(restored);
    EXPECT_EQ(r.arena.alloc(3 << 20, 16), large);  // still free
    EXPECT_NE(r.arena.alloc(100, 16), since);      // still live
    size_class_arena idle;
    const vr::arena_snapshot none = idle.snapshot();
    EXPECT_TRUE(none.classes.empty());
    EXPECT_TRUE(idle.restore(none));
    EXPECT_FALSE(r.arena.restore(none));  // another arena's
}

}  // namespace
