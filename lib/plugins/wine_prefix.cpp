// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/wine_prefix.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include "core/error.hpp"
#include "core/text.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

// path made absolute, with the symlinks of the part that exists resolved.
fs::path resolved(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
    return ec ? fs::absolute(path, ec).lexically_normal() : p;
}

bool is_prefix(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "system.reg", ec);
}

// The names of path below root, or nullopt when it does not lie there
// (root itself gives an empty list).
std::optional<std::vector<std::string>> names_below(const fs::path& root, const fs::path& path) {
    auto r = root.begin(), p = path.begin();
    for (; r != root.end(); ++r, ++p) {
        if (r->empty()) continue;  // the trailing "" of a root that ends in "/"
        if (p == path.end() || *r != *p) return std::nullopt;
    }
    std::vector<std::string> names;
    for (; p != path.end(); ++p)
        if (!p->empty()) names.push_back(p->string());
    return names;
}

// The #arch line that wine writes near the top of system.reg ("win64",
// "win32"), "" when there is none.
std::string prefix_arch(const fs::path& dir) {
    std::ifstream in(dir / "system.reg");
    std::string line;
    for (int i = 0; i < 10 && std::getline(in, line); ++i)
        if (line.starts_with("#arch=")) return line.substr(6);
    return "";
}

// The drives of a prefix: letter and the folder it reaches. wine's defaults
// when the prefix has no dosdevices folder.
std::vector<std::pair<char, fs::path>> drives(const fs::path& prefix) {
    std::vector<std::pair<char, fs::path>> out;
    std::error_code ec;
    fs::path devices = prefix / "dosdevices";
    if (!fs::is_directory(devices, ec)) return {{'C', prefix / "drive_c"}, {'Z', "/"}};
    for (fs::directory_iterator it(devices, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.size() != 2 || name[1] != ':' || !std::isalpha(static_cast<unsigned char>(name[0]))) continue;
        std::error_code ec2;
        fs::path target = fs::canonical(it->path(), ec2);
        if (!ec2 && fs::is_directory(target, ec2))
            out.emplace_back(static_cast<char>(std::toupper(static_cast<unsigned char>(name[0]))), target);
    }
    return out;
}

}  // namespace

std::string prefix_holding(const std::string& path) {
    if (path.empty()) return "";
    fs::path p = resolved(path);
    for (fs::path dir = p; dir.has_relative_path(); dir = dir.parent_path())
        if (dir.filename() == "drive_c" && is_prefix(dir.parent_path())) return dir.parent_path().string();
    return "";
}

void check_wine_prefix(const std::string& dir) {
    if (!is_prefix(dir)) throw record_error("no wine prefix at " + dir + ": make one with WINEPREFIX=" + dir + " wineboot");
    std::string arch = prefix_arch(dir);
    if (!arch.empty() && arch != "win64")
        throw record_error("the wine prefix " + dir + " is a " + (arch == "win32" ? "32-bit" : arch) +
                           " one (#arch=" + arch + " in its system.reg): 64-bit plugins need a prefix made with WINEARCH=win64");
}

std::string choose_wine_prefix(const std::string& plugin_path, const std::string& given, const wine_env& env) {
    std::string own = prefix_holding(plugin_path);
    std::string chosen;
    if (!given.empty()) {
        chosen = resolved(given).string();
        if (!own.empty() && own != chosen)
            throw record_error("the plugin " + plugin_path + " lies in the wine prefix " + own +
                               ", but the wine prefix given is " + chosen + ": give " + own + " or none");
    } else if (!own.empty()) {
        chosen = own;
    } else if (!env.wineprefix.empty()) {
        chosen = resolved(env.wineprefix).string();
    } else if (!env.home.empty()) {
        chosen = resolved(env.home + "/.wine").string();
    } else {
        throw record_error("no wine prefix: neither WINEPREFIX nor HOME is set (give --wine-prefix DIR)");
    }
    check_wine_prefix(chosen);
    return chosen;
}

std::string windows_path(const std::string& path, const std::string& prefix) {
    fs::path p = resolved(path);
    std::optional<std::vector<std::string>> best;
    char letter = 0;
    for (const auto& [drive, root] : drives(resolved(prefix))) {
        auto names = names_below(root, p);
        if (names && (!best || names->size() < best->size())) {
            best = std::move(names);
            letter = drive;
        }
    }
    if (!best)
        throw record_error("no drive of the wine prefix " + prefix + " reaches " + p.string() +
                           " (its dosdevices folder links none of the folders above it)");
    std::string out = std::string(1, letter) + ":";
    for (const auto& name : *best) {
        if (!valid_utf8(name)) throw record_error(p.string() + ": a name in it is not valid UTF-8");
        if (name.find('\\') != std::string::npos)
            throw record_error(p.string() + ": the name '" + name + "' holds a backslash, which Windows cannot name");
        out += "\\" + name;
    }
    return best->empty() ? out + "\\" : out;
}

std::vector<std::string> wine_plugin_folders(const std::string& prefix) {
    const fs::path files = fs::path(prefix) / "drive_c" / "Program Files";
    return {(files / "Common Files" / "VST3").string(), (files / "VSTPlugins").string(),
            (files / "Steinberg" / "VstPlugins").string(), (files / "Common Files" / "VST2").string()};
}

}  // namespace vr
