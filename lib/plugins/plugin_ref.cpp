// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/plugin_ref.hpp"

#include <cctype>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "core/error.hpp"
#include "core/files.hpp"
#include "plugins/lv2_manifest.hpp"
#include "plugins/plugin_file.hpp"
#include "plugins/windows_plugin.hpp"

namespace vr {

namespace {

bool ends_with(const std::string& s, std::string_view tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string without_slash(std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

// "scheme:..." with a scheme of letters, digits, + - . (RFC 3986), and no
// slash before the colon: an LV2 URI rather than a file path.
bool looks_like_uri(const std::string& s) {
    auto colon = s.find(':');
    if (colon == std::string::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(s[0])))
        return false;
    for (std::size_t i = 0; i < colon; ++i) {
        char c = s[i];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
}

}  // namespace

plugin_ref resolve_plugin(const std::string& text) {
    if (text.empty()) throw record_error("empty plugin path");
    if (looks_like_uri(text)) return {text, plugin_format::lv2};
    std::string path = without_slash(absolute_path(text));
    if (ends_with(path, ".so")) return {path, plugin_format::vst2};
    // A Windows build is hosted by the Windows worker under wine.
    if (is_windows_plugin(path)) return {path, ends_with(path, ".vst3") ? plugin_format::vst3 : plugin_format::vst2, {}, true};
    if (ends_with(path, ".vst3")) return {path, plugin_format::vst3};
    if (ends_with(path, ".lv2")) return {path, plugin_format::lv2};
    if (ends_with(path, ".dsp")) return {path, plugin_format::faust};
    // A plugin for another system (most often a Windows .dll) says what it is.
    std::error_code ec;
    std::string why = std::filesystem::is_directory(path, ec) ? foreign_bundle_reason(path) : foreign_file_reason(path);
    if (!why.empty()) throw record_error("cannot load plugin " + path + ": " + why);
    std::string ext = std::filesystem::path(path).extension().string(), windows;
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".dll")
        windows = " (a .dll would be a Windows plugin, hosted through wine: this one is not there or not a Windows DLL)";
    throw record_error("cannot tell the plugin format of '" + text +
                       "': expected a VST2 .so, a .vst3 bundle, an .lv2 bundle or an LV2 URI" + windows);
}

std::vector<std::string> lv2_bundle_uris(const std::string& bundle) {
    std::vector<std::string> uris;
    for (auto& e : read_lv2_manifest(bundle)) uris.push_back(std::move(e.uri));
    return uris;
}

}  // namespace vr
