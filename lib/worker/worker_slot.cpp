// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/worker_slot.hpp"

#include <malloc.h>

#include <algorithm>
#include <array>
#include <optional>
#include <chrono>
#include <cstring>
#include <span>
#include <stdexcept>
#include <utility>

#include "core/hash.hpp"
#include "core/tool.hpp"
#include "jobs/job_audio.hpp"
#include "linux/child.hpp"
#include "linux/child_heap.hpp"
#include "linux/pinned_randomness.hpp"
#include "linux/settle.hpp"
#include "supervise/fresh_render.hpp"
#include "supervise/probe.hpp"
#include "wine/windows_instance.hpp"

namespace vr::host {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// CPU time the threads a plugin started must spend during its warm-up to
// count as working for it. Measured at 48 kHz: JUCE's message and LV2
// worker threads, synthv1's and ZynAddSubFX's spend under 1 ms there,
// padthv1's table build 40-60 ms.
constexpr double threads_at_work_s = 0.020;

// A wait that reached its cap is said once: the plugin's renders may then
// come from unfinished work.
void wait_for_plugin_threads(const plugin_instance& p) {
    if (wait_for_quiet_threads()) return;
    static bool warned = false;
    if (!std::exchange(warned, true))
        warn(p.info().name + ": a thread of the plugin was still busy after 10 s; rendering on without it");
}

}  // namespace

const char* to_string(isolation i) {
    switch (i) {
        case isolation::reset: return "reset";
        case isolation::fork: return "fork";
        case isolation::fresh: return "fresh";
        case isolation::restore: return "restore";
        case isolation::process: return "process";
    }
    return "unknown";
}


// The slot's first instance, which the records describe the plugin by.
// quick: the instance will play its first program as it is (a single
// job, no program, preset or parameter): JUCE's program walk is skipped.
void worker_slot::start(bool quick) {
    pristine = load_warm(quick);
    info = pristine->info();
    default_state_sha256 = sha256_hex(pristine->state());
    std::string names;
    for (const auto& n : pristine->param_names()) names += n + "\n";
    param_names_sha256 = sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(names.data()), names.size()));
    initial_program = std::max(0, pristine->current_program());
}

void settling_delete::operator()(plugin_instance* p) const noexcept {
    if (wait && p) wait_for_quiet_threads();
    delete p;
}

// Every instance is made in the state the worker started in, whatever
// the jobs before it drew. A plugin whose threads work for it gets its
// first block, and their work on it, before the warm-up.
std::unique_ptr<plugin_instance> load_instance(const plugin_ref& ref, int sample_rate, int block_size, bool quick,
                                               bool sidechain, windows_worker where,
                                               std::shared_ptr<wine::windows_host>* kept) {
    if (!ref.windows) return plugin_instance::load(ref, sample_rate, block_size, quick, sidechain);
    if (where == windows_worker::restored && !kept) throw std::logic_error("load_instance: restored needs its host");
    return wine::load_windows_instance(ref, sample_rate, block_size, sidechain, where == windows_worker::own,
                                       where == windows_worker::restored ? kept : nullptr);
}

instance_ptr worker_slot::load_warm(bool quick, windows_worker where) {
    auto start = clock_type::now();
    // A Windows worker of the job's own (isolation process, restore) and
    // the shared one's first instance play the full warm-up: the plan the
    // probe found is for the shared worker's later instances.
    const bool shared = where == windows_worker::shared;
    const std::optional<warm_up_kind> plan =
        ref.windows && (!shared || !shared_worker_warmed) ? std::optional(full_warm_up) : warm_up_plan;
    pinned::reseed(0);
    const auto threads_before = thread_ids();
    instance_ptr p(load_instance(ref, sample_rate, block_size, quick, sidechain, where, &restoring_host).release(),
                   settling_delete{own_threads});
    if (!threads_known) {
        // The slot's first load: did it start threads, and do they work
        // once the plugin has played? Its warm-up is the first thing it
        // plays, as it was before any of this, for plugins whose threads
        // stay idle (JUCE's own, in every plugin built with it).
        auto started = threads_started_since(threads_before);
        if (started.empty()) {
            warm_up(*p, sample_rate, plan);
        } else {
            const double cpu_before = threads_cpu_s(started);
            warm_up(*p, sample_rate, plan);
            wait_for_plugin_threads(*p);
            own_threads = threads_cpu_s(started) - cpu_before >= threads_at_work_s;
        }
        threads_known = true;
        // That instance played before its threads were done: load it again.
        if (own_threads) {
            p.get_deleter().wait = true;
            p.reset();
            return load_warm(quick, where);
        }
    } else {
        settle(*p);
        warm_up(*p, sample_rate, plan);
        settle(*p);
    }
    if (ref.windows && shared) shared_worker_warmed = true;
    load_s = seconds_since(start);
    return p;
}

instance_ptr worker_slot::load_pristine() {
    instance_ptr p = load_warm();
    (void)p->state();
    return p;
}

plugin_instance& worker_slot::reset_instance() {
    if (!played) played = ref.windows && pristine ? std::move(pristine) : load_warm();
    return *played;
}

void worker_slot::play_block(plugin_instance& p, const std::vector<std::vector<std::uint8_t>>& messages) const {
    play_plan plan;
    plan.frames = block_size;
    for (const auto& m : messages) plan.messages.push_back({0, m});
    (void)p.render(plan, 2);
}

// One silent block hands a plugin's own threads what changed.
void worker_slot::settle(plugin_instance& p) const {
    if (!own_threads) return;
    play_block(p);
    wait_for_plugin_threads(p);
}

// Back to the state a job starts from, in reset mode: the plugin's reset
// and its program (the job's, or the one it came up with) selected anew.
void worker_slot::prepare(plugin_instance& p, std::optional<int> program) const {
    p.reset();
    if (p.program_count() > 0) p.select_program(program.value_or(initial_program));
    settle(p);
}

// DESIGN.md rule 5: find out how this plugin's jobs get a clean state.
// It costs one instance beyond the one fork mode needs anyway, one
// forked render, and three short ones here.
void worker_slot::probe() {
    if (ref.windows) return probe_windows();
    if (!pristine) pristine = load_pristine();
    // A child renders the probe from the never-played instance...
    // Each render starts from the probe note's seed, as a job's from its own: a
    // plugin whose only history is libc's generators counts as reset.
    auto forked = run_in_child(
        [&] {
            enter_child_heap();
            return to_bytes(render_probe_note(*pristine));
        },
        probe_timeout_s);
    // ...a second instance renders it here, as a fresh job's would (its
    // state read first, as the never-played one's was when the worker
    // started: a job's setup reads it), then something else, is reset, and
    // renders it again, read again as a reset job's instance was after the
    // job before it.
    played = load_warm();
    audio_buffer first = render_as_job(*played);
    // Forking works when the child renders, and sounds when this process
    // does. (Not necessarily the very samples of the instance here:
    // ZynAddSubFX's helper thread, absent in a child, shifts them.)
    fork_same = forked.ok && same_bytes(first, forked.answer);
    probe_steps.clear();
    bool fork_ok = forked.ok && (fork_same || sounds(first) == sounds(forked.answer));
    render_disturbing(*played);
    prepare(*played, std::nullopt);
    const audio_buffer again = render_as_job(*played);
    note_step("reset", first, again);
    if (forked.ok) {
        audio_buffer child = first;
        child.samples.assign(forked.answer.size() / sizeof(float), 0.0f);
        std::memcpy(child.samples.data(), forked.answer.data(), child.samples.size() * sizeof(float));
        note_step("fork", first, child);
        if (!fork_same && fork_ok) probe_steps.back()["explained"] = probe_steps.back()["explained"].get<std::string>() +
                                                                      " (sounds as in place: taken)";
    } else {
        note_step_error("fork", "the forked child did not render");
    }
    bool reset_ok = same_samples(first, again);
    mode = reset_ok ? isolation::reset : fork_ok ? isolation::fork : isolation::fresh;
    probed = true;
    if (!reset_ok) played.reset();
    if (!fork_ok) pristine.reset();
    // The cheapest warm-up after which an instance renders as one the full
    // warm-up left: every later instance gets that one. Compared on two
    // renders, each forked from the instance as it stands: the probe's note
    // on the first program, and the disturbing one (another note, loud,
    // bent) on another program, where a voice the warm-up left sounding
    // shows (amsynth's, 0.5 s after its note, went unheard under the same
    // note 60). Tried last, after other instances played: a plugin whose
    // instances share state keeps the full warm-up. Not for a plugin whose
    // threads work for it, nor one that cannot be forked.
    if (!own_threads && pristine && warm_up_plan == full_warm_up) {
        auto renders = [&](plugin_instance& p) -> std::optional<std::string> {
            auto note = run_in_child(
                [&] {
                    enter_child_heap();
                    return to_bytes(render_probe_note(p));
                },
                probe_timeout_s);
            auto disturbing = run_in_child(
                [&] {
                    enter_child_heap();
                    return to_bytes(render_disturbing(p));
                },
                probe_timeout_s);
            if (!note.ok || !disturbing.ok) return std::nullopt;
            return note.answer + disturbing.answer;
        };
        const std::optional<std::string> reference = renders(*pristine);
        for (const std::optional<warm_up_kind>& tail : shorter_warm_ups) {
            if (!reference) break;
            pinned::reseed(0);
            auto p = load_instance(ref, sample_rate, block_size, false, sidechain);
            warm_up(*p, sample_rate, tail);
            if (sha256_hex(p->state()) == default_state_sha256 && renders(*p) == reference) {
                warm_up_plan = tail;
                break;
            }
        }
    }
    // What the instances freed goes back to the system: every fork
    // copies the page tables of all the memory this process holds.
    ::malloc_trim(0);
}

audio_buffer worker_slot::render_probe_note(plugin_instance& p) const {
    const audio_buffer input = probe_input(sample_rate, info.main_input_channels);
    pinned::reseed(the_probe_note.seed);
    return p.render(probe_plan(sample_rate), 2, {.input = info.main_input_channels > 0 ? &input : nullptr});
}

audio_buffer worker_slot::render_as_job(plugin_instance& p) const {
    (void)p.state();
    return render_probe_note(p);
}

audio_buffer worker_slot::render_disturbing(plugin_instance& p) const {
    const audio_buffer loud = probe_input(sample_rate, info.main_input_channels, true);
    if (p.program_count() > 1) p.select_program(initial_program == 1 ? 0 : 1);
    pinned::reseed(the_probe_note.seed);
    return p.render(disturbing_plan(sample_rate), 2, {.input = info.main_input_channels > 0 ? &loud : nullptr});
}

void worker_slot::note_step(const char* way, const audio_buffer& reference, const audio_buffer& render) {
    const render_difference d = compare_renders(reference, render);
    json step{{"way", way}, {"same", d.same}};
    if (!d.same && !d.shape) {
        step["first_frame"] = d.frame;
        step["first_channel"] = d.channel;
        step["largest_difference"] = d.largest;
    }
    step["explained"] = d.text();
    probe_steps.push_back(std::move(step));
}

void worker_slot::note_step_error(const char* way, const std::string& error) {
    probe_steps.push_back({{"way", way}, {"same", false}, {"error", error}, {"explained", "failed: " + error}});
}

json worker_slot::verdict() const {
    return {{"isolation", to_string(mode)},
            {"fork_same", fork_same},
            {"own_threads", own_threads},
            {"warm_up", warm_up_plan ? json{{"note", warm_up_plan->note}, {"seconds", warm_up_plan->seconds}} : json()},
            {"steps", probe_steps}};
}

bool worker_slot::take_verdict(const json& v) {
    if (!v.is_object()) return false;
    const auto iso = v.find("isolation"), threads = v.find("own_threads"), warm = v.find("warm_up"),
               same = v.find("fork_same"), steps = v.find("steps");
    if (iso == v.end() || !iso->is_string() || threads == v.end() || !threads->is_boolean() || warm == v.end() ||
        same == v.end() || !same->is_boolean() || steps == v.end() || !steps->is_array() || steps->empty())
        return false;
    // A verdict without its reasons (kept before they were) is probed anew.
    for (const json& step : *steps)
        if (!step.is_object() || !step.contains("way")) return false;
    std::optional<warm_up_kind> plan;
    if (!warm->is_null()) {
        const auto note = warm->find("note"), seconds = warm->find("seconds");
        if (!warm->is_object() || note == warm->end() || !note->is_boolean() || seconds == warm->end() ||
            !seconds->is_number() || !(seconds->get<double>() >= 0 && seconds->get<double>() <= full_warm_up.seconds))
            return false;
        plan = warm_up_kind{note->get<bool>(), seconds->get<double>()};
    }
    // A Windows plugin's probe picks among reset, fresh, restore and process
    // (there is no fork under wine); a Linux plugin's among reset, fork
    // and fresh.
    const std::string name = iso->get<std::string>();
    std::optional<isolation> m;
    static constexpr std::array windows_modes{isolation::reset, isolation::fresh, isolation::restore,
                                              isolation::process};
    static constexpr std::array linux_modes{isolation::reset, isolation::fork, isolation::fresh};
    for (isolation i : ref.windows ? std::span<const isolation>(windows_modes) : std::span<const isolation>(linux_modes))
        if (name == to_string(i)) m = i;
    if (!m) return false;
    mode = *m;
    own_threads = threads->get<bool>();
    fork_same = same->get<bool>();
    probe_steps = steps->get<std::vector<json>>();
    threads_known = true;
    warm_up_plan = own_threads ? std::optional<warm_up_kind>(full_warm_up) : plan;
    probed = true;
    verdict_cached = true;
    return true;
}

void worker_slot::failed(const record_error& e) {
    failure = e.what();
    const auto* died = dynamic_cast<const host_died*>(&e);
    failure_died = died != nullptr;
    failure_signal = died ? died->signal : "";
    played.reset();
    pristine.reset();
    pictured.clear();
}

void worker_slot::throw_failure() const {
    if (failure_died) throw host_died(failure, failure_signal);
    throw record_error(failure);
}

}  // namespace vr::host
