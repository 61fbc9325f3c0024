// SPDX-License-Identifier: GPL-3.0-or-later
// Starting a VST2 plugin without JUCE's walk through all its programs.
//
// JUCE's VST2 host, when it creates an instance, asks the plugin for the
// name of program 0 by index; a plugin that cannot name programs that way
// (amsynth) then has every one of its programs selected in turn and read
// back, and the parameters restored: 3,584 program changes, about 100 ms,
// for names JUCE keeps and never reads (its getProgramName asks the plugin
// again). While a vst2_quick_start lives, a plugin being created is told
// that program 0 has a name, so the walk is skipped. Nothing else changes:
// the plugin's own dispatcher is back in place when the guard ends.
#pragma once

namespace vr::host {

class vst2_quick_start {
public:
    vst2_quick_start();
    ~vst2_quick_start();
    vst2_quick_start(const vst2_quick_start&) = delete;
    vst2_quick_start& operator=(const vst2_quick_start&) = delete;
};

}  // namespace vr::host
