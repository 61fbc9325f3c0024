// SPDX-License-Identifier: GPL-3.0-or-later
// Creating JUCE plugin instances: the formats, what JUCE is asked to load,
// and the description an instance is made from. For plugin_instance.cpp
// and plugin-scan's descriptions (host/describe_instance.cpp).
#pragma once
#include <juce_audio_processors/juce_audio_processors.h>

#include <memory>
#include <string>

#include "jobs/job.hpp"

namespace vr::host {

// The format manager juce_runtime owns (nullptr when it goes).
void use_formats(juce::AudioPluginFormatManager* formats);

// The JUCE format for f, set up on first use; throws record_error when this
// build cannot host it.
juce::AudioPluginFormat& format_for(plugin_format f);

// What JUCE should be asked to load: a file, or the URI of an LV2 plugin (a
// bundle is opened by making lilv read the folder that holds it). Throws
// record_error for a missing file or a bundle of several plugins.
std::string identifier_for(const plugin_ref& ref, juce::AudioPluginFormat& fmt);

// A new instance of the plugin, prepared by JUCE for sample_rate and
// block_size, and the description it was made from (desc); with
// skip_program_walk, a VST2 plugin starts without JUCE's walk through its
// programs (linux/vst2_start.hpp). Throws record_error saying why the plugin
// would not load.
std::unique_ptr<juce::AudioPluginInstance> create_instance(const plugin_ref& ref, juce::AudioPluginFormat& fmt,
                                                          const std::string& id, int sample_rate, int block_size,
                                                          juce::PluginDescription& desc, bool skip_program_walk);

}  // namespace vr::host
