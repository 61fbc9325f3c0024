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
    int sidechain_offset = 0;  // the sidechain bus's first channel in a process call's buffer
};

// The parameter named by its index ("3"), name or id; throws record_error
// starting with field ("set_params", "automation") when there is none.
juce::AudioProcessorParameter* find_parameter(const juce::AudioProcessor& plugin, const std::string& key,
                                              const char* field);

}  // namespace vr::host
