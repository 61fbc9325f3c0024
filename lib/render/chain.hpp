// SPDX-License-Identifier: GPL-3.0-or-later
// Chains of plugins: a job's `chain` (an ordered list of stages, each a
// plugin with its program, state, preset and set_params) and --then, read
// into a render_job; a chain renders as one signal path, the first stage
// playing the job's notes or input and each later one processing the audio
// of the one before it.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "render/job.hpp"

namespace vr {

// The most stages a chain may have.
inline constexpr std::size_t max_chain_stages = 64;

// A set_params value: an object of parameter index or name -> 0..1, in
// order; throws record_error naming `where` otherwise.
std::vector<std::pair<std::string, double>> read_set_params(const json& value, const std::string& where);

// Reads the record's `chain` into job: its first stage becomes the job's
// plugin, program_index, state_path, preset_path and params, the others
// job.then. A chain and any of those top-level fields (plugin_path, ...)
// together are an error, and so is an empty, overlong or malformed chain:
// record_error naming the stage. Returns false (job untouched) when the
// record has no chain.
bool read_chain(const json& record, render_job& job);

// Appends a stage for each --then plugin.
void add_then_stages(const std::vector<std::string>& plugins, render_job& job);

// Every stage of the job, the first one included, in signal order.
std::vector<plugin_stage> stages_of(const render_job& job);

// The stages as a result records them (job.then non-empty): `chain` with one
// object per stage (plugin_path, program_index, state_path, preset_path,
// set_params as the stage had them), the top-level fields of the first
// stage removed, so that the result read again as a job renders the same.
void put_chain(const render_job& job, json& record);

}  // namespace vr
