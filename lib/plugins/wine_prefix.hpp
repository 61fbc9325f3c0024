// SPDX-License-Identifier: GPL-3.0-or-later
// Which wine prefix a Windows plugin loads in, and where things are in it:
// a Linux path as the Windows worker must be given it, the prefix's
// standard plugin folders. Path logic over the files as they are: the
// environment is passed in, nothing is run, created or changed (render-one
// never makes or alters a prefix). Paths are compared made absolute with
// their symlinks resolved.
#pragma once
#include <string>
#include <vector>

namespace vr {

// What of the environment chooses a prefix, passed in rather than read
// here so that tests need no setenv. "" for a variable that is unset.
struct wine_env {
    std::string wineprefix;  // WINEPREFIX
    std::string home;        // HOME
};

// The prefix whose drive_c holds path: the nearest folder above it named
// drive_c whose parent holds system.reg, that parent (absolute, symlinks
// resolved); "" when path lies in no prefix. Never throws.
std::string prefix_holding(const std::string& path);

// The prefix a plugin at plugin_path loads in: the one given (--wine-prefix
// or the job's wine_prefix) when not "", else the prefix holding the
// plugin, else WINEPREFIX, else HOME/.wine; absolute, symlinks resolved.
// Throws record_error when a prefix was given and the plugin lies in
// another (naming both), when the chosen folder is no prefix ("no wine
// prefix at DIR: make one with WINEPREFIX=DIR wineboot"), when it is a
// 32-bit one, or when neither WINEPREFIX nor HOME says where to look.
std::string choose_wine_prefix(const std::string& plugin_path, const std::string& given, const wine_env& env);

// Nothing when dir (absolute) is a 64-bit wine prefix (it holds
// system.reg, whose #arch line, when there is one, says win64); else
// throws record_error with the messages choose_wine_prefix gives.
void check_wine_prefix(const std::string& dir);

// path (made absolute, symlinks resolved) as a program in prefix names it:
// "C:\Program Files\X.dll" inside the prefix's drive_c, "Z:\home\u\X.dll"
// elsewhere. The prefix's dosdevices links say which drive reaches which
// folder (the nearest one wins); a prefix without that folder gets wine's
// defaults, C: for drive_c and Z: for /. Throws record_error when no drive
// reaches path, or a name in it is not UTF-8 or holds a backslash.
std::string windows_path(const std::string& path, const std::string& prefix);

// The folders of prefix where Windows plugins install themselves, as Linux
// paths, whether or not they exist: C:\Program Files\Common Files\VST3,
// C:\Program Files\VSTPlugins, C:\Program Files\Steinberg\VstPlugins and
// C:\Program Files\Common Files\VST2, in that order.
std::vector<std::string> wine_plugin_folders(const std::string& prefix);

}  // namespace vr
