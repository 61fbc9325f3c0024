// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/job.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "audio/sndfile.hpp"
#include "core/beneath.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "jobs/chain.hpp"
#include "jobs/song.hpp"
#include "plugins/windows_plugin.hpp"
#include "plugins/wine_prefix.hpp"

namespace vr {

namespace {

// A mapping key names a preset format or plugin id: no path or URI syntax.
bool is_mapping_key(std::string_view key) {
    if (key.empty()) return false;
    for (char c : key)
        if (c == '/' || c == ':' || c == '=') return false;
    return true;
}

double get_seconds(const json& record, const char* key, double fallback) {
    auto v = get_number(record, key);
    if (!v) return fallback;
    if (!std::isfinite(*v) || *v < 0 || *v > max_seconds)
        throw record_error(std::string("field '") + key + "' must be between 0 and " +
                           std::to_string(static_cast<int>(max_seconds)) + " seconds");
    return *v;
}

std::optional<bool> get_bool(const json& record, const char* key) {
    if (!record.contains(key) || record[key].is_null()) return std::nullopt;
    if (!record[key].is_boolean()) throw record_error(std::string("field '") + key + "' must be true or false");
    return record[key].get<bool>();
}

double get_level(const json& record, const char* key, double min, double fallback) {
    auto v = get_number(record, key);
    if (!v) return fallback;
    if (!std::isfinite(*v) || *v < min || *v > 0)
        throw record_error(std::string("field '") + key + "' must be between " + std::to_string(static_cast<int>(min)) +
                           " and 0 dB");
    return *v;
}

// bpm, time_signature and automation_unit, else the flags'.
void read_tempo(const json& record, const render_defaults& d, render_job& job) {
    job.bpm = d.bpm;
    job.bpm_given = d.bpm_given;
    if (auto v = job_bpm(record)) {
        job.bpm = *v;
        job.bpm_given = true;
    }
    job.sig = d.sig;
    job.sig_given = d.sig_given;
    if (auto sig = job_time_signature(record)) {
        job.sig = *sig;
        job.sig_given = true;
    }
    job.automation_in_beats = d.automation_in_beats;
    if (auto unit = get_string(record, "automation_unit")) {
        if (*unit != "seconds" && *unit != "beats")
            throw record_error("field 'automation_unit' must be \"seconds\" or \"beats\", not '" + *unit + "'");
        job.automation_in_beats = *unit == "beats";
    }
    // Only a MIDI file's own tempo can disagree with a given one.
    if (!job.midi_mode) job.bpm_given = job.sig_given = false;
}

render_shape read_shape(const json& record, const render_defaults& d) {
    render_shape s = d.shape;
    if (record.contains("tail_s") && record["tail_s"].is_string()) {
        if (record["tail_s"].get<std::string>() != "auto")
            throw record_error("field 'tail_s' must be a number of seconds or \"auto\"");
        s.tail_auto = true;
    } else if (record.contains("tail_s") && !record["tail_s"].is_null()) {
        s.tail_auto = false;
    }
    s.silence_db = get_level(record, "silence_db", -400, s.silence_db);
    s.silence_hold_s = get_seconds(record, "silence_hold_s", s.silence_hold_s);
    s.max_tail_s = get_seconds(record, "max_tail_s", s.max_tail_s);
    s.trim_silence = get_bool(record, "trim_silence").value_or(s.trim_silence);
    s.trim_pad_s = get_seconds(record, "trim_pad_s", s.trim_pad_s);
    if (auto ms = get_number(record, "fade_out_ms")) {
        if (!std::isfinite(*ms) || *ms < 0 || *ms > max_seconds * 1000)
            throw record_error("field 'fade_out_ms' must be between 0 and " +
                               std::to_string(static_cast<int>(max_seconds * 1000)) + " ms");
        s.fade_out_ms = *ms;
    }
    if (auto n = get_string(record, "normalize")) s.normalize = parse_normalize(*n);
    s.true_peak_ceiling_dbtp = get_level(record, "true_peak_ceiling_dbtp", -100, s.true_peak_ceiling_dbtp);
    s.allow_nonfinite = get_bool(record, "allow_nonfinite").value_or(s.allow_nonfinite);
    return s;
}

// Every stage of the job, a song's tracks' included (a song's job.stages
// is a copy of them, for the plugins it loads).
template <typename F>
void for_each_stage(render_job& job, F f) {
    for (auto& s : job.stages) f(s);
    if (!job.song) return;
    for (auto& part : job.song->parts)
        for (auto& s : part.stages) f(s);
    if (job.song->default_track)
        for (auto& s : *job.song->default_track) f(s);
}

// A sandboxed worker's HOME is not the user's (supervise/sandbox.hpp): the
// prefix of each Windows stage is chosen here, where WINEPREFIX and HOME
// are the user's own, and the worker is told it; the sandbox binds it
// read-only. What the file says alone still comes first, as unsandboxed
// (wine/windows_instance.cpp).
void choose_sandbox_prefixes(render_job& job) {
    const char* wineprefix = std::getenv("WINEPREFIX");
    const char* home = std::getenv("HOME");
    const wine_env env{wineprefix ? wineprefix : "", home ? home : ""};
    for_each_stage(job, [&](plugin_stage& s) {
        if (!s.plugin.windows) return;
        try {
            s.plugin.wine_prefix = choose_wine_prefix(s.plugin.location, s.plugin.wine_prefix, env);
        } catch (const record_error&) {
            if (std::string why = windows_plugin_reason(s.plugin.location, std::nullopt); !why.empty())
                throw record_error("cannot load plugin " + s.plugin.location + ": " + why);
            throw;
        }
    });
}

// screenshot_path (--screenshots: OUTPUT.png) and editor_first: one
// plugin's editor, so not for a chain or a song.
void read_editor_fields(const json& record, const render_defaults& d, render_job& job) {
    if (auto p = get_path(record, "screenshot_path"))
        job.screenshot_path = absolute_path(*p);
    else if (d.screenshots)
        job.screenshot_path = job.output_path + ".png";
    job.editor_first = get_bool(record, "editor_first").value_or(d.editor_first);
    if (!job.shows_editor()) return;
    const char* field = job.screenshot_path.empty() ? "editor_first" : "screenshot_path";
    if (job.song || job.chained())
        throw record_error(std::string(field) + ": a job of a chain or a song shows no editor (one plugin's only)");
    if (!job.screenshot_path.empty() && !job.output_root.empty())
        components_below(job.output_root, job.screenshot_path);
}

}  // namespace

const char* to_string(isolation_mode m) {
    switch (m) {
        case isolation_mode::automatic: return "auto";
        case isolation_mode::reset: return "reset";
        case isolation_mode::fork: return "fork";
        case isolation_mode::fresh: return "fresh";
        case isolation_mode::process: return "process";
        case isolation_mode::restore: return "restore";
    }
    return "unknown";
}

isolation_mode parse_isolation(std::string_view name) {
    for (auto m : {isolation_mode::automatic, isolation_mode::reset, isolation_mode::fork, isolation_mode::fresh,
                   isolation_mode::restore, isolation_mode::process})
        if (name == to_string(m)) return m;
    throw record_error("isolation '" + std::string(name) +
                       "' is not one of auto, reset, fork, fresh, restore, process");
}

void plugin_map::add(const std::string& value) {
    auto eq = value.find('=');
    if (eq != std::string::npos && is_mapping_key(std::string_view(value).substr(0, eq))) {
        std::string key = value.substr(0, eq), path = value.substr(eq + 1);
        if (path.empty()) throw usage_error("--plugin " + value + ": no plugin after '='");
        for (const auto& [k, p] : by_key_)
            if (k == key) throw usage_error("--plugin " + key + "= given twice");
        by_key_.emplace_back(key, path);
        return;
    }
    if (default_) throw usage_error("--plugin PATH given twice (use KEY=PATH to map preset formats or ids)");
    default_ = value;
}

plugin_ref plugin_map::plugin_for(const json& record) const {
    // The program travels in the ref; its hash names it, as a path would.
    if (auto code = get_string(record, "faust_code"))
        return {"faust:" + sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(code->data()), code->size())),
                plugin_format::faust, *code};
    if (auto p = get_path(record, "plugin_path")) return resolve_plugin(*p);
    auto id = get_string(record, "preset_plugin_id");
    auto fmt = get_string(record, "preset_format");
    for (const auto& [key, path] : by_key_)
        if (id && key == *id) return resolve_plugin(path);
    for (const auto& [key, path] : by_key_)
        if (fmt && key == *fmt) return resolve_plugin(path);
    if (default_) return resolve_plugin(*default_);
    std::string hint = "--plugin PATH";
    if (fmt) hint += " or --plugin " + *fmt + "=PATH";
    if (id) hint += " or --plugin " + *id + "=PATH";
    throw record_error("no plugin for this job: add " + hint + ", or set plugin_path");
}

plugin_ref plugin_map::default_plugin() const {
    if (!default_) throw record_error("no plugin: add --plugin PATH");
    return resolve_plugin(*default_);
}

render_job make_render_job(const json& record, const render_defaults& d, const plugin_map& plugins) {
    render_job job;
    auto out = get_path(record, "output_path");
    if (!out) throw record_error("no output_path: give -o, set output_path, or pipe through assign-paths");
    job.output_path = absolute_path(*out);
    // An output root keeps the job's writing below it (core/beneath.hpp).
    if (auto root = get_path(record, "output_root"))
        job.output_root = absolute_path(*root);
    else if (d.output_root)
        job.output_root = absolute_path(*d.output_root);
    if (!job.output_root.empty()) {
        while (job.output_root.size() > 1 && job.output_root.back() == '/') job.output_root.pop_back();
        components_below(job.output_root, *out);
    }
    // A chain names its plugins (and what each loads) in its stages; else
    // the record's own fields are its one plugin's, with the flags' defaults.
    // A song names its plugins per track (jobs/song.hpp), --then's among them.
    const bool song = read_song(record, d, job);
    if (!song && !read_chain(record, job)) {
        plugin_stage s;
        s.plugin = plugins.plugin_for(record);
        read_stage_fields(record, s);
        if (s.preset_path.empty() && d.preset_path) s.preset_path = absolute_path(*d.preset_path);
        if (s.state_path.empty() && d.state_path) s.state_path = absolute_path(*d.state_path);
        if (s.sidechain_path.empty() && d.sidechain_path) s.sidechain_path = absolute_path(*d.sidechain_path);
        if (s.sysex_path.empty() && d.sysex_path) s.sysex_path = absolute_path(*d.sysex_path);
        if (s.moves.empty() && !record.contains("automation")) s.moves = d.moves;
        job.stages.push_back(std::move(s));
    }
    if (!song) add_then_stages(d.then_plugins, job);
    // Windows plugins load in the job's prefix (wine_prefix, --wine-prefix),
    // unless one lies in another prefix's drive_c: that job fails naming
    // both (wine/windows_instance.cpp, plugins/wine_prefix.hpp).
    // A song's tracks are stages of their own (job.song), each given it too.
    std::optional<std::string> prefix = get_path(record, "wine_prefix");
    if (!prefix) prefix = d.wine_prefix;
    if (prefix) {
        const std::string dir = absolute_path(*prefix);
        for_each_stage(job, [&](plugin_stage& s) {
            if (s.plugin.windows) s.plugin.wine_prefix = dir;
        });
    }
    job.note = static_cast<int>(get_integer(record, "note", 0, 127).value_or(d.note));
    job.velocity = static_cast<int>(get_integer(record, "velocity", 1, 127).value_or(d.velocity));
    job.duration_s = get_seconds(record, "duration_s", d.duration_s);
    job.shape = read_shape(record, d);
    job.tail_s = job.shape.tail_auto ? 0.0 : get_seconds(record, "tail_s", d.tail_s);

    auto midi = get_path(record, "midi_path");
    if (midi) {
        job.midi_mode = true;
        job.midi_path = absolute_path(*midi);
    } else if (!record.contains("note") && d.midi_path) {
        job.midi_mode = true;
        job.midi_path = absolute_path(*d.midi_path);
    }
    if (auto p = get_path(record, "input_path"))
        job.input_path = absolute_path(*p);
    else if (d.input_path)
        job.input_path = absolute_path(*d.input_path);
    job.downmix = get_bool(record, "downmix").value_or(d.downmix);
    if (!job.input_path.empty() && !job.midi_mode && !record.contains("note") && !d.note_given) job.plays_note = false;
    if (job.midi_mode && record.contains("midi_duration_s") && !record["midi_duration_s"].is_null())
        job.midi_duration_s = get_seconds(record, "midi_duration_s", 0);

    job.sample_rate = static_cast<int>(
        get_integer(record, "sample_rate_hz", min_sample_rate, max_sample_rate).value_or(d.sample_rate));
    job.block_size = static_cast<int>(get_integer(record, "block_size", 16, max_block_size).value_or(d.block_size));
    job.channels = static_cast<int>(get_integer(record, "channels", 1, 2).value_or(d.channels));
    if (auto f = get_string(record, "sample_format"))
        job.format = parse_sample_format(*f);
    else if (d.format)
        job.format = *d.format;
    else
        job.format = container_of(job.output_path) == audio_container::npy ? sample_format::float32
                                                                         : sample_format::pcm24;
    check_audio_target(job.output_path, job.format, job.channels);
    // Checked whatever the output, so a bad value never waits for a .flac.
    job.flac_level = static_cast<int>(
        get_integer(record, "flac_level", min_flac_level, max_flac_level).value_or(d.flac_level));
    auto isolation = get_string(record, "isolation");
    job.isolation = isolation ? parse_isolation(*isolation) : d.isolation;
    job.seed = static_cast<std::uint32_t>(get_integer(record, "seed", 0, max_seed).value_or(d.seed));
    job.automation_step =
        static_cast<int>(get_integer(record, "automation_step", 1, max_automation_step).value_or(d.automation_step));
    read_tempo(record, d, job);
    // --sandbox is a floor: a job's own sandbox: false does not lower it.
    job.sandbox = get_bool(record, "sandbox").value_or(false) || d.sandbox;
    if (job.sandbox && job.output_root.empty())
        throw record_error("sandbox: a sandboxed job needs an output root: set output_root (assign-paths does) or "
                           "give --output-root");
    if (job.sandbox) choose_sandbox_prefixes(job);
    if (song) check_song(job);
    read_editor_fields(record, d, job);
    return job;
}

void put_job_settings(const render_job& job, json& record) {
    if (job.song) {
        put_song(job, record);
    } else if (job.chained()) {
        put_chain(job, record);
    } else {
        const plugin_stage& s = job.first();
        // A faust_code job keeps its code: "faust:<sha256>" names no file.
        if (s.plugin.code.empty()) record["plugin_path"] = s.plugin.location;
        if (!s.preset_path.empty()) record["preset_path"] = s.preset_path;
        if (!s.state_path.empty()) record["state_path"] = s.state_path;
        if (!s.sidechain_path.empty()) record["sidechain_path"] = s.sidechain_path;
        if (!s.sysex_path.empty()) record["sysex_path"] = s.sysex_path;
        if (!s.moves.empty()) record["automation"] = automation_json(s.moves);
    }
    if (!job.screenshot_path.empty()) record["screenshot_path"] = job.screenshot_path;
    if (job.editor_first) record["editor_first"] = true;
    // A job's own output_root stays as written (relative, say): only the flag's is added.
    if (!job.output_root.empty() && !get_path(record, "output_root")) record["output_root"] = job.output_root;
    record["sample_rate_hz"] = job.sample_rate;
    record["block_size"] = job.block_size;
    record["channels"] = job.channels;
    // Vorbis has no sample format (a job's own is dropped, having done
    // nothing): the record says what the encoder was given instead.
    const audio_container container = container_of(job.output_path);
    if (uses_sample_format(container)) {
        record.erase("ogg_quality");
        record["sample_format"] = std::string(to_string(job.format));
    } else {
        record.erase("sample_format");
        record["ogg_quality"] = vorbis_quality;
    }
    // Likewise the FLAC level, which only a .flac is encoded with.
    if (container == audio_container::flac)
        record["flac_level"] = job.flac_level;
    else
        record.erase("flac_level");
    bool sidechain = false, moves = false;
    for (const auto& st : job.stages) {
        sidechain = sidechain || !st.sidechain_path.empty();
        moves = moves || !st.moves.empty();
    }
    if (!job.input_path.empty()) record["input_path"] = job.input_path;
    if (!job.input_path.empty() || sidechain) record["downmix"] = job.downmix;
    if (moves) record["automation_step"] = job.automation_step;
    if (moves) record["automation_unit"] = job.automation_in_beats ? "beats" : "seconds";
    if (job.midi_mode) {
        record["midi_path"] = job.midi_path;
    } else if (job.plays_note) {
        record["note"] = job.note;
        record["velocity"] = job.velocity;
        record["duration_s"] = job.duration_s;
    }
    record["seed"] = job.seed;
    // A MIDI job's worker answers with the file's (jobs/job_audio.hpp).
    if (!job.midi_mode) {
        record["bpm"] = bpm_value(job.bpm);
        record["time_signature"] = to_string(job.sig);
    }
    const render_shape& s = job.shape;
    if (s.tail_auto) {
        record["tail_s"] = "auto";
        record["silence_hold_s"] = s.silence_hold_s;
        record["max_tail_s"] = s.max_tail_s;
    } else {
        record["tail_s"] = job.tail_s;
    }
    record["silence_db"] = s.silence_db;
    record["trim_silence"] = s.trim_silence;
    if (s.trim_silence) record["trim_pad_s"] = s.trim_pad_s;
    record["fade_out_ms"] = s.fade_out_ms;
    record["normalize"] = to_string(s.normalize);
    if (s.normalize.what != normalize_target::kind::none) record["true_peak_ceiling_dbtp"] = s.true_peak_ceiling_dbtp;
    record["allow_nonfinite"] = s.allow_nonfinite;
}

}  // namespace vr
