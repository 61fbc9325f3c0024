// SPDX-License-Identifier: GPL-3.0-or-later
// How render_worker keeps a job apart from the jobs before it: each
// stage's isolation (asked for, or the probe's), the chain's, and the
// Windows worker a new instance is made in.
#include "core/error.hpp"
#include "jobs/job_audio.hpp"
#include "worker/render_worker.hpp"
#include "worker/reproducible_check.hpp"
#include "worker/stage_render.hpp"

namespace vr::host {

// The chain's mode: each stage's (probed, or as the job asks), the most
// isolating of them; instances are made ready for it.
isolation render_worker::chain_mode(std::vector<job_stage>& stages, const render_job& job) {
    isolation how = isolation::reset;
    for (std::size_t i = 0; i < stages.size(); ++i) {
        worker_slot& s = *stages[i].slot;
        isolation h;
        try {
            h = mode_for(s, job);
        } catch (const record_error& e) {
            rethrow_in_stage(stages.size(), i, s.info.name, e);
        }
        if (options_.check_reproducible && !s.checked) check_reproducible(s, options_.real_randomness);
        // A stage that loads a preset or sets parameters would leave them
        // set for the next job: it never plays in place.
        if (h == isolation::reset && (stages[i].leaves_changes() || (i == 0 && !(options_.save_state_path.empty() && options_.save_preset_path.empty()))))
            h = s.forkable() ? isolation::fork : isolation::fresh;
        // A forked child has none of the plugin's own threads: work they
        // would do for a changed program, preset, state or parameter never
        // happens there (padthv1 kept its default wave tables).
        if (h == isolation::fork && s.own_threads && stages[i].changes()) h = isolation::fresh;
        how = std::max(how, h);
    }
    // An editor the job renders with is shown on an instance of the job's
    // own, in this process (render-one(1), "Editors and pictures"): never
    // in a forked child, which would share the X connections the plugin
    // made as it loaded. A picture alone is drawn by another instance
    // after the render (worker/editor_picture.hpp).
    if (job.editor_first || options_.edit) how = std::max(how, isolation::fresh);
    // Forked renderers find the audio code's symbols bound: once, before
    // the first (a job rendered in place needs no such thing).
    if (how == isolation::fork && !audio_code_warm_) {
        warm_audio_code(job.sample_rate);
        audio_code_warm_ = true;
    }
    for (auto& st : stages) {
        if (how == isolation::fork && !st.slot->forkable()) how = isolation::fresh;
        if (how == isolation::reset) st.slot->reset_instance();
    }
    return how;
}

// The Windows worker a job's new instance of s is made in under how: a
// chain's mode is its most isolating stage's, and a stage whose own mode
// is less gets the same (a Linux stage's instance is made here anyway).
windows_worker render_worker::worker_for(isolation how, const worker_slot& s) {
    if (!s.ref.windows) return windows_worker::shared;
    if (how == isolation::process) return windows_worker::own;
    if (how == isolation::restore) return windows_worker::restored;
    return windows_worker::shared;
}

// The mode the job asks for, else the one a single job or the probe picks.
isolation render_worker::mode_for(worker_slot& s, const render_job& job) {
    switch (job.isolation) {
        case isolation_mode::reset: return isolation::reset;
        case isolation_mode::fork:
            if (s.ref.windows)
                throw record_error("isolation fork: a Windows plugin cannot be forked (there is no fork under wine); "
                                   "isolation process gives each job a Windows worker of its own");
            return s.pristine ? isolation::fork : isolation::fresh;
        case isolation_mode::fresh: return isolation::fresh;
        case isolation_mode::process: return s.ref.windows ? isolation::process : isolation::fresh;
        case isolation_mode::restore:
            if (!s.ref.windows) return isolation::fresh;
            if (options_.real_randomness)
                throw record_error("isolation restore needs the plugin arena, which --real-randomness turns off; "
                                   "isolation process gives each job a Windows worker of its own");
            return isolation::restore;
        case isolation_mode::automatic: break;
    }
    if (first_in_place_) return isolation::fresh;
    if (!s.probed) {
        try {
            s.probe();
        } catch (const record_error& e) {
            s.failed(e);
            throw;
        }
    }
    // The first job took the instance the worker started with: forked
    // jobs need a never-played one again, read as that one was.
    if (s.mode == isolation::fork && !s.pristine) s.pristine = s.load_pristine();
    return s.mode;
}

}  // namespace vr::host
