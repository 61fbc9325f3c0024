// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for EBU R128 loudness and true peak on signals whose values the
// standard fixes (BS.1770: a 1 kHz sine reads its RMS level, +3 dB per
// loudspeaker that carries it).
#include <gtest/gtest.h>

#include <cmath>

#include "audio/file.hpp"
#include "audio/integrated_loudness.hpp"
#include "audio/loudness.hpp"
#include "core/error.hpp"

namespace {

// A sine at the given frequency and phase, 48 kHz, the same on each channel.
vr::audio_buffer sine(double amplitude, int channels, double seconds, double hz = 1000, double phase = 0) {
    vr::audio_buffer a;
    a.channels = channels;
    a.sample_rate = 48000;
    const double pi = std::acos(-1.0);
    auto frames = static_cast<std::size_t>(seconds * 48000);
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c)
            a.samples.push_back(static_cast<float>(amplitude * std::sin(2 * pi * hz * i / 48000.0 + phase)));
    return a;
}

TEST(Loudness, StereoSineReadsItsPeakLevel) {
    auto r = vr::measure_loudness(sine(0.1, 2, 3.0));
    ASSERT_TRUE(r.integrated_lufs);
    EXPECT_NEAR(*r.integrated_lufs, -20.0, 0.1);
    ASSERT_TRUE(r.true_peak_dbtp);
    EXPECT_NEAR(*r.true_peak_dbtp, -20.0, 0.1);
}

TEST(Loudness, MonoIsOneLoudspeaker) {
    auto r = vr::measure_loudness(sine(0.1, 1, 3.0));
    ASSERT_TRUE(r.integrated_lufs);
    EXPECT_NEAR(*r.integrated_lufs, -23.01, 0.1);
}

TEST(Loudness, TruePeakFindsThePeakBetweenSamples) {
    // A quarter-rate sine sampled at 45 degrees: every sample is at 0.707 of
    // the wave's peak, which falls between them.
    const double pi = std::acos(-1.0);
    auto a = sine(1.0, 2, 1.0, 12000, pi / 4);
    float sample_peak = 0;
    for (float s : a.samples) sample_peak = std::max(sample_peak, std::fabs(s));
    EXPECT_NEAR(20 * std::log10(sample_peak), -3.01, 0.01);
    auto r = vr::measure_loudness(a);
    ASSERT_TRUE(r.true_peak_dbtp);
    EXPECT_GT(*r.true_peak_dbtp, -0.5);
}

TEST(Loudness, SilenceAndShortAudioHaveNoIntegratedLoudness) {
    auto silent = vr::measure_loudness(sine(0.0, 2, 2.0));
    EXPECT_FALSE(silent.integrated_lufs);
    EXPECT_FALSE(silent.true_peak_dbtp);
    auto shorter_than_a_block = vr::measure_loudness(sine(0.5, 2, 0.2));
    EXPECT_FALSE(shorter_than_a_block.integrated_lufs);
    ASSERT_TRUE(shorter_than_a_block.true_peak_dbtp);
    EXPECT_NEAR(*shorter_than_a_block.true_peak_dbtp, -6.02, 0.1);
    vr::audio_buffer empty;
    EXPECT_FALSE(vr::measure_loudness(empty).integrated_lufs);
}

TEST(Loudness, NeedsASampleRate) {
    auto a = sine(0.5, 2, 1.0);
    a.sample_rate = 0;
    EXPECT_THROW(vr::measure_loudness(a), vr::record_error);
}

TEST(Loudness, IntegratedLoudnessIsLibebur128s) {
    // measure_loudness carries our meter's figure, which is libebur128's
    // to the bit (integrated_loudness_test.cpp holds it to that on many
    // signals); here, the record's own path.
    for (int ch : {1, 2}) {
        auto a = sine(0.3, ch, 2.5, 440);
        auto r = vr::measure_loudness(a);
        ASSERT_TRUE(r.integrated_lufs);
#if defined(__x86_64__)
        EXPECT_EQ(*r.integrated_lufs, vr::loudness_by_libebur128(a));
#endif
        EXPECT_NEAR(*r.integrated_lufs, vr::loudness_by_libebur128(a), 1e-9);
    }
    EXPECT_EQ(vr::loudness_by_libebur128(sine(0.0, 2, 2.0)), -HUGE_VAL);
    EXPECT_EQ(vr::loudness_by_libebur128(sine(0.5, 2, 0.2)), -HUGE_VAL);
}

TEST(Loudness, RefusesWhatLibebur128Refuses) {
    // Its limits: 1 to 64 channels, 16 Hz to 2.8224 MHz; ours keeps them,
    // so that a record fails or passes as it did.
    auto a = sine(0.5, 2, 0.5);
    for (int rate : {15, 2822401}) {
        a.sample_rate = rate;
        EXPECT_THROW(vr::measure_loudness(a), vr::record_error) << rate;
        EXPECT_THROW(vr::loudness_by_libebur128(a), vr::record_error) << rate;
    }
    // (libebur128 takes 16 and 17 Hz too, then writes past its buffer: it
    // is not asked there.)
    for (int rate : {16, 17, 18, 2822400}) {
        a.sample_rate = rate;
        EXPECT_NO_THROW(vr::measure_loudness(a)) << rate;
#if defined(__x86_64__)
        if (rate >= 18) {
            EXPECT_EQ(vr::integrated_loudness(a), vr::loudness_by_libebur128(a)) << rate;
        }
#endif
    }
    vr::audio_buffer wide;
    wide.channels = 65;
    wide.samples.assign(65 * 100, 0.1f);
    EXPECT_THROW(vr::measure_loudness(wide), vr::record_error);
    EXPECT_THROW(vr::loudness_by_libebur128(wide), vr::record_error);
    wide.channels = 64;
    wide.samples.resize(64 * 100);
    auto r = vr::measure_loudness(wide);
    EXPECT_FALSE(r.integrated_lufs);  // 100 frames: shorter than a block
    ASSERT_TRUE(r.true_peak_dbtp);
    EXPECT_GE(*r.true_peak_dbtp, 20 * std::log10(0.1));  // the step overshoots between samples
}

}  // namespace
