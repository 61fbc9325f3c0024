// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows worker's stand-in for linux/vst2_start.hpp: on Windows JUCE
// finds a VST2 entry point through GetProcAddress, which we do not
// intercept, so a VST2 plugin always starts with JUCE's walk through its
// programs. The guard exists so that host/plugin_create.cpp reads the same
// on both systems; it does nothing.
#pragma once

namespace vr::host {

class vst2_quick_start {
public:
    vst2_quick_start() = default;
    vst2_quick_start(const vst2_quick_start&) = delete;
    vst2_quick_start& operator=(const vst2_quick_start&) = delete;
};

}  // namespace vr::host
