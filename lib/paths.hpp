// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "records.hpp"

namespace vr {

// Longest path component most file systems take (ext4, APFS, NTFS in UTF-16
// units is more, but bytes are what Linux counts).
inline constexpr std::size_t max_component_bytes = 255;

// Longest absolute output path: PATH_MAX less its NUL, less room for the
// temporary file render-one writes beside the output (files.hpp's
// temp_path_beside adds at most 27 bytes to the name).
inline constexpr std::size_t max_output_path_bytes = 4096 - 1 - 32;

// s in Unicode NFC. Throws record_error naming `what` when s is not UTF-8.
std::string nfc(std::string_view s, std::string_view what = "name");

// The key under which a case-insensitive, normalisation-insensitive file
// system (macOS, Windows) sees a name: NFC of the full Unicode case fold.
// Two names with equal keys are the same file there. s must be valid UTF-8.
std::string fold_key(std::string_view s);

// At most max_bytes of valid UTF-8 s, cut between grapheme clusters (so a
// combining sequence stays whole) when one fits, else between characters.
std::string_view truncate_utf8(std::string_view s, std::size_t max_bytes);

// True when Windows reserves the name for a device: CON PRN AUX NUL CLOCK$
// CONIN$ CONOUT$ COM0-9 LPT0-9 (and COM/LPT with superscript 1-3), in any
// case, whatever follows a first dot, trailing spaces ignored.
bool is_reserved_windows_name(std::string_view name);

// One path component that is safe on Linux, macOS and Windows, made from a
// name (see assign-paths(1) for the rules): NFC; control characters (C0, DEL,
// C1), line and paragraph separators, / \ < > : " | ? * become '_'; trailing
// dots and spaces go; an empty result becomes "_"; a leading dot becomes '_';
// a reserved Windows name gets a '_' in front; at most max_bytes bytes, cut by
// truncate_utf8. Throws record_error when name is not valid UTF-8.
std::string sanitize_component(std::string_view name, std::size_t max_bytes = max_component_bytes);

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

// The audio formats an output extension may pick.
bool is_output_extension(std::string_view ext);

enum class path_layout { flat, tree };

// What assign-paths asks for a record (assign-paths(1) says how the stem,
// folders and tag come from preset_name, preset_path, relative_path,
// program_index, note and velocity). Throws record_error for a field of the
// wrong type or out of range.
path_request request_for_record(const json& record, path_layout layout, const std::string& ext);

}  // namespace vr
