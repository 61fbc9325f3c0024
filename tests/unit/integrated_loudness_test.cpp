// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for our integrated loudness against libebur128's, the figure
// the records carried before it. Normalization multiplies the samples by a
// gain computed from it, so anything but the very same double could change
// the files written: the figures are compared with ==, on x86-64 (whose
// baseline has no fused multiply-add; elsewhere libebur128's build may fuse
// and move the last bits, and only closeness is checked).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>

#include "audio/file.hpp"
#include "audio/integrated_loudness.hpp"
#include "audio/loudness.hpp"

namespace {

const double pi = std::acos(-1.0);

// frames x channels of gen(channel, seconds).
vr::audio_buffer signal(int rate, int channels, std::size_t frames, const std::function<double(int, double)>& gen) {
    vr::audio_buffer a;
    a.channels = channels;
    a.sample_rate = rate;
    a.samples.reserve(frames * channels);
    for (std::size_t i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c)
            a.samples.push_back(static_cast<float>(gen(c, static_cast<double>(i) / rate)));
    return a;
}

std::size_t frames_of(int rate, double seconds) { return static_cast<std::size_t>(seconds * rate); }

// Deterministic white noise in [-1, 1) (a 64-bit LCG's top bits).
struct noise {
    std::uint64_t state;
    double operator()() {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 52) - 1.0;
    }
};

// Ours is libebur128's figure, the same double (-infinity for none).
void expect_same_as_libebur128(const vr::audio_buffer& a, const std::string& what) {
    const double ours = vr::integrated_loudness(a);
    const double theirs = vr::loudness_by_libebur128(a);
#if defined(__x86_64__)
    EXPECT_EQ(ours, theirs) << what;
#else
    EXPECT_NEAR(ours, theirs, 1e-9) << what;
#endif
    EXPECT_EQ(std::isfinite(ours), std::isfinite(theirs)) << what;
}

std::string name(int rate, int channels, const std::string& what) {
    return std::to_string(rate) + " Hz, " + std::to_string(channels) + " ch, " + what;
}

// 44104 Hz: 400 ms round up to five chunks of 100 ms in libebur128's ring,
// which changes the order of its sums; 22050 and 8000 are low rates.
const int rates[] = {8000, 22050, 44100, 44104, 48000, 96000, 192000};
const int channel_counts[] = {1, 2, 6};

TEST(IntegratedLoudness, SinesAtEveryRateAndLayout) {
    for (int rate : rates)
        for (int ch : channel_counts)
            for (double hz : {40.0, 997.0, 0.4 * rate})
                expect_same_as_libebur128(signal(rate, ch, frames_of(rate, 1.25),
                                                 [=](int c, double t) { return 0.5 * std::sin(2 * pi * hz * t + c); }),
                                          name(rate, ch, std::to_string(hz) + " Hz sine"));
}

TEST(IntegratedLoudness, NoiseAtEveryRateAndLayout) {
    for (int rate : rates)
        for (int ch : channel_counts) {
            noise n{static_cast<std::uint64_t>(rate + ch)};
            expect_same_as_libebur128(signal(rate, ch, frames_of(rate, 1.73), [&](int, double) { return 0.7 * n(); }),
                                      name(rate, ch, "noise"));
        }
}

TEST(IntegratedLoudness, EveryChannelCountTakesLibebur128sWeights) {
    // 3: L R C; 4: L R Ls Rs; 5: L R C Ls Rs; 6: the LFE left out; 8: the
    // last two left out. Each channel at its own level, so that a wrong
    // weight would show.
    for (int ch = 1; ch <= 8; ++ch) {
        noise n{static_cast<std::uint64_t>(ch)};
        auto a = signal(48000, ch, frames_of(48000, 1.1), [&](int c, double) { return 0.1 * (c + 1) * n(); });
        expect_same_as_libebur128(a, name(48000, ch, "noise, a level per channel"));
    }
}

TEST(IntegratedLoudness, NotesBetweenSilencesAreGated) {
    // Silence before, between and after decaying notes: the blocks of
    // silence fall under the absolute gate, the quiet tails under the
    // relative one.
    for (int rate : rates)
        for (int ch : {1, 2}) {
            auto notes = signal(rate, ch, frames_of(rate, 3.3), [](int c, double t) {
                if (t < 0.45 || (t > 1.3 && t < 1.9) || t > 2.8) return 0.0;
                const double start = t < 1.3 ? 0.45 : 1.9;
                return 0.6 * std::sin(2 * pi * (220 + 110 * c) * t) * std::exp(-4 * (t - start));
            });
            expect_same_as_libebur128(notes, name(rate, ch, "notes and silences"));
        }
}

TEST(IntegratedLoudness, RelativeGateLeavesQuietPartsOut) {
    // A loud part, then parts 5 and 15 LU under it: the first counts, the
    // second falls under the relative gate (10 LU under the mean) and
    // reads about as silence would (only the blocks across the boundary
    // differ).
    for (int ch : {1, 2}) {
        auto parts = [](double last_db) {
            return [=](int, double t) {
                const double db = t < 1.0 ? 0.0 : t < 2.0 ? -5.0 : last_db;
                return 0.5 * std::pow(10.0, db / 20.0) * std::sin(2 * pi * 1000 * t);
            };
        };
        auto a = signal(48000, ch, frames_of(48000, 3.0), parts(-15));
        expect_same_as_libebur128(a, name(48000, ch, "loud, -5 LU, -15 LU"));
        auto silent_end = signal(48000, ch, frames_of(48000, 3.0), parts(-200));
        expect_same_as_libebur128(silent_end, name(48000, ch, "loud, -5 LU, silence"));
        EXPECT_NEAR(vr::integrated_loudness(a), vr::integrated_loudness(silent_end), 0.1);
        // The part 5 LU under counts: the figure is well under the loud part's.
        const double loud_part = 20 * std::log10(0.5) - 3.01 + 10 * std::log10(ch);
        EXPECT_LT(vr::integrated_loudness(a), loud_part - 1.0);
    }
}

TEST(IntegratedLoudness, QuietAudioAroundTheAbsoluteGate) {
    // Noise whose level climbs from -80 to -60 LUFS or so: some blocks fall
    // under -70 LUFS, some over; and steady noise either side of it.
    for (int rate : {44100, 48000})
        for (int ch : {1, 2}) {
            noise n{7};
            auto ramp = signal(rate, ch, frames_of(rate, 2.5), [&](int, double t) {
                return std::pow(10.0, (-78 + 8 * t) / 20.0) * n();
            });
            expect_same_as_libebur128(ramp, name(rate, ch, "noise climbing through -70 LUFS"));
            for (double db : {-72.0, -70.5, -69.5, -68.0}) {
                auto steady = signal(rate, ch, frames_of(rate, 1.0), [&](int, double) {
                    return std::pow(10.0, db / 20.0) * n();
                });
                expect_same_as_libebur128(steady, name(rate, ch, "noise at " + std::to_string(db) + " dBFS"));
            }
        }
}

TEST(IntegratedLoudness, ALongSilenceDecaysTheFilterToNothing) {
    // Seconds of silence after a note let the filter's memory decay past
    // the smallest normal double (libebur128 flushes it to zero); then a
    // second note.
    for (int rate : {8000, 48000})
        for (int ch : {1, 2}) {
            auto a = signal(rate, ch, frames_of(rate, 12.0), [](int c, double t) {
                if (t < 0.5) return 0.8 * std::sin(2 * pi * 50 * t + c);
                return t > 11.0 ? 0.3 * std::sin(2 * pi * 440 * t) : 0.0;
            });
            expect_same_as_libebur128(a, name(rate, ch, "note, 10.5 s of silence, note"));
        }
}

TEST(IntegratedLoudness, SilenceAndShortAudioHaveNone) {
    const double none = -HUGE_VAL;
    for (int rate : rates)
        for (int ch : channel_counts) {
            const std::size_t block = 4 * static_cast<std::size_t>((rate + 5) / 10);
            auto loud = [](int c, double t) { return 0.5 * std::sin(2 * pi * 440 * t + c); };
            auto silent = signal(rate, ch, frames_of(rate, 1.5), [](int, double) { return 0.0; });
            EXPECT_EQ(vr::integrated_loudness(silent), none) << name(rate, ch, "silence");
            expect_same_as_libebur128(silent, name(rate, ch, "silence"));
            for (std::size_t frames : {std::size_t{0}, std::size_t{1}, block / 2, block - 1}) {
                auto a = signal(rate, ch, frames, loud);
                EXPECT_EQ(vr::integrated_loudness(a), none) << name(rate, ch, std::to_string(frames) + " frames");
                expect_same_as_libebur128(a, name(rate, ch, std::to_string(frames) + " frames"));
            }
            // Exactly one block, and a frame either side of the next one.
            for (std::size_t frames : {block, block + block / 4 - 1, block + block / 4}) {
                auto a = signal(rate, ch, frames, loud);
                EXPECT_TRUE(std::isfinite(vr::integrated_loudness(a))) << name(rate, ch, std::to_string(frames));
                expect_same_as_libebur128(a, name(rate, ch, std::to_string(frames) + " frames"));
            }
        }
}

TEST(IntegratedLoudness, OddRates) {
    // Rates whose 100 ms is rounded, and whose 400 ms ring is four or five
    // chunks, down to libebur128's lowest safe rate.
    for (int rate : {18, 23, 25, 1003, 11025, 32003, 44106, 88200, 176403})
        for (int ch : {1, 2}) {
            noise n{static_cast<std::uint64_t>(rate)};
            expect_same_as_libebur128(signal(rate, ch, frames_of(rate, 2.05), [&](int, double t) {
                                          return (0.2 + 0.2 * std::sin(2 * pi * 1.5 * t)) * n();
                                      }),
                                      name(rate, ch, "noise"));
        }
}

TEST(IntegratedLoudness, EveryLengthAcrossTheRingsCycles) {
    // libebur128 sums a block in the order of its ring of four (8000 Hz) or
    // five (8003 Hz) chunks of 100 ms: audio ending on every chunk of two
    // cycles, and between two chunks.
    for (int rate : {8000, 8003})
        for (int ch : {1, 2}) {
            const std::size_t chunk = static_cast<std::size_t>((rate + 5) / 10);
            noise n{static_cast<std::uint64_t>(rate + ch)};
            auto a = signal(rate, ch, 17 * chunk, [&](int, double t) {
                return (0.3 + 0.25 * std::sin(2 * pi * 2.3 * t)) * n();
            });
            for (std::size_t chunks = 4; chunks <= 16; ++chunks)
                for (std::size_t extra : {std::size_t{0}, chunk / 2}) {
                    vr::audio_buffer b = a;
                    b.samples.resize((chunks * chunk + extra) * static_cast<std::size_t>(ch));
                    expect_same_as_libebur128(b, name(rate, ch, std::to_string(chunks) + " chunks + " +
                                                                    std::to_string(extra) + " frames"));
                }
        }
}

TEST(IntegratedLoudness, ReadsBs1770Levels) {
    // A 1 kHz sine reads its RMS level: -3.01 dB under its peak per
    // loudspeaker (K-weighting is +0.69 dB at 1 kHz, which the -0.691 of
    // the formula takes back), +3.01 dB for two loudspeakers.
    auto mono = signal(48000, 1, 48000 * 2, [](int, double t) { return 0.5 * std::sin(2 * pi * 1000 * t); });
    EXPECT_NEAR(vr::integrated_loudness(mono), 20 * std::log10(0.5) - 3.01, 0.05);
    auto stereo = signal(48000, 2, 48000 * 2, [](int, double t) { return 0.5 * std::sin(2 * pi * 1000 * t); });
    EXPECT_NEAR(vr::integrated_loudness(stereo), 20 * std::log10(0.5), 0.05);
}

}  // namespace
