// SPDX-License-Identifier: GPL-3.0-or-later
// The generators render-one hands plugins (core/seeded.hpp): the drand48
// family as POSIX defines it, checked against this process's glibc (the unit
// tests do not link the pinned definitions), and seeds that keep apart.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <set>

#include "core/seeded.hpp"

namespace {

namespace s = vr::seeded;

TEST(Seeded, Lcg48IsGlibcsDrand48FamilyStepForStep) {
    for (long seed : {0L, 1L, 12345L, -7L, 0x7FFFFFFFL}) {
        ::srand48(seed);
        std::uint64_t x = s::lcg48_from_srand48(seed);
        for (int i = 0; i < 100; ++i) {
            x = s::lcg48_step(x);
            switch (i % 3) {
                case 0: EXPECT_EQ(::lrand48(), s::lcg48_nonnegative(x)) << "seed " << seed << " step " << i; break;
                case 1: EXPECT_EQ(::mrand48(), s::lcg48_signed(x)) << "seed " << seed << " step " << i; break;
                default: EXPECT_EQ(::drand48(), s::lcg48_double(x)) << "seed " << seed << " step " << i; break;
            }
        }
    }
}

TEST(Seeded, Erand48WithTheCallersStateMatchesGlibc) {
    unsigned short glibc[3] = {0x1234, 0xABCD, 0x0042};
    std::uint64_t x = 0x0042ABCD1234ULL;
    for (int i = 0; i < 20; ++i) {
        x = s::lcg48_step(x);
        EXPECT_EQ(::erand48(glibc), s::lcg48_double(x));
    }
}

TEST(Seeded, SeedsAndTagsGiveUnrelatedStreams) {
    std::set<std::uint64_t> firsts;
    for (std::uint64_t seed = 0; seed < 100; ++seed)
        for (std::uint64_t tag = 1; tag <= 4; ++tag) firsts.insert(s::nth(s::derive(seed, tag), 0));
    EXPECT_EQ(firsts.size(), 400u);
    // The same seed and tag: the same stream, always.
    EXPECT_EQ(s::nth(s::derive(7, 1), 5), s::nth(s::derive(7, 1), 5));
    EXPECT_NE(s::nth(s::derive(7, 1), 5), s::nth(s::derive(7, 1), 6));
}

TEST(Seeded, RandRStaysInRangeAndFollowsItsState) {
    unsigned a = 42, b = 42;
    for (int i = 0; i < 1000; ++i) {
        int x = s::rand_r_step(a);
        EXPECT_GE(x, 0);
        EXPECT_LE(x, RAND_MAX);
        EXPECT_EQ(x, s::rand_r_step(b));
    }
}

TEST(Seeded, StreamsFollowTheSeedAloneWhateverCameBefore) {
    s::streams a, b;
    a.reseed(5);
    for (int i = 0; i < 10; ++i) a.next_random();
    unsigned char junk[20];
    a.fill(junk, sizeof junk);
    a.seed_random(99);
    a.reseed(9);
    b.reseed(9);
    EXPECT_EQ(a.next_random(), b.next_random());
    EXPECT_EQ(a.wall_seconds(), s::wall_clock_epoch + 9);
    // The counters' streams, as the Windows test plugin's checker computes
    // them (tests/tools/win-seeds-expect.py): rand's is nth of tag 1...
    s::streams c;
    c.reseed(3);
    EXPECT_EQ(c.next_random(), s::nth(s::derive(3, s::tag_random), 0));
    EXPECT_EQ(c.next_random(), s::nth(s::derive(3, s::tag_random), 1));
    // ...srand's of tag 4, and every fill takes whole words of tag 3's.
    c.seed_random(42);
    EXPECT_EQ(c.next_random(), s::nth(s::derive(42, s::tag_srandom), 0));
    std::uint32_t four;
    std::uint64_t eight;
    c.fill(&four, sizeof four);
    c.fill(&eight, sizeof eight);
    EXPECT_EQ(four, static_cast<std::uint32_t>(s::nth(s::derive(3, s::tag_entropy), 0)));
    EXPECT_EQ(eight, s::nth(s::derive(3, s::tag_entropy), 1));
    unsigned char twelve[12];
    c.fill(twelve, sizeof twelve);
    std::uint64_t w2 = s::nth(s::derive(3, s::tag_entropy), 2), w3 = s::nth(s::derive(3, s::tag_entropy), 3);
    EXPECT_EQ(std::memcmp(twelve, &w2, 8), 0);
    EXPECT_EQ(std::memcmp(twelve + 8, &w3, 4), 0);
    std::uint64_t next;
    c.fill(&next, sizeof next);
    EXPECT_EQ(next, s::nth(s::derive(3, s::tag_entropy), 4));
}

}  // namespace
