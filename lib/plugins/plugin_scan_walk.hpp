// SPDX-License-Identifier: GPL-3.0-or-later
// Where plugin-scan looks for plugins, and the walk through those folders:
// which files and bundles are plugins of which format. No JUCE here.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plugins/plugin_ref.hpp"

namespace vr {

// A folder to walk, and the one format looked for there (none: every format).
struct scan_root {
    std::string path;
    std::optional<plugin_format> format;
    bool standard = false;  // one of the standard locations: a missing one is no error
    // Windows plugins are looked for too: a .dll is a VST2 plugin, and a
    // .vst3 may be a Windows build (plugins/windows_plugin.hpp). Not in
    // the Linux standard locations.
    bool windows = true;
};

// The standard locations, in this order: VST2 from vst_path (colon-separated;
// empty parts skipped) when set, else ~/.vst, /usr/lib/vst, /usr/local/lib/vst,
// /usr/lib/lxvst; VST3 from ~/.vst3, /usr/lib/vst3, /usr/local/lib/vst3; LV2
// from lv2_path when set, else ~/.lv2, /usr/lib/lv2, /usr/local/lib/lv2. The
// ~ folders are left out when home is unset or empty. A folder named twice
// is walked once. Linux's own: no Windows plugin is looked for there.
std::vector<scan_root> standard_scan_roots(const char* vst_path, const char* lv2_path, const char* home);

// The same from VST_PATH, LV2_PATH and HOME.
std::vector<scan_root> standard_scan_roots();

// The standard plugin folders of the wine prefix at prefix
// (plugins/wine_prefix.hpp's wine_plugin_folders): Common Files\VST3 for
// VST3, the others for VST2, Windows plugins only; a missing one is no
// error.
std::vector<scan_root> wine_scan_roots(const std::string& prefix);

// What the walk finds: a plugin (a VST2 .so or Windows .dll, a .vst3
// bundle or file, an .lv2 bundle), or a path it could not walk (error says
// why).
struct found_path {
    std::string path;  // absolute
    std::optional<plugin_format> format;
    std::string error;
    bool windows = false;  // a Windows build, hosted under wine
};

// Walks root recursively in byte-wise order of names, following symlinks,
// and calls found for each plugin whose format (and system) root allows and for each
// folder that cannot be read or is a symlink loop (the walk goes on). A
// bundle (.vst3, .lv2) is one plugin, not walked into; a root that is a
// plugin is found itself. A root that does not exist is an error unless it
// is a standard one. each_folder, when given, is called before each folder
// is read (plugin-scan ends an interrupted run there).
void walk_plugins(const scan_root& root, const std::function<void(const found_path&)>& found,
                  const std::function<void()>& each_folder = {});

}  // namespace vr
