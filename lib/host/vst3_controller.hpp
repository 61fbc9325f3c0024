// SPDX-License-Identifier: GPL-3.0-or-later
// The parameter flags of a hosted VST3 plugin, from its own edit controller:
// JUCE's VST3 host reads kIsReadOnly but keeps it to itself.
#pragma once

#include <juce_audio_processors/juce_audio_processors.h>

#include <optional>
#include <vector>

#include "host/read_only.hpp"

namespace vr::host {

// The parameters the plugin's edit controller lists, in its order: the
// component's own when the component is its controller, else a controller
// of the class it names, made by its module's factory, started, read and
// stopped; nullopt where none can be had (not a VST3, no controller named,
// the factory or the controller refuses). For an instance that is only
// described, not played afterwards. Never throws.
std::optional<std::vector<vst3_param>> vst3_controller_params(const juce::AudioPluginInstance& plugin);

}  // namespace vr::host
