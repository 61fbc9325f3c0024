// SPDX-License-Identifier: GPL-3.0-or-later
// A render worker's side of the probe cache (supervise/probe_cache.hpp):
// when the kept verdicts let a first job render on the worker's first
// instances, and what a job's record tells the supervisor of them.
#pragma once
#include <vector>

#include "core/records.hpp"
#include "jobs/job.hpp"
#include "worker/worker_slot.hpp"

namespace vr::host {

// Whether the job may render on the worker's first, never-played instances
// (first: the worker has rendered nothing yet). A single job (one_job)
// does so unless a kept verdict says its plugin's forked renders differ
// from those in place; another first job, when the kept verdicts of all its
// stages say they do not (their bytes are then those its mode would give).
bool first_job_in_place(const render_job& job, bool first, bool one_job, bool check_reproducible);

// Puts probe_cached on the record (the first stage's verdicts were kept
// ones) and, for the supervisor to keep, probe_learnt: what the slots'
// probes learnt that it does not hold, by stage. A job rendered in place
// first probes after its audio is written, for the next process.
void put_probe_verdicts(const render_job& job, const std::vector<worker_slot*>& slots, bool first_in_place,
                        json& record);

}  // namespace vr::host
