// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/render_worker.hpp"

#include <sys/mman.h>

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
#include "host/faust_program.hpp"
#include "host/plugin_call.hpp"
#include "host/plugin_instance.hpp"
#include "worker/editor_picture.hpp"
#include "worker/probe_verdicts.hpp"
#include "jobs/chain.hpp"
#include "jobs/job_audio.hpp"
#include "linux/child.hpp"
#include "linux/child_heap.hpp"
#include "linux/fixed_stack.hpp"
#include "linux/pinned_randomness.hpp"
#include "midi/play_plan.hpp"
#include "plugins/provenance.hpp"
#include "presets/preset_fit.hpp"
#include "wine/windows_host.hpp"
#include "wine/wine_session.hpp"
#include "worker/song_render.hpp"
#include "worker/stage_render.hpp"

namespace vr::host {

render_worker::render_worker(worker_options options) : options_(options) {
    set_renders_over(false);
    if (!options_.real_randomness) pinned::enable();
    use_faust_options({options_.faust_voices, options_.faust_max_mb, options_.faust_libs});
    // One shared word: a forked child writes the chain stage it is at.
    void* page = ::mmap(nullptr, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED) stage_mark_ = static_cast<int*>(page);
    bind_record_calls();  // before any fork
}

// Its instances go last in the process (with_render_host's scope; a warm
// process keeps its worker): nothing renders after them.
render_worker::~render_worker() {
    set_renders_over(true);
    spent_.clear();
    reap_finished_children();  // the last forked job's child
    if (stage_mark_) ::munmap(stage_mark_, sizeof(int));
}

worker_slot& render_worker::slot_for(const slot_key& key, const plugin_ref& plugin, bool quick, const json& verdict,
                                     const json& known_sha256) {
    auto it = slots_.find(key);
    // A crash in a Windows worker took the slot's instances: start again.
    if (it != slots_.end() && !it->second->usable()) {
        pictures_.finish_slot(*it->second);
        slots_.erase(it);
        it = slots_.end();
    }
    if (it == slots_.end()) {
        auto s = std::make_unique<worker_slot>();
        s->ref = plugin;
        s->sample_rate = key.plugin.sample_rate;
        s->block_size = key.plugin.block_size;
        s->sidechain = key.sidechain;
        s->binary_sha256 = plugin.format == plugin_format::faust ? faust_sha256(plugin)
                           : known_sha256.is_string()            ? known_sha256.get<std::string>()
                                                                 : plugin_binary_sha256(plugin);
        // Threads a plugin starts once per process (padthv1's) show only
        // when its first slot loads: another rate's slot shares them.
        for (const auto& [k, other] : slots_)
            if (k.plugin.location == key.plugin.location && other->threads_known) {
                s->own_threads = other->own_threads;
                s->threads_known = true;
            }
        // A kept verdict spares the probe (and, when it says so, every
        // instance's warm-up); with none, what the probe learns goes back
        // to the supervisor's cache.
        if (!s->take_verdict(verdict)) s->report_verdict = verdict.is_null();
        try {
            s->start(quick);
        } catch (const record_error& e) {
            s->failed(e);
        }
        it = slots_.emplace(key, std::move(s)).first;
    }
    if (!it->second->failure.empty()) it->second->throw_failure();
    return *it->second;
}

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

}  // namespace

// Each stage's slot and preset files, checked; throws record_error naming
// the stage of a chain.
std::vector<job_stage> render_worker::stages_for(const render_job& job, bool quick, json& record,
                                                const song_layout* song) {
    const std::vector<plugin_stage>& specs = job.stages;
    std::vector<job_stage> stages;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        job_stage st{specs[i]};
        slot_key key{key_of(st.spec.plugin, job.sample_rate, job.block_size), !st.spec.sidechain_path.empty(), 0};
        for (std::size_t j = 0; j < i; ++j)
            if (stages[j].spec.plugin.location == st.spec.plugin.location &&
                stages[j].slot->sidechain == key.sidechain)
                ++key.copy;
        try {
            auto nth = [i](const json& a, json otherwise) { return a.is_array() && i < a.size() ? a[i] : otherwise; };
            st.slot = &slot_for(key, st.spec.plugin, quick, nth(job.probe_verdicts, false),
                                nth(job.plugin_sha256s, nullptr));
        } catch (const record_error& e) {
            rethrow_in_stage(specs.size(), i, st.spec.plugin.location, e);
        }
        const plugin_info& info = st.slot->info;
        if (i == 0) put_plugin_fields(record, info, st.slot->binary_sha256);
        try {
            if (!st.spec.state_path.empty()) st.state = presets_.state(st.spec.state_path);
            if (!st.spec.preset_path.empty()) st.preset = presets_.preset(st.spec.preset_path, st.spec.program_index);
            if (!st.spec.sysex_path.empty()) st.sysex = presets_.sysex(st.spec.sysex_path);
            if (st.preset && !options_.ignore_plugin_id && !plugin_id_matches(*st.preset, info.format, info.id, info.name))
                throw record_error(st.preset->path + ": the preset is for plugin id " + st.preset->plugin_id +
                                   "; the loaded plugin's id is " + info.id + " (--ignore-plugin-id loads it anyway)");
            if (i > 0 && info.main_input_channels == 0 && !(song && song->starts_stem(i)))
                throw record_error("the plugin takes no audio input (" + info.buses +
                                   "): a chain's later stages process the audio of the stage before");
        } catch (const record_error& e) {
            throw record_error(stage_message(specs.size(), i, info.name, e.what()));
        }
        stages.push_back(std::move(st));
    }
    return stages;
}

void render_worker::run(const render_job& asked, json& record, const std::function<void(double)>& on_render) {
    spent_.clear();
    take_faust_compile_s();  // a compile a failed job paid for is not this job's
    // A song (worker/song_render.hpp): its tracks laid out as stems, each stem
    // with stages (and instances) of its own.
    std::optional<song_layout> song;
    render_job expanded;
    if (asked.song) {
        song = plan_song(asked, record, options_.midi_program_changes);
        expanded = asked;
        expanded.stages = song->stages;
    }
    const render_job& job = song ? expanded : asked;
    // A Windows plugin's editor: on a wine desktop of the display's own
    // (before the job's Windows worker starts).
    if (job.shows_editor() || options_.edit) wine::use_own_wine_desktop();
    const bool chained = job.chained();
    // A first job in a fresh worker is pristine by definition: it renders
    // on the instances the worker starts with, as a single job (-o) does,
    // when the probe's kept verdicts say that gives it the bytes its mode
    // would (a forked render's, where forking is the mode); what is not
    // kept waits for a second job. Each stage's slot is new then. JUCE's
    // walk through a VST2 plugin's programs leaves traces in some (amsynth's
    // programs sound otherwise when selected later): only such a job that
    // plays the first program, its parameters set or not, goes without it.
    first_in_place_ = first_job_in_place(job, std::exchange(untouched_, false) || slots_.empty() || options_.one_job,
                                         options_.one_job, options_.check_reproducible);
    const bool quick = first_in_place_ && !options_.check_reproducible && !chained &&
                       job.isolation == isolation_mode::automatic && !job.first().changes_beyond_params();
    std::vector<job_stage> stages = stages_for(job, quick, record, song ? &*song : nullptr);
    const job_stage& first = stages[0];
    if (first.preset && !song) record["preset_sha256"] = first.preset->sha256;
    if (first.state && !song) record["state_file_sha256"] = first.state->sha256;
    if (first.sysex && !song) record["sysex_sha256"] = first.sysex->sha256;
    if (first.state && !song && !first.state->warning.empty()) record["warning"] = first.state->warning;
    if (song) check_stem_stages(stages, *song);
    std::optional<input_audio> input = job_input(job, first.slot->info, record);
    const audio_buffer* in = input ? &input->audio : nullptr;
    std::vector<json> sidechains;  // each stage's sidechain figures
    for (std::size_t i = 0; i < stages.size(); ++i) {
        try {
            sidechains.push_back(load_sidechain(stages[i], job));
        } catch (const record_error& e) {
            throw record_error(stage_message(stages.size(), i, stages[i].slot->info.name, e.what()));
        }
    }
    const play_plan plan = song ? song->longest()
                                : plan_for(job, record, options_.midi_program_changes,
                                           in ? static_cast<std::int64_t>(in->frames()) : 0);
    auto render = [&](const std::vector<plugin_instance*>& ps, volatile int* mark) {
        return song ? render_song_and_write(ps, stages, job, *song, mark)
                    : render_stages_and_write(ps, stages, job, plan, in, mark);
    };
    const isolation how = chain_mode(stages, job);
    const bool pictured = draws_on_picture_instance(job, options_.edit);
    if (pictured) ready_picture_instance(*first.slot, pictures_.drawing_for(*first.slot));
    if (on_render) {
        const std::int64_t tail = plan.until_silence ? plan.until_silence->max_frames
                                                     : seconds_to_frames(job.tail_s, job.sample_rate);
        std::int64_t most = plan.frames + (plan.until_silence ? tail : 0) +
                            static_cast<std::int64_t>(stages.size() - 1) * tail;
        on_render(static_cast<double>(most) / job.sample_rate);
    }

    // Each stage set up, then the audio through all of them; each stage's
    // own fields under "stages".
    // Which stage a forked child was at, for the message when it dies.
    volatile int* at = stage_mark_;
    if (at) *at = -1;
    auto setup_and_render = [&](const std::vector<plugin_instance*>& ps) {
        pinned::reseed(job.seed);
        open_editor_first(*ps[0], job, options_.edit);
        const saved_files saved{options_.save_state_path, options_.save_preset_path};
        json each = json::array();
        for (std::size_t i = 0; i < ps.size(); ++i) {
            if (at) *at = static_cast<int>(i);
            const bool untouched = ps[i] == stages[i].slot->pristine.get() && !stages[i].changes();
            try {
                each.push_back(setup_stage(*ps[i], stages[i], untouched, i == 0 && !options_.edit ? saved : saved_files{}));
            } catch (const record_error& e) {
                throw record_error(stage_message(ps.size(), i, stages[i].slot->info.name, e.what()));
            }
        }
        // --edit: the user's changes, then the render from them, its
        // randomness as the job's seed starts it (as a render of the saved
        // state would).
        if (options_.edit) {
            // An LV2 plugin takes its control ports' values as it runs: one
            // silent block first, so that its editor shows what the job set.
            stages[0].slot->play_block(*ps[0]);
            ps[0]->reset();
            edit_until_closed(*ps[0], saved, each[0]);
            stages[0].slot->settle(*ps[0]);
            pinned::reseed(job.seed);
        }
        json r = render(ps, at);
        json picture = take_editor_picture(*ps[0], job);
        for (auto& [k, v] : picture.items()) r[k] = std::move(v);
        // Read after a block: JUCE's VST3 host updates cached values then.
        if (options_.report_params)
            for (std::size_t i = 0; i < ps.size(); ++i) each[i]["params"] = params_json(*ps[i]);
        r["stages"] = std::move(each);
        return r;
    };
    auto start = clock_type::now();
    json result;
    double load_s = first.slot->load_s;
    switch (how) {
        case isolation::reset: {
            pinned::reseed(job.seed);
            std::vector<plugin_instance*> ps;
            for (auto& st : stages) {
                st.slot->prepare(*st.slot->played, st.spec.program_index);
                ps.push_back(st.slot->played.get());
            }
            result = render(ps, nullptr);
            json each = json::array();
            for (auto* p : ps) {
                json e{{"state_sha256", sha256_hex(p->state())}};
                if (options_.report_params) e["params"] = params_json(*p);
                each.push_back(std::move(e));
            }
            result["stages"] = std::move(each);
            break;
        }
        case isolation::fork: {
            auto child = run_in_child(
                [&] {
                    enter_child_heap();
                    json r;
                    try {
                        std::vector<plugin_instance*> ps;
                        for (auto& st : stages) ps.push_back(st.slot->pristine.get());
                        r = setup_and_render(ps);
                    } catch (const std::exception& e) {
                        r = json{{"error", e.what()}};
                    }
                    return r.dump();
                },
                options_.job_timeout_s,
                // The pictures of the jobs before drawn while it renders.
                [this] {
                    pictures_.run(0.001);
                    return pictures_.drawing();
                });
            if (!child.ok) {
                const int i = at ? *at : -1;
                const bool known = i >= 0 && static_cast<std::size_t>(i) < stages.size();
                throw child_failed(std::move(child),
                                   known ? stage_message(stages.size(), static_cast<std::size_t>(i),
                                                         stages[static_cast<std::size_t>(i)].slot->info.name, "")
                                         : "");
            }
            result = parse_with_room(child.answer);
            if (!result.is_object()) throw record_error("the forked render answered with something that is not JSON");
            if (result.contains("error")) throw record_error(result["error"].get<std::string>());
            break;
        }
        case isolation::fresh:
        case isolation::restore:
        case isolation::process: {
            // A single job renders on the instances the worker started
            // with: nothing has played on them yet.
            std::vector<instance_ptr> owned;  // go after the plugins' threads rest
            std::vector<plugin_instance*> ps;
            for (std::size_t i = 0; i < stages.size(); ++i) {
                worker_slot& s = *stages[i].slot;
                if (first_in_place_ && s.pristine) {
                    owned.push_back(std::move(s.pristine));
                } else {
                    owned.push_back(s.load_warm(false, worker_for(how, s)));
                    if (i == 0) load_s = s.load_s;
                }
                ps.push_back(owned.back().get());
            }
            result = setup_and_render(ps);
            spent_ = std::move(owned);
            break;
        }
    }
    json each = std::move(result["stages"]);
    result.erase("stages");
    record["status"] = "ok";
    for (auto& [k, v] : result.items()) record[k] = std::move(v);
    if (song) {
        put_stem_stages(record, stages, each, sidechains, *song);
    } else {
        for (auto& [k, v] : each[0].items()) record[k] = v;
        if (!chained)
            for (auto& [k, v] : sidechains[0].items()) record[k] = v;
        if (first.loads()) record["preset_changed_state"] = record.value("state_sha256", "") != first.slot->default_state_sha256;
    }
    if (chained && !song) {
        // The record's chain, each stage with what it rendered, answered whole.
        json chain = stage_list_json(job.stages);
        for (std::size_t i = 0; i < stages.size(); ++i) put_stage_fields(chain[i], stages[i], each[i], sidechains[i]);
        record["chain"] = std::move(chain);
    }
    record["plugin_load_s"] = load_s;
    if (auto compile_s = take_faust_compile_s()) record["faust_compile_s"] = *compile_s;
    record["render_s"] = seconds_since(start);
    if (pictured) {
        json fields = pictures_.start(first, job);
        for (auto& [k, v] : fields.items()) record[k] = std::move(v);
    }
    record["fresh_instance"] = how != isolation::reset;
    record["isolation"] = to_string(how);
    record["randomness"] = pinned::enabled() ? "pinned" : "real";
    if (first.slot->reproducible) record["reproducible"] = *first.slot->reproducible;
    static const bool addresses_pinned = addresses_fixed();
    if (!options_.real_randomness && !addresses_pinned) {
        // render-one turns ASLR off for its host; here it was refused.
        static const std::string why =
            "addresses are randomized in this process (personality ADDR_NO_RANDOMIZE refused): a plugin that "
            "seeds from an address may render otherwise in another process (render-one(1), Reproducibility)";
        const std::string had = record.value("warning", "");
        record["warning"] = had.empty() ? why : had + "; " + why;
        record["reproducible"] = false;
    }
    if (const double mb = wine::shared_hosts_rss_mb(); mb > 0) record["windows_worker_rss_mb"] = mb;
    std::vector<worker_slot*> slots;
    for (auto& st : stages) slots.push_back(st.slot);
    put_probe_verdicts(job, slots, first_in_place_, record);
}

}  // namespace vr::host
