// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/stage_render.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "audio/file.hpp"
#include "audio/loudness.hpp"
#include "audio/measure.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/tool.hpp"
#include "host/plugin_instance.hpp"
#include "presets/preset_fit.hpp"
#include "jobs/job_audio.hpp"

namespace vr::host {

namespace {

std::string count(int n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

// A float32 as the shortest decimal that reads back as the same float32.
double short_decimal(float x) {
    char text[32];
    auto [end, ec] = std::to_chars(text, text + sizeof text - 1, x);
    if (ec != std::errc()) return static_cast<double>(x);
    // strtod, not from_chars: libstdc++'s from_chars reaches memset through
    // a lazily bound PLT slot, which a forked child would look up again
    // through every loaded library in every job.
    *end = '\0';
    return std::strtod(text, nullptr);
}

}  // namespace

std::string stage_message(std::size_t stages, std::size_t i, const std::string& name, const std::string& what) {
    if (stages < 2) return what;
    return "chain stage " + std::to_string(i) + " (" + name + "): " + what;
}

void rethrow_in_stage(std::size_t stages, std::size_t i, const std::string& name, const record_error& e) {
    if (const auto* died = dynamic_cast<const host_died*>(&e))
        throw host_died(stage_message(stages, i, name, e.what()), died->signal);
    throw record_error(stage_message(stages, i, name, e.what()));
}

std::optional<input_audio> job_input(const render_job& job, const plugin_info& info, json& record) {
    const bool plays_midi = job.midi_mode || job.plays_note;
    const std::string has = "it has " + count(info.input_channels, "audio input") + ", " +
                            count(info.output_channels, "output") + ": " + info.buses;
    if (plays_midi && !info.accepts_midi)
        throw record_error("the plugin takes no MIDI (" + has + "): " +
                           (job.input_path.empty()
                                ? "give it audio to process with input_path or --input"
                                : "process input_path alone, with no note, midi_path, --note or --midi"));
    if (job.input_path.empty()) return std::nullopt;
    if (info.main_input_channels == 0)
        throw record_error("the plugin takes no audio input (" + has + "): input_path is for effects");
    input_audio in = load_input(job.input_path, job.sample_rate, info.main_input_channels, job.downmix, max_seconds);
    record["input_sha256"] = in.sha256;
    record["input_duration_s"] = in.duration_s;
    if (in.resampled) record["input_resampled_from_hz"] = in.source_rate_hz;
    auto loudness = measure_loudness(in.audio).integrated_lufs;
    record["input_loudness_lufs"] = loudness ? db_value(*loudness) : json(nullptr);
    return in;
}

json load_sidechain(job_stage& stage, const render_job& job) {
    json figures = json::object();
    if (stage.spec.sidechain_path.empty()) return figures;
    const plugin_info& info = stage.slot->info;
    if (info.sidechain_channels == 0)
        throw record_error("the plugin's sidechain bus has no channels (" + info.buses + ")");
    input_audio in =
        load_input(stage.spec.sidechain_path, job.sample_rate, info.sidechain_channels, job.downmix, max_seconds,
                   "sidechain");
    figures["sidechain_sha256"] = in.sha256;
    figures["sidechain_duration_s"] = in.duration_s;
    if (in.resampled) figures["sidechain_resampled_from_hz"] = in.source_rate_hz;
    stage.sidechain = std::move(in);
    return figures;
}

void put_param_values(json& o, const plugin_instance& p, const std::map<int, float>& asked,
                      const std::string& names_sha256) {
    const std::vector<float> values = p.param_values();
    json dense = json::array();
    for (float v : values) dense.push_back(short_decimal(v));
    int adjusted = 0;
    for (const auto& [index, value] : asked)
        if (index >= 0 && static_cast<std::size_t>(index) < values.size() &&
            std::fabs(static_cast<double>(values[static_cast<std::size_t>(index)]) - value) > 1e-6)
            ++adjusted;
    o["param_values"] = std::move(dense);
    o["param_names_sha256"] = names_sha256;
    o["params_adjusted"] = adjusted;
}

void bind_record_calls() {
    // Each of to_chars' ways to write a float (an integral value is the
    // one that calls memset).
    volatile double bound = short_decimal(0.1f) + short_decimal(1.0f) + short_decimal(0.0f) + short_decimal(1e-5f);
    (void)bound;
}

namespace {

// Sends a SysEx payload's messages before the job, as a DX7 or a synth of
// its kind is sent a dump, and proves they took: a plugin whose state is
// the one it had ignored them (it takes no SysEx, or not these), unless it
// held them already: a DX7 voice's check messages (another name) then
// change its state, and the voice itself brings it back.
std::string send_sysex(plugin_instance& p, const worker_slot& slot, const loaded_preset& sysex) {
    const std::vector<std::uint8_t> before = p.state();
    slot.play_block(p, sysex.messages);
    if (p.state() == before) {
        bool held = false;
        if (!sysex.check_messages.empty()) {
            slot.play_block(p, sysex.check_messages);
            held = p.state() != before;
            if (held) slot.play_block(p, sysex.messages);
        }
        if (!held)
            throw record_error(sysex.path + ": the plugin's state after the SysEx is the one it had before: it takes " +
                               (!sysex.check_messages.empty()
                                    ? std::string("no SysEx, or ignored this DX7 voice dump (one with another name "
                                                  "changed nothing either)")
                                    : std::string("no SysEx, ignored these messages, or held what they set already")));
    }
    // What the block moved on (an LFO's phase, say) starts again, as after
    // a load: the job then sounds as the plugin's saved state would.
    p.reset();
    return applied_as(sysex, p.info().format);
}

}  // namespace

json setup_stage(plugin_instance& p, const job_stage& stage, bool untouched, const saved_files& save) {
    const bool saves = !save.state_path.empty() || !save.preset_path.empty();
    json extra = json::object();
    // A bank's program_index picks the bank's program, and a DX7 file's its
    // voice, not the plugin's.
    const bool picks_voice = stage.preset && (stage.preset->program || stage.preset->payload == preset_payload::sysex);
    if (stage.spec.program_index && !picks_voice) p.select_program(*stage.spec.program_index);
    if (stage.state) {
        try {
            extra["preset_applied_as"] = p.apply_preset(*stage.state);
        } catch (const host_died&) {
            throw;
        } catch (const record_error& e) {
            // A state the plugin refused may be what load_state warned of.
            if (stage.state->warning.empty()) throw;
            throw record_error(std::string(e.what()) + "; " + stage.state->warning);
        }
    }
    if (stage.preset)
        extra["preset_applied_as"] = stage.preset->payload == preset_payload::sysex
                                         ? send_sysex(p, *stage.slot, *stage.preset)
                                         : p.apply_preset(*stage.preset);
    if (stage.sysex) send_sysex(p, *stage.slot, *stage.sysex);
    std::map<int, float> asked;  // index -> the value set_params gave it last
    for (const auto& [key, value] : stage.spec.params) asked[p.set_parameter(key, value)] = static_cast<float>(value);
    // Automation starts from its values at frame 0 (time 0 at any rate),
    // set as set_params are: a lane that never moves renders as they do.
    for (const auto& lane : stage.spec.moves)
        p.set_parameter(lane.key, lane_cursor(lane, 1).value_at(0), "automation");
    // What the plugin holds, read before it plays: a dataset's label is
    // what made the sound, not what was asked for.
    if (!stage.spec.params.empty()) put_param_values(extra, p, asked, stage.slot->param_names_sha256);
    // What the job changed, handed to the plugin's own threads and done
    // before the notes (padthv1 resets its voices when done).
    stage.slot->settle(p);
    // The never-played instance, left as it was, holds the state the worker
    // read when it started: not read (and hashed) again. A job that only
    // sets parameters (a dataset's) loads nothing for the hash to prove:
    // param_values says what the plugin holds, and reading the state would
    // cost more than setting and reading back the parameters.
    const bool only_sets = !stage.loads() && !stage.spec.program_index &&
                           !(stage.spec.params.empty() && stage.spec.moves.empty());
    if (untouched && !saves)
        extra["state_sha256"] = stage.slot->default_state_sha256;
    else if (!(only_sets && !saves))
        save_what_it_holds(p, save, extra);
    return extra;
}

void save_what_it_holds(plugin_instance& p, const saved_files& save, json& extra) {
    auto bytes = p.state();
    extra["state_sha256"] = sha256_hex(bytes);
    if (!save.state_path.empty()) write_file_atomic(save.state_path, bytes);
    // The program as its format's preset (an .fxp of the chunk or of the
    // values, a .vstpreset), as --export-programs writes one.
    if (!save.preset_path.empty()) write_file_atomic(save.preset_path, p.program_preset());
}

json render_stages_and_write(const std::vector<plugin_instance*>& instances, const std::vector<job_stage>& stages,
                             const render_job& job, const play_plan& plan, const audio_buffer* input,
                             volatile int* at) {
    render_stats stats;
    const std::size_t n = instances.size();
    auto feed_of = [&](std::size_t k, const audio_buffer* in) {
        const job_stage& st = stages[k];
        return render_feed{in, st.sidechain ? &st.sidechain->audio : nullptr,
                           st.spec.moves.empty() ? nullptr : &st.spec.moves, job.automation_step,
                           job.automation_in_beats};
    };
    if (at) *at = 0;
    // Between stages the audio stays stereo; the last gives the job's channels.
    audio_buffer audio = instances[0]->render(plan, n == 1 ? job.channels : 2, feed_of(0, input), &stats);
    for (std::size_t k = 1; k < n; ++k) {
        const audio_buffer in = fit_to_bus(audio, instances[k]->info().main_input_channels);
        if (at) *at = static_cast<int>(k);
        render_stats more;
        // Every stage plays on the first's transport: one timeline.
        play_plan later = input_plan(job, static_cast<std::int64_t>(in.frames()));
        later.transport = plan.transport;
        audio = instances[k]->render(later, k + 1 == n ? job.channels : 2, feed_of(k, &in), &more);
        stats.process_s += more.process_s;
        stats.tail_frames = more.tail_frames;
        stats.tail_capped = stats.tail_capped || more.tail_capped;
    }
    json r;
    if (plan.until_silence) {
        r["tail_rendered_s"] = static_cast<double>(stats.tail_frames) / job.sample_rate;
        r["tail_capped"] = stats.tail_capped;
    }
    json shaped = shape_audio(audio, job.shape);
    for (auto& [k, v] : shaped.items()) r[k] = v;
    write_audio_file(job.output_path, audio, job.format, job.flac_level, job.output_root);
    r["plugin_process_s"] = stats.process_s;
    return r;
}

json params_json(const plugin_instance& p) {
    json out = json::array();
    for (const auto& r : p.read_params())
        out.push_back({{"index", r.index}, {"name", r.name}, {"value", r.value}, {"text", r.text}});
    return out;
}

void put_plugin_fields(json& record, const plugin_info& info, const std::optional<std::string>& sha256, bool top) {
    record["plugin_name"] = info.name;
    record["plugin_format"] = info.format;
    record["plugin_version"] = info.version;
    record["plugin_id"] = info.id;
    record["plugin_sha256"] = sha256 ? json(*sha256) : json(nullptr);
    record["plugin_platform"] = info.platform;
    if (!info.wine_version.empty()) record["wine_version"] = info.wine_version;
    if (top) record["vr_version"] = vr::version();
}

void put_stage_fields(json& o, const job_stage& stage, const json& measured, const json& sidechain) {
    put_plugin_fields(o, stage.slot->info, stage.slot->binary_sha256, false);
    if (stage.preset) o["preset_sha256"] = stage.preset->sha256;
    if (stage.state) o["state_file_sha256"] = stage.state->sha256;
    if (stage.sysex) o["sysex_sha256"] = stage.sysex->sha256;
    if (stage.state && !stage.state->warning.empty()) o["warning"] = stage.state->warning;
    for (auto& [key, v] : measured.items()) o[key] = v;
    for (auto& [key, v] : sidechain.items()) o[key] = v;
    if (stage.loads()) o["preset_changed_state"] = o.value("state_sha256", "") != stage.slot->default_state_sha256;
}

}  // namespace vr::host
