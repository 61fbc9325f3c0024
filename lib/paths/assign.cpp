// SPDX-License-Identifier: GPL-3.0-or-later
// The collision-free assigner, the disk check before writing, and how
// assign-paths turns a record into a request.
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "paths/assign.hpp"
#include "paths/names.hpp"

namespace vr {

namespace {

bool plain_ascii(std::string_view s, bool allow_underscore) {
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (allow_underscore && (c == '_' || c == '-'));
        if (!ok) return false;
    }
    return true;
}

std::string join_under(const std::string& dir, const std::vector<std::string>& components,
                       std::size_t count) {
    std::string out = dir;
    for (std::size_t i = 0; i < count; ++i) {
        if (out.empty() || out.back() != '/') out += '/';
        out += components[i];
    }
    return out;
}

// The suffix of the n-th name wanted: none for the first, "_2", "_3", ... after.
std::string collision_suffix(std::uint64_t n) { return n <= 1 ? std::string() : "_" + std::to_string(n); }

// A file name without its last extension (a leading dot does not start one).
std::string file_stem(std::string_view file_name) {
    auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return std::string(file_name);
    return std::string(file_name.substr(0, dot));
}

// An input file's stem as a name tag: plain ASCII letters, digits and '-',
// every other run of bytes one '_', at most 40 bytes.
std::string tag_word(std::string_view stem) {
    std::string out;
    for (char c : stem) {
        if (out.size() >= 40) break;
        if (plain_ascii(std::string_view(&c, 1), false) || c == '-')
            out += c;
        else if (out.empty() || out.back() != '_')
            out += '_';
    }
    return out;
}

std::string zero_padded(std::int64_t n, int width) {
    std::string s = std::to_string(n);
    if (s.size() < static_cast<std::size_t>(width)) s.insert(0, static_cast<std::size_t>(width) - s.size(), '0');
    return s;
}

}  // namespace

path_assigner::path_assigner(std::string out_dir) : out_dir_(std::move(out_dir)) {
    if (out_dir_.empty() || out_dir_[0] != '/')
        throw std::invalid_argument("path_assigner: output folder is not absolute: " + out_dir_);
    while (out_dir_.size() > 1 && out_dir_.back() == '/') out_dir_.pop_back();
}

assigned_path path_assigner::assign(const path_request& req) {
    if (req.tag.size() > 100 || !plain_ascii(req.tag, true))
        throw record_error("name tag '" + printable_excerpt(req.tag) + "' is not short plain ASCII");
    if (req.ext.size() > 16 || !plain_ascii(req.ext, false))
        throw record_error("extension '" + printable_excerpt(req.ext) + "' is not short plain ASCII");
    const std::string ext_part = req.ext.empty() ? std::string() : "." + req.ext;

    // Work out everything first and change the state only when the record
    // cannot fail any more, so that a refused record reserves nothing.
    assigned_path out;
    std::vector<std::pair<std::string, std::string>> new_folders;  // key, spelling
    std::string parent_key;
    for (const auto& want : req.folders) {
        if (want.empty() || want == ".") continue;
        const std::string natural = sanitize_component(want);
        const std::string hint = parent_key + '/' + fold_key(natural) + '/';
        auto h = next_n_.find(hint);
        for (std::uint64_t n = (h == next_n_.end() || !new_folders.empty()) ? 1 : h->second;; ++n) {
            std::string sfx = collision_suffix(n);
            std::string name = n == 1 ? natural : sanitize_component(want, max_component_bytes - sfx.size()) + sfx;
            std::string key = parent_key + '/' + fold_key(name);
            auto it = new_folders.empty() ? taken_.find(key) : taken_.end();
            if (it == taken_.end()) {
                new_folders.emplace_back(key, name);
                out.components.push_back(name);
                parent_key = key;
                break;
            }
            if (it->second.k == kind::folder) {
                out.components.push_back(it->second.spelling);
                parent_key = key;
                if (n > 1) next_n_[hint] = n;
                break;
            }
        }
    }

    std::string file_key;
    const std::string natural =
        sanitize_component(req.stem, max_component_bytes - req.tag.size() - ext_part.size()) + req.tag + ext_part;
    const std::string hint = parent_key + '/' + fold_key(natural);
    auto h = next_n_.find(hint);
    std::uint64_t n = (h == next_n_.end() || !new_folders.empty()) ? 1 : h->second;
    for (;; ++n) {
        std::string sfx = collision_suffix(n);
        std::string name = n == 1 ? natural
                                  : sanitize_component(req.stem, max_component_bytes - req.tag.size() -
                                                                     sfx.size() - ext_part.size()) +
                                        req.tag + sfx + ext_part;
        file_key = parent_key + '/' + fold_key(name);
        if (!new_folders.empty() || taken_.find(file_key) == taken_.end()) {
            out.components.push_back(name);
            break;
        }
    }
    out.absolute = join_under(out_dir_, out.components, out.components.size());
    if (out.absolute.size() > max_output_path_bytes)
        throw record_error("output path would be " + std::to_string(out.absolute.size()) +
                           " bytes, over the limit of " + std::to_string(max_output_path_bytes) + ": " +
                           printable_excerpt(out.absolute));

    for (auto& [key, spelling] : new_folders) taken_.emplace(key, entry{kind::folder, spelling});
    taken_.emplace(file_key, entry{kind::file, {}});
    next_n_[hint] = n + 1;
    return out;
}

void path_assigner::reserve(std::string_view absolute) {
    if (absolute.empty() || absolute[0] != '/' || !valid_utf8(absolute)) return;
    namespace fs = std::filesystem;
    fs::path rel = fs::path(std::string(absolute)).lexically_normal().lexically_relative(out_dir_);
    std::vector<std::string> parts;
    for (const auto& c : rel) {
        std::string s = c.string();
        if (s.empty() || s == ".") continue;
        if (s == "..") return;  // outside the output folder
        parts.push_back(s);
    }
    if (parts.empty()) return;
    std::string key;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        key += '/' + fold_key(parts[i]);
        auto it = taken_.find(key);
        if (it == taken_.end()) {
            // A folder spelled unsafely is kept away from assign(), which would reuse its spelling.
            bool safe = sanitize_component(parts[i]) == parts[i];
            taken_.emplace(key, entry{safe ? kind::folder : kind::foreign_folder, parts[i]});
        } else if (it->second.k == kind::file) {
            return;
        }
    }
    key += '/' + fold_key(parts.back());
    taken_.emplace(key, entry{kind::file, {}});
}

bool check_target(const std::string& out_dir, const assigned_path& p) {
    const std::size_t n = p.components.size();
    for (std::size_t i = 0; i < n; ++i) {
        std::string path = join_under(out_dir, p.components, i + 1);
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) {
            if (errno == ENOENT) return false;  // nothing deeper exists either
            throw record_error(path + ": cannot inspect: " + std::strerror(errno));
        }
        bool last = i + 1 == n;
        if (S_ISLNK(st.st_mode))
            throw record_error(path + ": a symbolic link inside the output folder; refusing to " +
                               (last ? "write through it" : "write below it"));
        if (!last && !S_ISDIR(st.st_mode)) throw record_error(path + ": exists and is not a folder");
        if (last && !S_ISREG(st.st_mode)) throw record_error(path + ": exists and is not a regular file");
    }
    return n > 0;
}

std::string bpm_tag(double bpm) {
    char buf[400];  // room for any double in shortest fixed notation: 1e308 has 309 digits, 5e-324 "0." and 324
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, bpm, std::chars_format::fixed);
    if (ec != std::errc()) throw record_error("bpm " + std::to_string(bpm) + " cannot be written as a name tag");
    std::string digits(buf, end);
    for (char& c : digits)
        if (c == '.') c = 'p';
    return "_b" + digits;
}

path_request request_for_record(const json& record, path_layout layout, const std::string& ext,
                                std::optional<double> bpm) {
    path_request r;
    r.ext = ext;
    auto name = get_string(record, "preset_name");
    auto preset_path = get_path(record, "preset_path");
    auto relative = layout == path_layout::tree ? get_path(record, "relative_path") : std::nullopt;
    auto index = get_integer(record, "program_index", 0, INT32_MAX);
    auto note = get_integer(record, "note", 0, 127);
    auto velocity = get_integer(record, "velocity", 1, 127);
    std::string index_tag = index ? "_" + zero_padded(*index, 3) : "";

    if (relative) {
        std::string_view rest = *relative;
        for (auto slash = rest.find('/'); slash != std::string_view::npos; slash = rest.find('/')) {
            r.folders.emplace_back(rest.substr(0, slash));
            rest.remove_prefix(slash + 1);
        }
        r.stem = file_stem(rest);
        r.tag = index_tag;
    } else if (name && !name->empty()) {
        r.stem = *name;
    } else {
        if (preset_path) {
            auto slash = preset_path->rfind('/');
            r.stem = file_stem(slash == std::string::npos ? *preset_path : preset_path->substr(slash + 1));
        }
        r.tag = index_tag;
    }
    if (r.stem.empty()) r.stem = "untitled";
    // An effect's preset on several inputs (job-grid --inputs): one name each.
    if (auto input = get_path(record, "input_path")) {
        auto slash = input->rfind('/');
        std::string in_stem = file_stem(slash == std::string::npos ? *input : input->substr(slash + 1));
        if (!in_stem.empty()) r.tag += "_" + tag_word(in_stem);
    }
    if (note) {
        r.tag += "_" + std::to_string(*note);
        if (velocity) r.tag += "_" + std::to_string(*velocity);
    }
    // One job at several tempos (job-grid --bpms), each named with its own.
    if (bpm) r.tag += bpm_tag(*bpm);
    // Variations of one job (job-grid --seeds) get names of their own.
    if (auto seed = get_integer(record, "seed", 0, UINT32_MAX)) r.tag += "_s" + std::to_string(*seed);
    // Samples of one plugin's parameters (param-sample): named by their index,
    // so a sample keeps its name whichever --range made it.
    if (auto sample = get_integer(record, "sample_index", 0, INT64_MAX))
        r.tag += "_sample" + zero_padded(*sample, 6);
    return r;
}

}  // namespace vr
