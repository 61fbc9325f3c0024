// SPDX-License-Identifier: GPL-3.0-or-later
// A multi-track song: a job's `tracks` (keys selecting MIDI tracks, each
// with the stages its tracks play into), `default_track` and `stems_dir`
// read into a render_job, and, once the MIDI file is read, the song laid
// out as stems: which track plays what into which stages, and where each
// stem is written. No JUCE here: lib/worker/song_render renders the layout.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "jobs/job.hpp"
#include "midi/play_plan.hpp"

namespace vr {

// Reads the record's `tracks`, `default_track` and `stems_dir` (each, when
// the record lacks it, the defaults' --tracks, --default-track and
// --stems-dir) into job.song, and every stage of them, once each, into
// job.stages; each stage list gets the defaults' then_plugins after its
// own. --tracks makes a song only of a record with no plugin of its own
// (no chain or stage field: plugin_path, preset_path, set_params, ...).
// Returns false (job untouched) when the job is no song. Throws
// record_error for a malformed key or stage list, and for `chain` or a
// stage field at the top of a record that has `tracks`.
bool read_song(const json& record, const render_defaults& defaults, render_job& job);

// A stage list (or one stage object), checked as a chain is, with the
// then_plugins after its own stages; record_error messages begin with where.
std::vector<plugin_stage> read_stage_list(const json& value, const std::vector<std::string>& then_plugins,
                                          const std::string& where);

// Checks what a song job needs once the rest is read: a MIDI file, no
// input, no trim_silence (it would cut the stems apart), stems_dir below
// the output root when there is one. Throws record_error.
void check_song(const render_job& job);

// Writes the song as the record's `tracks`, `default_track` and
// `stems_dir`, each stage list as put_chain writes a chain, so that the
// result read again as a job renders the same.
void put_song(const render_job& job, json& record);

// A stage list as put_chain writes a chain: one object per stage.
json stage_list_json(const std::vector<plugin_stage>& stages);

// One stem: a part of the song (midi/tracks.hpp) and what plays it.
struct song_stem {
    int track = 0;
    std::string track_name;
    std::string key;             // the `tracks` key that selects it; empty: default_track
    std::string path;            // where the stem is written (absolute); empty without stems_dir
    std::size_t first_stage = 0;  // its stages in song_layout::stages
    std::size_t stage_count = 0;
    play_plan plan;               // its notes, over the song's length, then the tail
};

struct song_layout {
    std::vector<song_stem> stems;       // by track
    std::vector<plugin_stage> stages;   // each stem's stages in turn: a plugin twice is two instances
    // The plan of the longest stem (what a render's length is bounded by).
    const play_plan& longest() const;
    // Whether stage i is the first of a stem's (it plays the stem's notes).
    bool starts_stem(std::size_t i) const;
};

// Reads the job's MIDI file once, selects its tracks (midi/tracks.hpp) and
// lays the song out; record gets midi_sha256, midi_duration_s (unless the
// job gave it) and unrendered_tracks ([{"track": N, "track_name": ...}],
// empty when every track with notes renders). Throws record_error as
// plan_for does, for a selection select_tracks refuses, and when no track
// renders.
song_layout plan_song(const render_job& job, json& record, bool keep_program_changes);

// The stem file for a track: DIR/NN-NAME.EXT, NN the track index in two
// digits, NAME the track name as assign-paths sanitizes a component
// ("track" when it has none), EXT the mix's.
std::string stem_path(const std::string& dir, int track, const std::string& name, const std::string& mix_path);

}  // namespace vr
