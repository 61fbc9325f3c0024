// SPDX-License-Identifier: GPL-3.0-or-later
// plugin-scan's description of a plugin: started through JUCE in this
// process, as render-one starts it, and described from the instance:
// names, its own category flags, buses, MIDI input, parameters, programs.
// Built for both systems: the Linux worker describes Linux plugins with it
// (worker/plugin_describe.hpp, in a forked child), the Windows worker
// Windows ones (host/instance_server.hpp's describe request).
#pragma once
#include "core/records.hpp"
#include "plugins/plugin_scan.hpp"

namespace vr::host {

// The fields of each plugin the job's file holds (several for a VST3 module
// of several classes): plugin_id, plugin_name, plugin_vendor,
// plugin_version, category, input_channels, output_channels,
// sidechain_channels, midi_input, param_count, plugin_program_count,
// plugin_load_s and, with job.params, params. Needs a juce_runtime. The
// instances are never deleted: the process that made them is to end at
// once, and a plugin that crashes on unloading should not fail its record.
// Throws record_error saying why the plugin would not load.
json describe_file(const scan_job& job);

}  // namespace vr::host
