// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for our true-peak meter against libebur128's, the figure the
// records carried before it. The goal is 0.05 dB; the meter redoes
// libebur128's own sum wherever the peak can be, so the figures are equal
// and the tests say so on x86-64, whose baseline has no fused multiply-add
// (elsewhere libebur128's build may fuse and move the figure by a float's
// last bit).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>

#include "audio/file.hpp"
#include "audio/loudness.hpp"
#include "audio/true_peak.hpp"
#include "audio_test_util.hpp"
#include "core/error.hpp"

namespace {

const double pi = std::acos(-1.0);

// frames x channels of gen(channel, frame).
vr::audio_buffer signal(int rate, int channels, std::size_t frames, const std::function<double(int, std::size_t)>& gen) {
    vr::audio_buffer a;
    a.channels = channels;
    a.sample_rate = rate;
    a.samples.reserve(frames * channels);
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c) a.samples.push_back(static_cast<float>(gen(c, i)));
    return a;
}

// A sine at hz, each channel a little later in phase than the one before.
vr::audio_buffer sine(int rate, int channels, std::size_t frames, double hz, double amplitude, double phase = 0) {
    return signal(rate, channels, frames, [=](int c, std::size_t i) {
        return amplitude * std::sin(2 * pi * hz * static_cast<double>(i) / rate + phase + 0.3 * c);
    });
}

// Deterministic white noise in [-1, 1) (a 64-bit LCG's top bits).
struct noise {
    std::uint64_t state;
    double operator()() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 52) - 1.0;
    }
};

double db(double linear) { return 20 * std::log10(linear); }

// Ours equals libebur128's, bit for bit (and so within 0.05 dB).
void expect_same_as_libebur128(const vr::audio_buffer& a, const std::string& what) {
    const double ours = vr::true_peak(a);
    const double theirs = vr::true_peak_by_libebur128(a);
#if defined(__x86_64__)
    EXPECT_EQ(ours, theirs) << what << ": ours " << db(ours) << " dBTP, libebur128 " << db(theirs);
#endif
    EXPECT_EQ(ours == 0, theirs == 0) << what;
    if (ours > 0 && theirs > 0) {
        EXPECT_NEAR(db(ours), db(theirs), 0.05) << what;
    }
}

const int rates[] = {44100, 48000, 96000, 192000};
const int channel_counts[] = {1, 2, 6};

TEST(TruePeak, OversamplesAsLibebur128Does) {
    EXPECT_EQ(vr::true_peak_oversampling(8000), 4);
    EXPECT_EQ(vr::true_peak_oversampling(48000), 4);
    EXPECT_EQ(vr::true_peak_oversampling(95999), 4);
    EXPECT_EQ(vr::true_peak_oversampling(96000), 2);
    EXPECT_EQ(vr::true_peak_oversampling(191999), 2);
    EXPECT_EQ(vr::true_peak_oversampling(192000), 1);
}

TEST(TruePeak, SinesUpToNyquistAtEveryRateAndLayout) {
    for (int rate : rates)
        for (int ch : channel_counts)
            for (double fraction : {0.0208, 0.1, 0.25, 0.37, 0.45, 0.49, 0.499}) {
                const double hz = fraction * rate;
                for (double phase : {0.0, pi / 4, 1.0})
                    expect_same_as_libebur128(sine(rate, ch, rate / 10, hz, 0.8, phase),
                                              std::to_string(rate) + " Hz, " + std::to_string(ch) + " ch, " +
                                                  std::to_string(hz) + " Hz sine, phase " + std::to_string(phase));
            }
}

TEST(TruePeak, QuarterRateSineAt45DegreesPeaksBetweenSamples) {
    // Every sample is at 0.707 of the wave's peak; 4x oversampling lands on
    // the peak itself: +3 dB over the sample peak (and 0.1 dB of the
    // interpolator's ripple, near the top of its band).
    auto a = signal(48000, 2, 4800, [](int, std::size_t i) { return 0.5 * std::sin(pi / 2 * i + pi / 4); });
    const double sample_peak = std::fabs(a.samples[0]);
    EXPECT_NEAR(db(sample_peak), db(0.5) - 3.01, 0.01);
    const double tp = vr::true_peak(a);
    EXPECT_NEAR(db(tp) - db(sample_peak), 3.01, 0.15);
    expect_same_as_libebur128(a, "fs/4 at 45 degrees");
}

TEST(TruePeak, ImpulsesAndDoublets) {
    for (int rate : rates)
        for (int ch : channel_counts)
            for (std::size_t at : {std::size_t{0}, std::size_t{5}, std::size_t{127}, std::size_t{128},
                                   std::size_t{700}, std::size_t{998}, std::size_t{999}}) {
                const std::string what = std::to_string(rate) + " Hz, " + std::to_string(ch) + " ch, at " +
                                          std::to_string(at);
                auto impulse = signal(rate, ch, 1000, [=](int c, std::size_t i) { return i == at + c ? 0.9 : 0.0; });
                expect_same_as_libebur128(impulse, "impulse " + what);
                // +x, -x side by side: the wave a quarter of the way from one
                // to the other overshoots both (halfway it is 0).
                auto doublet = signal(rate, ch, 1000, [=](int, std::size_t i) {
                    return i == at ? 0.6 : i == at + 1 ? -0.6 : 0.0;
                });
                expect_same_as_libebur128(doublet, "doublet " + what);
                if (at + 1 < 990 && rate < 96000) {
                    EXPECT_GT(vr::true_peak(doublet), 0.6 * 1.05) << what;
                }
            }
}

TEST(TruePeak, SilenceIsZero) {
    for (int rate : rates)
        for (int ch : channel_counts) {
            auto silent = signal(rate, ch, 5000, [](int, std::size_t) { return 0.0; });
            EXPECT_EQ(vr::true_peak(silent), 0.0);
            EXPECT_EQ(vr::true_peak_by_libebur128(silent), 0.0);
            EXPECT_FALSE(vr::measure_loudness(silent).true_peak_dbtp);
        }
    vr::audio_buffer empty;
    EXPECT_EQ(vr::true_peak(empty), 0.0);
    EXPECT_FALSE(vr::measure_loudness(empty).true_peak_dbtp);
}

TEST(TruePeak, BuffersShorterThanTheFilterAndAroundABlock) {
    // One frame; fewer frames than the 12 or 24 taps of a phase; either
    // side of the 128-frame blocks the fast pass works in.
    for (int rate : rates)
        for (int ch : channel_counts)
            for (std::size_t frames : {1, 2, 5, 11, 12, 13, 23, 24, 25, 127, 128, 129, 255, 257}) {
                noise n{frames * 31 + static_cast<std::uint64_t>(ch)};
                auto a = signal(rate, ch, frames, [&](int, std::size_t) { return n(); });
                expect_same_as_libebur128(a, std::to_string(rate) + " Hz, " + std::to_string(ch) + " ch, " +
                                                 std::to_string(frames) + " frames");
            }
}

TEST(TruePeak, NoiseSquaresAndConstantsWhoseManyPeaksAreNearlyEqual) {
    for (int rate : rates)
        for (int ch : {1, 2}) {
            const std::string where = std::to_string(rate) + " Hz, " + std::to_string(ch) + " ch";
            noise n{static_cast<std::uint64_t>(rate + ch)};
            expect_same_as_libebur128(signal(rate, ch, 20000, [&](int, std::size_t) { return n(); }),
                                      "white noise, " + where);
            // Clipped: every sample at exactly +-1, many interpolated
            // values within a rounding of each other.
            expect_same_as_libebur128(
                signal(rate, ch, 20000, [&](int, std::size_t) { return n() < 0 ? -1.0 : 1.0; }),
                "clipped noise, " + where);
            expect_same_as_libebur128(
                signal(rate, ch, 20000, [](int, std::size_t i) { return (i / 37) % 2 ? -0.99 : 0.99; }),
                "square wave, " + where);
            expect_same_as_libebur128(signal(rate, ch, 20000, [](int, std::size_t) { return 0.25; }), "DC, " + where);
        }
}

TEST(TruePeak, TinyAndSubnormalLevels) {
    // libebur128 filters with flush-to-zero on: an interpolated value below
    // the smallest normal float counts as 0 there, and so here.
    for (double amplitude : {1e-30, 1e-37, 3e-38, 1e-39, 1e-41})
        for (int rate : {48000, 96000}) {
            expect_same_as_libebur128(sine(rate, 2, 2000, 11000, amplitude, 1.0),
                                      "sine at " + std::to_string(amplitude) + ", " + std::to_string(rate) + " Hz");
            expect_same_as_libebur128(sine(rate, 2, 2000, rate * 0.45, amplitude, 0.2),
                                      "high sine at " + std::to_string(amplitude));
        }
}

// A synthesizer-like note: harmonics of a decaying sawtooth-ish tone, more
// on one side than the other, with a little noise.
vr::audio_buffer note(int rate, int channels, double seconds, double hz) {
    noise n{42};
    return signal(rate, channels, static_cast<std::size_t>(seconds * rate), [&](int c, std::size_t i) {
        const double t = static_cast<double>(i) / rate;
        double v = 0;
        for (int h = 1; h < 40 && h * hz < rate / 2.0; ++h) v += std::sin(2 * pi * h * hz * t + 0.1 * h * c) / h;
        return 0.45 * (c ? 0.9 : 1.0) * std::exp(-1.5 * t) * v + 0.001 * n();
    });
}

TEST(TruePeak, NotesWrittenAndReadBackAsWavAndFlac) {
    // The measurement runs on what the tools read back from a file:
    // samples quantized to 16 and 24 bits by libsndfile.
    vr::test::scratch_dir dir;
    for (int rate : rates)
        for (int ch : {1, 2}) {
            auto a = note(rate, ch, 0.5, 220 + rate / 1000.0);
            expect_same_as_libebur128(a, "note in floats");
            for (auto [name, fmt] : {std::pair{"x.wav", vr::sample_format::pcm24},
                                     std::pair{"x.flac", vr::sample_format::pcm16},
                                     std::pair{"y.wav", vr::sample_format::float32}}) {
                const std::string path = dir.file(name);
                vr::write_audio_file(path, a, fmt);
                auto back = vr::read_audio_file(path);
                ASSERT_EQ(back.frames(), a.frames());
                expect_same_as_libebur128(back, std::string(name) + " at " + std::to_string(rate) + " Hz, " +
                                                    std::to_string(ch) + " ch");
            }
        }
}

TEST(TruePeak, LoudnessRecordCarriesItInDb) {
    auto a = note(48000, 2, 1.0, 330);
    auto r = vr::measure_loudness(a);
    ASSERT_TRUE(r.true_peak_dbtp);
    EXPECT_EQ(*r.true_peak_dbtp, 20.0 * std::log10(vr::true_peak_by_libebur128(a)));
    ASSERT_TRUE(r.integrated_lufs);
}

TEST(TruePeak, ReferenceRefusesWhatLibebur128Refuses) {
    auto a = sine(48000, 2, 100, 1000, 0.5);
    a.sample_rate = 0;
    EXPECT_THROW(vr::true_peak_by_libebur128(a), vr::record_error);
}

}  // namespace
