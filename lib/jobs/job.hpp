// SPDX-License-Identifier: GPL-3.0-or-later
// What render-one is asked to do: a job record, with the flags' defaults,
// turned into a validated job, and which plugin renders it. No JUCE here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audio/file.hpp"
#include "audio/shape.hpp"
#include "core/records.hpp"
#include "jobs/automation.hpp"
#include "jobs/tempo_fields.hpp"
#include "plugins/plugin_ref.hpp"

namespace vr {

// The --plugin flags: one plugin for every job, and mappings KEY=PATH where
// KEY is a preset_format (fxp, serum2, ...) or a preset_plugin_id.
class plugin_map {
public:
    // Adds one --plugin value; throws usage_error for a repeated default or key.
    void add(const std::string& value);
    bool empty() const { return !default_ && by_key_.empty(); }
    bool has_default() const { return default_.has_value(); }
    // The plugin for a record: its faust_code, else its plugin_path, else a mapping by
    // preset_plugin_id, then by preset_format, else the default. Throws
    // record_error naming the --plugin flag that would cover the job.
    plugin_ref plugin_for(const json& record) const;
    // The plugin --plugin PATH gave (has_default() says whether one did).
    plugin_ref default_plugin() const;

private:
    std::optional<std::string> default_;
    std::vector<std::pair<std::string, std::string>> by_key_;
};

// How a plugin's jobs get a state that does not depend on the jobs before
// them (the isolation field, --isolation): automatic probes the plugin (its
// reset, then forking, else a new instance per job); the others are chosen by
// hand and skip the probe.
enum class isolation_mode { automatic, reset, fork, fresh, process, restore };

// "auto" | "reset" | "fork" | "fresh" | "process" | "restore".
const char* to_string(isolation_mode m);
// The names to_string gives -> enum; throws record_error naming the choices.
isolation_mode parse_isolation(std::string_view name);

// How long a render is and what is done to it before it is written; each a
// job field of the same name (tail_auto is tail_s "auto").
struct render_shape {
    bool tail_auto = false;
    double silence_db = -90.0;     // the level below which audio counts as silence
    double silence_hold_s = 0.2;   // auto tail: silence this long ends it
    double max_tail_s = 10.0;      // auto tail: at most this long
    bool trim_silence = false;     // cut leading and trailing silence...
    double trim_pad_s = 0.01;      // ...keeping this much of it
    double fade_out_ms = 0;
    normalize_target normalize;
    double true_peak_ceiling_dbtp = -1.0;  // normalization never goes above it
    bool allow_nonfinite = false;  // NaN and Inf become 0 instead of failing the job
};

// Defaults the flags give to fields a record lacks.
struct render_defaults {
    int note = 60;
    int velocity = 100;
    double duration_s = 1.0;
    double tail_s = 1.0;
    std::optional<std::string> midi_path;
    int sample_rate = 48000;
    int block_size = 512;
    int channels = 2;
    std::optional<sample_format> format;  // pcm24, or float32 for .npy, when unset
    int flac_level = default_flac_level;  // libsndfile's (audio/file.hpp)
    isolation_mode isolation = isolation_mode::automatic;
    std::uint32_t seed = 0;
    // --bpm and --time-signature, and whether each was given (a given one
    // must agree with a MIDI file's own).
    double bpm = default_bpm;
    bool bpm_given = false;
    time_signature sig;
    bool sig_given = false;
    bool automation_in_beats = false;  // --automation-unit beats
    std::optional<std::string> input_path;
    std::optional<std::string> sidechain_path;
    std::optional<std::string> sysex_path;  // --sysex
    bool downmix = false;
    automation moves;  // --automation, for a job without a chain
    int automation_step = default_automation_step;
    std::vector<std::string> then_plugins;  // --then: stages after every job's own
    // --note was given: a job with input_path plays that note too.
    bool note_given = false;
    std::optional<std::string> preset_path;
    std::optional<std::string> state_path;
    std::optional<std::string> output_root;  // --output-root
    std::optional<std::string> wine_prefix;  // --wine-prefix
    bool screenshots = false;                // --screenshots: a picture beside each output, OUTPUT.png
    bool editor_first = false;               // --editor-first
    bool sandbox = false;                    // --sandbox: every job sandboxed, whatever its field says
    std::optional<std::string> stems_dir;    // --stems-dir, for song jobs without their own
    // --tracks: the song of a job with neither tracks nor a plugin of its
    // own; --default-track: a song job's default_track when it has none.
    std::optional<json> tracks;
    std::optional<json> default_track;
    render_shape shape;
};

// One plugin of a job's signal path and what is loaded into it before the
// render: a program, a state, a preset, a SysEx file's messages, then parameters (set_params:
// parameter index or name -> normalised value 0..1, in order); what moves
// during the render (automation) and the audio fed to its sidechain bus.
struct plugin_stage {
    plugin_ref plugin;
    std::optional<int> program_index;
    std::string preset_path;  // absolute, or empty
    std::string state_path;   // absolute, or empty
    std::vector<std::pair<std::string, double>> params;
    automation moves;
    std::string sidechain_path;  // absolute, or empty
    // MIDI System Exclusive sent before the render (sysex_path): absolute, or empty.
    std::string sysex_path;
    // Anything that changes the plugin from its never-played state.
    bool changes() const { return changes_beyond_params() || !params.empty(); }
    // Anything beyond the current program's parameter values (set_params):
    // what could sound otherwise after JUCE's walk through the programs.
    bool changes_beyond_params() const {
        return program_index || !preset_path.empty() || !state_path.empty() || !moves.empty() || !sysex_path.empty();
    }
};

// A multi-track song (jobs/song.hpp): each `tracks` key with the stages
// its tracks play into, the default_track's, and where the stems go.
struct song_part_spec {
    std::string key;  // as the job wrote it: "2", "name:bass", "channel:10"
    std::vector<plugin_stage> stages;
};
struct song_spec {
    std::vector<song_part_spec> parts;
    std::optional<std::vector<plugin_stage>> default_track;
    std::string stems_dir;  // absolute, or empty: stems measured, not written
};

// One job, every field checked.
struct render_job {
    // The plugins in signal order, never empty: the first plays the job's
    // notes or song and its input; each later one (the rest of the job's
    // chain, then --then's) processes the audio of the one before it
    // (jobs/chain.hpp).
    std::vector<plugin_stage> stages;
    const plugin_stage& first() const { return stages.front(); }
    bool chained() const { return stages.size() > 1; }
    bool midi_mode = false;
    int note = 60;
    int velocity = 100;
    double duration_s = 1.0;  // key held (note mode)
    std::string midi_path;    // absolute (MIDI mode)
    std::optional<double> midi_duration_s;
    double tail_s = 1.0;
    int sample_rate = 48000;
    int block_size = 512;
    int channels = 2;
    sample_format format = sample_format::pcm24;
    int flac_level = default_flac_level;  // 0-8, used for .flac outputs only
    isolation_mode isolation = isolation_mode::automatic;
    // Where the plugin's libc randomness and wall clock start (linux/pinned_randomness.hpp).
    std::uint32_t seed = 0;
    std::string output_path;  // absolute
    // The folder output_path lies below (absolute, normalised), written
    // without following links (core/beneath.hpp); empty: none.
    std::string output_root;
    // Audio fed to the plugin's main input bus (absolute, or empty), and
    // whether more channels than the bus has are mixed down (else refused).
    std::string input_path;
    bool downmix = false;
    // Note mode plays the note; a job with input_path and no note, MIDI file
    // or --note plays none (the default note does not apply).
    bool plays_note = true;
    // Frames per sub-block while an automated value ramps.
    int automation_step = default_automation_step;
    // automation_unit "beats": automation times are quarter notes, through
    // the tempo map.
    bool automation_in_beats = false;
    // The host's tempo and time signature (bpm, time_signature), and
    // whether the job or a flag gave each: a MIDI file's own must then
    // agree (jobs/job_audio.hpp).
    double bpm = default_bpm;
    bool bpm_given = false;
    time_signature sig;
    bool sig_given = false;
    // Rendered by a worker in a sandbox (supervise/sandbox.hpp); needs output_root.
    bool sandbox = false;
    // The plugin's editor (render-one(1), "Editors and pictures"): the PNG
    // picture of its window after the render (screenshot_path: absolute,
    // or empty), and the editor made before anything loads into the
    // plugin and kept through the render (editor_first). Both draw on the
    // run's own virtual display, on an instance of the job's own.
    std::string screenshot_path;
    bool editor_first = false;
    bool shows_editor() const { return editor_first || !screenshot_path.empty(); }
    render_shape shape;
    // A song of tracks, each into stages of its own: stages then lists
    // every stage of the song once (the plugins it loads); the worker
    // gives each track its own instances.
    std::optional<song_spec> song;
    // What the supervisor's probe cache (supervise/probe_cache.hpp) holds
    // for each stage's plugin, in stage order: a verdict object, or null
    // when it holds none (the worker probes and answers with what it
    // learnt); not an array when the cache is off (--no-cache). Never read
    // from a record.
    json probe_verdicts;
    // Each stage's plugin binary's SHA-256 as the supervisor read it for the
    // probe cache's key (a string), or null: the worker then reads the
    // binary itself (a one-off render read it once, not twice).
    json plugin_sha256s;
};

// Reads and checks a job record; throws record_error naming the bad field.
render_job make_render_job(const json& record, const render_defaults& defaults,
                           const plugin_map& plugins);

// One loaded plugin: jobs of one plugin at one sample rate and block size
// share an instance (the worker's slot, the supervisor's load allowance).
struct plugin_key {
    std::string location;
    int sample_rate = 0;
    int block_size = 0;
    auto operator<=>(const plugin_key&) const = default;
};

inline plugin_key key_of(const plugin_ref& plugin, int sample_rate, int block_size) {
    return {plugin.location, sample_rate, block_size};
}
inline plugin_key key_of(const render_job& job) { return key_of(job.first().plugin, job.sample_rate, job.block_size); }

// Adds the settings the job was rendered with to record (plugin_path,
// sample_rate_hz, block_size, channels, sample_format or, for an .ogg,
// ogg_quality, flac_level for a .flac, note, velocity and duration_s or
// midi_path, tail_s, seed, output_root and the shape fields), so that the result, read again as
// a job, renders the same file whatever the flags. Not isolation: the worker
// records the mode a job got.
void put_job_settings(const render_job& job, json& record);

// Parses --sample-rate style values shared by flags and records.
inline constexpr int min_sample_rate = 8000;
inline constexpr int max_sample_rate = 384000;
inline constexpr int max_block_size = 8192;
inline constexpr int max_automation_step = max_block_size;
inline constexpr double max_seconds = 3600.0;
inline constexpr std::int64_t max_seed = 4294967295;  // a seed is 32 bits

}  // namespace vr
