// SPDX-License-Identifier: GPL-3.0-or-later
// A plugin as a user names it (a file, a bundle, an LV2 URI, a Faust
// program) and the format that name says it is. No JUCE here.
#pragma once
#include <string>
#include <vector>

namespace vr {

enum class plugin_format { vst2, vst3, lv2, faust };

// "vst2" | "vst3" | "lv2" | "faust": the record's plugin_format.
inline const char* to_string(plugin_format f) {
    switch (f) {
        case plugin_format::vst2: return "vst2";
        case plugin_format::vst3: return "vst3";
        case plugin_format::lv2: return "lv2";
        case plugin_format::faust: return "faust";
    }
    return "unknown";
}

// The record's plugin_platform: the system a plugin is built for, and runs
// on (a Windows build under wine).
inline constexpr const char* linux_platform = "linux-x86_64";
inline constexpr const char* windows_platform = "windows-x86_64";

// A plugin as the user named it: a file, a bundle, or an LV2 URI.
struct plugin_ref {
    std::string location;  // absolute path, or the URI; "faust:<SHA-256 of code>" for faust_code
    plugin_format format;
    std::string code;  // a Faust program given as text (the job's faust_code), else empty
    // A Windows build (a PE .dll, a .vst3 bundle with only x86_64-win): it
    // is hosted by the Windows worker under wine, in wine_prefix.
    bool windows = false;
    std::string wine_prefix;
    bool operator<(const plugin_ref& o) const {
        return location < o.location || (location == o.location && wine_prefix < o.wine_prefix);
    }
};

// The format a path or URI names: .so is VST2, .vst3 is VST3, a .lv2 bundle
// or a URI is LV2, a .dsp file is a Faust program; file paths are made absolute. Throws record_error, which
// says what the file is when it is a plugin for another system (a .dll).
plugin_ref resolve_plugin(const std::string& text);

// The LV2 plugin URIs an .lv2 bundle's manifest.ttl declares, in file order;
// throws record_error naming the bundle when it cannot be read.
std::vector<std::string> lv2_bundle_uris(const std::string& bundle);

}  // namespace vr
