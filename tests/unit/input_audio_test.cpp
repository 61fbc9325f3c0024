// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for an effect's input audio (lib/audio/input): files at the
// target rate come back as written, other rates are resampled to the same
// sound, channels are fitted to the bus, and broken files are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "audio/file.hpp"
#include "audio/input.hpp"
#include "audio/npy.hpp"
#include "audio/sndfile.hpp"
#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "fixtures.hpp"

namespace {

using vr::sample_format;
using namespace vr::test;
using vr_test::error_message;

constexpr double max_s = 3600;
const double pi = std::acos(-1.0);

void write_bytes(const std::string& path, std::span<const std::uint8_t> bytes) {
    vr::write_file_atomic(path, bytes);
}

// Any channel count (write_audio_file writes 1 or 2).
void write_wav(const std::string& path, const vr::audio_buffer& a, sample_format fmt) {
    write_bytes(path, vr::sndfile_encode(a, vr::audio_container::wav, fmt, path));
}

vr::audio_buffer sine(int rate, std::size_t frames, double hz, double amplitude) {
    vr::audio_buffer a;
    a.channels = 1;
    a.sample_rate = rate;
    for (std::size_t i = 0; i < frames; ++i)
        a.samples.push_back(static_cast<float>(amplitude * std::sin(2 * pi * hz * double(i) / rate)));
    return a;
}

bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// The message load_input fails with; the test fails unless it names the path.
std::string refusal(const std::string& path, int rate = 48000, int bus = 2, bool downmix = false,
                    double limit = max_s) {
    std::string msg =
        error_message<vr::record_error>([&] { vr::load_input(path, rate, bus, downmix, limit); });
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    return msg;
}

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << (msg)

TEST(InputAudio, FloatWavAtTheTargetRateIsBitExact) {
    scratch_dir dir;
    auto in = test_signal(2, 48000, 10001);
    std::string path = dir.file("in.wav");
    vr::write_audio_file(path, in, sample_format::float32);
    auto got = vr::load_input(path, 48000, 2, false, max_s);
    EXPECT_TRUE(same_floats(got.audio.samples, in.samples));
    EXPECT_EQ(got.audio.channels, 2);
    EXPECT_EQ(got.audio.sample_rate, 48000);
    EXPECT_EQ(got.source_rate_hz, 48000);
    EXPECT_EQ(got.source_channels, 2);
    EXPECT_FALSE(got.resampled);
    EXPECT_DOUBLE_EQ(got.duration_s, 10001.0 / 48000);
    // The hash is of the file's bytes, and tells files apart.
    EXPECT_EQ(got.sha256, vr::sha256_hex(bytes_of(path)));
    in.samples[5000] += 0.25f;
    vr::write_audio_file(path, in, sample_format::float32);
    auto other = vr::load_input(path, 48000, 2, false, max_s);
    EXPECT_EQ(other.sha256, vr::sha256_hex(bytes_of(path)));
    EXPECT_NE(other.sha256, got.sha256);
}

// PCM comes back as libsndfile decodes it, within the format's quantisation.
TEST(InputAudio, PcmAtTheTargetRateIsWithinQuantisation) {
    scratch_dir dir;
    auto in = test_signal(2, 44100, 5003);
    struct c {
        const char* name;
        sample_format fmt;
        double tolerance;
    };
    for (auto t : {c{"a.flac", sample_format::pcm16, 1.5 / 32768}, c{"b.flac", sample_format::pcm24, 1.5 / 8388608},
                   c{"c.wav", sample_format::pcm16, 1.5 / 32768}, c{"d.aiff", sample_format::pcm24, 1.5 / 8388608}}) {
        std::string path = dir.file(t.name);
        SCOPED_TRACE(path);
        vr::write_audio_file(path, in, t.fmt);
        auto got = vr::load_input(path, 44100, 2, false, max_s);
        EXPECT_TRUE(same_floats(got.audio.samples, vr::read_audio_file(path).samples));
        ASSERT_EQ(got.audio.samples.size(), in.samples.size());
        double worst = 0;
        for (std::size_t i = 0; i < in.samples.size(); ++i)
            worst = std::max(worst, std::fabs(double(got.audio.samples[i]) - in.samples[i]));
        EXPECT_LE(worst, t.tolerance);
        EXPECT_FALSE(got.resampled);
        EXPECT_EQ(got.sha256, vr::sha256_hex(bytes_of(path)));
    }
}

// A 1 kHz sine at 44.1 kHz, resampled to 48 kHz: the whole length, the same
// frequency and level, and no delay (it matches the sine computed at 48 kHz).
TEST(InputAudio, ResamplingKeepsFrequencyLevelAndTiming) {
    scratch_dir dir;
    const double hz = 1000, amp = 0.5;
    const std::size_t n = 2 * 44100 + 123;
    std::string path = dir.file("sine.wav");
    vr::write_audio_file(path, sine(44100, n, hz, amp), sample_format::float32);
    auto got = vr::load_input(path, 48000, 1, false, max_s);
    EXPECT_TRUE(got.resampled);
    EXPECT_EQ(got.source_rate_hz, 44100);
    EXPECT_EQ(got.audio.sample_rate, 48000);
    EXPECT_DOUBLE_EQ(got.duration_s, double(n) / 44100);
    const auto& y = got.audio.samples;
    const auto expected = static_cast<std::size_t>(std::llround(double(n) * 48000 / 44100));
    EXPECT_EQ(y.size(), expected);  // round(n x 48000 / 44100), the tail kept

    // Away from the edges, where the filter sees silence beyond the signal.
    const std::size_t from = 2000, to = y.size() - 2000;
    double sq = 0, worst = 0;
    std::vector<double> crossings;
    for (std::size_t i = from; i < to; ++i) {
        sq += double(y[i]) * y[i];
        worst = std::max(worst, std::fabs(y[i] - amp * std::sin(2 * pi * hz * double(i) / 48000)));
        if ((y[i] < 0) != (y[i + 1] < 0))  // interpolated crossing, in samples
            crossings.push_back(double(i) + y[i] / (double(y[i]) - y[i + 1]));
    }
    double rms_db = 10 * std::log10(sq / double(to - from));
    EXPECT_NEAR(rms_db, 20 * std::log10(amp / std::sqrt(2.0)), 0.05);
    ASSERT_GT(crossings.size(), 100u);
    double measured = (crossings.size() - 1) / 2.0 / ((crossings.back() - crossings.front()) / 48000);
    EXPECT_NEAR(measured / hz, 1.0, 0.001);
    EXPECT_LT(worst, 1e-4);
}

TEST(InputAudio, ResampledLengthIsRoundedRatio) {
    for (auto [from, to] : {std::pair{44100, 48000}, {48000, 44100}, {8000, 384000}, {96000, 48000},
                            {22050, 44100}, {384000, 8000}, {48000, 8000}}) {
        for (std::size_t n : {1u, 3u, 7u, 4410u, 12345u, 100003u}) {
            auto a = test_signal(2, from, n);
            auto out = vr::resample(a, to, "x.wav");
            SCOPED_TRACE(std::to_string(from) + " -> " + std::to_string(to) + ", " + std::to_string(n));
            EXPECT_EQ(out.sample_rate, to);
            EXPECT_EQ(out.channels, 2);
            EXPECT_EQ(out.frames(), static_cast<std::size_t>(std::llround(double(n) * to / from)));
        }
    }
}

TEST(InputAudio, MonoIsDuplicatedIntoEveryBusChannel) {
    scratch_dir dir;
    auto in = test_signal(1, 48000, 4801);
    std::string path = dir.file("mono.wav");
    vr::write_audio_file(path, in, sample_format::float32);
    auto got = vr::load_input(path, 48000, 2, false, max_s);
    EXPECT_EQ(got.audio.channels, 2);
    EXPECT_EQ(got.source_channels, 1);
    ASSERT_EQ(got.audio.samples.size(), 2 * in.samples.size());
    std::vector<float> left, right;
    for (std::size_t f = 0; f < in.samples.size(); ++f) {
        left.push_back(got.audio.samples[2 * f]);
        right.push_back(got.audio.samples[2 * f + 1]);
    }
    EXPECT_TRUE(same_floats(left, in.samples));
    EXPECT_TRUE(same_floats(right, in.samples));
    // Resampled first, then copied: still identical channels.
    auto up = vr::load_input(path, 96000, 2, false, max_s);
    ASSERT_EQ(up.audio.frames(), 9602u);
    for (std::size_t f = 0; f < up.audio.frames(); ++f)
        ASSERT_EQ(up.audio.samples[2 * f], up.audio.samples[2 * f + 1]) << f;
}

TEST(InputAudio, StereoIntoMonoNeedsADownmixWhichIsTheMean) {
    scratch_dir dir;
    auto in = test_signal(2, 48000, 3000);
    std::string path = dir.file("stereo.flac");
    vr::write_audio_file(path, in, sample_format::pcm24);
    auto msg = refusal(path, 48000, 1);
    EXPECT_HAS(msg, "2 channels, more than the input bus's 1");
    auto decoded = vr::read_audio_file(path).samples;
    auto got = vr::load_input(path, 48000, 1, true, max_s);
    EXPECT_EQ(got.audio.channels, 1);
    EXPECT_EQ(got.source_channels, 2);
    ASSERT_EQ(got.audio.samples.size(), 3000u);
    for (std::size_t f = 0; f < 3000; ++f)
        ASSERT_EQ(got.audio.samples[f],
                  static_cast<float>((double(decoded[2 * f]) + decoded[2 * f + 1]) / 2))
            << f;
}

// Channel j to bus channel j mod N, the mean of each group.
TEST(InputAudio, DownmixSendsEvenChannelsLeftAndOddRight) {
    scratch_dir dir;
    auto in = test_signal(4, 48000, 2000);
    std::string path = dir.file("quad.wav");
    write_wav(path, in, sample_format::float32);
    EXPECT_HAS(refusal(path, 48000, 2), "4 channels, more than the input bus's 2");
    auto got = vr::load_input(path, 48000, 2, true, max_s);
    EXPECT_EQ(got.source_channels, 4);
    ASSERT_EQ(got.audio.channels, 2);
    ASSERT_EQ(got.audio.samples.size(), 4000u);
    const auto& s = in.samples;
    for (std::size_t f = 0; f < 2000; ++f) {
        ASSERT_EQ(got.audio.samples[2 * f], static_cast<float>((double(s[4 * f]) + s[4 * f + 2]) / 2));
        ASSERT_EQ(got.audio.samples[2 * f + 1], static_cast<float>((double(s[4 * f + 1]) + s[4 * f + 3]) / 2));
    }
    // Three channels into stereo: left is the mean of 0 and 2, right is 1 alone.
    auto three = test_signal(3, 48000, 100);
    write_wav(path, three, sample_format::float32);
    auto t = vr::load_input(path, 48000, 2, true, max_s);
    for (std::size_t f = 0; f < 100; ++f) {
        ASSERT_EQ(t.audio.samples[2 * f], static_cast<float>((double(three.samples[3 * f]) + three.samples[3 * f + 2]) / 2));
        ASSERT_EQ(t.audio.samples[2 * f + 1], three.samples[3 * f + 1]);
    }
    // Six into mono: the mean of all six.
    auto six = test_signal(6, 48000, 100);
    write_wav(path, six, sample_format::float32);
    auto m = vr::load_input(path, 48000, 1, true, max_s);
    for (std::size_t f = 0; f < 100; ++f) {
        double sum = 0;
        for (int c = 0; c < 6; ++c) sum += six.samples[6 * f + c];
        ASSERT_EQ(m.audio.samples[f], static_cast<float>(sum / 6));
    }
    // Fewer channels than the bus: the first ones, the others silent; mono
    // fills the first pair.
    auto st = test_signal(2, 48000, 10);
    write_wav(path, st, sample_format::float32);
    auto four = vr::load_input(path, 48000, 4, false, max_s);
    ASSERT_EQ(four.audio.channels, 4);
    for (std::size_t f = 0; f < 10; ++f) {
        EXPECT_EQ(four.audio.samples[4 * f], st.samples[2 * f]);
        EXPECT_EQ(four.audio.samples[4 * f + 1], st.samples[2 * f + 1]);
        EXPECT_EQ(four.audio.samples[4 * f + 2], 0.0f);
        EXPECT_EQ(four.audio.samples[4 * f + 3], 0.0f);
    }
    auto mono = test_signal(1, 48000, 10);
    write_wav(path, mono, sample_format::float32);
    auto mono4 = vr::load_input(path, 48000, 4, false, max_s);
    for (std::size_t f = 0; f < 10; ++f) {
        EXPECT_EQ(mono4.audio.samples[4 * f], mono.samples[f]);
        EXPECT_EQ(mono4.audio.samples[4 * f + 1], mono.samples[f]);
        EXPECT_EQ(mono4.audio.samples[4 * f + 3], 0.0f);
    }
}

// A .npy file has no rate: it is taken to be the requested one.
TEST(InputAudio, NpyIsReadAtTheRequestedRate) {
    scratch_dir dir;
    auto in = test_signal(2, 0, 3333);
    std::string path = dir.file("in.npy");
    write_bytes(path, vr::encode_npy(in));
    for (int rate : {44100, 96000}) {
        auto got = vr::load_input(path, rate, 2, false, max_s);
        EXPECT_TRUE(same_floats(got.audio.samples, in.samples));
        EXPECT_EQ(got.audio.sample_rate, rate);
        EXPECT_EQ(got.source_rate_hz, 0);
        EXPECT_FALSE(got.resampled);
        EXPECT_DOUBLE_EQ(got.duration_s, 3333.0 / rate);
        EXPECT_EQ(got.sha256, vr::sha256_hex(bytes_of(path)));
    }
    in.samples[7] = std::numeric_limits<float>::quiet_NaN();
    write_bytes(path, vr::encode_npy(in));
    EXPECT_HAS(refusal(path), "frame 3, channel 1 is NaN");
}

TEST(InputAudio, RefusesTruncatedFilesWhereverTheyAreCut) {
    scratch_dir dir;
    auto in = test_signal(2, 48000, 20000);  // FLAC: 5 frames of 4096
    for (auto [name, fmt] : {std::pair{"w.wav", sample_format::pcm16}, {"f.wav", sample_format::float32},
                             {"a.aiff", sample_format::pcm24}, {"c.flac", sample_format::pcm16}}) {
        std::string whole = dir.file(name);
        vr::write_audio_file(whole, in, fmt);
        auto bytes = bytes_of(whole);
        ASSERT_NO_THROW(vr::load_input(whole, 48000, 2, false, max_s));
        std::string cut = dir.file(std::string("cut-") + name);
        for (std::size_t at : {std::size_t{1}, std::size_t{4}, std::size_t{8}, std::size_t{12},
                               std::size_t{30}, std::size_t{44}, std::size_t{45}, std::size_t{100},
                               bytes.size() / 3, bytes.size() / 2, bytes.size() - 2, bytes.size() - 1}) {
            SCOPED_TRACE(std::string(name) + " cut at " + std::to_string(at));
            write_bytes(cut, std::span(bytes).first(at));
            refusal(cut);
        }
        // Cut between two FLAC frames (at a frame's sync code), where the
        // decoder ends cleanly and only the stated length shows the loss.
        if (fmt != sample_format::pcm16 || std::string(name) != "c.flac") continue;
        int boundaries = 0;
        for (std::size_t at = 42; at + 1 < bytes.size(); ++at) {
            if (bytes[at] != 0xff || bytes[at + 1] != 0xf8) continue;
            SCOPED_TRACE("FLAC cut at frame boundary " + std::to_string(at));
            write_bytes(cut, std::span(bytes).first(at));
            EXPECT_HAS(refusal(cut), "frames");
            ++boundaries;
        }
        EXPECT_GE(boundaries, 4);
    }
}

TEST(InputAudio, AcceptsWhatIsOnlyUnusual) {
    scratch_dir dir;
    // An odd-sized data chunk (24-bit mono, odd frames) and its pad byte.
    auto odd = test_signal(1, 48000, 1001);
    std::string path = dir.file("odd.wav");
    vr::write_audio_file(path, odd, sample_format::pcm24);
    EXPECT_EQ(vr::load_input(path, 48000, 1, false, max_s).audio.frames(), 1001u);
    // Bytes after the RIFF chunk, and a size left unknown by a writer on a pipe.
    auto bytes = bytes_of(path);
    bytes.insert(bytes.end(), {'j', 'u', 'n', 'k'});
    write_bytes(path, bytes);
    EXPECT_EQ(vr::load_input(path, 48000, 1, false, max_s).audio.frames(), 1001u);
    for (std::uint8_t b : {0x00, 0xff}) {
        std::fill(bytes.begin() + 4, bytes.begin() + 8, b);
        write_bytes(path, bytes);
        EXPECT_EQ(vr::load_input(path, 48000, 1, false, max_s).audio.frames(), 1001u);
    }
}

TEST(InputAudio, RefusesWhatIsNotUsableAudio) {
    scratch_dir dir;
    EXPECT_HAS(refusal(dir.file("missing.wav")), "No such file");
    EXPECT_HAS(refusal(dir.path()), "directory");
    std::string empty = dir.file("empty.wav");
    write_bytes(empty, {});
    EXPECT_HAS(refusal(empty), "empty file");

    std::string noise = dir.file("noise.wav");
    std::vector<std::uint8_t> random(5000);
    std::uint32_t seed = 7;
    for (int round = 0; round < 20; ++round) {
        for (auto& b : random) b = static_cast<std::uint8_t>((seed = seed * 1664525u + 1013904223u) >> 24);
        write_bytes(noise, random);
        refusal(noise);
    }
    // Random bytes behind a real header are a mangled file, not a crash.
    auto header = vr::sndfile_encode(test_signal(2, 48000, 10), vr::audio_container::flac,
                                     sample_format::pcm16, "h.flac");
    header.resize(42);
    header.insert(header.end(), random.begin(), random.end());
    write_bytes(noise, header);
    refusal(noise);

    std::string zero = dir.file("zero.wav");
    vr::write_audio_file(zero, test_signal(2, 48000, 0), sample_format::pcm16);
    EXPECT_HAS(refusal(zero), "0 frames");

    auto bad = test_signal(2, 48000, 100);
    bad.samples[51] = std::numeric_limits<float>::quiet_NaN();
    std::string nan = dir.file("nan.wav");
    vr::write_audio_file(nan, bad, sample_format::float32);
    EXPECT_HAS(refusal(nan), "frame 25, channel 1 is NaN");
    bad.samples[51] = 0;
    bad.samples[2] = -std::numeric_limits<float>::infinity();
    vr::write_audio_file(nan, bad, sample_format::float32);
    EXPECT_HAS(refusal(nan), "frame 1, channel 0 is -Inf");
}

TEST(InputAudio, RefusesRatesAndLengthsOutOfRange) {
    scratch_dir dir;
    std::string path = dir.file("r.wav");
    vr::write_audio_file(path, test_signal(2, 4000, 400), sample_format::pcm16);
    EXPECT_HAS(refusal(path), "its sample rate 4000 Hz is outside 8000..384000 Hz");
    vr::write_audio_file(path, test_signal(2, 400000, 400), sample_format::pcm16);
    EXPECT_HAS(refusal(path), "its sample rate 400000 Hz");
    vr::write_audio_file(path, test_signal(2, 48000, 48000), sample_format::pcm16);
    EXPECT_HAS(refusal(path, 7999), "the requested sample rate 7999 Hz");
    EXPECT_HAS(refusal(path, 48000, 2, false, 0.5), "48000 frames at 48000 Hz (1.000 s), over the limit of 0.5 s");
    EXPECT_EQ(vr::load_input(path, 48000, 2, false, 1.0).audio.frames(), 48000u);
}

}  // namespace
