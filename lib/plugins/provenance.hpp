// SPDX-License-Identifier: GPL-3.0-or-later
// Which bytes made a render: the plugin's binary and its hash. No JUCE here.
#pragma once
#include <optional>
#include <string>

#include "plugins/plugin_ref.hpp"

namespace vr {

// The shared object the plugin's code is in: the .so of a VST2, the one
// under Contents/*-linux/ of a .vst3 bundle, the lv2:binary of an LV2
// plugin (its bundle given, or found by its URI where JUCE's host looks);
// "" when there is none to name.
std::string plugin_binary_path(const plugin_ref& plugin);

// Lower-case hex SHA-256 of plugin_binary_path's file, or none when there
// is no such file or it cannot be read. Read once a process for each file
// as stat sees it (path, device, inode, size, times).
std::optional<std::string> plugin_binary_sha256(const plugin_ref& plugin);

}  // namespace vr
