// SPDX-License-Identifier: GPL-3.0-or-later
// Output paths assigned below one folder, unique on case- and
// normalisation-insensitive file systems, and checked on disk.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/records.hpp"
#include "paths/names.hpp"

namespace vr {

// What one output file should be called, before sanitizing and collisions.
struct path_request {
    std::vector<std::string> folders;  // folder names below the output folder, raw
    std::string stem;                  // the file's stem, raw
    std::string tag;                   // ASCII after the stem, never cut: "_005_60_100"
    std::string ext;                   // extension without its dot ("wav"), or empty
};

// Where an output file went.
struct assigned_path {
    std::vector<std::string> components;  // below the output folder; the last is the file
    std::string absolute;                 // output folder + components
};

// Hands out output paths below one folder, each unique under fold_key among
// everything assigned or reserved before it, so the tree survives a copy to
// a case- or normalisation-insensitive file system. Pure: it never looks at
// the disk, so the same requests in the same order give the same paths.
class path_assigner {
public:
    // out_dir: an absolute path (lexically normalised; not touched on disk).
    explicit path_assigner(std::string out_dir);

    const std::string& out_dir() const noexcept { return out_dir_; }

    // A fresh path for req: sanitized components, each at most 255 bytes,
    // every one but the last a folder, inside out_dir, valid NFC UTF-8, a
    // collision suffix "_N" (N = 2, 3, ...) after the tag when the name is
    // taken. Throws record_error when a name is not UTF-8, the tag is not
    // plain ASCII, or the whole path would be longer than max_output_path_bytes.
    assigned_path assign(const path_request& req);

    // Marks an absolute path given by a record as taken so that no later
    // assign() returns a name equal to it under fold_key. Paths outside
    // out_dir, or not UTF-8, are ignored.
    void reserve(std::string_view absolute);

private:
    enum class kind : std::uint8_t { file, folder, foreign_folder };
    struct entry {
        kind k;
        std::string spelling;  // a folder's component as written (folders only)
    };
    // The folder component named `want` inside the folder whose key is
    // parent_key: an existing folder of the same key, or a fresh one.
    const std::string& folder_in(const std::string& parent_key, const std::string& want,
                                 std::string& child_key);

    std::string out_dir_;
    std::unordered_map<std::string, entry> taken_;           // key of a relative path -> what
    std::unordered_map<std::string, std::uint64_t> next_n_;  // where the suffix search resumes
};

// Checks the disk below out_dir along p: refuses (record_error) a folder on
// the way that is a symbolic link or not a folder, and an output that is a
// symbolic link or not a regular file. Returns true when the output file
// already exists. out_dir itself is not checked.
bool check_target(const std::string& out_dir, const assigned_path& p);

enum class path_layout { flat, tree };

// What assign-paths asks for a record (assign-paths(1) says how the stem,
// folders and tag come from preset_name, preset_path, relative_path,
// program_index, input_path, note, velocity, bpm, seed and sample_index).
// bpm is the record's, read and checked by the caller (jobs/tempo_fields.hpp's
// job_bpm: lib/jobs sits above lib/paths). Throws record_error for a field of
// the wrong type or out of range.
path_request request_for_record(const json& record, path_layout layout, const std::string& ext,
                                std::optional<double> bpm);

// The tag of a tempo: "_b" and the shortest decimal that reads back as bpm,
// '.' written 'p' (120 -> "_b120", 92.5 -> "_b92p5"), so a name holds no dot
// but its extension's. bpm must be finite and positive.
std::string bpm_tag(double bpm);

}  // namespace vr
