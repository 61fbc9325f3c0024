// SPDX-License-Identifier: GPL-3.0-or-later
// A Faust program as a JUCE plugin instance, so that the render loop,
// automation, chains and isolation take it as they take any plugin: its UI
// controls are the parameters (named by label or full path, normalised over
// each control's range), its inputs and outputs the buses, and a program
// with voices (its [nvoices:N] option, or --faust-voices) a MIDI instrument
// played by Faust's polyphony (freq, gain, gate).
#pragma once
#include <juce_audio_processors/juce_audio_processors.h>

#include <memory>

#include "jobs/job.hpp"

namespace vr::host {

// The format plugin_create hands out for Faust programs (it scans nothing).
juce::AudioPluginFormat& faust_format();

// A new instance of the program, compiled once per process
// (host/faust_program.hpp), and its description; throws record_error.
std::unique_ptr<juce::AudioPluginInstance> create_faust_instance(const plugin_ref& ref, int sample_rate,
                                                                 int block_size, juce::PluginDescription& desc);

}  // namespace vr::host
