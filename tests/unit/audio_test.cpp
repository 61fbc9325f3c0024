// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/'s audio files: formats, round trips, determinism, .npy
// bytes, FLAC's compression levels, and what a failed write leaves behind.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sndfile.h>
#include <thread>

#include "audio/file.hpp"
#include "audio/ogg.hpp"
#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "fixtures.hpp"

namespace {

using vr::sample_format;
using namespace vr::test;
using vr_test::error_message;

TEST(SampleFormat, ParsesItsNamesOnly) {
    for (auto f : {sample_format::pcm16, sample_format::pcm24, sample_format::float32})
        EXPECT_EQ(vr::parse_sample_format(vr::to_string(f)), f);
    EXPECT_EQ(vr::to_string(sample_format::pcm24), "pcm24");
    EXPECT_THROW(vr::parse_sample_format("pcm32"), vr::record_error);
    EXPECT_THROW(vr::parse_sample_format("PCM16"), vr::record_error);
    EXPECT_THROW(vr::parse_sample_format(""), vr::record_error);
}

TEST(CheckAudioTarget, AcceptsWhatWeWrite) {
    for (const char* p : {"a.wav", "a.WAV", "d/a.flac", "a.ogg", "a.aiff", "a.AIF", "a.npy"}) {
        auto fmt = std::string(p).ends_with(".npy") ? sample_format::float32 : sample_format::pcm24;
        EXPECT_NO_THROW(vr::check_audio_target(p, fmt, 2)) << p;
        EXPECT_NO_THROW(vr::check_audio_target(p, fmt, 1)) << p;
    }
    // Vorbis has no sample format: any is accepted and none is stored.
    EXPECT_NO_THROW(vr::check_audio_target("a.ogg", sample_format::float32, 2));
    EXPECT_FALSE(vr::uses_sample_format(vr::container_of("a.ogg")));
    EXPECT_TRUE(vr::uses_sample_format(vr::container_of("a.flac")));
}

TEST(CheckAudioTarget, RefusesWithTheReason) {
    auto msg = error_message<vr::record_error>(
        [] { vr::check_audio_target("out/a.mp3", sample_format::pcm16, 2); });
    EXPECT_NE(msg.find("out/a.mp3"), std::string::npos) << msg;
    EXPECT_NE(msg.find(".flac"), std::string::npos) << msg;  // says what would do
    msg = error_message<vr::record_error>(
        [] { vr::check_audio_target("a.flac", sample_format::float32, 2); });
    EXPECT_NE(msg.find("FLAC holds pcm16 or pcm24"), std::string::npos) << msg;
    msg = error_message<vr::record_error>(
        [] { vr::check_audio_target("a.wav", sample_format::pcm16, 3); });
    EXPECT_NE(msg.find("3 channels"), std::string::npos) << msg;
    EXPECT_THROW(vr::check_audio_target("a.wav", sample_format::pcm16, 0), vr::record_error);
    EXPECT_THROW(vr::check_audio_target("a.npy", sample_format::pcm16, 1), vr::record_error);
    EXPECT_THROW(vr::check_audio_target("noext", sample_format::pcm16, 1), vr::record_error);
    EXPECT_THROW(vr::check_audio_target("a.wav.tmp", sample_format::pcm16, 1), vr::record_error);
}

// Every container and sample format it holds, read back within the
// format's quantisation (exact for float32).
TEST(AudioFile, RoundTripsEveryFormat) {
    scratch_dir dir;
    struct c {
        const char* ext;
        sample_format fmt;
        double tolerance;
    };
    const c cases[] = {
        {"wav", sample_format::pcm16, 1.5 / 32768},   {"wav", sample_format::pcm24, 1.5 / 8388608},
        {"wav", sample_format::float32, 0},           {"aiff", sample_format::pcm16, 1.5 / 32768},
        {"aif", sample_format::pcm24, 1.5 / 8388608}, {"aiff", sample_format::float32, 0},
        {"flac", sample_format::pcm16, 1.5 / 32768},  {"flac", sample_format::pcm24, 1.5 / 8388608},
        {"npy", sample_format::float32, 0},
    };
    for (int channels : {1, 2}) {
        auto in = test_signal(channels, 44100, 3001);
        for (const auto& t : cases) {
            std::string path = dir.file(std::string("rt.") + t.ext);
            SCOPED_TRACE(path + " " + std::string(vr::to_string(t.fmt)) + " " +
                         std::to_string(channels) + " ch");
            vr::write_audio_file(path, in, t.fmt);
            auto out = vr::read_audio_file(path);
            EXPECT_EQ(out.channels, channels);
            EXPECT_EQ(out.sample_rate, t.ext == std::string("npy") ? 0 : 44100);
            ASSERT_EQ(out.samples.size(), in.samples.size());
            if (t.tolerance == 0) {
                EXPECT_EQ(std::memcmp(out.samples.data(), in.samples.data(),
                                      in.samples.size() * sizeof(float)),
                          0);
                continue;
            }
            double worst = 0;
            for (std::size_t i = 0; i < in.samples.size(); ++i)
                worst = std::max(worst, std::fabs(double(out.samples[i]) - in.samples[i]));
            EXPECT_LE(worst, t.tolerance);
            EXPECT_GT(worst, 0.0);  // it was quantised, not stored as float
        }
    }
}

TEST(AudioFile, OggRoundTripsCloseToTheInput) {
    scratch_dir dir;
    auto in = test_signal(2, 48000, 48000);
    std::string path = dir.file("a.ogg");
    vr::write_audio_file(path, in, sample_format::pcm16);
    auto out = vr::read_audio_file(path);
    EXPECT_EQ(out.channels, 2);
    EXPECT_EQ(out.sample_rate, 48000);
    ASSERT_EQ(out.samples.size(), in.samples.size());
    double err = 0, sig = 0;
    for (std::size_t i = 0; i < in.samples.size(); ++i) {
        err += std::pow(double(out.samples[i]) - in.samples[i], 2);
        sig += std::pow(double(in.samples[i]), 2);
    }
    EXPECT_LT(10 * std::log10(err / sig), -30.0);  // lossy, but the same sound
}

// Two writes of the same buffer, more than a second apart (libsndfile's PEAK
// chunk has a timestamp in seconds; its Ogg serial comes from the clock),
// give the same bytes in every format.
TEST(AudioFile, SameBufferGivesSameBytes) {
    scratch_dir dir;
    auto in = test_signal(2, 48000, 4800);
    struct c {
        const char* ext;
        sample_format fmt;
    };
    const c cases[] = {
        {"wav", sample_format::pcm16},    {"wav", sample_format::pcm24},
        {"wav", sample_format::float32},  {"aiff", sample_format::pcm16},
        {"aiff", sample_format::float32}, {"flac", sample_format::pcm16},
        {"flac", sample_format::pcm24},   {"ogg", sample_format::pcm16},
        {"npy", sample_format::float32},
    };
    auto name = [](const c& t, int round) {
        return std::string(vr::to_string(t.fmt)) + "-" + std::to_string(round) + "." + t.ext;
    };
    for (const auto& t : cases) vr::write_audio_file(dir.file(name(t, 1)), in, t.fmt);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    for (const auto& t : cases) {
        SCOPED_TRACE(name(t, 2));
        vr::write_audio_file(dir.file(name(t, 2)), in, t.fmt);
        auto a = bytes_of(dir.file(name(t, 1)));
        auto b = bytes_of(dir.file(name(t, 2)));
        EXPECT_GT(a.size(), 1000u);
        EXPECT_TRUE(a == b);
        std::string text(a.begin(), a.end());
        EXPECT_EQ(text.find("PEAK"), std::string::npos);
    }
}

// The FLAC file libsndfile writes when asked for no compression level
// (its own default), straight through its API.
std::vector<std::uint8_t> flac_as_libsndfile_writes_it(const std::string& path, const vr::audio_buffer& in) {
    SF_INFO info{};
    info.samplerate = in.sample_rate;
    info.channels = in.channels;
    info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    EXPECT_NE(f, nullptr) << sf_strerror(nullptr);
    if (!f) return {};
    sf_command(f, SFC_SET_CLIPPING, nullptr, SF_TRUE);
    EXPECT_EQ(sf_writef_float(f, in.samples.data(), static_cast<sf_count_t>(in.frames())),
              static_cast<sf_count_t>(in.frames()));
    EXPECT_EQ(sf_close(f), 0);
    return bytes_of(path);
}

// libsndfile takes the level as 0..1 and hands libFLAC lrint(8 x it): level
// 5 is its default, byte for byte; every level decodes to the same samples.
// Each level N is FLAC's preset -N, as its fingerprints show: blocks of 1152
// frames up to -2, of 4096 from -3; no stereo decorrelation at -0 and -3
// only, which on two equal channels doubles the size.
TEST(AudioFile, FlacLevelsTradeSizeForTheSameSamples) {
    scratch_dir dir;
    auto in = test_signal(2, 48000, 48000);
    for (std::size_t i = 0; i < in.samples.size(); i += 2) in.samples[i + 1] = in.samples[i];
    const auto plain = flac_as_libsndfile_writes_it(dir.file("plain.flac"), in);
    vr::write_audio_file(dir.file("default.flac"), in, sample_format::pcm24);
    EXPECT_TRUE(bytes_of(dir.file("default.flac")) == plain);
    std::vector<std::vector<std::uint8_t>> at_level;
    for (int level = vr::min_flac_level; level <= vr::max_flac_level; ++level) {
        SCOPED_TRACE("level " + std::to_string(level));
        const std::string path = dir.file("l" + std::to_string(level) + ".flac");
        vr::write_audio_file(path, in, sample_format::pcm24, level);
        at_level.push_back(bytes_of(path));
        // Lossless at every level: the very samples of the default file.
        auto back = vr::read_audio_file(path);
        auto ref = vr::read_audio_file(dir.file("default.flac"));
        ASSERT_EQ(back.samples.size(), in.samples.size());
        EXPECT_EQ(std::memcmp(back.samples.data(), ref.samples.data(), in.samples.size() * sizeof(float)), 0);
    }
    EXPECT_TRUE(at_level[vr::default_flac_level] == plain);
    const std::size_t default_size = plain.size();
    for (int level = vr::min_flac_level; level <= vr::max_flac_level; ++level) {
        SCOPED_TRACE("level " + std::to_string(level));
        const auto& f = at_level[level];
        ASSERT_GT(f.size(), 12u);
        // STREAMINFO, the first block after "fLaC" and its 4-byte header:
        // the smallest and largest block size, 16 bits each.
        EXPECT_EQ(std::string(f.begin(), f.begin() + 4), "fLaC");
        EXPECT_EQ(f[10] << 8 | f[11], level <= 2 ? 1152 : 4096);
        if (level == 0 || level == 3)
            EXPECT_GT(f.size(), default_size * 3 / 2);
        else
            EXPECT_LT(f.size(), default_size * 11 / 10);
    }
    EXPECT_LT(at_level[8].size(), at_level[4].size());

    // Out of range fails a .flac before anything is written; other formats
    // have no use for it.
    for (int level : {-1, 9}) {
        auto msg = error_message<vr::record_error>(
            [&] { vr::write_audio_file(dir.file("bad.flac"), in, sample_format::pcm16, level); });
        EXPECT_NE(msg.find("FLAC compression level " + std::to_string(level) + " is outside 0..8"),
                  std::string::npos)
            << msg;
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("bad.flac")));
    vr::write_audio_file(dir.file("w.wav"), in, sample_format::pcm16, 9);
    vr::write_audio_file(dir.file("w5.wav"), in, sample_format::pcm16);
    EXPECT_TRUE(bytes_of(dir.file("w.wav")) == bytes_of(dir.file("w5.wav")));
}

TEST(AudioFile, OggSerialFollowsTheAudio) {
    scratch_dir dir;
    auto a = test_signal(1, 48000, 4800);
    auto b = a;
    b.samples[100] += 0.25f;
    vr::write_audio_file(dir.file("a.ogg"), a, sample_format::pcm16);
    vr::write_audio_file(dir.file("b.ogg"), b, sample_format::pcm16);
    auto fa = bytes_of(dir.file("a.ogg"));
    auto fb = bytes_of(dir.file("b.ogg"));
    ASSERT_GT(fa.size(), 32u);
    ASSERT_EQ(std::string(fa.begin(), fa.begin() + 4), "OggS");
    EXPECT_NE(std::memcmp(fa.data() + 14, fb.data() + 14, 4), 0);
}

TEST(OggPages, CrcIsOggs) {
    std::string check = "123456789";
    auto span = std::span(reinterpret_cast<const std::uint8_t*>(check.data()), check.size());
    // CRC-32 with polynomial 04C11DB7, unreflected, init 0 and no final xor.
    EXPECT_EQ(vr::ogg_crc(span), 0x89A1897Fu);
}

TEST(OggPages, RefusesWhatIsNotOneStreamOfPages) {
    scratch_dir dir;
    vr::write_audio_file(dir.file("a.ogg"), test_signal(1, 48000, 4800), sample_format::pcm16);
    auto good = bytes_of(dir.file("a.ogg"));
    auto bytes = good;
    vr::set_ogg_serial(bytes, 42, "a.ogg");
    EXPECT_EQ(bytes[14], 42);
    EXPECT_EQ(vr::read_audio_file(dir.file("a.ogg")).samples.size(), 4800u);

    auto corrupt = good;
    corrupt[40] ^= 1;  // inside the first page: its CRC no longer holds
    EXPECT_THROW(vr::set_ogg_serial(corrupt, 42, "a.ogg"), vr::format_error);
    auto cut = good;
    cut.resize(cut.size() - 3);
    EXPECT_THROW(vr::set_ogg_serial(cut, 42, "a.ogg"), vr::format_error);
    std::vector<std::uint8_t> empty;
    EXPECT_THROW(vr::set_ogg_serial(empty, 42, "a.ogg"), vr::format_error);
}

TEST(AudioFile, PcmSaturatesAndCleansWhatItCannotHold) {
    scratch_dir dir;
    vr::audio_buffer in;
    in.channels = 1;
    in.samples = {1.5f, -1.5f, 0.5f, NAN, INFINITY, -INFINITY, 1e9f};
    for (auto fmt : {sample_format::pcm16, sample_format::pcm24}) {
        SCOPED_TRACE(std::string(vr::to_string(fmt)));
        vr::write_audio_file(dir.file("c.wav"), in, fmt);
        auto out = vr::read_audio_file(dir.file("c.wav")).samples;
        ASSERT_EQ(out.size(), in.samples.size());
        EXPECT_NEAR(out[0], 1.0, 1e-4);  // saturated, not wrapped to negative
        EXPECT_NEAR(out[1], -1.0, 1e-4);
        EXPECT_NEAR(out[2], 0.5, 1e-4);
        EXPECT_EQ(out[3], 0.0f);  // NaN
        EXPECT_NEAR(out[4], 1.0, 1e-4);
        EXPECT_NEAR(out[5], -1.0, 1e-4);
        EXPECT_NEAR(out[6], 1.0, 1e-4);
    }
    // float32 keeps everything as it was rendered.
    vr::write_audio_file(dir.file("f.wav"), in, sample_format::float32);
    auto out = vr::read_audio_file(dir.file("f.wav")).samples;
    ASSERT_EQ(out.size(), in.samples.size());
    EXPECT_EQ(out[0], 1.5f);
    EXPECT_TRUE(std::isnan(out[3]));
    EXPECT_EQ(out[5], -INFINITY);
}

TEST(AudioFile, WritesEmptyAudioAndCreatesFolders) {
    scratch_dir dir;
    vr::audio_buffer empty;
    for (const char* name : {"x/y/e.wav", "x/e.flac", "x/e.ogg", "x/e.npy", "e.aiff"}) {
        SCOPED_TRACE(name);
        auto fmt =
            std::string(name).ends_with("npy") ? sample_format::float32 : sample_format::pcm16;
        vr::write_audio_file(dir.file(name), empty, fmt);
        auto back = vr::read_audio_file(dir.file(name));
        EXPECT_EQ(back.samples.size(), 0u);
        EXPECT_EQ(back.channels, 2);
    }
}

TEST(AudioFile, RefusesBadBuffersAndRates) {
    scratch_dir dir;
    vr::audio_buffer odd;
    odd.samples = {0.1f, 0.2f, 0.3f};  // not whole stereo frames
    EXPECT_THROW(vr::write_audio_file(dir.file("o.wav"), odd, sample_format::pcm16),
                 vr::record_error);
    auto rate = test_signal(1, 0, 10);
    EXPECT_THROW(vr::write_audio_file(dir.file("r.wav"), rate, sample_format::pcm16),
                 vr::record_error);
    auto fast = test_signal(1, 1000000, 10);  // past what FLAC stores
    EXPECT_THROW(vr::write_audio_file(dir.file("r.flac"), fast, sample_format::pcm16),
                 vr::record_error);
    EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(AudioFile, ReadRefusesWhatIsNotAudio) {
    scratch_dir dir;
    auto msg = error_message<vr::record_error>([&] { vr::read_audio_file(dir.file("missing.wav")); });
    EXPECT_NE(msg.find("missing.wav"), std::string::npos) << msg;
    std::string text = dir.file("text.wav");
    std::string words = "this is not a sound file, whatever its name says\n";
    vr::write_file_atomic(
        text, std::span(reinterpret_cast<const std::uint8_t*>(words.data()), words.size()));
    msg = error_message<vr::record_error>([&] { vr::read_audio_file(text); });
    EXPECT_NE(msg.find("text.wav: cannot read it as audio"), std::string::npos) << msg;
    EXPECT_THROW(vr::read_audio_file(dir.path()), vr::record_error);
}

}  // namespace
