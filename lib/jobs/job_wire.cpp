// SPDX-License-Identifier: GPL-3.0-or-later
#include "jobs/job_wire.hpp"

namespace vr {

namespace {

template <typename T>
json optional_json(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

template <typename T>
std::optional<T> optional_from(const json& v) {
    if (v.is_null()) return std::nullopt;
    return v.get<T>();
}

json shape_to_wire(const render_shape& s) {
    json w = json::object();
    w.get_ref<json::object_t&>().reserve(12);
    w["tail_auto"] = s.tail_auto;
    w["silence_db"] = s.silence_db;
    w["silence_hold_s"] = s.silence_hold_s;
    w["max_tail_s"] = s.max_tail_s;
    w["trim_silence"] = s.trim_silence;
    w["trim_pad_s"] = s.trim_pad_s;
    w["fade_out_ms"] = s.fade_out_ms;
    w["normalize"] = static_cast<int>(s.normalize.what);
    w["normalize_level"] = s.normalize.level;
    w["true_peak_ceiling_dbtp"] = s.true_peak_ceiling_dbtp;
    w["allow_nonfinite"] = s.allow_nonfinite;
    return w;
}

render_shape shape_from_wire(const json& w) {
    render_shape s;
    s.tail_auto = w.at("tail_auto").get<bool>();
    s.silence_db = w.at("silence_db").get<double>();
    s.silence_hold_s = w.at("silence_hold_s").get<double>();
    s.max_tail_s = w.at("max_tail_s").get<double>();
    s.trim_silence = w.at("trim_silence").get<bool>();
    s.trim_pad_s = w.at("trim_pad_s").get<double>();
    s.fade_out_ms = w.at("fade_out_ms").get<double>();
    s.normalize.what = static_cast<normalize_target::kind>(w.at("normalize").get<int>());
    s.normalize.level = w.at("normalize_level").get<double>();
    s.true_peak_ceiling_dbtp = w.at("true_peak_ceiling_dbtp").get<double>();
    s.allow_nonfinite = w.at("allow_nonfinite").get<bool>();
    return s;
}

}  // namespace

namespace {

json params_to_wire(const std::vector<std::pair<std::string, double>>& params) {
    json out = json::array();
    out.get_ref<json::array_t&>().reserve(params.size());
    for (const auto& [name, value] : params) {
        json pair = json::array();
        pair.push_back(name);
        pair.push_back(value);
        out.push_back(std::move(pair));
    }
    return out;
}

std::vector<std::pair<std::string, double>> params_from_wire(const json& w) {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& p : w) out.emplace_back(p.at(0).get<std::string>(), p.at(1).get<double>());
    return out;
}

json stage_to_wire(const plugin_stage& s) {
    json w = json::object();
    w.get_ref<json::object_t&>().reserve(11);
    w["plugin"] = s.plugin.location;
    w["plugin_format"] = static_cast<int>(s.plugin.format);
    w["faust_code"] = s.plugin.code;
    w["windows"] = s.plugin.windows;
    w["wine_prefix"] = s.plugin.wine_prefix;
    w["program_index"] = optional_json(s.program_index);
    w["preset_path"] = s.preset_path;
    w["state_path"] = s.state_path;
    w["params"] = params_to_wire(s.params);
    w["automation"] = automation_to_wire(s.moves);
    w["sidechain_path"] = s.sidechain_path;
    w["sysex_path"] = s.sysex_path;
    return w;
}

plugin_stage stage_from_wire(const json& w) {
    plugin_stage s;
    s.plugin = {w.at("plugin").get<std::string>(), static_cast<plugin_format>(w.at("plugin_format").get<int>()),
                w.at("faust_code").get<std::string>(), w.at("windows").get<bool>(),
                w.at("wine_prefix").get<std::string>()};
    s.program_index = optional_from<int>(w.at("program_index"));
    s.preset_path = w.at("preset_path").get<std::string>();
    s.state_path = w.at("state_path").get<std::string>();
    s.params = params_from_wire(w.at("params"));
    s.moves = automation_from_wire(w.at("automation"));
    s.sidechain_path = w.at("sidechain_path").get<std::string>();
    s.sysex_path = w.at("sysex_path").get<std::string>();
    return s;
}

json stages_to_wire(const std::vector<plugin_stage>& stages) {
    json out = json::array();
    for (const auto& s : stages) out.push_back(stage_to_wire(s));
    return out;
}

std::vector<plugin_stage> stages_from_wire(const json& w) {
    std::vector<plugin_stage> out;
    for (const auto& s : w) out.push_back(stage_from_wire(s));
    return out;
}

// A song's key -> stages, its default_track and stems_dir; null: no song.
json song_to_wire(const std::optional<song_spec>& song) {
    if (!song) return nullptr;
    json parts = json::array();
    for (const auto& p : song->parts) parts.push_back({p.key, stages_to_wire(p.stages)});
    return {{"parts", std::move(parts)},
            {"default_track", song->default_track ? stages_to_wire(*song->default_track) : json(nullptr)},
            {"stems_dir", song->stems_dir}};
}

std::optional<song_spec> song_from_wire(const json& w) {
    if (w.is_null()) return std::nullopt;
    song_spec song;
    for (const auto& p : w.at("parts")) song.parts.push_back({p.at(0).get<std::string>(), stages_from_wire(p.at(1))});
    if (!w.at("default_track").is_null()) song.default_track = stages_from_wire(w.at("default_track"));
    song.stems_dir = w.at("stems_dir").get<std::string>();
    return song;
}

}  // namespace

json to_wire(const render_job& job) {
    json stages = json::array();
    for (const auto& s : job.stages) stages.push_back(stage_to_wire(s));
    // Room first: an object's growth copies what it holds (core/records.hpp).
    json w = json::object();
    w.get_ref<json::object_t&>().reserve(40);
    w["stages"] = std::move(stages);
    w["automation_step"] = job.automation_step;
    w["midi_mode"] = job.midi_mode;
    w["note"] = job.note;
    w["velocity"] = job.velocity;
    w["duration_s"] = job.duration_s;
    w["midi_path"] = job.midi_path;
    w["midi_duration_s"] = optional_json(job.midi_duration_s);
    w["tail_s"] = job.tail_s;
    w["sample_rate"] = job.sample_rate;
    w["block_size"] = job.block_size;
    w["channels"] = job.channels;
    w["format"] = static_cast<int>(job.format);
    w["flac_level"] = job.flac_level;
    w["isolation"] = static_cast<int>(job.isolation);
    w["seed"] = job.seed;
    w["bpm"] = job.bpm;
    w["bpm_given"] = job.bpm_given;
    w["time_signature"] = json::array({job.sig.numerator, job.sig.denominator});
    w["time_signature_given"] = job.sig_given;
    w["automation_in_beats"] = job.automation_in_beats;
    w["input_path"] = job.input_path;
    w["downmix"] = job.downmix;
    w["plays_note"] = job.plays_note;
    w["output_path"] = job.output_path;
    w["output_root"] = job.output_root;
    w["screenshot_path"] = job.screenshot_path;
    w["editor_first"] = job.editor_first;
    w["shape"] = shape_to_wire(job.shape);
    w["song"] = song_to_wire(job.song);
    w["probe_verdicts"] = job.probe_verdicts;
    w["plugin_sha256s"] = job.plugin_sha256s;
    return w;
}

render_job from_wire(const json& w) {
    render_job job;
    for (const auto& s : w.at("stages")) job.stages.push_back(stage_from_wire(s));
    job.automation_step = w.at("automation_step").get<int>();
    job.midi_mode = w.at("midi_mode").get<bool>();
    job.note = w.at("note").get<int>();
    job.velocity = w.at("velocity").get<int>();
    job.duration_s = w.at("duration_s").get<double>();
    job.midi_path = w.at("midi_path").get<std::string>();
    job.midi_duration_s = optional_from<double>(w.at("midi_duration_s"));
    job.tail_s = w.at("tail_s").get<double>();
    job.sample_rate = w.at("sample_rate").get<int>();
    job.block_size = w.at("block_size").get<int>();
    job.channels = w.at("channels").get<int>();
    job.format = static_cast<sample_format>(w.at("format").get<int>());
    job.flac_level = w.at("flac_level").get<int>();
    job.isolation = static_cast<isolation_mode>(w.at("isolation").get<int>());
    job.seed = w.at("seed").get<std::uint32_t>();
    job.bpm = w.at("bpm").get<double>();
    job.bpm_given = w.at("bpm_given").get<bool>();
    job.sig = {w.at("time_signature").at(0).get<int>(), w.at("time_signature").at(1).get<int>()};
    job.sig_given = w.at("time_signature_given").get<bool>();
    job.automation_in_beats = w.at("automation_in_beats").get<bool>();
    job.input_path = w.at("input_path").get<std::string>();
    job.downmix = w.at("downmix").get<bool>();
    job.plays_note = w.at("plays_note").get<bool>();
    job.output_path = w.at("output_path").get<std::string>();
    job.output_root = w.at("output_root").get<std::string>();
    job.screenshot_path = w.at("screenshot_path").get<std::string>();
    job.editor_first = w.at("editor_first").get<bool>();
    job.shape = shape_from_wire(w.at("shape"));
    job.song = song_from_wire(w.at("song"));
    job.probe_verdicts = w.value("probe_verdicts", json());
    job.plugin_sha256s = w.value("plugin_sha256s", json());
    return job;
}

}  // namespace vr
