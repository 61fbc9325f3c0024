// SPDX-License-Identifier: GPL-3.0-or-later
// The generators render-one hands plugins (core/seeded.hpp): the drand48
// family as POSIX defines it, checked against this process's glibc (the unit
// tests do not link the pinned definitions), and seeds that keep apart.
#include <gtest/gtest.h>

#include <cstdlib>
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

}  // namespace
