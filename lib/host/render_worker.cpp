// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/render_worker.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "audio/file.hpp"
#include "audio/input.hpp"
#include "audio/loudness.hpp"
#include "audio/measure.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/tool.hpp"
#include "host/child.hpp"
#include "host/pinned_randomness.hpp"
#include "host/plugin_instance.hpp"
#include "host/preset_export.hpp"
#include "midi/play_plan.hpp"
#include "render/job_audio.hpp"
#include "render/provenance.hpp"

namespace vr::host {

render_worker::render_worker(worker_options options) : options_(options) {
    if (!options_.real_randomness) pinned::enable();
}
render_worker::~render_worker() = default;

worker_slot& render_worker::slot_for(const plugin_ref& plugin, int sample_rate, int block_size, bool quick) {
    const plugin_key key = key_of(plugin, sample_rate, block_size);
    auto it = slots_.find(key);
    if (it == slots_.end()) {
        auto s = std::make_unique<worker_slot>();
        s->ref = plugin;
        s->sample_rate = sample_rate;
        s->block_size = block_size;
        s->binary_sha256 = plugin_binary_sha256(plugin);
        // Threads a plugin starts once per process (padthv1's) show only
        // when its first slot loads: another rate's slot shares them.
        for (const auto& [k, other] : slots_)
            if (k.location == key.location && other->threads_known) {
                s->own_threads = other->own_threads;
                s->threads_known = true;
            }
        try {
            s->start(quick);
        } catch (const record_error& e) {
            s->failure = e.what();
            s->played.reset();
            s->pristine.reset();
        }
        it = slots_.emplace(key, std::move(s)).first;
    }
    if (!it->second->failure.empty()) throw record_error(it->second->failure);
    return *it->second;
}

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Renders, shapes, writes the file and measures it: the part of a job that
// touches the plugin, run in place or in a child.
json render_and_write(plugin_instance& p, const render_job& job, const play_plan& plan, const audio_buffer* input) {
    render_stats stats;
    audio_buffer audio = p.render(plan, job.channels, &stats, input);
    json r;
    if (plan.until_silence) {
        r["tail_rendered_s"] = static_cast<double>(stats.tail_frames) / job.sample_rate;
        r["tail_capped"] = stats.tail_capped;
    }
    json shaped = shape_audio(audio, job.shape);
    for (auto& [k, v] : shaped.items()) r[k] = v;
    write_audio_file(job.output_path, audio, job.format, job.flac_level);
    r["plugin_process_s"] = stats.process_s;
    return r;
}

json params_json(const plugin_instance& p) {
    json out = json::array();
    for (const auto& r : p.read_params())
        out.push_back({{"index", r.index}, {"name", r.name}, {"value", r.value}, {"text", r.text}});
    return out;
}

std::string count(int n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

// What the plugin is given, checked against what it takes: MIDI (a note or
// a song) only to a plugin that accepts it, an input only to one with a
// main input bus. The input, when the job has one, loaded at the job's rate
// and the bus's channels; record gets its figures.
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

void put_plugin_fields(json& record, const plugin_info& info, const std::optional<std::string>& sha256) {
    record["plugin_name"] = info.name;
    record["plugin_format"] = info.format;
    record["plugin_version"] = info.version;
    record["plugin_id"] = info.id;
    record["plugin_sha256"] = sha256 ? json(*sha256) : json(nullptr);
    record["vr_version"] = vr::version();
}

}  // namespace

void render_worker::run(const render_job& job, json& record, const std::function<void(double)>& on_render) {
    put_job_settings(job, record);
    // JUCE's walk through a VST2 plugin's programs leaves traces in some
    // (amsynth's programs sound otherwise when selected later): only a
    // single job that plays the first program as it is goes without it.
    const bool quick = options_.one_job && !options_.check_reproducible &&
                       job.isolation == isolation_mode::automatic && !job.program_index &&
                       job.preset_path.empty() && job.state_path.empty() && job.params.empty();
    worker_slot& s = slot_for(job.plugin, job.sample_rate, job.block_size, quick);
    std::shared_ptr<const loaded_preset> state, preset;
    try {
        if (!job.state_path.empty()) state = presets_.state(job.state_path);
        if (!job.preset_path.empty()) preset = presets_.preset(job.preset_path, job.program_index);
        if (preset && !options_.ignore_plugin_id && !plugin_id_matches(*preset, s.info.format, s.info.id, s.info.name))
            throw record_error(preset->path + ": the preset is for plugin id " + preset->plugin_id +
                               "; the loaded plugin's id is " + s.info.id +
                               " (--ignore-plugin-id loads it anyway)");
    } catch (const record_error&) {
        put_plugin_fields(record, s.info, s.binary_sha256);
        throw;
    }
    const bool loads = state || preset;
    if (preset) record["preset_sha256"] = preset->sha256;
    if (state) record["state_file_sha256"] = state->sha256;
    std::optional<input_audio> input;
    try {
        input = job_input(job, s.info, record);
    } catch (const record_error&) {
        put_plugin_fields(record, s.info, s.binary_sha256);
        throw;
    }
    const audio_buffer* in = input ? &input->audio : nullptr;
    play_plan plan = plan_for(job, record, options_.midi_program_changes,
                              in ? static_cast<std::int64_t>(in->frames()) : 0);
    isolation how = mode_for(s, job);
    if (options_.check_reproducible && !s.checked) s.check_reproducible(options_.real_randomness);
    // A job that loads a preset or sets parameters would leave them set for
    // the next one: it never plays in place.
    if (how == isolation::reset && (loads || !job.params.empty() || !options_.save_state_path.empty()))
        how = s.pristine ? isolation::fork : isolation::fresh;
    // A forked child has none of the plugin's own threads: work they would
    // do for a changed program, preset, state or parameter never happens
    // there (padthv1 kept its default wave tables). Such jobs go fresh.
    const bool changes = job.program_index || loads || !job.params.empty();
    if (how == isolation::fork && s.own_threads && changes) how = isolation::fresh;
    if (how == isolation::reset && !s.played) s.played = s.load_warm();
    if (on_render) {
        std::int64_t most = plan.frames + (plan.until_silence ? plan.until_silence->max_frames : 0);
        on_render(static_cast<double>(most) / job.sample_rate);
    }

    auto setup_and_render = [&](plugin_instance& p) {
        pinned::reseed(job.seed);
        json extra;
        // A bank's program_index picks the bank's program, not the plugin's.
        if (job.program_index && !(preset && preset->program)) p.select_program(*job.program_index);
        if (state) extra["preset_applied_as"] = p.apply_preset(*state);
        if (preset) extra["preset_applied_as"] = p.apply_preset(*preset);
        for (const auto& [key, value] : job.params) p.set_parameter(key, value);
        // What the job changed, handed to the plugin's own threads and
        // done before the notes (padthv1 resets its voices when done).
        s.settle(p);
        // The never-played instance, left as it was, holds the state the
        // worker read when it started: not read (and hashed) again.
        const bool untouched = &p == s.pristine.get() && !job.program_index && !loads && job.params.empty();
        if (untouched && options_.save_state_path.empty()) {
            extra["state_sha256"] = s.default_state_sha256;
        } else {
            auto bytes = p.state();
            extra["state_sha256"] = sha256_hex(bytes);
            if (!options_.save_state_path.empty()) write_file_atomic(options_.save_state_path, bytes);
        }
        json r = render_and_write(p, job, plan, in);
        for (auto& [k, v] : extra.items()) r[k] = v;
        // Read after a block: JUCE's VST3 host updates cached values then.
        if (options_.report_params) r["params"] = params_json(p);
        return r;
    };
    auto start = clock_type::now();
    json result;
    double load_s = s.load_s;
    try {
        switch (how) {
            case isolation::reset:
                pinned::reseed(job.seed);
                s.prepare(*s.played, job.program_index);
                result = render_and_write(*s.played, job, plan, in);
                result["state_sha256"] = sha256_hex(s.played->state());
                if (options_.report_params) result["params"] = params_json(*s.played);
                break;
            case isolation::fork: {
                auto child = run_in_child(
                    [&] {
                        json r;
                        try {
                            r = setup_and_render(*s.pristine);
                        } catch (const std::exception& e) {
                            r = json{{"error", e.what()}};
                        }
                        return r.dump();
                    },
                    options_.job_timeout_s);
                if (!child.ok) throw child_failed(std::move(child));
                result = json::parse(child.answer);
                if (result.contains("error")) throw record_error(result["error"].get<std::string>());
                break;
            }
            case isolation::fresh: {
                // A single job renders on the instance the worker started
                // with: nothing has played on it yet.
                instance_ptr p;  // goes after the plugin's threads rest
                if (options_.one_job && s.pristine) {
                    p = std::move(s.pristine);
                } else {
                    p = s.load_warm();
                    load_s = s.load_s;
                }
                result = setup_and_render(*p);
                break;
            }
        }
    } catch (const record_error&) {
        put_plugin_fields(record, s.info, s.binary_sha256);
        throw;
    }
    record["status"] = "ok";
    for (auto& [k, v] : result.items()) record[k] = v;
    if (loads) record["preset_changed_state"] = result.value("state_sha256", "") != s.default_state_sha256;
    put_plugin_fields(record, s.info, s.binary_sha256);
    record["plugin_load_s"] = load_s;
    record["render_s"] = seconds_since(start);
    record["fresh_instance"] = how != isolation::reset;
    record["isolation"] = to_string(how);
    record["randomness"] = pinned::enabled() ? "pinned" : "real";
    if (s.reproducible) record["reproducible"] = *s.reproducible;
}

// The mode the job asks for, else the one a single job or the probe picks.
isolation render_worker::mode_for(worker_slot& s, const render_job& job) {
    switch (job.isolation) {
        case isolation_mode::reset: return isolation::reset;
        case isolation_mode::fork: return s.pristine ? isolation::fork : isolation::fresh;
        case isolation_mode::fresh: return isolation::fresh;
        case isolation_mode::automatic: break;
    }
    if (options_.one_job) return isolation::fresh;
    if (!s.probed) {
        try {
            s.probe();
        } catch (const record_error& e) {
            s.failure = e.what();
            s.played.reset();
            s.pristine.reset();
            throw;
        }
    }
    return s.mode;
}

// A plugin's own programs, each call in an instance of its own (reading
// names may mean selecting programs): host/preset_export.hpp.
void render_worker::list_programs(const plugin_ref& plugin, int sample_rate, int block_size,
                                  const std::function<void(json&&)>& emit) {
    list_plugin_programs(plugin, sample_rate, block_size, emit);
}

void render_worker::export_programs(const plugin_ref& plugin, int sample_rate, int block_size, const std::string& dir,
                                    bool as_params, const std::function<void(json&&)>& emit) {
    export_plugin_programs(plugin, sample_rate, block_size, dir, as_params, emit);
}

void render_worker::export_bank(const plugin_ref& plugin, int sample_rate, int block_size, const std::string& file,
                                const std::function<void(json&&)>& emit) {
    export_plugin_bank(plugin, sample_rate, block_size, file, emit);
}

}  // namespace vr::host
