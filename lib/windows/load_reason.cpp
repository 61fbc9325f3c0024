// SPDX-License-Identifier: GPL-3.0-or-later
// The Windows worker's plugin_load_reason (plugins/plugin_file.hpp): the
// Linux side reads a Windows plugin's file before it hands the plugin over
// (its machine, exports and imports, wine/windows_instance.cpp), so here
// JUCE's own words are all there is to add.
#include "plugins/plugin_file.hpp"

namespace vr {

std::string plugin_load_reason(const plugin_ref&) { return {}; }

}  // namespace vr
