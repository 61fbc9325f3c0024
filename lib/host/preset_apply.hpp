// SPDX-License-Identifier: GPL-3.0-or-later
// Presets, states and parameters: what lib/presets/load checked, handed to
// the plugin through its format's own door, and read back for the proof.
// preset_apply.cpp defines the plugin_instance members that do it
// (apply_preset, state, program_preset, bank_preset, read_params,
// param_values, param_names; their contracts are in
// host/plugin_instance.hpp) and what follows. JUCE shows
// here, so only the folders that see JUCE (host/, worker/) include this.
#pragma once
#include <juce_audio_processors/juce_audio_processors.h>

#include <string>

namespace vr::host {

// The component class id of a VST3 instance, as 32 upper-case hex digits
// (read from the preset JUCE would save for it), or "" when it cannot tell.
std::string vst3_class_id(juce::AudioPluginInstance& plugin);

}  // namespace vr::host
