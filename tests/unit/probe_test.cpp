// SPDX-License-Identifier: GPL-3.0-or-later
// The isolation probe's plans and comparisons (lib/supervise/probe).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "supervise/probe.hpp"

namespace {

vr::audio_buffer buffer(std::vector<float> samples) {
    vr::audio_buffer a;
    a.channels = 2;
    a.samples = std::move(samples);
    return a;
}

TEST(Probe, ComparesSamplesExactlyAndAcrossTheChildsBytes) {
    auto a = buffer({0.0f, 0.5f, -0.25f, 0.0f});
    auto b = buffer({0.0f, 0.5f, -0.25f, 0.0f});
    EXPECT_TRUE(vr::same_samples(a, b));
    b.samples[2] = std::nextafter(-0.25f, 0.0f);
    EXPECT_FALSE(vr::same_samples(a, b));
    EXPECT_FALSE(vr::same_samples(a, buffer({0.0f, 0.5f})));
    const std::string bytes = vr::to_bytes(a);
    EXPECT_EQ(bytes.size(), 4 * sizeof(float));
    EXPECT_TRUE(vr::same_bytes(a, bytes));
    EXPECT_FALSE(vr::same_bytes(b, bytes));
    EXPECT_FALSE(vr::same_bytes(a, bytes.substr(0, 12)));
}

TEST(Probe, SilenceIsAllZeroesAsBufferOrBytes) {
    auto silent = buffer({0.0f, -0.0f, 0.0f, 0.0f});
    EXPECT_FALSE(vr::sounds(silent));
    EXPECT_FALSE(vr::sounds(vr::to_bytes(silent)));
    auto tiny = buffer({0.0f, 0.0f, 1e-30f, 0.0f});
    EXPECT_TRUE(vr::sounds(tiny));
    EXPECT_TRUE(vr::sounds(vr::to_bytes(tiny)));
    EXPECT_FALSE(vr::sounds(std::string()));
}

TEST(Probe, TheDisturbingPlanDiffersFromTheProbe) {
    auto probe = vr::probe_plan(48000);
    auto disturbing = vr::disturbing_plan(48000);
    ASSERT_FALSE(probe.messages.empty());
    ASSERT_FALSE(disturbing.messages.empty());
    EXPECT_NE(probe.messages.front().bytes, disturbing.messages.front().bytes);
    // Pitch bend and modulation are left up when the reset comes.
    bool bend = false, modulation = false;
    for (const auto& m : disturbing.messages) {
        bend = bend || m.bytes[0] == 0xE0;
        modulation = modulation || (m.bytes[0] == 0xB0 && m.bytes[1] == 0x01);
    }
    EXPECT_TRUE(bend);
    EXPECT_TRUE(modulation);
    EXPECT_GT(probe.frames, 0);
}

}  // namespace
