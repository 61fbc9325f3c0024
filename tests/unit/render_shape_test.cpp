// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for the shape fields of a job (tail_s "auto", trimming, fades,
// normalization), the settings a result echoes, and auto-tail play plans.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "jobs/job.hpp"
#include "midi/play_plan.hpp"

namespace {

using vr::json;

vr::plugin_map one_plugin() {
    vr::plugin_map m;
    m.add("/p/a.so");
    return m;
}

TEST(RenderShape, TailAutoFromRecordOrFlags) {
    vr::render_defaults d;
    auto job = vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"tail_s", "auto"}}, d, one_plugin());
    EXPECT_TRUE(job.shape.tail_auto);
    d.shape.tail_auto = true;
    // A record's seconds win over --tail auto.
    auto fixed = vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"tail_s", 0.5}}, d, one_plugin());
    EXPECT_FALSE(fixed.shape.tail_auto);
    EXPECT_EQ(fixed.tail_s, 0.5);
    EXPECT_TRUE(vr::make_render_job(json{{"output_path", "/o/a.wav"}}, d, one_plugin()).shape.tail_auto);
    EXPECT_THROW(vr::make_render_job(json{{"output_path", "/o/a.wav"}, {"tail_s", "long"}}, d, one_plugin()),
                 vr::record_error);
}

TEST(RenderShape, BadShapeFieldsFailTheRecord) {
    vr::render_defaults d;
    for (const json& bad : {json{{"normalize", "lufs:+3"}}, json{{"trim_silence", 1}}, json{{"fade_out_ms", -1}},
                            json{{"true_peak_ceiling_dbtp", 2}}, json{{"silence_db", 10}},
                            json{{"max_tail_s", -1}}, json{{"allow_nonfinite", "yes"}}}) {
        json r = bad;
        r["output_path"] = "/o/a.wav";
        EXPECT_THROW(vr::make_render_job(r, d, one_plugin()), vr::record_error) << bad.dump();
    }
}

TEST(RenderShape, EchoedSettingsRenderTheSameJobWhateverTheFlags) {
    vr::render_defaults d;
    d.shape.tail_auto = true;
    d.shape.trim_silence = true;
    d.shape.normalize = vr::parse_normalize("lufs:-20");
    d.shape.fade_out_ms = 30;
    d.sample_rate = 44100;
    auto job = vr::make_render_job(json{{"output_path", "/o/a.flac"}, {"note", 50}}, d, one_plugin());
    json echoed = {{"output_path", "/o/a.flac"}};
    vr::put_job_settings(job, echoed);
    EXPECT_EQ(echoed["tail_s"], "auto");
    EXPECT_EQ(echoed["normalize"], "lufs:-20");
    EXPECT_EQ(echoed["plugin_path"], "/p/a.so");

    // Read back with other defaults and no --plugin: the same job.
    vr::render_defaults other;
    auto again = vr::make_render_job(echoed, other, vr::plugin_map{});
    json echoed_again = {{"output_path", "/o/a.flac"}};
    vr::put_job_settings(again, echoed_again);
    EXPECT_EQ(echoed.dump(), echoed_again.dump());
    EXPECT_EQ(again.sample_rate, 44100);
    EXPECT_EQ(again.note, 50);
    EXPECT_TRUE(again.shape.trim_silence);
    EXPECT_EQ(again.shape.fade_out_ms, 30);
}

TEST(PlayPlan, AutoTailKeepsTheNoteOffAndTheSongsLastEvents) {
    vr::silence_tail t{-90, 100, 1000};
    auto note = vr::note_plan_until_silence(60, 100, 0.5, t, 1000);
    EXPECT_EQ(note.frames, 500);
    ASSERT_EQ(note.messages.size(), 2u);
    EXPECT_EQ(note.messages[1].frame, 500);
    EXPECT_EQ(note.messages[1].bytes[0], 0x80);
    ASSERT_TRUE(note.until_silence);

    vr::midi_song song{};
    song.duration_s = 1.0;
    song.events.push_back({0.0, 0, {0x90, 60, 100}});
    song.events.push_back({1.0, 0, {0x80, 60, 0}});
    EXPECT_EQ(vr::midi_plan(song, 1.0, 0.0, 1000, false).messages.size(), 1u);
    auto until = vr::midi_plan_until_silence(song, 1.0, t, 1000, false);
    EXPECT_EQ(until.frames, 1000);
    EXPECT_EQ(until.messages.size(), 2u);
}

}  // namespace
