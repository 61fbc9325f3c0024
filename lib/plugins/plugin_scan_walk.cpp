// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/plugin_scan_walk.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/files.hpp"
#include "plugins/windows_plugin.hpp"
#include "plugins/wine_prefix.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

// Whether name ends with .dll, in any case (Windows names are not case-sensitive).
bool dll_named(const std::string& name) {
    constexpr std::string_view ext = ".dll";
    if (name.size() <= ext.size()) return false;
    for (std::size_t i = 0; i < ext.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(name[name.size() - ext.size() + i])) != ext[i]) return false;
    return true;
}

// The format a name says a plugin is, when it says one (a .dll only where
// Windows plugins are looked for). A name that is only the extension
// (~/.vst3, ~/.lv2) is a folder of plugins.
std::optional<plugin_format> format_of_name(const std::string& name, bool folder, bool windows) {
    auto named = [&](std::string_view ext) { return name.size() > ext.size() && name.ends_with(ext); };
    if (named(".vst3")) return plugin_format::vst3;
    if (folder && named(".lv2")) return plugin_format::lv2;
    if (!folder && named(".so")) return plugin_format::vst2;
    if (!folder && windows && dll_named(name)) return plugin_format::vst2;
    return std::nullopt;
}

void split_into(const char* list, plugin_format f, std::vector<scan_root>& out) {
    std::string s = list;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto colon = s.find(':', start);
        if (colon == std::string::npos) colon = s.size();
        if (colon > start) out.push_back({s.substr(start, colon - start), f, true, false});
        start = colon + 1;
    }
}

class walker {
public:
    walker(const scan_root& root, const std::function<void(const found_path&)>& found,
           const std::function<void()>& each_folder)
        : root_(root), found_(found), each_folder_(each_folder) {}

    void run() {
        const std::string path = absolute_path(root_.path);
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (!(root_.standard && errno == ENOENT)) error(path, std::string("cannot read: ") + std::strerror(errno));
            return;
        }
        const bool folder = S_ISDIR(st.st_mode);
        const std::string name = fs::path(path).filename().string();
        if (auto f = format_of_name(name, folder, root_.windows)) {
            if (allowed(*f)) plugin(path, name, *f);
            else if (!root_.standard) error(path, std::string("not a plugin of the format looked for here"));
            return;
        }
        if (!folder) {
            error(path, "not a plugin: a VST2 plugin is a .so file (a .dll on Windows), a VST3 plugin a .vst3 "
                        "bundle, an LV2 plugin a .lv2 bundle");
            return;
        }
        walk(path, st);
    }

private:
    bool allowed(plugin_format f) const { return !root_.format || *root_.format == f; }

    void error(const std::string& path, const std::string& message) { found_({path, std::nullopt, message}); }

    // A plugin found: a .dll is a Windows build; a .vst3 is one when its
    // files say so, and only where Windows plugins are looked for (in the
    // Linux locations a Windows bundle is a Linux plugin that will not load,
    // as it always was).
    void plugin(const std::string& path, const std::string& name, plugin_format f) {
        const bool windows = root_.windows && (dll_named(name) || (f == plugin_format::vst3 && is_windows_plugin(path)));
        found_({path, f, "", windows});
    }

    void walk(const std::string& path, const struct stat& st) {
        const auto id = std::make_pair(st.st_dev, st.st_ino);
        if (std::find(ancestors_.begin(), ancestors_.end(), id) != ancestors_.end()) {
            error(path, "a symlink loop: this folder contains itself; not walked again");
            return;
        }
        if (each_folder_) each_folder_();
        std::error_code ec;
        std::vector<std::string> names;
        for (fs::directory_iterator d(path, ec), end; !ec && d != end; d.increment(ec))
            names.push_back(d->path().filename().string());
        if (ec) {
            error(path, "cannot read folder: " + ec.message());
            return;
        }
        std::sort(names.begin(), names.end());
        ancestors_.push_back(id);
        for (const auto& name : names) {
            const std::string child = (path == "/" ? "" : path) + "/" + name;
            struct stat cs {};
            if (::stat(child.c_str(), &cs) != 0) continue;  // a dangling symlink: nothing there
            const bool folder = S_ISDIR(cs.st_mode);
            if (auto f = format_of_name(name, folder, root_.windows)) {
                if (allowed(*f)) plugin(child, name, *f);
                continue;  // a bundle is a plugin, not a folder to walk
            }
            if (folder) walk(child, cs);
        }
        ancestors_.pop_back();
    }

    const scan_root& root_;
    const std::function<void(const found_path&)>& found_;
    const std::function<void()>& each_folder_;
    std::vector<std::pair<dev_t, ino_t>> ancestors_;
};

}  // namespace

std::vector<scan_root> standard_scan_roots(const char* vst_path, const char* lv2_path, const char* home) {
    std::vector<scan_root> out;
    const std::string h = home && *home ? home : "";
    auto add = [&](const std::string& path, plugin_format f) {
        if (!path.empty()) out.push_back({path, f, true, false});
    };
    if (vst_path && *vst_path) {
        split_into(vst_path, plugin_format::vst2, out);
    } else {
        if (!h.empty()) add(h + "/.vst", plugin_format::vst2);
        for (const char* p : {"/usr/lib/vst", "/usr/local/lib/vst", "/usr/lib/lxvst"}) add(p, plugin_format::vst2);
    }
    if (!h.empty()) add(h + "/.vst3", plugin_format::vst3);
    for (const char* p : {"/usr/lib/vst3", "/usr/local/lib/vst3"}) add(p, plugin_format::vst3);
    if (lv2_path && *lv2_path) {
        split_into(lv2_path, plugin_format::lv2, out);
    } else {
        if (!h.empty()) add(h + "/.lv2", plugin_format::lv2);
        for (const char* p : {"/usr/lib/lv2", "/usr/local/lib/lv2"}) add(p, plugin_format::lv2);
    }
    // Named twice (a VST_PATH that repeats itself): walked once.
    std::vector<scan_root> unique;
    std::set<std::pair<std::string, int>> seen;
    for (auto& r : out)
        if (seen.insert({r.path, static_cast<int>(*r.format)}).second) unique.push_back(std::move(r));
    return unique;
}

std::vector<scan_root> standard_scan_roots() {
    return standard_scan_roots(std::getenv("VST_PATH"), std::getenv("LV2_PATH"), std::getenv("HOME"));
}

std::vector<scan_root> wine_scan_roots(const std::string& prefix) {
    std::vector<scan_root> out;
    for (const auto& folder : wine_plugin_folders(prefix)) {
        const bool vst3 = folder.ends_with("/VST3");
        out.push_back({folder, vst3 ? plugin_format::vst3 : plugin_format::vst2, true, true});
    }
    return out;
}

void walk_plugins(const scan_root& root, const std::function<void(const found_path&)>& found,
                  const std::function<void()>& each_folder) {
    walker(root, found, each_folder).run();
}

}  // namespace vr
