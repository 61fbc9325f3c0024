// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/song.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "jobs/chain.hpp"
#include "jobs/job_audio.hpp"
#include "midi/midi.hpp"
#include "midi/tracks.hpp"
#include "paths/names.hpp"

namespace vr {

namespace {

// The fields a job's one plugin or chain has; beside `tracks`, an error.
constexpr const char* plugin_fields[] = {"chain",      "plugin_path", "program_index",  "state_path", "preset_path",
                                         "set_params", "automation",  "sidechain_path", "faust_code", "sysex_path"};

}  // namespace

// A stage list (or one stage object), checked as a chain is.
std::vector<plugin_stage> read_stage_list(const json& value, const std::vector<std::string>& then_plugins,
                                          const std::string& where) {
    render_job tmp;
    try {
        if (!read_chain(json{{"chain", value.is_object() ? json::array({value}) : value}}, tmp))
            throw record_error("a stage list must be a non-empty array of stages {\"plugin_path\": ...}");
        add_then_stages(then_plugins, tmp);
    } catch (const record_error& e) {
        throw record_error(where + ": " + e.what());
    }
    return std::move(tmp.stages);
}

json stage_list_json(const std::vector<plugin_stage>& stages) {
    render_job tmp;
    tmp.stages = stages;
    json r = json::object();
    put_chain(tmp, r);
    return std::move(r["chain"]);
}

bool read_song(const json& record, const render_defaults& defaults, render_job& job) {
    auto given = [&](const char* field) { return record.contains(field) && !record[field].is_null(); };
    const auto own = std::find_if(std::begin(plugin_fields), std::end(plugin_fields), given);
    const json* tracks = given("tracks") ? &record["tracks"] : nullptr;
    if (!tracks && defaults.tracks && own == std::end(plugin_fields)) tracks = &*defaults.tracks;
    if (!tracks) return false;
    if (!tracks->is_object() || tracks->empty())
        throw record_error("field 'tracks' must be a non-empty object of track key (\"2\", \"name:bass\", "
                           "\"channel:10\") to a stage list");
    if (own != std::end(plugin_fields))
        throw record_error(std::string("field '") + *own +
                           "' and tracks: give each track's plugins in its stage list, the others' in default_track");
    song_spec song;
    for (const auto& [key, value] : tracks->items()) {
        parse_track_key(key);  // its form; what it names is known once the file is read
        song.parts.push_back({key, read_stage_list(value, defaults.then_plugins, "tracks: '" + key + "'")});
    }
    if (given("default_track"))
        song.default_track = read_stage_list(record["default_track"], defaults.then_plugins, "default_track");
    else if (defaults.default_track)
        song.default_track = read_stage_list(*defaults.default_track, defaults.then_plugins, "default_track");
    if (auto dir = get_path(record, "stems_dir"))
        song.stems_dir = absolute_path(*dir);
    else if (defaults.stems_dir)
        song.stems_dir = absolute_path(*defaults.stems_dir);
    while (song.stems_dir.size() > 1 && song.stems_dir.back() == '/') song.stems_dir.pop_back();
    job.stages.clear();
    for (const auto& p : song.parts) job.stages.insert(job.stages.end(), p.stages.begin(), p.stages.end());
    if (song.default_track)
        job.stages.insert(job.stages.end(), song.default_track->begin(), song.default_track->end());
    job.song = std::move(song);
    return true;
}

void check_song(const render_job& job) {
    if (!job.midi_mode) throw record_error("tracks: a song needs its MIDI file: set midi_path or give --midi");
    if (!job.input_path.empty())
        throw record_error("tracks and input_path: a song's tracks play its MIDI file, with no input");
    if (job.shape.trim_silence)
        throw record_error("tracks and trim_silence: trimming would cut the mix and its stems apart");
    // Every stem lies below the root, as the mix does.
    if (!job.output_root.empty() && !job.song->stems_dir.empty())
        components_below(job.output_root, job.song->stems_dir + "/stem");
}

void put_song(const render_job& job, json& record) {
    const song_spec& song = *job.song;
    json tracks = json::object();
    for (const auto& p : song.parts) tracks[p.key] = stage_list_json(p.stages);
    for (const char* f : plugin_fields) record.erase(f);
    record["tracks"] = std::move(tracks);
    if (song.default_track) record["default_track"] = stage_list_json(*song.default_track);
    if (!song.stems_dir.empty()) record["stems_dir"] = song.stems_dir;
}

const play_plan& song_layout::longest() const {
    return std::max_element(stems.begin(), stems.end(),
                            [](const song_stem& a, const song_stem& b) { return a.plan.frames < b.plan.frames; })
        ->plan;
}

bool song_layout::starts_stem(std::size_t i) const {
    return std::any_of(stems.begin(), stems.end(), [&](const song_stem& s) { return s.first_stage == i; });
}

std::string stem_path(const std::string& dir, int track, const std::string& name, const std::string& mix_path) {
    const std::string ext = std::filesystem::path(mix_path).extension().string();
    char nn[16];
    std::snprintf(nn, sizeof nn, "%02d-", track);
    const std::size_t room = max_component_bytes - std::string_view(nn).size() - ext.size();
    return dir + "/" + nn + sanitize_component(name.empty() ? "track" : name, room) + ext;
}

song_layout plan_song(const render_job& job, json& record, bool keep_program_changes) {
    const song_spec& spec = *job.song;
    // Read once: the bytes parsed are the bytes hashed.
    auto bytes = read_file(job.midi_path, midi_max_file_bytes);
    midi_song song = parse_midi(bytes, job.midi_path);
    record["midi_sha256"] = sha256_hex(bytes);
    const double length = job.midi_duration_s.value_or(song.duration_s);
    if (!(length <= max_seconds))
        throw record_error(job.midi_path + ": the song lasts " + std::to_string(static_cast<long long>(length)) +
                           " s; at most " + std::to_string(static_cast<int>(max_seconds)) + " s are rendered");
    if (!job.midi_duration_s) record["midi_duration_s"] = song.duration_s;
    // Every track plays on the song's one transport.
    const transport_map transport = transport_for(job, &song, record);

    std::vector<track_key> keys;
    for (const auto& p : spec.parts) keys.push_back(parse_track_key(p.key));
    const track_selection sel = select_tracks(song, keys, spec.default_track.has_value());
    json unrendered = json::array();
    for (int t : sel.unrendered)
        unrendered.push_back({{"track", t}, {"track_name", song.track_names[static_cast<std::size_t>(t)]}});
    record["unrendered_tracks"] = std::move(unrendered);
    if (sel.parts.empty())
        throw record_error("tracks: no track to render: no key selects a track with notes, and there is no "
                           "default_track");

    song_layout layout;
    for (const auto& part : sel.parts) {
        song_stem stem;
        stem.track = part.track;
        stem.track_name = part.name;
        const auto& stages = part.key >= 0 ? spec.parts[static_cast<std::size_t>(part.key)].stages : *spec.default_track;
        if (part.key >= 0) stem.key = spec.parts[static_cast<std::size_t>(part.key)].key;
        if (!spec.stems_dir.empty()) stem.path = stem_path(spec.stems_dir, part.track, part.name, job.output_path);
        stem.first_stage = layout.stages.size();
        stem.stage_count = stages.size();
        layout.stages.insert(layout.stages.end(), stages.begin(), stages.end());
        const midi_song mine = part_song(song, part, sel.taken_channels);
        stem.plan = job.shape.tail_auto
                        ? midi_plan_until_silence(mine, length, tail_of(job), job.sample_rate, keep_program_changes)
                        : midi_plan(mine, length, job.tail_s, job.sample_rate, keep_program_changes);
        stem.plan.transport = transport;
        layout.stems.push_back(std::move(stem));
    }
    for (std::size_t i = 0; i < layout.stems.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (!layout.stems[i].path.empty() && layout.stems[i].path == layout.stems[j].path)
                throw record_error("tracks: two stems would be written to " + layout.stems[i].path);
    return layout;
}

}  // namespace vr
