// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for audio measures on signals whose values are known.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "audio/file.hpp"
#include "audio/measure.hpp"
#include "core/records.hpp"

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// A sine of the given amplitude at 1 kHz, 48 kHz, whole periods only.
vr::audio_buffer sine(double amplitude, int channels = 2, std::size_t frames = 48000) {
    vr::audio_buffer a;
    a.channels = channels;
    const double pi = std::acos(-1.0);
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c)
            a.samples.push_back(
                static_cast<float>(amplitude * std::sin(2 * pi * 1000 * i / 48000.0)));
    return a;
}

TEST(Measure, FullScaleSine) {
    auto m = vr::measure_audio(sine(1.0), -60);
    EXPECT_NEAR(m.peak_dbfs, 0.0, 1e-6);
    EXPECT_NEAR(m.rms_dbfs, -3.0103, 1e-3);  // 20 log10(1/sqrt 2)
    EXPECT_EQ(m.clipped_samples, 0u);
    EXPECT_EQ(m.nonfinite_samples, 0u);
    EXPECT_FALSE(m.silent);

    vr::json r = {{"note", 60}};
    vr::put_measures(r, m);
    EXPECT_EQ(r.dump(), R"({"note":60,"peak_dbfs":0.0,"rms_dbfs":-3.01,"clipped_samples":0,)"
                        R"("nonfinite_samples":0,"silent":false})");
}

TEST(Measure, HalfScaleSineIsSixDecibelsDown) {
    auto m = vr::measure_audio(sine(0.5, 1), -60);
    EXPECT_NEAR(m.peak_dbfs, -6.0206, 1e-4);
    EXPECT_NEAR(m.rms_dbfs, -9.0309, 1e-3);
}

TEST(Measure, DigitalSilence) {
    vr::audio_buffer a;
    a.samples.assign(1000, 0.0f);
    auto m = vr::measure_audio(a, -60);
    EXPECT_EQ(m.peak_dbfs, -inf);
    EXPECT_EQ(m.rms_dbfs, -inf);
    EXPECT_TRUE(m.silent);

    vr::json r;
    vr::put_measures(r, m);
    EXPECT_TRUE(r["peak_dbfs"].is_null());
    EXPECT_TRUE(r["rms_dbfs"].is_null());
    EXPECT_EQ(r["silent"], true);
    EXPECT_EQ(r.dump().find("inf"), std::string::npos);

    EXPECT_TRUE(vr::measure_audio(vr::audio_buffer{}, -60).silent);  // nothing at all
}

TEST(Measure, SilenceIsBelowTheThreshold) {
    auto quiet = sine(std::pow(10.0, -70 / 20.0));  // peak -70 dBFS
    EXPECT_TRUE(vr::measure_audio(quiet, -60).silent);
    EXPECT_FALSE(vr::measure_audio(quiet, -80).silent);
}

TEST(Measure, NonFiniteSamplesAreCountedAndLeftOut) {
    vr::audio_buffer a;
    a.channels = 1;
    a.samples = {0.5f, NAN, -0.5f, INFINITY, -INFINITY, 0.5f, -0.5f};
    auto m = vr::measure_audio(a, -60);
    EXPECT_EQ(m.nonfinite_samples, 3u);
    EXPECT_EQ(m.clipped_samples, 0u);  // Inf is not finite, so not "clipped"
    EXPECT_NEAR(m.peak_dbfs, -6.0206, 1e-4);
    EXPECT_NEAR(m.rms_dbfs, -6.0206, 1e-4);  // the four finite samples, all 0.5
    EXPECT_FALSE(m.silent);

    a.samples = {NAN, NAN};
    m = vr::measure_audio(a, -60);
    EXPECT_EQ(m.nonfinite_samples, 2u);
    EXPECT_EQ(m.peak_dbfs, -inf);
    EXPECT_EQ(m.rms_dbfs, -inf);
}

TEST(Measure, OverFullScaleIsClipped) {
    vr::audio_buffer a;
    a.channels = 2;
    a.samples = {1.5f, -1.5f, 1.0f, -1.0f, 0.0f, 1.0000001f};
    auto m = vr::measure_audio(a, -60);
    EXPECT_EQ(m.clipped_samples, 3u);  // exactly 1.0 is full scale, not over it
    EXPECT_NEAR(m.peak_dbfs, 3.5218, 1e-4);

    vr::json r;
    vr::put_measures(r, m);
    EXPECT_EQ(r["peak_dbfs"], 3.52);
    EXPECT_EQ(r["clipped_samples"], 3);
}

TEST(Measure, RecordsRoundAndReplace) {
    vr::json r = {{"peak_dbfs", "stale"}, {"x", 1}};
    vr::audio_measures m{-0.004, -12.3456, 0, 0, false};
    vr::put_measures(r, m);
    EXPECT_EQ(r.dump().substr(0, 43), R"({"peak_dbfs":0.0,"x":1,"rms_dbfs":-12.35,"c)");
}

}  // namespace
