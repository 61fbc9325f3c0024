// SPDX-License-Identifier: GPL-3.0-or-later
// A warm render worker: each plugin loaded once (per sample rate and block
// size), probed for whether its reset really restores it, and every job
// rendered so that its samples do not depend on the jobs before it.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "records.hpp"
#include "render_job.hpp"

namespace vr::host {

class plugin_instance;

struct worker_options {
    double silence_db = -90.0;
    bool midi_program_changes = false;
    // Seconds a job rendered in a child may take before it is killed (0: no
    // limit). Jobs rendered in place cannot be stopped.
    double job_timeout_s = 0;
};

// How a plugin's jobs get a state that does not depend on earlier jobs.
enum class isolation {
    reset,  // the plugin's reset restores it: render in place
    fork,   // a forked child renders from the never-played instance
    fresh,  // a new instance per job (the plugin misbehaves under fork)
};

const char* to_string(isolation i);

class render_worker {
public:
    explicit render_worker(worker_options options);
    ~render_worker();

    // Renders the job and writes its audio file; adds the result fields
    // (status ok, frames, measurements, plugin_*, timings, fresh_instance) to
    // record. Throws record_error on failure, after adding the plugin fields
    // it knows.
    void run(const render_job& job, json& record);

    // Calls emit with one record per program of the plugin.
    void list_programs(const plugin_ref& plugin, int sample_rate, int block_size,
                       const std::function<void(json&&)>& emit);

private:
    struct slot;
    slot& slot_for(const plugin_ref& plugin, int sample_rate, int block_size);
    std::map<std::tuple<std::string, int, int>, std::unique_ptr<slot>> slots_;
    worker_options options_;
};

}  // namespace vr::host
