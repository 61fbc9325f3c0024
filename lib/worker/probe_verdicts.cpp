// SPDX-License-Identifier: GPL-3.0-or-later
#include "worker/probe_verdicts.hpp"

#include "core/error.hpp"

namespace vr::host {

// Whether the job may render on the worker's first instances (run says why).
// A single job (-o) does so unless a kept verdict says its plugin's forked
// renders differ from those in place; another first job, when the kept
// verdicts of all its stages say they do not.
bool first_job_in_place(const render_job& job, bool first, bool one_job, bool check_reproducible) {
    if (!first || check_reproducible) return false;
    if (!one_job &&
        (job.isolation != isolation_mode::automatic || job.song || !job.probe_verdicts.is_array() ||
         job.probe_verdicts.size() != job.stages.size()))
        return false;
    for (std::size_t i = 0; i < job.stages.size(); ++i) {
        const json* v = job.probe_verdicts.is_array() && i < job.probe_verdicts.size() ? &job.probe_verdicts[i] : nullptr;
        const bool kept = v && v->is_object();
        if (!one_job && (!kept || job.stages[i].plugin.windows)) return false;
        if (kept && v->value("isolation", "") == "fork" && !v->value("fork_same", false)) return false;
    }
    return true;
}

// probe_cached on the record; and for the supervisor's cache, what this
// worker's probes learnt (probe_learnt, by stage; it takes the field off
// the record). A first job needs no probe, but learns one for the next
// process (or this one's next job), after its audio is written.
void put_probe_verdicts(const render_job& job, const std::vector<worker_slot*>& slots, bool first_in_place,
                        json& record) {
    record["probe_cached"] = slots[0]->verdict_cached;
    if (!job.probe_verdicts.is_array() || job.song) return;
    json learnt = json::array();
    bool any = false;
    for (worker_slot* slot : slots) {
        worker_slot& s = *slot;
        if (s.report_verdict && !s.probed && first_in_place && s.failure.empty()) {
            try {
                s.probe();
            } catch (const record_error&) {
                s.report_verdict = false;  // a probe that fails is not kept; the job's audio stands
            }
        }
        if (s.report_verdict && s.probed) {
            learnt.push_back(s.verdict());
            s.report_verdict = false;
            any = true;
        } else {
            learnt.push_back(nullptr);
        }
    }
    if (any) record["probe_learnt"] = std::move(learnt);
}

}  // namespace vr::host
