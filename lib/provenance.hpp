// SPDX-License-Identifier: GPL-3.0-or-later
// Which bytes made a render: the plugin's binary and its hash. No JUCE here.
#pragma once
#include <optional>
#include <string>

#include "render_job.hpp"

namespace vr {

// The shared object the plugin's code is in: the .so of a VST2, the one
// under Contents/*-linux/ of a .vst3 bundle, the lv2:binary its .lv2
// bundle's manifest names; "" for an LV2 given by URI or a bundle that
// names none.
std::string plugin_binary_path(const plugin_ref& plugin);

// Lower-case hex SHA-256 of plugin_binary_path's file, or none when there
// is no such file or it cannot be read.
std::optional<std::string> plugin_binary_sha256(const plugin_ref& plugin);

}  // namespace vr
