// SPDX-License-Identifier: GPL-3.0-or-later
// A job's plugins as the worker renders them: each stage's slot and the
// preset files read for it, what the job feeds the first stage (its notes
// or song, its input), each stage's setup, and the audio through all of
// them, shaped and written. render_worker.cpp picks the instances.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audio/input.hpp"
#include "core/error.hpp"
#include "core/records.hpp"
#include "jobs/job.hpp"
#include "midi/play_plan.hpp"
#include "presets/load.hpp"
#include "worker/worker_slot.hpp"

namespace vr::host {

struct job_stage {
    plugin_stage spec;
    worker_slot* slot = nullptr;
    std::shared_ptr<const loaded_preset> state, preset;
    std::shared_ptr<const loaded_preset> sysex;  // sysex_path's messages
    std::optional<input_audio> sidechain;  // at the job's rate, the sidechain bus's channels
    bool loads() const { return state || preset || sysex; }
    // Anything the stage changes from the plugin's never-played state.
    bool changes() const { return spec.changes(); }
    // What the stage leaves changed after a job: it never plays in place.
    bool leaves_changes() const { return loads() || !spec.params.empty() || !spec.moves.empty(); }
};

// Prepends "chain stage I (NAME): " to an error of a chain's stage; a job's
// only plugin's errors stay as they are.
std::string stage_message(std::size_t stages, std::size_t i, const std::string& name, const std::string& what);

// Throws e again with stage_message's prefix, as the error it was (a
// host_died stays one: its signal and its retry with it).
[[noreturn]] void rethrow_in_stage(std::size_t stages, std::size_t i, const std::string& name, const record_error& e);

// Checks what the job gives the first stage against what it takes (MIDI
// only to a plugin that accepts it, an input only to one with a main input
// bus) and loads the input; record gets the input's figures.
std::optional<input_audio> job_input(const render_job& job, const plugin_info& info, json& record);

// Loads the stage's sidechain_path for its sidechain bus (channel rules and
// rate conversion as for an input) into stage.sidechain; returns the
// record's sidechain_sha256, sidechain_duration_s and, when resampled,
// sidechain_resampled_from_hz (empty without a sidechain).
json load_sidechain(job_stage& stage, const render_job& job);

// Loads into p what the stage loads (program, state, preset, SysEx,
// parameters, automation's values at frame 0; a preset or sysex_path whose
// payload is SysEx goes as MIDI in one block before the job, its audio
// dropped, and fails the job when the plugin's state did not change)
// and lets the plugin's threads finish with it; returns preset_applied_as
// and state_sha256 (untouched: p is the slot's never-played instance as it
// was, whose state is known), and writes what save names (--save-state,
// --save-preset) when given.
struct saved_files {
    std::string state_path;   // the plugin's state, as its format's host saves it
    std::string preset_path;  // its program as a preset of its format (.fxp, .vstpreset)
};
json setup_stage(plugin_instance& p, const job_stage& stage, bool untouched, const saved_files& save = {});

// The plugin's state read now (state_sha256 set in extra), and written
// where save names, with its program as a preset.
void save_what_it_holds(plugin_instance& p, const saved_files& save, json& extra);

// The job's audio through every stage: the first plays the plan (and the
// input), each later one processes the audio of the one before it, then
// the job's tail, each with its stage's sidechain and automation; shaped,
// written, measured. Returns the result's fields.
// at, when given, holds the index of the stage at work (memory a parent
// shares: a child that crashes leaves the culprit there).
json render_stages_and_write(const std::vector<plugin_instance*>& instances, const std::vector<job_stage>& stages,
                             const render_job& job, const play_plan& plan, const audio_buffer* input,
                             volatile int* at = nullptr);

// Makes the library calls a forked job's child makes
// for its record and a worker may not have made yet: libstdc++'s to_chars
// reaches memset through a lazily bound slot, which a child would look up
// through every loaded library (faulting their symbol tables in) in every
// job; bound in the worker (render_worker's constructor, once), every
// child inherits it.
void bind_record_calls();

// param_values (every parameter's value as p holds it, in index order),
// param_names_sha256 (names_sha256: its slot's, hashed once) and
// params_adjusted (how many of asked, index -> value, p holds otherwise,
// by more than 1e-6) into o.
void put_param_values(json& o, const plugin_instance& p, const std::map<int, float>& asked,
                      const std::string& names_sha256);

// Every parameter, read back (--params).
json params_json(const plugin_instance& p);

// plugin_name, plugin_format, plugin_version, plugin_id, plugin_sha256,
// plugin_platform, wine_version (where wine runs it) and vr_version when
// top is set.
void put_plugin_fields(json& record, const plugin_info& info, const std::optional<std::string>& sha256,
                       bool top = true);

// A chain stage's entry in the result (the `chain` list, a stem's `chain`):
// its plugin fields, preset and state hashes, what its render measured
// (measured) and its sidechain's figures (sidechain), whether its preset
// or state changed the plugin's state, and its state file's warning.
void put_stage_fields(json& o, const job_stage& stage, const json& measured, const json& sidechain);

}  // namespace vr::host
