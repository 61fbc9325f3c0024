// SPDX-License-Identifier: GPL-3.0-or-later
// What the Windows worker's pinned monotonic clocks answer inside a call
// (windows/clock_units.hpp, used by windows/pinned_clocks.cpp): each in its
// own units from one virtual clock, every reading a step later, a wait that
// ran out moving them all by its length, an infinite one by nothing.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/plugin_clock.hpp"
#include "windows/clock_units.hpp"

namespace {

namespace u = vr::windows::clock_units;
using vr::plugin_clock;

constexpr std::int64_t step = plugin_clock::read_step_ns;

TEST(WindowsClockUnits, EachClockCountsInItsOwnUnitsFromTheStart) {
    plugin_clock clock;
    // 1,000 s after the imagined boot, plus one step per reading.
    EXPECT_EQ(u::qpc_ticks(clock), (plugin_clock::start_ns + step) / 100);
    EXPECT_EQ(u::interrupt_time(clock), static_cast<std::uint64_t>((plugin_clock::start_ns + 2 * step) / 100));
    EXPECT_EQ(u::milliseconds(clock), 1'000'000U);
    EXPECT_EQ(u::milliseconds32(clock), 1'000'000U);
    EXPECT_EQ(clock.now(), plugin_clock::start_ns + 4 * step);
}

TEST(WindowsClockUnits, TheCounterTicksAtItsFrequencyAndNeverStandsStill) {
    EXPECT_EQ(u::qpc_frequency, 10'000'000);
    plugin_clock clock;
    std::int64_t last = u::qpc_ticks(clock);
    for (int i = 0; i < 1000; ++i) {
        const std::int64_t t = u::qpc_ticks(clock);
        EXPECT_EQ(t - last, step / 100) << "reading " << i;
        last = t;
    }
}

TEST(WindowsClockUnits, AWaitThatRanOutMovesEveryClockByItsLength) {
    plugin_clock clock;
    const std::int64_t before = u::qpc_ticks(clock);
    u::waited_ms(clock, 50);
    // 50 ms at 10 MHz, and one reading's step.
    EXPECT_EQ(u::qpc_ticks(clock) - before, 50 * u::qpc_frequency / 1000 + step / 100);
    const std::uint64_t before_ms = u::milliseconds(clock);
    u::waited_ms(clock, 50);
    EXPECT_EQ(u::milliseconds(clock) - before_ms, 50U);
}

TEST(WindowsClockUnits, AnInfiniteWaitMovesNothing) {
    plugin_clock clock;
    const std::int64_t before = clock.now();
    u::waited_ms(clock, u::infinite);
    u::waited_ms(clock, 0);
    EXPECT_EQ(clock.now(), before);
}

TEST(WindowsClockUnits, TheAudioPlayedMovesTheClocks) {
    plugin_clock clock(48000);
    const std::uint64_t before = u::milliseconds(clock);
    clock.played(48000);
    EXPECT_EQ(u::milliseconds(clock) - before, 1000U);
}

TEST(WindowsClockUnits, The32BitMillisecondsWrapAsGetTickCountDoes) {
    plugin_clock clock;
    // Past 2^32 ms (49.7 days) of waiting: the low 32 bits of the 64.
    for (int i = 0; i < 50; ++i) u::waited_ms(clock, 86'400'000);
    const std::uint64_t wide = u::milliseconds(clock);
    ASSERT_GT(wide, 0xFFFFFFFFULL);
    // The next reading, a microsecond on, is in the same millisecond.
    EXPECT_EQ(u::milliseconds32(clock), static_cast<std::uint32_t>(wide));
}

}  // namespace
