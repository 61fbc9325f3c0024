// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/windows_plugin.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/error.hpp"
#include "core/text.hpp"
#include "plugins/plugin_file.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

const char* const bits_reason = "32-bit Windows plugin; only 64-bit plugins are hosted";

std::string lower(std::string s) {
    for (auto& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
}

// path without a trailing separator, so that its filename is the bundle's.
fs::path named(const std::string& path) {
    fs::path p = fs::path(path).lexically_normal();
    return p.filename().empty() ? p.parent_path() : p;
}

bool extension_is(const fs::path& p, std::string_view ext) { return lower(p.extension().string()) == ext; }

bool pe_header_at(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return false;  // never block on a FIFO
    std::ifstream in(file, std::ios::binary);
    std::vector<std::uint8_t> head(4096);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    return starts_like_pe(head);
}

// The names in folder (files and folders both), sorted; none when it cannot be read.
std::vector<std::string> names_in(const fs::path& folder) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The folders of a bundle's Contents that hold a build: MacOS, *-win, *-linux.
std::vector<std::string> build_folders(const fs::path& bundle) {
    std::vector<std::string> builds;
    std::error_code ec;
    for (const auto& name : names_in(bundle / "Contents"))
        if ((name == "MacOS" || name.ends_with("-win") || name.ends_with("-linux")) &&
            fs::is_directory(bundle / "Contents" / name, ec))
            builds.push_back(name);
    return builds;
}

std::string listed(const std::vector<std::string>& items, std::string_view before = "") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + std::string(before) + item;
    return out;
}

bool has(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The package a well-known runtime DLL comes in, by the start of its name.
const char* package_of(const std::string& dll) {
    static const std::pair<std::string_view, const char*> known[] = {
        {"msvcp", "the Visual C++ runtime"},     {"vcruntime", "the Visual C++ runtime"},
        {"ucrtbase", "the Visual C++ runtime"},  {"concrt", "the Visual C++ runtime"},
        {"vcomp", "the Visual C++ runtime"},     {"msvcr", "the Visual C++ runtime"},
        {"mfc", "the Visual C++ runtime"},       {"d3dx9_", "DirectX 9"},
        {"d3dx10_", "DirectX 10"},               {"d3dx11_", "DirectX 11"},
        {"d3dcompiler_", "DirectX"},             {"xaudio2_", "DirectX"},
        {"xinput", "DirectX"},                   {"vulkan-1", "the Vulkan loader"},
    };
    std::string name = lower(dll);
    for (const auto& [start, package] : known)
        if (name.starts_with(start)) return package;
    return nullptr;
}

// The DLLs wine finds in a prefix's system folders, lowercased.
std::set<std::string> system_dlls(const fs::path& prefix) {
    std::set<std::string> found;
    const fs::path windows = prefix / "drive_c" / "windows";
    for (const auto& folder : {windows / "system32", windows, windows / "system32" / "wbem"})
        for (auto& name : names_in(folder)) found.insert(lower(name));
    return found;
}

}  // namespace

bool is_windows_plugin(const std::string& path) {
    fs::path p = named(path);
    std::error_code ec;
    if (extension_is(p, ".dll")) return pe_header_at(p);
    if (!extension_is(p, ".vst3")) return false;
    if (!fs::is_directory(p, ec)) return pe_header_at(p);
    auto builds = build_folders(p);
    bool windows = std::any_of(builds.begin(), builds.end(), [](const std::string& b) { return b.ends_with("-win"); });
    return windows && !fs::is_directory(p / vst3_arch_folder(), ec);
}

std::string windows_plugin_module(const std::string& path) {
    fs::path p = named(path);
    std::error_code ec;
    if (!fs::is_directory(p, ec)) return p.string();
    return (p / "Contents" / "x86_64-win" / p.filename()).string();
}

std::string windows_bundle_reason(const std::string& bundle) {
    fs::path p = named(bundle);
    std::error_code ec;
    if (!fs::is_directory(p, ec)) return "";
    auto builds = build_folders(p);
    if (has(builds, "x86_64-win")) {
        fs::path module = windows_plugin_module(p.string());
        if (fs::is_regular_file(module, ec)) return "";
        auto held = names_in(module.parent_path());
        return "the bundle's Contents/x86_64-win holds no " + p.filename().string() +
               " (the module is named after the bundle); " + (held.empty() ? "it is empty" : "it holds " + listed(held));
    }
    if (has(builds, "x86-win")) return std::string(bits_reason) + " (the bundle has Contents/x86-win, no Contents/x86_64-win)";
    if (builds.size() == 1 && builds[0] == "MacOS")
        return "the bundle holds only a macOS build (Contents/MacOS), no Windows build (Contents/x86_64-win)";
    if (builds.empty()) return "the bundle has no Contents/x86_64-win, nor a build for any system: not a VST3 bundle";
    return "the bundle has no Contents/x86_64-win, so no 64-bit Windows build; it has " + listed(builds, "Contents/");
}

std::string windows_module_reason(const pe_info& module, bool vst3) {
    if (!module.pe32_plus && module.machine == 0x014C) return bits_reason;
    if (!module.pe32_plus || module.machine != 0x8664)
        return "a Windows build for " + pe_machine_name(module.machine) + " (" + pe_summary(module) +
               "); only x86-64 plugins are hosted";
    if (!module.dll) return "a Windows program (" + pe_summary(module) + "), not a DLL: a plugin is a DLL";
    auto exports = [&](std::string_view name) { return has(module.exports, name); };
    bool vst2_entry = exports("VSTPluginMain") || exports("main");
    bool vst3_entry = exports("GetPluginFactory");
    if (vst3 ? vst3_entry : vst2_entry) return "";
    if (vst3 && vst2_entry)
        return "it exports VSTPluginMain (VST2), not GetPluginFactory (VST3): a VST2 plugin, which loads from a .dll";
    if (!vst3 && vst3_entry)
        return "it exports GetPluginFactory (VST3), not VSTPluginMain or main (VST2): a VST3 plugin, which loads "
               "from a .vst3 file or bundle";
    if (module.exports.empty()) return "it exports no functions: no VST2 or VST3 plugin";
    constexpr std::size_t shown = 4;
    std::string names;
    for (std::size_t i = 0; i < std::min(shown, module.exports.size()); ++i)
        names += (i ? ", " : "") + printable_excerpt(module.exports[i], 40);
    if (module.exports.size() > shown) names += " and " + std::to_string(module.exports.size() - shown) + " more";
    return "it exports " + names +
           ", but neither VSTPluginMain or main (VST2) nor GetPluginFactory (VST3): no VST2 or VST3 plugin";
}

std::vector<std::string> missing_imports(const std::string& module_path, const pe_info& module,
                                         const std::string& prefix) {
    const std::set<std::string> system = system_dlls(prefix);
    const fs::path folder = named(module_path).parent_path();
    std::map<std::string, std::string> beside;  // lowercased: the file's own spelling
    for (auto& name : names_in(folder)) beside.emplace(lower(name), name);

    std::vector<std::string> missing;
    std::set<std::string> seen;  // lowercased: every DLL looked for once
    std::vector<std::vector<std::string>> pending{module.imports};
    while (!pending.empty()) {
        auto imports = std::move(pending.back());
        pending.pop_back();
        for (const auto& dll : imports) {
            std::string key = lower(dll);
            if (!seen.insert(key).second) continue;
            if (key.starts_with("api-ms-win-") || key.starts_with("ext-ms-") || system.count(key)) continue;
            auto file = beside.find(key);
            if (file == beside.end()) {
                missing.push_back(dll);
                continue;
            }
            try {
                pending.push_back(read_pe_file((folder / file->second).string()).imports);
            } catch (const record_error&) {
                // wine will have its say on a DLL of the plugin's that we cannot read
            }
        }
    }
    return missing;
}

std::string missing_imports_reason(const std::vector<std::string>& missing) {
    if (missing.empty()) return "";
    std::vector<std::pair<std::string, std::vector<std::string>>> packages;  // in first-seen order
    bool all_known = true;
    for (const auto& dll : missing) {
        const char* package = package_of(dll);
        if (!package) {
            all_known = false;
            continue;
        }
        auto it = std::find_if(packages.begin(), packages.end(), [&](const auto& p) { return p.first == package; });
        if (it == packages.end()) it = packages.insert(packages.end(), {package, {}});
        it->second.push_back(dll);
    }
    std::string why = "needs " + listed(missing) + ", not in this prefix";
    if (packages.empty()) return why;
    std::string notes;
    for (const auto& [package, dlls] : packages)
        notes += (notes.empty() ? "" : all_known ? " and " : "; ") + (all_known ? "" : listed(dlls) + ": ") + package;
    return why + " (" + notes + ")";
}

std::string windows_plugin_reason(const std::string& path, const std::optional<std::string>& prefix) {
    std::string why = windows_bundle_reason(path);
    if (!why.empty()) return why;
    std::string module = windows_plugin_module(path);
    pe_info pe;
    try {
        pe = read_pe_file(module);
    } catch (const record_error& e) {  // the message names the module: it may lie in a bundle
        return e.what();
    }
    why = windows_module_reason(pe, extension_is(named(path), ".vst3"));
    if (!why.empty() || !prefix) return why;
    return missing_imports_reason(missing_imports(module, pe, *prefix));
}

}  // namespace vr
