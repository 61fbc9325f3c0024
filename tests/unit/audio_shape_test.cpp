// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for what render-one does to a render before writing it.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "audio/shape.hpp"
#include "core/error.hpp"

namespace {

// Stereo frames from per-frame values (both channels alike).
vr::audio_buffer frames_of(std::initializer_list<float> values) {
    vr::audio_buffer a;
    a.channels = 2;
    a.sample_rate = 1000;
    for (float v : values) {
        a.samples.push_back(v);
        a.samples.push_back(v);
    }
    return a;
}

std::vector<float> left(const vr::audio_buffer& a) {
    std::vector<float> out;
    for (std::size_t i = 0; i < a.samples.size(); i += 2) out.push_back(a.samples[i]);
    return out;
}

TEST(AudioShape, ZeroNonfiniteCountsAndClears) {
    auto a = frames_of({0.5f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), -0.25f});
    EXPECT_EQ(vr::zero_nonfinite(a), 4u);  // two frames, two channels each
    EXPECT_EQ(left(a), (std::vector<float>{0.5f, 0.0f, 0.0f, -0.25f}));
    EXPECT_EQ(vr::zero_nonfinite(a), 0u);
}

TEST(AudioShape, TrimKeepsThePad) {
    auto a = frames_of({0, 0, 0, 0.5f, 0, -0.5f, 0, 0, 0, 0});
    vr::trim_silence(a, -60, 1);
    EXPECT_EQ(left(a), (std::vector<float>{0, 0.5f, 0, -0.5f, 0}));
    auto b = frames_of({0, 0.001f, 0.5f, 0.001f, 0});
    vr::trim_silence(b, -20, 0);  // 0.001 is -60 dBFS: silence at -20
    EXPECT_EQ(left(b), (std::vector<float>{0.5f}));
}

TEST(AudioShape, TrimLooksAtEveryChannel) {
    vr::audio_buffer a;
    a.channels = 2;
    a.samples = {0, 0, 0, 0.5f, 0, 0, 0, 0};  // only the right channel of frame 1 sounds
    vr::trim_silence(a, -60, 0);
    EXPECT_EQ(a.samples, (std::vector<float>{0, 0.5f}));
}

TEST(AudioShape, TrimLeavesSilenceAlone) {
    auto a = frames_of({0, 0, 0});
    vr::trim_silence(a, -60, 0);
    EXPECT_EQ(a.frames(), 3u);
}

TEST(AudioShape, FadeOutEndsAtZero) {
    auto a = frames_of({1, 1, 1, 1, 1, 1});
    vr::fade_out(a, 4);
    auto l = left(a);
    EXPECT_EQ(l[0], 1.0f);
    EXPECT_EQ(l[1], 1.0f);
    EXPECT_EQ(l[5], 0.0f);
    EXPECT_GT(l[2], l[3]);
    EXPECT_GT(l[3], l[4]);
    EXPECT_GT(l[4], l[5]);
    auto b = frames_of({1, 1});
    vr::fade_out(b, 100);  // longer than the audio: all of it
    EXPECT_EQ(left(b)[1], 0.0f);
}

TEST(AudioShape, GainInDecibels) {
    auto a = frames_of({0.25f, -0.5f});
    vr::apply_gain(a, 20 * std::log10(2.0));
    EXPECT_NEAR(left(a)[0], 0.5f, 1e-6);
    EXPECT_NEAR(left(a)[1], -1.0f, 1e-6);
}

TEST(AudioShape, ParseNormalize) {
    auto l = vr::parse_normalize("lufs:-16");
    EXPECT_EQ(l.what, vr::normalize_target::kind::lufs);
    EXPECT_EQ(l.level, -16);
    auto p = vr::parse_normalize("peak:-0.5");
    EXPECT_EQ(p.what, vr::normalize_target::kind::peak);
    EXPECT_EQ(p.level, -0.5);
    EXPECT_EQ(vr::parse_normalize("none").what, vr::normalize_target::kind::none);
    EXPECT_EQ(vr::to_string(l), "lufs:-16");
    EXPECT_EQ(vr::to_string(p), "peak:-0.5");
    EXPECT_EQ(vr::to_string(vr::parse_normalize(vr::to_string(p))), "peak:-0.5");
    for (const char* bad : {"", "lufs", "lufs:", "lufs:-16x", "lufs:3", "rms:-10", "peak:nan", "lufs:-80"})
        EXPECT_THROW(vr::parse_normalize(bad), vr::record_error) << bad;
}

TEST(AudioShape, NormalizeGainStopsAtTheCeiling) {
    using k = vr::normalize_target::kind;
    vr::loudness_reading quiet{-30.0, -20.0};
    EXPECT_DOUBLE_EQ(vr::normalize_gain_db({k::lufs, -16}, -21, quiet, -1), 14.0);
    // Reaching -10 LUFS would put the true peak at 0 dBTP: stop at -1.
    EXPECT_DOUBLE_EQ(vr::normalize_gain_db({k::lufs, -10}, -21, quiet, -1), 19.0);
    EXPECT_DOUBLE_EQ(vr::normalize_gain_db({k::peak, -3}, -21, quiet, -1), 18.0);
    EXPECT_DOUBLE_EQ(vr::normalize_gain_db({k::peak, 0}, -21, quiet, -1), 19.0);
    // Loudness that is not defined leaves the audio as it is.
    EXPECT_DOUBLE_EQ(vr::normalize_gain_db({k::lufs, -16}, -21, {std::nullopt, -20.0}, -1), 0.0);
    EXPECT_DOUBLE_EQ(vr::normalize_gain_db({k::peak, -1}, -std::numeric_limits<double>::infinity(), {}, -1), 0.0);
    EXPECT_DOUBLE_EQ(vr::normalize_gain_db({k::none, 0}, -21, quiet, -1), 0.0);
}

}  // namespace
