// SPDX-License-Identifier: GPL-3.0-or-later
// A warm render worker: each plugin loaded once (per sample rate and block
// size), probed for whether its reset really restores it, and every job
// rendered so that its samples do not depend on the jobs before it.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "presets/load.hpp"

#include "core/records.hpp"
#include "jobs/job.hpp"
#include "jobs/options.hpp"
#include "jobs/preset_cache.hpp"
#include "jobs/song.hpp"
#include "worker/picture_queue.hpp"
#include "worker/stage_render.hpp"
#include "worker/worker_slot.hpp"

namespace vr::host {

class render_worker {
public:
    explicit render_worker(worker_options options);
    ~render_worker();

    // Renders the job and writes its audio file; adds the result fields
    // (status ok, frames, measurements, plugin_*, timings, fresh_instance) to
    // record (the job's settings are not among them: put_job_settings, by
    // whoever holds the job's record). Throws record_error on failure, after
    // adding the plugin fields it knows.
    // on_render, when given, is called once the plugin is loaded and the
    // job planned, with the most seconds of audio the render can make (a
    // supervisor's time limit for the render starts then).
    void run(const render_job& job, json& record, const std::function<void(double audio_s)>& on_render = {});

    // For a warm render-one (warm/warm.hpp): gives every slot that
    // lost its never-played instance (a first job rendered on it) a new
    // one, warmed and its state read (worker_slot::load_pristine), on
    // which the next job renders in place (in a session, a fork of the
    // warm one, as a fresh worker's first job does; its later jobs fork
    // from a new one), after taking down the instances played
    // and forgetting the presets read (the next run's paths may name other
    // files: from another folder, or rewritten since); and takes a
    // session's options (those the worker was made with, randomness and
    // Faust's, are the same: the warm process's key holds them).
    // The played instances go after the new ones are made: the last
    // instance of a plugin taken down unloads its binary (and the next
    // would load it again).
    void refill() {
        for (auto& [k, s] : slots_)
            if (!s->pristine && s->failure.empty()) s->pristine = s->load_pristine();
        spent_.clear();
        presets_ = preset_cache{};
        untouched_ = true;
    }
    void set_run_options(const worker_options& options) { options_ = options; }
    // Its jobs' pictures drawn after their jobs were answered (when the
    // supervisor takes them so: serve_jobs).
    later_pictures& pictures() { return pictures_; }
    // What refill() would cost: the seconds each slot's last instance took
    // to load and warm up, over the slots that lost their never-played one.
    double refill_cost_s() const {
        double s = 0;
        for (const auto& [k, slot] : slots_)
            if (!slot->pristine && slot->failure.empty()) s += slot->load_s;
        return s;
    }

private:
    preset_cache presets_;
    // A slot's instances: one plugin at one rate and block size, with its
    // sidechain bus on or not, and the how-manieth of its kind in a chain
    // (a plugin twice in a chain is two instances).
    struct slot_key {
        plugin_key plugin;
        bool sidechain = false;
        int copy = 0;
        auto operator<=>(const slot_key&) const = default;
    };
    // verdict: what the supervisor's probe cache holds for the plugin (an
    // object), null when it holds none, anything else when the cache is off;
    // known_sha256: the binary's hash as the supervisor read it, or null.
    worker_slot& slot_for(const slot_key& key, const plugin_ref& plugin, bool quick, const json& verdict,
                          const json& known_sha256);
    isolation mode_for(worker_slot& s, const render_job& job);
    static windows_worker worker_for(isolation how, const worker_slot& s);
    std::vector<job_stage> stages_for(const render_job& job, bool quick, json& record,
                                      const song_layout* song = nullptr);
    isolation chain_mode(std::vector<job_stage>& stages, const render_job& job);
    std::map<slot_key, std::unique_ptr<worker_slot>> slots_;
    // After slots_: its pictures' instances go before the slots they are of.
    picture_queue pictures_;
    worker_options options_;
    bool first_in_place_ = false;  // the job at work renders on the worker's first instances
    bool untouched_ = false;  // every slot's instance is a never-played one (refill)
    bool audio_code_warm_ = false;  // warm_audio_code ran
    int* stage_mark_ = nullptr;  // shared with forked children (chain stage at work)
    // The instances a job in a fresh instance played on, taken down when
    // the next job starts or with the worker: after the job's answer, not
    // on its time (unloading a plugin's libraries takes a while; a warm
    // session's worker ends without it).
    std::vector<instance_ptr> spent_;
};

}  // namespace vr::host
