// SPDX-License-Identifier: GPL-3.0-or-later
// Whether a loaded preset suits a plugin, and how it is applied: what a
// host decides from a loaded_preset alone (no files read, no libraries but
// the standard one), so the Windows worker uses it as render-one does.
#pragma once
#include <string>

#include "presets/load.hpp"

namespace vr {

// Whether a preset made for `preset_id` suits a plugin with `plugin_id` in
// `plugin_format` (vst2, vst3, lv2): equal fxIDs, equal VST3 class ids
// (any case), or an fxID that is the last four bytes of a JUCE-built VST3
// class id; a Serum 2 preset suits a VST3 plugin whose name holds "Serum"
// (its class id is not in the file). A file that names no id (a state, a
// placeholder id) suits all.
bool plugin_id_matches(const loaded_preset& preset, const std::string& plugin_format,
                       const std::string& plugin_id, const std::string& plugin_name);

// The label a result's preset_applied_as carries for the payload applied to
// a plugin of this format: "fxp-params", "fxp-chunk", "fxb-chunk",
// "vstpreset", "serum2", "state", "fxp-chunk-as-vst3-state", "sysex".
std::string applied_as(const loaded_preset& preset, const std::string& plugin_format);

}  // namespace vr
