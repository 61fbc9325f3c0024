// SPDX-License-Identifier: GPL-3.0-or-later
#include "host/render_worker.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "audio/file.hpp"
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
#include "render/probe.hpp"
#include "render/provenance.hpp"

namespace vr::host {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// A probe child that has not answered in this long is taken as hung.
constexpr double probe_timeout_s = 60.0;

// Some plugins load data lazily on their first render, which then comes out
// wrong (DESIGN.md rule 4): play a short note once and discard it. Its
// release must be over before the instance counts as pristine (a reset does
// not silence every plugin), hence the long tail. The length is fixed, not
// "until silent": plugins whose instances differ in noise would otherwise
// end their warm-ups in different states.
void warm_up(plugin_instance& p, int sample_rate) {
    p.render(note_plan(60, 100, 0.05, 1.0, sample_rate), 2);
    p.reset();
}

// render-one plays notes and feeds no audio in: a plugin that takes no MIDI
// (an effect) would render silence, or its own noise, for every job.
void check_takes_midi(const plugin_info& info) {
    if (info.accepts_midi) return;
    auto count = [](int n, const char* what) {
        return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
    };
    throw record_error("the plugin takes no MIDI (it has " + count(info.input_channels, "audio input") + ", " +
                       count(info.output_channels, "output") +
                       "): render-one renders instruments, playing each job's notes to them");
}

}  // namespace

const char* to_string(isolation i) {
    switch (i) {
        case isolation::reset: return "reset";
        case isolation::fork: return "fork";
        case isolation::fresh: return "fresh";
    }
    return "unknown";
}

struct render_worker::slot {
    plugin_ref ref;
    int sample_rate = 0;
    int block_size = 0;
    std::string failure;  // why the plugin would not load: every job that needs it fails so
    plugin_info info;
    double load_s = 0;
    isolation mode = isolation::fresh;
    int initial_program = 0;
    std::string default_state_sha256;  // the never-played instance's state
    std::optional<std::string> binary_sha256;  // of the plugin's code, read once
    // The instance reset mode plays in place, and the never-played one a
    // forked child renders from (kept whenever forking works: jobs that
    // change parameters start from it in every mode).
    std::unique_ptr<plugin_instance> played;
    std::unique_ptr<plugin_instance> pristine;
    bool probed = false;

    // The slot's first instance, which the records describe the plugin by.
    // quick: the instance will play its first program as it is (a single
    // job, no program, preset or parameter): JUCE's program walk is skipped.
    void start(bool quick) {
        warm_audio_code(sample_rate);
        pristine = load_warm(quick);
        info = pristine->info();
        default_state_sha256 = sha256_hex(pristine->state());
        initial_program = std::max(0, pristine->current_program());
    }

    // Every instance is made in the state the worker started in, whatever
    // the jobs before it drew.
    std::unique_ptr<plugin_instance> load_warm(bool quick = false) {
        auto start = clock_type::now();
        pinned::reseed(0);
        auto p = plugin_instance::load(ref, sample_rate, block_size, quick);
        check_takes_midi(p->info());
        warm_up(*p, sample_rate);
        load_s = seconds_since(start);
        return p;
    }

    // Back to the state a job starts from, in reset mode: the plugin's reset
    // and its program (the job's, or the one it came up with) selected anew.
    void prepare(plugin_instance& p, std::optional<int> program) const {
        p.reset();
        if (p.program_count() > 0) p.select_program(program.value_or(initial_program));
    }

    // DESIGN.md rule 5: find out how this plugin's jobs get a clean state.
    // It costs one instance beyond the one fork mode needs anyway, one
    // forked render, and three short ones here.
    void probe() {
        if (!pristine) pristine = load_warm();
        // A child renders the probe from the never-played instance...
        // Each render starts from seed 0, as a job's starts from its seed: a
        // plugin whose only history is libc's generators counts as reset.
        auto forked = run_in_child(
            [&] {
                pinned::reseed(0);
                return to_bytes(pristine->render(probe_plan(sample_rate), 2));
            },
            probe_timeout_s);
        // ...a second instance renders it here, then something else, is
        // reset, and renders it again.
        played = load_warm();
        pinned::reseed(0);
        audio_buffer first = played->render(probe_plan(sample_rate), 2);
        // Forking works when the child renders, and sounds when this process
        // does. (Not necessarily the very samples of the instance here:
        // ZynAddSubFX's helper thread, absent in a child, shifts them.)
        bool fork_ok = forked.ok && (same_bytes(first, forked.answer) || sounds(first) == sounds(forked.answer));
        if (played->program_count() > 1) played->select_program(initial_program == 1 ? 0 : 1);
        played->render(disturbing_plan(sample_rate), 2);
        prepare(*played, std::nullopt);
        pinned::reseed(0);
        bool reset_ok = same_samples(first, played->render(probe_plan(sample_rate), 2));
        mode = reset_ok ? isolation::reset : fork_ok ? isolation::fork : isolation::fresh;
        probed = true;
        if (!reset_ok) played.reset();
        if (!fork_ok) pristine.reset();
        // What the instances freed goes back to the system: every fork
        // copies the page tables of all the memory this process holds.
        ::malloc_trim(0);
    }
};

render_worker::render_worker(worker_options options) : options_(options) {
    if (!options_.real_randomness) pinned::enable();
}
render_worker::~render_worker() = default;

render_worker::slot& render_worker::slot_for(const plugin_ref& plugin, int sample_rate, int block_size, bool quick) {
    const plugin_key key = key_of(plugin, sample_rate, block_size);
    auto it = slots_.find(key);
    if (it == slots_.end()) {
        auto s = std::make_unique<slot>();
        s->ref = plugin;
        s->sample_rate = sample_rate;
        s->block_size = block_size;
        s->binary_sha256 = plugin_binary_sha256(plugin);
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

// Renders, shapes, writes the file and measures it: the part of a job that
// touches the plugin, run in place or in a child.
json render_and_write(plugin_instance& p, const render_job& job, const play_plan& plan) {
    render_stats stats;
    audio_buffer audio = p.render(plan, job.channels, &stats);
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
    const bool quick = options_.one_job && job.isolation == isolation_mode::automatic && !job.program_index &&
                       job.preset_path.empty() && job.state_path.empty() && job.params.empty();
    slot& s = slot_for(job.plugin, job.sample_rate, job.block_size, quick);
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
    play_plan plan = plan_for(job, record, options_.midi_program_changes);
    isolation how = mode_for(s, job);
    // A job that loads a preset or sets parameters would leave them set for
    // the next one: it never plays in place.
    if (how == isolation::reset && (loads || !job.params.empty() || !options_.save_state_path.empty()))
        how = s.pristine ? isolation::fork : isolation::fresh;
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
        json r = render_and_write(p, job, plan);
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
                result = render_and_write(*s.played, job, plan);
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
                std::unique_ptr<plugin_instance> p;
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
}

// The mode the job asks for, else the one a single job or the probe picks.
isolation render_worker::mode_for(slot& s, const render_job& job) {
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
