// SPDX-License-Identifier: GPL-3.0-or-later
// Unit tests for a song job (jobs/song.hpp): its tracks read into stage
// lists, echoed and sent to the worker unchanged, and laid out as stems
// once the MIDI file is read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "jobs/job.hpp"
#include "jobs/job_wire.hpp"
#include "jobs/song.hpp"

namespace {

using vr::json;

vr::plugin_map no_plugins() { return {}; }

json song_record() {
    return json{{"output_path", "/o/mix.flac"},
                {"midi_path", "/m/song.mid"},
                {"stems_dir", "/o/stems/"},
                {"tracks",
                 {{"name:bass", json::array({json{{"plugin_path", "/p/a.so"}, {"program_index", 3}}})},
                  {"channel:10", json{{"plugin_path", "/p/drums.dsp"}}}}},
                {"default_track", json::array({json{{"plugin_path", "/p/z.so"}}, json{{"plugin_path", "/p/verb.so"}}})}};
}

std::string error_of(const json& record, const vr::render_defaults& d = {}) {
    try {
        vr::make_render_job(record, d, no_plugins());
    } catch (const vr::record_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(SongJob, TracksAreReadAsStageListsAndEveryStageIsLoadedOnce) {
    vr::render_defaults d;
    d.then_plugins = {"/p/limiter.so"};
    const auto job = vr::make_render_job(song_record(), d, no_plugins());
    ASSERT_TRUE(job.song);
    ASSERT_EQ(job.song->parts.size(), 2u);
    EXPECT_EQ(job.song->parts[0].key, "name:bass");
    // --then follows each list's own stages.
    ASSERT_EQ(job.song->parts[0].stages.size(), 2u);
    EXPECT_EQ(job.song->parts[0].stages[0].program_index, 3);
    EXPECT_EQ(job.song->parts[0].stages[1].plugin.location, "/p/limiter.so");
    EXPECT_EQ(job.song->parts[1].stages[0].plugin.format, vr::plugin_format::faust);
    ASSERT_TRUE(job.song->default_track);
    EXPECT_EQ(job.song->default_track->size(), 3u);
    EXPECT_EQ(job.song->stems_dir, "/o/stems");
    EXPECT_EQ(job.stages.size(), 7u);
    EXPECT_EQ(vr::key_of(job).location, "/p/a.so");
}

TEST(SongJob, TheResultKeepsTheSongAndTheWorkerGetsItFieldForField) {
    const auto job = vr::make_render_job(song_record(), {}, no_plugins());
    json record = song_record();
    vr::put_job_settings(job, record);
    EXPECT_EQ(record["tracks"]["name:bass"], json::parse(R"([{"plugin_path":"/p/a.so","program_index":3}])"));
    EXPECT_EQ(record["tracks"]["channel:10"], json::parse(R"([{"plugin_path":"/p/drums.dsp"}])"));
    EXPECT_EQ(record["default_track"].size(), 2u);
    EXPECT_EQ(record["stems_dir"], "/o/stems");
    EXPECT_FALSE(record.contains("chain"));
    // Read again, the result is the same job.
    const auto again = vr::make_render_job(record, {}, no_plugins());
    EXPECT_EQ(vr::to_wire(again), vr::to_wire(job));
    const auto wired = vr::from_wire(vr::to_wire(job));
    ASSERT_TRUE(wired.song);
    EXPECT_EQ(vr::to_wire(wired), vr::to_wire(job));
    EXPECT_EQ(wired.song->parts[1].key, "channel:10");
}

TEST(SongJob, ASongNamesItsPluginsOnlyInItsStageLists) {
    json r = song_record();
    r["plugin_path"] = "/p/a.so";
    EXPECT_EQ(error_of(r),
              "field 'plugin_path' and tracks: give each track's plugins in its stage list, the others' in default_track");
    r = song_record();
    r["tracks"]["name:bass"] = json::array();
    EXPECT_EQ(error_of(r), "tracks: 'name:bass': field 'chain' must be a non-empty array of stages {\"plugin_path\": ...}");
    r = song_record();
    r["tracks"]["bass"] = json::array({json{{"plugin_path", "/p/a.so"}}});
    EXPECT_EQ(error_of(r), "tracks: key 'bass' is not a track index (\"2\"), \"name:NAME\" or \"channel:N\" (1-16)");
    r = song_record();
    r.erase("midi_path");
    EXPECT_EQ(error_of(r), "tracks: a song needs its MIDI file: set midi_path or give --midi");
    r = song_record();
    r["trim_silence"] = true;
    EXPECT_EQ(error_of(r), "tracks and trim_silence: trimming would cut the mix and its stems apart");
}

// --tracks and --default-track are defaults like any flag's: --tracks makes
// a song of a job with no plugin of its own, and of no other job.
TEST(SongJob, TheTracksFlagIsTheSongOfAJobWithNoPluginOfItsOwn) {
    vr::render_defaults d;
    d.tracks = song_record()["tracks"];
    d.default_track = json::array({json{{"plugin_path", "/p/z.so"}}});
    d.stems_dir = "/o/flag-stems";
    const json bare{{"output_path", "/o/mix.flac"}, {"midi_path", "/m/song.mid"}};
    auto job = vr::make_render_job(bare, d, no_plugins());
    ASSERT_TRUE(job.song);
    EXPECT_EQ(job.song->parts.size(), 2u);
    ASSERT_TRUE(job.song->default_track);
    EXPECT_EQ(job.song->default_track->at(0).plugin.location, "/p/z.so");
    EXPECT_EQ(job.song->stems_dir, "/o/flag-stems");
    // The record's own fields beat the flags'.
    job = vr::make_render_job(song_record(), d, no_plugins());
    EXPECT_EQ(job.song->default_track->size(), 2u);
    EXPECT_EQ(job.song->stems_dir, "/o/stems");
    json own = song_record();
    own.erase("default_track");
    job = vr::make_render_job(own, d, no_plugins());
    EXPECT_EQ(job.song->default_track->size(), 1u);
    // Any plugin of its own, or a preset for the --plugin: no song.
    for (const auto& [field, value] : {std::pair<const char*, json>{"plugin_path", "/p/a.so"},
                                       {"preset_path", "/p/x.fxp"},
                                       {"chain", json::array({json{{"plugin_path", "/p/a.so"}}})},
                                       {"faust_code", "process = _;"}}) {
        SCOPED_TRACE(field);
        json r = bare;
        r[field] = value;
        vr::plugin_map plugins;
        plugins.add("/p/default.so");
        job = vr::make_render_job(r, d, plugins);
        EXPECT_FALSE(job.song);
        EXPECT_EQ(job.stages.size(), 1u);
    }
}

TEST(SongJob, StemsAreNamedByTrackIndexAndSanitizedName) {
    EXPECT_EQ(vr::stem_path("/s", 3, "Drums: Kit/1", "/o/mix.flac"), "/s/03-Drums_ Kit_1.flac");
    EXPECT_EQ(vr::stem_path("/s", 12, "", "/o/mix.wav"), "/s/12-track.wav");
    EXPECT_EQ(vr::stem_path("/s", 1, ".hidden", "/o/mix.npy"), "/s/01-_hidden.npy");
}

TEST(SongJob, TheLayoutGivesEachStemItsStagesAndItsOwnNotes) {
    // Track 1 on channel 1 (bass), track 2 on channel 10 (drums), track 3
    // on channel 2 (lead, left to the default).
    const std::vector<std::uint8_t> bytes{
        'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 4, 0x01, 0xE0,
        'M', 'T', 'r', 'k', 0, 0, 0, 4, 0, 0xFF, 0x2F, 0,
        'M', 'T', 'r', 'k', 0, 0, 0, 20, 0, 0xFF, 0x03, 4, 'b', 'a', 's', 's', 0, 0x90, 40, 100, 0x60, 0x80, 40, 0,
        0, 0xFF, 0x2F, 0,
        'M', 'T', 'r', 'k', 0, 0, 0, 12, 0, 0x99, 36, 100, 0x60, 0x89, 36, 0, 0, 0xFF, 0x2F, 0,
        'M', 'T', 'r', 'k', 0, 0, 0, 12, 0, 0x91, 72, 100, 0x60, 0x81, 72, 0, 0, 0xFF, 0x2F, 0};
    const auto dir = std::filesystem::temp_directory_path() / "vr-song-test";
    std::filesystem::create_directories(dir);
    const std::string mid = (dir / "song.mid").string();
    std::ofstream(mid, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                               static_cast<std::streamsize>(bytes.size()));
    json r = song_record();
    r["midi_path"] = mid;
    r["tail_s"] = 0.5;
    const auto job = vr::make_render_job(r, {}, no_plugins());
    json record;
    const auto layout = vr::plan_song(job, record, false);
    ASSERT_EQ(layout.stems.size(), 3u);
    EXPECT_EQ(layout.stems[0].key, "name:bass");
    EXPECT_EQ(layout.stems[0].path, "/o/stems/01-bass.flac");
    EXPECT_EQ(layout.stems[1].key, "channel:10");
    EXPECT_EQ(layout.stems[1].path, "/o/stems/02-track.flac");
    EXPECT_EQ(layout.stems[2].key, "");
    // Each stem its own stages: 1 + 1 + the default's 2.
    EXPECT_EQ(layout.stages.size(), 4u);
    EXPECT_EQ(layout.stems[2].first_stage, 2u);
    EXPECT_EQ(layout.stems[2].stage_count, 2u);
    EXPECT_TRUE(layout.starts_stem(2));
    EXPECT_FALSE(layout.starts_stem(3));
    // Each plays only its own note, over the song's length plus the tail.
    for (const auto& s : layout.stems) {
        ASSERT_EQ(s.plan.messages.size(), 2u);
        EXPECT_EQ(s.plan.frames, layout.stems[0].plan.frames);
    }
    EXPECT_EQ(layout.stems[0].plan.messages[0].bytes, (std::vector<std::uint8_t>{0x90, 40, 100}));
    EXPECT_EQ(layout.stems[1].plan.messages[0].bytes, (std::vector<std::uint8_t>{0x99, 36, 100}));
    EXPECT_EQ(layout.stems[2].plan.messages[0].bytes, (std::vector<std::uint8_t>{0x91, 72, 100}));
    EXPECT_EQ(record["unrendered_tracks"], json::array());
    std::filesystem::remove_all(dir);
}
