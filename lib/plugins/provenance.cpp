// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/provenance.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "plugins/lv2_manifest.hpp"
#include "plugins/windows_plugin.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

// Plugins are large but not this large; the cap keeps a wrong path from
// reading a disk image into memory.
constexpr std::size_t max_plugin_bytes = std::size_t{1} << 31;

std::string vst3_binary(const std::string& bundle) {
    std::error_code ec;
    if (!fs::is_directory(bundle, ec)) return bundle;  // a single-file VST3
    std::vector<std::string> found;
    for (fs::directory_iterator arch(fs::path(bundle) / "Contents", ec), end; !ec && arch != end;
         arch.increment(ec)) {
        if (!arch->path().filename().string().ends_with("-linux")) continue;
        for (fs::directory_iterator f(arch->path(), ec), fend; !ec && f != fend; f.increment(ec))
            if (f->path().extension() == ".so") found.push_back(f->path().string());
    }
    // Sorted, so that a bundle built for several machines always names the same one.
    std::sort(found.begin(), found.end());
    return found.empty() ? "" : found.front();
}

// The binary of the plugin an LV2 location names: a bundle (its one plugin,
// or the first when it declares several: the job fails on loading then) or
// a URI, found where JUCE's host looks.
std::string lv2_binary(const std::string& location) {
    bool by_uri = location.front() != '/';
    std::optional<std::string> bundle = by_uri ? find_lv2_bundle(location, lv2_search_folders()) : location;
    if (!bundle) return "";
    try {
        for (const auto& e : read_lv2_manifest(*bundle))
            if (!by_uri || e.uri == location) return e.binary;
    } catch (const record_error&) {
    }
    return "";
}

}  // namespace

std::string plugin_binary_path(const plugin_ref& plugin) {
    switch (plugin.format) {
        case plugin_format::vst2: return plugin.location;
        case plugin_format::vst3:
            return plugin.windows ? windows_plugin_module(plugin.location) : vst3_binary(plugin.location);
        case plugin_format::lv2: return lv2_binary(plugin.location);
        case plugin_format::faust: break;  // its hash is the program text's (render_worker)
    }
    return "";
}

std::optional<std::string> plugin_binary_sha256(const plugin_ref& plugin) {
    std::string path = plugin_binary_path(plugin);
    if (path.empty()) return std::nullopt;
    // Kept for the process's life by the file's identity as stat sees it:
    // a supervisor and the workers forked from it (and a warm render-one's
    // sessions) read a plugin's binary once, and one changed on disk is
    // read again.
    static std::mutex lock;
    static std::map<std::string, std::string> known;
    const std::optional<std::string> id = stat_identity(path);
    if (!id) return std::nullopt;
    {
        std::lock_guard hold(lock);
        if (auto k = known.find(*id); k != known.end()) return k->second;
    }
    try {
        std::string sha = sha256_hex(read_file(path, max_plugin_bytes));
        std::lock_guard hold(lock);
        known.emplace(*id, sha);
        return sha;
    } catch (const record_error&) {
        return std::nullopt;
    }
}

}  // namespace vr
