// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for core/size_classes' snapshots and restores (the Windows
// worker's clean state per job, issue 46), on a region of the test's own
// (size_classes_region.hpp).
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
