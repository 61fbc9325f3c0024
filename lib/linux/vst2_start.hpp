// SPDX-License-Identifier: GPL-3.0-or-later
// Starting a VST2 plugin without JUCE's walk through all its programs.
//
// JUCE's VST2 host, when it creates an instance, asks the plugin for the
// name of program 0 by index; a plugin that cannot name programs that way
// (amsynth) then has every one of its programs selected in turn and read
// back, and its parameters restored: thousands of program changes, tens to
// hundreds of milliseconds, for names JUCE keeps and never reads. While a
// vst2_quick_start lives, a plugin being created is told that program 0
// has a name, and only the end of the walk is played (its last program,
// back to the current one, the name and parameters restored): the state
// and the first program's sound are those of a walked instance. The walk
// leaves traces elsewhere in some plugins (amsynth's other programs sound
// otherwise when selected later), so render-one skips it only for a first
// job that plays the first program (its parameters set or not). The
// plugin's own dispatcher is back in place when the guard ends.
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
