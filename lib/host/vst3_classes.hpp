// SPDX-License-Identifier: GPL-3.0-or-later
// A VST3 plugin's description without an instance made to write it. JUCE's
// scan (VST3PluginFormat::findAllTypesForFile) makes and initialises a
// component of every audio class in the module to count its channels, and
// throws it away: a whole plugin's start and stop (a JUCE plugin's message
// thread, its static generators drawn from) before the instance the job
// wants. What JUCE needs to make that instance is less: the class's name
// and its id, which the module's factory says without making anything.
#pragma once
#include <juce_audio_processors/juce_audio_processors.h>

#include <optional>
#include <string>

namespace vr::host {

// The description JUCE makes an instance of the plugin from (its module
// file id: the bundle on Linux, the module's file on Windows), for the first
// instrument among the module's audio classes, else its first audio class,
// as JUCE's scan would choose. The module is loaded by JUCE (its handle
// cache keeps it, as a scan does); no component is made. nullopt when the
// module cannot be loaded, exports no factory, or has no audio class: the
// caller scans then, which says why.
std::optional<juce::PluginDescription> vst3_class_description(juce::AudioPluginFormat& vst3, const std::string& id);

}  // namespace vr::host
