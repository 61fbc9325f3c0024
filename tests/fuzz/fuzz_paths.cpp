// SPDX-License-Identifier: GPL-3.0-or-later
// assign-paths' sanitizer and assigner. The input is many names, one a line,
// fed through one assigner: "a/b/c" asks for file c in folders a/b, "!rest"
// reserves <out>/rest as a record's own path would. Every path handed out
// must lie inside the output folder, be UTF-8 in NFC with components of at
// most 255 bytes, and differ from every other (and every reserved one) under
// case folding and normalisation.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"
#include "paths/assign.hpp"
#include "targets.hpp"

namespace {

const std::string out_dir = "/out/dir";

VR_FUZZ_UNTRACED std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> parts;
    for (;;) {
        auto at = s.find(sep);
        parts.emplace_back(s.substr(0, at));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

// A component as every file system takes it.
VR_FUZZ_UNTRACED void check_component(const std::string& c, bool folder) {
    vr_fuzz_require(!c.empty() && c.size() <= vr::max_component_bytes);
    vr_fuzz_require(vr::valid_utf8(c) && vr::nfc(c) == c);
    vr_fuzz_require(c != "." && c != ".." && c.front() != '.');
    vr_fuzz_require(c.find_first_of(std::string_view("/\\<>:\"|?*\0", 10)) == std::string::npos);
    for (unsigned char ch : c) vr_fuzz_require(ch >= 0x20 && ch != 0x7f);
    vr_fuzz_require(!vr::is_reserved_windows_name(c));
    if (folder) vr_fuzz_require(c.back() != '.' && c.back() != ' ');
}

// The keys of a relative path's prefixes, one per component.
VR_FUZZ_UNTRACED std::vector<std::string> prefix_keys(const std::vector<std::string>& components) {
    std::vector<std::string> keys;
    std::string key;
    for (const auto& c : components) {
        key += '/' + vr::fold_key(c);
        keys.push_back(key);
    }
    return keys;
}

}  // namespace

VR_FUZZ_UNTRACED void vr_fuzz_paths(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    vr::path_assigner assigner(out_dir);
    std::set<std::string> files, reserved;
    std::map<std::string, std::string> folders;      // key -> spelling of the whole prefix
    std::map<std::string, std::string> folder_keys;  // spelling -> key, the inverse
    std::size_t i = 0;
    for (const std::string& line : split(input, '\n')) {
        ++i;
        // The sanitizer alone.
        try {
            std::string c = vr::sanitize_component(line);
            check_component(c, true);
        } catch (const vr::record_error&) {
            vr_fuzz_require(!vr::valid_utf8(line));
        }
        if (!line.empty() && line[0] == '!') {
            std::string rel = line.substr(1);
            assigner.reserve(out_dir + "/" + rel);
            std::vector<std::string> parts = split(rel, '/');
            bool plain = vr::valid_utf8(rel);
            for (const auto& p : parts) plain = plain && !p.empty() && p != "." && p != "..";
            if (plain) reserved.insert(prefix_keys(parts).back());
            continue;
        }
        vr::path_request req;
        req.folders = split(line, '/');
        req.stem = req.folders.back();
        req.folders.pop_back();
        req.tag = i % 3 == 0 ? "" : "_5";
        req.ext = "wav";
        vr::assigned_path p;
        try {
            p = assigner.assign(req);
        } catch (const vr::record_error&) {
            continue;  // not UTF-8, or too long a path
        }
        vr_fuzz_require(!p.components.empty());
        std::string joined = out_dir;
        for (const auto& c : p.components) joined += '/' + c;
        vr_fuzz_require(p.absolute == joined && p.absolute.size() <= vr::max_output_path_bytes);
        vr_fuzz_require(p.components.back().ends_with(".wav"));

        // Folder prefixes recur from name to name: each spelling is
        // checked and keyed once (fold_key is the costly part).
        std::string spelling, key;
        for (std::size_t k = 0; k + 1 < p.components.size(); ++k) {
            spelling += '/' + p.components[k];
            auto [seen, first] = folder_keys.try_emplace(spelling);
            if (first) {
                check_component(p.components[k], true);
                seen->second = key + '/' + vr::fold_key(p.components[k]);
            }
            key = seen->second;
            vr_fuzz_require(!files.count(key));
            auto [it, fresh] = folders.emplace(key, spelling);
            vr_fuzz_require(fresh || it->second == spelling);  // one folder, one spelling
        }
        check_component(p.components.back(), false);
        const std::string file = key + '/' + vr::fold_key(p.components.back());
        vr_fuzz_require(!files.count(file) && !folders.count(file) && !reserved.count(file));
        files.insert(file);
    }
}
