// SPDX-License-Identifier: GPL-3.0-or-later
// plugin-scan's records: one per plugin found under the scan's roots, made
// from what the plugin's files say (names, a VST3 moduleinfo.json, an LV2
// bundle's Turtle) and, unless --no-load, completed by a loader that loads
// the plugin in a supervised worker (lib/worker/plugin_describe.hpp). No JUCE
// here.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/records.hpp"
#include "plugins/plugin_ref.hpp"
#include "plugins/plugin_scan_walk.hpp"
#include "plugins/wine_prefix.hpp"

namespace vr {

// A plugin to load: what the worker is sent (to_json), one per record
// made from the files, save for a VST3 bundle, loaded once for all its
// classes.
struct scan_job {
    std::string path;  // the file or bundle
    plugin_format format;
    std::string uri;  // an LV2 plugin's, "" for the others
    bool params = false;
    bool windows = false;     // a Windows build: described by the Windows worker under wine
    std::string wine_prefix;  // the prefix given (--wine-prefix), "" for none (wine/windows_instance.hpp)
};
json to_json(const scan_job& job);
scan_job scan_job_from_json(const json& j);

// The records a found plugin's files give, in field order plugin_path,
// [plugin_uri, plugin_bundle,] plugin_format, plugin_platform,
// [wine_version (a Windows build's, null),] plugin_id, plugin_name,
// plugin_vendor, plugin_version, category, input_channels,
// output_channels, sidechain_channels, midi_input, param_count,
// plugin_program_count, plugin_sha256, plugin_load_s: null where the files
// do not say. One per plugin an LV2 bundle declares (its plugin_path the
// bundle, or the URI when the bundle holds several), one per audio class
// of a VST3 moduleinfo.json (else one for the bundle), one for a VST2 file.
// Throws record_error when the files cannot be read (an LV2 manifest); an
// empty list for an LV2 bundle that declares no plugin.
std::vector<json> file_records(const found_path& found);

// The records of a VST3 bundle from its Contents/Resources/moduleinfo.json
// text: one per "Audio Module Class" (of a Windows build with windows);
// throws record_error when the text is not such a file.
std::vector<json> vst3_moduleinfo_records(const std::string& bundle, const std::string& text, bool windows = false);

// Loads a plugin for its records: given the record made from its files and
// the job, returns the records to write (one per plugin it holds; one with
// an error when it would not load).
using plugin_loader = std::function<std::vector<json>(json&& record, const scan_job& job)>;

// The records a load gives: answer is the worker's record (the one sent,
// with "loaded": [the fields each plugin of the file gave], or an error).
// Loaded values win over the files' but for an LV2 plugin's category and
// version (JUCE's LV2 host says less than the Turtle does).
std::vector<json> merge_loaded(json&& answer);

// How a scan goes besides its roots.
struct scan_settings {
    bool params = false;      // load is asked for the parameters too
    std::string wine_prefix;  // the prefix Windows plugins load in (--wine-prefix, absolute), or ""
    wine_env env;             // where they load without one (plugins/wine_prefix.hpp)
    // Called before each folder is read and before each record is written
    // (plugin-scan: an interrupted run ends there, cleaning up), or empty.
    std::function<void()> between;
};

// Walks each root and writes a record per plugin (through load when it is
// given, else from the files alone) and an error record per path that
// cannot be walked or read. Without load, a Windows plugin's record is an
// error when its files say why it cannot load (windows_plugin_reason: in
// the prefix it would load in when there is one, so missing imports are
// named). Returns the tool's exit code (1 when any record failed).
int scan_plugins(const std::vector<scan_root>& roots, const plugin_loader* load, const scan_settings& settings,
                 record_writer& out);

}  // namespace vr
