// SPDX-License-Identifier: GPL-3.0-or-later
// The virtual clock a plugin reads inside a call into it
// (core/plugin_clock.hpp): its arithmetic, exact to the nanosecond, and the
// thread's inside-a-call pointer (inside_plugin) nesting.
#include <gtest/gtest.h>

#include <thread>

#include "core/plugin_clock.hpp"

namespace {

using vr::plugin_clock;

TEST(PluginClock, StartsAtItsStartAndNowMovesNothing) {
    plugin_clock c(44100);
    EXPECT_EQ(c.now(), plugin_clock::start_ns);
    EXPECT_EQ(c.now(), plugin_clock::start_ns);
    EXPECT_EQ(plugin_clock::start_ns, 1'000'000'000'000);
}

TEST(PluginClock, EveryReadingIsOneStepOnFromTheOneBefore) {
    plugin_clock c;
    EXPECT_EQ(c.read(), plugin_clock::start_ns + 1'000);
    EXPECT_EQ(c.read(), plugin_clock::start_ns + 2'000);
    EXPECT_EQ(c.now(), plugin_clock::start_ns + 2'000);
}

TEST(PluginClock, PlayedFramesAtTheInstancesRate) {
    plugin_clock at44(44100), at48(48000);
    at44.played(44100);
    at48.played(48000);
    EXPECT_EQ(at44.now() - plugin_clock::start_ns, 1'000'000'000);
    EXPECT_EQ(at48.now() - plugin_clock::start_ns, 1'000'000'000);
    // A block of 512 frames: 512 / 44100 s is 11,609,977.32 ns (rounded
    // down), 512 / 48000 s exactly 10,666,666.67 (rounded down).
    plugin_clock block44(44100), block48(48000);
    block44.played(512);
    block48.played(512);
    EXPECT_EQ(block44.now() - plugin_clock::start_ns, 11'609'977);
    EXPECT_EQ(block48.now() - plugin_clock::start_ns, 10'666'666);
    // The frames add up before they become time: 100 blocks of 441 frames
    // are exactly one second, no rounding carried block by block.
    plugin_clock blocks(44100);
    for (int i = 0; i < 100; ++i) blocks.played(441);
    EXPECT_EQ(blocks.now() - plugin_clock::start_ns, 1'000'000'000);
    // An hour at 48 kHz, frame-exact.
    plugin_clock hour(48000);
    hour.played(48000LL * 3600 + 1);
    EXPECT_EQ(hour.now() - plugin_clock::start_ns, 3'600'000'000'000 + 20'833);
}

TEST(PluginClock, NothingOrLessPlayedMovesNothing) {
    plugin_clock c(48000);
    c.played(0);
    c.played(-480);
    EXPECT_EQ(c.now(), plugin_clock::start_ns);
}

TEST(PluginClock, ABadRateIs48000) {
    plugin_clock c(0);
    EXPECT_EQ(c.sample_rate(), 48000);
    c.played(48);
    EXPECT_EQ(c.now() - plugin_clock::start_ns, 1'000'000);
}

TEST(PluginClock, WaitsAddWhatTheyLasted) {
    plugin_clock c;
    c.waited(50'000'000);
    EXPECT_EQ(c.now(), plugin_clock::start_ns + 50'000'000);
    c.waited(-1);
    c.waited(0);
    EXPECT_EQ(c.now(), plugin_clock::start_ns + 50'000'000);
}

TEST(PluginClock, WaitedUntilMovesToTheDeadlineAndNeverBack) {
    plugin_clock c(44100);
    const std::int64_t deadline = c.read() + 50'000'000;
    c.waited_until(deadline);
    EXPECT_EQ(c.now(), deadline);
    c.waited_until(deadline - 1'000'000);  // in the past: stays
    EXPECT_EQ(c.now(), deadline);
    c.waited_until(plugin_clock::start_ns);
    EXPECT_EQ(c.now(), deadline);
    c.played(44100);
    c.waited_until(deadline);  // played past it already
    EXPECT_EQ(c.now(), deadline + 1'000'000'000);
    EXPECT_EQ(c.read(), deadline + 1'000'000'000 + 1'000);
}

TEST(PluginClock, InsidePluginNestsAndIsThisThreadsOnly) {
    plugin_clock outer, inner;
    EXPECT_EQ(vr::clock_inside(), nullptr);
    {
        vr::inside_plugin a(outer);
        EXPECT_EQ(vr::clock_inside(), &outer);
        {
            vr::inside_plugin b(inner);
            EXPECT_EQ(vr::clock_inside(), &inner);
        }
        EXPECT_EQ(vr::clock_inside(), &outer);
        plugin_clock* seen = &outer;
        std::thread([&] { seen = vr::clock_inside(); }).join();
        EXPECT_EQ(seen, nullptr);
    }
    EXPECT_EQ(vr::clock_inside(), nullptr);
}

// The mark keeps the clock and whether the call renders in one pointer
// (core/thread_mark.hpp): each comes back whole, and nesting restores both.
TEST(PluginClock, InsideAProcessCallIsRenderingAndNestingRestoresIt) {
    plugin_clock outer, inner;
    EXPECT_FALSE(vr::rendering_inside());
    {
        vr::inside_plugin a(outer, true);
        EXPECT_EQ(vr::clock_inside(), &outer);
        EXPECT_TRUE(vr::rendering_inside());
        {
            vr::inside_plugin b(inner, false);
            EXPECT_EQ(vr::clock_inside(), &inner);
            EXPECT_FALSE(vr::rendering_inside());
        }
        EXPECT_EQ(vr::clock_inside(), &outer);
        EXPECT_TRUE(vr::rendering_inside());
        bool seen = true;
        std::thread([&] { seen = vr::rendering_inside(); }).join();
        EXPECT_FALSE(seen);
    }
    EXPECT_EQ(vr::clock_inside(), nullptr);
    EXPECT_FALSE(vr::rendering_inside());
}

}  // namespace
