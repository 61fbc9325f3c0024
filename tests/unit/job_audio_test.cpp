// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for lib/jobs/job_audio: what a job plays (note and MIDI
// plans, the fields a MIDI file adds to the record) and what its shape does
// to the audio before it is written, on synthetic audio: no plugin.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "audio/loudness.hpp"
#include "audio/measure.hpp"
#include "audio_test_util.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "fixtures.hpp"
#include "jobs/job_audio.hpp"

namespace {

using vr::json;
using vr_test::error_message;

constexpr int rate = 48000;

// Stereo at 48 kHz: `silent_s` of silence, `tone_s` of a 1 kHz sine of the
// given amplitude, `silent_s` of silence again.
vr::audio_buffer tone(double amplitude, double tone_s, double silent_s = 0) {
    vr::audio_buffer a;
    a.channels = 2;
    a.sample_rate = rate;
    const double pi = std::acos(-1.0);
    const auto silent = static_cast<std::size_t>(silent_s * rate);
    const auto sounding = static_cast<std::size_t>(tone_s * rate);
    a.samples.assign(2 * (2 * silent + sounding), 0.0f);
    for (std::size_t i = 0; i < sounding; ++i) {
        auto x = static_cast<float>(amplitude * std::sin(2 * pi * 1000.0 * static_cast<double>(i) / rate));
        a.samples[2 * (silent + i)] = a.samples[2 * (silent + i) + 1] = x;
    }
    return a;
}

TEST(JobAudio, NonFiniteSamplesFailTheJobUnlessAllowed) {
    auto a = tone(0.5, 1.0);
    a.samples[100] = std::numeric_limits<float>::quiet_NaN();
    a.samples[201] = -std::numeric_limits<float>::infinity();
    vr::render_shape s;
    auto refused = a;
    EXPECT_EQ(error_message<vr::record_error>([&] { vr::shape_audio(refused, s); }),
              "the plugin produced 2 non-finite samples (NaN or Inf); no file was written (allow_nonfinite writes "
              "them as 0)");
    s.allow_nonfinite = true;
    json r = vr::shape_audio(a, s);
    EXPECT_EQ(r["nonfinite_samples"], 2);
    EXPECT_EQ(a.samples[100], 0.0f);
    EXPECT_EQ(a.samples[201], 0.0f);
    EXPECT_EQ(r["frames"], rate);
    EXPECT_EQ(r["peak_dbfs"], vr::db_value(vr::measure_audio(a, -90).peak_dbfs));
    EXPECT_EQ(r["gain_db"], 0.0);
}

TEST(JobAudio, TrimsSilenceToThePadThenFades) {
    auto a = tone(0.5, 1.0, 0.5);
    vr::render_shape s;
    s.trim_silence = true;
    s.trim_pad_s = 0.01;
    s.fade_out_ms = 100;
    json r = vr::shape_audio(a, s);
    // The sine's first sample is 0: the sound starts a frame into the tone.
    const auto pad = static_cast<std::int64_t>(0.01 * rate);
    EXPECT_NEAR(static_cast<double>(a.frames()), rate + 2 * pad, 2);
    EXPECT_EQ(r["frames"], a.frames());
    EXPECT_EQ(a.samples[0], 0.0f);  // the pad is the silence that was there
    // The fade: the last frame is 0, the frames before its 100 ms untouched.
    EXPECT_EQ(a.samples[a.samples.size() - 1], 0.0f);
    auto untouched = tone(0.5, 1.0, 0.5);
    const std::size_t first_frame = static_cast<std::size_t>(rate / 2 - pad + 1);  // of the trimmed audio, in the original
    const std::size_t faded_from = a.frames() - static_cast<std::size_t>(0.1 * rate);
    for (std::size_t i = 0; i + 1 < faded_from; ++i)
        ASSERT_EQ(a.samples[2 * i], untouched.samples[2 * (first_frame + i)]) << "frame " << i;
    EXPECT_FALSE(r["silent"].get<bool>());
}

TEST(JobAudio, NormalizesToALufsTargetUnderTheTruePeakCeiling) {
    // A second at -65 LUFS after three at -73, under the absolute gate (-70):
    // raised, the quiet seconds join the measure, so that the gain the
    // first reading asks for misses the target.
    auto a = tone(std::pow(10.0, -65 / 20.0), 1.0);
    auto quiet = tone(std::pow(10.0, -73 / 20.0), 3.0);
    a.samples.insert(a.samples.begin(), quiet.samples.begin(), quiet.samples.end());
    const double before = *vr::measure_loudness(a).integrated_lufs;
    EXPECT_NEAR(before, -65, 1.0);  // blocks that straddle the quiet part pull it down a little
    for (double target : {-23.0, -16.0, -30.0}) {
        auto one_step = a;
        vr::apply_gain(one_step, target - before);
        EXPECT_GT(std::fabs(*vr::measure_loudness(one_step).integrated_lufs - target), 0.5) << target;

        auto b = a;
        vr::render_shape s;
        s.normalize = vr::parse_normalize("lufs:" + std::to_string(target));
        json r = vr::shape_audio(b, s);
        auto measured = vr::measure_loudness(b);
        ASSERT_TRUE(measured.integrated_lufs);
        EXPECT_NEAR(*measured.integrated_lufs, target, 0.1) << target;
        EXPECT_LE(*measured.true_peak_dbtp, s.true_peak_ceiling_dbtp);
        EXPECT_EQ(r["loudness_lufs"], vr::db_value(*measured.integrated_lufs));
        EXPECT_EQ(r["true_peak_dbtp"], vr::db_value(*measured.true_peak_dbtp));
        EXPECT_GT(r["gain_db"].get<double>(), target - before);
    }
}

TEST(JobAudio, TheCeilingWinsOverALoudnessTarget) {
    // A stereo sine's loudness is its peak level: -3 LUFS needs a true
    // peak near -3 dBTP, over a ceiling of -6.
    auto a = tone(0.1, 3.0);
    vr::render_shape s;
    s.normalize = vr::parse_normalize("lufs:-3");
    s.true_peak_ceiling_dbtp = -6;
    json r = vr::shape_audio(a, s);
    auto measured = vr::measure_loudness(a);
    EXPECT_LE(*measured.true_peak_dbtp, -6.0);
    EXPECT_GT(*measured.true_peak_dbtp, -6.1);
    EXPECT_LT(*measured.integrated_lufs, -5.9);
    EXPECT_NEAR(r["gain_db"].get<double>(), 14.0, 0.1);
}

TEST(JobAudio, NormalizesToASamplePeak) {
    auto a = tone(0.1, 1.0);
    vr::render_shape s;
    s.normalize = vr::parse_normalize("peak:-6");
    json r = vr::shape_audio(a, s);
    EXPECT_NEAR(vr::measure_audio(a, -90).peak_dbfs, -6.0, 0.01);
    EXPECT_EQ(r["peak_dbfs"], -6.0);
}

TEST(JobAudio, NoTargetLeavesTheSamples) {
    auto a = vr::test::test_signal(2, rate, rate);
    const auto before = a.samples;
    auto n = vr::normalize_audio(a, vr::normalize_target{}, -1.0, vr::measure_loudness(a));
    EXPECT_EQ(n.gain_db, 0.0);
    EXPECT_EQ(a.samples, before);
    // Silence has no level to reach: no gain either.
    auto silent = tone(0.0, 1.0);
    n = vr::normalize_audio(silent, vr::parse_normalize("lufs:-16"), -1.0, vr::measure_loudness(silent));
    EXPECT_EQ(n.gain_db, 0.0);
    EXPECT_FALSE(n.loudness.integrated_lufs);
}

// A job with everything a plan needs set, no plugin.
vr::render_job note_job() {
    vr::render_job job{};
    job.note = 64;
    job.velocity = 90;
    job.duration_s = 0.5;
    job.tail_s = 0.25;
    job.sample_rate = rate;
    return job;
}

TEST(JobAudio, ANoteJobPlaysItsNoteThenItsTail) {
    auto job = note_job();
    json record = {{"keep", 1}};
    auto plan = vr::plan_for(job, record, false);
    EXPECT_EQ(plan.frames, 36000);
    EXPECT_FALSE(plan.until_silence);
    ASSERT_EQ(plan.messages.size(), 2u);
    EXPECT_EQ(plan.messages[0].bytes, (std::vector<std::uint8_t>{0x90, 64, 90}));
    EXPECT_EQ(plan.messages[1].frame, 24000);
    EXPECT_EQ(record, (json{{"keep", 1}}));  // a note adds no field

    job.shape.tail_auto = true;
    job.shape.silence_db = -80;
    job.shape.silence_hold_s = 0.1;
    job.shape.max_tail_s = 2;
    plan = vr::plan_for(job, record, false);
    EXPECT_EQ(plan.frames, 24000);  // then on until silence
    ASSERT_TRUE(plan.until_silence);
    EXPECT_EQ(plan.until_silence->silence_db, -80);
    EXPECT_EQ(plan.until_silence->hold_frames, 4800);
    EXPECT_EQ(plan.until_silence->max_frames, 96000);
    EXPECT_EQ(plan.messages.back().bytes, (std::vector<std::uint8_t>{0x80, 64, 0}));
    EXPECT_EQ(plan.messages.back().frame, 24000);
}

// A format-0 file, 96 ticks a quarter note (default tempo: 120 bpm).
std::vector<std::uint8_t> smf(std::vector<std::uint8_t> track) {
    std::vector<std::uint8_t> f = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96, 'M', 'T', 'r', 'k'};
    auto n = static_cast<std::uint32_t>(track.size());
    for (int shift : {24, 16, 8, 0}) f.push_back(static_cast<std::uint8_t>(n >> shift));
    f.insert(f.end(), track.begin(), track.end());
    return f;
}

TEST(JobAudio, AMidiJobPlaysItsSongAndRecordsWhatItRead) {
    vr::test::scratch_dir dir;
    // A note from 0 to 96 ticks (0.5 s), the end of the track 96 ticks on (1 s).
    auto bytes = smf({0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x60, 0xFF, 0x2F, 0x00});
    auto job = note_job();
    job.midi_mode = true;
    job.midi_path = dir.file("song.mid");
    vr::write_file_atomic(job.midi_path, bytes);

    json record;
    auto plan = vr::plan_for(job, record, false);
    EXPECT_EQ(plan.frames, 60000);  // the song's second, then the tail's quarter
    ASSERT_EQ(plan.messages.size(), 2u);
    EXPECT_EQ(plan.messages[1].frame, 24000);
    EXPECT_EQ(record["midi_sha256"], vr::sha256_hex(bytes));
    EXPECT_EQ(record["midi_duration_s"], 1.0);

    // A length given by the job: no midi_duration_s, the plan that long.
    job.midi_duration_s = 0.25;
    json given;
    plan = vr::plan_for(job, given, false);
    EXPECT_EQ(plan.frames, 24000);
    EXPECT_EQ(plan.messages.size(), 1u);  // the note-off falls at the end: left out
    EXPECT_EQ(given["midi_sha256"], vr::sha256_hex(bytes));
    EXPECT_FALSE(given.contains("midi_duration_s"));
}

TEST(JobAudio, ASongLongerThanTheLimitIsRefusedBeforeItIsPlanned) {
    vr::test::scratch_dir dir;
    // One delta of 2^28 - 1 ticks: about 20 days at 96 ticks a half second.
    auto job = note_job();
    job.midi_mode = true;
    job.midi_path = dir.file("long.mid");
    vr::write_file_atomic(job.midi_path, smf({0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x2F, 0x00}));
    json record;
    std::string message = error_message<vr::record_error>([&] { vr::plan_for(job, record, false); });
    EXPECT_EQ(message, job.midi_path + ": the song lasts 1398101 s; at most 3600 s are rendered");
    EXPECT_FALSE(record.contains("midi_duration_s"));
    // Given a length within the limit, the same file plays that long.
    job.midi_duration_s = 2.0;
    EXPECT_EQ(vr::plan_for(job, record, false).frames, 2 * rate + rate / 4);
    EXPECT_EQ(error_message<vr::record_error>([&] {
                  auto j = job;
                  j.midi_path = dir.file("missing.mid");
                  vr::plan_for(j, record, false);
              }).find(dir.file("missing.mid")),
              0u);
}

}  // namespace
