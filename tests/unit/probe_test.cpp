// SPDX-License-Identifier: GPL-3.0-or-later
// The isolation probe's plans and comparisons (lib/supervise/probe): the
// same samples, and compare_renders's account of where two renders differ.
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

TEST(Probe, CompareRendersSaysSameOrWhereTheyFirstDifferAndByHowMuchAtMost) {
    const auto a = buffer({0.0f, 0.5f, -0.25f, 0.0f, 0.125f, 1.0f, 0.0f, 0.0f});
    const auto same = vr::compare_renders(a, buffer(a.samples));
    EXPECT_TRUE(same.same);
    EXPECT_FALSE(same.shape);
    EXPECT_EQ(same.text(), "same");
    // Frames of two channels: the first difference at frame 2, channel 1
    // (by 0.25); a larger one after it, at frame 3, channel 0 (by 0.75).
    auto b = a;
    b.samples[5] = 0.75f;
    b.samples[6] = -0.75f;
    const auto d = vr::compare_renders(a, b);
    EXPECT_FALSE(d.same);
    EXPECT_FALSE(d.shape);
    EXPECT_EQ(d.frame, 2);
    EXPECT_EQ(d.channel, 1);
    EXPECT_EQ(d.largest, 0.75);
    EXPECT_EQ(d.text(), "different from frame 2, channel 1; largest difference 0.75");
    // Either way round, the same answer.
    const auto back = vr::compare_renders(b, a);
    EXPECT_EQ(back.frame, 2);
    EXPECT_EQ(back.channel, 1);
    EXPECT_EQ(back.largest, 0.75);
    // The first difference at the very first sample; one of a single step.
    auto c = a;
    c.samples[0] = std::nextafter(0.0f, 1.0f);
    const auto tiny = vr::compare_renders(a, c);
    EXPECT_FALSE(tiny.same);
    EXPECT_EQ(tiny.frame, 0);
    EXPECT_EQ(tiny.channel, 0);
    EXPECT_EQ(tiny.largest, static_cast<double>(std::nextafter(0.0f, 1.0f)));
    // Bytes are compared, as same_samples does: -0 is not 0, by nothing.
    auto z = a;
    z.samples[3] = -0.0f;
    const auto sign = vr::compare_renders(a, z);
    EXPECT_FALSE(sign.same);
    EXPECT_EQ(sign.frame, 1);
    EXPECT_EQ(sign.channel, 1);
    EXPECT_EQ(sign.largest, 0.0);
    // A NaN against a number is as large as a difference gets.
    auto n = a;
    n.samples[7] = std::nanf("");
    EXPECT_EQ(vr::compare_renders(a, n).largest, HUGE_VAL);
}

TEST(Probe, CompareRendersOfOtherLengthsOrChannelCountsSaysSo) {
    const auto a = buffer({0.0f, 0.5f, -0.25f, 0.0f});
    const auto shorter = vr::compare_renders(a, buffer({0.0f, 0.5f}));
    EXPECT_FALSE(shorter.same);
    EXPECT_TRUE(shorter.shape);
    EXPECT_EQ(shorter.text(), "different: other lengths or channel counts");
    EXPECT_TRUE(vr::compare_renders(buffer({0.0f, 0.5f}), a).shape);
    // The same samples as one channel of four frames: other channels.
    auto mono = a;
    mono.channels = 1;
    const auto channels = vr::compare_renders(a, mono);
    EXPECT_FALSE(channels.same);
    EXPECT_TRUE(channels.shape);
    // Two empty renders are the same.
    EXPECT_TRUE(vr::compare_renders(buffer({}), buffer({})).same);
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
