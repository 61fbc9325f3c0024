// SPDX-License-Identifier: GPL-3.0-or-later
// What a plugin_instance holds, shared by the files of lib/host that
// implement it (JUCE shows here, so only lib/host includes this).
#pragma once
#include <juce_audio_processors/juce_audio_processors.h>

#include <memory>
#include <string>

#include "host/plugin_instance.hpp"

namespace vr::host {

struct plugin_instance::impl {
    std::unique_ptr<juce::AudioPluginInstance> plugin;
    plugin_info info;
    int block_size = 512;
};

// The component class id of a VST3 instance, as 32 upper-case hex digits
// (read from the preset JUCE would save for it), or "" when it cannot tell.
std::string vst3_class_id(juce::AudioPluginInstance& plugin);

}  // namespace vr::host
