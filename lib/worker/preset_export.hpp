// SPDX-License-Identifier: GPL-3.0-or-later
// render-one --list-programs, --export-programs and --export-bank: a
// plugin's own programs, listed or written as real preset files. Each call
// loads the plugin in an instance of its own (selecting programs changes
// it), never one that renders jobs.
#pragma once
#include <functional>
#include <string>

#include "core/records.hpp"
#include "jobs/job.hpp"

namespace vr::host {

// Calls emit with one record per program of the plugin (plugin_path,
// program_index, preset_name); a plugin with none gets a warning on stderr.
// Throws record_error when the plugin cannot be loaded.
void list_plugin_programs(const plugin_ref& plugin, int sample_rate, int block_size,
                          const std::function<void(json&&)>& emit);

// Writes each program of the plugin as a preset file (.fxp for VST2,
// .vstpreset for VST3) into dir, named by the program's name (made unique);
// one record per file, a program that cannot be written an error record
// (a plugin with no programs: a warning on stderr, no records);
// as_params writes VST2 FxCk files even for chunk plugins. Throws
// record_error when the plugin cannot be loaded or is LV2.
void export_plugin_programs(const plugin_ref& plugin, int sample_rate, int block_size, const std::string& dir,
                            bool as_params, const std::function<void(json&&)>& emit);

// Writes every program of a VST2 plugin into one .fxb bank, file, and emits
// its record. Throws record_error when the plugin cannot be loaded or is
// not VST2.
void export_plugin_bank(const plugin_ref& plugin, int sample_rate, int block_size, const std::string& file,
                        const std::function<void(json&&)>& emit);

}  // namespace vr::host
