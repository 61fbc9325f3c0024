// SPDX-License-Identifier: GPL-3.0-or-later
// plugin-scan's loading: a plugin started through JUCE, as render-one
// starts it, and described from the instance: names, its own category
// flags, buses, MIDI input, parameters, programs. Runs in the scan's
// worker process (lib/supervise/supervise.hpp), each plugin in a forked child
// of it, so that a plugin that crashes or hangs costs only its record and
// every plugin starts from the same clean process.
#pragma once
#include "core/records.hpp"
#include "plugins/plugin_scan.hpp"

namespace vr::host {

// The fields of each plugin the job's file holds (several for a VST3 module
// of several classes): plugin_id, plugin_name, plugin_vendor,
// plugin_version, category, input_channels, output_channels,
// sidechain_channels, midi_input, param_count, plugin_program_count,
// plugin_load_s and, with job.params, params. Needs a juce_runtime. Throws
// child_failed (a crash, named by its signal, or timeout_s passed; 0: no
// limit) or record_error saying why the plugin would not load.
json describe_plugins(const scan_job& job, double timeout_s);

}  // namespace vr::host
