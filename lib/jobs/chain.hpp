// SPDX-License-Identifier: GPL-3.0-or-later
// A job's plugins: a job's `chain` (an ordered list of stages, each a plugin
// with its program, state, preset, SysEx, set_params, automation and sidechain) or
// the record's own plugin fields, and --then, read into a render_job's
// stages; a chain renders as one signal path, the first stage playing the
// job's notes or input and each later one processing the audio of the one
// before it.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "jobs/job.hpp"

namespace vr {

// The most stages a chain may have.
inline constexpr std::size_t max_chain_stages = 64;

// A set_params value: an object of parameter index or name -> 0..1, in
// order; throws record_error naming `where` otherwise.
std::vector<std::pair<std::string, double>> read_set_params(const json& value, const std::string& where);

// Reads the record's `chain` into job.stages. A chain and any of the
// fields a stage has (plugin_path, program_index, state_path, preset_path,
// set_params, automation, sidechain_path, sysex_path) at the top of the record
// together are an error, and so is an empty, overlong or malformed chain:
// record_error naming the stage. Returns false (job untouched) when the
// record has no chain.
bool read_chain(const json& record, render_job& job);

// Reads the stage fields other than plugin_path from obj into s (the
// record's own, for a job without a chain); throws record_error.
void read_stage_fields(const json& obj, plugin_stage& s);

// Appends a stage for each --then plugin.
void add_then_stages(const std::vector<std::string>& plugins, render_job& job);

// The stages as a result records them (a chained job): `chain` with one
// object per stage (plugin_path, program_index, state_path, preset_path,
// set_params, automation, sidechain_path, sysex_path as the stage had them), the
// top-level fields of the first stage removed, so that the result read
// again as a job renders the same.
void put_chain(const render_job& job, json& record);

}  // namespace vr
